import BriefingIngest
import BriefingModel
import Foundation
import Testing

@Suite("Bios past the rules: unlisted particles, a lone closing bio, a long footer; a dateline with its topics")
struct NameParticleTests {
    /// A short article with no byline whose writers are known only from closing bios.
    static func article(bios: [String]) -> String {
        """
        The Case for a Harbour Levy
        Small ports have carried the cost of dredging for a decade, and the bill now falls due.
        Each berth that silts up sends freight by road, and the roads were not built for it.
        A modest levy on each tonne landed would pay for the work within five years.
        \(bios.joined(separator: "\n"))
        Share this:
        """
    }

    @Test(
        "a bio that opens with a name whose particle is in lower case",
        arguments: [
            "Pieter ten Brink", "Lieke van 't Veer", "Giulia dal Molin", "Anouk op den Kamp", "Tjalling te Velde",
            "Joana dos Reis", "Hendrik van den Heuvel", "Marco dell'Orto", "Elise de Vries", "Karim el Idrissi",
        ])
    func particleBio(name: String) throws {
        let text = Self.article(bios: ["\(name) is a research fellow working on ports and coastal freight."])
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == [name])
    }

    @Test("bios at the end of the text are found however long the footer of menus after them")
    func biosOverLongFooter() throws {
        let footer = (1...40).map { "Menu item \($0)" }
        let text = Self.article(bios: [
            "Maud Kerrigan is a senior researcher on small ports, freight and the roads that carry it, and a former harbour pilot who costed the dredging of each berth.",
            "Tobiah Lindqvist leads the freight programme at the Coastal Review. He previously advised a port authority.",
        ]) + "\n" + footer.joined(separator: "\n")
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == ["Maud Kerrigan", "Tobiah Lindqvist"])
        #expect(article.contributors.allSatisfy { !$0.bio.isEmpty })
    }

    @Test("a lone bio, the text's last paragraph before the page's controls, is a bio")
    func loneClosingBio() throws {
        let text = Self.article(bios: [
            "Wiebe Stroomberg is an associate fellow working on inland shipping and port finance. He previously spent five years at a dredging contractor in Antwerp."
        ]) + "\nFacebook\nLinkedIn\nEmail\nMore analysis\nWhy canal tolls are back\nSign up for our briefings\nA short email every Monday. Leave at any time.\nAbout\nTeam\nContact"
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == ["Wiebe Stroomberg"])
        #expect(!article.sections.flatMap(\.paragraphs).contains { $0.hasPrefix("Wiebe Stroomberg") })
    }

    @Test("a date line with the topics it is filed under dates the page and is no heading")
    func dateFiledUnder() throws {
        let text = """
            The Case for a Harbour Levy
            Posted on 14 March 2026 in Ports, Freight and logistics
            Small ports have carried the cost of dredging for a decade, and the bill now falls due.
            Each berth that silts up sends freight by road, and the roads were not built for it.
            A modest levy on each tonne landed would pay for the work within five years.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.publishedAt.map { Timestamp.text($0).prefix(10) } == "2026-03-14")
        #expect(article.sections.allSatisfy { !($0.heading ?? "").hasPrefix("Posted") })
    }

    @Test("a sign-off in any language over a first name is no heading; a bio in a text mail's italics is a bio, without them")
    func signOffAndItalicBio() throws {
        let text = """
            The Case for a Harbour Levy

            By Tamati Hohaia-Brooks

            Small ports have carried the cost of dredging for a decade, and the bill now falls due.

            Each berth that silts up sends freight by road, and the roads were not built for it.

            A modest levy on each tonne landed would pay for the work within five years.

            Mā te wā,
            Tamati

            *Tamati Hohaia-Brooks is a former harbour engineer who writes about port finance from Napier.*

            Unsubscribe: https://example.org/unsubscribe
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.sections.allSatisfy { $0.heading == nil })
        #expect(article.contributors.first?.bio.hasPrefix("Tamati Hohaia-Brooks is a former harbour engineer") == true)
    }

    @Test("an article's box of its writers' bios is the article's, not an aside; a bio may give the role before the name")
    func bioBoxInArticle() throws {
        let html = """
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>The Case for a Harbour Levy</title></head><body>
            <nav><a href="/">Home</a></nav>
            <article>
            <h1>The Case for a Harbour Levy</h1>
            <p>Small ports have carried the cost of dredging for a decade, and the bill now falls due this year.</p>
            <p>Each berth that silts up sends freight by road, and the roads were not built for the lorries it brings.</p>
            <p>A modest levy on each tonne landed would pay for the work within five years, if the rate is set well.</p>
            <aside class="contributors">
            <p>Maud Kerrigan leads the coastal freight programme at the Estuary Policy Lab in Cork. She previously worked for a port authority.</p>
            <p>A former harbour master at Wexmoor, Tobiah Lindqvist now writes on port finance and dredging. He is based in Hull.</p>
            </aside>
            <div class="share-row"><span>Share</span> <a href="#">Email</a></div>
            </article></body></html>
            """
        let article = try ArticleParser.parse(html, format: .html)
        #expect(article.contributors.map(\.name) == ["Maud Kerrigan", "Tobiah Lindqvist"])
        #expect(article.contributors.allSatisfy { !$0.bio.isEmpty })
        #expect(article.sections.flatMap(\.paragraphs).count == 3)
    }

    @Test("a bare name linking to its writer's page is the byline")
    func nameLinkingToAuthorPage() throws {
        for href in ["https://platform.example/@maudkerrigan", "https://estuarylab.example/author/maud-kerrigan/"] {
            let html = """
                <!DOCTYPE html><html><head><meta charset="utf-8"><title>The Case for a Harbour Levy</title></head><body>
                <article>
                <h1>The Case for a Harbour Levy</h1>
                <h3 class="subtitle">Small ports have carried the cost of dredging for a decade. The bill now falls due.</h3>
                <div class="meta"><div class="card"><a href="\(href)">Maud Kerrigan</a></div><div><time datetime="2025-06-05">Jun 5</time></div></div>
                <p>Each berth that silts up sends freight by road, and the roads were not built for the lorries it brings.</p>
                <p>A modest levy on each tonne landed would pay for the work within five years, if the rate is set well.</p>
                </article></body></html>
                """
            #expect(try ArticleParser.parse(html, format: .html).contributors.map(\.name) == ["Maud Kerrigan"], "\(href)")
        }
    }
}
