import BriefingIngest
import BriefingModel
import Foundation

/// The curated list of names the annotator tags as entities.
public struct Gazetteer: Decodable, Sendable {
    public struct Entry: Decodable, Sendable {
        public var name: String
        public var aliases: [String]?
    }

    public var countries: [Entry]
    public var organisations: [Entry]
    public var people: [Entry]

    /// The gazetteer shipped with the server (`SyncServer/Sources/SyncServerCore/Gazetteer/gazetteer.json`).
    public static func bundled() throws -> Gazetteer {
        guard let url = Bundle.module.url(forResource: "gazetteer", withExtension: "json", subdirectory: "Gazetteer") else {
            throw SyncError(.storage, "the gazetteer is missing from the server's resources")
        }
        return try JSONDecoder().decode(Gazetteer.self, from: Data(contentsOf: url))
    }

    /// Every name and alias with its canonical name and category, longest first.
    var terms: [(text: String, name: String, category: String)] {
        var terms: [(String, String, String)] = []
        for (category, entries) in [("country", countries), ("organisation", organisations), ("person", people)] {
            for entry in entries {
                for text in [entry.name] + (entry.aliases ?? []) { terms.append((text, entry.name, category)) }
            }
        }
        return terms.sorted { $0.0.unicodeScalars.count > $1.0.unicodeScalars.count }
    }
}

/// Annotates a briefing automatically: entities, dated events, recommendations and quotations,
/// each anchored like a reader's highlight.
///
/// Annotation IDs derive from the briefing, the kind, the paragraph (whose ID derives from its
/// text), the quoted text and its occurrence in the paragraph, so an annotation in an unchanged
/// paragraph keeps its ID in a new revision.
public struct EditorialAnnotator: Sendable {
    let terms: [(text: [Unicode.Scalar], name: String, category: String)]

    public init(gazetteer: Gazetteer) {
        terms = gazetteer.terms.map { (Array($0.text.unicodeScalars), $0.name, $0.category) }
    }

    /// Titles that mark the capitalized words after them as a person's name.
    static let personTitles: Set<String> = [
        "Dr.", "Dr", "Professor", "Prof.", "Minister", "President", "Senator", "Commissioner", "Mayor", "Governor",
        "Ambassador", "Chancellor", "Secretary", "Director", "Judge", "Mr.", "Ms.", "Mrs.", "Councillor", "Councilor",
        "Deputy", "Premier", "Chair", "Chairman", "Chairwoman", "Chief", "Inspector", "General", "Sir", "Dame",
    ]
    /// Last words that make a capitalized run an organisation's name.
    static let organisationWords: Set<String> = [
        "Agency", "Authority", "Commission", "Council", "Institute", "Ministry", "Bank", "Fund", "Association", "Union",
        "Organisation", "Organization", "Office", "Board", "Company", "Group", "Corporation", "University", "Foundation",
        "Centre", "Center", "Forum", "Network", "Alliance", "Court", "Parliament", "Department", "Service", "Trust",
        "Observatory", "Programme", "Program", "Federation", "Confederation", "Society", "Academy", "Laboratory", "Inc.", "Ltd",
    ]
    /// Capitalized words that open a sentence or name a day or month, not part of a name.
    static let leadingNonNames: Set<String> = [
        "The", "A", "An", "On", "In", "At", "For", "By", "From", "With", "Under", "After", "Before", "During", "Since", "Last",
        "Next", "This", "That", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
        "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]
    static let connectors: Set<String> = ["of", "for", "and", "the", "on", "de", "du", "des", "la", "le", "van", "von", "der", "&"]
    static let recommendationPattern =
        #"(?i)\b(should|must|ought to|needs? to|we recommend|recommends?|it is (?:essential|vital|crucial|imperative)|would do well to)\b"#
    static let speechVerbs = "said|says|told|added|argued|warned|noted|explained|insisted|wrote|asked|replied|observed|cautioned|stressed"

    /// Every automatic annotation of `briefing`, in reading order within each kind.
    public func annotate(_ briefing: Briefing) -> [EditorialAnnotation] {
        var drafts: [(kind: EditorialKind, paragraphID: String, scalars: [Unicode.Scalar], range: Range<Int>, label: String?, text: String?)] = []
        for paragraph in briefing.paragraphs {
            let scalars = Array(paragraph.text.unicodeScalars)
            for entity in entities(in: scalars) {
                drafts.append((.entity, paragraph.id, scalars, entity.range, entity.name, entity.category))
            }
            for sentence in Sentences.ranges(in: scalars) {
                let text = Self.string(scalars[sentence])
                if let first = DateMention.all(in: text).first {
                    drafts.append((.event, paragraph.id, scalars, sentence, first.label, nil))
                }
                if !text.hasSuffix("?"), Self.recommendation.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)) != nil {
                    drafts.append((.recommendation, paragraph.id, scalars, sentence, nil, nil))
                }
            }
            for quotation in quotations(in: scalars) {
                drafts.append((.quotation, paragraph.id, scalars, quotation.range, quotation.speaker, nil))
            }
        }
        var occurrences: [String: Int] = [:]
        return drafts.map { draft in
            let anchor = TextAnchor(
                revisionID: briefing.revision.id, paragraphID: draft.paragraphID, scalars: draft.scalars, range: draft.range,
                status: .anchored)
            let exact = anchor.exact
            let key = [draft.kind.rawValue, draft.paragraphID, exact].joined(separator: "\u{1F}")
            let occurrence = occurrences[key, default: 0]
            occurrences[key] = occurrence + 1
            return EditorialAnnotation(
                id: "e-" + StableHash.hex(of: [briefing.id, draft.kind.rawValue, draft.paragraphID, exact, String(occurrence)], length: 16),
                briefingID: briefing.id, kind: draft.kind, anchor: anchor, label: draft.label, text: draft.text, origin: .automatic)
        }
    }

    static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    // MARK: Entities

    /// Gazetteer names first (longest wins), then the rules for names it does not know.
    func entities(in text: [Unicode.Scalar]) -> [(range: Range<Int>, name: String, category: String)] {
        var found: [(range: Range<Int>, name: String, category: String)] = []
        func free(_ range: Range<Int>) -> Bool { !found.contains { $0.range.overlaps(range) } }
        for term in terms {
            for range in TextSearch.ranges(of: term.text, in: text)
            where Self.isBoundary(text, range.lowerBound - 1) && Self.isBoundary(text, range.upperBound) && free(range) {
                found.append((range, term.name, term.category))
            }
        }
        for guess in unknownNames(in: text) where free(guess.range) { found.append(guess) }
        return found.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    static func isBoundary(_ text: [Unicode.Scalar], _ index: Int) -> Bool {
        guard index >= 0, index < text.count else { return true }
        let scalar = text[index]
        return !(scalar.properties.isAlphabetic || scalar.properties.numericType != nil)
    }

    /// Words of a text with their scalar ranges (letters, digits, inner apostrophes, hyphens and dots).
    static func words(_ text: [Unicode.Scalar]) -> [(word: String, range: Range<Int>)] {
        var result: [(String, Range<Int>)] = []
        var index = 0
        func isWordScalar(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || s.properties.numericType != nil }
        while index < text.count {
            guard isWordScalar(text[index]) || text[index] == "&" else { index += 1; continue }
            let start = index
            while index < text.count,
                isWordScalar(text[index]) || text[index] == "&"
                    || ("’'-.".unicodeScalars.contains(text[index]) && index + 1 < text.count && isWordScalar(text[index + 1]))
            {
                index += 1
            }
            // "Dr." keeps its dot.
            if index < text.count, text[index] == ".", personTitles.contains(string(text[start..<index]) + ".") { index += 1 }
            result.append((string(text[start..<index]), start..<index))
        }
        return result
    }

    static func isCapitalized(_ word: String) -> Bool { word.unicodeScalars.first?.properties.isUppercase == true }

    /// People after a title ("Minister Anna Kowalczyk") and organisations by their last word
    /// ("the Kattegat Institute for Marine Research").
    func unknownNames(in text: [Unicode.Scalar]) -> [(range: Range<Int>, name: String, category: String)] {
        let words = Self.words(text)
        var found: [(range: Range<Int>, name: String, category: String)] = []
        var index = 0
        while index < words.count {
            // A run of capitalized words, allowing lowercase connectors inside.
            guard Self.isCapitalized(words[index].word) else { index += 1; continue }
            var end = index + 1
            while end < words.count {
                let gapOK = words[end].range.lowerBound - words[end - 1].range.upperBound == 1
                    && text[words[end - 1].range.upperBound] == " "
                guard gapOK else { break }
                if Self.isCapitalized(words[end].word) {
                    end += 1
                } else if Self.connectors.contains(words[end].word), end + 1 < words.count, Self.isCapitalized(words[end + 1].word),
                    words[end + 1].range.lowerBound - words[end].range.upperBound == 1
                {
                    end += 2
                } else {
                    break
                }
            }
            let run = Array(words[index..<end])
            if let titleEnd = run.firstIndex(where: { !Self.personTitles.contains($0.word) }), titleEnd > 0,
                (1...3).contains(run.count - titleEnd), run[titleEnd...].allSatisfy({ Self.isCapitalized($0.word) })
            {
                let name = run[titleEnd...]
                found.append((name.first!.range.lowerBound..<name.last!.range.upperBound, name.map(\.word).joined(separator: " "), "person"))
            } else if let last = run.firstIndex(where: { Self.organisationWords.contains($0.word) }).map({ firstWord in
                // The name ends at its organisation word ("Kattegat Institute", not "… Institute
                // Director Lars Holm"), or runs on through an "of …" tail ("Institute for Marine Research").
                var end = firstWord
                while end + 1 < run.count, Self.organisationWords.contains(run[end + 1].word) { end += 1 }
                if end + 1 < run.count, ["of", "for", "on", "and", "&"].contains(run[end + 1].word) { end = run.count - 1 }
                return end
            }), last > 0 || run.count > 1 {
                var first = 0
                while first < last && (Self.connectors.contains(run[first].word) || Self.leadingNonNames.contains(run[first].word)) { first += 1 }
                let name = run[first...last]
                if name.count >= 2 {
                    found.append((name.first!.range.lowerBound..<name.last!.range.upperBound,
                        name.map(\.word).joined(separator: " "), "organisation"))
                }
            }
            index = end
        }
        return found
    }

    // MARK: Quotations

    /// Quoted passages of four words or more, with the speaker when the text says who spoke.
    func quotations(in text: [Unicode.Scalar]) -> [(range: Range<Int>, speaker: String?)] {
        var found: [(range: Range<Int>, speaker: String?)] = []
        var index = 0
        while index < text.count {
            let open = text[index]
            let close: Unicode.Scalar? = open == "“" ? "”" : (open == "\"" ? "\"" : nil)
            guard let close, let end = text[(index + 1)...].firstIndex(of: close) else { index += 1; continue }
            var innerEnd = end
            while innerEnd > index + 1, ",;: ".unicodeScalars.contains(text[innerEnd - 1]) { innerEnd -= 1 }
            let inner = (index + 1)..<innerEnd
            let quoted = Self.string(text[inner])
            if quoted.split(separator: " ").count >= 4 {
                let after = Self.string(text[(end + 1)..<min(text.count, end + 120)])
                let before = Self.string(text[max(0, index - 120)..<index])
                found.append((inner, speaker(after: after) ?? speaker(before: before)))
            }
            index = end + 1
        }
        return found
    }

    static let namePattern = #"((?:(?:Dr\.|Prof\.|Professor|Minister|President|Senator|Commissioner|Mayor|Governor|Ambassador|Mr\.|Ms\.|Mrs\.) )?\p{Lu}[\p{L}’'\-]+(?: (?:de |van |von |da |del |ní |Ní |Mac |Mc )?\p{Lu}[\p{L}’'\-]+){0,3})"#

    /// Speakers named after a quotation: `,” said Dr. Ana Ruiz, …` / `,” Ana Ruiz said` /
    /// `,” according to Ana Ruiz`. Compiled once.
    static let speakerAfter = [
        #"^[,.!?]? ?(?:"# + speechVerbs + #") "# + namePattern,
        #"^[,.!?]? ?"# + namePattern + #" (?:"# + speechVerbs + #")\b"#,
        #"^[,.!?]? ?according to "# + namePattern,
    ].map { try! NSRegularExpression(pattern: $0) }

    /// Speakers named before a quotation: `Ana Ruiz said: “` / `Minister Ana Ruiz, who …, said: “`.
    static let speakerBefore = [
        namePattern + #"(?:, [^,“”]{1,80},)? (?:"# + speechVerbs + #")(?: [\p{Ll} ]{1,30})?[:,]? ?$"#
    ].map { try! NSRegularExpression(pattern: $0) }

    static let recommendation = try! NSRegularExpression(pattern: recommendationPattern)

    func speaker(after text: String) -> String? { Self.firstCapture(Self.speakerAfter, in: text).map(Self.cleanSpeaker) }

    func speaker(before text: String) -> String? { Self.firstCapture(Self.speakerBefore, in: text).map(Self.cleanSpeaker) }

    static func firstCapture(_ regexes: [NSRegularExpression], in text: String) -> String? {
        for regex in regexes {
            guard let match = regex.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)),
                let range = Range(match.range(at: 1), in: text)
            else { continue }
            return String(text[range])
        }
        return nil
    }

    /// A speaker's name without a leading title or a trailing full stop.
    static func cleanSpeaker(_ name: String) -> String {
        var words = name.split(separator: " ").map(String.init)
        while words.count > 1, let first = words.first, personTitles.contains(first) { words.removeFirst() }
        var result = words.joined(separator: " ")
        if result.hasSuffix(".") && !personTitles.contains(result) { result.removeLast() }
        return result
    }
}

/// Sentence boundaries in a paragraph.
public enum Sentences {
    static let abbreviations: Set<String> = [
        "Dr", "Mr", "Ms", "Mrs", "Prof", "St", "No", "vs", "e.g", "i.e", "U.S", "U.K", "Jan", "Feb", "Mar", "Apr", "Jun",
        "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Gen", "Sen", "Rep", "Inc", "Ltd", "Co", "Corp", "etc", "approx", "cf",
    ]

    /// The ranges (in scalars) of the sentences of `text`, each trimmed of surrounding spaces.
    ///
    /// A quotation is part of the sentence that quotes it: `“We will not sign. The quota is
    /// too low,” said the minister.` is one sentence. A quotation mark that never closes in the
    /// paragraph (scraped text loses them) does not hold the rest of the paragraph together.
    public static func ranges(in text: [Unicode.Scalar]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        var index = 0
        var quotes = QuoteState()
        while index < text.count {
            let scalar = text[index]
            quotes.pass(scalar)
            if scalar == "." || scalar == "!" || scalar == "?" || scalar == "…" {
                var end = index + 1
                var after = quotes
                while end < text.count, "”’\")".unicodeScalars.contains(text[end]) {
                    after.pass(text[end])
                    end += 1
                }
                let atEnd = end == text.count
                let followedByStart =
                    end + 1 < text.count && text[end] == " "
                    && (text[end + 1].properties.isUppercase || text[end + 1].properties.numericType != nil
                        || "“‘\"(".unicodeScalars.contains(text[end + 1]))
                if atEnd || followedByStart, scalar != "." || !isAbbreviation(text, before: index),
                    !after.closesLater(in: text[end...])
                {
                    result.append(start..<end)
                    start = end
                    while start < text.count && text[start] == " " { start += 1 }
                    index = start
                    quotes = after
                    continue
                }
            }
            index += 1
        }
        if start < text.count { result.append(start..<text.count) }
        return result.filter { !$0.isEmpty }
    }

    /// The quotation marks open at a point of a paragraph. Single quotes are left out: `’` is
    /// also the apostrophe.
    struct QuoteState {
        var curly = 0
        var straight = false

        mutating func pass(_ scalar: Unicode.Scalar) {
            switch scalar {
            case "“": curly += 1
            case "”": curly = max(0, curly - 1)
            case "\"": straight.toggle()
            default: break
            }
        }

        /// Whether a quotation open here closes in `rest`.
        func closesLater(in rest: ArraySlice<Unicode.Scalar>) -> Bool {
            (curly > 0 && rest.contains("”")) || (straight && rest.contains("\""))
        }
    }

    static func isAbbreviation(_ text: [Unicode.Scalar], before dot: Int) -> Bool {
        var start = dot
        while start > 0, text[start - 1] != " " { start -= 1 }
        var word = ""
        word.unicodeScalars.append(contentsOf: text[start..<dot])
        return abbreviations.contains(word) || (word.count == 1 && word.unicodeScalars.first!.properties.isUppercase)
    }
}
