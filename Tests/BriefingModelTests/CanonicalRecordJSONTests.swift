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
        for _ in 0..<5000 {
            let record = Self.record(&random)
            let expected = String(decoding: try Self.encoder.encode(record), as: UTF8.self)
            #expect(record.canonicalJSON == expected)
            #expect(try CanonicalJSON.decode(UserRecord.self, record.canonicalJSON) == record)
            if record.canonicalJSON != expected { return }
        }
    }

    @Test("5,000 generated records: the direct reader gives JSONDecoder's record, for canonical and reshaped text")
    func readerMatchesDecoder() throws {
        var random = SeededGenerator(seed: 2027)
        let decoder = JSONDecoder()
        let pretty: JSONEncoder = {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted]  // other key order, spacing and escaped slashes
            return encoder
        }()
        for _ in 0..<5000 {
            let record = Self.record(&random)
            for text in [record.canonicalJSON, String(decoding: try pretty.encode(record), as: UTF8.self)] {
                let expected = try decoder.decode(UserRecord.self, from: Data(text.utf8))
                let direct = UserRecord.directlyDecoded(text)
                #expect(direct == expected, "\(text)")
                if direct != expected { return }
            }
        }
    }

    @Test("Text the direct reader does not take is left to JSONDecoder, which gives its value or its error")
    func readerFallsBack() throws {
        let record = UserRecord(
            kind: .highlight, id: "h1", fields: ["color": .string("blue")],
            clocks: ["color": HLC(wallMillis: 1_700_000_000_000, counter: 1, node: "dev-1")])
        let canonical = record.canonicalJSON
        let reshaped = [
            // an unknown key (the decoder ignores it), a repeated key, an anchor with an unknown key
            canonical.replacingOccurrences(of: "\"flagged\"", with: "\"extra\":[1,{\"a\":null}],\"flagged\""),
            canonical.replacingOccurrences(of: "\"id\":\"h1\"", with: "\"id\":\"h0\",\"id\":\"h1\""),
        ]
        for text in reshaped {
            #expect(UserRecord.directlyDecoded(text) == nil, "\(text)")
            let expected = try? JSONDecoder().decode(UserRecord.self, from: Data(text.utf8))
            #expect((try? CanonicalJSON.decode(UserRecord.self, text)) == expected)
        }
        // Numbers in any of JSON's forms are read as the decoder reads them.
        let number = canonical.replacingOccurrences(of: "\"blue\"", with: "1.0e0")
        #expect(UserRecord.directlyDecoded(number) == (try JSONDecoder().decode(UserRecord.self, from: Data(number.utf8))))
        for broken in ["", "{", canonical + "x", String(canonical.dropLast()), canonical.replacingOccurrences(of: "\"kind\":\"highlight\"", with: "\"kind\":\"nothing\"")] {
            #expect(UserRecord.directlyDecoded(broken) == nil)
            #expect(throws: (any Error).self) { try CanonicalJSON.decode(UserRecord.self, broken) }
        }
    }

    /// A record of any kind with up to six fields, named as records' fields are or oddly (key
    /// order: upper case, digits, non-ASCII, spaces), of every value shape.
    static func record(_ random: inout SeededGenerator) -> UserRecord {
        let names = [
            "briefingID", "color", "anchor", "text", "highlightID", "adds", "removes", "position", "furthest", "name", "B", "a", "Zeta", "é",
            "a b", "_", "10", "9",
        ]
        var fields: [String: FieldValue] = [:]
        var clocks: [String: HLC] = [:]
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            let name = Bool.random(using: &random) ? names.randomElement(using: &random)! : Self.string(&random)
            fields[name] = Self.value(&random)
            clocks[name] = Self.clock(&random)
        }
        return UserRecord(
            kind: EntityKind.allCases.randomElement(using: &random)!, id: Self.string(&random), fields: fields, clocks: clocks,
            deleted: Bool.random(using: &random), deletedAt: Bool.random(using: &random) ? Self.clock(&random) : nil,
            deleteSeen: Bool.random(using: &random) ? Self.clock(&random) : nil, flagged: Bool.random(using: &random))
    }

    /// `CanonicalJSON`'s encoder, rebuilt here so the test does not go through the writer.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}
