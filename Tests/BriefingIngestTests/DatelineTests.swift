@testable import BriefingIngest
import BriefingModel
import Foundation
import Testing

@Suite("Datelines beside the page's metadata")
struct DatelineTests {
    static func page(head: String, masthead: String, dateline: String) -> String {
        """
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>Canal tolls return to the Wester Lock</title>
        \(head)
        </head><body>
        <div class="top"><div class="today">\(masthead)</div></div>
        <div class="story">
        <h1>Canal tolls return to the Wester Lock</h1>
        <p class="dek">The lock closes to free passage from May, and barge operators say the fee will push freight onto the roads.</p>
        <div class="byline">By Oona Prendergast</div>
        <div class="when">\(dateline)</div>
        <p>The lock keepers' trust voted on Tuesday to charge a toll on every barge that passes the Wester Lock, the first since the canal reopened.</p>
        <h2>What the toll pays for</h2>
        <p>The trust says the money will pay for new gates, which have not been replaced in forty years and leak at every change of level.</p>
        <p>Operators reply that a toll on one lock sends cargo by lorry, and that the roads around the canal are already full at harvest time.</p>
        </div></body></html>
        """
    }

    static func day(_ article: ParsedArticle) -> Substring? { article.publishedAt.map { Timestamp.text($0).prefix(10) } }

    @Test("metadata in the publisher's own zone dates the page, not a masthead's later day")
    func localZoneMetadata() throws {
        let html = Self.page(
            head: #"<script type="application/ld+json">{"@type":"NewsArticle","headline":"Canal tolls return to the Wester Lock","datePublished":"2025-06-13T00:35:12+03:00"}</script>"#,
            masthead: "Saturday, June 14, 2025",
            dateline: #"<time datetime="2025-06-13T00:35:12+03:00">June 13, 2025</time><time class="updated" datetime="2025-06-14T09:02:40+03:00">June 14, 2025</time>"#)
        #expect(Self.day(try ArticleParser.parse(html, format: .html)) == "2025-06-13")
    }

    @Test("metadata in UTC a day off gives way to the article's dateline, its update and zone beside it, not the masthead's")
    func utcMetadata() throws {
        let html = Self.page(
            head: #"<meta property="article:published_time" content="2025-03-22T01:45:00Z">"#,
            masthead: "Saturday, March 22, 2025",
            dateline: #"<span class="pub">March 21, 2025 7:45 PM CST</span><span class="upd">Updated March 22, 2025 10:10 AM CST</span>"#)
        let article = try ArticleParser.parse(html, format: .html)
        #expect(Self.day(article) == "2025-03-21")
        #expect(article.decisions.contains { $0.subject == "published" && $0.reason.contains("UTC") })
    }

    @Test("inline elements side by side keep their words apart; a word split across two is not")
    func adjacentInlines() throws {
        let html = Self.page(
            head: "", masthead: "",
            dateline: #"<span>Filed</span><span>Tuesday</span> · <span>Lo</span><span>ndon</span>"#)
        let document = try HTMLReader.read(html)
        #expect(document.blocks.contains { $0.text == "FiledTuesday · London" } == false)
        #expect(document.blocks.contains { $0.text == "Filed Tuesday · London" })
    }

    @Test("a reprint's 'first published in … on DATE' line dates it before a later date in its front matter")
    func firstPublishedBeforeFrontMatter() throws {
        let markdown = """
            ---
            title: Canal tolls return to the Wester Lock
            created: 2025-01-16
            ---

            # Canal tolls return to the Wester Lock

            The lock keepers' trust voted on Tuesday to charge a toll on every barge that passes the Wester Lock.

            The trust says the money will pay for new gates, which have not been replaced in forty years.

            *First published in The Wexmoor Courier, 14 January 2025.*
            """
        #expect(Self.day(try ArticleParser.parse(markdown, format: .markdown)) == "2025-01-14")
    }

    @Test("a blog's 'Posted on DATE by account' line dates the post, not a comment's date under the thread's label")
    func postedByAccount() throws {
        let text = """
            Canal tolls return to the Wester Lock
            Posted on March 4, 2025 by westerlocknotes

            The lock keepers' trust voted on Tuesday to charge a toll on every barge that passes the Wester Lock, the first toll since the canal was nationalised.

            The trust says the money will pay for new gates, which have not been replaced in forty years, and for a keeper on the lock at weekends.

            2 thoughts on "Canal tolls return to the Wester Lock"
            Hal Brewster
            March 5, 2025 at 9:12 am
            About time the boats paid their share.
            """
        #expect(Self.day(try ArticleParser.parse(text, format: .text)) == "2025-03-04")
        #expect(LineShapes.dateLine("Posted on March 4, 2025 by westerlocknotes") != nil)
    }
}
