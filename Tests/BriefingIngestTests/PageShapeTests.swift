@testable import BriefingIngest
import BriefingModel
import Foundation
import Testing

/// Shapes of page the import corpus showed the importer getting wrong, each reduced to the lines
/// that matter: a PDF's imprint page, a journal article, a page builder's HTML, a note tool's
/// export, a menu copied as a list, the many ways a page names its publication.
@Suite("Page shapes: PDF briefs and journal articles")
struct TypesetShapeTests {
    @Test("a brief's imprint page stays out, and names marked for affiliation notes are the byline")
    func imprintPage() throws {
        let text = """
                                   HARROWGATE CENTRE
                                   FOR WATER POLICY

            Metering the Commons:
            Charging Farms for the Water They Pump

            Dr Ilse Vandermeulen*, Tomasz Brzęczek** and Aoife Ní Bhriain*

            March 2025

            * Harrowgate Centre for Water Policy, Leeds
            ** Faculty of Geography, University of Poznań
            \u{0C}
            Harrowgate Centre for Water Policy
            14 Wharf Street
            Leeds LS2 7EQ

            Published 18 March 2025

            Suggested citation: Vandermeulen, I., Brzęczek, T. and Ní Bhriain, A. (2025).
            Metering the Commons. Policy Brief 2/2025. Leeds: Harrowgate Centre.

            The views expressed are those of the authors and not necessarily those of
            the Centre or of its funders.

            © Harrowgate Centre for Water Policy, 2025. Some rights reserved.
            \u{0C}                 Harrowgate Centre for Water Policy | Policy Brief 2/2025

            Summary

            Farms draw more groundwater than every city in the region combined, and almost
            none of it is metered. This brief sets out how a charge per cubic metre could
            work without putting small growers out of business.

            Why meters first

            Without a meter there is no charge, only a licence that nobody checks. The
            licences issued in the 1990s allow far more water than farms now use, so the
            cap they set binds nobody, and the aquifer keeps falling year after year.
            \u{0C}                 Harrowgate Centre for Water Policy | Policy Brief 2/2025

            What a charge would do

            A modest charge changes little for a grower who already irrigates carefully,
            but it makes the wasteful last few waterings of a season cost something.
            \u{0C}                 Harrowgate Centre for Water Policy | Policy Brief 2/2025

            Ilse Vandermeulen is a hydrologist at the Harrowgate Centre for Water Policy.
            Tomasz Brzęczek is a lecturer in economic geography at the University of Poznań.
            Aoife Ní Bhriain is a research fellow at the Harrowgate Centre for Water Policy.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.title == "Metering the Commons: Charging Farms for the Water They Pump")
        #expect(article.contributors.map(\.name) == ["Ilse Vandermeulen", "Tomasz Brzęczek", "Aoife Ní Bhriain"])
        #expect(article.sections.map(\.heading) == ["Summary", "Why meters first", "What a charge would do"])
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        for line in ["Wharf Street", "Suggested citation", "Harrowgate Centre for Water Policy, Leeds", "Policy Brief 2/2025"] {
            #expect(!body.contains(line), "\(line) is front matter, not the brief's text")
        }
        #expect(article.publishedAt.map { Timestamp.text($0).prefix(10) } == "2025-03-18")
    }

    @Test("a journal article: the reference line names the journal, a page break's cut sentence is joined, numbered headings")
    func journalArticle() throws {
        let text = """
            Coastal Policy Quarterly (2025), 8(2), 101–104
            doi:10.55501/cpq.2025.0802

            RESEARCH NOTE

            Managed retreat without the money: who pays when a village
            moves inland
            Mirela Dragomir1*, Olusegun Adeyemi-Holt2 and Petra Kowalczyk1
            1
             School of Geography, Tidewater University, Hull, UK and 2Department of
            Economics, Skerry College, Aberdeen, UK
            *Corresponding author. Email: m.dragomir@tidewater.ac.uk
            (Received 3 June 2024; revised 2 October 2024; accepted 9 December 2024; first published online
            14 January 2025)

            Abstract
            Relocating a coastal village is cheaper over fifty years than defending it,
            yet almost no village has moved. This note asks why, and finds the answer in
            who pays for the move rather than in whether it is worth making.
            Keywords: managed retreat; coastal erosion; compensation

            1. Introduction
            Every coastline in the region has villages whose defences will not be renewed.
            The plans that say so were published years ago. What they do not say is who
            will buy the houses, and so the residents of those villages live in homes that
            grow harder to insure and impossible to sell while the sea keeps coming closer
            to the
            102      Mirela Dragomir et al.

            edge of the gardens. That uncertainty is itself a cost, and it falls on them.

            2. Why does nobody move?
            Compensation rules pay for land lost to the sea only after it is lost, so a
            household that moves early gives up the payment it would get by staying put.

            3. Conclusion
            A fund that buys homes at their value before the risk was known would change
            the choice, and it would cost less than the defences it replaces.

            About the authors
            Mirela Dragomir is a lecturer in coastal geography at Tidewater University.
            Olusegun Adeyemi-Holt is a senior lecturer in environmental economics at Skerry
            College.
            Petra Kowalczyk is a doctoral researcher at Tidewater University.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.title == "Managed retreat without the money: who pays when a village moves inland")
        #expect(article.publication == "Coastal Policy Quarterly")
        #expect(article.publishedAt.map { Timestamp.text($0).prefix(10) } == "2025-01-14")
        #expect(article.contributors.map(\.name) == ["Mirela Dragomir", "Olusegun Adeyemi-Holt", "Petra Kowalczyk"])
        #expect(article.contributors.allSatisfy { !$0.bio.isEmpty })
        #expect(article.sections.map(\.heading) == ["Abstract", "1. Introduction", "2. Why does nobody move?", "3. Conclusion"])
        let body = article.sections.flatMap(\.paragraphs)
        #expect(body.contains { $0.contains("closer to the edge of the gardens.") })
        #expect(!body.joined().contains("School of Geography"))
        #expect(!body.joined().contains("et al."))
    }
}

@Suite("Page shapes: builders, exports and menus")
struct BuilderShapeTests {
    @Test("a page builder's widgets are not chrome; teaser cards in <article> do not mark the article; 'with Name' is a co-author")
    func elementorPage() throws {
        let html = """
            <!DOCTYPE html><html><head><title>Parking levies that pay for buses | Wayfare</title>
            <meta property="og:site_name" content="Wayfare"></head><body>
            <div class="elementor elementor-location-single">
            <div class="elementor-element elementor-widget elementor-widget-theme-post-title"><h1>Parking levies that pay for buses</h1></div>
            <div class="elementor-element elementor-widget elementor-widget-post-info"><span>By Rhiannon Tudur-Jones</span></div>
            <div class="elementor-element elementor-widget elementor-widget-text-editor"><span>with Kwabena Osei-Mensah</span></div>
            <div class="elementor-element elementor-widget elementor-widget-theme-post-content">
            <p>A workplace parking levy charges employers for each space they provide, and the money goes to public transport.</p>
            <h2>Does it work?</h2>
            <p>Where it has been tried, the levy has paid for new tram lines and more frequent buses within a few years.</p>
            <p>It is not popular.</p>
            </div>
            <div class="elementor-element elementor-widget elementor-widget-call-to-action elementor-cta">
            <h3 class="elementor-cta__title">The full report</h3><p>Costings for six cities, in one PDF.</p></div>
            <div class="elementor-element elementor-widget elementor-widget-posts">
            <article class="elementor-post"><h3><a href="/a">Why fares rose again</a></h3></article>
            <article class="elementor-post"><h3><a href="/b">The bus lane nobody enforces</a></h3></article>
            </div></div></body></html>
            """
        let article = try ArticleParser.parse(html, format: .html)
        #expect(article.title == "Parking levies that pay for buses")
        #expect(article.contributors.map(\.name) == ["Rhiannon Tudur-Jones", "Kwabena Osei-Mensah"])
        #expect(article.sections.map(\.heading) == [nil, "Does it work?"])
        let body = article.sections.flatMap(\.paragraphs)
        #expect(body.contains("It is not popular."))
        #expect(!body.joined().contains("Costings for six cities"))
    }

    @Test("where a byline's writers filed from is not a name: 'By A and B in Leeds'")
    func bylinePlace() throws {
        let text = """
            Parking levies that pay for buses

            By Rhiannon Tudur-Jones and Kwabena Osei in Leeds

            A workplace parking levy charges employers for each space they provide, and the money goes to public transport.

            Where it has been tried, the levy has paid for new tram lines and more frequent buses within a few years.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == ["Rhiannon Tudur-Jones", "Kwabena Osei"])
    }

    @Test("a note tool's export: the properties under the title are metadata, callouts and an image's credit")
    func notionExport() throws {
        let markdown = """
            # Deposit schemes for coffee cups

            Status: Published
            Author: Saoirse Ní Dhonnchadha, Bartholomew Achebe-Lund
            Publication: The Refill Review
            Publish date: May 6, 2025
            Created: April 28, 2025 9:12 AM
            Tags: Waste, Packaging

            <aside>
            💡 Check the Dutch figures with the ministry before this goes out.

            </aside>

            ![Photo: Cups stacked at a return point in Utrecht (Femke Dijkstra for The Refill Review)](Deposit%20schemes/cups.jpg)

            A deposit on a takeaway cup changes behaviour only if returning it is easier than binning it.

            ## Where it worked

            Cities that put return points in every station saw most cups come back within a year.

            ---

            *Saoirse Ní Dhonnchadha is a reporter for The Refill Review.*

            *Bartholomew Achebe-Lund is an economist who studies packaging regulation.*

            - Fact-check notes

                Figures checked against the municipal waste report.
            """
        let article = try ArticleParser.parse(markdown, format: .markdown)
        #expect(article.title == "Deposit schemes for coffee cups")
        #expect(article.contributors.map(\.name) == ["Saoirse Ní Dhonnchadha", "Bartholomew Achebe-Lund"])
        #expect(article.contributors.allSatisfy { !$0.bio.isEmpty })
        #expect(article.publication == "The Refill Review")
        #expect(article.publishedAt.map { Timestamp.text($0).prefix(10) } == "2025-05-06")
        #expect(article.imageCredit?.hasSuffix("(Femke Dijkstra for The Refill Review)") == true)
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(!body.contains("Dutch figures"))
        #expect(!body.contains("Tags:"))
        #expect(!body.contains("Figures checked"))
    }

    @Test("a menu copied as a list, a kicker over the title, and 'Most read this week' stay out")
    func menuAndKicker() throws {
        let text = """
               Skip to content
               Tillage

               Farm policy, row by row

                 * Home
                 * Grain
                 * Dairy
                 * Land & water
                 * About us

               Most read this week
               1. The fertiliser price nobody forecast
               2. Why co-ops are merging

               ANALYSIS

            Who pays for the hedges? What the new stewardship rules ask of tenant
            farmers

               By Ciarán Ó Flaithearta
               June 3, 2025

            Tenant farmers are being asked to plant and keep hedges on land they may not farm in ten years' time.
            The new rules pay for the planting but not for the decades of upkeep that follow.
            Who keeps the hedge?
            The landlord owns the land, but the tenant holds the agreement, and the rules are silent on who inherits the duty.
            """
        let article = try ArticleParser.parse(
            text, format: .text, sourceURL: "https://tillage.example/2025/06/03/who-pays-for-the-hedges-stewardship-tenant-farmers/")
        #expect(article.title == "Who pays for the hedges? What the new stewardship rules ask of tenant farmers")
        let body = article.sections.flatMap(\.paragraphs) + article.sections.compactMap(\.heading)
        for junk in ["Grain", "Dairy", "Land & water", "The fertiliser price nobody forecast", "ANALYSIS"] {
            #expect(!body.contains(junk), "\(junk) is not the article's")
        }
    }
}

@Suite("Page shapes: how a page names its publication")
struct PublicationShapeTests {
    func publication(_ text: String, format: SourceFormat = .text) throws -> String? {
        try ArticleParser.parse(text, format: format, sourceURL: "https://example.org/2025/patch-and-mend").publication
    }

    static let body = """
        Councils are spending more on emergency repairs every winter, and less on the planned resurfacing that prevents them.

        The gap widens each year the budget is set one year at a time.
        """

    @Test("the site's name beside its footer links, or describing itself, names the publication")
    func footerAndSelfDescription() throws {
        let footer = "Patch and Mend\n\nBy Ana Ruiz\n\n\(Self.body)\n\nLedger North\nContact · Imprint · Privacy\n"
        #expect(try publication(footer) == "Ledger North")
        let described =
            "Patch and Mend\n\nBy Ana Ruiz\n\n\(Self.body)\n\nLedger North is an independent magazine published by the Moor Trust.\n"
        #expect(try publication(described) == "Ledger North")
    }

    @Test("a newsletter's name over its subscribe button; not 'Copyright Policy' or the authors' copyright")
    func newsletterName() throws {
        let text = """
            Patch and Mend
            Kerbside
            Notes on the street and who pays for it
            2,410 subscribers
            Subscribe
            Ana Ruiz
            \(Self.body)
            Copyright Policy
            © The Author(s), 2025
            """
        #expect(try publication(text) == "Kerbside")
    }

    @Test("a name's initials on the page count for the full name; a caption's '©' line joins it")
    func initialsAndCopyrightCredit() throws {
        let text = """
            Low water, high costs
            By Ana Ruiz
            Cover photo: Barges on the Rhine near Kaub at low water.
            © Lieke Vos / RNO
            Councils are spending more on emergency repairs every winter, and less on the planned resurfacing that prevents them.
            The gap widens each year the budget is set one year at a time, and the roads get worse.
            RNO
            Published by the Rhine Navigation Observatory.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.publication == "Rhine Navigation Observatory")
        #expect(article.imageCredit == "Barges on the Rhine near Kaub at low water. © Lieke Vos / RNO")
    }

    @Test("the site's own short name, not the company behind it; a short <title> name the page writes out in full")
    func shortAndFullNames() throws {
        let company = """
            <html><head><title>Patch and Mend | Milestone</title><meta property="og:site_name" content="Milestone"></head>
            <body><article><h1>Patch and Mend</h1><p>By Ana Ruiz</p>
            <p>Councils are spending more on emergency repairs every winter, and less on resurfacing.</p></article>
            <footer><p>© 2025 Milestone Road Economics Ltd. All rights reserved.</p></footer></body></html>
            """
        #expect(try publication(company, format: .html) == "Milestone")
        let full = """
            <html><head><title>Patch and Mend | Fenwick Institute</title></head>
            <body><article><h1>Patch and Mend</h1><p>By Ana Ruiz</p>
            <p>Councils are spending more on emergency repairs every winter, and less on resurfacing.</p>
            <p>Ana Ruiz is a fellow at the Fenwick Institute for Local Finance.</p></article>
            <footer><p>Fenwick Institute for Local Finance</p></footer></body></html>
            """
        #expect(try publication(full, format: .html) == "Fenwick Institute for Local Finance")
    }
}

@Suite("Page shapes: the web address spells the publication")
struct SiteLabelTests {
    @Test("the site's label in a URL, past www, two-part suffixes and a platform's own domain")
    func siteLabels() {
        #expect(LineShapes.siteLabel("https://www.casenote.org.uk/hospitals/x") == "casenote")
        #expect(LineShapes.siteLabel("https://coolingload.substack.com/p/every-litre") == "coolingload")
        #expect(LineShapes.siteLabel("https://www.linkedin.com/pulse/paying-by-the-mile") == nil)
        #expect(LineShapes.siteLabel("https://corridor-institute.eu/briefs/x") == "corridorinstitute")
        #expect(LineShapes.spells("tamarackherald", "The Tamarack Herald"))
        #expect(LineShapes.spells("nordhavninstitute", "Nordhavn Institute for Economic Security"))
        #expect(LineShapes.spells("mrpc", "Mediterranean Resource Policy Centre"))
        #expect(!LineShapes.spells("casenote", "Hospitals"))
    }

    @Test("a dated web address dates a page that gives no date of its own")
    func urlDate() throws {
        #expect(LineShapes.urlDate("https://example.org/2025/08/14/who-pays/").map(Timestamp.day) == "2025-08-14")
        #expect(LineShapes.urlDate("https://example.org/news/2025-03-02-fares-rise").map(Timestamp.day) == "2025-03-02")
        #expect(LineShapes.urlDate("https://example.org/2025/02/31/not-a-day/") == nil)
        #expect(LineShapes.urlDate("https://example.org/reports/2025/fares") == nil)
        let text = """
            Patch and Mend: what councils spend on potholes
            By Ana Ruiz
            Councils are spending more on emergency repairs every winter, and less on the planned resurfacing that prevents them.
            The gap widens each year the budget is set one year at a time, and the roads get worse.
            """
        let article = try ArticleParser.parse(text, format: .text, sourceURL: "https://example.org/2025/08/14/patch-and-mend/")
        #expect(article.publishedAt.map(Timestamp.day) == "2025-08-14")
    }

    @Test("a masthead line the URL spells is the publication, where the line alone would not be enough")
    func domainEvidence() throws {
        let text = """
            Harbour Notes
            Patch and Mend: what councils spend on potholes
            By Ana Ruiz
            Councils are spending more on emergency repairs every winter, and less on the planned resurfacing that prevents them.
            The gap widens each year the budget is set one year at a time, and the roads get worse.
            """
        let without = try ArticleParser.parse(text, format: .text)
        #expect(without.publication == nil)
        let with = try ArticleParser.parse(text, format: .text, sourceURL: "https://www.harbournotes.org.uk/2025/patch-and-mend")
        #expect(with.publication == "Harbour Notes")
        #expect(with.decisions.contains { $0.subject == "publication" && $0.reason.contains("web address") })
    }
}

@Suite("Page shapes: Markdown saved as text, and several bios in one paragraph")
struct MarkdownAsTextTests {
    @Test("HTML entities in a Markdown file's raw HTML: numeric, named from libxml2's table, unknown ones kept")
    func entities() {
        #expect(HTMLEntities.decode("A &amp; B &middot; &Eacute;cole &#8217; &#x2014; &hellip; &bogus; &amp") == "A & B · École ’ — … &bogus; &amp")
    }

    @Test("a clipped page's title keeps its site after ' | ' only when the address spells it")
    func clippedTitle() throws {
        let markdown = """
            ---
            title: "Should shops take cash? | Counterfoil"
            source: https://counterfoil.eu/analysis/should-shops-take-cash/
            author: Ana Ruiz
            ---

            # Should shops take cash? | Counterfoil

            Sweden and Ireland have moved to protect the right to pay in notes and coins, and others are watching.

            The evidence on what happens to small shops next is thinner than either side admits.
            """
        let article = try ArticleParser.parse(markdown, format: .markdown)
        #expect(article.title == "Should shops take cash?")
        #expect(article.publication == "Counterfoil")
        #expect(LineShapes.siteAfterTitle("Pay and grading | Part 2", url: "https://counterfoil.eu/x") == nil)
    }

    @Test("a .txt holding Markdown (a '# Title' and more headings) is read as Markdown")
    func sniffing() {
        let markdown = "# Deposit schemes for cups\n\nText.\n\n## Where it worked\n\nMore.\n\n## What next\n\nEnd.\n"
        #expect(SourceFormat.of(fileName: "cups.txt", contents: markdown) == .markdown)
        #expect(SourceFormat.of(fileName: "cups.txt", contents: "Deposit schemes\n\n#41 in a series\n") == .text)
        #expect(SourceFormat.of(fileName: "cups.txt", contents: "## One\n\n## Two\n\n## Three\n") == .text)
    }

    @Test("one paragraph introducing two contributors gives each their own bio")
    func twoBiosInOneParagraph() throws {
        let text = """
            Parking levies that pay for buses

            A workplace parking levy charges employers for each space they provide, and the money goes to public transport.

            Where it has been tried, the levy has paid for new tram lines and more frequent buses within a few years.

            * * *

            Rhiannon Tudur-Jones is a senior fellow at the Wayfare Trust and previously worked on transport budgets at a combined authority. Kwabena Osei is a research fellow who studies local taxation. The views expressed here are their own.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == ["Rhiannon Tudur-Jones", "Kwabena Osei"])
        #expect(article.contributors.first?.bio.hasPrefix("Rhiannon Tudur-Jones is a senior fellow") == true)
        #expect(article.contributors.last?.bio.hasPrefix("Kwabena Osei is a research fellow") == true)
        #expect(LineShapes.headlineListLabel("Related commentary"))
        #expect(!LineShapes.headlineListLabel("Elsewhere in Europe"))
    }
}

@Suite("Page shapes: mail printouts, captions and comments")
struct MailAndCommentShapeTests {
    @Test("a webmail printout's headers are not the title; a caption's credit on the next line joins it")
    func webmailPrintout() throws {
        let text = """
            06/10/2025, 08:52                     Gmail - [transport-notes] Fares after the freeze

            Gmail                                                Ana Ruiz <ana.ruiz@example.org>

            [transport-notes] Fares after the freeze
            1 message

            Transport Notes <notes@lists.example.org>                      Mon, 6 Oct 2025 at 07:15
            Reply-To: notes@lists.example.org
            To: transport-notes@lists.example.org

            Fares after the freeze: what happens when the cap on bus fares ends

            Header image: A bus at the terminus in Keswick.
            Photo: Malin Ekström-Diallo

            The cap on single bus fares ends in December, and operators have already filed the fares they will charge.

            Most of the rises fall on rural routes, where a single ticket will cost more than twice what it does now.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.title == "Fares after the freeze: what happens when the cap on bus fares ends")
        #expect(article.imageCredit == "A bus at the terminus in Keswick. Photo: Malin Ekström-Diallo")
        #expect(!article.sections.flatMap(\.paragraphs).joined().contains("<notes@lists.example.org>"))
    }

    @Test("a mail saved with its quoted-printable encoding left in is decoded")
    func quotedPrintable() throws {
        let text = """
            Subject: The Rota #12
            From: The Rota <rota@example.org>

            Four days, same work? What the pilots measured

            By Ana Ruiz

            Only one team =E2=80=94 a repairs crew in Kildare =E2=80=94 had a comparison group that stayed on five days.

            =E2=80=9CThat isn=E2=80=99t a four-day week,=E2=80=9D one care worker said. =E2=80=9CIt is five days with one missing.=E2=80=9D
            """
        let body = try ArticleParser.parse(text, format: .text).sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(body.contains("Only one team — a repairs crew in Kildare — had"))
        #expect(body.contains("“That isn’t a four-day week,” one care worker said."))
        #expect(!body.contains("=E2"))
        // Fewer than three such sequences are left as written: "x=C3=A9" in a formula is not an encoding.
        #expect(PlainTextReader.quotedPrintableDecoded("a=C3=A9 and b") == "a=C3=A9 and b")
    }

    @Test("'41 Comments' starts the comment thread; reaction counts are not text")
    func commentThread() throws {
        let text = """
            Fares after the freeze
            By Ana Ruiz
            The cap on single bus fares ends in December, and operators have already filed the fares they will charge.
            Most of the rises fall on rural routes, where a single ticket will cost more than twice what it does now.
            What's your reaction?
            Angry (41)
            Sad (12)
            41 Comments
            Idris Whitcombe-Lee
            Commuter, Cumbria
            2w
            The rural routes are the ones with no alternative at all, so this is the worst place to put the rises.
            Like
            Reply
            """
        let article = try ArticleParser.parse(text, format: .text)
        let body = article.sections.flatMap(\.paragraphs)
        #expect(body.count == 2)
        #expect(!body.contains { $0.contains("no alternative at all") || $0.hasPrefix("Angry") })
    }
}

@Suite("Page shapes: narrow columns, notes, cards and platforms")
struct ColumnAndCardShapeTests {
    @Test("a PDF's narrow column under a full-width cover page is rejoined; ligatures, an alternating running header, notes under a rule")
    func narrowColumn() throws {
        let text = """
            Harbour Institute for Ports Policy

            Dredging Ahead:
            Who Pays to Keep Small Ports Open

            Mirela Ionescu∗ and Pádraig Ó Loinsigh†

            ∗
            Mirela Ionescu is a senior fellow at the Harbour Institute for Ports Policy, where she leads the
            Institute’s work on coastal freight.
            †
            Pádraig Ó Loinsigh is an economist at the University of Galway.

            Published by the Harbour Institute for Ports Policy, 4 May 2025

            1 Introduction

            Small ports have to dredge their chan-
            nels every few years, and the bill has
            grown faster than the ﬁnances of the
            councils that own them. In most cases
            the cost falls on harbour dues, which
            the remaining users then pay in full.
            Some ports have stopped dredging alto-
            gether, and the largest vessels now
            wait for the tide before they can enter

            ____________________
            1 Harbour dues are set by each port authority under its own schedule.
            \u{0C}Harbour Institute for Ports Policy
            Ionescu and Ó Loinsigh

            or leave, which costs them a day.

            2 What a shared fund would do

            A shared fund would spread the cost of
            dredging across every port in a region,
            so that no single harbour carries it in
            the year its channel silts up again.
            \u{0C}Harbour Institute for Ports Policy
            Dredging Ahead

            Each port would pay in every year, and
            draw on the fund when its turn comes.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.title == "Dredging Ahead: Who Pays to Keep Small Ports Open")
        #expect(article.sections.map(\.heading) == ["1 Introduction", "2 What a shared fund would do"])
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(body.contains("grown faster than the finances of the councils that own them."), "ligature and wrap undone")
        #expect(body.contains("the largest vessels now wait for the tide before they can enter or leave, which costs them a day."))
        #expect(body.contains("Some ports have stopped dredging altogether"))
        for line in ["Harbour dues are set", "Ionescu and Ó Loinsigh", "____"] {
            #expect(!body.contains(line), "\(line) is page furniture")
        }
        #expect(article.contributors.map(\.name) == ["Mirela Ionescu", "Pádraig Ó Loinsigh"])
        #expect(article.contributors.first?.bio.hasSuffix("where she leads the Institute’s work on coastal freight.") == true)
        #expect(article.contributors.last?.bio == "Pádraig Ó Loinsigh is an economist at the University of Galway.")
    }

    @Test("a platform's author card after the text gives the bio; over the text it is the standfirst's place")
    func authorCard() throws {
        let text = """
            Ferry timetables are a public good
            Why the island routes need a published schedule, not an app.
            Ines Carvalho-Lund
            Follow
            Published in
            Crossing Notes
            ·
            6 min read
            ·
            Mar 3, 2025

            Every island on the route has the same complaint: the ferry runs, but nobody can find out when.

            The operator moved its timetable into an app two years ago and stopped printing it. Visitors manage; older residents without smartphones do not.

            A published schedule costs almost nothing. The contract should require one, on paper and online, a month ahead.

            The council renews the contract next spring, which is the moment to write the requirement in.

            Ferries
            Islands
            Published in Crossing Notes
            2.1K followers
            ·
            Last published 3 days ago
            Notes on getting around the coast, from people who do it every day.
            Written by Ines Carvalho-Lund
            812 followers
            ·
            90 following
            Transport planner on the west coast. I write about ferries, buses and timetables.
            Responses (3)
            Tomas Berg
            Mar 4, 2025
            Our island's timetable was only on a poster in the shop for a year.
            """
        let article = try ArticleParser.parse(text, format: .text, sourceURL: "https://medium.com/crossing-notes/ferry-timetables-are-a-public-good-1a2b3c")
        #expect(article.title == "Ferry timetables are a public good")
        #expect(article.contributors.map(\.name) == ["Ines Carvalho-Lund"])
        #expect(article.contributors.first?.bio == "Transport planner on the west coast. I write about ferries, buses and timetables.")
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        for line in ["Notes on getting around the coast", "Our island's timetable", "Transport planner"] {
            #expect(!body.contains(line), "\(line) is the platform's, not the text")
        }
    }

    @Test("the publication from a picture made for it, an issue masthead, 'X is written by', a logo link, a platform's publisher")
    func publicationEvidence() throws {
        let credit = try ArticleParser.parse(
            """
            Nets and quotas

            The quota system has moved the value of the catch away from the harbours that land it, and the boats know it.

            Photograph: Lê Minh for Tideline

            Inshore boats land most of the fish and hold little of the quota, which sits with a few large firms.

            A community reserve would hold some quota for each harbour, leased only to boats that land there.
            """, format: .text, sourceURL: "https://tidelinemag.example/longreads/nets-and-quotas")
        #expect(credit.publication == "Tideline")
        let mail = try ArticleParser.parse(
            """
            From: Ilse at The Shift <shift@calderwork.example>
            Subject: The Shift #12 · Night buses are a labour policy
            Date: 5 June 2025 at 07:00

            ** THE SHIFT
            Issue 12 · Thursday 5 June 2025

            ** Night buses are a labour policy

            Cleaners, carers and kitchen staff finish work after the last bus, and the cost of getting home falls on them.

            A night network would cost the region less than the overtime it pays to cover late shifts.

            The Shift is written by the Calder Institute for Work and sent every other Thursday.
            Copyright © 2025 Calder Institute for Work, All rights reserved.
            """, format: .text)
        #expect(mail.title == "Night buses are a labour policy")
        #expect(mail.publication == "The Shift")
        let html = try ArticleParser.parse(
                """
                <html><head><title>Paying twice | by Ana Ruiz | Fine Print Weekly | Medium</title>
                <meta property="og:site_name" content="Medium">
                <script type="application/ld+json">{"@type":"NewsArticle","headline":"Paying twice","publisher":{"@type":"Organization","name":"Fine Print Weekly"},"author":{"@type":"Person","name":"Ana Ruiz"}}</script>
                </head><body><article><h1>Paying twice</h1>
                <p>Subscribers to two services owned by one company pay for the same catalogue twice, and few of them know it.</p>
                <p>A bundle rule would let them cancel one without losing what they bought through it.</p>
                </article></body></html>
                """, format: .html)
        #expect(html.publication == "Fine Print Weekly")
    }
}

/// Shapes a saved page takes once a browser flattens it to text (select all, copy): the page's
/// related-post cards, its contents list and its lists lose their markup and are only lines.
@Suite("Page shapes: a page flattened to text")
struct FlattenedPageShapeTests {
    @Test("related posts as cards (headline, teaser, date) under the text are not its sections, and their dates are not its date")
    func relatedCards() throws {
        let text = """
            Why coastal buyouts keep stalling

            By Idris ap Gwilym

            Councils offer to buy homes on eroding coasts, and almost nobody sells, because the offer is set by a valuation the owners cannot challenge.

            An independent panel could set the price, using sales from before the erosion maps were published, so that owners are not paid for a loss they did not cause.

            The cheapest reform is the least glamorous: publish the maps first, and the offers after.

            More from Tide Line
            Flood Re is not an adaptation plan
            A reinsurance pool can keep premiums down for a while. It cannot keep the water out.
            July 8, 2024
            In "Flood risk & insurance"
            The shoreline map nobody reads
            Shoreline management plans are public documents. Almost nobody has opened one.
            June 2, 2023
            In "Coastal change"
            Who owns an eroding field?
            Property law and the slow loss of land to the sea.
            February 14, 2024
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.sections.compactMap(\.heading).isEmpty)
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        for line in ["A reinsurance pool", "Shoreline management plans are public", "Property law and the slow loss"] {
            #expect(!body.contains(line), "\(line) is another post's teaser")
        }
        #expect(article.publishedAt == nil, "a related post's date is not the article's")
    }

    @Test("a related list set straight over the article's next heading ends before it: the heading is the article's")
    func relatedListOverHeading() throws {
        let text = """
            Harbour dues are pricing out the small boats
            By Ruth Penhallow
            Fishing crews in the smaller Cornish harbours now pay more in dues per tonne landed than the trawlers in Newlyn, because the charge is set per berth and not per catch.
            The harbour trusts say they have no choice: their breakwaters are old, and the grants that once paid for repairs have ended.
            Read more
            The quota swap that nobody asked for
            3 min read
            What would a fairer charge look like?
            A charge per tonne landed, with a floor for the berth itself, would let a boat that has a bad month pay for a bad month, and the trusts would still know their minimum income.
            Two trusts have tried it for a season, and both say their income held up while fewer boats left for bigger ports.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.sections.compactMap(\.heading) == ["What would a fairer charge look like?"])
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(!body.contains("The quota swap"), "another article's headline")
    }

    @Test("sections counted by letters or Roman numerals, three or more in order, are headings, even under a 'Read more' link; one alone is not")
    func letteredSections() throws {
        let paragraph = "The ministry publishes the figures each quarter, and each quarter they show the same thing: the money reaches the districts that already had the most staff to apply for it."
        let text = """
            Where the school repair fund goes
            By Tomasz Wilk
            \(paragraph)
            A. What the fund pays for
            \(paragraph)
            Read more
            B. Who applies
            \(paragraph)
            C. What would change it
            \(paragraph)
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.sections.compactMap(\.heading) == ["A. What the fund pays for", "B. Who applies", "C. What would change it"])
        #expect(LineShapes.sectionOrdinals("IV. Costs").map(\.number) == [4])
        #expect(LineShapes.sectionOrdinals("I. Introduction").map(\.number) == [9, 1])
        #expect(LineShapes.sectionOrdinals("IIV. Costs").isEmpty)
        #expect(LineShapes.sectionOrdinals("J. Smith replies to the minister.").isEmpty)
    }

    @Test("a date in capitals ('MAR 11, 2025', '06:00, 26 MAR 2025') dates the article")
    func capitalMonths() throws {
        for (line, day) in [("MAR 11, 2025", "2025-03-11"), ("06:00, 26 MAR 2025 Updated 09:42, 26 MAR 2025", "2025-03-26")] {
            let article = try ArticleParser.parse(
                """
                Paying for antibiotics we hope never to use

                Sunniva Grøtte and Ignacio del Pozo
                \(line)

                Subscription contracts for new antibiotics pay developers for access to a drug, not for the doses sold, which is the point of keeping it in reserve.

                England's scheme is the most developed; Japan and Canada are testing their own.
                """, format: .text)
            #expect(article.publishedAt.map { Timestamp.day($0) } == day, "\(line)")
            #expect(article.contributors.map(\.name) == ["Sunniva Grøtte", "Ignacio del Pozo"], "\(line)")
        }
        // Lower case is a verb, not a month.
        #expect(DateMention.all(in: "we may 2025 be wrong").allSatisfy { $0.precision == .year })
    }

    @Test("a caption ending 'Photo credit: X (CC BY-SA 4.0)' or '(Name / Paper)' gives the picture's credit")
    func captionCredits() throws {
        for caption in [
            "A communal plant room serving 240 flats in north Glasgow. Photo credit: Ruaridh MacIntyre (CC BY-SA 4.0)",
            "Students seal their phones in lockable pouches before first period. (Delphine Ravenscroft / The Ohio Valley Courier)",
        ] {
            let article = try ArticleParser.parse(
                """
                Locked into the pipes: what heat network regulation has to fix

                By Zsófia Kertész

                \(caption)

                If you rent a flat on a heat network, you cannot switch supplier, and until this year nobody regulated the price you paid.

                The new rules cap what a network may charge against a benchmark, but the benchmark is set by the networks' own costs.
                """, format: .text)
            #expect(article.imageCredit == caption)
            let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
            #expect(!body.contains(String(caption.prefix(30))))
        }
    }

    @Test("lines set together in text of spaced paragraphs are a list, not headings; a one-word entry closes a contents list")
    func listsAndContents() throws {
        let text = """
            Paying not to be tracked

            By Elin Sandberg

            On this page
            What consent or pay means
            Who pays now?
            What regulators could ask
            Recommendations

            What consent or pay means

            A site that offers a choice between tracking and a fee has to make both options fair, which regulators have begun to test against four questions.

            Is there a free option without behavioural profiling, even if it carries contextual ads?
            Is the price set by reference to the revenue actually lost?
            Can users switch between options as easily as they first chose?
            Does the paid option end profiling, or only the visible adverts?

            None of these requires a ban, and each can be checked from the outside.

            Who pays now?

            The reader who declines tracking pays in money, and the one who accepts pays in data, and neither is told what the other option costs the site.

            What regulators could ask

            There is no need to ban the model outright: the authorities that enforce the data rules can test each site's offer against the four questions.

            Recommendations

            Regulators should publish the four tests and apply them to the largest sites first, where the choice reaches most people.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.sections.compactMap(\.heading) == ["What consent or pay means", "Who pays now?", "What regulators could ask", "Recommendations"])
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(body.contains("Is there a free option without behavioural profiling, even if it carries contextual ads?"))
        #expect(body.contains("Does the paid option end profiling, or only the visible adverts?"))
        #expect(!body.contains("On this page"))
    }

    @Test("the publication from a copyright line with its registration after it, a caption's 'Credit: X for Paper', a blog's name over 'The blog of …'")
    func publicationLines() throws {
        let body = """

            Europe holds almost no stock of the metals its chip and defence plants need, and a stockpile would take a decade to fill at today's prices.

            A joint purchasing agency could buy when prices fall and release stock when they spike, as the oil reserves have done since the 1970s.

            """
        let copyright = try ArticleParser.parse(
            "Gallium in the cupboard\n\nBy Chidinma Eze-Nwosu\n" + body
                + "Footer\nOur people\nCareers\nContact\n\n© 2025 Nordhavn Institute for Economic Security. CVR no. 41 27 38 90.\n",
            format: .text)
        #expect(copyright.publication == "Nordhavn Institute for Economic Security")
        let caption = try ArticleParser.parse(
            "The next debt crisis will not look like the last one\n\nBy Ana Ruiz\n\n"
                + "Container ships anchored off Colombo. Credit: Ishara Wickramasinghe for The Continental Post\n" + body
                + "© 2025 The Continental Post Company. All rights reserved.\n",
            format: .text)
        #expect(caption.publication == "The Continental Post", "the paper, not its company")
        let blog = try ArticleParser.parse(
            "All Northmoor blogs\n\nPolicy at Halden\n\nThe blog of the Halden School of Public Policy, University of Northmoor\n\n"
                + "Why waiting lists won't shrink on money alone\n\nBy Ingrid Ólafsdóttir\n" + body
                + "© 2025 University of Northmoor. Registered charity no. 1139087.\n",
            format: .text)
        #expect(blog.publication == "Policy at Halden")
    }

    @Test("a byline after its date with a comment counter, and a names line over a dateline of places")
    func datedBylines() throws {
        let text = """
            The levy employers leave on the table: why apprenticeship funds keep expiring
            11 February 2025 by Gwenllian Pryce and Dariusz Zając 3 Comments

            Every month, a few hundred large employers in England watch part of their apprenticeship levy quietly expire, because they cannot find the training to spend it on.

            Transfers to smaller firms were meant to fix this, but a transfer needs a firm that knows who to ask, and few do.
            """
        let levy = try ArticleParser.parse(text, format: .text)
        #expect(levy.title == "The levy employers leave on the table: why apprenticeship funds keep expiring")
        #expect(levy.contributors.map(\.name) == ["Gwenllian Pryce", "Dariusz Zając"])
        #expect(levy.publishedAt.map { Timestamp.day($0) } == "2025-02-11")
        let dateline = try ArticleParser.parse(
            """
            Paid not to burn, Punjab's farmers say the money arrives after the fields are sown
            Navneet Kaur Grewal & Siddharth D'Souza
            Sangrur/New Delhi | Updated: Oct 15, 2025 11:20 IST

            Three weeks into the paddy harvest, farmers who manage their straw without fire are owed ₹2,500 an acre, and none has been paid.

            The inspections that release the money come after the wheat is sown, which is when the fires have already been lit.
            """, format: .text)
        #expect(dateline.contributors.map(\.name) == ["Navneet Kaur Grewal", "Siddharth D'Souza"])
        #expect(dateline.publishedAt.map { Timestamp.day($0) } == "2025-10-15")
    }
}

@Suite("Page shapes: blog platforms and office documents as HTML")
struct PlatformHTMLShapeTests {
    @Test("a blog wrapped in widgets keeps its post, marked by microdata; its feeds name the site")
    func bloggerWidgets() throws {
        let html = """
            <!DOCTYPE html><html><head>
            <title>Workbench Notes: Waiting time is work</title>
            <link rel="alternate" type="application/atom+xml" title="Workbench Notes - Atom" href="/feeds/posts/default">
            <link rel="alternate" type="application/rss+xml" title="Workbench Notes - RSS" href="/feeds/posts/default?alt=rss">
            </head><body>
            <div class="main section" id="main"><div class="widget Blog" id="Blog1">
            <div class="post hentry" itemprop="blogPost" itemscope itemtype="http://schema.org/BlogPosting">
            <h3 class="post-title">Waiting time is work</h3>
            <div class="post-body entry-content" itemprop="description articleBody">
            <div>The draft counts only the time between accepting a task and finishing it, so the minutes a rider spends logged in and waiting for an offer earn nothing.</div>
            <h3>What the draft misses</h3>
            <div>Waiting is when the platform needs riders most, because it is how orders are delivered fast, and the guarantee should pay for it at the same rate.</div>
            </div>
            <div class="post-share-buttons"><a href="#">Share to X</a></div>
            </div></div></div>
            </body></html>
            """
        let article = try ArticleParser.parse(html, format: .html)
        #expect(article.title == "Waiting time is work")
        #expect(article.sections.compactMap(\.heading) == ["What the draft misses"])
        #expect(article.publication == "Workbench Notes")
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(body.contains("earn nothing."))
        #expect(!body.contains("Share to X"))
    }

    @Test("a Word page's headings inside bookmark anchors are headings, not links")
    func wordAnchors() throws {
        let html = """
            <html><head><title>Pricing heat fairly</title></head><body>
            <p class=MsoTitle>Pricing heat fairly</p>
            <h1><a name="_Toc190411201"><span lang=EN-GB>Summary</span></a></h1>
            <p class=MsoNormal>A heat network is a natural monopoly: once a building is connected, its residents cannot switch supplier, and nobody regulates the price.</p>
            <h1><a name="_Toc190411202"><span lang=EN-GB>What other countries do</span></a></h1>
            <p class=MsoNormal>Denmark caps prices at cost, and the Netherlands ties them to what the gas alternative would have cost a household.</p>
            </body></html>
            """
        let article = try ArticleParser.parse(html, format: .html)
        #expect(article.sections.compactMap(\.heading) == ["Summary", "What other countries do"])
    }
}

@Suite("Page shapes: press releases and government news")
struct ReleaseShapeTests {
    @Test("a wire's release: the issuer is the publication, its 'About …' and media contact are closing matter, the share bar is chrome")
    func wireRelease() throws {
        let text = """
            PR Continental
            News
            Send a Release
            FOR IMMEDIATE RELEASE
            Levy Would Shift Steel Imports Away From High-Emission Producers, Study Finds
            NEWS PROVIDED BY
            Institute for European Trade Studies
            03 Mar, 2026, 09:00 CET
            SHARE THIS ARTICLE
            Facebook  X  LinkedIn  Email

            BRUSSELS, 3 March 2026 /PRContinental/ -- The carbon border levy will move around €4 billion a year of steel imports away from the most emission-intensive producers, a study published today finds.

            The study models trade flows in the levy's first three years and finds that exporters in lower-income countries face the sharpest change.

            "Measurement is the bottleneck," said one of its authors. "Many exporters could show lower emissions than the default values, but few can verify them."

            About the Institute for European Trade Studies

            The Institute for European Trade Studies is an independent, non-profit research institute based in Brussels.

            Media contact:
            Camille Rousseau-Adeyemi
            press@iets.example

            ###
            SOURCE Institute for European Trade Studies

            © 2026 PR Continental SA. All rights reserved.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.title == "Levy Would Shift Steel Imports Away From High-Emission Producers, Study Finds")
        #expect(article.publication == "Institute for European Trade Studies")
        #expect(article.sections.compactMap(\.heading).isEmpty)
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        for line in ["Facebook", "About the Institute", "is an independent, non-profit", "Camille"] {
            #expect(!body.contains(line), "\(line) is not the release's text")
        }
    }

    @Test("a government portal's page: an organisation as JSON-LD author is the publication, no contributor; 'Notes to editors' is not a section")
    func governmentNews() throws {
        let html = """
            <!DOCTYPE html><html><head><title>Water fund opens - GOV.UK</title>
            <meta property="og:site_name" content="GOV.UK">
            <script type="application/ld+json">{"@context":"http://schema.org","@type":"NewsArticle","headline":"Water fund opens with simpler rules","datePublished":"2026-03-04T09:30:00+00:00","publisher":{"@type":"Organization","name":"GOV.UK"},"author":{"@type":"Organization","name":"Department for Water and Rural Resilience"}}</script>
            </head><body><main>
            <h1>Water fund opens with simpler rules</h1>
            <p>An £85 million fund for rural flood and drought projects opens today, with a light-touch route for bids of up to £100,000 from community groups.</p>
            <h2>What is changing</h2>
            <p>Three grants become one, with a single application form, and small bids are assessed within eight weeks rather than six months.</p>
            <h2>Who can apply</h2>
            <p>Parish councils, community groups and farm clusters in rural areas can apply, alone or with a water company as a partner.</p>
            <h3>Notes to editors</h3>
            <ul><li>The fund replaces the Rural Flood Grant and two smaller grants for private supplies and drought planning.</li>
            <li>Funding covers the next two financial years.</li></ul>
            </main></body></html>
            """
        let article = try ArticleParser.parse(html, format: .html)
        #expect(article.publication == "Department for Water and Rural Resilience")
        #expect(article.contributors.isEmpty)
        #expect(article.sections.compactMap(\.heading) == ["What is changing", "Who can apply"])
    }
}

@Suite("Page shapes: reader apps and newsletter e-mails")
struct ReaderAppShapeTests {
    @Test("an article copied from a feed reader: the feed's name, a bracketed picture, the next articles and the shortcuts")
    func feedReader() throws {
        let text = """
            Fernleaf Reader
            All items
            Unread 214
            The Adaptation Brief
            19 Feb 2026, 07:30 · 7 min read
            Mark as read   Star   Saved   Share   Open original
            Flood insurance is quietly redrawing the map of where we can live
            By Hamid Rezaei and Kerstin Lindqvist

            [Image: Flooded farmland outside Carlisle after the January storms. Photo: Rowan Pike]

            Premiums in the riskiest postcodes have doubled in five years, and some homes can no longer be insured at any price once the reinsurance scheme ends.

            Where insurance goes, mortgages follow: a lender will not lend on a house it cannot see insured, and the buyers who can pay cash are few.

            None of this argues against pricing risk. It argues for deciding, on purpose, who bears the cost of adjusting to it.

            Subscribe to The Adaptation Brief · Unsubscribe from this feed
            Next article
            Grid Notes · 3h
            The heat-pump installer shortage, county by county
            Installers are concentrated in the south-east, and the waiting lists show it...
            Keyboard shortcuts: j / k next / previous · m mark as read · s save
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.title == "Flood insurance is quietly redrawing the map of where we can live")
        #expect(article.imageCredit == "Flooded farmland outside Carlisle after the January storms. Photo: Rowan Pike")
        #expect(article.publication == "The Adaptation Brief")
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        for line in ["installer shortage", "Installers are concentrated", "Keyboard shortcuts", "Unsubscribe"] {
            #expect(!body.contains(line), "\(line) is the reader app's")
        }
        #expect(article.sections.compactMap(\.heading).isEmpty)
    }

    @Test("a newsletter e-mail whose <title> names the newsletter: the organisation that sends it is the publication; 'Also this week' lists other items")
    func newsletterOfOrganisation() throws {
        let html = """
            <!DOCTYPE html><html><head><title>Free hours, missing places | Fairhaven Weekly Briefing</title></head><body>
            <table><tr><td>
            <h1>Free hours, missing places</h1>
            <p>By Dr Rosalind Achterberg</p>
            <p>From September, working parents of children from nine months old are entitled to thirty funded hours of childcare a week, if they can find a place.</p>
            <p>Our survey of nurseries and childminders found that one in four has no room for a baby, and fewer than half expect to take more.</p>
            <p>Rosalind Achterberg leads the Fairhaven Policy Centre's work on early years and family policy.</p>
            <h3>Also this week</h3>
            <p>Universal credit and the childcare cap: a worked example</p>
            <p>We're hiring: Research Assistant, Family Policy (closes 13 March)</p>
            <p>Copyright © 2026 Fairhaven Policy Centre, All rights reserved.</p>
            </td></tr></table></body></html>
            """
        let article = try ArticleParser.parse(html, format: .html)
        #expect(article.publication == "Fairhaven Policy Centre")
        #expect(article.sections.compactMap(\.heading).isEmpty)
        #expect(article.contributors.first?.bio.hasPrefix("Rosalind Achterberg leads") == true)
    }
}

@Suite("Page shapes: a web page printed to PDF")
struct PrintedPageShapeTests {
    @Test("a browser's print header and footer on every page are furniture; a sentence across the break is one; prose that mentions 'every weekday morning' is prose")
    func printHeaders() throws {
        func page(_ number: Int) -> String {
            "https://www.healthwisereview.example/analysis/2026/01/gp-waits \(number)/3\n14/01/2026, 16:32 GP waits are a workforce problem, not a booking problem | Healthwise Policy Review\n"
        }
        let text = """
            14/01/2026, 16:32 GP waits are a workforce problem, not a booking problem | Healthwise Policy Review

            GP waits are a workforce problem, not a booking problem

            By Aoife Brennan-Okoye

            Every weekday morning at eight o'clock, hundreds of thousands of people in England pick up
            the phone to their GP practice and wait. The lucky ones get through before the day's
            appointments are gone. The rest are told to try again tomorrow, or pointed to an online form.

            Appointment data show that practices are delivering more consultations than ever, around 30
            million a month on recent figures, well above pre-pandemic levels. Demand, however, has grown

            \(page(1))
            faster still. An ageing population with more long-term conditions needs more frequent and
            longer contact with primary care, and the share of patients with several conditions has risen.

            The number of fully qualified GPs per head has fallen for a decade, while the list of tasks
            moved out of hospitals and into practices has grown every year, with no matching budget.

            \(page(2))
            Booking systems can share out the appointments there are; they cannot make more of them,
            and until the workforce grows the morning queue will simply move somewhere else.
            \(page(3))
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.title == "GP waits are a workforce problem, not a booking problem")
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(body.contains("The lucky ones get through before the day's appointments are gone."))
        #expect(body.contains("Demand, however, has grown faster still."))
        #expect(!body.contains("16:32"))
        #expect(!body.contains("healthwisereview.example"))
    }
}

@Suite("Page shapes: a typeset working paper")
struct WorkingPaperShapeTests {
    @Test("a LaTeX title block: names set apart by affiliation marks, marks on lines of their own, numbered sections, the series' initials spelled out")
    func latexTitleBlock() throws {
        let text = """
                                Data Localisation Mandates and Cross-Border
                            Services Trade: Evidence from Twenty-Two Economies

                     Yuki Tanabe1∗        Lucía de la Fuente2        Kwame Asante-Boateng1,3

                              1
                                  Centre for Digital Trade Research, University of Eastmoor
                     2
                         Departamento de Economía Aplicada, Universidad de Valdeoro
                               3
                                   West Africa Trade Policy Observatory, Accra

                                                March 9, 2026

            1    Introduction

            Data localisation mandates require that data of a specified kind be stored or processed
            within the territory of the regulating state, and they range from narrow rules for health
            records to broad rules for personal data of every kind.1

            2    Data

            We assemble a dataset of mandates in twenty-two economies between 2012 and 2023, coded
            by the date each took effect and the categories of data it covers.

            1 See, for example, the survey evidence in earlier work on digital trade restrictions.
                                                     2
            CDTR Working Paper No. 2026-03

            3    Empirical approach and results

            We estimate a structural gravity model of the form

                        X = exp(β DL + α + δ + γ) · ε                                    (1)

            where X denotes imports by an economy from an exporter in a service category and year.

                                                     3
            CDTR Working Paper No. 2026-03

            4    Discussion

            Broad mandates carry the largest trade effects, and narrow ones none that we can detect,
            which suggests where trade agreements could usefully draw the line.

            5    Conclusion

            Broad mandates reduce imports of digitally deliverable services; narrow mandates do not.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == ["Yuki Tanabe", "Lucía de la Fuente", "Kwame Asante-Boateng"])
        #expect(
            article.sections.compactMap(\.heading)
                == ["1 Introduction", "2 Data", "3 Empirical approach and results", "4 Discussion", "5 Conclusion"])
        #expect(article.publication == "Centre for Digital Trade Research")
    }
}

@Suite("Page shapes: read-later exports and wikis")
struct ReadLaterShapeTests {
    @Test("a read-later app's Markdown export: its highlights section is not the article's, the masthead's season names the magazine")
    func readLaterExport() throws {
        let markdown = """
            ---
            app: Shelfmark
            exported: 2026-02-09T18:02:44Z
            ---

            # The missing middle is missing for a reason

            - **Saved:** 2 Feb 2026, 21:14
            - **Highlights:** 2

            ---

            Metropolis Quarterly · Housing · Winter 2026

            By Adaeze Nwankwo-Ferreira · January 28, 2026

            Legalising small apartment buildings was meant to unlock a wave of homes, but a building type that is legal is not yet one that pays.

            Small blocks carry the fixed costs of large ones, a lift, a stair, a fire strategy, spread over a dozen flats rather than a hundred.

            Cities can help where it matters: with their own land, and with finance for builders too small for the banks.

            *Adaeze Nwankwo-Ferreira is a housing economist and a contributing editor at Metropolis Quarterly.*

            ## Highlights

            > Small blocks carry the fixed costs of large ones.

            Highlighted on 2 Feb 2026 · Note: use this in the submission

            > Cities can help where it matters.

            Highlighted on 3 Feb 2026

            Exported from Shelfmark
            """
        #expect(LineShapes.issueMasthead("Metropolis Quarterly · Housing · Winter 2026") == "Metropolis Quarterly")
        let article = try ArticleParser.parse(markdown, format: .markdown)
        #expect(article.sections.compactMap(\.heading).isEmpty)
        #expect(article.publication == "Metropolis Quarterly")
        #expect(article.contributors.first?.bio.hasPrefix("Adaeze Nwankwo-Ferreira is a housing economist") == true)
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(!body.contains("Highlighted on"))
    }

    @Test("a wiki page's title without its space ('Policy Research : …'); its organisation's wiki names the organisation")
    func wikiPage() throws {
        let html = """
            <!DOCTYPE html><html><head><title>Policy Research : DSA Compliance Options for Mid-Sized Platforms</title></head><body>
            <div id="header"><span class="aui-header-logo">Aldergate Institute Wiki</span></div>
            <div class="space-name"><a href="index.html">Policy Research</a></div>
            <h1 id="title-heading"><span id="title-text">Policy Research : DSA Compliance Options for Mid-Sized Platforms</span></h1>
            <div class="page-metadata"><span class="page-views">112 people viewed</span></div>
            <div id="main-content" class="wiki-content">
            <p>Platforms with between five and forty-five million users in the Union face most of the Digital Services Act's duties without the compliance teams of the largest firms.</p>
            <h2>Three options</h2>
            <p>A platform can build its own processes, buy a vendor's, or join a shared scheme run by an industry body, and each has a different cost and risk.</p>
            </div></body></html>
            """
        let article = try ArticleParser.parse(html, format: .html)
        #expect(article.title == "DSA Compliance Options for Mid-Sized Platforms")
        #expect(article.publication == "Aldergate Institute")
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(!body.contains("people viewed"))
    }
}

@Suite("Page shapes: site builders and sidebars")
struct SidebarShapeTests {
    @Test("a date line with the topic it is filed under dates the page; a contributor's profile in the sidebar is their bio")
    func dateTopicAndProfile() throws {
        let html = """
            <!DOCTYPE html><html><head><title>Waiting time is work</title></head><body>
            <div class="main"><div class="post" itemscope itemtype="http://schema.org/BlogPosting">
            <h1>Waiting time is work</h1>
            <p>Mar 3, 2026 · Pensions &amp; Savings</p>
            <p>By <span itemprop="author">Nguyễn Thị Lan</span></p>
            <p>The draft counts only the time between accepting a task and finishing it, so the minutes a rider spends waiting for an offer earn nothing.</p>
            <p>Waiting is when the platform needs riders most, and the guarantee should pay for it at the same rate as the ride.</p>
            </div></div>
            <aside class="sidebar"><div class="widget Profile"><h2>About Me</h2>
            <p>Nguyễn Thị Lan is a labour economist who studies platform work, low pay and working time.</p></div></aside>
            </body></html>
            """
        let article = try ArticleParser.parse(html, format: .html)
        #expect(article.publishedAt.map { Timestamp.day($0) } == "2026-03-03")
        #expect(article.contributors.map(\.name) == ["Nguyễn Thị Lan"])
        #expect(article.contributors.first?.bio.hasPrefix("Nguyễn Thị Lan is a labour economist") == true)
    }
}

@Suite("Page shapes: bylines of three or more")
struct ListedBylineShapeTests {
    @Test("'A, B, C' is a byline, not a tag list, with or without each name's affiliation in brackets")
    func threeNames() throws {
        for line in [
            "Authors: Siddharth Rao (Open Ledger Policy Lab), Marguerite Delacroix-Faure (Université de Lorraine), Tiago Brandão (Open Ledger Policy Lab)",
            "By Siddharth Rao, Marguerite Delacroix-Faure, Tiago Brandão",
        ] {
            #expect(LineShapes.byline(line)?.names == ["Siddharth Rao", "Marguerite Delacroix-Faure", "Tiago Brandão"], "\(line)")
        }
        #expect(LineShapes.uiLabel("Courts, Criminal justice, Legal professions") == "a tag list")
    }

    @Test("a Markdown export's 'headline:' key is its title")
    func headlineKey() throws {
        let markdown = """
            ---
            headline: "Too hot to learn? What a summer of classroom sensors told us"
            date: 2026-01-19T08:00:00+01:00
            ---

            Last June, during the second of two heatwaves, the temperature in a Year 5 classroom in one of the schools we were studying reached 34.2°C in the afternoon.

            The buildings that overheat worst are the light, glazed classrooms put up in the 2000s, not the Victorian blocks.
            """
        let article = try ArticleParser.parse(markdown, format: .markdown)
        #expect(article.title == "Too hot to learn? What a summer of classroom sensors told us")
    }
}

@Suite("Page shapes: drafts and episode pages")
struct DraftAndEpisodeShapeTests {
    @Test("a document exported with its comments: the markers come out, the comments stay out")
    func documentComments() throws {
        let text = """
            Pricing by algorithm: what rent regulators should ask of rent-setting software

            Authors: Siddharth Rao (Open Ledger Policy Lab), Tiago Brandão (Open Ledger Policy Lab)

            Rent-setting software now prices a large share of the flats let by big landlords, and few regulators know what it does.[a]

            How the tools work[b]

            The tools pool rents from many landlords and recommend a price for each flat, which is where the competition question starts.

            [a]Should we say which countries? Marguerite has the list.
            [b]Shorter heading?
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.sections.compactMap(\.heading) == ["How the tools work"])
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(body.contains("few regulators know what it does."))
        #expect(!body.contains("[a]") && !body.contains("Marguerite has the list"))
        #expect(article.contributors.map(\.name) == ["Siddharth Rao", "Tiago Brandão"])
    }

    @Test("an episode page: 'Essay by' is the byline, the credit under 'Episode artwork:', the guests and the hosts are not the essay")
    func episodePage() throws {
        let text = """
            Paying farmers for clean rivers: does it work?
            Episode 87 · 42 min
            Episode artwork: Illustration by Mateus Ferreira

            This week's guests
            Ana Ruiz is a hydrologist at the Tarn Water Trust.

            Essay by Lena Hoffmann-Bauer and Rafael Quispe Mamani

            Farmers across the catchment are paid to keep fertiliser off the fields nearest the river, and the river is no cleaner for it.

            The payments reward what a farm does, not what reaches the water, so a scheme can pay well and change nothing downstream.

            Listen on Spotify
            Transcript
            About the hosts
            Lena Hoffmann-Bauer is an agricultural economist who presents the show.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == ["Lena Hoffmann-Bauer", "Rafael Quispe Mamani"])
        #expect(article.imageCredit == "Illustration by Mateus Ferreira")
        #expect(article.sections.compactMap(\.heading).isEmpty)
    }
}

@Suite("Page shapes: forwarded chains and briefing packs")
struct ForwardedAndPackShapeTests {
    /// An article-length paragraph of the given sentence, for texts that must look like articles.
    static func prose(_ sentence: String, times: Int = 6) -> String {
        Array(repeating: sentence, count: times).joined(separator: " ")
    }

    @Test("a forwarded chain: the notes, signatures and headers above the innermost message, its covering note, and its quoting are not the article")
    func forwardedChain() throws {
        let paragraph = Self.prose("Remand numbers have risen for six years while the courts' backlog has grown faster than their sitting days.")
        let text = """
            Hi all,

            Worth reading before Thursday.

            Thanks,
            Priya

            --
            Priya Sandhu
            Policy Manager, Penal Reform Network

            ---------- Forwarded message ---------
            From: Marta Ruiz <m.ruiz@example.org>
            Date: Thu, 8 Jan 2026 at 09:05
            Subject: Our piece today
            To: Justice list <justice@example.org>

            Dear colleagues,

            I've pasted the text below for those without a subscription.

            Best,
            Marta

            Justice delayed: why more people wait in prison for trial

            By Marta Ruiz and Kofi Mensah
            The Justice Review | 8 January 2026

            > \(paragraph)
            >
            > HOW WE GOT HERE
            >
            > \(paragraph)

            WHAT COULD CHANGE

            \(paragraph)
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.title == "Justice delayed: why more people wait in prison for trial")
        #expect(article.sections.compactMap(\.heading) == ["HOW WE GOT HERE", "WHAT COULD CHANGE"])
        #expect(article.publishedAt.map { Timestamp.text($0).prefix(10) } == "2026-01-08")
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(!body.contains("Worth reading") && !body.contains("pasted the text below") && !body.contains(">"))
        #expect(body.contains("Remand numbers have risen"))
    }

    @Test("a contents list set with spaces for leaders; a summary it leaves out is still the first section; the imprint over its web address names the publisher")
    func briefingPack() throws {
        let paragraph = Self.prose("Pharmacy numbers have fallen in the coalfield districts while they have held steady in the capital.", times: 4)
        let text = """
            DEBATE PACK

            24 February 2026

            Community pharmacy closures and access to medicines

            By Rhiannon Pryce

            Contents
            1.  Background                                     3
            2.  Funding                                        4
            3.  Assembly questions                             6

            The proceedings of this debate may be viewed on AssemblyTV.

            Westmarch Assembly Library
            library.westmarch-assembly.gov

            Summary

            \(paragraph)

            1. Background

            \(paragraph)

            2. Funding

            \(paragraph)

            3. Assembly questions

            \(paragraph)

            The Westmarch Assembly Library is a research and information service for Members of the Assembly and their staff.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.title == "Community pharmacy closures and access to medicines")
        #expect(article.sections.compactMap(\.heading) == ["Summary", "1. Background", "2. Funding", "3. Assembly questions"])
        #expect(article.publication == "Westmarch Assembly Library")
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(!body.contains("research and information service") && !body.contains("AssemblyTV"))
    }
}

@Suite("Page shapes: syndicated columns, episode guests and drafts' notes")
struct SyndicatedAndNotesShapeTests {
    static let paragraph = ForwardedAndPackShapeTests.prose(
        "The inspectorate has the officers to investigate a few hundred firms a year, and platforms are not among them.", times: 4)

    @Test("a syndicate under the byline is no contributor; a reprint is dated when it first appeared")
    func syndicatedColumn() throws {
        let text = """
            OPINION

            Gig workers need the old rules enforced

            By Ngozi Adeyemi-Clarke
            Crossline Features Syndicate

            Feb. 9, 2026 at 5:00 a.m.

            \(Self.paragraph)

            \(Self.paragraph)

            This column first appeared in The Harbour Standard on February 6, 2026.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == ["Ngozi Adeyemi-Clarke"])
        #expect(article.publishedAt.map { Timestamp.text($0).prefix(10) } == "2026-02-06")
    }

    @Test("guests introduced under their label, a chart's caption with its source, an app's prompt and a draft's version note are not the article's")
    func pageNotes() throws {
        let text = """
            Paying farmers for clean rivers: does it work?

            This week's guests
            Dr Samuel Okonkwo is an agricultural economist at the University of Wrexley.
            Ingrid Solberg farms 140 hectares of mixed arable and dairy in the Teme valley.

            Essay by Lena Hoffmann-Bauer

            \(Self.paragraph)

            Chart: Installations per thousand homes, by tenure. Source: Foundry Policy Institute analysis of scheme data.

            \(Self.paragraph)

            Get the full story, with photos and video, in the Pocket Ledger app.

            Version history: v4, circulated to the working group only. Tracked changes from v3 accepted by SR.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == ["Lena Hoffmann-Bauer"])
        #expect(article.imageCredit == nil)
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(!body.contains("agricultural economist") && !body.contains("Ingrid Solberg farms"))
        #expect(!body.contains("Pocket Ledger app") && !body.contains("Version history"))
        #expect(body.contains("The inspectorate has the officers"))
    }

    @Test("a front-matter key naming the blog ('group_blog') names the publication")
    func frontMatterBlog() throws {
        let markdown = """
            ---
            headline: "Too hot to learn?"
            group_blog: Built Environment Policy Group
            institution: University of Lowmoor
            ---

            \(Self.paragraph)
            """
        let article = try ArticleParser.parse(markdown, format: .markdown)
        #expect(article.publication == "Built Environment Policy Group")
    }

    @Test("a show describing its own format is not the piece")
    func formatNote() throws {
        let text = """
            Paying farmers for clean rivers: does it work?

            Essay by Lena Hoffmann-Bauer

            Each episode of The Commons Table comes with a written version for people who would rather read than listen.

            \(Self.paragraph)

            \(Self.paragraph)
            """
        let article = try ArticleParser.parse(text, format: .text)
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(!body.contains("written version") && body.contains("The inspectorate has the officers"))
    }

    @Test("author cards of the same shape, a name over a role with phone and mail between, are all the authors")
    func authorCards() throws {
        let html = """
            <html><head><title>Changing terms without consent - Hallam Okafor Brandt LLP</title></head><body>
            <article><h1>Changing terms without consent</h1>
            <p><time datetime="2026-02-19">19 February 2026</time></p>
            <aside class="insight-authors">
            <div class="person-card"><p class="person-name"><a href="/people/imogen/">Imogen de la Haye</a></p>
            <p class="person-role">Partner, Employment</p><p>T: <a href="tel:+442079460321">+44 20 7946 0321</a></p>
            <p><a href="mailto:imogen@hob-law.example">imogen@hob-law.example</a></p></div>
            <div class="person-card"><p class="person-name"><a href="/people/rajesh/">Rajesh Venkataraman</a></p>
            <p class="person-role">Senior Associate, Employment</p><p>T: <a href="tel:+442079460388">+44 20 7946 0388</a></p>
            <p><a href="mailto:rajesh@hob-law.example">rajesh@hob-law.example</a></p></div>
            <div class="person-card"><p class="person-name"><a href="/people/chiara/">Chiara Lo Russo</a></p>
            <p class="person-role">Associate, Employment</p><p>T: <a href="tel:+441134960215">+44 113 496 0215</a></p>
            <p><a href="mailto:chiara@hob-law.example">chiara@hob-law.example</a></p></div>
            </aside>
            <div class="insight-body"><p>\(Self.paragraph)</p><p>\(Self.paragraph)</p></div>
            </article></body></html>
            """
        let article = try ArticleParser.parse(html, format: .html)
        #expect(article.contributors.map(\.name) == ["Imogen de la Haye", "Rajesh Venkataraman", "Chiara Lo Russo"])
    }
}

@Suite("Page shapes: briefs' covers and contents, mails' pictures, registered names")
struct CoverAndContentsShapeTests {
    static let paragraph = ForwardedAndPackShapeTests.prose(
        "Public patients outside the cities wait longer and travel further for the same dental care.", times: 4)

    @Test("a contents list under its label with one space before each page number; the cover's role lines give way to the closing bios")
    func briefContents() throws {
        let pages = [
            """
            Filling the Gap:
            Public Dental Care in Regional Australia

            Harriet Okonkwo-Lane
            Senior Research Fellow, Health Systems Program, Banksia Institute

            Contents

            Summary 2
            1. Background 2
            2. Who misses out 3
            About the authors 3

            KEY FINDINGS

            Median waits are almost twice as long in remote areas as in the major cities.
            """,
            """
            2 | Filling the Gap

            SUMMARY

            \(Self.paragraph)

            1. BACKGROUND

            \(Self.paragraph)
            """,
            """
            3 | Filling the Gap

            2. WHO MISSES OUT

            \(Self.paragraph)

            About the authors

            Dr Harriet Okonkwo-Lane is a senior research fellow in the Health Systems Program at the Banksia Institute.
            """,
        ]
        let article = try ArticleParser.parse(pages.joined(separator: "\n\u{0C}"), format: .text)
        #expect(article.sections.compactMap(\.heading) == ["SUMMARY", "1. BACKGROUND", "2. WHO MISSES OUT"])
        #expect(article.contributors.first?.bio.hasPrefix("Dr Harriet Okonkwo-Lane is a senior research fellow") == true)
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(!body.contains("Median waits are almost twice"))
    }

    @Test("a title over three cover lines is carried on past the cover's own evidence; a short title over its subtitle is joined by a colon")
    func coverTitles() throws {
        func brief(_ cover: String, header: String) -> String {
            [
                """
                HARBOUR INSTITUTE FOR TRANSPORT
                POLICY BRIEF No. 9

                \(cover)

                Amara Diallo-Ferreira and Tomasz Wrona

                Published 4 May 2025

                Contents
                The fare gap ........................ 2
                What a cap would cost ............... 3
                """,
                """
                \(header) | Policy Brief No. 9                                2

                The fare gap

                \(Self.paragraph)
                """,
                """
                \(header) | Policy Brief No. 9                                3

                What a cap would cost

                \(Self.paragraph)
                """,
            ].joined(separator: "\n\u{0C}")
        }
        let wrapped = try ArticleParser.parse(
            brief("Capping Ferry Fares: What the\nIslands Would Gain and What\nthe Operators Would Lose", header: "Capping Ferry Fares"),
            format: .text)
        #expect(wrapped.title == "Capping Ferry Fares: What the Islands Would Gain and What the Operators Would Lose")
        let subtitled = try ArticleParser.parse(
            brief("Crossing Costs\nA Fare Cap for the Island Ferries and\nWho Would Pay for It", header: "Crossing Costs"), format: .text)
        #expect(subtitled.title == "Crossing Costs: A Fare Cap for the Island Ferries and Who Would Pay for It")
        #expect(subtitled.sections.compactMap(\.heading) == ["The fare gap", "What a cap would cost"])
    }

    @Test("a registration number after a copyright's company name is not the name; a text mail's picture stand-in is not the caption's")
    func registeredNameAndPictureStandIn() throws {
        let text = """
            Digital ID is moving faster than the rules

            By Mei Lin Ocampo

            [https://cdn.example.org/img/hero.jpg] A queue at a service centre in Parramatta. Photo: Rhys Penhallow

            \(Self.paragraph)

            \(Self.paragraph)

            © 2025 The Policy Quarter Pty Ltd. ABN 62 418 905 731
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.publication == "The Policy Quarter")
        #expect(article.imageCredit == "A queue at a service centre in Parramatta. Photo: Rhys Penhallow")
    }
}

@Suite("Page shapes: paywalls, reactions and publishers' registrations")
struct PaywallAndRegistrationShapeTests {
    @Test("a metered paywall's count and pitch, a network's reactions, a charity's registration and a regulator's line are left out")
    func pageBoilerplate() throws {
        let paragraph = ForwardedAndPackShapeTests.prose(
            "Damp and mould complaints to councils rose by a third over two winters, most of them from private renters.", times: 4)
        let text = """
            Cold homes, closed doors

            By Rhiannon Pryce

            You have read 3 of 4 free articles this month.
            Get unlimited access to local news for $1 for your first 6 months.

            \(paragraph)

            \(paragraph)

            Be the first to like this
            Write a comment…

            Hearthstone Trust is a registered charity in England and Wales (1093372) and in Scotland (SC052218).
            We are authorised and regulated by the Legal Practice Standards Board (LPSB number 655210).
            We respect your privacy. Unsubscribe at any time.
            """
        let article = try ArticleParser.parse(text, format: .text)
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        for line in ["free articles", "unlimited access", "first to like", "Write a comment", "registered charity", "authorised and regulated", "respect your privacy"] {
            #expect(!body.contains(line), "\(line)")
        }
        #expect(body.contains("Damp and mould complaints"))
    }

    @Test("a platform's heading over its comment thread ('Discussion about this post') ends the article")
    func discussionLabel() throws {
        let paragraph = ForwardedAndPackShapeTests.prose(
            "Data centres are small water users in aggregate and large ones where they land.", times: 4)
        let text = """
            Every litre has an address

            By Radomír Kučera

            \(paragraph)

            \(paragraph)

            \(paragraph)

            Discussion about this post

            Tomás Ó Briain Jul 2

            The Dutch example only works because there is surface water to spare for industry. Refusing drinking water is easy when there is an alternative.

            Like (9)ReplyShare
            """
        let article = try ArticleParser.parse(text, format: .text)
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(!body.contains("The Dutch example") && body.contains("Data centres are small water users"))
    }

    @Test("a class of copyright ('© Crown copyright'), a cookie banner's heading and the software the site runs on name no publisher; the publisher describing itself does")
    func publisherEvidence() throws {
        let paragraph = ForwardedAndPackShapeTests.prose(
            "Crown Court backlogs have grown faster than sitting days for five years running.", times: 4)
        let text = """
            Cookies on the Assembly Research Library website

            Criminal court backlogs: causes, trends and options

            By Owain Price

            \(paragraph)

            \(paragraph)

            The Assembly Research Library provides impartial research and analysis for Members and their staff.

            Powered by Atlassian Confluence 8.5.4
            Atlassian
            © Assembly copyright 2025
            © Crown copyright
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.publication == "Assembly Research Library")
    }
}

@Suite("Page shapes: the thirteenth batch's lessons")
struct ClippedAndNumericDateShapeTests {
    static let paragraph = ForwardedAndPackShapeTests.prose(
        "Processing times for employer-sponsored visas have tripled since the department moved its staff.", times: 4)

    @Test("a byline dated '07/05/2025 · 6:00am AEST' is a byline; a commenter under the comment count is no contributor")
    func numericDateByline() throws {
        let text = """
            Australia's skilled visa queue is a policy choice

            Siobhán O'Sullivan, Nguyễn Minh Châu and Daniel Ben-David | 07/05/2025 · 6:00am AEST

            \(Self.paragraph)

            \(Self.paragraph)

            3 Comments

            Graham Tulloch
            8 May 2025
            The integrity check point is spot on. We waited 14 months for a visa.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == ["Siobhán O'Sullivan", "Nguyễn Minh Châu", "Daniel Ben-David"])
    }

    @Test("a title wrapped mid-clause is whole though the web address's slug is shortened")
    func shortenedSlug() throws {
        let text = """
            ANALYSIS
            Loyalty points are the new price war, and Ottawa
            is only starting to notice
            By Marc-André Tremblay
            \(Self.paragraph)

            \(Self.paragraph)
            """
        let article = try ArticleParser.parse(
            text, format: .text, sourceURL: "https://www.prairiepolicyreview.example/economy/2025/01/27/loyalty-points-new-price-war-ottawa")
        #expect(article.title == "Loyalty points are the new price war, and Ottawa is only starting to notice")
    }

    @Test("a clipped page whose front matter alone gives the title; its caption and its labelled credit set apart; a legal form after the name")
    func clippedMarkdown() throws {
        let markdown = """
            ---
            title: "Small-scale fishers were promised rights. They got paperwork."
            published: 2025-01-20
            ---
            **FISHERIES · LONG READ**

            By Thandiwe Mokoena · 20 January 2025 · 9 min read

            ![Boats on a slipway](https://cdn.example.org/klipbaai.jpg)

            *Chukkie boats drawn up on the slipway at Klipbaai.*

            *Photograph: Lwazi Dube*

            \(Self.paragraph)

            \(Self.paragraph)

            Click to tweet: "Everyone agrees it is important. Nobody agrees it is theirs."

            If you found this useful, the Ward Round newsletter goes out every other Friday.

            © 2025 Two Oceans Review NPC
            """
        let article = try ArticleParser.parse(markdown, format: .markdown)
        #expect(article.title == "Small-scale fishers were promised rights. They got paperwork.")
        #expect(article.imageCredit == "Lwazi Dube")
        #expect(article.publication == "Two Oceans Review")
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(!body.contains("Click to tweet") && !body.contains("newsletter goes out"))
    }

    @Test("a key points box set as an aside in the article is the article's; a live-updating box is the page's")
    func keyPointsAside() throws {
        func page(_ aside: String) -> String {
            """
            <html><head><title>AI sandboxes risk becoming a compliance queue</title></head><body>
            <article><h1>AI sandboxes risk becoming a compliance queue</h1><p class="byline">By Ana Ruiz</p>
            \(aside)
            <p>\(Self.paragraph)</p><h2>What the plans say</h2><p>\(Self.paragraph)</p>
            </article><p>© 2025 The Policy Quarter</p></body></html>
            """
        }
        let box = try ArticleParser.parse(
            page(#"<aside class="key-points"><h2>Key points</h2><ul><li>Only six sandboxes have admitted a participant.</li></ul></aside>"#),
            format: .html)
        #expect(box.sections.compactMap(\.heading) == ["Key points", "What the plans say"])
        let live = try ArticleParser.parse(
            page(#"<aside class="key-points live-box" aria-live="polite"><h3>Key points</h3><ul><li>Routes go live on Sunday</li></ul></aside>"#),
            format: .html)
        #expect(live.sections.compactMap(\.heading) == ["What the plans say"])
    }

    @Test("'The Tolbooth Review. A Scottish Charitable Incorporated Organisation' names the Review")
    func registeredForm() throws {
        let text = """
            Scotland's remand problem is a court problem

            By Ana Ruiz

            \(Self.paragraph)

            \(Self.paragraph)

            © 2025 The Tolbooth Review. A Scottish Charitable Incorporated Organisation, SC049872.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.publication == "The Tolbooth Review")
    }

    @Test("a byline set in capitals by the page's style; a mail's issue line with its number and controls around the date")
    func capitalsAndIssueLine() throws {
        let text = """
            Issue #112 · January 22, 2026 · View in browser

            Free hours, missing places: the childcare expansion's capacity problem

            BY DR ROSALIND ACHTERBERG, HEAD OF EARLY YEARS POLICY

            \(Self.paragraph)

            \(Self.paragraph)
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == ["Rosalind Achterberg"])
        #expect(article.publishedAt.map { Timestamp.text($0).prefix(10) } == "2026-01-22")
        #expect(Names.recased("BY ANA DE LA TORRE-O'NEILL") == "By Ana de la Torre-O'Neill")
    }

    @Test("a newsletter's tagline that signs it ('Trade policy, one week at a time. By Beatriz Oliveira dos Santos.')")
    func signedTagline() throws {
        let text = """
            Tariff Watch

            Trade policy, one week at a time. By Beatriz Oliveira dos Santos.

            Subscribe to Tariff Watch

            Free, weekly, no spam. Unsubscribe any time.

            Issue #112 · January 22, 2026 · View in browser
            The safeguard cliff-edge, and why battery origin rules matter

            \(Self.paragraph)

            \(Self.paragraph)

            \(Self.paragraph)

            \(Self.paragraph)

            \(Self.paragraph)
            """
        let article = try ArticleParser.parse(text, format: .text, sourceURL: "https://tariffwatch.example/archive/112-the-safeguard-cliff-edge/")
        #expect(article.contributors.map(\.name) == ["Beatriz Oliveira dos Santos"])
    }

    @Test("a date under the title dates the piece before the day's date in a paper's masthead does")
    func mastheadDate() throws {
        let text = """
            Friday, June 13, 2025
            Basin Tribune
            News
            Politics
            Labor
            Nevada heat rule for warehouse workers stalls as agency misses its own deadline
            The state promised a heat illness standard by June 1. Workers are still waiting for it to arrive.
            By Callum Achebe-Ross
            Published 3 days ago
            June 10, 2025, 6:00 a.m.
            Updated June 11, 2025, 2:15 p.m.

            \(Self.paragraph)

            \(Self.paragraph)
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.publishedAt.map { Timestamp.text($0).prefix(10) } == "2025-06-10")
    }
}


@Suite("Page shapes: who wrote it, the fourteenth batch's forms")
struct ContributorFormShapeTests {
    static let paragraph = ForwardedAndPackShapeTests.prose(
        "Counties have written new health charges into their annual finance acts, and patients pay them at the door.", times: 4)

    @Test("an op-ed's closing line set off by a dash is its writer's bio; 'PHOTO | NAME' ends a caption")
    func dashBio() throws {
        let text = """
            ANALYSIS
            The hidden cost of Kenya's county health levies
            Published: 14/05/2025 06:30
            A patient waits at a sub-county hospital in Nakuru. PHOTO | JAMES KARIUKI

            \(Self.paragraph)

            \(Self.paragraph)

            — Wanjiru Kamau is a senior fellow in health financing at the Nairobi Centre for Fiscal Policy.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == ["Wanjiru Kamau"])
        #expect(article.contributors.first?.bio.hasPrefix("Wanjiru Kamau is a senior fellow") == true)
        #expect(article.imageCredit == "A patient waits at a sub-county hospital in Nakuru. PHOTO | JAMES KARIUKI")
    }

    @Test("under 'About the authors' a paragraph opening with a name is a bio whatever its verb; a guest named in a host's opening note is the writer")
    func guestAndAuthorsLabel() throws {
        let text = """
            Carefully Counted

            Scotland's care pay floor is not filling the rotas

            Rob Hensley
            Mar 18, 2025

            Today's post is by guest author Dr Fiona MacAulay, who has spent two years interviewing care workers.

            \(Self.paragraph)

            \(Self.paragraph)

            About the authors

            Dr Fiona MacAulay is a lecturer in social policy at the University of the North Isles.

            Tom Whitcombe farms sheep and beef near Geraldine and chairs the Upper Orari Catchment Group.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == ["Fiona MacAulay", "Tom Whitcombe"])
        #expect(article.contributors.last?.bio.hasPrefix("Tom Whitcombe farms sheep") == true)
    }

    @Test("a name with its title and letters is not a caption; an acknowledgement of country, a sponsor's line and a mail's prompts are left out; '(Supplied: …)' ends a caption")
    func notCaptionsAndFooters() throws {
        let text = """
            Free TAFE places are going unfilled in regional Queensland

            Authors:
            Prof. Tomasz Wierzbicki PhD
            Associate Fellow

            Students in the workshop at a regional training campus in Mackay. (Supplied: Mackay Skills Alliance)

            \(Self.paragraph)

            SPONSORED | This issue is supported by Harrow & Finch Solicitors.

            ENJOYING THE QUAYSIDE BRIEF?

            \(Self.paragraph)

            The Balance Sheet is free and lands every other Thursday.

            We acknowledge the Traditional Custodians of the lands on which we live and work, and pay our respects to Elders past and present.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.imageCredit == "Students in the workshop at a regional training campus in Mackay. (Supplied: Mackay Skills Alliance)")
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        for line in ["Traditional Custodians", "SPONSORED", "ENJOYING", "lands every other Thursday"] {
            #expect(!body.contains(line), "\(line)")
        }
    }

    @Test("a box's label among the sections ('Key points' under the summary) that a contents list leaves out is not a section")
    func coverTitleAndBoxes() throws {
        let pages = [
            """
            CENTRE FOR URBAN HEAT RESILIENCE

            Cooling the Core: Municipal Heat Action
            Plans in Five Indian Cities

            DR PRIYA VENKATARAMAN, SENIOR FELLOW

            Contents

            Summary ........................................................ 2
            1. Introduction ................................................. 2
            2. Recommendations .............................................. 3
            """,
            """
            Cooling the Core: Municipal Heat Action Plans in Five Indian Cities

            Summary

            \(Self.paragraph)

            Key points

            All five cities have a heat action plan; only two have a dedicated budget line for it.

            1. Introduction

            \(Self.paragraph)
            """,
            """
            Cooling the Core: Municipal Heat Action Plans in Five Indian Cities

            2. Recommendations

            \(Self.paragraph)
            """,
        ]
        let article = try ArticleParser.parse(pages.joined(separator: "\n\u{0C}"), format: .text)
        #expect(article.sections.compactMap(\.heading) == ["Summary", "1. Introduction", "2. Recommendations"])

    }

    @Test("a country's second-level domain ('co.ke', 'org.ng') gives the site's own label; a masthead among the menu's items counts when the address spells it")
    func countryDomainsAndMenuMasthead() throws {
        #expect(LineShapes.siteLabel("https://www.riftreview.co.ke/analysis/x") == "riftreview")
        #expect(LineShapes.siteLabel("https://lagosledger.org.ng/a") == "lagosledger")
        let text = """
            Menu
            Search
            THE RIFT REVIEW
            Home
            News
            Counties
            ANALYSIS
            The hidden cost of Kenya's county health levies
            By Wanjiru Kamau

            \(Self.paragraph)

            \(Self.paragraph)

            © 2025 Rift Review Media Ltd. All rights reserved.
            """
        let article = try ArticleParser.parse(text, format: .text, sourceURL: "https://www.riftreview.co.ke/analysis/health/the-hidden-cost")
        #expect(article.publication.map { $0.lowercased() } == "the rift review")
    }
}


@Suite("Page shapes: publishers and shared bios, the fifteenth batch's forms")
struct PublisherAndSharedBioShapeTests {
    static let paragraph = ForwardedAndPackShapeTests.prose(
        "Buyback offers reach flooded owners years after the water, when most have already rebuilt in place.", times: 4)

    @Test("one bio for two writers ('A and B are research fellows …') introduces both; a page's text-size control and a donation prompt are left out")
    func sharedBio() throws {
        let text = """
            Victoria's flood buyback scheme is too slow for the next flood

            Text size

            \(Self.paragraph)

            Whitaker Hale is free to read because readers like you chip in. Donate today

            \(Self.paragraph)

            Priya Ramanathan and Callum Ostrowski are research fellows in the Climate Adaptation Program at the Southern Cross Policy Forum.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.contributors.map(\.name) == ["Priya Ramanathan", "Callum Ostrowski"])
        let body = article.sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(!body.contains("Text size") && !body.contains("Donate today") && !body.contains("research fellows"))
    }

    @Test("a publisher's name without the initials after it, the offer after it, or an Irish company's 'CLG'")
    func publisherNameForms() {
        #expect(LineShapes.clean(publicationName: "Centre for Energy and Public Finance (CEPF)") == "Centre for Energy and Public Finance")
        #expect(LineShapes.clean(publicationName: "The Prairie Dispatch for $2 a week") == "The Prairie Dispatch")
        #expect(LineShapes.withoutLegalSuffix("Housing Pulse CLG") == "Housing Pulse")
        #expect(LineShapes.withoutLegalSuffix("Harbour Ledger Media Pte. Ltd.") == "Harbour Ledger Media")
        #expect(LineShapes.withoutLegalSuffix("Editora Serra Azul Ltda.") == "Editora Serra Azul")
        #expect(LineShapes.withoutLegalSuffix("Kampung Press Sdn. Bhd.") == "Kampung Press")
    }

    @Test("a masthead that links to its front page ('Harbour Ledger — Home') names the site without the link's word, over its owner's company")
    func mastheadHomeLink() throws {
        let paragraph = ForwardedAndPackShapeTests.prose(
            "Port fees at the container terminal rose twice this year, and shipping lines now route feeder services elsewhere.", times: 3)
        let text = """
            Harbour Ledger — Home
            Menu   Search   Subscribe
            Why the feeder ships are leaving
            By Tan Wei Ling
            3 March 2025

            \(paragraph)

            \(paragraph)

            © 2025 Harbour Ledger Media Pte. Ltd. All rights reserved.
            """
        let article = try ArticleParser.parse(text, format: .text, sourceURL: "https://harbourledger.example/ports/feeder-ships")
        #expect(article.publication == "Harbour Ledger")
    }

    @Test("a newsletter sends as itself ('From: Kerbside Notes <hello@kerbsidenotes.nz>'), a person's name in the sender line names no publication")
    func mailSender() throws {
        func mail(_ from: String, footer: String = "Copyright (c) 2025 Pohutu Press Limited. All rights reserved.") throws -> String? {
            let text = """
                From: \(from)
                To: reader@example.org
                Subject: Who pays when the pipes fail
                Date: Tue, 4 Mar 2025 07:00:00 +1300

                Who pays when the pipes fail: Wellington's water levy explained

                \(Self.paragraph)

                \(Self.paragraph)

                \(footer)
                """
            return try ArticleParser.parse(text, format: .text).publication
        }
        #expect(try mail("Kerbside Notes <hello@kerbsidenotes.nz>", footer: "Reply to this email with questions for the board.") == "Kerbside Notes")
        #expect(try mail("Key Money from Aldmoor Housing Lab <keymoney@aldmoor.example>", footer: "Thanks for reading.") == "Key Money")
        #expect(try mail("Hemi Rangitoto-Walsh <hemi@pohutupress.nz>") == "Pohutu Press")
    }
    @Test("a headline of two sentences, the second on a line of its own set tight under the first, is one title and no section")
    func twoSentenceHeadline() throws {
        let paragraph = ForwardedAndPackShapeTests.prose(
            "The station on the Estonian side was finished last spring, but the trains that should stop at it are still being built.", times: 3)
        let text = """
            Home › Transport › Rail
            Tallinn built the station first.
            Now it needs the trains
            A cross-border line is finished on the Estonian side. Timetables, rolling stock and a second government are not.
            By Maarja Kask
            14 May 2025

            \(paragraph)

            \(paragraph)

            What the contract leaves open

            \(paragraph)

            \(paragraph)

            Who runs the trains

            \(paragraph)
            """
        let article = try ArticleParser.parse(text, format: .text, sourceURL: "https://balticrail.example/transport/tallinn-station-trains")
        #expect(article.title == "Tallinn built the station first. Now it needs the trains")
        #expect(article.sections.compactMap(\.heading) == ["What the contract leaves open", "Who runs the trains"])
    }

    @Test("a French blog's platform text (share, like, follow and cookie lines as WordPress.com words them) is left out")
    func localisedPlatformText() throws {
        let paragraph = ForwardedAndPackShapeTests.prose(
            "Importers will have to buy certificates for the emissions embedded in what they bring across the border.", times: 3)
        let text = """
            Aller au contenu
            Rond-Point Schuman
            Why the border levy starts to bite in January
            30 mai 2025 par Youssef El Amrani

            \(paragraph)

            What changes in January

            \(paragraph)

            Partager :
            Twitter
            J'aime ça :
            J'aime chargement…
            Catégories : Maghreb, Trade
            Étiquettes : CBAM, carbon pricing
            Laisser un commentaire
            Abonnez-vous au blog par e-mail
            Saisissez votre adresse e-mail pour vous abonner à ce blog et être informé des nouveaux articles.
            Blog à WordPress.com.
            Confidentialité & cookies : Ce site utilise des cookies. En continuant à utiliser ce site, vous acceptez leur utilisation.
            Déjà inscrit sur WordPress.com ? Connectez-vous maintenant.
            """
        let article = try ArticleParser.parse(text, format: .text)
        let body = article.sections.flatMap(\.paragraphs) + article.sections.compactMap(\.heading)
        for line in ["Partager", "J'aime", "Catégories", "Étiquettes", "Laisser", "Abonnez", "Saisissez", "Blog à", "Confidentialité", "Déjà"] {
            #expect(!body.contains { $0.hasPrefix(line) }, "“\(line) …” is platform text")
        }
        #expect(article.sections.compactMap(\.heading) == ["What changes in January"])
        #expect(article.contributors.map(\.name) == ["Youssef El Amrani"], "“30 mai 2025 par …” is the byline")
        #expect(article.publishedAt.map { Timestamp.text($0).prefix(10) } == "2025-05-30")
    }

    @Test("dates written in French, Spanish, Portuguese and German are read; only a full date, in either case")
    func otherLanguagesDates() {
        func day(_ text: String) -> String? { DateMention.all(in: text).first { $0.precision == .day }?.label }
        #expect(day("Publié le 30 mai 2025") == "2025-05-30")
        #expect(day("1er juin 2025") == "2025-06-01")
        #expect(day("19 de mayo de 2025") == "2025-05-19")
        #expect(day("16 de junho de 2025") == "2025-06-16")
        #expect(day("13. Juni 2025") == "2025-06-13")
        #expect(day("3 Décembre 2024") == "2024-12-03")
        #expect(day("the mission to Mars 2025") == nil)
    }

    @Test("a note tool's properties in Spanish date the page and stay out of the body; a credit 'Foto: A/Agency' is no byline")
    func spanishPageProperties() throws {
        let paragraph = ForwardedAndPackShapeTests.prose(
            "Industrial water concessions in the metropolitan area have grown faster than the aquifers that supply them.", times: 3)
        let markdown = """
            # Monterrey's water deals are running ahead of its aquifers

            Fecha de publicación: 19 de mayo de 2025
            Tipo: Comunicado de prensa
            Estado: Publicado
            Etiquetas: agua, Nuevo León, concesiones

            ![Presa con bajo nivel](presa.jpg)

            *Foto: Daniel Cárdenas/Norte Visual*

            \(paragraph)

            ## Key findings

            \(paragraph)
            """
        let article = try ArticleParser.parse(markdown, format: .markdown)
        #expect(article.publishedAt.map { Timestamp.text($0).prefix(10) } == "2025-05-19")
        #expect(article.imageCredit == "Daniel Cárdenas/Norte Visual")
        #expect(article.contributors.isEmpty)
        let body = article.sections.flatMap(\.paragraphs)
        #expect(!body.contains { $0.hasPrefix("Tipo") || $0.hasPrefix("Etiquetas") })
    }
}
