import BriefingModel
import Foundation

/// The role a block plays in the article.
public enum BlockRole: String, Sendable, Codable, CaseIterable {
    /// Before the title: banners, menus, breadcrumbs, spam, kickers.
    case preamble
    case title
    /// Between the title and the body: byline, date, credit, standfirst labels.
    case header
    case paragraph
    case heading
    /// Between paragraphs but not the article's: ads, share bars, "Read more" links, captions.
    case aside
    case bio
    /// After the body: notes, footers, comment forms, copyright, publication lines.
    case closing

    var isBody: Bool { self == .paragraph || self == .heading }
}

/// A score for one role, with the evidence that made it.
struct RoleScore {
    var value = 0.0
    var reasons: [(weight: Double, text: String)] = []

    mutating func add(_ weight: Double, _ text: String) {
        guard weight != 0 else { return }
        value += weight
        reasons.append((weight, text))
    }

    /// Another score's evidence, added to this one's.
    mutating func add(_ other: RoleScore) {
        value += other.value
        reasons += other.reasons
    }

    /// The strongest evidence for the choice, in words.
    func because(_ count: Int = 3) -> String {
        reasons.filter { $0.weight > 0 }.sorted { $0.weight > $1.weight }.prefix(count).map(\.text).joined(separator: "; ")
    }

    /// The strongest evidence against, in words.
    func against(_ count: Int = 2) -> String {
        reasons.filter { $0.weight < 0 }.sorted { $0.weight < $1.weight }.prefix(count).map(\.text).joined(separator: "; ")
    }
}

/// Decides the whole article's structure at once.
///
/// Every block gets a score for each role from its own shape and from the document around it
/// (its words shared with the article's long paragraphs, lines repeated on the page, the URL's
/// slug, the page's metadata, names shared between a byline and the bios at the end). Then one
/// best assignment of roles is chosen under the article's grammar —
///
///     preamble* title [title-continuation] (header | bio)* (paragraph | heading | aside)* (bio | closing)*
///
/// with one title, a heading always followed by a paragraph, and nothing of the body after the
/// closing matter begins — by dynamic programming (Viterbi) over that grammar. One odd line then
/// costs only its own score; it cannot derail what follows, as a first-match rule would.
struct ArticleStructure {
    let blocks: [SourceBlock]
    let metadata: SourceMetadata
    let sourceURL: String?
    /// The editor's title, when given: it outranks everything.
    let givenTitle: String?

    /// Per block: words shared with the article, repeated lines, shapes.
    struct Features {
        var words = 0
        var endsSentence = false
        var endsWithPeriod = false
        var sentences = 0
        var overlap = 0.0
        var repeated = 0
        var boilerplate: String?
        var uiLabel: String?
        var breadcrumb: String?
        var spam: String?
        var byline: LineShapes.Byline?
        var bylineStrong = false
        var date: Date?
        var credit: String?
        var publication: LineShapes.PublicationMention?
        var bioName: String?
        var bioMatched = false
        /// A bio that names its person by pronoun, after a line with the name.
        var pronounBio = false
        /// One of the bios at the end: next to another, or after a rule or closing label.
        var bioRun = false
        /// In the last quarter of the article's prose (or its last three blocks of it): late, however long
        /// the page's chrome after it.
        var lateInProse = false
        /// The name line over a pronoun bio.
        var bioLabel = false
        var closingLabel = false
        var citation = false
        var afterClosingLabel = false
        /// In a list of other articles' headlines, under a "Related" or "Trending now" label.
        var inHeadlineList = false
        var slugMatch = 0.0
        var subjectMatch = 0.0
        /// A caption, marked up or ending with a picture credit.
        var caption = false
        /// "Until next time,", "Best wishes,": a letter's closing.
        var valediction = false
        var metadataTitleMatch = 0.0
        var titleShaped = false
        var headingShaped = false
        /// Under a byline that marks its names ("Ana Ruiz*"): the note the mark points to ("* University of …").
        var affiliationNote = false
        /// Its sentence goes on further down, past a page break ("… one of the most" / "closely studied …").
        var cutOff = false
        /// A line of a table of contents whose entries come back as the headings.
        var tocEntry = false
        /// A person introduced under a "This week's guests" label: the page's, not the article's.
        var guestIntroduction = false
        /// Before the first section a contents list names, and not named by it.
        var outsideContents = false
        /// On the pages before a typeset contents list.
        var beforeContents = false
        /// After the named contributors' bios at the end.
        var afterBios = false
        /// A label over the contributors' bios at the end ("The people behind Garden Leave").
        var overBios = false
        /// An item of a menu copied as a list.
        var inMenu = false
        /// The line under a bare figure ("10%" / "Tariff on a car that fails the test"): a callout's caption.
        var calloutCaption = false
        /// On a page of a typeset document's front matter: its imprint, copyright and citation.
        var frontMatterPage = false
    }

    private(set) var features: [Features] = []
    /// Per block, the evidence that it is not the article's text, which every role weighs: worked
    /// out once, after the features.
    private(set) var junk: [RoleScore] = []
    /// The words of the URL's slug and of the title the metadata or the editor gives.
    private let slug: [String]
    private let metadataTitle: [String]
    /// The page's other titles, as word lists (none when the editor gave the title).
    private let otherTitles: [[String]]
    private(set) var docHasHeadingMarkup = false
    /// The page sets two or more short lines wholly in bold between its paragraphs, and marks no
    /// headings up inside its text: its editor made headings in bold.
    private(set) var boldHeadings = false
    /// Numbered lines shaped like headings whose numbers run 1, 2, 3 … in the page's order
    /// ("1 Introduction" … "5 Conclusion"): the page's own sections.
    private(set) var numberedSections: Set<Int> = []
    /// Where the text begins: its first long paragraph that is not a bio, boilerplate or furniture.
    private(set) var textStart = 0
    private(set) var bylineNames: Set<String> = []
    /// The guest a host's page names as the piece's writer in its opening lines.
    private(set) var guestAuthor: String?
    /// Most blocks follow the previous one without a blank line (a copied page with no spacing).
    private(set) var mostlyTight = false
    /// Each block's text as repeats are compared, and where it stands.
    private(set) var lineKeys: [String: [Int]] = [:]
    /// Lines standing once on their own that a running header repeated on the page's pages gives
    /// as one of its parts ("Metering the Fields" under "Metering the Fields | CEPF Policy Brief
    /// No. 14"): the document's short title.
    private(set) var shortTitleLines: Set<Int> = []

    /// Words no heading or title ends on: the sentence must go on.
    static let danglingWords: Set<String> = [
        "a", "an", "the", "and", "or", "but", "of", "its", "their", "our", "that", "than", "as", "is", "are", "whose",
    ]

    /// Words a title line does not end on unless it continues on the next line.
    static let joiningWords: Set<String> = [
        "a", "an", "the", "of", "for", "and", "or", "to", "in", "on", "at", "by", "with", "from", "is", "are", "how", "why",
        "what",
        "when", "not", "but", "its", "their", "our", "into", "over", "after", "before", "as", "than", "that", "about", "—", "–",
        "-",
    ]

    /// The longest runs of consecutive indices below `count` that pass `member`, each index after
    /// a run's first also passing `joined` (a menu's items follow one another without a blank line).
    static func runs(count: Int, of member: (Int) -> Bool, joined: (Int) -> Bool = { _ in true }) -> [ClosedRange<Int>] {
        var result: [ClosedRange<Int>] = []
        var start = 0
        while start < count {
            guard member(start) else {
                start += 1
                continue
            }
            var end = start
            while end + 1 < count, member(end + 1), joined(end + 1) { end += 1 }
            result.append(start...end)
            start = end + 1
        }
        return result
    }

    /// Cards of other articles, two or more in a row, each a headline over its date, with a teaser
    /// between them or not ("Who owns an eroding field?" / "Property law and the slow loss of land
    /// to the sea." / "February 14, 2024" / `In "Wales"`): a block of related posts, with or without
    /// a label over it. An article's own title over its standfirst and date is one such group,
    /// never two in a row; the line the URL or the metadata names is never in one.
    static func articleCards(_ blocks: [SourceBlock], _ found: [Features]) -> [ClosedRange<Int>] {
        func headline(_ index: Int) -> Bool {
            // (Three words or more: "Published" / "12.11.2025" / "Last updated" / "19.11.2025" is a header's labels.)
            index >= 0 && (3...18).contains(found[index].words) && !found[index].endsWithPeriod && found[index].date == nil
                && found[index].byline == nil && max(found[index].slugMatch, found[index].metadataTitleMatch) < 0.5
        }
        func teaser(_ index: Int) -> Bool {
            index >= 0 && (6...40).contains(found[index].words) && found[index].sentences <= 2 && found[index].date == nil
                && found[index].bioName == nil && max(found[index].slugMatch, found[index].metadataTitleMatch) < 0.5
        }
        /// A card's date line, or its date with a reading time ("Sep 9, 2025 5 min read").
        func dated(_ index: Int) -> Bool { found[index].date != nil && found[index].words <= 12 }
        /// The card that ends with the date at `index`: from its headline.
        func card(endingAt index: Int) -> ClosedRange<Int>? {
            guard dated(index) else { return nil }
            if headline(index - 1) { return (index - 1)...index }
            if teaser(index - 1), headline(index - 2) { return (index - 2)...index }
            return nil
        }
        var cards: [ClosedRange<Int>] = []
        var run: [ClosedRange<Int>] = []
        func close() {
            if run.count >= 2 { cards.append(run.first!.lowerBound...run.last!.upperBound) }
            run = []
        }
        for index in found.indices {
            guard let next = card(endingAt: index) else { continue }
            // Between two cards of one block: nothing, or a line of the card's own (its category,
            // `In "Wales"`, a tag over the next headline).
            if let last = run.last, next.lowerBound - last.upperBound - 1 > 2 || next.lowerBound <= last.upperBound
                || ((last.upperBound + 1)..<next.lowerBound).contains(where: { found[$0].words > 6 || found[$0].endsWithPeriod })
            {
                close()
            }
            run.append(next)
        }
        close()
        return cards
    }

    /// A line that is only "and" or "&", between two lines of names.
    static func conjunctionLine(_ text: String) -> Bool { ["and", "&", "und", "et", "y", "e"].contains(text.lowercased()) }

    init(blocks: [SourceBlock], metadata: SourceMetadata, sourceURL: String?, givenTitle: String?) {
        self.blocks = blocks
        self.metadata = metadata
        self.sourceURL = sourceURL ?? metadata.url
        self.givenTitle = givenTitle
        slug = Self.slugWords(sourceURL ?? metadata.url)
        metadataTitle = (givenTitle ?? metadata.title).map(Self.wordList) ?? []
        otherTitles = givenTitle == nil ? metadata.otherTitles.map(Self.wordList) : []
        computeFeatures()
        // (Under the article's own title, a greeting opens the article: "Hi all — this week's issue …".)
        let titleMark = blocks.indices.first { blocks[$0].headingLevel == 1 || features[$0].metadataTitleMatch >= 0.8 }
        junk = blocks.indices.map { index in junkEvidence(index, greetingCounts: titleMark.map { index <= $0 } ?? true) }
        markFrontMatterPages()
    }

    /// A page of a typeset document, in its first third, where many lines are plainly not the
    /// article's (a © line, "the views expressed", a suggested citation, a credit, a date) is its
    /// imprint page: what else is on it (an address, a funder's name) is front matter too.
    mutating func markFrontMatterPages() {
        let pages = Dictionary(grouping: blocks.indices.filter { blocks[$0].furniture == nil }, by: { blocks[$0].page })
        guard pages.count >= 3 else { return }
        for (page, onPage) in pages where page != nil {
            guard let first = onPage.first, position(first) < 0.35, onPage.count >= 3 else { continue }
            let junk = onPage.map { self.junk[$0].value }
            let imprint = junk.filter { $0 <= -5 }.count
            // (A page where the article's text begins, a long paragraph with nothing against it, is not.)
            let prose = zip(onPage, junk).contains { index, junk in
                junk == 0 && features[index].words >= 30 && features[index].endsSentence
            }
            if !prose && imprint >= 3 && imprint * 5 >= onPage.count * 2 {
                for index in onPage { features[index].frontMatterPage = true }
            }
        }
    }

    // MARK: Features

    static func slugWords(_ url: String?) -> [String] {
        guard let url, let parsed = URL(string: url) else { return [] }
        var components = parsed.pathComponents.filter { $0 != "/" }
        while let last = components.last,
            LineShapes.matches(#"^(index\.html?|amp|\d+|[a-z]{2})$"#, last)
        {
            components.removeLast()
        }
        guard var last = components.last else { return [] }
        if let dot = last.lastIndex(of: "."),
            ["html", "htm", "php", "aspx"].contains(last[last.index(after: dot)...].lowercased())
        {
            last = String(last[..<dot])
        }
        let words = last.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init).filter {
            !$0.allSatisfy(\.isNumber)
        }
        return words.count >= 2 ? words : []
    }

    /// How well the words of `text` and `other` agree: F1 of shared words.
    static func similarity(_ text: String, _ words: [String]) -> Double {
        guard !words.isEmpty else { return 0 }
        let mine = text.lowercased().folding(options: .diacriticInsensitive, locale: nil).split { !($0.isLetter || $0.isNumber) }
            .map(String.init)
        guard !mine.isEmpty else { return 0 }
        let shared = Set(mine).intersection(words).count
        guard shared > 0 else { return 0 }
        let recall = Double(shared) / Double(Set(words).count)
        let precision = Double(shared) / Double(Set(mine).count)
        return 2 * recall * precision / (recall + precision)
    }

    static func wordList(_ text: String) -> [String] {
        text.lowercased().folding(options: .diacriticInsensitive, locale: nil).split { !($0.isLetter || $0.isNumber) }.map(
            String.init)
    }

    mutating func computeFeatures() {
        let subject = metadata.subject.map(Self.wordList) ?? []
        docHasHeadingMarkup = blocks.contains { ($0.headingLevel ?? 0) >= 2 }
        let boldLines = blocks.indices.filter { index in
            let block = blocks[index]
            let words = block.text.split(separator: " ").count
            return block.emphasized && block.headingLevel == nil && !block.chrome && (1...14).contains(words)
                && !block.text.hasSuffix(".") && !block.text.hasSuffix(":") && block.markup != .listItem
        }
        // (Headings marked up only in the page's chrome or closing matter do not count.)
        let markedInText = blocks.indices.contains { index in
            (blocks[index].headingLevel ?? 0) >= 2 && !blocks[index].chrome
                && boldLines.contains(where: { $0 < index }) && boldLines.contains(where: { $0 > index })
        }
        boldHeadings = boldLines.count >= 2 && !markedInText
        mostlyTight = blocks.filter(\.tight).count * 2 > blocks.count
        for index in blocks.indices { lineKeys[PlainTextReader.repetitionKey(blocks[index].text), default: []].append(index) }
        // "Metering the Fields | CEPF Policy Brief No. 14" on every page: a running header's parts,
        // one of them the document's short title.
        for indices in lineKeys.values where indices.count >= 2 && blocks[indices[0]].text.contains(" | ") {
            // (Not the publisher's name it gives: "Harrowgate Centre for Water Policy | Policy Brief 2/2025".)
            for part in blocks[indices[0]].text.components(separatedBy: " | ")
            where LineShapes.words(part) >= 2 && !LineShapes.namesOrganisation(part) {
                if let lines = lineKeys[PlainTextReader.repetitionKey(part)], lines.count == 1 { shortTitleLines.insert(lines[0]) }
            }
        }

        // The article's own vocabulary: words of its long, sentence-shaped paragraphs.
        var vocabulary: [String: Int] = [:]
        var core: [Bool] = []
        for block in blocks {
            let isCore =
                LineShapes.words(block.text) >= 15 && LineShapes.endsSentence(block.text) && !block.chrome
                && block.furniture == nil && block.linkDensity < 0.3 && LineShapes.boilerplate(block.text) == nil
            core.append(isCore)
            if isCore { for word in Set(LineShapes.contentWords(block.text)) { vocabulary[word, default: 0] += 1 } }
        }
        var repeats: [String: Int] = [:]
        // Repeats of the page's own text; a table of contents or a menu repeating a heading does not count.
        for block in blocks where !block.text.isEmpty && block.furniture == nil && !block.chrome {
            repeats[PlainTextReader.repetitionKey(block.text), default: 0] += 1
        }

        var bioNames: Set<String> = []
        var found: [Features] = []
        for (index, block) in blocks.enumerated() {
            var feature = Features()
            let text = block.text
            feature.words = LineShapes.words(text)
            feature.endsSentence = LineShapes.endsSentence(text)
            feature.endsWithPeriod = LineShapes.endsWithPeriod(text)
            feature.sentences = LineShapes.sentenceCount(text)
            let words = Set(LineShapes.contentWords(text))
            if !words.isEmpty {
                let shared = words.filter { vocabulary[$0, default: 0] > (core[index] ? 1 : 0) }.count
                feature.overlap = Double(shared) / Double(words.count)
            }
            feature.repeated = text.isEmpty ? 0 : repeats[PlainTextReader.repetitionKey(text), default: 0]
            feature.boilerplate = LineShapes.boilerplate(text)
            feature.uiLabel = LineShapes.uiLabel(text)
            feature.breadcrumb = feature.words <= 20 ? LineShapes.breadcrumb(text) : nil
            feature.spam = LineShapes.spam(text)
            feature.byline = LineShapes.byline(text)
            feature.date = LineShapes.dateLine(text)
            feature.credit = LineShapes.credit(text)
            let nearImage = index > 0 && blocks[index - 1].markup == .image
            feature.caption =
                block.markup == .caption || (feature.credit == nil && LineShapes.captionWithCredit(text))
                || LineShapes.matches(#"^(?i:pictured|caption)\s*:\s*\S"#, text)
                || (feature.credit == nil && (nearImage || position(index) < 0.3) && LineShapes.captionWithPhotographer(text))
            feature.publication = LineShapes.publication(text)
            feature.bioName = LineShapes.bioName(text)
            // The publication's own name is not a person's.
            if let name = feature.bioName, let publication = metadata.publication, Names.key(name) == Names.key(publication) {
                feature.bioName = nil
            }
            if let name = feature.bioName { bioNames.insert(Names.key(name)) }
            feature.closingLabel =
                (feature.words <= 5 || LineShapes.citationLabel(text) || LineShapes.aboutOrganisation(text)) && LineShapes.closingLabel(text)
            feature.citation = LineShapes.citation(text)
            feature.slugMatch = Self.similarity(text, slug)
            feature.metadataTitleMatch = ([metadataTitle] + otherTitles).map { Self.similarity(text, $0) }.max() ?? 0
            feature.titleShaped =
                (2...30).contains(feature.words) && text.count <= 250 && !feature.endsWithPeriod
                && LineShapes.startsCapitalized(text)
            feature.subjectMatch = Self.similarity(text, subject)
            feature.valediction = LineShapes.valediction(text)
            feature.headingShaped =
                (1...16).contains(feature.words) && text.count <= 140 && !feature.endsWithPeriod
                && !text.hasSuffix(":") && LineShapes.startsCapitalized(text)
            found.append(feature)
        }
        // A byline is strong when it is labelled, dated, or names someone a bio or the metadata names.
        let authorKeys = Set(metadata.authors.map(Names.key))
        var afterLabel = false
        // (HTML has no blank lines between blocks to go by.)
        let html = blocks.allSatisfy { !$0.tight }
        // Prose: a sentence-ending block of twelve words or more outside page chrome; how many come before each block.
        var proseBefore = [0]
        for index in found.indices {
            let prose = found[index].words >= 12 && found[index].endsSentence && !blocks[index].chrome
            proseBefore.append(proseBefore[index] + (prose ? 1 : 0))
        }
        for index in found.indices where proseBefore[found.count] >= 4 {
            let after = proseBefore[found.count] - proseBefore[index + 1]
            found[index].lateInProse = after <= max(3, proseBefore[found.count] / 4)
        }
        // "Ngā mihi," / "Hemi", "Saludos," / "Ana": a closing of one to three words ending with a
        // comma over a name line, late in the text, is a letter's sign-off in any language.
        for index in found.indices.dropLast() where !found[index].valediction && found[index].lateInProse {
            let text = blocks[index].text
            guard (1...3).contains(found[index].words), text.hasSuffix(","), LineShapes.startsCapitalized(text) else { continue }
            let next = blocks[index + 1].text
            if (1...4).contains(found[index + 1].words), LineShapes.startsCapitalized(next), !found[index + 1].endsSentence,
                next.split(separator: " ").allSatisfy({ $0.first?.isUppercase == true || Names.isParticle($0) })
            {
                found[index].valediction = true
            }
        }
        for index in found.indices {
            // "By Ana Ruiz" over "with Tom Berg" (or "and Tom Berg"): a co-author's line of the byline.
            if index > 0, found[index].byline == nil, found[index - 1].byline?.labelled == true,
                let label = blocks[index].text.range(
                    of: #"^(?i:with|and|&|additional reporting by|reporting by)\s+"#, options: .regularExpression),
                var more = LineShapes.byline(String(blocks[index].text[label.upperBound...])), !more.names.isEmpty,
                more.names.allSatisfy(Names.isName)
            {
                more.labelled = true
                found[index].byline = more
            }
            // (The site's own name, "Eastmoor Gazette" at eastmoorgazette.example, is not a person's.)
            if let byline = found[index].byline, let site = LineShapes.siteLabel(sourceURL),
                !byline.labelled, byline.names.allSatisfy({ LineShapes.spells(site, $0) })
            {
                found[index].byline = nil
            }
            if let byline = found[index].byline {
                let keys = Set(byline.names.map(Names.key))
                // A date line right after a names line makes it a byline too.
                // (Past the writer's role: "Lena Hoffmann-Achebe" / "Economics correspondent" / "Mon 7 Apr 2025".)
                let dated =
                    index + 1 < found.count && found[index + 1].byline == nil
                    && (found[index + 1].date != nil
                        || (index + 2 < found.count && LineShapes.isRole(blocks[index + 1].text) && found[index + 2].date != nil))
                // Names on consecutive lines, each a line of names, list the authors.
                // (Past a line that is only "and": "Ana Ruiz" / "and" / "Tom Berg".)
                func bare(_ other: Int) -> Bool {
                    var other = other
                    if Self.conjunctionLine(blocks[other].text) { other += other < index ? -1 : 1 }
                    guard found.indices.contains(other) else { return false }
                    return found[other].byline.map { !$0.labelled } == true && blocks[other].furniture == nil
                }
                // (In HTML, blocks have no blank lines between them to go by.)
                // (Not a line that finishes the one before: "Why the Childcare Expansion Is / Leaving Rural Families Behind".)
                let finishesPrevious =
                    index > 0
                    && (Self.joiningWords.contains(
                        blocks[index - 1].text.split(separator: " ").last.map { $0.lowercased() } ?? "")
                        || blocks[index - 1].text.hasSuffix(":") || blocks[index - 1].text.hasSuffix(","))
                let listed =
                    !byline.labelled && !finishesPrevious
                    && ((index > 0 && bare(index - 1) && (blocks[index].tight || html))
                        || (index + 1 < found.count && bare(index + 1) && (blocks[index + 1].tight || html)))
                // "Authors" on a line of its own over the names, one per line (an institution's page
                // often lists them at the foot).
                var above = index - 1
                while above >= 0, index - above <= 4, found[above].byline.map({ !$0.labelled }) == true { above -= 1 }
                let underLabel =
                    above >= 0 && LineShapes.matches(#"^(?i:authors?|written by|contributors?|by|words|text)\s*:?$"#, blocks[above].text)
                found[index].bylineStrong =
                    byline.labelled || byline.date != nil || blocks[index].bylineHint || !keys.isDisjoint(with: bioNames)
                    || !keys.isDisjoint(with: authorKeys) || dated || (listed && position(index) < 0.3) || underLabel
                if found[index].bylineStrong { bylineNames.formUnion(keys) }
            }
            if let name = found[index].bioName {
                found[index].bioMatched = bylineNames.contains(Names.key(name)) || authorKeys.contains(Names.key(name))
            }
            // "* Vistula Forum, Warsaw" under "Ana Ruiz*, Tom Berg**": the byline's affiliation notes.
            // (The mark may stand on a line of its own over the note: "1" / "Institute of Health …".)
            let markAbove = index > 0 && LineShapes.matches(#"^[*∗⁎†‡§¹²³⁴⁵⁶⁷⁸⁹\d]{1,2}$"#, blocks[index - 1].text)
            if index > 0, !found[index].bioMatched, let raw = blocks[index].raw.first, "*†‡§¹²³⁴⁵⁶⁷⁸⁹1234".contains(raw) || markAbove,
                let byline = (max(0, index - 6)..<index).last(where: { found[$0].byline != nil }),
                Names.marksAffiliations(blocks[byline].text), position(index) < 0.3,
                found[index].words <= 20
            {
                found[index].affiliationNote = true
            }
            if index > 0, LineShapes.bareFigure(blocks[index - 1].text), found[index].words <= 16,
                !found[index].endsWithPeriod, blocks[index].headingLevel == nil
            {
                found[index].calloutCaption = true
            }
            found[index].afterClosingLabel = afterLabel
            // Past the middle, a notes or "About the authors" label starts the closing matter. A comment
            // thread's label ("41 Comments") starts it wherever it falls after the text, since a long
            // thread can outrun the article.
            // (Not a link to the comments from the page's head: "48 comments" in a share bar. At least
            // a quarter of the page's prose comes before it, which a long thread cannot outrun.)
            let thread =
                found[index].closingLabel && LineShapes.commentThreadLabel(blocks[index].text)
                && blocks[index].linkDensity < 0.5
                && proseBefore[index] >= 2 && proseBefore[index] * 4 >= proseBefore[found.count]
            // (The middle by lines, or by prose: a page whose chrome runs long after the text has most
            // of its lines there.)
            let pastMiddle = Double(index) > 0.5 * Double(found.count) || proseBefore[index] * 2 > proseBefore[found.count]
            // (A sign-off already set aside, a forwarder's note over the article, closes nothing.)
            let signsOff = found[index].valediction && blocks[index].furniture == nil
            if (found[index].closingLabel || signsOff) && pastMiddle || thread {
                afterLabel = true
            }
        }
        // An author box: a name line (or "About Name"), perhaps a role line, then "She is …" or
        // "Oluwaseun leads …" (the first name alone).
        for index in found.indices.dropFirst()
        where found[index].bioName == nil && found[index].endsSentence && found[index].words >= 6 {
            for back in [index - 1, index - 2] where back >= 0 {
                var label = blocks[back].text
                if label.lowercased().hasPrefix("about ") { label = String(label.dropFirst(6)) }
                let name = Names.clean(label)
                guard found[back].words <= 6, Names.isName(name),
                    back == index - 1 || LineShapes.isRole(blocks[index - 1].text)
                        || found[index - 1].words <= 6
                else { continue }
                let opening = blocks[index].text.split(separator: " ").prefix(2).map(String.init)
                let firstName = String(name.split(separator: " ")[0])
                let pronoun = LineShapes.pronounBio(blocks[index].text)
                let byFirstName =
                    opening.count == 2 && opening[0] == firstName && opening[1].first?.isLowercase == true
                    && !LineShapes.reportingVerbs.contains(opening[1])
                if pronoun || byFirstName {
                    found[index].bioName = name
                    found[index].pronounBio = true
                    found[back].bioLabel = true
                    break
                }
            }
        }
        // A professional network's headline under its author's name at the top ("Marta Kjærgaard" /
        // "Housing policy lead at Bygfond | Writing about tenancy law"): what she says she does.
        for index in found.indices.dropFirst()
        where found[index].bioName == nil && (4...30).contains(found[index].words) && position(index) < 0.3
            && bylineNames.contains(Names.key(Names.clean(blocks[index - 1].text))) && Names.isName(Names.clean(blocks[index - 1].text))
        {
            let lower = blocks[index].text.lowercased()
            let roleWords = LineShapes.roleNouns.union(["lead", "founder", "ceo", "chair", "director"])
            guard LineShapes.matches(#"\b(?:at|of|for|with)\s+\p{Lu}"#, blocks[index].text),
                lower.split(whereSeparator: { !$0.isLetter }).contains(where: { roleWords.contains(String($0)) })
            else { continue }
            found[index].bioName = Names.clean(blocks[index - 1].text)
            found[index].pronounBio = true
            found[index].bioMatched = true
        }
        // A platform's author card: "Written by Ana Ruiz", its counters ("1.9K followers", "Follow"),
        // then what she says of herself, in any person ("Employment lawyer in Melbourne. I write …").
        for index in found.indices.dropFirst()
        where found[index].bioName == nil && found[index].endsSentence && found[index].words >= 6 && found[index].words <= 80
            // (After the text: the same card over the article gives the standfirst.)
            && proseBefore[index] * 2 >= proseBefore[found.count]
        {
            var back = index - 1
            while back > 0, index - back <= 6,
                found[back].uiLabel != nil || found[back].repeated > 1 || LineShapes.matches(#"^[·•|]$|^(?i:follow|subscribe)$"#, blocks[back].text)
                    || (found[back].words <= 8 && LineShapes.matches(#"^[·•|\s]*(?i:writer|editor|contributor|columnist)s? (?:for|at|of|to)\s"#, blocks[back].text))
                    || (found[back].words <= 3 && LineShapes.matches(#"\d"#, blocks[back].text))
            {
                back -= 1
            }
            if LineShapes.matches(#"^(?i:published in)\s+\p{Lu}"#, blocks[back].text), back < index - 1 {
                // "Published in Overtime Notes", its counters, then what the publication says of itself.
                found[index].boilerplate = found[index].boilerplate ?? "the publication's description on its card"
                continue
            }
            guard let label = LineShapes.group(LineShapes.regex(#"^(?i:written by|about the author:?|author:)\s+(.+)$"#), blocks[back].text),
                Names.isName(Names.clean(label))
            else { continue }
            found[index].bioName = Names.clean(label)
            found[index].pronounBio = true
            found[back].bioLabel = true
        }
        // Bios come together at the end: two or more in a row, or one after a rule or a closing label.
        // (Late by place in the page or in its prose: a long footer of menus puts the bios early in the page.)
        for index in found.indices where found[index].bioName != nil && (position(index) > 0.6 || found[index].lateInProse) {
            let neighbour =
                (index > 0 && found[index - 1].bioName != nil) || (index + 1 < found.count && found[index + 1].bioName != nil)
            let afterBreak = index > 0 && (blocks[index - 1].markup == .rule || found[index - 1].closingLabel)
            // (A lone bio is the text's last paragraph: no prose after it, only the page's closing chrome.)
            let lastProse = proseBefore[found.count] == proseBefore[index + 1] && proseBefore[index + 1] > proseBefore[index]
                && found[index].lateInProse && LineShapes.bioVocabulary(blocks[index].text) > 0
            found[index].bioRun = neighbour || afterBreak || lastProse
        }
        // A closing paragraph that opens with a contributor's name and any verb is their bio
        // ("Rustam Tursunov tracks wage data …"), when the byline or metadata names them.
        let knownNames = bylineNames.union(authorKeys)
        for index in found.indices
        where found[index].bioName == nil && found[index].endsSentence && found[index].words >= 6
            && position(index) > 0.5
        {
            let words = blocks[index].text.split(separator: " ").map(String.init)
            for length in (2...5).reversed() where words.count > length {
                let candidate = words[0..<length].joined(separator: " ")
                let verb = words[length]
                guard knownNames.contains(Names.key(candidate)), verb.first?.isLowercase == true,
                    !LineShapes.reportingVerbs.contains(verb)
                else { continue }
                found[index].bioName = Names.clean(candidate)
                found[index].bioMatched = true
                break
            }
        }
        // Under "About the authors", each paragraph that opens with a name and goes on in lower case
        // is a bio, whatever its verb ("Tom Whitcombe farms sheep and beef near Geraldine …").
        for label in found.indices
        where LineShapes.matches(#"^(?i:about the (?:authors?|contributors?|writers?)|the authors?|authors|contributors)\s*:?$"#, blocks[label].text)
            && position(label) > 0.5
        {
            var index = label + 1
            while index < found.count, index - label <= 6, found[index].endsSentence, found[index].words >= 6 {
                if found[index].bioName == nil, Names.opensWithName(blocks[index].text),
                    let name = Names.openingName(blocks[index].text),
                    !LineShapes.reportingVerbs.contains(String(blocks[index].text.dropFirst(name.count).split(separator: " ").first ?? ""))
                {
                    found[index].bioName = name
                    found[index].bioMatched = found[index].bioMatched || knownNames.contains(Names.key(name))
                }
                index += 1
            }
        }
        let countedRuns = Self.countedSections(blocks)
        numberedSections = Set(countedRuns.joined())
        // The short title-shaped lines under a "Related" or "Trending now" label are other articles.
        for index in found.indices where LineShapes.headlineListLabel(blocks[index].text) {
            var next = index + 1
            // A sponsor's block is its pitch, sentences and all; a headline list is short lines.
            let sponsor = LineShapes.sponsorLabel(LineShapes.key(blocks[index].text))
            while next < found.count, next - index <= (sponsor ? 4 : 8),
                // (A teaser cut short, "Installers are concentrated in the south-east, and…", is the list's too.)
                sponsor || (found[next].words <= 18 && !found[next].endsWithPeriod)
                    || (found[next].words <= 40 && (blocks[next].text.hasSuffix("...") || blocks[next].text.hasSuffix("…"))),
                found[next].bioName == nil, blocks[next].headingLevel.map({ $0 >= 3 }) ?? true,
                // (A kicker in capitals, or the line the URL or metadata names, starts the article.)
                sponsor || !LineShapes.allCapitals(blocks[next].text),
                max(found[next].slugMatch, found[next].metadataTitleMatch) < 0.5,
                // ("B. The Codelco–SQM deal" after the page's "A.", above the label: its own next section.
                // A list's own numbering, "1." / "2." / "3." under "Most read", counts from under it.)
                !countedRuns.contains(where: { $0.contains(next) && $0[0] < index })
            {
                found[next].inHeadlineList = true
                next += 1
                // A sponsor's pitch ends at its call to action ("Try it free for 30 days →").
                if sponsor, LineShapes.matches(#"[→›»>]\s*$"#, blocks[next - 1].text) || found[next - 1].uiLabel != nil { break }
            }
            // "Read more" / "Ethiopia's dam …: a timeline" / "Who benefits?" / a paragraph of the text:
            // the last short line of a list of two or more, set straight over the article's next
            // paragraph, is the article's own heading the list ran into.
            let last = next - 1
            if !sponsor, last > index + 1, next < found.count, found[last].headingShaped,
                found[next].words >= 25, found[next].endsSentence, found[next].boilerplate == nil, found[next].bioName == nil,
                blocks[next].furniture == nil
            {
                found[last].inHeadlineList = false
            }
        }
        for card in Self.articleCards(blocks, found) { for index in card { found[index].inHeadlineList = true } }
        // "This week's guests" / "Dr Samuel Okonkwo is an agricultural economist …" / "Ingrid Solberg
        // farms …": the people a page introduces under its guests' or speakers' label, set together.
        for label in blocks.indices where LineShapes.matches(LineShapes.guestsLabel, blocks[label].text) {
            var index = label + 1
            while index < blocks.count, index - label <= 8, blocks[index].tight || blocks[index].markup == .listItem,
                found[index].endsSentence, found[index].words <= 60, Names.opensWithName(blocks[index].text)
            {
                found[index].guestIntroduction = true
                index += 1
            }
        }
        // A guest named as the writer in a host's page ("Today's post is by guest author …"), in its
        // opening lines: found once, here, for the bios it matches and for the contributors.
        // (Its opening: the first third of the page, or down to its third paragraph on a short one.)
        var paragraphs = 0
        for index in found.indices {
            if let guest = LineShapes.guestAuthor(blocks[index].text) {
                guestAuthor = guest
                bylineNames.insert(Names.key(guest))
                break
            }
            if found[index].endsSentence && found[index].words >= 12 { paragraphs += 1 }
            if paragraphs >= 3 && position(index) >= 0.3 { break }
        }
        for index in found.indices where found[index].bioName != nil && !found[index].bioMatched {
            let key = Names.key(found[index].bioName!)
            found[index].bioMatched = bylineNames.contains(key) || authorKeys.contains(key)
        }
        // A table of contents copied as lines ("On this page" / "1. Introduction" / "2. …"): a run of
        // short lines that come back later as the headings. The run is left out, and the headings
        // are not held against for appearing twice.
        var positions: [String: [Int]] = [:]
        for index in found.indices where blocks[index].furniture == nil && !blocks[index].text.isEmpty {
            positions[PlainTextReader.repetitionKey(blocks[index].text), default: []].append(index)
        }
        /// The next time this line comes back, past the line after it (found by bisection: a page of
        /// thousands of repeated lines must not make this quadratic).
        func returnsLater(_ index: Int, fewestWords: Int = 2) -> Int? {
            guard (fewestWords...14).contains(found[index].words), blocks[index].furniture == nil, found[index].headingShaped
                || blocks[index].text.hasSuffix("?"),
                found[index].boilerplate == nil, found[index].uiLabel == nil,
                let all = positions[PlainTextReader.repetitionKey(blocks[index].text)]
            else { return nil }
            var low = 0
            var high = all.count
            while low < high {
                let middle = (low + high) / 2
                if all[middle] > index + 1 { high = middle } else { low = middle + 1 }
            }
            return low < all.count ? all[low] : nil
        }
        for contents in Self.runs(count: found.count, of: { returnsLater($0) != nil }) where contents.count >= 3 {
            // (A one-word entry at either end, "Recommendations", is the contents' too.)
            var run = contents
            if run.lowerBound > 0, returnsLater(run.lowerBound - 1, fewestWords: 1) != nil { run = (run.lowerBound - 1)...run.upperBound }
            if run.upperBound + 1 < found.count, returnsLater(run.upperBound + 1, fewestWords: 1) != nil {
                run = run.lowerBound...(run.upperBound + 1)
            }
            for index in run {
                found[index].tocEntry = true
                // The heading the entry points to (its first return after the contents).
                if let again = returnsLater(index, fewestWords: 1), again > run.upperBound { found[again].repeated = 0 }
            }
        }
        // A contents list set with dot leaders ("1. Introduction ...... 3") names the sections: a
        // heading-shaped line before the first of them that the list does not name is a box's label
        // ("Key findings"), not a section.
        // (Set with leaders or page numbers, as a typeset document's is; a web page's list of in-page
        // links is its own kind.)
        let entries = blocks.indices.filter {
            blocks[$0].furniture == "a table of contents entry" && LineShapes.matches(#"(?:\.\s?){4,}|…{2,}|\S\s+\d{1,4}$"#, blocks[$0].raw)
        }
        let contents = Set(entries.map { PlainTextReader.repetitionKey(blocks[$0].text) })
        if contents.count >= 3,
            let first = found.indices.first(where: {
                blocks[$0].furniture == nil && found[$0].headingShaped && contents.contains(PlainTextReader.repetitionKey(blocks[$0].text))
            })
        {
            let lastEntry = entries.last ?? 0
            // A summary or abstract the list leaves out is the text's opening section all the same:
            // only what stands before its label is outside the sections.
            let opening = ((lastEntry + 1)..<first).first {
                blocks[$0].furniture == nil && LineShapes.matches(LineShapes.openingSectionLabel, blocks[$0].text)
            } ?? first
            for index in (lastEntry + 1)..<opening where blocks[index].furniture == nil { found[index].outsideContents = true }
            // A box's label among the sections ("Key points" under the summary) that the list leaves
            // out is the box's, not a section's.
            for index in first..<found.count
            where blocks[index].furniture == nil && !contents.contains(PlainTextReader.repetitionKey(blocks[index].text))
                && LineShapes.matches(#"^(?i:key (?:points|findings|messages|facts|takeaways)|at a glance|in brief|box \d{1,2}(?:[.:].*)?)$"#, blocks[index].text)
            {
                found[index].outsideContents = true
            }
            // The pages before the contents list are the document's front matter: its cover, its
            // committee or imprint, none of them the text (its title aside).
            let firstEntry = entries.first ?? 0
            for index in 0..<firstEntry { found[index].beforeContents = true }
        }
        // Past the named contributors' bios near the end, the article is over.
        if let firstBio = found.indices.first(where: {
            found[$0].bioMatched && found[$0].bioName != nil && position($0) > 0.6 && !blocks[$0].chrome
        }) {
            for index in (firstBio + 1)..<found.count where found[index].bioName == nil { found[index].afterBios = true }
        }
        // A sentence a page break cut off: the text goes on, in lower case, past the page's footer.
        for index in found.indices where found[index].words >= 6 && !found[index].endsSentence && blocks[index].headingLevel == nil {
            for next in (index + 1)..<min(found.count, index + 7) {
                guard let first = blocks[next].text.unicodeScalars.first else { continue }
                // (A list's items may start in lower case; they do not finish a sentence above them.)
                if blocks[next].markup == .listItem || blocks[next].text.hasSuffix(":") { break }
                if first.properties.isLowercase && found[next].words >= 5 {
                    found[index].cutOff = true
                    break
                }
                if found[next].words >= 15 && found[next].endsSentence && blocks[next].furniture == nil
                    && !blocks[next].chrome && found[next].boilerplate == nil
                {
                    break
                }
            }
        }
        // "The people behind Garden Leave" over the named contributors' bios: their label, not a section.
        for index in found.indices.dropLast() where found[index].headingShaped && found[index].bioName == nil {
            var next = index + 1
            while next < found.count, next - index <= 12, blocks[next].furniture != nil { next += 1 }
            if next < found.count, found[next].bioMatched, found[next].bioName != nil, position(index) > 0.5 {
                found[index].overBios = true
            }
            // "About Wairimu Gathoni" over "Wairimu Gathoni is a public finance analyst …": an author
            // box's label naming the contributor, over their bio.
            if next < found.count, position(index) > 0.5,
                let named = LineShapes.group(LineShapes.regex(#"(?i:about(?: the author,?)?)\s+(.+?)\s*:?$"#), blocks[index].text),
                // (Its last words may be the box's link, "View all posts by Wairimu Gathoni".)
                knownNames.contains(Names.key(named)), found[next].words >= 8,
                blocks[next].text.hasPrefix(named) || Names.openingName(blocks[next].text).map({ Names.key($0) == Names.key(named) }) == true
            {
                found[index].overBios = true
                found[next].bioName = found[next].bioName ?? Names.clean(named)
                found[next].bioMatched = true
            }
        }
        // A menu copied as a list: a run of one-to-four-word items, among them a page's own controls
        // ("Home", "About us"); every item of it is the menu's, not the article's.
        let menus = Self.runs(
            count: found.count,
            of: { blocks[$0].markup == .listItem && found[$0].words <= 4 && !found[$0].endsWithPeriod },
            joined: { blocks[$0].tight || html })
        for run in menus where run.count >= 4 && run.contains(where: { found[$0].boilerplate != nil || found[$0].uiLabel != nil }) {
            for index in run { found[index].inMenu = true }
        }
        // A newsletter's sign-up box: from its "Sign up to X" or "Newsletter" line down to the
        // e-mail field or button, every line is the box's ("Free daily newsletter", its pitch).
        for index in found.indices
        where LineShapes.matches(#"^(?i:enter your e-?mail(?: address)?|your e-?mail(?: address)?|e-?mail address|sign up|subscribe)$"#, blocks[index].text) {
            guard
                let start = (max(0, index - 5)..<index).first(where: {
                    found[$0].words <= 12 && LineShapes.matches(#"(?i)\b(?:sign up|subscribe|newsletter)\b"#, blocks[$0].text)
                }),
                (start...index).allSatisfy({ found[$0].words <= 45 })
            else { continue }
            for box in start..<index where found[box].boilerplate == nil { found[box].boilerplate = "in a newsletter's sign-up box" }
        }
        // The same menu copied as lines of text ("News" / "Opinion" / "Sport" / "Business" / …): six
        // or more one-to-three-word lines in a row with no punctuation, among them a page control,
        // or ten or more.
        let lineMenus = Self.runs(
            count: found.count,
            of: {
                !html && blocks[$0].markup == .plain && found[$0].words <= 3 && !found[$0].endsSentence
                    && !blocks[$0].text.hasSuffix(",") && !blocks[$0].text.hasSuffix(":") && found[$0].date == nil
                    && LineShapes.startsCapitalized(blocks[$0].text)
            },
            joined: { blocks[$0].tight })
        let site = LineShapes.siteLabel(sourceURL)
        for run in lineMenus
        where run.count >= 10 || (run.count >= 6 && run.contains(where: { found[$0].boilerplate != nil || found[$0].uiLabel != nil })) {
            // (The site's own name among them is its logo: "Workfolio" at workfolio.example.)
            for index in run where !(site.map { LineShapes.spells($0, blocks[index].text) } ?? false) { found[index].inMenu = true }
        }
        features = found
        textStart =
            found.indices.first {
                found[$0].words >= 25 && found[$0].endsSentence && found[$0].bioName == nil && blocks[$0].furniture == nil
                    && found[$0].boilerplate == nil
            } ?? found.count
    }

    /// The page's sections counted in order: the longest run 1, 2, 3 … of numbered heading-shaped
    /// lines, and the same counted by letters ("A. What the strategy says" / "B. …" / "C. …") or by
    /// Roman numerals ("I." / "II." / "III."), three at least in each.
    static func countedSections(_ blocks: [SourceBlock]) -> [[Int]] {
        var sections: [[Int]] = []
        for counting in LineShapes.SectionCounting.allCases {
            var run: [Int] = []
            var best: [Int] = []
            for index in blocks.indices where blocks[index].furniture == nil {
                let number: Int?
                if counting == .digits {
                    number = LineShapes.numberedHeading(blocks[index].text) ? Int(blocks[index].text.prefix { $0.isNumber }) : nil
                } else {
                    number = LineShapes.sectionOrdinals(blocks[index].text).first(where: { $0.counting == counting })?.number
                }
                guard let number else { continue }
                if number == run.count + 1 {
                    run.append(index)
                } else if number == 1 {
                    run = [index]
                }
                if run.count > best.count { best = run }
            }
            if best.count >= 3 { sections.append(best) }
        }
        return sections
    }

    // MARK: Scores

    func position(_ index: Int) -> Double { blocks.count <= 1 ? 0 : Double(index) / Double(blocks.count - 1) }

    /// Evidence that a block is not the article's text, common to every role (read from ``junk``).
    /// - Parameter greetingCounts: the block comes before the article's own title, so a greeting is a letter's.
    private func junkEvidence(_ index: Int, greetingCounts: Bool) -> RoleScore {
        let block = blocks[index]
        let feature = features[index]
        var score = RoleScore()
        if let reason = block.furniture { score.add(-10, reason) }
        if block.chrome { score.add(-6, "page chrome") }
        if let reason = feature.boilerplate { score.add(-7, reason) }
        if let reason = feature.uiLabel { score.add(-6, reason) }
        if let reason = feature.breadcrumb { score.add(-6, reason) }
        if let reason = feature.spam { score.add(-6, reason) }
        if feature.beforeContents { score.add(-5, "on the front pages, before the contents list") }
        if feature.outsideContents { score.add(-4, "before the first section the contents list names") }
        if feature.date != nil {
            score.add(-5, "only a date")
        } else if LineShapes.monthLine(block.text) {
            score.add(-5, "only a month")
        }
        if feature.byline != nil && feature.bylineStrong { score.add(-6, "a byline") }
        if feature.credit != nil { score.add(-6, "an image credit") }
        if let mention = feature.publication { score.add(-6, mention.evidence) }
        if feature.closingLabel {
            // (Past the middle of the page, where the closing matter starts under it.)
            let starts = index + 1 < features.count && features[index + 1].afterClosingLabel
            score.add(starts ? -7 : -4, starts ? "a label that starts the closing matter" : "a label of the closing matter")
        }
        if LineShapes.citationLabel(block.text) { score.add(-3, "how to cite the article") }
        if LineShapes.journalReference(block.text) { score.add(-6, "a journal's reference line (volume, pages, DOI)") }
        if feature.inMenu { score.add(-6, "an item of a menu") }
        if feature.tocEntry { score.add(-6, "an entry of the table of contents") }
        if feature.guestIntroduction { score.add(-6, "a guest introduced under the guests' label") }
        if feature.calloutCaption { score.add(-4, "the caption of a figure standing alone above it") }
        if feature.affiliationNote { score.add(-6, "the byline's note of an author's affiliation") }
        if feature.valediction { score.add(-4, "a letter's closing") }
        if greetingCounts && LineShapes.greeting(block.text) && position(index) < 0.3 {
            score.add(-5, "a newsletter's greeting")
        }
        if feature.inHeadlineList { score.add(-5, "a headline in a list of other articles") }
        if index > 0, features[index - 1].byline != nil, feature.words <= 8, !feature.endsWithPeriod,
            LineShapes.bioWords.contains(where: { block.text.lowercased().split { !$0.isLetter }.map(String.init).contains($0) })
        {
            score.add(-4, "a contributor's role under their name")
        }
        if LineShapes.matches(#"^(?i:p\.\s?s\.|ps:|pps)\s"#, block.text) {
            score.add(-4, "a postscript")
        }
        if feature.citation { score.add(-4, "a note or reference") }
        if block.linkDensity > 0.5 { score.add(-5 * block.linkDensity, "mostly link text") }
        if block.outsideArticle { score.add(-2.5, "outside the page's article element") }
        if feature.repeated >= 2 && feature.words <= 20 {
            score.add(-3, "repeated \(feature.repeated) times on the page")
        }
        if feature.caption && block.markup != .caption { score.add(-5, "a caption ending with its picture's credit") }
        switch block.markup {
        case .caption: score.add(-4, "a caption")
        case .rule, .image: score.add(-20, "a rule or image")
        default: break
        }
        return score
    }

    func paragraphScore(_ index: Int) -> RoleScore {
        let block = blocks[index]
        let feature = features[index]
        var score = RoleScore()
        if feature.words <= 25 && feature.titleShaped && position(index) < 0.5 && overStandfirst(index) {
            score.add(-2.5, "over a standfirst and the picture's credit, the byline or the date, like a title")
        }
        if feature.endsSentence && block.text.hasSuffix(":") && feature.words < 8 && LineShapes.titleCase(block.text) {
            score.add(-1, "a short line ending with a colon, like a label")
        } else if feature.endsSentence {
            let question = block.text.hasSuffix("?") && feature.words <= 12 && feature.sentences <= 1
            score.add(question ? 0.5 : 2, question ? "a one-line question" : "ends like a sentence")
        } else if block.markup != .listItem && feature.words < 15 {
            score.add(-1, "no final punctuation")
        }
        score.add(Double(min(feature.words, 40)) / 10, "\(feature.words) words")
        if feature.sentences >= 2 { score.add(1, "\(feature.sentences) sentences") }
        if feature.overlap > 0 {
            score.add(2.5 * feature.overlap, "shares \(Int(feature.overlap * 100))% of its words with the article")
        }
        if block.markup == .listItem { score.add(1.5, "a list item") }
        if LineShapes.numberedHeading(block.text) { score.add(-1.5, "numbered like a section (“4. …”)") }
        if block.markup == .quote { score.add(1, "a quotation") }
        if feature.words <= 3 {
            let sentence = feature.endsSentence && LineShapes.startsCapitalized(block.text)
            let item = block.markup == .listItem && block.linkDensity < 0.5
            score.add(
                sentence || item ? -1 : -3,
                sentence ? "a very short sentence" : item ? "a very short list item" : "too short for a paragraph")
        } else if feature.words <= 6 && !feature.endsSentence {
            score.add(-2, "a short line without punctuation")
        }
        if block.headingLevel != nil { score.add(-6, "marked up as a heading") }
        if blocks[index].bioBoxHint && feature.bioName != nil { score.add(-3, "a bio in the page's box of its writers' bios") }
        if feature.bioMatched {
            score.add(-2, "introduces a contributor")
        } else if feature.bioRun {
            score.add(-1.5, "one of the bios at the end")
        }
        if feature.afterClosingLabel { score.add(-8, "after a notes, comments or authors label") }
        if feature.afterBios { score.add(-3, "after the contributors' bios") }
        // A labelled byline right under a line is what a title has, not a paragraph.
        if position(index) < 0.6, !feature.endsWithPeriod,
            let next = ((index + 1)..<min(blocks.count, index + 3)).first(where: { blocks[$0].furniture == nil }),
            features[next].bylineStrong && features[next].byline?.labelled == true
        {
            score.add(-2.5, "a byline follows, as under a title")
        }
        if feature.frontMatterPage { score.add(-3, "on the imprint page") }
        score.add(junk[index])
        return score
    }

    /// A title stands over its standfirst, and the standfirst over the picture's credit, the byline
    /// or the date (a heading's paragraph goes on with more paragraphs).
    func overStandfirst(_ index: Int) -> Bool {
        // (A standfirst may end without a full stop: "… It should drive a harder bargain".)
        guard let standfirst = (index + 1..<min(blocks.count, index + 4)).first(where: { blocks[$0].furniture == nil }),
            features[standfirst].endsSentence || features[standfirst].words >= 15, (12...70).contains(features[standfirst].words),
            blocks[standfirst].headingLevel == nil,
            let below = (standfirst + 1..<min(blocks.count, standfirst + 4)).first(where: { blocks[$0].furniture == nil })
        else { return false }
        return features[below].credit != nil || features[below].date != nil || features[below].bylineStrong
            || features[below].caption
    }

    /// The text's paragraphs stand on both sides of the line: sentences of twenty words or more,
    /// past page furniture and links.
    func betweenParagraphs(_ index: Int) -> Bool {
        func paragraph(_ other: Int?) -> Bool {
            guard let other else { return false }
            return features[other].words >= 20 && features[other].endsSentence && features[other].boilerplate == nil
                && blocks[other].headingLevel == nil && !blocks[other].chrome
        }
        // (Past a "Read more: …" link or a page control set between them too.)
        func aside(_ other: Int) -> Bool {
            blocks[other].furniture != nil || features[other].boilerplate != nil || features[other].uiLabel != nil
                || blocks[other].linkDensity > 0.5
        }
        let before = (max(0, index - 3)..<index).reversed().first { !aside($0) }
        let after = (index + 1..<min(blocks.count, index + 4)).first { !aside($0) }
        return paragraph(before) && paragraph(after)
    }

    func headingScore(_ index: Int) -> RoleScore {
        let block = blocks[index]
        let feature = features[index]
        var score = RoleScore()
        score.add(-1, "headings need evidence")
        if feature.headingShaped {
            score.add(1.5, "short, capitalised, no final full stop")
        } else {
            score.add(-4, "not shaped like a heading")
        }
        if let level = block.headingLevel {
            score.add(level == 1 ? -0.5 : level <= 4 ? 5 : 3, "marked up as a level-\(level) heading")
        } else if boldHeadings && block.emphasized && feature.headingShaped && !feature.endsWithPeriod && feature.words <= 14 {
            score.add(2.5, "set in bold on a line of its own, as the page's headings are")
        } else if docHasHeadingMarkup && block.emphasized && feature.headingShaped && !feature.endsWithPeriod
            && !block.text.hasSuffix(":") && feature.words <= 10 && betweenParagraphs(index)
        {
            // ("<p><strong>Leaks, not just drought</strong></p>" between two paragraphs of a page whose
            // other headings are <h2>s: an editor's sub-heading in bold, neither evidence nor against.)
            score.add(0, "set in bold between two paragraphs of the text")
        } else if docHasHeadingMarkup {
            score.add(-3, "the page marks its headings up, and not this line")
        }
        if block.text.hasSuffix("?") { score.add(0.5, "a question") }
        // (Not one of a run of numbered steps: "1. Find your tenancy agreement" / "2. Photograph …".)
        let numberedNeighbour = [index - 1, index + 1].contains {
            blocks.indices.contains($0) && LineShapes.matches(#"^\d{1,2}[.)]\s"#, blocks[$0].text)
        }
        if LineShapes.numberedHeading(block.text) && !numberedNeighbour {
            score.add(2, "numbered like a section (“4. …”)")
            if numberedSections.contains(index) { score.add(2.5, "one of the page's sections numbered in order") }
        } else if numberedSections.contains(index) && !LineShapes.numberedHeading(block.text) {
            score.add(3.5, "one of the page's sections counted in order (“A.”, “B.”, “C.” or “I.”, “II.”, “III.”)")
        }
        // "We estimate a structural gravity model of the form" (an equation below): a sentence's start.
        if block.headingLevel == nil,
            LineShapes.matches(#"^(?:We|I|Our|This paper|This brief|This section|Here we)\s+\p{Ll}+(?:s|ed)?\s+\p{Ll}"#, block.text),
            feature.words >= 5
        {
            score.add(-2.5, "opens like a sentence of the text (“\(block.text.split(separator: " ").prefix(2).joined(separator: " "))”)")
        }
        if let last = block.text.split(separator: " ").last?.lowercased(), Self.danglingWords.contains(last), feature.words > 1 {
            score.add(-5, "ends on “\(last)”, mid-sentence")
        }
        if block.headingLevel == nil && feature.words >= 7 && LineShapes.titleCase(block.text) && position(index) < 0.3 {
            score.add(-1.5, "long and in title case, like a title")
        }
        // In text whose paragraphs stand apart, lines set together that end alike are a list
        // copied without its bullets ("Is there a free option …?" / "Is the price set …?").
        var inList = false
        if !mostlyTight, block.markup == .plain {
            // (Not a caption over a heading, an "Advertisement" slot or a label: items of one list.)
            func alike(_ other: Int) -> Bool {
                let them = features[other]
                return blocks[other].markup == .plain && (3...25).contains(them.words) && !them.caption && them.credit == nil
                    && them.date == nil && them.boilerplate == nil && them.uiLabel == nil && blocks[other].furniture == nil
                    && (block.text.hasSuffix("?") ? blocks[other].text.hasSuffix("?") : !them.endsSentence)
            }
            // (Three lines at least: two set together may be a card's author line glued to a heading.)
            var others = 0
            var before = index
            while before > 0, blocks[before].tight, alike(before - 1), others < 2 {
                before -= 1
                others += 1
            }
            var next = index + 1
            while next < blocks.count, blocks[next].tight, alike(next), others < 2 {
                next += 1
                others += 1
            }
            inList = others >= 2
        }
        // In text whose paragraphs stand apart, a heading stands apart from the line above it too; one
        // set tight under a sentence finishes what that line began (a headline's second sentence).
        if !mostlyTight, block.tight, block.headingLevel == nil, index > 0, blocks[index - 1].markup == block.markup,
            blocks[index - 1].furniture == nil, features[index - 1].endsSentence, features[index - 1].words >= 4, !inList
        {
            score.add(-1.5, "set tight under the sentence above, not apart from it")
        }
        if feature.overlap > 0 { score.add(1.5 * feature.overlap, "shares words with the article") }
        // The next line of text, past page furniture and an underline.
        var after = index + 1
        var underlined = false
        while after < blocks.count, after - index <= 12, blocks[after].furniture != nil || blocks[after].markup == .rule {
            if blocks[after].markup == .rule && after == index + 1 { underlined = true }
            after += 1
        }
        if underlined && feature.headingShaped && block.headingLevel == nil { score.add(3, "underlined like a heading") }
        if after < blocks.count {
            let next = features[after]
            // (A one-line question under it is more likely a title or another heading than its text.)
            let sentenceLike = next.endsWithPeriod || blocks[after].text.hasSuffix(":") || next.sentences >= 2 || next.words >= 15
            // (A long block is a paragraph even when a page break cuts its last sentence.)
            if (next.words >= 5 && next.endsSentence) || next.words >= 25 || blocks[after].markup == .listItem {
                score.add(1, "a paragraph follows")
                if feature.headingShaped && feature.words <= 14 && block.headingLevel == nil && !docHasHeadingMarkup && !inList
                    && (sentenceLike || blocks[after].markup == .listItem)
                {
                    score.add(2.5, "a short line standing between paragraphs")
                }
            }
        }
        // "Would fewer trees be a harder sell?" / "Probably. But …": a question the text answers at once.
        if block.text.hasSuffix("?"), after < blocks.count,
            LineShapes.matches(
                #"^(?:Yes|No|Probably|Perhaps|Maybe|Possibly|Partly|Rarely|Sometimes|Hardly|Not quite|Not really|Not yet|Often)[.,!]"#,
                blocks[after].text)
        {
            score.add(-3, "answered at once in the next line, like a question in the text")
        }
        if block.markup == .listItem || block.markup == .quote { score.add(-3, "a list item or quotation") }
        if inList { score.add(-3, "one of a list of lines set together") }
        // "“We were asked to sell our homes …”" / "Chair of a residents’ association on the coast":
        // the line under a quotation that names who said it.
        if index > 0, block.headingLevel == nil, feature.words <= 14, !block.text.hasSuffix("?"),
            LineShapes.matches(#"^[“"‘'].{20,}[”"’']$"#, blocks[index - 1].text),
            LineShapes.matches(#"^[—–-]\s*\p{L}|^\p{Lu}\p{Ll}+(?:\s\p{Ll}+)*\s(?:of|at|for|with)\s|,\s"#, block.text)
        {
            score.add(-3, "under a quotation, naming who said it")
        }
        if after < blocks.count, (features[after].bylineStrong || features[after].date != nil) && position(index) < 0.3 {
            score.add(-3, "a byline or date follows, as under a title")
        } else if index < textStart, overStandfirst(index) {
            score.add(-2, "over a standfirst and the picture's credit, the byline or the date, like a title")
        }
        if after < blocks.count, features[after].inHeadlineList, !feature.inHeadlineList {
            score.add(-4, "over a list of other articles' headlines, their label")
        }
        if feature.afterClosingLabel { score.add(-8, "after a notes, comments or authors label") }
        if feature.overBios { score.add(-6, "over the contributors' bios, their label") }
        if feature.cutOff { score.add(-5, "a sentence that goes on after a page break") }
        if feature.bioName != nil { score.add(-3, "introduces a person") }
        if feature.frontMatterPage { score.add(-3, "on the imprint page") }
        score.add(junk[index])
        return score
    }

    func titleScore(_ index: Int) -> RoleScore {
        let block = blocks[index]
        let feature = features[index]
        var score = RoleScore()
        // A headline of two sentences: its first closes with a full stop, the second runs on below.
        let firstSentence =
            !feature.titleShaped && feature.endsWithPeriod && (2...14).contains(feature.words)
            && LineShapes.startsCapitalized(block.text) && index + 1 < blocks.count && (continuationScore(index + 1) ?? -1) > 0
        if feature.titleShaped {
            score.add(2, "shaped like a title")
        } else if firstSentence {
            score.add(1, "the first sentence of a headline that goes on on the next line")
        } else {
            score.add(-3, "not shaped like a title")
        }
        if feature.titleShaped && LineShapes.titleCase(block.text) { score.add(1.5, "in title case") }
        if feature.metadataTitleMatch > 0 {
            score.add(
                9 * feature.metadataTitleMatch,
                givenTitle != nil ? "matches the title given" : "matches the page's \(metadata.titleSource ?? "metadata") title")
        }
        if feature.slugMatch > 0 { score.add(7 * feature.slugMatch, "matches the URL slug") }
        if shortTitleLines.contains(index) { score.add(3.5, "the document's short title, as its running header gives it") }
        // (A page whose metadata gives its title may not print it: "FISHERIES · LONG READ" over a
        // clipped article is not the title the front matter names.)
        if givenTitle == nil, metadata.title != nil, feature.metadataTitleMatch < 0.2 {
            score.add(-3, "not the title the page's \(metadata.titleSource ?? "metadata") gives")
        }
        if feature.subjectMatch >= 0.75 {
            score.add(7 * feature.subjectMatch, "matches the e-mail's subject")
        } else if feature.subjectMatch > 0 {
            score.add(4 * feature.subjectMatch, "shares words with the e-mail's subject")
        }
        if block.text.hasSuffix(":") && !(index + 1 < blocks.count && blocks[index + 1].tight) {
            score.add(-2, "ends with a colon")
        }
        if let level = block.headingLevel {
            score.add(level == 1 ? 4 : 1, "marked up as a level-\(level) heading")
        } else if block.markup != .plain {
            score.add(-3, "a list item, quotation or caption")
        }
        if feature.overlap > 0 {
            score.add(3 * feature.overlap, "shares \(Int(feature.overlap * 100))% of its words with the body")
        }
        if feature.words >= 3 && feature.overlap == 0 && feature.metadataTitleMatch == 0 && feature.slugMatch == 0 {
            score.add(-2, "no words in common with the body")
        }
        // Past any lines that continue the title (run on, not sentences), a byline or date follows.
        var end = index + 1
        while end < blocks.count, end - index <= 3, blocks[end].tight, !features[end].endsWithPeriod, features[end].words <= 20,
            features[end].byline == nil, features[end].date == nil, (continuationScore(end) ?? -1) > 0
        {
            end += 1
        }
        // Only the nearest title-shaped line over the byline gets the credit, not a kicker above it.
        let between = (end..<min(blocks.count, end + 3)).prefix { features[$0].byline == nil && features[$0].date == nil }
        let titleBetween = between.contains { features[$0].titleShaped && features[$0].words >= 4 && blocks[$0].furniture == nil }
        for next in end..<min(blocks.count, end + 3)
        where !titleBetween && (features[next].byline != nil || features[next].date != nil) {
            let strong = features[next].byline?.labelled == true || features[next].bylineStrong
            score.add(strong ? 4 : 2, strong ? "a byline follows" : "a date or names follow")
            break
        }
        if feature.titleShaped && overStandfirst(index) || firstSentence && overStandfirst(index + 1) {
            score.add(2, "over a standfirst and the picture's credit, the byline or the date")
        }
        // "Directorate for Market Observation", "Office of the Chief Economist", "Hydrology Unit":
        // an organisation's name, the author a page gives instead of a person.
        if block.headingLevel == nil, feature.words <= 8, LineShapes.titleCase(block.text),
            LineShapes.matches(
                #"^(?:The )?(?:Directorate|Department|Office|Ministry|Division|Bureau|Secretariat|Unit|Agency|Directorate-General|Commission|Committee)\s+(?:of|for)\s+\p{Lu}|\s(?:Unit|Directorate|Division|Department|Team|Desk|Secretariat)$"#,
                block.text)
        {
            score.add(-2.5, "an organisation's name, like an author line")
        }
        if block.text.contains(" | ") { score.add(-3, "a “Name | Section” banner") }
        // "NEWS PROVIDED BY" / "Institute for European Trade Studies": who the label names.
        if index > 0, LineShapes.nameLabel(blocks[index - 1].text) {
            score.add(-5, "under “\(blocks[index - 1].text)”, the name it gives")
        }
        if let newsletter = metadata.newsletter, Names.bareKey(block.text) == Names.bareKey(newsletter) {
            score.add(-5, "the newsletter's own name, as the e-mail's subject gives it")
        }
        if LineShapes.logoLink(block.text) != nil {
            score.add(-4, "the site's logo, linking home")
        }
        if LineShapes.matches(#"<?[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?"#, block.text) { score.add(-5, "an e-mail address") }
        if LineShapes.matches(#"https?://|\bwww\."#, block.text) { score.add(-4, "a web address") }
        let letters = block.text.unicodeScalars.filter(\.properties.isAlphabetic)
        if letters.count >= 6 && letters.allSatisfy({ !$0.properties.isLowercase }) && (block.headingLevel ?? 2) >= 2
            && feature.words <= 5
        {
            score.add(-2.5, "in capitals, like a masthead or label")
        }
        // (Not a line the URL or the metadata names as the title: that is a title under its kicker.)
        if index > 0, position(index) < 0.25, block.headingLevel == nil, features[index - 1].words <= 5,
            blocks[index - 1].furniture == nil, max(feature.slugMatch, feature.metadataTitleMatch) < 0.5,
            !LineShapes.kicker(blocks[index - 1].text)
        {
            if LineShapes.allCapitals(blocks[index - 1].text) {
                score.add(-2.5, "right under a masthead, like its tagline")
            }
        }
        let lastWord = block.text.split(separator: " ").last.map { $0.lowercased() } ?? ""
        if Self.danglingWords.contains(lastWord) { score.add(-3, "ends on “\(lastWord)”, so it goes on on the next line") }
        if index > 0, blocks[index].tight, !features[index - 1].endsSentence,
            Self.joiningWords.contains(blocks[index - 1].text.split(separator: " ").last.map { $0.lowercased() } ?? "")
        {
            score.add(-3, "continues the line before")
        }
        // ("Dredging Ahead:" over "Who Pays to Keep Small Ports Open": a title's first half, not a kicker.)
        let firstHalf =
            feature.words >= 2 && block.text.hasSuffix(":") && index + 1 < blocks.count && blocks[index + 1].tight
            && features[index + 1].titleShaped && (continuationScore(index + 1) ?? -1) > 0
        if feature.words <= 2 && !firstHalf { score.add(-2, "one or two words, like a kicker or label") }
        if feature.words <= 4, !firstHalf, index + 1 < blocks.count, features[index + 1].titleShaped, features[index + 1].words >= 6,
            blocks[index].headingLevel == nil || blocks[index].headingLevel == blocks[index + 1].headingLevel
        {
            score.add(-2.5, "a short label over a longer title-shaped line, like a kicker")
        }
        if feature.words > 25 { score.add(-2, "long for a title") }
        let late = position(index) - 0.3
        if late > 0 { score.add(-10 * late, "late in the page") }
        if block.chrome { score.add(-2, "page chrome") }
        if let reason = feature.boilerplate { score.add(-7, reason) }
        if let reason = feature.uiLabel { score.add(-6, reason) }
        if let reason = feature.breadcrumb { score.add(-6, reason) }
        if let reason = feature.spam { score.add(-7, reason) }
        if feature.date != nil || feature.bylineStrong || feature.credit != nil {
            score.add(-6, "a byline, date or credit")
        } else if feature.byline != nil && !firstHalf {
            score.add(-1, "reads like a line of names")
        }
        if feature.publication != nil { score.add(-4, "a publication line") }
        if block.furniture != nil { score.add(-2, block.furniture!) }
        if block.linkDensity > 0.5 { score.add(-4, "mostly link text") }
        if case .rule = block.markup { score.add(-20, "a rule") }
        if case .image = block.markup { score.add(-20, "an image") }
        return score
    }

    /// The title continued on the next line: the pair's score over the first line's.
    func continuationScore(_ index: Int) -> Double? {
        guard index > 0, blocks[index].tight || blocks[index - 1].headingLevel == 1 && blocks[index].headingLevel == 1,
            (1...20).contains(features[index].words), !features[index].endsWithPeriod,
            !(blocks[index - 1].text.last.map { "…;".contains($0) } ?? false),
            // ("Vietnam wants factories to buy clean power directly." / "The grid is not ready": a
            // headline of two sentences, the second on a line of its own, run on and unpunctuated.)
            !(blocks[index - 1].text.last.map { ".!?".contains($0) } ?? false)
                || blocks[index].tight && features[index - 1].words <= 14 && features[index].words <= 10
                    && LineShapes.startsCapitalized(blocks[index].text) && !features[index].endsSentence,
            features[index - 1].words + features[index].words <= 30, features[index].boilerplate == nil,
            !features[index].bylineStrong, features[index].date == nil, features[index].credit == nil,
            blocks[index].markup == blocks[index - 1].markup,
            // ("NEWS PROVIDED BY", "Written by": a label for the line after it, not more of the title.)
            !LineShapes.matches(#"(?i)\b(?:by|from)\s*:?$"#, blocks[index].text)
        else { return nil }
        let joined = blocks[index - 1].text + " " + blocks[index].text
        let lowercaseStart = blocks[index].text.unicodeScalars.first?.properties.isLowercase == true
        let lastWord = blocks[index - 1].text.split(separator: " ").last.map { $0.lowercased() } ?? ""
        let openEnded =
            Self.joiningWords.contains(lastWord) || blocks[index - 1].text.hasSuffix(":") || blocks[index - 1].text.hasSuffix(",")
        var gain =
            9 * (Self.similarity(joined, metadataTitle) - features[index - 1].metadataTitleMatch)
            + 7 * (Self.similarity(joined, slug) - features[index - 1].slugMatch)
        // (A line that starts in lower case finishes the one above whatever a shortened slug leaves
        // out: "…, and Ottawa" / "is only starting to notice" at /loyalty-points-new-price-war-ottawa.)
        if lowercaseStart { gain = max(gain, 0) }
        // A line run on without a blank line, in a page that separates its paragraphs with blank lines.
        let runOn = blocks[index].tight && !mostlyTight
        // Title case carried on from a line of four words or more, neither line punctuated.
        let previous = blocks[index - 1].text
        let titleCased =
            features[index - 1].words >= 4 && LineShapes.titleCase(previous)
            && (LineShapes.titleCase(blocks[index].text)
                || blocks[index].text.split(separator: " ").allSatisfy {
                    $0.first?.isUppercase == true || Self.joiningWords.contains($0.lowercased())
                })
            && !features[index].endsSentence && !(previous.last.map { ".!?".contains($0) } ?? false)
        // The two lines together are a line of their own elsewhere on the page (a report's title
        // over two lines on its cover, whole in its running header).
        let whole = (lineKeys[PlainTextReader.repetitionKey(joined)] ?? []).contains { $0 != index && $0 != index - 1 }
        // "Metering the Fields" / "A Practical Path to Reforming Farm …": a subtitle under the short
        // title the running header gives.
        let subtitle = shortTitleLines.contains(index - 1) && LineShapes.startsCapitalized(blocks[index].text) ? 3.0 : 0
        // A title set on a cover page: what counts against a line for standing on the cover (or
        // before the contents list) counts against the title's first line alike, so it cannot
        // decide between carrying the title on and leaving the line out.
        let samePage =
            (features[index].beforeContents && features[index - 1].beforeContents ? 3.5 : 0)
            + (features[index].frontMatterPage && features[index - 1].frontMatterPage ? 2 : 0)
        // (A line of its own never starts in lower case; one that does finishes the line above.)
        // (A sentence closed above, so the next line is as likely a standfirst or a label.)
        let afterSentence = blocks[index - 1].text.last.map { ".!?".contains($0) } ?? false ? -1.5 : 0
        return gain + afterSentence + samePage + subtitle + (whole ? 6 : 0) + (lowercaseStart ? 3.5 : 0) + (openEnded ? 4 : 0) + (runOn ? 3.5 : -0.5) + (titleCased && !runOn ? 3.5 : 0)
    }

    func nonBodyScore(_ index: Int) -> RoleScore {
        let block = blocks[index]
        let feature = features[index]
        var score = RoleScore()
        // The same evidence that counts against the body counts for leaving a line out.
        for reason in junk[index].reasons { score.add(-reason.weight * 0.7, reason.text) }
        if feature.byline != nil && !feature.bylineStrong { score.add(1.5, "a line of names") }
        if block.headingLevel == nil && (block.markup != .listItem || block.linkDensity > 0.5) {
            if !feature.endsSentence && feature.words <= 12 { score.add(1.5, "a short line without final punctuation") }
            if feature.words <= 3 && !feature.endsSentence { score.add(1.5, "one to three words") }
        } else {
            score.add(-2, block.headingLevel != nil ? "marked up as a heading" : "marked up as a list item")
        }
        if feature.words >= 4 && feature.words < 15 && feature.overlap < 0.2 {
            score.add(1, "few words in common with the article")
        }
        if feature.bioName != nil && !feature.bioMatched { score.add(0.5, "introduces a person") }
        if feature.frontMatterPage { score.add(2, "on the imprint page") }
        if feature.overBios { score.add(3, "over the contributors' bios, their label") }
        if feature.afterClosingLabel { score.add(2, "after a notes, comments or authors label") }
        if block.text.isEmpty { score.add(5, "no text") }
        return score
    }

    func bioScore(_ index: Int) -> RoleScore {
        let feature = features[index]
        var score = RoleScore()
        guard let name = feature.bioName else {
            score.add(-30, "does not open with a person's name")
            return score
        }
        score.add(3, "opens with a name (\(name)) and what they do")
        if feature.bioMatched { score.add(4, "\(name) is named in the byline or metadata") }
        let vocabulary = LineShapes.bioVocabulary(blocks[index].text)
        if vocabulary > 0 { score.add(min(2, 0.75 * Double(vocabulary)), "reads like a bio") }
        if position(index) > 0.6 || feature.lateInProse { score.add(1, "near the end") }
        if feature.bioRun { score.add(2.5, "with the other bios at the end") }
        if blocks[index].bioBoxHint { score.add(3, "in the page's box of its writers' bios") }
        // ("Priya Ramanathan and Callum Ostrowski are research fellows …": one bio for two writers.)
        if LineShapes.jointBioNames(blocks[index].text) != nil { score.add(2.5, "introduces two people at once, as a shared bio does") }
        if feature.words > 120 { score.add(-3, "long for a bio") }
        if blocks[index].chrome {
            // An author box is not chrome; a comment or a sidebar's "about" box is.
            score.add(feature.bioMatched ? -1 : -6, "page chrome")
        }
        return score
    }

    // MARK: Decoding

    enum State: Int, CaseIterable {
        case preamble, title, titleContinued, header, headerBio, paragraph, heading, aside, headingAside, bio, closing

        var role: BlockRole {
            switch self {
            case .preamble: return .preamble
            case .title, .titleContinued: return .title
            case .header: return .header
            case .paragraph: return .paragraph
            case .heading: return .heading
            case .aside, .headingAside: return .aside
            case .bio, .headerBio: return .bio
            case .closing: return .closing
            }
        }

        var successors: [State] {
            switch self {
            case .preamble: return [.preamble, .title]
            case .title: return [.titleContinued, .header, .headerBio, .paragraph, .heading]
            case .titleContinued: return [.titleContinued, .header, .headerBio, .paragraph, .heading]
            case .header, .headerBio: return [.header, .headerBio, .paragraph, .heading]
            case .paragraph, .aside: return [.paragraph, .heading, .aside, .bio, .closing]
            case .heading, .headingAside: return [.paragraph, .headingAside]
            case .bio, .closing: return [.bio, .closing]
            }
        }

        var canEnd: Bool { [.paragraph, .aside, .bio, .closing].contains(self) }
    }

    /// The best roles for every block, and the score of each block's role.
    struct Decoded {
        var roles: [BlockRole]
        var scores: [RoleScore]
    }

    func decode() throws(ImportError) -> Decoded {
        let count = blocks.count
        guard count > 0 else { throw ImportError("the file has no text") }
        // With a title from the metadata or the editor, the page may have no title line of its own.
        let titleKnown = givenTitle != nil || metadata.title != nil
        var emissions: [[RoleScore?]] = []
        for index in 0..<count {
            let nonBody = nonBodyScore(index)
            var closing = nonBody
            if features[index].closingLabel || features[index].publication != nil || features[index].citation {
                closing.add(1, "belongs to the closing matter")
            }
            if position(index) > 0.7 { closing.add(0.5, "near the end") }
            let preamble = nonBody
            var row: [RoleScore?] = Array(repeating: nil, count: State.allCases.count)
            row[State.preamble.rawValue] = preamble
            row[State.title.rawValue] = titleScore(index)
            if let gain = continuationScore(index) {
                var score = RoleScore()
                score.add(gain, "continues the title on the next line")
                row[State.titleContinued.rawValue] = score
            }
            row[State.header.rawValue] = nonBody
            // A paper's cover page gives its authors' bios as notes under the byline.
            if features[index].bioMatched, features[index].bioName != nil, index < textStart {
                var score = bioScore(index)
                score.add(-1, "before the text")
                row[State.headerBio.rawValue] = score
            }
            row[State.paragraph.rawValue] = paragraphScore(index)
            row[State.heading.rawValue] = headingScore(index)
            row[State.aside.rawValue] = nonBody
            // Between a heading and its paragraph, a line of junk or two; a heading over a run of
            // them is more likely junk itself (a "Related" list, a share bar).
            var afterHeading = nonBody
            if blocks[index].furniture == nil { afterHeading.add(-1.5, "between a heading and its text") }
            row[State.headingAside.rawValue] = afterHeading
            row[State.bio.rawValue] = bioScore(index)
            row[State.closing.rawValue] = closing
            emissions.append(row)
        }

        let states = State.allCases
        var best = Array(repeating: Array(repeating: -Double.infinity, count: states.count), count: count)
        var back = Array(repeating: Array(repeating: -1, count: states.count), count: count)
        var starts: [State] = [.preamble, .title]
        if titleKnown { starts += [.header, .paragraph, .heading] }
        for state in starts { if let score = emissions[0][state.rawValue] { best[0][state.rawValue] = score.value } }
        for index in 1..<max(1, count) {
            for previous in states where best[index - 1][previous.rawValue] > -Double.infinity {
                var successors = previous.successors
                if titleKnown && previous == .preamble { successors += [.header, .paragraph, .heading] }
                for state in successors {
                    guard let score = emissions[index][state.rawValue] else { continue }
                    let total = best[index - 1][previous.rawValue] + score.value
                    if total > best[index][state.rawValue] {
                        best[index][state.rawValue] = total
                        back[index][state.rawValue] = previous.rawValue
                    }
                }
            }
        }
        guard let last = states.filter(\.canEnd).max(by: { best[count - 1][$0.rawValue] < best[count - 1][$1.rawValue] }),
            best[count - 1][last.rawValue] > -Double.infinity
        else {
            throw ImportError("no body paragraphs found: the file has a title-shaped line but no paragraphs of text after it")
        }
        var path = [last]
        for index in stride(from: count - 1, to: 0, by: -1) {
            path.append(states[back[index][path.last!.rawValue]])
        }
        path.reverse()
        return Decoded(
            roles: path.map(\.role),
            scores: path.enumerated().map { emissions[$0.offset][$0.element.rawValue] ?? RoleScore() })
    }
}
