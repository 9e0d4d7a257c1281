import BriefingModel
import Foundation
import Testing

/// The direct writer of records' canonical JSON against `JSONEncoder`, byte for byte.
@Suite("Canonical JSON of records")
struct CanonicalRecordJSONTests {
    /// Strings with what escaping must get right: quotes, backslashes, every control
    /// character, slashes, non-ASCII, emoji, and nothing at all.
    static let pieces = [
        "", "a", "quota", "\"", "\\", "/", "</p>", "é", "ß", "日本", "🐟", "👩🏽‍🔬", "\u{7F}", "\u{2028}", "\u{FEFF}",
    ] + (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }

    static func string(_ random: inout SeededGenerator) -> String {
        (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func clock(_ random: inout SeededGenerator) -> HLC {
        HLC(wallMillis: Int64.random(in: 0...4_000_000_000_000, using: &random), counter: Int32.random(in: 0...70, using: &random), node: "D-\(Int.random(in: 0...99, using: &random))")
    }

    static func value(_ random: inout SeededGenerator) -> FieldValue {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return .string(string(&random))
        case 1:
            let numbers: [Double] = [0, -0.0, 1, 0.5, 0.1, 1 / 3, 12.5, 1e-7, 1e21, 123_456_789.25, -42, 0.999_999_999_999]
            return .number(Bool.random(using: &random) ? numbers.randomElement(using: &random)! : Double.random(in: 0...1, using: &random))
        case 2: return .bool(Bool.random(using: &random))
        case 3: return .strings((0..<Int.random(in: 0...3, using: &random)).map { _ in string(&random) })
        case 4:
            return .anchor(
                TextAnchor(
                    revisionID: string(&random), paragraphID: "p-\(Int.random(in: 0...999, using: &random))",
                    start: Int.random(in: 0...5000, using: &random), end: Int.random(in: 0...5000, using: &random), exact: string(&random),
                    prefix: string(&random), suffix: string(&random),
                    status: Bool.random(using: &random) ? AnchorStatus.allCases.randomElement(using: &random) : nil))
        default: return .null
        }
    }

    @Test("5,000 generated records: the writer's text is the encoder's, and decodes to the same record")
    func matchesEncoder() throws {
        var random = SeededGenerator(seed: 2026)
        let names = ["briefingID", "color", "anchor", "text", "highlightID", "adds", "removes", "position", "furthest", "name", "B", "a", "Zeta", "é", "a b", "_", "10", "9"]
        for _ in 0..<5000 {
            var fields: [String: FieldValue] = [:]
            var clocks: [String: HLC] = [:]
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                let name = Bool.random(using: &random) ? names.randomElement(using: &random)! : Self.string(&random)
                fields[name] = Self.value(&random)
                clocks[name] = Self.clock(&random)
            }
            let record = UserRecord(
                kind: EntityKind.allCases.randomElement(using: &random)!, id: Self.string(&random), fields: fields, clocks: clocks,
                deleted: Bool.random(using: &random), deletedAt: Bool.random(using: &random) ? Self.clock(&random) : nil,
                deleteSeen: Bool.random(using: &random) ? Self.clock(&random) : nil, flagged: Bool.random(using: &random))
            let expected = String(decoding: try Self.encoder.encode(record), as: UTF8.self)
            #expect(record.canonicalJSON == expected)
            #expect(try CanonicalJSON.decode(UserRecord.self, record.canonicalJSON) == record)
            if record.canonicalJSON != expected { return }
        }
    }

    /// `CanonicalJSON`'s encoder, rebuilt here so the test does not go through the writer.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}
