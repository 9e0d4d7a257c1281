import Foundation

extension UserRecord {
    /// A record read from its JSON: the same value `JSONDecoder` gives, several times faster.
    ///
    /// Every stored record is read back on the sync's hot paths (the server reads each row
    /// of a pulled page, and the prior state of each pushed one). This reader takes the JSON
    /// the stores write (any key order and spacing); for anything it does not expect it
    /// returns nil, and `CanonicalJSON.decode` then uses `JSONDecoder`, which gives the same
    /// value or the error. A test compares the two over many generated records.
    public static func directlyDecoded(_ text: String) -> UserRecord? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = JSONBytesReader(bytes)
            guard let record = try? reader.userRecord(), reader.atEnd() else { return nil }
            return record
        }
    }
}

/// A pull reader over JSON bytes for the few shapes records hold. It throws on anything it
/// does not expect; callers fall back to `JSONDecoder`, so it never has to explain why.
public struct JSONBytesReader {
    public struct Unexpected: Error {
        public init() {}
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    public init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    public mutating func peek() throws -> UInt8 {
        skipSpace()
        guard index < bytes.count else { throw Unexpected() }
        return bytes[index]
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try peek() == byte else { throw Unexpected() }
        index += 1
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Unexpected() }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw Unexpected() }
        index += count
    }

    /// Whether only spacing is left.
    public mutating func atEnd() -> Bool {
        skipSpace()
        return index == bytes.count
    }

    // MARK: Values

    public mutating func string() throws -> String {
        try expect(0x22)
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x22 {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == 0x5C { return try escapedString(from: start) }
            if byte < 0x20 { throw Unexpected() }
            index += 1
        }
        throw Unexpected()
    }

    /// The rest of a string with escapes in it, from its first byte at `start`.
    private mutating func escapedString(from start: Int) throws -> String {
        var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case 0x22:
                // Invalid UTF-8 cannot arise: the input is a Swift string and escapes are scalars.
                return String(decoding: out, as: UTF8.self)
            case 0x5C:
                guard index < bytes.count else { throw Unexpected() }
                let escape = bytes[index]
                index += 1
                switch escape {
                case 0x22, 0x5C, 0x2F: out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by its low half.
                        guard index + 1 < bytes.count, bytes[index] == 0x5C, bytes[index + 1] == UInt8(ascii: "u") else {
                            throw Unexpected()
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw Unexpected() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw Unexpected() }
                    out.append(contentsOf: UTF8.encode(unicode)!)
                default: throw Unexpected()
                }
            default:
                if byte < 0x20 { throw Unexpected() }
                out.append(byte)
            }
        }
        throw Unexpected()
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw Unexpected() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Unexpected()
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    public mutating func bool() throws -> Bool {
        switch try peek() {
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        default: throw Unexpected()
        }
    }

    /// The text of a number in JSON's grammar, and whether it had a fraction or exponent.
    private mutating func numberText() throws -> (String, integral: Bool) {
        _ = try peek()
        let start = index
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
        let intDigits = index - digitsStart
        guard intDigits > 0, intDigits == 1 || bytes[digitsStart] != 0x30 else { throw Unexpected() }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            let fraction = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
            guard index > fraction else { throw Unexpected() }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let exponent = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
            guard index > exponent else { throw Unexpected() }
        }
        return (String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self), integral)
    }

    public mutating func double() throws -> Double {
        guard let value = Double(try numberText().0), value.isFinite else { throw Unexpected() }
        return value
    }

    public mutating func integer() throws -> Int {
        let (text, integral) = try numberText()
        guard integral, let value = Int(text) else { throw Unexpected() }
        return value
    }

    public mutating func clock() throws -> HLC {
        guard let clock = HLC(try string()) else { throw Unexpected() }
        return clock
    }

    /// An object's members in order, each read by `member`, which must consume its value.
    public mutating func object(_ member: (inout JSONBytesReader, String) throws -> Void) throws {
        try expect(0x7B)
        if try peek() == 0x7D {
            index += 1
            return
        }
        while true {
            let key = try string()
            try expect(0x3A)
            try member(&self, key)
            switch try peek() {
            case 0x2C: index += 1
            case 0x7D:
                index += 1
                return
            default: throw Unexpected()
            }
        }
    }

    /// An array's elements in order, each read by `element`, which must consume it.
    public mutating func array(_ element: (inout JSONBytesReader) throws -> Void) throws {
        try expect(0x5B)
        if try peek() == 0x5D {
            index += 1
            return
        }
        while true {
            try element(&self)
            switch try peek() {
            case 0x2C: index += 1
            case 0x5D:
                index += 1
                return
            default: throw Unexpected()
            }
        }
    }

    public mutating func strings() throws -> [String] {
        var out: [String] = []
        try array { out.append(try $0.string()) }
        return out
    }

    // MARK: Records

    static let recordKeys = ["kind", "id", "fields", "clocks", "deleted", "flagged", "deletedAt", "deleteSeen"]
    static let anchorKeys = ["revisionID", "paragraphID", "start", "end", "exact", "prefix", "suffix", "status"]

    public mutating func fieldValue() throws -> FieldValue {
        // The order `FieldValue`'s decoder tries: null, Bool, Double, String, [String], anchor.
        switch try peek() {
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try bool())
        case 0x22: return .string(try string())
        case 0x5B: return .strings(try strings())
        case 0x7B: return .anchor(try anchor())
        default: return .number(try double())
        }
    }

    public mutating func anchor() throws -> TextAnchor {
        var revisionID: String?, paragraphID: String?, exact: String?, prefix: String?, suffix: String?
        var start: Int?, end: Int?
        var status: AnchorStatus?
        var seen = SeenKeys(Self.anchorKeys)
        try object { reader, key in
            try seen.first(key)
            switch key {
            case "revisionID": revisionID = try reader.string()
            case "paragraphID": paragraphID = try reader.string()
            case "start": start = try reader.integer()
            case "end": end = try reader.integer()
            case "exact": exact = try reader.string()
            case "prefix": prefix = try reader.string()
            case "suffix": suffix = try reader.string()
            case "status":
                if try reader.peek() == UInt8(ascii: "n") {
                    try reader.literal("null")
                } else {
                    guard let value = AnchorStatus(rawValue: try reader.string()) else { throw Unexpected() }
                    status = value
                }
            default: throw Unexpected()
            }
        }
        guard let revisionID, let paragraphID, let start, let end, let exact, let prefix, let suffix else { throw Unexpected() }
        return TextAnchor(
            revisionID: revisionID, paragraphID: paragraphID, start: start, end: end, exact: exact, prefix: prefix, suffix: suffix,
            status: status)
    }

    public mutating func userRecord() throws -> UserRecord {
        var kind: EntityKind?, id: String?
        var fields: [String: FieldValue]?, clocks: [String: HLC]?
        var deleted: Bool?, flagged: Bool?
        var deletedAt: HLC?, deleteSeen: HLC?
        var seen = SeenKeys(Self.recordKeys)
        try object { reader, key in
            // A repeated key is left to the decoder's own rule.
            try seen.first(key)
            switch key {
            case "kind":
                guard let value = EntityKind(rawValue: try reader.string()) else { throw Unexpected() }
                kind = value
            case "id": id = try reader.string()
            case "fields":
                var values: [String: FieldValue] = [:]
                try reader.object { reader, name in
                    guard values.updateValue(try reader.fieldValue(), forKey: name) == nil else { throw Unexpected() }
                }
                fields = values
            case "clocks":
                var values: [String: HLC] = [:]
                try reader.object { reader, name in
                    guard values.updateValue(try reader.clock(), forKey: name) == nil else { throw Unexpected() }
                }
                clocks = values
            case "deleted": deleted = try reader.bool()
            case "flagged": flagged = try reader.bool()
            case "deletedAt": deletedAt = try reader.optionalClock()
            case "deleteSeen": deleteSeen = try reader.optionalClock()
            default: throw Unexpected()
            }
        }
        guard let kind, let id, let fields, let clocks, let deleted, let flagged else { throw Unexpected() }
        return UserRecord(
            kind: kind, id: id, fields: fields, clocks: clocks, deleted: deleted, deletedAt: deletedAt, deleteSeen: deleteSeen,
            flagged: flagged)
    }

    /// A `null`, if one comes next (it is consumed).
    public mutating func null() throws -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    private mutating func optionalClock() throws -> HLC? {
        if try peek() == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        return try clock()
    }
}

/// The keys met so far in one object, out of a fixed list of at most 64: a key not in the
/// list, or met twice, is unexpected. No allocation: the list is shared, the marks a word.
public struct SeenKeys {
    private let known: [String]
    private var marks: UInt64 = 0

    public init(_ known: [String]) {
        precondition(known.count <= 64)
        self.known = known
    }

    public mutating func first(_ key: String) throws {
        guard let index = known.firstIndex(of: key) else { throw JSONBytesReader.Unexpected() }
        let mark: UInt64 = 1 << UInt64(index)
        guard marks & mark == 0 else { throw JSONBytesReader.Unexpected() }
        marks |= mark
    }
}
