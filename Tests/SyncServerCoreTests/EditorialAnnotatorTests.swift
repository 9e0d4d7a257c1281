import BriefingIngest
import BriefingModel
import BriefingTestSupport
import Foundation
import SyncServerCore
import Testing

@Suite("The automatic editorial layer")
struct EditorialAnnotatorTests {
    let annotator = EditorialAnnotator(gazetteer: try! Gazetteer.bundled())

    func layer(_ name: String, revised: Bool = false) throws -> (Briefing, [EditorialAnnotation]) {
        let file = revised ? try ArticleFixtures.highlights(name).revised : name
        let briefing = try ArticleFixtures.parse(file).briefing(id: ArticleFixtures.stem(name), revisionNumber: revised ? 2 : 1)
        return (briefing, annotator.annotate(briefing))
    }

    func labels(_ layer: [EditorialAnnotation], _ kind: EditorialKind) -> Set<String> {
        Set(layer.filter { $0.kind == kind }.compactMap(\.label))
    }

    @Test("entities: gazetteer names and aliases, people after a title, organisations by their last word")
    func entities() throws {
        let (_, layer) = try self.layer("baltic-cod-quotas.txt")
        let entities = layer.filter { $0.kind == .entity }
        func category(_ name: String) -> String? { entities.first { $0.label == name }?.text }
        #expect(category("Poland") == "country")
        #expect(category("European Commission") == "organisation")
        // "ICES" is an alias: it is labelled with the canonical name.
        #expect(entities.contains { $0.anchor.exact == "ICES" && $0.label == "International Council for the Exploration of the Sea" })
        // Not in the gazetteer: found by the rules.
        #expect(category("Kattegat Institute for Marine Research") == "organisation")
        #expect(category("Joanna Pawlak") == "person")
    }

    @Test("dated events carry a sortable date of the precision written")
    func events() throws {
        let (_, layer) = try self.layer("baltic-cod-quotas.txt")
        let dates = labels(layer, .event)
        #expect(dates.contains("2019-07-22"))
        #expect(dates.contains("2024-06"))
        #expect(dates.contains("2016"))
        // "the early 1980s" is a decade, not a dated event.
        #expect(!dates.contains("1980"))
    }

    @Test("recommendations and quotations with their speakers", arguments: ArticleFixtures.names)
    func recommendationsAndQuotations(name: String) throws {
        let (_, layer) = try self.layer(name)
        #expect(layer.filter { $0.kind == .recommendation }.count >= 4)
        let quotations = layer.filter { $0.kind == .quotation }
        #expect(quotations.filter { $0.label != nil }.count >= 2)
        for quotation in quotations {
            #expect(!quotation.anchor.exact.hasSuffix(","))
            if let speaker = quotation.label { #expect(!speaker.contains(".")) }
        }
    }

    @Test("speakers written before and after the quotation")
    func speakers() throws {
        let (_, layer) = try self.layer("baltic-cod-quotas.txt")
        let speakers = labels(layer, .quotation)
        #expect(speakers.contains("Joanna Pawlak"))  // Minister Joanna Pawlak said: “…”
        #expect(speakers.contains("Søren Kjærgaard"))  // “…,” said Søren Kjærgaard
    }

    @Test("every annotation is anchored on the text it describes", arguments: ArticleFixtures.names)
    func anchored(name: String) throws {
        let (briefing, layer) = try self.layer(name)
        #expect(!layer.isEmpty)
        for annotation in layer {
            #expect(briefing.text(at: annotation.anchor) == annotation.anchor.exact)
            #expect(annotation.anchor.revisionID == briefing.revision.id)
        }
        #expect(Set(layer.map(\.id)).count == layer.count)
    }

    @Test("annotations on unchanged passages keep their IDs in a revision", arguments: ArticleFixtures.names)
    func stableIDs(name: String) throws {
        let (_, before) = try layer(name)
        let (revised, after) = try layer(name, revised: true)
        let afterIDs = Set(after.map(\.id))
        let unchangedParagraphs = Set(revised.paragraphs.map(\.id))
        let kept = before.filter { unchangedParagraphs.contains($0.anchor.paragraphID) }
        #expect(!kept.isEmpty)
        // An annotation whose paragraph survived unchanged is regenerated with the same ID.
        let lost = kept.filter { !afterIDs.contains($0.id) }
        #expect(lost.isEmpty, "\(lost.map(\.anchor.exact))")
    }
}

@Suite("Entity rules for names the gazetteer does not know")
struct EntityRuleTests {
    let annotator = EditorialAnnotator(gazetteer: try! Gazetteer.bundled())

    func entities(_ text: String) -> [String: String] {
        let briefing = Briefing.assemble(id: "x", title: "T", sections: [(nil, [text])])
        return Dictionary(
            annotator.annotate(briefing).filter { $0.kind == .entity }.map { ($0.label ?? "", $0.text ?? "") },
            uniquingKeysWith: { a, _ in a })
    }

    @Test("an organisation's name ends at its organisation word, or runs through an 'of' tail")
    func organisationBounds() {
        #expect(entities("Kattegat Institute Director Lars Holm warned of further cuts.")["Kattegat Institute"] == "organisation")
        #expect(entities("On Tuesday the Kattegat Institute published its survey.")["Kattegat Institute"] == "organisation")
        #expect(entities("Staff at the Kattegat Institute for Marine Research disagreed.")["Kattegat Institute for Marine Research"] == "organisation")
    }

    @Test("a person's name follows a title")
    func titledPeople() {
        #expect(entities("Mayor Dolores Muñoz opened the first climate shelter.")["Dolores Muñoz"] == "person")
    }

    /// The sentences of `text`.
    func sentences(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return Sentences.ranges(in: scalars).map { range in
            var sentence = ""
            sentence.unicodeScalars.append(contentsOf: scalars[range])
            return sentence
        }
    }

    @Test("a quotation of several sentences stays in the sentence that quotes it")
    func quotedSentences() {
        #expect(
            sentences("“We will not sign. The quota is too low,” said the minister. Talks resume in May.")
                == ["“We will not sign. The quota is too low,” said the minister.", "Talks resume in May."])
        #expect(sentences("She answered: “No. Not this year.” Then she left.") == ["She answered: “No. Not this year.”", "Then she left."])
        #expect(sentences(#""Fine. Go ahead," she said. Next came the vote."#) == [#""Fine. Go ahead," she said."#, "Next came the vote."])
        // A quotation mark that never closes does not swallow the paragraph.
        #expect(sentences("“We will not sign. The quota is too low. Talks resume in May.").count == 3)
        // Abbreviations and apostrophes are as before.
        #expect(sentences("Dr. Holm didn’t sign. The minister’s aide did.") == ["Dr. Holm didn’t sign.", "The minister’s aide did."])
    }
}
