/// The outcome of applying one mutation to one record.
public struct MergeResult: Sendable {
    /// The record's new state.
    public var record: UserRecord
    /// `applied` when taken as sent, `merged` when a rule kept other values.
    public var status: MutationStatus
    /// The resolutions that discarded or rewrote a value.
    public var conflicts: [ConflictRecord]
    /// New records the merge made (conflict copies of notes).
    public var copies: [UserRecord]
}

/// The conflict-resolution rules, shared by the server and every device so replicas converge.
///
/// `apply` is a pure function of the mutation and the current record. The server runs it on
/// every push; a device runs it to show its pending edits on top of the server's state.
public enum MergeRules {
    /// The ID of the conflict copy made when a note's text written at `losingClock` lost to
    /// an overlapping edit: derived from what it copies, so every device and the server name
    /// the same copy, and it is made once.
    public static func conflictCopyID(of noteID: String, losingClock: HLC) -> String {
        StableHash.uuid(of: ["conflict-copy", noteID, losingClock.description])
    }

    /// Applies `mutation` to `current` (nil when the record does not exist yet).
    public static func apply(_ mutation: Mutation, to current: UserRecord?) throws(MutationRejection) -> MergeResult {
        try EntitySchema.validate(mutation)
        var merge = Merge(mutation: mutation, record: current ?? UserRecord(kind: mutation.kind, id: mutation.id))
        if let current, current.kind != mutation.kind {
            throw MutationRejection(.foreignID, "record \(mutation.id) is a \(current.kind.rawValue), not a \(mutation.kind.rawValue)")
        }
        switch mutation.op {
        case .delete: merge.delete()
        case .upsert:
            if merge.record.fields.isEmpty { try EntitySchema.validateCreation(mutation) }
            try merge.upsert()
        }
        return MergeResult(
            record: merge.record, status: merge.lost ? .merged : .applied, conflicts: merge.conflicts,
            copies: merge.copies)
    }
}

/// The working state of one application of the rules.
private struct Merge {
    let mutation: Mutation
    var record: UserRecord
    var conflicts: [ConflictRecord] = []
    var copies: [UserRecord] = []
    /// Whether any part of the mutation was not taken as sent.
    var lost = false

    init(mutation: Mutation, record: UserRecord) {
        self.mutation = mutation
        self.record = record
    }

    private var hlc: HLC { mutation.hlc }

    /// Whether the device had not seen a write made at `clock`.
    private func unseen(_ clock: HLC) -> Bool {
        guard let seen = mutation.seen else { return true }
        return clock > seen
    }

    private mutating func conflict(_ field: String, _ rule: ConflictRule, _ values: [ConflictValue], _ outcome: String) {
        conflicts.append(
            ConflictRecord(kind: record.kind, recordID: record.id, field: field, rule: rule, values: values, outcome: outcome, at: hlc))
    }

    private var summary: String {
        if let text = record.fields["text"]?.string { return "“\(text)”" }
        if let color = record.fields["color"]?.string { return "\(record.kind.rawValue) (\(color))" }
        return record.kind.rawValue
    }

    // MARK: Deletes

    mutating func delete() {
        if record.deleted {
            // Deleting twice: keep the newest delete.
            if let at = record.deletedAt, hlc > at {
                record.deletedAt = hlc
                record.deleteSeen = max(record.deleteSeen ?? hlc, mutation.seen ?? hlc)
            }
            return
        }
        if record.fields.isEmpty {
            tombstone()
            return
        }
        let newest = record.newestClock
        if record.kind == .note {
            // A note edited after, or concurrently with, its deletion survives, flagged.
            let unseenEdits = record.clocks.values.filter { unseen($0) }
            if let edit = unseenEdits.max() {
                record.flagged = true
                lost = true
                conflict(
                    "record", .editSurvivesDelete,
                    [ConflictValue(value: FieldValue.string("deleted").jsonText, hlc: hlc, kept: false), ConflictValue(value: FieldValue.string(summary).jsonText, hlc: edit, kept: true)],
                    "the note was kept, flagged, because it was edited on another device the deleting device had not seen")
                return
            }
            tombstone()
            return
        }
        if let newest, newest > hlc {
            lost = true
            conflict(
                "record", .lastWriterWins,
                [ConflictValue(value: FieldValue.string("deleted").jsonText, hlc: hlc, kept: false), ConflictValue(value: FieldValue.string(summary).jsonText, hlc: newest, kept: true)],
                "the \(record.kind.rawValue) was kept: it was edited after the delete")
            return
        }
        let discarded = record.clocks.filter { unseen($0.value) }
        if let edit = discarded.values.max() {
            conflict(
                "record", .deleteWins,
                [ConflictValue(value: FieldValue.string("deleted").jsonText, hlc: hlc, kept: true), ConflictValue(value: FieldValue.string(summary).jsonText, hlc: edit, kept: false)],
                "the \(record.kind.rawValue) was deleted; the delete is newer than the other device's edit")
        }
        tombstone()
    }

    private mutating func tombstone() {
        record.deleted = true
        record.deletedAt = hlc
        record.deleteSeen = mutation.seen ?? hlc
        record.flagged = false
    }

    // MARK: Upserts

    mutating func upsert() throws(MutationRejection) {
        if record.deleted {
            let revives: Bool
            if record.kind == .note {
                // The deleting device had not seen this edit: the note survives.
                revives = record.deleteSeen.map { hlc > $0 } ?? true
            } else {
                revives = record.deletedAt.map { hlc > $0 } ?? true
            }
            let deletedAt = record.deletedAt ?? hlc
            if !revives {
                lost = true
                let values = mutation.fields.keys.sorted().map { "\($0)=\(mutation.fields[$0]!)" }.joined(separator: ", ")
                conflict(
                    "record", .deleteWins,
                    [ConflictValue(value: FieldValue.string("deleted").jsonText, hlc: deletedAt, kept: true), ConflictValue(value: FieldValue.string(values).jsonText, hlc: hlc, kept: false)],
                    "the edit was dropped: the \(record.kind.rawValue) was deleted after it")
                return
            }
            if !record.fields.isEmpty {
                lost = true
                record.flagged = record.kind == .note
                conflict(
                    "record", record.kind == .note ? .editSurvivesDelete : .lastWriterWins,
                    [ConflictValue(value: FieldValue.string("deleted").jsonText, hlc: deletedAt, kept: false), ConflictValue(value: FieldValue.string("edited").jsonText, hlc: hlc, kept: true)],
                    record.kind == .note
                        ? "the note was restored, flagged: it was edited on a device that had not seen the delete"
                        : "the \(record.kind.rawValue) was restored: the edit is newer than the delete")
            }
            record.deleted = false
            record.deletedAt = nil
            record.deleteSeen = nil
        }
        let specs = Dictionary(uniqueKeysWithValues: EntitySchema.fields(of: record.kind).map { ($0.name, $0) })
        for name in mutation.fields.keys.sorted() {
            guard let spec = specs[name], let value = mutation.fields[name] else { continue }
            switch spec.policy {
            case .immutable: try setOnce(name, value)
            case .lastWriterWins: lastWriterWins(name, value)
            case .maximum: maximum(name, value)
            case .union: union(name, value)
            case .text: text(name, value)
            }
        }
        if record.kind == .tag, let removes = mutation.fields["removes"]?.strings, !removes.isEmpty {
            let adds = Set(record.fields["adds"]?.strings ?? [])
            let surviving = adds.subtracting(record.fields["removes"]?.strings ?? [])
            if !surviving.isEmpty {
                lost = true
                conflict(
                    "adds", .addWins,
                    [ConflictValue(value: FieldValue.string("removed").jsonText, hlc: hlc, kept: false),
                     ConflictValue(value: FieldValue.string("added").jsonText, hlc: record.clocks["adds"] ?? hlc, kept: true)],
                    "the tag “\(record.fields["name"]?.string ?? "")” stays: another device added it concurrently")
            }
        }
    }

    private mutating func setOnce(_ name: String, _ value: FieldValue) throws(MutationRejection) {
        if let old = record.fields[name] {
            guard old == value else {
                throw MutationRejection(.immutableField, "field `\(name)` of a \(record.kind.rawValue) cannot change")
            }
            // The earliest write names the field, whichever order the writes arrive in.
            record.clocks[name] = min(record.clocks[name] ?? hlc, hlc)
            return
        }
        record.fields[name] = value
        record.clocks[name] = hlc
    }

    private mutating func lastWriterWins(_ name: String, _ value: FieldValue) {
        let old = record.fields[name]
        guard let oldClock = record.clocks[name], let old else {
            record.fields[name] = value
            record.clocks[name] = hlc
            return
        }
        if hlc > oldClock {
            if old != value && unseen(oldClock) {
                conflict(
                    name, .lastWriterWins,
                    [ConflictValue(value: old.jsonText, hlc: oldClock, kept: false), ConflictValue(value: value.jsonText, hlc: hlc, kept: true)],
                    "\(name) is \(value): the later write wins")
            }
            record.fields[name] = value
            record.clocks[name] = hlc
        } else if hlc < oldClock && old != value {
            lost = true
            conflict(
                name, .lastWriterWins,
                [ConflictValue(value: old.jsonText, hlc: oldClock, kept: true), ConflictValue(value: value.jsonText, hlc: hlc, kept: false)],
                "\(name) stays \(old): the other write is later")
        }
    }

    private mutating func maximum(_ name: String, _ value: FieldValue) {
        let old = record.fields[name]?.number ?? 0
        let new = value.number ?? 0
        record.fields[name] = .number(max(old, new))
        record.clocks[name] = max(record.clocks[name] ?? hlc, hlc)
    }

    private mutating func union(_ name: String, _ value: FieldValue) {
        let merged = Set(record.fields[name]?.strings ?? []).union(value.strings ?? [])
        record.fields[name] = .strings(merged.sorted())
        record.clocks[name] = max(record.clocks[name] ?? hlc, hlc)
    }

    private mutating func text(_ name: String, _ value: FieldValue) {
        guard let new = value.string else { return }
        guard let current = record.fields[name]?.string, let currentClock = record.clocks[name] else {
            record.fields[name] = value
            record.clocks[name] = hlc
            return
        }
        let clock = max(currentClock, hlc)
        if current == new {
            record.clocks[name] = clock
            return
        }
        if let base = mutation.baseText, base == current {
            // The device edited the text the server has: a plain edit.
            record.fields[name] = value
            record.clocks[name] = clock
            return
        }
        if let base = mutation.baseText, let merged = TextMerge.merge(base: base, ours: current, theirs: new) {
            lost = true
            record.fields[name] = .string(merged)
            record.clocks[name] = clock
            conflict(
                name, .textMerge,
                [ConflictValue(value: FieldValue.string(current).jsonText, hlc: currentClock, kept: true), ConflictValue(value: FieldValue.string(new).jsonText, hlc: hlc, kept: true)],
                "both edits were merged: “\(merged)”")
            return
        }
        // The edits overlap: the later text wins and the other is kept as a conflict copy.
        lost = true
        let newWins = hlc > currentClock
        let (winner, loser, loserClock) = newWins ? (new, current, currentClock) : (current, new, hlc)
        record.fields[name] = .string(winner)
        record.clocks[name] = clock
        let copyID = MergeRules.conflictCopyID(of: record.id, losingClock: loserClock)
        var fields: [String: FieldValue] = ["text": .string(loser), "conflictOf": .string(record.id)]
        fields["briefingID"] = record.fields["briefingID"]
        fields["highlightID"] = record.fields["highlightID"]
        copies.append(
            UserRecord(
                kind: .note, id: copyID, fields: fields,
                clocks: Dictionary(uniqueKeysWithValues: fields.keys.map { ($0, loserClock) })))
        conflict(
            name, .conflictCopy,
            [ConflictValue(value: FieldValue.string(current).jsonText, hlc: currentClock, kept: !newWins), ConflictValue(value: FieldValue.string(new).jsonText, hlc: hlc, kept: newWins)],
            "the later text was kept; the other is in note \(copyID)")
    }
}
