import BriefingModel
import Testing

/// A short original briefing with curly quotes, an em dash and non-ASCII letters.
enum GrainBriefing {
    static let id = "grain-corridor"
    static let title = "The grain corridor holds — for now"

    static let lead = [
        "Ministers in Brasília agreed on Tuesday to extend the grain corridor. Negotiators called it “a fragile but workable truce” — and warned that the deal could unravel by spring.",
        // Irregular whitespace on purpose: assemble normalizes it.
        "Critics, led by  Senator Zoë Łukasiewicz,\nsaid the terms favour exporters. The ministry disputes that reading.",
    ]
    static let whatNext = [
        "A review panel meets in Göteborg next month. Its chair, Renée Okafor, promised a public report before the summer recess.",
        "The panel will publish its findings online. Observers expect the review panel to recommend modest changes.",
    ]

    static func revision(_ number: Int = 1, lead: [String] = lead, whatNext: [String] = whatNext) -> Briefing {
        Briefing.assemble(
            id: id, revisionNumber: number, title: title,
            sections: [(heading: nil, paragraphs: lead), (heading: "What happens next", paragraphs: whatNext)])
    }
}

@Suite("Anchoring quotes")
struct AnchorTests {
    let briefing = GrainBriefing.revision()

    private func paragraph(_ section: Int, _ index: Int) -> Paragraph {
        briefing.sections[section].paragraphs[index]
    }

    /// The paragraph's text as Unicode scalars, to check offsets independently of the code under test.
    private func scalars(_ paragraph: Paragraph, _ range: Range<Int>) -> String {
        var text = ""
        text.unicodeScalars.append(contentsOf: Array(paragraph.text.unicodeScalars)[range])
        return text
    }

    @Test("A unique quote anchors to its paragraph with scalar offsets and context")
    func uniqueQuote() throws {
        let quote = "a fragile but workable truce"
        let anchor = try briefing.anchor(quote: quote)
        let target = paragraph(0, 0)

        #expect(anchor.paragraphID == target.id)
        #expect(anchor.revisionID == briefing.revision.id)
        // 93 Unicode scalars precede the quote: “í” and the opening “ count once each (bytes would give 96).
        #expect(anchor.start == 93)
        #expect(anchor.end == 121)
        #expect(anchor.exact == quote)
        #expect(anchor.status == .anchored)
        #expect(briefing.text(at: anchor) == quote)

        #expect(!anchor.prefix.isEmpty)
        #expect(!anchor.suffix.isEmpty)
        #expect(anchor.prefix.hasSuffix("Negotiators called it “"))
        #expect(anchor.suffix.hasPrefix("” — and warned"))
        // The context is the text right around the quote in the same paragraph.
        let prefixCount = anchor.prefix.unicodeScalars.count
        let suffixCount = anchor.suffix.unicodeScalars.count
        #expect(scalars(target, (anchor.start - prefixCount)..<anchor.start) == anchor.prefix)
        #expect(scalars(target, anchor.end..<(anchor.end + suffixCount)) == anchor.suffix)
        #expect(target.text.contains(anchor.prefix + anchor.exact + anchor.suffix))
    }

    @Test("Offsets count Unicode scalars in text with non-ASCII letters")
    func nonASCIIOffsets() throws {
        let anchor = try briefing.anchor(quote: "Łukasiewicz")
        #expect(anchor.paragraphID == paragraph(0, 1).id)
        #expect(anchor.start == 28)  // “Zoë” is 3 scalars, 4 bytes
        #expect(anchor.end == 39)
        #expect(briefing.text(at: anchor) == "Łukasiewicz")
    }

    @Test("Offsets count Unicode scalars, not characters, when accents are combining marks")
    func combiningMarks() throws {
        let briefing = Briefing.assemble(
            id: "accents", title: "Accents", sections: [(heading: nil, paragraphs: ["Cafe\u{301} society gathered."])])
        let anchor = try briefing.anchor(quote: "society")
        #expect(anchor.start == 6)  // C a f e ◌́ space: 5 characters but 6 scalars
        #expect(anchor.end == 13)
        #expect(briefing.text(at: anchor) == "society")
    }

    @Test("The prefix reaches back to a sentence start and the suffix is clipped to the paragraph")
    func contextFollowsSentences() throws {
        let anchor = try briefing.anchor(quote: "could unravel by spring")
        #expect(anchor.prefix.hasSuffix("and warned that the deal "))
        #expect(anchor.prefix.contains("Negotiators called it"))
        #expect(!anchor.prefix.contains("corridor"), "the prefix went past the sentence before: \(anchor.prefix)")
        #expect(anchor.suffix == ".")
    }

    @Test("A quote at the start of a paragraph has no prefix from the paragraph before")
    func contextStaysInParagraph() throws {
        let anchor = try briefing.anchor(quote: "Critics, led by Senator")
        #expect(anchor.paragraphID == paragraph(0, 1).id)
        #expect(anchor.start == 0)
        #expect(anchor.prefix == "")
        #expect(anchor.suffix.hasPrefix(" Zoë Łukasiewicz, said"))
        #expect(paragraph(0, 1).text.hasPrefix(anchor.exact + anchor.suffix))
    }

    @Test("A quote that is not in the briefing is not found")
    func notFound() {
        let error = #expect(throws: AnchorError.self) {
            try briefing.anchor(quote: "a sturdy and lasting truce")
        }
        #expect(error?.code == .notFound)
        #expect(error?.occurrences == 0)
    }

    @Test("A quote spanning two paragraphs is not found")
    func spansParagraphs() {
        let error = #expect(throws: AnchorError.self) {
            try briefing.anchor(quote: "unravel by spring. Critics, led by")
        }
        #expect(error?.code == .notFound)
    }

    @Test("A quote that occurs twice is ambiguous without an occurrence")
    func ambiguous() {
        let error = #expect(throws: AnchorError.self) {
            try briefing.anchor(quote: "review panel")
        }
        #expect(error?.code == .ambiguous)
        #expect(error?.occurrences == 2)
    }

    @Test("An occurrence picks one of several matches in reading order")
    func occurrencePicks() throws {
        let first = try briefing.anchor(quote: "review panel", occurrence: 1)
        #expect(first.paragraphID == paragraph(1, 0).id)
        #expect(first.start == 2)

        let second = try briefing.anchor(quote: "review panel", occurrence: 2)
        #expect(second.paragraphID == paragraph(1, 1).id)
        #expect(second.start == 65)
        #expect(second.end == 77)
        #expect(second.prefix.hasSuffix("Observers expect the "))
        #expect(briefing.text(at: second) == "review panel")
    }

    @Test(
        "An occurrence outside the matches is out of range",
        arguments: [("review panel", 3, 2), ("review panel", 0, 2), ("review panel", -1, 2), ("Göteborg", 2, 1)])
    func occurrenceOutOfRange(quote: String, occurrence: Int, matches: Int) {
        let error = #expect(throws: AnchorError.self) {
            try briefing.anchor(quote: quote, occurrence: occurrence)
        }
        #expect(error?.code == .occurrenceOutOfRange)
        #expect(error?.occurrences == matches)
    }

    @Test("Whitespace in the quote is normalized before searching")
    func normalizesQuote() throws {
        let anchor = try briefing.anchor(quote: "  fragile   but\n\tworkable ")
        #expect(anchor.exact == "fragile but workable")
        #expect(anchor.start == 95)
        #expect(anchor.end == 115)
        #expect(briefing.text(at: anchor) == "fragile but workable")
    }

    @Test("A quote matches the body's normalized whitespace", arguments: ["Senator Zoë Łukasiewicz, said", "Senator  Zoë Łukasiewicz,\nsaid"])
    func matchesNormalizedBody(quote: String) throws {
        let anchor = try briefing.anchor(quote: quote)
        #expect(anchor.paragraphID == paragraph(0, 1).id)
        #expect(briefing.text(at: anchor) == "Senator Zoë Łukasiewicz, said")
    }

    @Test("An empty or blank quote is refused", arguments: ["", "   ", "\n\t"])
    func emptyQuote(quote: String) {
        let error = #expect(throws: AnchorError.self) {
            try briefing.anchor(quote: quote)
        }
        #expect(error?.code == .emptyQuote)
    }

    @Test("text(at:) is nil for an unknown paragraph or offsets that do not fit")
    func textAtInvalidAnchor() throws {
        let anchor = try briefing.anchor(quote: "Göteborg")
        var unknown = anchor
        unknown.paragraphID = "p-missing"
        #expect(briefing.text(at: unknown) == nil)
        var pastEnd = anchor
        pastEnd.end = paragraph(1, 0).text.unicodeScalars.count + 1
        #expect(briefing.text(at: pastEnd) == nil)
        var reversed = anchor
        reversed.start = anchor.end + 1
        #expect(briefing.text(at: reversed) == nil)
        var negative = anchor
        negative.start = -1
        #expect(briefing.text(at: negative) == nil)
    }
}

@Suite("Assembling briefings")
struct AssembleTests {
    @Test("An unchanged paragraph keeps its ID in a revision where another paragraph changed")
    func stableParagraphIDs() throws {
        let first = GrainBriefing.revision(1)
        var lead = GrainBriefing.lead
        lead[1] = "Critics said the terms favour exporters. The ministry now accepts that reading."
        let second = GrainBriefing.revision(2, lead: lead)

        #expect(first.paragraphs.count == 4)
        #expect(second.paragraphs.count == 4)
        #expect(first.paragraphs[0].id == second.paragraphs[0].id)
        #expect(first.paragraphs[1].id != second.paragraphs[1].id)
        #expect(first.paragraphs[2].id == second.paragraphs[2].id)
        #expect(first.paragraphs[3].id == second.paragraphs[3].id)
        #expect(first.sections.map(\.id) == second.sections.map(\.id))
        #expect(first.revision.id != second.revision.id)
        #expect(first.revision.number == 1)
        #expect(second.revision.number == 2)
    }

    @Test("An anchor on an unchanged paragraph still resolves in the next revision")
    func anchorSurvivesRevision() throws {
        let first = GrainBriefing.revision(1)
        var lead = GrainBriefing.lead
        lead[1] = "Critics said the terms favour exporters."
        let second = GrainBriefing.revision(2, lead: lead)
        let anchor = try first.anchor(quote: "a fragile but workable truce")
        #expect(second.text(at: anchor) == "a fragile but workable truce")
    }

    @Test("Assembling the same text twice gives the same briefing")
    func deterministic() {
        #expect(GrainBriefing.revision() == GrainBriefing.revision())
    }

    @Test("Whitespace differences in the source do not change any ID")
    func whitespaceInsensitive() {
        let tidy = GrainBriefing.revision()
        let messy = GrainBriefing.revision(lead: GrainBriefing.lead.map { "\n  " + $0.replacingOccurrences(" ", "   ") + "  " })
        #expect(tidy.paragraphs == messy.paragraphs)
        #expect(tidy.revision.id == messy.revision.id)
    }

    @Test("Paragraph texts are normalized and blank paragraphs dropped")
    func normalizesParagraphs() {
        let briefing = GrainBriefing.revision(lead: GrainBriefing.lead + ["   ", ""])
        #expect(briefing.sections[0].paragraphs.count == 2)
        #expect(
            briefing.sections[0].paragraphs[1].text
                == "Critics, led by Senator Zoë Łukasiewicz, said the terms favour exporters. The ministry disputes that reading.")
        #expect(briefing.sections[0].heading == nil)
        #expect(briefing.sections[1].heading == "What happens next")
        #expect(briefing.title == "The grain corridor holds — for now")
    }

    @Test("Identical paragraphs get different IDs")
    func repeatedParagraphs() {
        let briefing = Briefing.assemble(
            id: "repeat", title: "Repeat", sections: [(heading: nil, paragraphs: ["Same words.", "Same words."])])
        #expect(briefing.paragraphs.count == 2)
        #expect(briefing.paragraphs[0].id != briefing.paragraphs[1].id)
    }

    @Test("The same paragraph in two briefings gets different IDs")
    func idsIncludeBriefing() {
        let one = Briefing.assemble(id: "one", title: "T", sections: [(heading: nil, paragraphs: ["Same words."])])
        let two = Briefing.assemble(id: "two", title: "T", sections: [(heading: nil, paragraphs: ["Same words."])])
        #expect(one.paragraphs[0].id != two.paragraphs[0].id)
    }

    @Test("Changing a heading changes the revision ID")
    func headingChangesRevision() {
        let one = Briefing.assemble(id: "x", title: "T", sections: [(heading: "Before", paragraphs: ["Words."])])
        let two = Briefing.assemble(id: "x", title: "T", sections: [(heading: "After", paragraphs: ["Words."])])
        #expect(one.revision.id != two.revision.id)
        #expect(one.paragraphs[0].id == two.paragraphs[0].id)
    }
}

@Suite("Text normalizer")
struct TextNormalizerTests {
    @Test(
        "Collapses whitespace runs, trims the ends and keeps everything else",
        arguments: [
            ("plain text", "plain text"),
            ("  padded  ", "padded"),
            ("tabs\tand\nnewlines\r\nmixed", "tabs and newlines mixed"),
            ("many     spaces", "many spaces"),
            ("no\u{00A0}break", "no break"),
            ("“Curly” — quotes, Zoë", "“Curly” — quotes, Zoë"),
            ("Cafe\u{301}", "Cafe\u{301}"),
            (" \n\t ", ""),
            ("", ""),
        ])
    func normalizes(input: String, expected: String) {
        let output = TextNormalizer.normalize(input)
        #expect(Array(output.unicodeScalars) == Array(expected.unicodeScalars))
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
