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
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(512) }

    /// What was written.
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The order `JSONEncoder`'s `.sortedKeys` puts keys in: by their UTF-8 bytes.
    static func keyOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    struct Object {
        fileprivate var writer: CanonicalWriter
        fileprivate var first = true

        /// A member; members must come in key order.
        mutating func key(_ name: String, _ value: (inout CanonicalWriter) -> Void) {
            if !first { writer.bytes.append(UInt8(ascii: ",")) }
            first = false
            writer.string(name)
            writer.bytes.append(UInt8(ascii: ":"))
            value(&writer)
        }
    }

    mutating func object(_ members: (inout Object) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        var object = Object(writer: self)
        bytes = []
        members(&object)
        self = object.writer
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }

    private mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func value(_ value: FieldValue) {
        switch value {
        case .string(let string): self.string(string)
        case .number(let number): self.number(number)
        case .bool(let flag): bool(flag)
        case .null: raw("null")
        case .strings(let strings):
            bytes.append(UInt8(ascii: "["))
            for (index, string) in strings.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                self.string(string)
            }
            bytes.append(UInt8(ascii: "]"))
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

    mutating func integer(_ value: Int) { raw(String(value)) }

    /// A number as the encoder writes it (its own formatting, so the two never differ).
    mutating func number(_ value: Double) {
        raw((try? CanonicalJSON.text(value)) ?? "null")
    }

    /// A string with the encoder's escapes: quote, backslash and the control characters;
    /// everything else, slashes and non-ASCII included, as it is.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        let utf8 = value.utf8
        if !utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) {
            bytes.append(contentsOf: utf8)
        } else {
            for byte in utf8 {
                switch byte {
                case 0x22: raw("\\\"")
                case 0x5C: raw("\\\\")
                case 0x08: raw("\\b")
                case 0x0C: raw("\\f")
                case 0x0A: raw("\\n")
                case 0x0D: raw("\\r")
                case 0x09: raw("\\t")
                case ..<0x20:
                    let hex = String(byte, radix: 16)
                    raw("\\u00" + (hex.count == 1 ? "0" + hex : hex))
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
