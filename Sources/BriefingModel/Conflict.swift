/// How the server answered one mutation.
public enum MutationStatus: String, Codable, Sendable {
    /// Taken as sent.
    case applied
    /// Taken, but a merge rule kept another value for part of it (a conflict record says which).
    case merged
    /// Seen before (same client, same mutation ID): acknowledged, not applied again.
    case duplicate
    /// Refused; nothing changed. The result's reason says why.
    case rejected
}

/// The declared rule a resolution followed.
public enum ConflictRule: String, Codable, Sendable, CaseIterable {
    /// Field-level last writer wins by HLC, device ID breaking ties.
    case lastWriterWins
    /// The largest value ever written.
    case maximum
    /// Concurrent note edits to different parts, merged word by word.
    case textMerge
    /// Overlapping note edits: the later text wins, the other is kept as a new note.
    case conflictCopy
    /// A delete won over edits it had not seen.
    case deleteWins
    /// A note edited concurrently with (or after) its deletion survived it, flagged.
    case editSurvivesDelete
    /// A tag added on one device stayed although another removed it concurrently.
    case addWins
}

/// One of the competing values in a resolution.
public struct ConflictValue: Codable, Hashable, Sendable {
    /// The value decoded, if it is a field value.
    public var fieldValue: FieldValue? { FieldValue(jsonText: value) }

    /// The value as shown to a reader: text unquoted, other values in their short form.
    public var display: String {
        switch fieldValue {
        case .string(let text): text
        case .some(let other): other.description
        case nil: value
        }
    }

    /// The competing value as JSON text (`FieldValue.jsonText`); `"deleted"`, `"added"` and the
    /// like for whole-record outcomes.
    public var value: String
    public var hlc: HLC
    /// The device that wrote it.
    public var deviceID: String
    /// Whether the outcome kept it.
    public var kept: Bool

    public init(value: String, hlc: HLC, deviceID: String? = nil, kept: Bool) {
        self.value = value
        self.hlc = hlc
        self.deviceID = deviceID ?? hlc.node
        self.kept = kept
    }
}

/// The record of a resolution that discarded or rewrote one of the reader's values.
public struct ConflictRecord: Codable, Hashable, Sendable, Identifiable {
    public var id: String
    /// The kind of record the conflict was on.
    public var kind: EntityKind
    public var recordID: String
    /// The field, or `record` for deletes.
    public var field: String
    public var rule: ConflictRule
    public var values: [ConflictValue]
    /// What the record holds now, in words.
    public var outcome: String
    /// The clock of the mutation that caused the resolution.
    public var at: HLC

    public init(
        id: String? = nil, kind: EntityKind, recordID: String, field: String, rule: ConflictRule,
        values: [ConflictValue], outcome: String, at: HLC
    ) {
        self.id = id ?? StableHash.uuid(of: ["conflict", kind.rawValue, recordID, field, rule.rawValue, at.description])
        self.kind = kind
        self.recordID = recordID
        self.field = field
        self.rule = rule
        self.values = values
        self.outcome = outcome
        self.at = at
    }
}

/// The server's answer to one mutation of a push.
public struct MutationResult: Codable, Hashable, Sendable {
    public var mutationID: Int64
    public var status: MutationStatus
    /// For `rejected`, a stable code.
    public var reason: String?
    public var message: String?
    /// For `rejected`, the server's state of the record after the batch (nil if it has none),
    /// so the device can undo what it showed.
    public var current: UserRecord?

    public init(
        mutationID: Int64, status: MutationStatus, reason: String? = nil, message: String? = nil, current: UserRecord? = nil
    ) {
        self.mutationID = mutationID
        self.status = status
        self.reason = reason
        self.message = message
        self.current = current
    }
}
