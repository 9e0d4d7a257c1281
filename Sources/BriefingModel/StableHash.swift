/// A small, stable, platform-independent hash (two FNV-1a lanes) for deriving IDs from content.
///
/// Not cryptographic: it names things deterministically so that every replica derives the
/// same ID for the same content (paragraph IDs, conflict copies). Swift's `Hasher` is
/// seeded per process and so cannot do this.
public struct StableHash: Sendable {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325
    private var b: UInt64 = 0x8422_2325_cbf2_9ce4

    /// An empty hash.
    public init() {}

    /// Mixes a string (and a separator, so that ["ab","c"] and ["a","bc"] differ) into the hash.
    ///
    /// A separator or escape byte inside the text is escaped, so no two lists of parts
    /// mix the same bytes.
    public mutating func combine(_ text: String) {
        for byte in text.utf8 {
            if byte == 0x1f || byte == 0x1e { mix(0x1e) }
            mix(byte)
        }
        mix(0x1f)
    }

    private mutating func mix(_ byte: UInt8) {
        a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        b = (b ^ UInt64(byte ^ 0x5a)) &* 0x0000_0100_0000_01b3
        b = (b << 7) | (b >> 57)
    }

    /// The hash as `length` lowercase hex digits (at most 32).
    public func hex(length: Int = 32) -> String {
        let digits = Self.hex64(a) + Self.hex64(b)
        return String(digits.prefix(length))
    }

    /// A hash of `parts`, as hex.
    public static func hex(of parts: [String], length: Int = 32) -> String {
        var hash = StableHash()
        for part in parts { hash.combine(part) }
        return hash.hex(length: length)
    }

    /// A UUID-shaped ID derived from `parts`.
    public static func uuid(of parts: [String]) -> String {
        let h = Array(hex(of: parts))
        func slice(_ from: Int, _ to: Int) -> String { String(h[from..<to]) }
        return "\(slice(0, 8))-\(slice(8, 12))-5\(slice(13, 16))-a\(slice(17, 20))-\(slice(20, 32))".uppercased()
    }

    private static func hex64(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
