import BriefingModel
import BriefingStore
import SyncServerCore

/// The guarantees the lab checks once every device has synced to quiescence.
struct Checks {
    let runner: Runner

    /// A mutation the server acknowledged as applied or merged.
    struct Acknowledged {
        var device: Int
        var mutation: Mutation
        var status: MutationStatus
    }

    /// The guarantees a run is checked for, by the names its violations carry.
    static let names = ["idempotency", "convergence", "conservation", "rules", "isolation", "scopes", "quiescence"]

    func all() async throws -> [Violation] {
        var violations: [Violation] = []
        let unreadable = runner.network.unreadablePushes
        if !unreadable.isEmpty {
            // Every other check reads the pushes; one it cannot read would make them wrong.
            return [Violation(check: "observer", message: "answered pushes the lab could not decode", items: unreadable)]
        }
        let acknowledged = acknowledgedMutations()
        violations += idempotency()
        for user in 0..<runner.config.users {
            let account = runner.accountIDs[user]
            let server = try await runner.service.kernel.records(ofAccount: account)
            let conflicts = try await runner.service.kernel.conflictRecords(ofAccount: account)
            let devices = runner.devices.filter { $0.user == user }
            let mine = acknowledged.filter { devices.map(\.index).contains($0.device) }
            violations += try await convergence(devices, server, conflicts)
            violations += conservation(user, mine, server, conflicts)
            violations += rules(user, mine, server)
        }
        violations += try await isolation()
        violations += try await scopes()
        for device in runner.devices where try await device.store.pendingCount() > 0 {
            violations.append(
                Violation(check: "quiescence", message: "device \(device.index) still has pending mutations", items: []))
        }
        return violations
    }

    /// The first applied-or-merged answer of every mutation, in the order the server gave them.
    func acknowledgedMutations() -> [Acknowledged] {
        var result: [Acknowledged] = []
        for push in runner.network.pushes {
            for (mutation, answer) in zip(push.mutations, push.results) where answer.status == .applied || answer.status == .merged {
                result.append(Acknowledged(device: push.device, mutation: mutation, status: answer.status))
            }
        }
        return result
    }

    // MARK: 1. Convergence

    func convergence(_ devices: [SimulatedDevice], _ server: [UserRecord], _ conflicts: [ConflictRecord]) async throws -> [Violation] {
        var violations: [Violation] = []
        let serverLive = server.filter { !$0.deleted }
        let serverConflicts = Set(conflicts.map(\.id))
        for device in devices {
            let local = try await device.store.allRecords()
            let live = local.filter { !$0.deleted }
            if live != serverLive {
                let a = Dictionary(live.map { ("\($0.kind.rawValue)/\($0.id)", $0) }, uniquingKeysWith: { x, _ in x })
                let b = Dictionary(serverLive.map { ("\($0.kind.rawValue)/\($0.id)", $0) }, uniquingKeysWith: { x, _ in x })
                let differing = Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
                violations.append(
                    Violation(
                        check: "convergence", message: "device \(device.index) and the server hold different records",
                        items: differing.map { key in
                            "\(key): device \(a[key].map(describe) ?? "missing") / server \(b[key].map(describe) ?? "missing")"
                        }))
            }
            // Tombstones the server still keeps must be on the device too (it may keep ones the server compacted).
            let localByKey = Dictionary(local.map { ("\($0.kind.rawValue)/\($0.id)", $0) }, uniquingKeysWith: { x, _ in x })
            let missing = server.filter { $0.deleted && localByKey["\($0.kind.rawValue)/\($0.id)"] != $0 }
            if !missing.isEmpty {
                violations.append(
                    Violation(
                        check: "convergence", message: "device \(device.index) lacks tombstones the server holds",
                        items: missing.map { "\($0.kind.rawValue)/\($0.id)" }))
            }
            let localConflicts = Set(try await device.store.conflicts().map(\.id))
            if localConflicts != serverConflicts {
                violations.append(
                    Violation(
                        check: "convergence", message: "device \(device.index) shows different conflict records",
                        items: Array(localConflicts.symmetricDifference(serverConflicts)).sorted()))
            }
        }
        return violations
    }

    func describe(_ record: UserRecord) -> String {
        let fields = record.fields.keys.sorted().map { "\($0)=\(record.fields[$0]!)" }.joined(separator: " ")
        return (record.deleted ? "deleted " : "") + fields
    }

    // MARK: 2. Conservation

    func conservation(_ user: Int, _ acknowledged: [Acknowledged], _ server: [UserRecord], _ conflicts: [ConflictRecord]) -> [Violation] {
        var violations: [Violation] = []
        let noteTexts = Set(server.filter { $0.kind == .note }.compactMap { $0.fields["text"]?.string })
        let deleted = Set(acknowledged.filter { $0.mutation.op == .delete }.map { "\($0.mutation.kind.rawValue)/\($0.mutation.id)" })
        // A text some device edited from (on the note or on a copy of it) was replaced knowingly.
        var superseded: Set<String> = []
        for item in acknowledged where item.mutation.kind == .note {
            if let base = item.mutation.baseText { superseded.insert(base) }
        }
        var merged: [String: Set<String>] = [:]
        for conflict in conflicts where conflict.rule == .textMerge {
            merged[conflict.recordID, default: []].formUnion(conflict.values.map(\.display))
        }
        // A conflict copy the reader later deleted took its text with it, explicitly.
        var deletedCopies: Set<String> = []
        for conflict in conflicts where conflict.rule == .conflictCopy {
            for value in conflict.values where !value.kept {
                let copyID = MergeRules.conflictCopyID(of: conflict.recordID, losingClock: value.hlc)
                if deleted.contains("note/\(copyID)") { deletedCopies.insert(value.display) }
            }
        }
        var lost: [String] = []
        for item in acknowledged where item.mutation.kind == .note && item.mutation.op == .upsert {
            guard let text = item.mutation.fields["text"]?.string else { continue }
            let id = item.mutation.id
            if noteTexts.contains(text) || superseded.contains(text) || merged[id]?.contains(text) == true
                || deletedCopies.contains(text)
                || deleted.contains("note/\(id)")
            {
                continue
            }
            lost.append("note \(id): “\(text)” (device \(item.device), \(item.mutation.hlc))")
            // The story of that note, so the reproduction reads on its own.
            for other in acknowledged where other.mutation.kind == .note && other.mutation.id == id {
                let m = other.mutation
                lost.append(
                    "    \(other.status.rawValue) \(m.op.rawValue) from device \(other.device) at \(m.hlc): “\(m.fields["text"]?.string ?? "")” base “\(m.baseText ?? "-")”")
            }
            for record in server where record.kind == .note && (record.id == id || record.fields["conflictOf"]?.string == id) {
                lost.append("    server \(record.id == id ? "note" : "copy \(record.id)"): \(describe(record))")
            }
        }
        if !lost.isEmpty {
            violations.append(
                Violation(
                    check: "conservation",
                    message: "reader\(user + 1): acknowledged note text exists nowhere (not a note, not a copy, not merged, not knowingly replaced)",
                    items: lost))
        }
        let live = Set(server.filter { !$0.deleted }.map { "\($0.kind.rawValue)/\($0.id)" })
        let orphaned = Set(server.filter { $0.fields["anchor"]?.anchor?.status == .orphaned }.map { "highlight/\($0.id)" })
        let created = Set(acknowledged.filter { $0.mutation.kind == .highlight && $0.mutation.op == .upsert }.map { "highlight/\($0.mutation.id)" })
        let vanished = created.subtracting(live).subtracting(deleted).subtracting(orphaned).sorted()
        if !vanished.isEmpty {
            violations.append(
                Violation(
                    check: "conservation", message: "reader\(user + 1): highlights vanished without an explicit delete",
                    items: vanished))
        }
        return violations
    }

    // MARK: 3. The declared rules

    func rules(_ user: Int, _ acknowledged: [Acknowledged], _ server: [UserRecord]) -> [Violation] {
        var violations: [Violation] = []
        let byKey = Dictionary(server.map { ("\($0.kind.rawValue)/\($0.id)", $0) }, uniquingKeysWith: { x, _ in x })
        let deleted = Set(acknowledged.filter { $0.mutation.op == .delete }.map { "\($0.mutation.kind.rawValue)/\($0.mutation.id)" })

        // furthest is the maximum ever written.
        var furthest: [String: Double] = [:]
        for item in acknowledged where item.mutation.kind == .readingProgress {
            if let value = item.mutation.fields["furthest"]?.number { furthest[item.mutation.id] = max(furthest[item.mutation.id] ?? 0, value) }
        }
        for (id, expected) in furthest where byKey["readingProgress/\(id)"]?.fields["furthest"]?.number != expected {
            violations.append(
                Violation(
                    check: "rules", message: "reader\(user + 1): furthest is not the maximum ever written",
                    items: ["readingProgress/\(id): expected \(expected), found \(byKey["readingProgress/\(id)"]?.fields["furthest"]?.description ?? "nothing")"]))
        }

        // Tags: present exactly while some acknowledged add was not removed by an acknowledged remove.
        var adds: [String: Set<String>] = [:], removes: [String: Set<String>] = [:]
        for item in acknowledged where item.mutation.kind == .tag {
            adds[item.mutation.id, default: []].formUnion(item.mutation.fields["adds"]?.strings ?? [])
            removes[item.mutation.id, default: []].formUnion(item.mutation.fields["removes"]?.strings ?? [])
        }
        for id in Set(adds.keys).union(removes.keys) {
            let expected = !(adds[id] ?? []).subtracting(removes[id] ?? []).isEmpty
            let actual = byKey["tag/\(id)"].map(Tag.isPresent) ?? false
            if expected != actual {
                violations.append(
                    Violation(
                        check: "rules", message: "reader\(user + 1): a tag breaks add-wins",
                        items: ["tag/\(id): expected \(expected ? "present" : "absent"), found \(actual ? "present" : "absent")"]))
            }
        }

        // Last writer wins: on records never deleted, each field holds the value of the write with the highest clock.
        let lwwFields: [(EntityKind, String)] = [
            (.highlight, "color"), (.note, "highlightID"), (.bookmark, "bookmarked"), (.readingProgress, "position"),
        ]
        for (kind, field) in lwwFields {
            var winners: [String: (HLC, FieldValue)] = [:]
            for item in acknowledged where item.mutation.kind == kind && !deleted.contains("\(kind.rawValue)/\(item.mutation.id)") {
                guard let value = item.mutation.fields[field] else { continue }
                if let current = winners[item.mutation.id], current.0 >= item.mutation.hlc { continue }
                winners[item.mutation.id] = (item.mutation.hlc, value)
            }
            for (id, winner) in winners {
                let actual = byKey["\(kind.rawValue)/\(id)"]?.fields[field]
                if actual != winner.1 {
                    violations.append(
                        Violation(
                            check: "rules", message: "reader\(user + 1): \(kind.rawValue).\(field) is not the last writer's value",
                            items: ["\(kind.rawValue)/\(id): expected \(winner.1) from \(winner.0), found \(actual.map(\.description) ?? "nothing")"]))
                }
            }
        }

        // Deletes against edits: a record may end deleted only if every acknowledged edit lost to some
        // acknowledged delete (a note's delete must have seen the edit; a highlight's must be later).
        let byRecord = Dictionary(grouping: acknowledged, by: { "\($0.mutation.kind.rawValue)/\($0.mutation.id)" })
        for record in server where record.deleted && (record.kind == .note || record.kind == .highlight) {
            let mine = byRecord["\(record.kind.rawValue)/\(record.id)"] ?? []
            let deletes = mine.filter { $0.mutation.op == .delete }.map(\.mutation)
            for edit in mine where edit.mutation.op == .upsert {
                let beaten = deletes.contains { delete in
                    record.kind == .note ? (delete.seen ?? delete.hlc) >= edit.mutation.hlc : delete.hlc > edit.mutation.hlc
                }
                if !beaten {
                    violations.append(
                        Violation(
                            check: "rules",
                            message: "reader\(user + 1): a \(record.kind.rawValue) stayed deleted over an edit no delete had beaten",
                            items: ["\(record.kind.rawValue)/\(record.id): edit at \(edit.mutation.hlc)"] + story(record.kind, record.id, mine)))
                    break
                }
            }
        }
        return violations
    }

    /// Every acknowledged mutation of one record, in the order the server took them.
    func story(_ kind: EntityKind, _ id: String, _ acknowledged: [Acknowledged]) -> [String] {
        acknowledged.filter { $0.mutation.kind == kind && $0.mutation.id == id }.map { item in
            let m = item.mutation
            let fields = m.fields.keys.sorted().filter { $0 != "anchor" }.map { "\($0)=\(m.fields[$0]!)" }.joined(separator: " ")
            return "    \(item.status.rawValue) \(m.op.rawValue) from device \(item.device) at \(m.hlc) seen \(m.seen?.description ?? "-") \(fields)"
        }
    }

    // MARK: 4. Idempotency

    func idempotency() -> [Violation] {
        var applied: [String: Int] = [:]
        for push in runner.network.pushes {
            for (mutation, answer) in zip(push.mutations, push.results) where answer.status == .applied || answer.status == .merged {
                applied["device \(push.device) mutation \(mutation.mutationID)", default: 0] += 1
            }
        }
        let twice = applied.filter { $0.value > 1 }.map { "\($0.key) applied \($0.value) times" }.sorted()
        return twice.isEmpty ? [] : [Violation(check: "idempotency", message: "mutations were applied more than once", items: twice)]
    }

    // MARK: 6. Scopes

    /// Every device holds exactly the content it may read: open content and the publications
    /// its account is entitled to and it subscribes to, however often they changed.
    func scopes() async throws -> [Violation] {
        var items: [String] = []
        var publicationOf: [String: String] = [:]
        var revisionOf: [String: String] = [:]
        for id in StepGenerator.briefings {
            if let body = try await runner.service.store.briefingBody(id: id) {
                let briefing = try CanonicalJSON.decode(Briefing.self, body)
                publicationOf[id] = Publication.key(for: briefing.publication)
                revisionOf[id] = briefing.revision.id
            }
        }
        for device in runner.devices {
            guard let token = try await device.store.syncState().token else { continue }
            let principal = try await runner.service.authenticate(token: token)
            let expected = Set(publicationOf.filter { $0.value.isEmpty || principal.receives?.contains($0.value) ?? true }.keys)
            let held = Set(try await device.store.briefings().map(\.id))
            if held != expected {
                items.append(
                    "device \(device.index) holds \(held.sorted().joined(separator: ", ")); it may read \(expected.sorted().joined(separator: ", "))")
            }
            for id in held.intersection(expected).sorted() {
                let local = try await device.store.metadata(id: id)
                if local?.revision.id != revisionOf[id] {
                    items.append("device \(device.index) holds \(id) at revision \(local?.revision.id ?? "none"), not the server's \(revisionOf[id] ?? "none")")
                }
                // A body on the device is exactly the server's (bodies come on their own, by hash).
                if let whole = try await device.store.briefing(id: id), let served = try await runner.service.store.briefingBody(id: id),
                    whole != (try CanonicalJSON.decode(Briefing.self, served))
                {
                    items.append("device \(device.index) holds another body of \(id) than the server's")
                }
                let layer = try await device.store.editorialAnnotations(briefingID: id).map(\.id).sorted()
                let served = try await runner.service.store.editorialBodies(briefingID: id)
                    .map { try CanonicalJSON.decode(EditorialAnnotation.self, $0).id }.sorted()
                if layer != served { items.append("device \(device.index) holds another editorial layer of \(id) than the server's") }
            }
        }
        return items.isEmpty ? [] : [Violation(check: "scopes", message: "a device holds other content than it may read", items: items)]
    }

    // MARK: 5. Isolation

    func isolation() async throws -> [Violation] {
        var owners: [String: Int] = [:]
        for (user, account) in runner.accountIDs.enumerated() {
            for record in try await runner.service.kernel.records(ofAccount: account) where record.kind == .highlight || record.kind == .note {
                owners["\(record.kind.rawValue)/\(record.id)"] = user
            }
        }
        var leaks: [String] = []
        for device in runner.devices {
            for record in try await device.store.allRecords() {
                let key = "\(record.kind.rawValue)/\(record.id)"
                if let owner = owners[key], owner != device.user { leaks.append("device \(device.index) (reader\(device.user + 1)) holds \(key) of reader\(owner + 1)") }
            }
        }
        return leaks.isEmpty ? [] : [Violation(check: "isolation", message: "a device holds another user's data", items: leaks)]
    }
}
