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
/// encoder's order, slashes unescaped, the encoder's string escapes and number forms. The
/// server's pages are written with it too (`Wire.ChangesPage.directlyWritten`), since the
/// API encodes with the same options.
package struct CanonicalWriter {
    /// What was written, as UTF-8.
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    /// What was written.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The order `JSONEncoder`'s `.sortedKeys` puts keys in: by their UTF-8 bytes.
    package static func keyOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    package struct Object {
        fileprivate var writer: CanonicalWriter
        fileprivate var first = true

        /// A member; members must come in key order.
        package mutating func key(_ name: String, _ value: (inout CanonicalWriter) -> Void) {
            if !first { writer.bytes.append(UInt8(ascii: ",")) }
            first = false
            writer.string(name)
            writer.bytes.append(UInt8(ascii: ":"))
            value(&writer)
        }
    }

    package mutating func object(_ members: (inout Object) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        var object = Object(writer: self)
        bytes = []
        members(&object)
        self = object.writer
        bytes.append(UInt8(ascii: "}"))
    }

    package mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }

    private mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// JSON written elsewhere (by the encoder, with the same options), as one value.
    package mutating func json(_ encoded: some Sequence<UInt8>) { bytes.append(contentsOf: encoded) }

    /// An array of `elements`, each written by `element`.
    package mutating func array<S: Sequence>(_ elements: S, _ element: (inout CanonicalWriter, S.Element) throws -> Void) rethrows {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for item in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            try element(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    package mutating func value(_ value: FieldValue) {
        switch value {
        case .string(let string): self.string(string)
        case .number(let number): self.number(number)
        case .bool(let flag): bool(flag)
        case .null: raw("null")
        case .strings(let strings): self.strings(strings)
        case .anchor(let anchor):
            self.anchor(
                end: anchor.end, exact: anchor.exact, paragraphID: anchor.paragraphID, prefix: anchor.prefix,
                revisionID: anchor.revisionID, start: anchor.start, status: anchor.status?.rawValue, suffix: anchor.suffix)
        }
    }

    package mutating func strings(_ strings: [String]) { array(strings) { $0.string($1) } }

    /// A text anchor's members, the model's and the wire's alike.
    package mutating func anchor(
        end: Int, exact: String, paragraphID: String, prefix: String, revisionID: String, start: Int, status: String?,
        suffix: String
    ) {
        object { object in
            object.key("end") { $0.integer(end) }
            object.key("exact") { $0.string(exact) }
            object.key("paragraphID") { $0.string(paragraphID) }
            object.key("prefix") { $0.string(prefix) }
            object.key("revisionID") { $0.string(revisionID) }
            object.key("start") { $0.integer(start) }
            if let status { object.key("status") { $0.string(status) } }
            object.key("suffix") { $0.string(suffix) }
        }
    }

    package mutating func integer(_ value: Int) { raw(String(value)) }

    /// A number as the encoder writes it (its own formatting, so the two never differ).
    package mutating func number(_ value: Double) {
        raw((try? CanonicalJSON.text(value)) ?? "null")
    }

    /// A string with the encoder's escapes: quote, backslash and the control characters;
    /// everything else, slashes and non-ASCII included, as it is.
    package mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Native strings hold their UTF-8 contiguously: scan and copy it as a buffer.
        let copied = value.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !utf8.contains(where: Self.needsEscape) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied != true { escaped(value.utf8) }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool { byte == 0x22 || byte == 0x5C || byte < 0x20 }

    private mutating func escaped(_ utf8: String.UTF8View) {
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
}
