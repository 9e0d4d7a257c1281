import Foundation

/// The kinds of record that sync.
public enum EntityKind: String, Codable, CaseIterable, Sendable {
    case briefing, editorialAnnotation, highlight, note, bookmark, readingProgress, tag, conflict

    /// Server-authored content that devices may read but never push.
    public var isContent: Bool { self == .briefing || self == .editorialAnnotation }

    /// The reader's own data, which devices push.
    public var isUserData: Bool { !isContent && self != .conflict }
}

/// What a mutation does to its record.
public enum Operation: String, Codable, Sendable {
    case upsert, delete
}

/// A field value of the reader's records.
public enum FieldValue: Hashable, Sendable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case strings([String])
    case anchor(TextAnchor)
    case null

    /// The string, if this is one.
    public var string: String? { if case .string(let v) = self { v } else { nil } }
    /// The number, if this is one.
    public var number: Double? { if case .number(let v) = self { v } else { nil } }
    /// The Boolean, if this is one.
    public var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
    /// The list of strings, if this is one.
    public var strings: [String]? { if case .strings(let v) = self { v } else { nil } }
    /// The anchor, if this is one.
    public var anchor: TextAnchor? { if case .anchor(let v) = self { v } else { nil } }
}

extension FieldValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String].self) {
            self = .strings(value)
        } else {
            self = .anchor(try container.decode(TextAnchor.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let v): try container.encode(v)
        case .number(let v): try container.encode(v)
        case .bool(let v): try container.encode(v)
        case .strings(let v): try container.encode(v)
        case .anchor(let v): try container.encode(v)
        case .null: try container.encodeNil()
        }
    }
}

extension FieldValue {
    /// The value as compact JSON text (how conflict records carry competing values).
    public var jsonText: String { (try? CanonicalJSON.text(self)) ?? "null" }

    /// Parses JSON text made by `jsonText`.
    public init?(jsonText: String) {
        guard let value = try? CanonicalJSON.decode(FieldValue.self, jsonText) else { return nil }
        self = value
    }
}

extension FieldValue: CustomStringConvertible {
    /// A short human-readable rendering (used in conflict records).
    public var description: String {
        switch self {
        case .string(let v): "\"\(v)\""
        case .number(let v): v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        case .bool(let v): String(v)
        case .strings(let v): "[" + v.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        case .anchor(let v): "“\(v.exact)” in \(v.paragraphID)"
        case .null: "(none)"
        }
    }
}

/// The merged state of one of the reader's records, as kept by the server and mirrored on devices.
public struct UserRecord: Codable, Hashable, Sendable {
    public var kind: EntityKind
    public var id: String
    public var fields: [String: FieldValue]
    /// The clock of the last write that each field took.
    public var clocks: [String: HLC]
    public var deleted: Bool
    /// The clock of the delete, while `deleted`.
    public var deletedAt: HLC?
    /// For a deleted record, the newest clock the deleting device had seen.
    public var deleteSeen: HLC?
    /// A note that an edit saved from deletion.
    public var flagged: Bool

    public init(
        kind: EntityKind, id: String, fields: [String: FieldValue] = [:], clocks: [String: HLC] = [:],
        deleted: Bool = false, deletedAt: HLC? = nil, deleteSeen: HLC? = nil, flagged: Bool = false
    ) {
        self.kind = kind
        self.id = id
        self.fields = fields
        self.clocks = clocks
        self.deleted = deleted
        self.deletedAt = deletedAt
        self.deleteSeen = deleteSeen
        self.flagged = flagged
    }

    /// The newest clock anywhere in the record.
    public var newestClock: HLC? {
        ([deletedAt].compactMap { $0 } + Array(clocks.values)).max()
    }

    /// The briefing this record belongs to.
    public var briefingID: String? { fields["briefingID"]?.string }
}

/// One change a device asks to make to one of the reader's records.
public struct Mutation: Codable, Hashable, Sendable {
    /// Monotonic per device; a repeat is acknowledged, never re-applied.
    public var mutationID: Int64
    public var kind: EntityKind
    public var id: String
    public var op: Operation
    /// When the device made the change.
    public var hlc: HLC
    /// The fields it sets (for an upsert).
    public var fields: [String: FieldValue]
    /// For a note's text: the text the edit started from.
    public var baseText: String?
    /// The newest clock of the record the device had seen when it made the change.
    public var seen: HLC?

    public init(
        mutationID: Int64, kind: EntityKind, id: String, op: Operation, hlc: HLC, fields: [String: FieldValue] = [:],
        baseText: String? = nil, seen: HLC? = nil
    ) {
        self.mutationID = mutationID
        self.kind = kind
        self.id = id
        self.op = op
        self.hlc = hlc
        self.fields = fields
        self.baseText = baseText
        self.seen = seen
    }
}
