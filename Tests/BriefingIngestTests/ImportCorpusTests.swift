import BriefingIngest
import Foundation
import Testing

/// The corpus in `Tests/Fixtures/ImportCorpus` (see its README): articles in a dozen site shapes
/// with truth files, a tuning set and a held-out set.
enum ImportCorpus {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let tuning = fixtures.appendingPathComponent("ImportCorpus/tuning")
    static let heldOut = fixtures.appendingPathComponent("ImportCorpus/held-out")
    static let originals = fixtures.appendingPathComponent("Articles")

    /// The targets the importer is held to.
    static func expectTargets(_ report: EvaluationReport, minimumArticles: Int) {
        print(report.text)
        #expect(report.articles.count >= minimumArticles)
        for field in ArticleEvaluation.fields {
            #expect((report.fieldAccuracy[field] ?? 0) >= 0.95, "\(field): \(report.fieldAccuracy[field] ?? 0)")
        }
        #expect(report.headingPrecision >= 0.95)
        #expect(report.headingRecall >= 0.95)
        #expect(report.leaks == 0, "boilerplate lines left in bodies")
        #expect(report.lost == 0, "body sentences lost")
        #expect(report.errors == 0, "articles refused")
    }
}

@Suite("The import corpus")
struct ImportCorpusTests {
    @Test("the tuning set meets the targets")
    func tuning() throws {
        let report = try ImportEvaluation.evaluate(folder: ImportCorpus.tuning)
        ImportCorpus.expectTargets(report, minimumArticles: 70)
    }

    @Test("the original fixtures meet the targets")
    func originals() throws {
        ImportCorpus.expectTargets(try ImportEvaluation.evaluate(folder: ImportCorpus.originals), minimumArticles: 3)
    }

    /// The held-out set's figures when last measured. The targets (every field 95%, headings 0.95,
    /// no leak, no loss) are not reached yet; this floor keeps any change from losing ground.
    /// Only the totals are printed: the held-out set's misses are not for reading while tuning.
    static let heldOutFloor: [String: Double] = [
        "title": 35.0 / 36, "contributors": 35.0 / 36, "bios": 36.0 / 36, "headings": 33.0 / 36, "publication": 33.0 / 36,
        "imageCredit": 35.0 / 36, "published": 35.0 / 36,
    ]

    @Test("the held-out set stays at or above its recorded floor")
    func heldOut() throws {
        let report = try ImportEvaluation.evaluate(folder: ImportCorpus.heldOut)
        print(report.summary)
        #expect(report.articles.count >= 36)
        for (field, floor) in Self.heldOutFloor {
            #expect(
                (report.fieldAccuracy[field] ?? 0) >= floor - 1e-9,
                "\(field): \(report.fieldAccuracy[field] ?? 0), floor \(floor)")
        }
        #expect(report.headingPrecision >= 0.977)
        #expect(report.headingRecall >= 0.999)
        #expect(report.leaks <= 5)
        #expect(report.lost <= 4)
        #expect(report.errors == 0)
    }

    @Test("the scorer notices a wrong field, a leak and a lost sentence")
    func scorerCanFail() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(
            """
            The Harbour Dues Question

            By Ana Ruiz

            Port authorities have raised harbour dues three times since 2021, and the small ferry lines feel it most.

            Share this story

            The next review is due in the spring, when the ministry publishes its own figures on traffic.
            """.utf8
        ).write(to: folder.appendingPathComponent("harbour.txt"))
        let truth = ImportTruth(
            shape: "test", sourceURL: nil, title: "The Harbour Dues Question, Again",
            contributors: [.init(name: "Ana Ruiz", bio: nil)],
            headings: [], publication: nil, imageCredit: nil, published: nil,
            excluded: [
                "Share this story",
                "The next review is due in the spring, when the ministry publishes its own figures on traffic.",
            ],
            kept: ["A sentence the article never had."])
        try JSONEncoder().encode(truth).write(to: folder.appendingPathComponent("harbour.truth.json"))
        let report = try ImportEvaluation.evaluate(folder: folder)
        #expect(report.fieldAccuracy["title"] == 0)
        #expect(report.fieldAccuracy["contributors"] == 1)
        #expect(report.leaks == 1)
        #expect(report.lost == 1)
        #expect(report.articles[0].misses.contains { $0.hasPrefix("title:") })
    }

    @Test("a folder without truth files is an error, not a perfect score")
    func emptyFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ImportError.self) { try ImportEvaluation.evaluate(folder: folder) }
    }
}
