import BriefingModel

/// Helpers for two-device merge scenarios: devices "A" and "B" working on briefing "b1".
enum Scenario {
    static let briefingID = "b1"

    /// A valid anchor for highlights.
    static let anchor = TextAnchor(
        revisionID: "r-0123456789abcdef", paragraphID: "p-0123456789ab", start: 4, end: 9, exact: "grain",
        prefix: "The ", suffix: " corridor stays open.", status: .anchored)

    /// A timestamp at `ms` milliseconds from device `node`.
    static func hlc(_ ms: Int64, _ node: String) -> HLC {
        HLC(wallMillis: ms, counter: 0, node: node)
    }

    static func upsert(
        _ kind: EntityKind, _ id: String, at clock: HLC, seen: HLC? = nil, baseText: String? = nil,
        _ fields: [String: FieldValue]
    ) -> Mutation {
        Mutation(
            mutationID: clock.wallMillis, kind: kind, id: id, op: .upsert, hlc: clock, fields: fields,
            baseText: baseText, seen: seen)
    }

    static func delete(_ kind: EntityKind, _ id: String, at clock: HLC, seen: HLC? = nil) -> Mutation {
        Mutation(mutationID: clock.wallMillis, kind: kind, id: id, op: .delete, hlc: clock, seen: seen)
    }

    /// The outcome of applying mutations one after the other, as the server would in arrival order.
    struct Replay {
        var record: UserRecord
        var results: [MergeResult]
        var statuses: [MutationStatus] { results.map(\.status) }
        var conflicts: [ConflictRecord] { results.flatMap(\.conflicts) }
        var copies: [UserRecord] { results.flatMap(\.copies) }
    }

    static func replay(_ mutations: [Mutation], on start: UserRecord? = nil) throws -> Replay {
        var record = start
        var results: [MergeResult] = []
        for mutation in mutations {
            let result = try MergeRules.apply(mutation, to: record)
            record = result.record
            results.append(result)
        }
        guard let record else { preconditionFailure("replay needs at least one mutation") }
        return Replay(record: record, results: results)
    }
}

extension ConflictRecord {
    /// Whether the outcome kept the competing value `value` (nil when no such value is listed).
    func kept(_ value: String) -> Bool? {
        values.first { $0.value == value || $0.display == value }?.kept
    }
}
