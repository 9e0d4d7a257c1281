@testable import BriefingIngest
import BriefingModel
import Foundation
import Testing

@Suite("Who publishes a page: initials spelled out, a publisher's title, a newsletter's sender, no pronoun")
struct PublicationNameTests {
    static func page(siteName: String, footer: String) -> String {
        """
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>Why the lock fund is spent late</title>
        <meta property="og:site_name" content="\(siteName)">
        </head><body>
        <header><nav><a href="/">Home</a> <a href="/research">Research</a></nav></header>
        <main>
        <h1>Why the lock fund is spent late</h1>
        <div class="byline">By Halvard Quist</div>
        <p>The canal fund has money for every lock on the network, but less than half of it has been spent in the three years since it was set up.</p>
        <h2>Where the money waits</h2>
        <p>Each lock needs a survey, a design and a tender before a contractor can start, and each step waits for a planning office with two engineers.</p>
        <p>Halvard Quist is a senior fellow at the Tarn Institute for Waterway Economics, where he works on public investment.</p>
        </main>
        <footer><p>\(footer)</p></footer>
        </body></html>
        """
    }

    @Test("the name its initials spell, written once in a bio, is the publication")
    func initialsInBio() throws {
        let article = try ArticleParser.parse(Self.page(siteName: "TIWE", footer: "Contact us"), format: .html)
        #expect(article.publication == "Tarn Institute for Waterway Economics")
    }

    @Test("the name its initials spell outranks a name that only begins with them")
    func initialsBeforePrefix() throws {
        let article = try ArticleParser.parse(
            Self.page(siteName: "TIWE", footer: "TIWE Commentary is published by the institute. © 2025 TIWE"), format: .html)
        #expect(article.publication == "Tarn Institute for Waterway Economics")
    }

    static let body = """
        The Case for a Harbour Levy
        By Oona Prendergast
        Small ports have carried the cost of dredging for a decade, and the bill now falls due.
        Each berth that silts up sends freight by road, and the roads were not built for it.
        A modest levy on each tonne landed would pay for the work within five years.
        """

    @Test("a company's copyright that names the title it publishes gives the title")
    func publishersOf() throws {
        let text = Self.body + "\n© 2025 Merrow Media Ltd, publishers of Harbour Quarterly. All rights reserved."
        #expect(try ArticleParser.parse(text, format: .text).publication == "Harbour Quarterly")
    }

    @Test("'sign up for our newsletter' names no publication; the copyright under it does")
    func pronounIsNoName() throws {
        let text = Self.body + "\nSign up for our newsletter\nGet our latest analysis every Friday.\nSubscribe\n© 2025 Kestrel Ports Forum. All rights reserved."
        #expect(try ArticleParser.parse(text, format: .text).publication == "Kestrel Ports Forum")
    }

    @Test("a mail's sender whose address spells its name outranks the company's copyright")
    func senderSpelledByAddress() throws {
        let text = """
            From: Quayside Notes <hello@quaysidenotes.example>
            Date: Tue, 3 Jun 2025 07:00:00 +1200
            Subject: The case for a harbour levy

            """ + Self.body + "\n\nUnsubscribe: https://quaysidenotes.example/unsubscribe\nCopyright (c) 2025 Tarawera Press Limited. All rights reserved.\nTarawera Press Limited"
        #expect(try ArticleParser.parse(text, format: .text).publication == "Quayside Notes")
    }

    @Test("a company's dotted legal form without its last full stop is still a legal form; a section's name after the title is not the title")
    func dottedLegalForm() throws {
        let text = "🔥 Limited offer: 3 months of Kestrel Ledger Premium for €1.\nKestrel Ledger\n" + Self.body
            + "\nSign up for Kestrel Ledger Analysis\nSubscribe\nKestrel Ledger\n© 2025 Kestrel Ledger B.V., Utrecht"
        #expect(try ArticleParser.parse(text, format: .text).publication == "Kestrel Ledger")
    }

    @Test("a centre at its own part of a university's web address publishes under its own name, not the university's")
    func unitOfTheSite() throws {
        let text = """
            CENTRE FOR COASTAL LABOUR STUDIES
            Oakvale University | Faculty of Social Science

            The Case for a Harbour Levy

            Oona Prendergast

            Small ports have carried the cost of dredging for a decade, and the bill now falls due.
            Each berth that silts up sends freight by road, and the roads were not built for it.
            A modest levy on each tonne landed would pay for the work within five years.

            Oona Prendergast is a research fellow at the Centre for Coastal Labour Studies.
            © 2025 Oakvale University. All rights reserved.
            """
        let url = "https://ccls.oakvale.ac.uk/briefs/the-case-for-a-harbour-levy"
        #expect(try ArticleParser.parse(text, format: .text, sourceURL: url).publication == "Centre for Coastal Labour Studies")
        #expect(LineShapes.subsiteLabels(url) == ["ccls"])
        #expect(LineShapes.subsiteLabels("https://www.blog.example.org/x").isEmpty)
    }

    @Test("an organisation's account of itself in the notes to editors names the publisher, its initials in other languages' names too")
    func selfDescription() throws {
        let text = Self.body + """

            "The levy is overdue," said Dr. Inés Robles, director of research at IECM.
            Notes to editors
            The Instituto de Estudios Costeros del Mar is an independent, non-profit research centre based in Veracruz.
            Media contact: prensa@example.org
            """
        #expect(try ArticleParser.parse(text, format: .text).publication == "Instituto de Estudios Costeros del Mar")
        #expect(LineShapes.isAcronym("IECM", of: "Instituto de Estudios Costeros del Mar"))
        #expect(LineShapes.selfDescription("The Centre (CCLS) is a research centre within the university.") == nil)
        #expect(LineShapes.selfDescription("The Harbour Trust (THT) is a charity that runs the port.") == "Harbour Trust")
    }

    @Test("a web address spells a name without its opening article, in other languages too")
    func articleLeftOut() {
        #expect(LineShapes.spells("llanosletters", "Los Llanos Letters"))
        #expect(LineShapes.spells("guardian", "The Guardian"))
        #expect(LineShapes.spells("estudioshidricos", "Estudios Hídricos"))
        #expect(!LineShapes.spells("llanos", "La"))
    }

    @Test("a sign-up box's 'get X in your inbox' names the newsletter over its company's copyright; a sponsor's block under the bare 'In partnership with' stays out")
    func newsletterInInbox() throws {
        // (The body's paragraphs set apart, as the sign-up box's lines are.)
        let text = Self.body.replacingOccurrences(of: "\n", with: "\n\n") + """


            In partnership with

            Brinecraft Salt Works supplies gritting salt to half the councils on the coast. See how it works

            Sign up to get Tidewater Tuesdays in your inbox every week.

            Subscribe

            © 2025 Merrow Media Ltd, 4 Quay Street, Truro. Registered in England 0912345.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.publication == "Tidewater Tuesdays")
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(!body.contains("Brinecraft"), "the sponsor's pitch")
        #expect(LineShapes.sponsorLabel("in partnership with"))
        #expect(!LineShapes.sponsorLabel("in partnership"))
    }

    @Test("the foundation that owns a review, named in the copyright, is not the review's full name")
    func ownerFoundation() throws {
        let article = try ArticleParser.parse(
            Self.page(siteName: "Tarn Review", footer: "Tarn Review publishes independent analysis.</p><p>© 2025 Tarn Review Foundation, Kendal"),
            format: .html)
        #expect(article.publication == "Tarn Review")
    }
}
