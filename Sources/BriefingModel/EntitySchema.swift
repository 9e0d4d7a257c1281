/// How concurrent writes to one field are resolved. The same table drives server and devices.
public enum MergePolicy: String, Sendable, CaseIterable {
    /// Set when the record is made; never changes.
    case immutable
    /// Last writer wins by HLC; the device ID breaks ties.
    case lastWriterWins
    /// The largest value ever written.
    case maximum
    /// Three-way merge from the edit's base; overlapping edits keep both texts.
    case text
    /// Grow-only set (the add and remove sets of an add-wins tag).
    case union
}

/// The type a field's value must have.
public enum FieldType: String, Sendable {
    case string, optionalString, number, bool, strings, anchor
}

/// One field of an entity: its type, merge policy and whether a new record needs it.
public struct FieldSpec: Sendable {
    public var name: String
    public var type: FieldType
    public var policy: MergePolicy
    public var requiredOnCreate: Bool
}

/// The fields of each kind of the reader's records, and how each merges.
public enum EntitySchema {
    /// The fields of `kind`, empty for content and conflicts (which devices never push).
    public static func fields(of kind: EntityKind) -> [FieldSpec] {
        switch kind {
        case .highlight:
            [
                FieldSpec(name: "briefingID", type: .string, policy: .immutable, requiredOnCreate: true),
                FieldSpec(name: "anchor", type: .anchor, policy: .lastWriterWins, requiredOnCreate: true),
                FieldSpec(name: "color", type: .string, policy: .lastWriterWins, requiredOnCreate: true),
            ]
        case .note:
            [
                FieldSpec(name: "briefingID", type: .string, policy: .immutable, requiredOnCreate: true),
                FieldSpec(name: "highlightID", type: .optionalString, policy: .lastWriterWins, requiredOnCreate: false),
                FieldSpec(name: "text", type: .string, policy: .text, requiredOnCreate: true),
                FieldSpec(name: "conflictOf", type: .string, policy: .immutable, requiredOnCreate: false),
            ]
        case .bookmark:
            [
                FieldSpec(name: "briefingID", type: .string, policy: .immutable, requiredOnCreate: true),
                FieldSpec(name: "bookmarked", type: .bool, policy: .lastWriterWins, requiredOnCreate: true),
            ]
        case .readingProgress:
            [
                FieldSpec(name: "briefingID", type: .string, policy: .immutable, requiredOnCreate: true),
                FieldSpec(name: "position", type: .number, policy: .lastWriterWins, requiredOnCreate: false),
                FieldSpec(name: "furthest", type: .number, policy: .maximum, requiredOnCreate: false),
            ]
        case .tag:
            [
                FieldSpec(name: "briefingID", type: .string, policy: .immutable, requiredOnCreate: true),
                FieldSpec(name: "name", type: .string, policy: .immutable, requiredOnCreate: true),
                FieldSpec(name: "adds", type: .strings, policy: .union, requiredOnCreate: false),
                FieldSpec(name: "removes", type: .strings, policy: .union, requiredOnCreate: false),
            ]
        case .briefing, .editorialAnnotation, .conflict:
            []
        }
    }

    /// The record ID that bookmarks and reading progress must use: one per briefing.
    public static func singletonID(briefingID: String) -> String { briefingID }

    /// The record ID of a tag on a briefing: one record per (briefing, tag).
    public static func tagID(briefingID: String, name: String) -> String { briefingID + "#" + name.lowercased() }

    /// The most characters (Unicode scalars) of each string field, and of a record ID: the
    /// limits of the wire contract (`Schemas/openapi.yaml`), which the server enforces on
    /// every request. A device checks them when an edit is made, so an edit the server would
    /// refuse never reaches the outbox.
    public enum Limits {
        public static let id = 200
        public static let fields: [String: Int] = [
            "briefingID": 100, "color": 32, "highlightID": 100, "text": 100_000, "conflictOf": 100, "name": 64,
        ]
        /// Tag names in `adds` and `removes`: how many, and how long each.
        public static let tagNames = 1000
        public static let tagName = 200
        /// An anchor's quote and the context either side of it.
        public static let exact = 10_000
        public static let context = 2000
        /// Revision and paragraph IDs in an anchor.
        public static let anchorID = 100
    }

    /// The length of `text` in Unicode scalars (as JSON Schema counts), and its first control
    /// character (U+0000–U+001F), not counting tab, line feed and carriage return in
    /// `multiline` text. One pass; the device's checks and the server's contract both use it.
    public static func measure(_ text: String, multiline: Bool) -> (count: Int, control: Unicode.Scalar?) {
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            if scalar.value < 0x20, !(multiline && (scalar == "\t" || scalar == "\n" || scalar == "\r")) {
                return (count, scalar)
            }
        }
        return (count, nil)
    }

    /// Whether `text` has at most `limit` characters and no control characters (in `multiline`
    /// text, tabs and line breaks are allowed); a reason otherwise.
    public static func problem(with text: String, limit: Int, multiline: Bool = false) -> String? {
        let (count, control) = measure(text, multiline: multiline)
        if control != nil {
            return multiline ? "contains a control character (only tabs and line breaks are allowed)" : "contains a control character"
        }
        return count > limit ? "is \(count) characters long; the limit is \(limit)" : nil
    }

    /// Checks a mutation's shape against the schema (not against the stored record).
    public static func validate(_ mutation: Mutation) throws(MutationRejection) {
        if let problem = problem(with: mutation.id, limit: Limits.id) {
            throw MutationRejection(.invalidFields, "the record ID \(problem)")
        }
        for (name, value) in mutation.fields {
            switch value {
            case .string(let text):
                if let limit = Limits.fields[name], let problem = problem(with: text, limit: limit, multiline: name == "text") {
                    throw MutationRejection(.invalidFields, "field `\(name)` \(problem)")
                }
            case .strings(let names):
                guard names.count <= Limits.tagNames else {
                    throw MutationRejection(.invalidFields, "field `\(name)` has \(names.count) names; the limit is \(Limits.tagNames)")
                }
                if let problem = names.lazy.compactMap({ problem(with: $0, limit: Limits.tagName) }).first {
                    throw MutationRejection(.invalidFields, "a name in `\(name)` \(problem)")
                }
            case .anchor(let anchor):
                for (part, text, limit, multiline) in [
                    ("revisionID", anchor.revisionID, Limits.anchorID, false), ("paragraphID", anchor.paragraphID, Limits.anchorID, false),
                    ("exact", anchor.exact, Limits.exact, true), ("prefix", anchor.prefix, Limits.context, true),
                    ("suffix", anchor.suffix, Limits.context, true),
                ] {
                    if let problem = problem(with: text, limit: limit, multiline: multiline) {
                        throw MutationRejection(.invalidFields, "the anchor's `\(part)` \(problem)")
                    }
                }
            default:
                break
            }
        }
        guard mutation.kind.isUserData else {
            if mutation.kind.isContent {
                throw MutationRejection(.contentIsReadOnly, "\(mutation.kind.rawValue) is server-authored content; devices cannot change it")
            }
            throw MutationRejection(.contentIsReadOnly, "conflict records are written by the server")
        }
        guard HLC.isValidNode(mutation.hlc.node) else {
            throw MutationRejection(.invalidFields, "the mutation's clock has an invalid node")
        }
        if mutation.op == .delete {
            guard mutation.kind != .tag else {
                throw MutationRejection(.invalidFields, "a tag is removed by an upsert of `removes`, not a delete")
            }
            return
        }
        let specs = Dictionary(uniqueKeysWithValues: fields(of: mutation.kind).map { ($0.name, $0) })
        for (name, value) in mutation.fields {
            guard let spec = specs[name] else {
                throw MutationRejection(.invalidFields, "\(mutation.kind.rawValue) has no field `\(name)`")
            }
            guard matches(value, spec.type) else {
                throw MutationRejection(.invalidFields, "field `\(name)` of \(mutation.kind.rawValue) must be \(spec.type.rawValue)")
            }
            if case .number(let number) = value, !(0...1).contains(number) {
                throw MutationRejection(.invalidFields, "field `\(name)` must be between 0 and 1")
            }
            if case .string(let text) = value, name != "text", text.isEmpty {
                throw MutationRejection(.invalidFields, "field `\(name)` must not be empty")
            }
        }
        if mutation.fields.isEmpty {
            throw MutationRejection(.invalidFields, "an upsert must set at least one field")
        }
        if let briefingID = mutation.fields["briefingID"]?.string {
            switch mutation.kind {
            case .bookmark, .readingProgress:
                guard mutation.id == singletonID(briefingID: briefingID) else {
                    throw MutationRejection(.invalidFields, "a \(mutation.kind.rawValue)'s ID must be its briefing's ID")
                }
            case .tag:
                guard let name = mutation.fields["name"]?.string, mutation.id == tagID(briefingID: briefingID, name: name)
                else {
                    throw MutationRejection(.invalidFields, "a tag's ID must be `briefingID#name`")
                }
            default: break
            }
        }
    }

    /// Checks that an upsert which creates a record sets every required field.
    public static func validateCreation(_ mutation: Mutation) throws(MutationRejection) {
        for spec in fields(of: mutation.kind) where spec.requiredOnCreate && mutation.fields[spec.name] == nil {
            throw MutationRejection(.invalidFields, "a new \(mutation.kind.rawValue) needs field `\(spec.name)`")
        }
    }

    private static func matches(_ value: FieldValue, _ type: FieldType) -> Bool {
        switch (value, type) {
        case (.string, .string), (.string, .optionalString), (.null, .optionalString), (.number, .number),
            (.bool, .bool), (.strings, .strings), (.anchor, .anchor):
            true
        default:
            false
        }
    }
}

/// Why the server (or a device, rebasing) refuses a mutation.
public struct MutationRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable code, sent as the result's `reason`.
    public enum Code: String, Sendable, Codable {
        case contentIsReadOnly = "content_is_read_only"
        case invalidFields = "invalid_fields"
        case immutableField = "immutable_field"
        case foreignID = "foreign_id"
        case clockSkew = "clock_skew"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
