import BriefingModel
import Foundation

extension Wire.ChangesPage {
    /// A page of changes read straight from its JSON into model changes: the same changes as
    /// decoding `Wire.ChangesPage` with `JSONDecoder` and mapping each with `model()`, several
    /// times faster, for pages of the reader's own records (most of any sync).
    ///
    /// Returns nil for anything it does not read itself (a page with briefings, editorial
    /// annotations or conflicts in it, an unknown key, a value the mapping would refuse);
    /// the caller then decodes the page the usual way, which gives the same changes or the
    /// error. A test compares the two over generated pages.
    public static func directlyRead(_ bytes: UnsafeBufferPointer<UInt8>) -> (changes: [Change], cursor: String, hasMore: Bool)? {
        var reader = JSONBytesReader(bytes)
        var changes: [Change]?, cursor: String?, hasMore: Bool?, version: Int?
        do {
            var seen = SeenKeys(["protocolVersion", "cursor", "hasMore", "changes"])
            try reader.object { reader, key in
                try seen.first(key)
                switch key {
                case "protocolVersion": version = try reader.integer()
                case "cursor": cursor = try reader.string()
                case "hasMore": hasMore = try reader.bool()
                case "changes":
                    var list: [Change] = []
                    try reader.array { reader in list.append(try change(&reader)) }
                    changes = list
                default: throw JSONBytesReader.Unexpected()
                }
            }
            guard reader.atEnd(), let version, Int32(exactly: version) != nil, let changes, let cursor, let hasMore else { return nil }
            return (changes, cursor, hasMore)
        } catch {
            return nil
        }
    }

    private static let changeKeys = ["entity", "id", "op", "record"]

    private static func change(_ reader: inout JSONBytesReader) throws -> Change {
        var entity: EntityKind?, id: String?, op: String?
        var record: Wire.DirectRecord?
        var seen = SeenKeys(Self.changeKeys)
        try reader.object { reader, key in
            try seen.first(key)  // content and conflicts go the usual way
            switch key {
            case "entity":
                guard let kind = Wire.EntityKind(rawValue: try reader.string()) else { throw JSONBytesReader.Unexpected() }
                entity = kind.model
            case "id": id = try reader.string()
            case "op": op = try reader.string()
            case "record": record = try Wire.DirectRecord(&reader)
            default: throw JSONBytesReader.Unexpected()
            }
        }
        guard let entity, let id, let op, op == "upsert" || op == "delete" else { throw JSONBytesReader.Unexpected() }
        if op == "delete" && record == nil { return Change(kind: entity, id: id, payload: .removed) }
        guard !entity.isContent, entity != .conflict, let record else { throw JSONBytesReader.Unexpected() }
        return Change(kind: entity, id: id, payload: .record(try record.model(kind: entity, id: id)))
    }
}

extension Wire {
    /// `Wire.UserRecord` as read by `ChangesPage.directlyRead`, with the same mapping to the model.
    fileprivate struct DirectRecord {
        static let keys = ["fields", "clock", "clocks", "deleted", "deletedAt", "deleteSeen", "flagged"]

        var fields: [String: FieldValue] = [:]
        var clock: HLC?
        var clocks: [String: HLC] = [:]
        var deleted = false
        var deletedAt: HLC?, deleteSeen: HLC?
        var flagged = false

        init(_ reader: inout JSONBytesReader) throws {
            var hasFields = false, hasDeleted = false
            var seen = SeenKeys(Self.keys)
            try reader.object { reader, key in
                try seen.first(key)
                guard try !reader.null() else { throw JSONBytesReader.Unexpected() }
                switch key {
                case "fields":
                    fields = try Self.fields(&reader)
                    hasFields = true
                case "clock": clock = try reader.clock()
                case "clocks":
                    try reader.object { reader, name in
                        guard clocks.updateValue(try reader.clock(), forKey: name) == nil else { throw JSONBytesReader.Unexpected() }
                    }
                case "deleted":
                    deleted = try reader.bool()
                    hasDeleted = true
                case "deletedAt": deletedAt = try reader.clock()
                case "deleteSeen": deleteSeen = try reader.clock()
                case "flagged": flagged = try reader.bool()
                default: throw JSONBytesReader.Unexpected()
                }
            }
            guard hasFields, hasDeleted else { throw JSONBytesReader.Unexpected() }
        }

        /// `Wire.RecordFields.model()`: the fields the contract names, in their types.
        static func fields(_ reader: inout JSONBytesReader) throws -> [String: FieldValue] {
            var fields: [String: FieldValue] = [:]
            var cleared: [String] = []
            try reader.object { reader, name in
                guard fields[name] == nil, try !reader.null() else { throw JSONBytesReader.Unexpected() }
                switch name {
                case "briefingID", "color", "highlightID", "text", "conflictOf", "name": fields[name] = .string(try reader.string())
                case "bookmarked": fields[name] = .bool(try reader.bool())
                case "position", "furthest": fields[name] = .number(try reader.double())
                case "adds", "removes": fields[name] = .strings(try reader.strings())
                case "anchor":
                    let anchor = try reader.anchor()
                    guard anchor.start >= 0, anchor.end >= anchor.start, Int32(exactly: anchor.end) != nil else {
                        throw JSONBytesReader.Unexpected()
                    }
                    fields[name] = .anchor(anchor)
                case "cleared":
                    guard cleared.isEmpty else { throw JSONBytesReader.Unexpected() }
                    cleared = try reader.strings()
                    guard !cleared.isEmpty else { throw JSONBytesReader.Unexpected() }
                default: throw JSONBytesReader.Unexpected()
                }
            }
            for name in cleared {
                guard Wire.RecordFields.ClearedPayloadPayload(rawValue: name) != nil, fields[name] == nil else {
                    throw JSONBytesReader.Unexpected()
                }
                fields[name] = .null
            }
            return fields
        }

        func model(kind: BriefingModel.EntityKind, id: String) -> BriefingModel.UserRecord {
            var all: [String: HLC] = [:]
            if let clock { for field in fields.keys { all[field] = clock } }
            for (field, value) in clocks { all[field] = value }
            return BriefingModel.UserRecord(
                kind: kind, id: id, fields: fields, clocks: all, deleted: deleted, deletedAt: deletedAt, deleteSeen: deleteSeen,
                flagged: flagged)
        }
    }
}
