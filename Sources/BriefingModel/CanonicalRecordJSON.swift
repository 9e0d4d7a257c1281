import Foundation

/// The canonical JSON of a reader's record, written directly: the same text, byte for byte,
/// as `CanonicalJSON.text` gives through `JSONEncoder` (a test compares the two over many
/// generated records), several times faster. Every pulled record is stored on the device in
/// this form, and every merged one on the server, so this is on the sync's hottest path.
extension UserRecord {
    /// The record as canonical JSON.
    public var canonicalJSON: String {
        var out = CanonicalWriter()
        out.object { object in
            object.key("clocks") { out in
                out.object { clocks in
                    for name in self.clocks.keys.sorted(by: CanonicalWriter.keyOrder) {
                        clocks.key(name) { $0.string(self.clocks[name]!.description) }
                    }
                }
            }
            if let deleteSeen { object.key("deleteSeen") { $0.string(deleteSeen.description) } }
            object.key("deleted") { $0.bool(deleted) }
            if let deletedAt { object.key("deletedAt") { $0.string(deletedAt.description) } }
            object.key("fields") { out in
                out.object { fields in
                    for name in self.fields.keys.sorted(by: CanonicalWriter.keyOrder) {
                        fields.key(name) { $0.value(self.fields[name]!) }
                    }
                }
            }
            object.key("flagged") { $0.bool(flagged) }
            object.key("id") { $0.string(id) }
            object.key("kind") { $0.string(kind.rawValue) }
        }
        return out.text
    }
}

/// A JSON writer for the few shapes records hold, in `CanonicalJSON`'s form: keys in the
/// encoder's order, slashes unescaped, the encoder's string escapes and number forms.
struct CanonicalWriter {
    private(set) var text = ""

    init() { text.reserveCapacity(512) }

    /// The order `JSONEncoder`'s `.sortedKeys` puts keys in: by their UTF-8 bytes.
    static func keyOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    struct Object {
        fileprivate var writer: CanonicalWriter
        fileprivate var first = true

        /// A member; members must come in key order.
        mutating func key(_ name: String, _ value: (inout CanonicalWriter) -> Void) {
            if !first { writer.text.append(",") }
            first = false
            writer.string(name)
            writer.text.append(":")
            value(&writer)
        }
    }

    mutating func object(_ members: (inout Object) -> Void) {
        text.append("{")
        var object = Object(writer: self)
        text = ""
        members(&object)
        self = object.writer
        text.append("}")
    }

    mutating func bool(_ value: Bool) { text.append(value ? "true" : "false") }

    mutating func value(_ value: FieldValue) {
        switch value {
        case .string(let string): self.string(string)
        case .number(let number): self.number(number)
        case .bool(let flag): bool(flag)
        case .null: text.append("null")
        case .strings(let strings):
            text.append("[")
            for (index, string) in strings.enumerated() {
                if index > 0 { text.append(",") }
                self.string(string)
            }
            text.append("]")
        case .anchor(let anchor):
            object { object in
                object.key("end") { $0.integer(anchor.end) }
                object.key("exact") { $0.string(anchor.exact) }
                object.key("paragraphID") { $0.string(anchor.paragraphID) }
                object.key("prefix") { $0.string(anchor.prefix) }
                object.key("revisionID") { $0.string(anchor.revisionID) }
                object.key("start") { $0.integer(anchor.start) }
                if let status = anchor.status { object.key("status") { $0.string(status.rawValue) } }
                object.key("suffix") { $0.string(anchor.suffix) }
            }
        }
    }

    mutating func integer(_ value: Int) { text.append(String(value)) }

    /// A number as the encoder writes it (its own formatting, so the two never differ).
    mutating func number(_ value: Double) {
        text.append((try? CanonicalJSON.text(value)) ?? "null")
    }

    /// A string with the encoder's escapes: quote, backslash and the control characters;
    /// everything else, slashes and non-ASCII included, as it is.
    mutating func string(_ value: String) {
        text.append("\"")
        var start = value.utf8.startIndex
        let utf8 = value.utf8
        var index = start
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 {
                text.append(contentsOf: value[start..<index])
                switch byte {
                case 0x22: text.append("\\\"")
                case 0x5C: text.append("\\\\")
                case 0x08: text.append("\\b")
                case 0x0C: text.append("\\f")
                case 0x0A: text.append("\\n")
                case 0x0D: text.append("\\r")
                case 0x09: text.append("\\t")
                default:
                    let hex = String(byte, radix: 16)
                    text.append("\\u00" + (hex.count == 1 ? "0" + hex : hex))
                }
                index = utf8.index(after: index)
                start = index
            } else {
                index = utf8.index(after: index)
            }
        }
        text.append(contentsOf: value[start..<index])
        text.append("\"")
    }
}
