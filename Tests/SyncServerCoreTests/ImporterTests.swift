import BriefingIngest
import BriefingModel
import BriefingTestSupport
import Foundation
import Testing

@testable import SyncServerCore

@Suite("Importing articles into the server")
struct ImporterTests {
    static let now = Date(timeIntervalSince1970: 1_780_000_000)
    static let url = "https://tideline.example/briefs/baltic-cod"

    func makeImporter() throws -> ArticleImporter {
        let service = SyncService(store: try SQLiteServerStore.inMemory(), configuration: .init(bcryptCost: 4), now: { Self.now })
        return ArticleImporter(service: service, gazetteer: try Gazetteer.bundled())
    }

    func importFixture(_ importer: ArticleImporter, _ name: String, sourceURL: String? = url, dryRun: Bool = false) async throws -> ImportReport {
        try await importer.importArticle(ArticleFixtures.data(name), fileName: name, sourceURL: sourceURL, dryRun: dryRun, now: Self.now)
    }

    @Test("an import publishes the briefing and its editorial layer and keeps the raw source")
    func created() async throws {
        let importer = try makeImporter()
        let report = try await importFixture(importer, "baltic-cod-quotas.txt")
        #expect(report.outcome == .created)
        #expect(report.revision == 1)
        #expect(report.id == "rebuilding-baltic-cod-means-rethinking-quotas")
        let store = importer.service.store
        let briefing = try #require(try await store.briefing(id: report.id))
        #expect(briefing.sourceURL == Self.url)
        #expect(briefing.publication == "Baltic Tideline Review")
        let layer = try await store.editorialAnnotations(briefingID: report.id)
        #expect(layer.count == report.annotations.values.reduce(0, +))
        #expect(Set(layer.map(\.kind)) == [.entity, .event, .recommendation, .quotation])
        // Boilerplate is out of the body but in the stored source.
        let source = try #require(try await store.importedSource(briefingID: report.id))
        #expect(source.raw.contains("Comments are closed."))
        #expect(!briefing.paragraphs.contains { $0.text.contains("Comments are closed") })
        #expect(source.report == report)
    }

    @Test("a dry run reports and stores nothing")
    func dryRun() async throws {
        let importer = try makeImporter()
        let report = try await importFixture(importer, "urban-heat-plans.txt", dryRun: true)
        #expect(report.dryRun)
        #expect(report.outcome == .created)
        #expect(try await importer.service.store.briefingCount() == 0)
        #expect(try await importer.service.store.importedSource(briefingID: report.id) == nil)
    }

    @Test("the same text again is unchanged; the revised text is the next revision of the same briefing")
    func revisions() async throws {
        let importer = try makeImporter()
        let first = try await importFixture(importer, "baltic-cod-quotas.txt")
        let again = try await importFixture(importer, "baltic-cod-quotas.txt")
        #expect(again.outcome == .unchanged)
        #expect(again.revision == 1)
        let store = importer.service.store
        let before = try await store.editorialAnnotations(briefingID: first.id)
        let revised = try await importFixture(importer, "baltic-cod-quotas.rev2.txt")
        #expect(revised.outcome == .revised)
        #expect(revised.id == first.id)
        #expect(revised.revision == 2)
        #expect(revised.sections.contains("Pressures beyond the fishing fleet"))
        let briefing = try #require(try await store.briefing(id: first.id))
        #expect(briefing.revision.number == 2)
        #expect(try await store.importedSource(briefingID: first.id, revision: 1)?.report.revision == 1)
        // Every automatic annotation is anchored in the new revision; the deleted paragraph's are gone.
        let after = try await store.editorialAnnotations(briefingID: first.id)
        for annotation in after { #expect(briefing.text(at: annotation.anchor) == annotation.anchor.exact) }
        let paragraphs = Set(briefing.paragraphs.map(\.id))
        let dropped = before.filter { !paragraphs.contains($0.anchor.paragraphID) }
        #expect(!dropped.isEmpty)
        #expect(Set(after.map(\.id)).isDisjoint(with: dropped.map(\.id)))
    }

    @Test("without a source URL, the same publication and title make a revision")
    func matchByTitle() async throws {
        let importer = try makeImporter()
        let first = try await importFixture(importer, "urban-heat-plans.txt", sourceURL: nil)
        let revised = try await importFixture(importer, "urban-heat-plans.rev2.txt", sourceURL: nil)
        #expect(revised.outcome == .revised)
        #expect(revised.id == first.id)
    }

    @Test("an editor's note survives a revision and is counted by how it re-anchors")
    func editorNote() async throws {
        let importer = try makeImporter()
        let first = try await importFixture(importer, "baltic-cod-quotas.txt")
        let note = try await importer.service.kernel.annotate(
            briefingID: first.id, quote: "reviewed by an independent body", kind: .note, text: "Which body?", label: nil, now: Self.now)
        #expect(note.origin == .editor)
        let revised = try await importFixture(importer, "baltic-cod-quotas.rev2.txt")
        #expect(revised.editorAnchors == ["relocated": 1])
        let layer = try await importer.service.store.editorialAnnotations(briefingID: first.id)
        let kept = try #require(layer.first { $0.id == note.id })
        // Stored as made; readers resolve it in the current revision.
        #expect(kept.anchor == note.anchor)
        let briefing = try #require(try await importer.service.store.briefing(id: first.id))
        #expect(briefing.resolve(kept.anchor).text == "reviewed by an independent auditor")
    }

    @Test("bad input changes nothing: invalid UTF-8, no title, a bad source URL, an unknown quote")
    func badInput() async throws {
        let importer = try makeImporter()
        await #expect(throws: ImportError.self) {
            try await importer.importArticle(Data([0x54, 0x69, 0xFF, 0x0A]), fileName: "x.txt")
        }
        await #expect(throws: ImportError.self) {
            try await importer.importArticle(Data("\n\n".utf8), fileName: "x.txt")
        }
        await #expect(throws: ImportError.self) {
            try await importer.importArticle(ArticleFixtures.data("baltic-cod-quotas.txt"), fileName: "x.txt", sourceURL: "ftp://x")
        }
        #expect(try await importer.service.store.briefingCount() == 0)
        let first = try await importFixture(importer, "baltic-cod-quotas.txt")
        await #expect(throws: ImportError.self) {
            try await importer.service.kernel.annotate(briefingID: first.id, quote: "not in the text at all", kind: .note, text: "x", label: nil)
        }
    }

    @Test("a bad HTML page (cut short, scripts only, binary) is refused and stores nothing")
    func badHTML() async throws {
        let importer = try makeImporter()
        for page in [
            "<!DOCTYPE html><html><head><title>Tolls</title></head><body><h1>Tolls</h1><p>The county wants drivers to pay",
            "<!DOCTYPE html><html><head><script>var x = 1;</script></head><body><nav><a>Home</a></nav></body></html>",
            "<html><body>\u{0}\u{0}\u{1}</body></html>",
        ] {
            await #expect(throws: ImportError.self) { try await importer.importArticle(Data(page.utf8), fileName: "page.html") }
        }
        #expect(try await importer.service.store.briefingCount() == 0)
    }

    @Test("the editor's overrides win, name the briefing, and are kept by the next import unless replaced")
    func overrides() async throws {
        let importer = try makeImporter()
        let first = try await importer.importArticle(
            ArticleFixtures.data("urban-heat-plans.txt"), fileName: "urban-heat-plans.txt",
            overrides: ImportOverrides(title: "Heat Plans on Paper", contributors: ["Inés Carrasco"], publication: "The Ledger"), now: Self.now)
        #expect(first.id == "heat-plans-paper")
        #expect(first.title == "Heat Plans on Paper")
        #expect(first.contributors.map(\.name) == ["Inés Carrasco"])
        #expect(first.contributors.first?.bio.isEmpty == false)
        #expect(first.publication == "The Ledger")
        #expect(first.decisions?.contains { $0.subject == "title" && $0.reason == "given with --title" } == true)

        // The revised file, imported without overrides, continues the same briefing with them.
        let second = try await importer.importArticle(
            ArticleFixtures.data("urban-heat-plans.rev2.txt"), fileName: "urban-heat-plans.rev2.txt", now: Self.now)
        #expect(second.outcome == .revised)
        #expect(second.id == first.id)
        #expect(second.title == "Heat Plans on Paper")
        #expect(second.publication == "The Ledger")

        // A new override replaces only its own field.
        let third = try await importer.importArticle(
            ArticleFixtures.data("urban-heat-plans.rev2.txt"), fileName: "urban-heat-plans.rev2.txt",
            overrides: ImportOverrides(publication: "The Urban Ledger", published: Date(timeIntervalSince1970: 1_750_000_000)), now: Self.now)
        #expect(third.id == first.id)
        #expect(third.title == "Heat Plans on Paper")
        #expect(third.publication == "The Urban Ledger")
        #expect(third.contributors.map(\.name) == ["Inés Carrasco"])
        let briefing = try #require(try await importer.service.store.briefing(id: first.id))
        #expect(briefing.publication == "The Urban Ledger")
        #expect(briefing.revision.publishedAt == Date(timeIntervalSince1970: 1_750_000_000))
    }

        @Test("a file with no title line of its own is refused, and imported with --title")
    func titleGiven() async throws {
        let importer = try makeImporter()
        let text = Data("Only two routes still run after midnight, and both stop at the river, far from the new estates in the north.".utf8)
        await #expect(throws: ImportError.self) { try await importer.importArticle(text, fileName: "buses.txt", now: Self.now) }
        let report = try await importer.importArticle(
            text, fileName: "buses.txt", overrides: ImportOverrides(title: "Night Buses After Midnight"), now: Self.now)
        #expect(report.id == "night-buses-after-midnight")
        #expect(report.paragraphs == 1)
    }

    @Test("an HTML page is imported with its metadata, and its canonical URL identifies it")
    func htmlPage() async throws {
        let importer = try makeImporter()
        let page = """
            <!DOCTYPE html><html><head><title>Night Buses After Midnight | City Desk</title>
            <link rel="canonical" href="https://citydesk.example/transport/night-buses-after-midnight">
            <meta property="og:site_name" content="City Desk"></head><body>
            <nav><a href="/">Home</a> <a href="/t">Transport</a></nav>
            <article><h1>Night Buses After Midnight</h1><p class="byline">By Ana Ruiz</p>
            <p>Only two routes still run after midnight, and both stop at the river, far from the new estates in the north.</p>
            <p>The operator says demand is too thin; the unions say the timetable made it thin.</p></article>
            <footer>© 2025 City Desk</footer></body></html>
            """
        let report = try await importer.importArticle(Data(page.utf8), fileName: "night-buses.html", now: Self.now)
        #expect(report.format == .html)
        #expect(report.id == "night-buses-after-midnight")
        #expect(report.publication == "City Desk")
        #expect(report.sourceURL == "https://citydesk.example/transport/night-buses-after-midnight")
        #expect(report.paragraphs == 2)
        let again = try await importer.importArticle(Data(page.utf8), fileName: "night-buses.html", now: Self.now)
        #expect(again.outcome == .unchanged)
    }

    @Test("slugs are readable ASCII")
    func slugs() {
        #expect(ArticleImporter.slug("Batteries for the Dark Weeks: Can Storage Keep Belgium’s Lights On?") == "batteries-dark-weeks-can-storage-keep")
        #expect(ArticleImporter.slug("Łódź’s Plan — 2026") == "lodzs-plan-2026")
        #expect(ArticleImporter.slug("“”") == "briefing")
    }
}

@Suite("Matching imports to briefings")
struct ImportMatchingTests {
    func makeImporter() throws -> ArticleImporter {
        ArticleImporter(service: SyncService(store: try SQLiteServerStore.inMemory(), configuration: .init(bcryptCost: 4)), gazetteer: try Gazetteer.bundled())
    }

    static let page = """
        Weekly Fisheries Roundup

        By Ana Ruiz

        Image: Boats at dawn.

        Catches were steady this week across the southern ports.
        """

    @Test("the same title at a different source URL is a different briefing")
    func differentURL() async throws {
        let importer = try makeImporter()
        let first = try await importer.importArticle(Data(Self.page.utf8), fileName: "a.txt", sourceURL: "https://x.example/a")
        let second = try await importer.importArticle(Data(Self.page.utf8), fileName: "b.txt", sourceURL: "https://x.example/b")
        #expect(second.outcome == .created)
        #expect(second.id != first.id)
        #expect(try await importer.service.store.briefing(id: first.id)?.sourceURL == "https://x.example/a")
    }

    @Test("a corrected field with the same text is a new revision, not 'unchanged'")
    func fieldOnlyRevision() async throws {
        let importer = try makeImporter()
        let first = try await importer.importArticle(Data(Self.page.utf8), fileName: "a.txt", sourceURL: "https://x.example/a")
        let corrected = Self.page.replacingOccurrences(of: "Boats at dawn.", with: "Boats at dawn. Photo: Ana Ruiz")
        let second = try await importer.importArticle(Data(corrected.utf8), fileName: "a.txt", sourceURL: "https://x.example/a")
        #expect(second.outcome == .revised)
        #expect(second.revision == 2)
        #expect(second.revisionID == first.revisionID)
        #expect(try await importer.service.store.briefing(id: first.id)?.imageCredit == "Boats at dawn. Photo: Ana Ruiz")
    }
}

@Suite("Concurrent imports")
struct ConcurrentImportTests {
    /// One article imported into a fresh store.
    static func importOnce(_ kind: TestStore) async throws -> (ImportReport, SyncService) {
        let importer = ArticleImporter(
            service: SyncService(store: try await kind.makeStore(), configuration: .init(bcryptCost: 4)), gazetteer: try Gazetteer.bundled())
        let name = "baltic-cod-quotas.txt"
        return (try await importer.importArticle(ArticleFixtures.data(name), fileName: name), importer.service)
    }

    @Test("an import that started from an older revision is refused, not written over the newer one", arguments: TestStore.allCases)
    func staleRevision(_ kind: TestStore) async throws {
        let (first, service) = try await Self.importOnce(kind)
        let store = service.store
        let briefing = try #require(try await store.briefing(id: first.id))
        let source = try #require(try await store.source(briefingID: first.id, revision: nil))
        // Another import of the same new article, begun before the first one was published.
        await #expect(throws: ImportError.self) {
            try await service.kernel.publish(briefing, editorial: [], now: Date(), source: (source, replacing: nil))
        }
        #expect(try await store.editorialAnnotations(briefingID: first.id).count == first.annotations.values.reduce(0, +))
    }

    @Test("an editor's annotation added while an import runs survives that import's publish", arguments: TestStore.allCases)
    func editorAnnotationDuringImport(_ kind: TestStore) async throws {
        let (first, service) = try await Self.importOnce(kind)
        let store = service.store
        let briefing = try #require(try await store.briefing(id: first.id))
        // The import read the layer before the editor's note existed, so its layer lacks it.
        let layerAsRead = try await store.editorialAnnotations(briefingID: first.id)
        let note = try await service.kernel.annotate(
            briefingID: first.id, quote: briefing.paragraphs[0].text.components(separatedBy: " ").prefix(3).joined(separator: " "),
            occurrence: 1, kind: .note, text: "Check the quota figures", label: nil)
        var revised = briefing
        revised.revision.number += 1
        var source = try #require(try await store.source(briefingID: first.id, revision: nil))
        source.revisionNumber = revised.revision.number
        try await service.kernel.publish(revised, editorial: layerAsRead, now: Date(), source: (source, replacing: briefing.revision.number))
        #expect(try await store.editorialAnnotations(briefingID: first.id).contains(note))
    }
}
