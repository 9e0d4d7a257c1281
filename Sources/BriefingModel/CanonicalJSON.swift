import Foundation

/// The one JSON form records are stored and compared in: sorted keys, unescaped slashes,
/// ISO 8601 dates. Equal values always give equal text, on the server and on every device.
public enum CanonicalJSON {
    // Shared: JSONEncoder and JSONDecoder are Sendable, and these are never reconfigured.
    // Every record read and written goes through them, so they are not rebuilt per call.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    private static let prettyEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// A value as canonical JSON text.
    public static func text(_ value: some Encodable) throws -> String {
        // Records, the most written value by far, have a writer of their own with the same output.
        if let record = value as? UserRecord { return record.canonicalJSON }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A value as canonical JSON indented for people, as the command-line tools print it.
    public static func pretty(_ value: some Encodable) throws -> String {
        String(decoding: try prettyEncoder.encode(value), as: UTF8.self)
    }

    /// A value decoded from JSON text.
    public static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        // Records, the most read value by far, have a reader of their own with the same result.
        if type == UserRecord.self, let record = UserRecord.directlyDecoded(text) { return record as! T }
        return try decoder.decode(type, from: Data(text.utf8))
    }
}

/// Timestamps as stored in SQLite columns: ISO 8601 in UTC, whole seconds (`2026-11-24T09:30:00Z`).
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle()

    /// The stored text of a date.
    public static func text(_ date: Date) -> String { date.formatted(style) }

    /// The date of a stored text, or nil if it is not an ISO 8601 timestamp.
    public static func date(_ text: String) -> Date? { try? style.parse(text) }
}
