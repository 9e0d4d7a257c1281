import BriefingModel
import Foundation
import Testing

/// Named re-anchoring scenarios: a highlight made on revision 1, resolved in revision 2.
@Suite("Re-anchoring across revisions")
struct ReanchorTests {
    let original = GrainBriefing.revision()

    private func anchor(_ quote: String) throws -> TextAnchor { try original.anchor(quote: quote) }

    @Test("same revision: anchored where it was made")
    func sameRevision() throws {
        let made = try anchor("a fragile but workable truce")
        let resolution = original.resolve(made)
        #expect(resolution.status == .anchored)
        #expect(resolution.current?.paragraphID == made.paragraphID)
        #expect(resolution.current?.start == made.start)
        #expect(resolution.similarity == 1)
    }

    @Test("a sentence inserted before the quote: anchored, the offset moves")
    func sentenceInserted() throws {
        let made = try anchor("promised a public report before the summer recess")
        var whatNext = GrainBriefing.whatNext
        whatNext[0] = whatNext[0].replacingOccurrences(of: "Its chair", with: "Delegates from nine ports will attend. Its chair")
        let revised = GrainBriefing.revision(2, whatNext: whatNext)
        let resolution = revised.resolve(made)
        #expect(resolution.status == .anchored)
        #expect(resolution.text == made.exact)
        #expect(resolution.current?.start == made.start + "Delegates from nine ports will attend. ".unicodeScalars.count)
        #expect(resolution.current?.revisionID == revised.revision.id)
    }

    @Test("the paragraph moved to another section: anchored in its new place")
    func paragraphMoved() throws {
        let made = try anchor("The panel will publish its findings online")
        let revised = Briefing.assemble(
            id: GrainBriefing.id, revisionNumber: 2, title: GrainBriefing.title,
            sections: [
                (heading: nil, paragraphs: GrainBriefing.lead + [GrainBriefing.whatNext[1]]),
                (heading: "What happens next", paragraphs: [GrainBriefing.whatNext[0]]),
            ])
        let resolution = revised.resolve(made)
        #expect(resolution.status == .anchored)
        #expect(revised.sections[0].paragraphs.map(\.id).contains(resolution.current?.paragraphID ?? ""))
    }

    @Test("a word changed inside the quote: relocated onto the replacement text")
    func wordChanged() throws {
        let made = try anchor("expect the review panel to recommend modest changes")
        var whatNext = GrainBriefing.whatNext
        whatNext[1] = whatNext[1].replacingOccurrences(of: "modest changes", with: "sweeping changes")
        let resolution = GrainBriefing.revision(2, whatNext: whatNext).resolve(made)
        #expect(resolution.status == .relocated)
        #expect(resolution.text == "expect the review panel to recommend sweeping changes")
        #expect(resolution.similarity < 1)
    }

    @Test("the first word of the quote replaced: relocated, starting at the new word")
    func firstWordChanged() throws {
        let made = try anchor("Critics, led by Senator Zoë Łukasiewicz")
        var lead = GrainBriefing.lead
        lead[1] = lead[1].replacingOccurrences(of: "Critics,", with: "Opponents,")
        let resolution = GrainBriefing.revision(2, lead: lead).resolve(made)
        #expect(resolution.status == .relocated)
        #expect(resolution.text == "Opponents, led by Senator Zoë Łukasiewicz")
    }

    @Test("a typo fixed inside the quote: relocated onto the corrected text")
    func typoFixed() throws {
        let withTypo = GrainBriefing.revision(
            1, whatNext: [GrainBriefing.whatNext[0], "The panel will publsh its findings online. Observers expect the review panel to recommend modest changes."])
        let made = try withTypo.anchor(quote: "The panel will publsh its findings online")
        let resolution = GrainBriefing.revision(2).resolve(made)
        #expect(resolution.status == .relocated)
        #expect(resolution.text == "The panel will publish its findings online")
    }

    @Test("the paragraph deleted: orphaned, the quote kept")
    func paragraphDeleted() throws {
        let made = try anchor("Its chair, Renée Okafor, promised a public report")
        let resolution = GrainBriefing.revision(2, whatNext: [GrainBriefing.whatNext[1]]).resolve(made)
        #expect(resolution.status == .orphaned)
        #expect(resolution.current == nil)
        #expect(resolution.text == made.exact)
    }

    @Test("a short quote whose passage was rewritten is not moved to the same words elsewhere")
    func shortQuoteNotMisplaced() throws {
        let made = try anchor("review panel meets")
        // The passage is rewritten; "review panel" survives only in another sentence.
        var whatNext = GrainBriefing.whatNext
        whatNext[0] = "Nobody has set a date for the next session. Its chair, Renée Okafor, promised a public report before the summer recess."
        let revised = GrainBriefing.revision(2, whatNext: whatNext)
        let resolution = revised.resolve(made)
        if let current = resolution.current {
            // If it is placed at all, it must be on text that replaced the passage, not on "review panel to recommend".
            #expect(!current.suffix.hasPrefix(" to recommend"))
        }
        #expect(resolution.status != .anchored)
    }

    @Test("a repeated quote is resolved to the occurrence with matching context")
    func repeatedQuote() throws {
        let made = try original.anchor(quote: "review panel", occurrence: 2)
        var whatNext = GrainBriefing.whatNext
        whatNext[1] = "Hearings will be broadcast. " + whatNext[1]
        let revised = GrainBriefing.revision(2, whatNext: whatNext)
        let resolution = revised.resolve(made)
        #expect(resolution.status == .anchored)
        #expect(resolution.current?.paragraphID == revised.sections[1].paragraphs[1].id)
        #expect(resolution.current?.suffix.hasPrefix(" to recommend") == true)
    }
}

/// Places a highlight must not go: text that merely looks like it, elsewhere.
@Suite("Re-anchoring never misplaces")
struct ReanchorMisplacementTests {
    func briefing(_ number: Int, _ paragraphs: [String]) -> Briefing {
        Briefing.assemble(id: "b", revisionNumber: number, title: "T", sections: [(nil, paragraphs)])
    }

    @Test("a short quote whose paragraph was rewritten does not jump to the same words elsewhere")
    func shortQuoteElsewhere() throws {
        let before = briefing(1, ["Officials want to widen the river before winter.", "Crews will dredge the river mouth in spring."])
        let made = try before.anchor(quote: "the river", occurrence: 1)
        let after = briefing(2, ["Officials now want a new bypass canal instead.", "Crews will dredge the river mouth in spring."])
        #expect(after.resolve(made).status == .orphaned)
    }

    @Test("a quote that opened a deleted paragraph does not move to another paragraph opening the same way")
    func paragraphStart() throws {
        let before = briefing(1, ["The Commission fined three carriers last year.", "The Commission also opened an inquiry into port fees."])
        let made = try before.anchor(quote: "The Commission fined")
        #expect(briefing(2, ["The Commission also opened an inquiry into port fees."]).resolve(made).status == .orphaned)
        let short = try before.anchor(quote: "The Commission", occurrence: 1)
        #expect(briefing(2, ["The Commission also opened an inquiry into port fees."]).resolve(short).status == .orphaned)
    }

    @Test("two equally good places in one paragraph make a fuzzy match ambiguous: orphaned, not guessed")
    func ambiguousWithinParagraph() throws {
        let before = briefing(1, ["Under the draft, Sweden's herring quota falls 9% next year while sprat stays flat."])
        let made = try before.anchor(quote: "herring quota falls 9%")
        let after = briefing(2, ["Under the draft, Denmark's herring quota falls 8%, and Sweden's herring quota falls 8% too."])
        let resolution = after.resolve(made)
        if let current = resolution.current {
            // If placed at all, it must be Sweden's clause, never Denmark's.
            #expect(current.prefix.hasSuffix("Sweden's "))
        }
    }
}
