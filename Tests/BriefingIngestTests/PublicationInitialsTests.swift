import BriefingIngest
import BriefingModel
import Foundation
import Testing

@Suite("A site named by its initials")
struct PublicationInitialsTests {
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
}
