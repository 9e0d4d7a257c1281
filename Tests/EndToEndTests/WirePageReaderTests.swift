import BriefingModel
import BriefingTestSupport
import Foundation
import SyncAPI
import Testing

/// `Wire.ChangesPage.directlyRead` against the generated decoding and `model()`.
@Suite("Direct reading of change pages")
struct WirePageReaderTests {
    static let pieces = ["", "a", "word", "\"", "\\", "/", "é", "日本", "🐟", "\n", "\t", "\u{1}", "\u{2028}"]

    static func text(_ random: inout SeededGenerator) -> String {
        (0..<Int.random(in: 0...5, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func clock(_ random: inout SeededGenerator) -> HLC {
        HLC(wallMillis: Int64.random(in: 0...4_000_000_000_000, using: &random), counter: Int32.random(in: 0...9, using: &random), node: "D\(Int.random(in: 0...3, using: &random))")
    }

    /// A record any entity of the reader's could hold, with fields of the contract's types.
    static func record(_ random: inout SeededGenerator) -> UserRecord {
        let kind: EntityKind = [.highlight, .note, .bookmark, .readingProgress, .tag].randomElement(using: &random)!
        var fields: [String: FieldValue] = ["briefingID": .string("b-\(Int.random(in: 0...9, using: &random))")]
        let names = ["color", "text", "highlightID", "conflictOf", "bookmarked", "position", "furthest", "name", "adds", "removes", "anchor"]
        for name in names where Int.random(in: 0..<3, using: &random) == 0 { fields[name] = value(name, &random) }
        if fields["highlightID"] == nil, Bool.random(using: &random) { fields["highlightID"] = .null }
        var clocks: [String: HLC] = [:]
        let shared = clock(&random)
        for name in fields.keys { clocks[name] = Int.random(in: 0..<4, using: &random) == 0 ? clock(&random) : shared }
        if Bool.random(using: &random) { clocks["gone"] = clock(&random) }
        let deleted = Int.random(in: 0..<5, using: &random) == 0
        return UserRecord(
            kind: kind, id: "\(kind.rawValue)-\(text(&random))", fields: deleted ? [:] : fields, clocks: clocks, deleted: deleted,
            deletedAt: deleted ? clock(&random) : nil, deleteSeen: deleted && Bool.random(using: &random) ? clock(&random) : nil,
            flagged: kind == .note && Bool.random(using: &random))
    }

    static func value(_ name: String, _ random: inout SeededGenerator) -> FieldValue {
        switch name {
        case "color": return .string("yellow")
        case "conflictOf": return .string("n1")
        case "bookmarked": return .bool(Bool.random(using: &random))
        case "position": return .number(Double.random(in: 0...1, using: &random))
        case "furthest": return .number([0, 1, 0.5, 1e-7].randomElement(using: &random)!)
        case "name": return .string("energy" + text(&random))
        case "adds": return .strings((0..<Int.random(in: 0...3, using: &random)).map { _ in text(&random) })
        case "removes": return .strings([])
        case "anchor":
            let start = Int.random(in: 0...400, using: &random)
            return .anchor(
                TextAnchor(
                    revisionID: "r\(start)", paragraphID: "p\(start % 7)", start: start, end: start + Int.random(in: 0...90, using: &random),
                    exact: text(&random), prefix: text(&random), suffix: text(&random),
                    status: Bool.random(using: &random) ? AnchorStatus.allCases.randomElement(using: &random) : nil))
        default: return .string(text(&random))
        }
    }

    /// Up to 40 changes: records of every kind, and now and then a removal.
    static func changes(_ random: inout SeededGenerator, round: Int) -> [Change] {
        (0..<Int.random(in: 0...40, using: &random)).map { _ in
            if Int.random(in: 0..<12, using: &random) == 0 {
                return Change(kind: [.briefing, .highlight, .note].randomElement(using: &random)!, id: "x\(round)", payload: .removed)
            }
            let record = Self.record(&random)
            return Change(kind: record.kind, id: record.id, payload: .record(record))
        }
    }

    static func expected(_ json: Data) throws -> [Change] {
        try Wire.decoder().decode(Wire.ChangesPage.self, from: json).changes.map { try $0.model() }
    }

    static func read(_ json: Data) -> (changes: [Change], cursor: String, hasMore: Bool)? {
        [UInt8](json).withUnsafeBufferPointer(Wire.ChangesPage.directlyRead)
    }

    @Test("400 generated pages of records and deletes: the same changes, cursor and hasMore as the generated decoding")
    func matchesGeneratedDecoding() throws {
        var random = SeededGenerator(seed: 19)
        let encoder = JSONEncoder()
        for round in 0..<400 {
            let changes = Self.changes(&random, round: round)
            let page = Wire.ChangesPage(protocolVersion: 1, changes: changes.map(Wire.Change.init), cursor: "c\(round).full", hasMore: round % 2 == 0)
            encoder.outputFormatting = round % 3 == 0 ? [.prettyPrinted, .sortedKeys] : []
            let json = try encoder.encode(page)
            let direct = try #require(Self.read(json), "page \(round) was not read directly: \(String(decoding: json, as: UTF8.self).prefix(400))")
            #expect(direct.changes == (try Self.expected(json)))
            #expect(direct.changes == changes)
            #expect(direct.cursor == page.cursor && direct.hasMore == page.hasMore)
        }
    }

    @Test("Pages it does not read are left to the generated decoding: content, conflicts, unknown keys, values the mapping refuses")
    func leavesTheRest() throws {
        let record = #"{"fields":{"briefingID":"b1","color":"blue"},"clock":"001700000000000-000000-D1","deleted":false}"#
        func page(_ change: String) -> Data {
            Data(#"{"protocolVersion":1,"changes":[\#(change)],"cursor":"c","hasMore":false}"#.utf8)
        }
        let plain = page(#"{"entity":"highlight","id":"h1","op":"upsert","record":\#(record)}"#)
        #expect(Self.read(plain)?.changes == (try Self.expected(plain)))
        let others = [
            // content and conflicts
            page(#"{"entity":"briefing","id":"b1","op":"upsert","briefing":{}}"#),
            page(#"{"entity":"conflict","id":"c1","op":"upsert","conflict":{}}"#),
            // an unknown key at each level, a field the contract does not have
            Data(#"{"protocolVersion":1,"changes":[],"cursor":"c","hasMore":false,"more":1}"#.utf8),
            page(#"{"entity":"highlight","id":"h1","op":"upsert","record":\#(record),"x":1}"#),
            page(#"{"entity":"highlight","id":"h1","op":"upsert","record":{"fields":{"colour":"blue"},"deleted":false}}"#),
            // values the mapping refuses
            page(#"{"entity":"highlight","id":"h1","op":"upsert","record":{"fields":{"anchor":{"revisionID":"r","paragraphID":"p","start":5,"end":2,"exact":"","prefix":"","suffix":""}},"deleted":false}}"#),
            page(#"{"entity":"tag","id":"t1","op":"upsert","record":{"fields":{"cleared":["name"]},"deleted":false}}"#),
            page(#"{"entity":"note","id":"n1","op":"upsert","record":{"fields":{"text":"a"},"clock":"yesterday","deleted":false}}"#),
            page(#"{"entity":"note","id":"n1","op":"upsert"}"#),
            page(#"{"entity":"sticker","id":"s1","op":"upsert","record":\#(record)}"#),
            Data(#"{"protocolVersion":1,"changes":[],"cursor":"c"}"#.utf8),
            Data(#"{"protocolVersion":1,"changes":[],"cursor":"c","hasMore":false} x"#.utf8),
        ]
        for json in others {
            #expect(Self.read(json) == nil, "\(String(decoding: json, as: UTF8.self))")
        }
    }
}

/// `Wire.ChangesPage.directlyWritten` and `Wire.PushResponse.directlyWritten` against the
/// generated encoding with the API's options.
@Suite("Direct writing of change pages")
struct WirePageWriterTests {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func text(_ data: some Sequence<UInt8>) -> String { String(decoding: Array(data), as: UTF8.self) }

    @Test("400 generated pages of records and deletes: the same bytes as the generated encoding")
    func matchesGeneratedEncoding() throws {
        var random = SeededGenerator(seed: 23)
        let encoder = Self.encoder()
        for round in 0..<400 {
            let changes = WirePageReaderTests.changes(&random, round: round)
            let page = Wire.ChangesPage(
                protocolVersion: 1, changes: changes.map(Wire.Change.init), cursor: "c\(round)/" + WirePageReaderTests.text(&random),
                hasMore: round % 2 == 0)
            let expected = try encoder.encode(page)
            let written = try page.directlyWritten(encodingOthersWith: encoder)
            #expect(Self.text(written) == Self.text(expected), "page \(round)")
            let results = (0..<Int.random(in: 0...5, using: &random)).map { index in
                Wire.MutationResult(mutationID: Int64(index + 1), status: .applied)
            }
            for answer in [
                Wire.PushResponse(protocolVersion: 1, results: results, changes: page),
                Wire.PushResponse(protocolVersion: 1, results: results, changes: nil),
            ] {
                #expect(Self.text(try answer.directlyWritten(encodingOthersWith: encoder)) == Self.text(try encoder.encode(answer)), "push \(round)")
            }
        }
    }

    @Test("The server's pages, briefings and editorial annotations among them, and a push's answer are the generated encoding's bytes")
    func serverPagesMatch() async throws {
        try await withTestServer { server in
            let (token, deviceID) = try await rawLogin(server, user: "demo", password: "demo")
            let decoder = Wire.decoder(), encoder = Self.encoder()
            var cursor: String?
            var kinds: Set<String> = []
            var briefingID: String?
            repeat {
                var url = server.url + "/v1/changes?limit=3"
                if let cursor { url += "&cursor=" + cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
                let response = try await rawRequest("GET", url, token: token, headers: ["Briefings-Protocol-Version": "1"])
                try #require(response.status == 200, "\(Self.text(response.body))")
                let page = try decoder.decode(Wire.ChangesPage.self, from: response.body)
                #expect(Self.text(response.body) == Self.text(try encoder.encode(page)))
                for change in page.changes {
                    kinds.insert(change.entity.rawValue)
                    if change.entity == .briefing, briefingID == nil { briefingID = change.id }
                }
                cursor = page.hasMore ? page.cursor : nil
            } while cursor != nil
            #expect(kinds.isSuperset(of: ["briefing", "editorialAnnotation"]), "\(kinds)")
            // A push that asks for the first page again: its answer holds the push's result and a page.
            let hlc = HLC(wallMillis: Int64(Date().timeIntervalSince1970 * 1000), counter: 0, node: deviceID).description
            let push: [String: Any] = [
                "clientID": deviceID,
                "mutations": [
                    [
                        "mutationID": 1, "entity": "note", "id": "n-direct", "op": "upsert", "hlc": hlc,
                        "fields": ["briefingID": try #require(briefingID), "text": "A note with \"quotes\", a slash / and é"],
                    ] as [String: Any]
                ],
                "pull": ["limit": 50],
            ]
            let response = try await rawRequest(
                "POST", server.url + "/v1/mutations", token: token, headers: ["Briefings-Protocol-Version": "1"],
                body: try JSONSerialization.data(withJSONObject: push))
            try #require(response.status == 200, "\(Self.text(response.body))")
            let answer = try decoder.decode(Wire.PushResponse.self, from: response.body)
            #expect(answer.results.map(\.status) == [.applied])
            #expect(answer.changes?.changes.isEmpty == false)
            #expect(Self.text(response.body) == Self.text(try encoder.encode(answer)))
        }
    }
}
