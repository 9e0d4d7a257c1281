import BriefingIngest
import BriefingModel
import Foundation
import SyncServerCore

/// The original fixture corpus in `Tests/Fixtures/Articles`: noisy scraped pages, their revisions,
/// what the importer must extract, and where reader highlights must land.
public enum ArticleFixtures {
    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Articles")
    public static let names = ["baltic-cod-quotas.txt", "urban-heat-plans.txt", "rural-broadband.md"]

    public struct Expected: Decodable, Sendable {
        public var title: String
        public var byline: String
        public var publication: String
        public var imageCredit: String
        public var sections: [String?]
        public var paragraphCounts: [Int]
        public var contributors: [Contributor]
        public var excluded: [String]
        public var firstParagraphStartsWith: String
        public var lastParagraphStartsWith: String
    }

    public struct Highlights: Decodable, Sendable {
        public struct Item: Decodable, Sendable {
            public var name: String
            public var change: String
            public var quote: String
            public var expect: AnchorStatus
            public var expectedText: String?
        }
        public var original: String
        public var revised: String
        public var highlights: [Item]
    }

    public static func data(_ name: String) throws -> Data { try Data(contentsOf: folder.appendingPathComponent(name)) }

    public static func parse(_ name: String) throws -> ParsedArticle {
        try ArticleParser.parse(ArticleParser.decode(data(name)), format: .of(fileName: name))
    }

    public static func stem(_ name: String) -> String { String(name.prefix { $0 != "." }) }

    public static func expected(_ name: String) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: data(stem(name) + ".expected.json"))
    }

    public static func highlights(_ name: String) throws -> Highlights {
        try JSONDecoder().decode(Highlights.self, from: data(stem(name) + ".highlights.json"))
    }
}

