import BriefingIngest
import BriefingModel
import BriefingTestSupport
import Foundation
import SyncServerCore
import Testing

@Suite("Importing the noisy fixture articles")
struct ImportFixtureTests {
    @Test("each original is extracted as its expected file pins", arguments: ArticleFixtures.names)
    func extraction(name: String) throws {
        let article = try ArticleFixtures.parse(name)
        let expected = try ArticleFixtures.expected(name)
        #expect(article.title == expected.title)
        #expect(article.byline == expected.byline)
        #expect(article.publication == expected.publication)
        #expect(article.imageCredit == expected.imageCredit)
        #expect(article.sections.map(\.heading) == expected.sections)
        #expect(article.sections.map(\.paragraphs.count) == expected.paragraphCounts)
        #expect(article.contributors == expected.contributors)
        #expect(article.excluded == expected.excluded)
        #expect(article.sections.first?.paragraphs.first?.hasPrefix(expected.firstParagraphStartsWith) == true)
        #expect(article.sections.last?.paragraphs.last?.hasPrefix(expected.lastParagraphStartsWith) == true)
        #expect(article.publishedAt != nil)
    }

    @Test("curly quotes, dashes and accented letters survive the import", arguments: ArticleFixtures.names)
    func unicodeKept(name: String) throws {
        let body = try ArticleFixtures.parse(name).sections.flatMap(\.paragraphs).joined(separator: "\n")
        #expect(body.contains("’"))
        #expect(body.contains("—"))
        #expect(body.contains("“") && body.contains("”"))
    }

    @Test("invalid UTF-8 is refused with the offset of the first bad byte")
    func invalidUTF8() throws {
        var bytes = Array("Title of a page\nBy Ana Ruiz\n\nA paragraph that breaks here: ".utf8)
        let offset = bytes.count
        bytes += [0xC3, 0x28] + Array(" and goes on.".utf8)
        #expect(throws: ImportError.self) { try ArticleParser.decode(Data(bytes)) }
        do {
            _ = try ArticleParser.decode(Data(bytes))
        } catch {
            #expect(error.message.contains("offset \(offset)"))
        }
    }

    @Test("a revision keeps the IDs of paragraphs it did not change", arguments: ArticleFixtures.names)
    func stableParagraphIDs(name: String) throws {
        let highlights = try ArticleFixtures.highlights(name)
        let original = try ArticleFixtures.parse(highlights.original).briefing(id: "fixture")
        let revised = try ArticleFixtures.parse(highlights.revised).briefing(id: "fixture", revisionNumber: 2)
        let before = Dictionary(original.paragraphs.map { ($0.text, $0.id) }, uniquingKeysWith: { a, _ in a })
        for paragraph in revised.paragraphs {
            if let id = before[paragraph.text] { #expect(paragraph.id == id) }
        }
        #expect(original.revision.id != revised.revision.id)
    }
}

@Suite("Re-anchoring reader highlights over the fixture revisions")
struct ReanchorCorpusTests {
    @Test("every highlight is anchored, relocated onto the replacing text, or orphaned — never misplaced")
    func corpus() throws {
        var counts: [String: Int] = [:]
        var failures: [String] = []
        for name in ArticleFixtures.names {
            let manifest = try ArticleFixtures.highlights(name)
            let original = try ArticleFixtures.parse(manifest.original).briefing(id: "fixture")
            let revised = try ArticleFixtures.parse(manifest.revised).briefing(id: "fixture", revisionNumber: 2)
            for item in manifest.highlights {
                let made = try original.anchor(quote: item.quote)
                let resolution = revised.resolve(made)
                let right = resolution.status == item.expect && (item.expect == .orphaned || resolution.text == item.expectedText)
                if right {
                    counts["correct", default: 0] += 1
                    if item.expect == .orphaned { counts["orphaned as expected", default: 0] += 1 }
                } else if resolution.status == .orphaned {
                    counts["orphaned unexpectedly", default: 0] += 1
                    failures.append("\(name) \(item.name): orphaned, expected \(item.expect.rawValue) “\(item.expectedText ?? "")”")
                } else {
                    counts["wrong place", default: 0] += 1
                    failures.append(
                        "\(name) \(item.name): \(resolution.status.rawValue) on “\(resolution.text)”, expected \(item.expect.rawValue) “\(item.expectedText ?? "")”")
                }
            }
        }
        let total = counts["correct", default: 0] + counts["orphaned unexpectedly", default: 0] + counts["wrong place", default: 0]
        print("re-anchoring over \(total) fixture highlights: " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        #expect(total >= 30)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}

@Suite("Parser edge cases")
struct ParserEdgeCaseTests {
    func parse(_ text: String, _ format: ArticleParser.Format = .text) throws -> ParsedArticle {
        try ArticleParser.parse(text, format: format)
    }

    @Test("without a byline, a closing paragraph about an organisation stays in the body")
    func noBylineNoBio() throws {
        let article = try parse("""
            Nutrients and the Baltic Sea

            Farm run-off feeds algal blooms every summer.

            The Helsinki Commission has tracked nutrient losses since 1974.
            """)
        #expect(article.contributors.isEmpty)
        #expect(article.sections.last?.paragraphs.last == "The Helsinki Commission has tracked nutrient losses since 1974.")
    }

    @Test("a long closing paragraph without a full stop is body, a short stray line is not")
    func closingLines() throws {
        let article = try parse("""
            Ports Brace for Automation

            By Ana Ruiz

            Cranes that run themselves are arriving at the busiest terminals.

            Unions say the savings must be shared with the workers whose jobs change, and they want it written into every concession (Reuters)

            Share this story
            """)
        #expect(article.sections.flatMap(\.paragraphs).last?.hasSuffix("(Reuters)") == true)
        #expect(article.excluded == ["Share this story"])
    }

    @Test("Markdown quote and list markers are removed from every line, closing hashes from headings, list items kept apart")
    func markdownLines() throws {
        let article = try parse("""
            # Cod Quotas, Again #

            By Ana Ruiz

            The council meets in October.

            > Cod stocks will not recover
            > without cuts.

            ## What to watch ##

            - quotas for sprat
            - the herring plan
            """, .markdown)
        #expect(article.title == "Cod Quotas, Again")
        #expect(article.sections.first?.paragraphs.last == "Cod stocks will not recover without cuts.")
        #expect(article.sections.map(\.heading) == [nil, "What to watch"])
        // Each list item is a paragraph of its own.
        #expect(article.sections.last?.paragraphs == ["quotas for sprat", "the herring plan"])
    }

    @Test("a byte-order mark is skipped, and counted in the offset of a bad byte")
    func byteOrderMark() throws {
        #expect(try ArticleParser.decode(Data([0xEF, 0xBB, 0xBF] + Array("Title".utf8))) == "Title")
        do {
            _ = try ArticleParser.decode(Data([0xEF, 0xBB, 0xBF, 0x41, 0xFF]))
            Issue.record("invalid UTF-8 was accepted")
        } catch {
            #expect(error.message.contains("offset 4"))
        }
    }
}
