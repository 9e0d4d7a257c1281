import Foundation

/// A hybrid logical clock timestamp: wall-clock milliseconds, a counter, and the node (device) that made it.
///
/// Timestamps order by `(wallMillis, counter, node)`, so two devices never produce equal
/// timestamps and the device ID breaks ties. The string form sorts the same way.
public struct HLC: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970, as seen by the node's clock (never behind any timestamp it has received).
    public var wallMillis: Int64
    /// Orders events that share `wallMillis`.
    public var counter: Int32

    /// `wallMillis` as a date: when the node's clock says the event happened.
    public var wallTime: Date { Date(timeIntervalSince1970: Double(wallMillis) / 1000) }
    /// The device (or `server`) that made the timestamp.
    public var node: String

    /// The largest wall time that fits the 15-digit string form.
    public static let maxWallMillis: Int64 = 999_999_999_999_999
    /// The largest counter that fits the 6-digit string form.
    public static let maxCounter: Int32 = 999_999

    /// Makes a timestamp; `node` must be 1–64 characters of `[A-Za-z0-9._-]`.
    public init(wallMillis: Int64, counter: Int32 = 0, node: String) {
        self.wallMillis = wallMillis
        self.counter = counter
        self.node = node
    }

    /// Parses the string form `MMMMMMMMMMMMMMM-CCCCCC-NODE`; `nil` when it is malformed.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 24, utf8[15] == UInt8(ascii: "-"), utf8[22] == UInt8(ascii: "-") else { return nil }
        guard let millis = Self.digits(utf8[0..<15]), let counter = Self.digits(utf8[16..<22]) else { return nil }
        let node = String(decoding: utf8[23...], as: UTF8.self)
        guard Self.isValidNode(node) else { return nil }
        self.init(wallMillis: millis, counter: Int32(counter), node: node)
    }

    /// Whether `node` can appear in a timestamp.
    public static func isValidNode(_ node: String) -> Bool {
        let utf8 = node.utf8
        guard (1...64).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The string form, which sorts like the timestamps.
    public var description: String {
        guard (0...Self.maxWallMillis).contains(wallMillis), (0...Self.maxCounter).contains(counter) else {
            return Self.padded(wallMillis, 15) + "-" + Self.padded(Int64(counter), 6) + "-" + node
        }
        // Written in place: every stored record's clocks go through here.
        let node = node.utf8
        return String(unsafeUninitializedCapacity: 23 + node.count) { buffer in
            Self.pad(wallMillis, into: buffer, at: 0, width: 15)
            buffer[15] = UInt8(ascii: "-")
            Self.pad(Int64(counter), into: buffer, at: 16, width: 6)
            buffer[22] = UInt8(ascii: "-")
            _ = UnsafeMutableBufferPointer(rebasing: buffer[23...]).initialize(from: node)
            return 23 + node.count
        }
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// Writes `value` (in range) as `width` decimal digits, zero-padded.
    private static func pad(_ value: Int64, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int, width: Int) {
        var rest = value
        for offset in stride(from: width - 1, through: 0, by: -1) {
            buffer[start + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }

    public static func < (lhs: HLC, rhs: HLC) -> Bool {
        if lhs.wallMillis != rhs.wallMillis { return lhs.wallMillis < rhs.wallMillis }
        if lhs.counter != rhs.counter { return lhs.counter < rhs.counter }
        return lhs.node < rhs.node
    }
}

extension HLC: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = HLC(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a hybrid logical clock: \(text)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The clock of one node: issues increasing timestamps and absorbs the ones it receives.
///
/// It is a value: the owner persists `last` (a device stores it with its data) so that
/// timestamps keep increasing across restarts, and injects the wall clock.
public struct HybridClock: Sendable {
    /// The node's ID, stamped into every timestamp.
    public let node: String
    /// The newest timestamp issued or received.
    public private(set) var last: HLC

    /// A clock for `node` that resumes after `last` (if any).
    public init(node: String, last: HLC? = nil) {
        self.node = node
        self.last = last ?? HLC(wallMillis: 0, counter: 0, node: node)
    }

    /// The next timestamp for a local event at wall time `now` (milliseconds).
    public mutating func tick(now: Int64) -> HLC {
        let now = min(now, HLC.maxWallMillis)
        if now > last.wallMillis {
            last = HLC(wallMillis: now, counter: 0, node: node)
        } else {
            last = Self.bump(wall: last.wallMillis, counter: last.counter, node: node)
        }
        return last
    }

    /// Absorbs a timestamp seen from another node, so later local events order after it.
    public mutating func receive(_ remote: HLC, now: Int64) {
        let wall = min(max(now, last.wallMillis, remote.wallMillis), HLC.maxWallMillis)
        if wall == last.wallMillis && wall == remote.wallMillis {
            last = Self.bump(wall: wall, counter: max(last.counter, remote.counter), node: node)
        } else if wall == last.wallMillis {
            last = Self.bump(wall: wall, counter: last.counter, node: node)
        } else if wall == remote.wallMillis {
            last = Self.bump(wall: wall, counter: remote.counter, node: node)
        } else {
            last = HLC(wallMillis: wall, counter: 0, node: node)
        }
    }

    private static func bump(wall: Int64, counter: Int32, node: String) -> HLC {
        // A counter overflow moves into the next millisecond rather than wrapping. At the
        // very end of the range (the year 33658) the clock saturates instead of overflowing.
        if counter >= HLC.maxCounter {
            if wall >= HLC.maxWallMillis { return HLC(wallMillis: HLC.maxWallMillis, counter: HLC.maxCounter, node: node) }
            return HLC(wallMillis: wall + 1, counter: 0, node: node)
        }
        return HLC(wallMillis: min(wall, HLC.maxWallMillis), counter: counter + 1, node: node)
    }
}
