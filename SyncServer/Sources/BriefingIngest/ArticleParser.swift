import BriefingModel
import Foundation

/// One decision the importer made, with its reason, for the report and `--dry-run`.
public struct ImportDecision: Codable, Sendable, Hashable {
    /// What was decided: `title`, `heading`, `left out`, `byline`, `contributor`, `publication`,
    /// `published`, `image credit`, `bio`.
    public var subject: String
    /// The value chosen, or the line concerned.
    public var value: String
    /// Why, in words.
    public var reason: String
    /// The source line (text, Markdown) or element line (HTML), when the decision is about a line.
    public var line: Int?

    public init(subject: String, value: String, reason: String, line: Int? = nil) {
        self.subject = subject
        self.value = value
        self.reason = reason
        self.line = line
    }
}

/// What an editor states about an article, outranking whatever the importer finds.
public struct ImportOverrides: Codable, Sendable, Hashable {
    public var title: String?
    /// Contributors in order; replaces the byline's names (bios found for them are kept).
    public var contributors: [String]?
    public var publication: String?
    public var imageCredit: String?
    public var published: Date?

    public init(
        title: String? = nil, contributors: [String]? = nil, publication: String? = nil, imageCredit: String? = nil,
        published: Date? = nil
    ) {
        self.title = title
        self.contributors = contributors
        self.publication = publication
        self.imageCredit = imageCredit
        self.published = published
    }

    public var isEmpty: Bool { self == ImportOverrides() }

    /// These overrides, with each one given in `newer` replacing this one's.
    public func merged(with newer: ImportOverrides) -> ImportOverrides {
        ImportOverrides(
            title: newer.title ?? title, contributors: newer.contributors ?? contributors,
            publication: newer.publication ?? publication,
            imageCredit: newer.imageCredit ?? imageCredit, published: newer.published ?? published)
    }
}

/// An article as extracted from a page: its fields, its body, what was left out and why.
public struct ParsedArticle: Sendable, Hashable {
    public struct Section: Sendable, Hashable {
        /// nil for the lead.
        public var heading: String?
        public var paragraphs: [String]
    }

    public var title: String
    public var byline: String?
    public var publication: String?
    public var imageCredit: String?
    public var publishedAt: Date?
    public var contributors: [Contributor]
    /// The lead (if any paragraphs precede the first heading) and the headed sections.
    public var sections: [Section]
    /// Lines kept out of the body, as written: banners, menus, share bars, comment forms, page
    /// furniture, publication lines.
    public var excluded: [String]
    /// Every decision, with its reason.
    public var decisions: [ImportDecision]
    /// The page's own URL, from its metadata (canonical link, `og:url`, front matter).
    public var canonicalURL: String?
}

/// Extracts an article from a saved page (HTML), a text scrape or export, or Markdown.
///
/// 1. A reader for the format turns the source into blocks and metadata (``PlainTextReader``
///    rejoins hard-wrapped lines and drops page furniture first; ``HTMLReader`` uses the page's
///    structure and drops its chrome; ``MarkdownReader`` reads front matter).
/// 2. ``ArticleStructure`` weighs every block's evidence and picks the whole article's structure
///    at once.
/// 3. The fields come from the metadata where the page has it, else from the lines chosen:
///    editor's overrides first, then metadata, then the text.
public enum ArticleParser {
    public typealias Format = SourceFormat

    /// Decodes bytes as UTF-8, refusing invalid sequences with the offset of the first bad byte.
    public static func decode(_ data: Data) throws(ImportError) -> String { try SourceDocument.decode(data) }

    /// Parses an article.
    public static func parse(
        _ source: String, format: SourceFormat, sourceURL: String? = nil, overrides: ImportOverrides = .init()
    ) throws(ImportError) -> ParsedArticle {
        try assemble(read(source, format: format), sourceURL: sourceURL, overrides: overrides)
    }

    /// Reads a source into blocks once, for ``parse(_:sourceURL:overrides:)`` to decide on more than once.
    public static func read(_ source: String, format: SourceFormat) throws(ImportError) -> SourceDocument {
        if source.unicodeScalars.contains(where: { $0.value == 0 }) {
            throw ImportError("the file contains NUL bytes; it is binary, not an article")
        }
        let document = try SourceDocument.read(source, format: format)
        guard document.blocks.contains(where: { !$0.text.isEmpty && $0.furniture == nil }) else {
            throw ImportError(
                format == .html ? "the page has no text outside its scripts, styles and chrome" : "the file has no text")
        }
        return document
    }

    /// Decides the article in a source already read.
    public static func parse(_ document: SourceDocument, sourceURL: String? = nil, overrides: ImportOverrides = .init())
        throws(ImportError)
        -> ParsedArticle
    {
        try assemble(document, sourceURL: sourceURL, overrides: overrides)
    }

    static func assemble(_ document: SourceDocument, sourceURL: String?, overrides: ImportOverrides) throws(ImportError)
        -> ParsedArticle
    {
        let metadata = document.metadata
        let blocks = document.blocks
        let structure = ArticleStructure(blocks: blocks, metadata: metadata, sourceURL: sourceURL, givenTitle: overrides.title)
        let decoded = try structure.decode()
        let roles = decoded.roles
        let features = structure.features
        if let mode = ProcessInfo.processInfo.environment["BRIEFINGS_TRACE_IMPORT"] {
            trace(structure, roles: roles, why: mode == "why")
        }
        var decisions: [ImportDecision] = []
        var used = Set<Int>()

        // Title.
        let titleIndices = roles.indices.filter { roles[$0] == .title }
        let title: String
        if let given = overrides.title {
            title = TextNormalizer.normalize(given)
            decisions.append(.init(subject: "title", value: title, reason: "given with --title"))
        } else if let first = titleIndices.first {
            var text = titleIndices.map { blocks[$0].text }.joined(separator: " ")
            var reason = decoded.scores[first].because() + (titleIndices.count > 1 ? "; continued on the next line" : "")
            // "Metering the Fields" over "A Practical Path to …": the short title, a colon, its subtitle.
            if titleIndices.count > 1, structure.shortTitleLines.contains(first), !blocks[first].text.hasSuffix(":") {
                text = blocks[first].text + ": " + titleIndices.dropFirst().map { blocks[$0].text }.joined(separator: " ")
                reason += "; its first line the short title the running header gives, the rest its subtitle"
            }
            // "Policy Research : DSA Compliance Options": a wiki's space before its page's title, the
            // space named on its own elsewhere on the page (its navigation).
            if let colon = text.range(of: " : "), case let head = String(text[..<colon.lowerBound]), (1...4).contains(LineShapes.words(head)),
                blocks.indices.contains(where: { !titleIndices.contains($0) && blocks[$0].text == head })
            {
                text = String(text[colon.upperBound...])
                reason += "; without “\(head) : ”, the section the page's navigation names"
            }
            title = text
            decisions.append(.init(subject: "title", value: title, reason: reason, line: blocks[first].line))
        } else if let known = metadata.title {
            title = known
            decisions.append(
                .init(
                    subject: "title", value: title,
                    reason: "the page's \(metadata.titleSource ?? "metadata") title (no line of the page matches it)"))
        } else {
            throw ImportError("no title found: give one with --title, or import the page with its title line")
        }
        used.formUnion(titleIndices)
        guard !title.isEmpty else { throw ImportError("the title is empty") }

        // Body.
        var sections: [ParsedArticle.Section] = [.init(heading: nil, paragraphs: [])]
        for (index, role) in roles.enumerated() {
            switch role {
            case .heading:
                sections.append(.init(heading: blocks[index].text, paragraphs: []))
                decisions.append(
                    .init(
                        subject: "heading", value: blocks[index].text, reason: decoded.scores[index].because(),
                        line: blocks[index].line))
            case .paragraph:
                // The rest of a sentence a page break cut off ("… one of the most" / "closely studied …") joins it.
                if let last = sections[sections.count - 1].paragraphs.last, structure.features[index].words >= 3,
                    blocks[index].markup != .listItem, index > 0, blocks[index - 1].markup != .listItem,
                    !LineShapes.endsSentence(last), LineShapes.words(last) >= 6,
                    blocks[index].text.unicodeScalars.first?.properties.isLowercase == true
                {
                    let joined = last.hasSuffix("-") ? String(last.dropLast()) + blocks[index].text : last + " " + blocks[index].text
                    sections[sections.count - 1].paragraphs[sections[sections.count - 1].paragraphs.count - 1] = joined
                    continue
                }
                sections[sections.count - 1].paragraphs.append(blocks[index].text)
            default:
                break
            }
        }
        sections.removeAll { $0.heading == nil && $0.paragraphs.isEmpty }
        guard sections.contains(where: { !$0.paragraphs.isEmpty }) else {
            throw ImportError("no body paragraphs found after the title “\(title)”")
        }
        let nonBody = roles.indices.filter { !roles[$0].isBody && roles[$0] != .title }

        // Byline: the first in the header, else a strong one anywhere outside the body.
        // (Not a commenter's name over the date of their comment, past the thread's label.)
        let lastBody = roles.lastIndex(where: \.isBody) ?? 0
        let thread = blocks.indices.first { $0 > lastBody && LineShapes.commentThreadLabel(blocks[$0].text) } ?? blocks.count
        let bylineIndex =
            nonBody.first { features[$0].bylineStrong && roles[$0] == .header }
            ?? nonBody.first { features[$0].bylineStrong && roles[$0] != .bio && $0 < thread }
            ?? nonBody.first { features[$0].byline != nil && roles[$0] == .header && metadata.authors.isEmpty }
        var byline: String?
        var bylineNames: [String] = []
        if let index = bylineIndex, let found = features[index].byline {
            byline = blocks[index].text
            bylineNames = found.names
            used.insert(index)
            // Authors listed one per line (a card each, maybe with a role line between): all of them.
            // (A card of the same shape as the first, its name over its role, is another author's;
            // its phone and mail lines stand between.)
            func card(_ line: Int) -> Bool { line + 1 < blocks.count && LineShapes.isRole(blocks[line + 1].text) }
            let contact = #"^(?i:t|tel|phone|m|mob|mobile|e|email|e-mail)\s*[:.]\s*\S|^\S+@\S+\.\S+$|^\+?\d[\d ()-]{6,}$"#
            var next = index + 1
            while next < blocks.count, next - index <= 16, !roles[next].isBody {
                if let more = features[next].byline, !more.labelled,
                    features[next].bylineStrong || (card(index) && card(next))
                        || (next == index + 2 && ArticleStructure.conjunctionLine(blocks[index + 1].text))
                        || (metadata.authors.isEmpty && next == index + 1)
                        || more.names.contains(where: { name in metadata.authors.contains { Names.key($0) == Names.key(name) } })
                {
                    bylineNames += more.names
                    used.insert(next)
                } else if next == index + 1, let more = features[next].byline, more.labelled,
                    LineShapes.matches(#"^(?i:with|and|&|additional reporting by|reporting by)\s"#, blocks[next].text)
                {
                    // "By Ana Ruiz" over "with Tom Berg": both wrote it.
                    bylineNames += more.names
                    used.insert(next)
                } else if !(LineShapes.isRole(blocks[next].text) || features[next].words <= 4 || LineShapes.matches(contact, blocks[next].text)) {
                    break
                }
                next += 1
            }
            decisions.append(
                .init(
                    subject: "byline", value: blocks[index].text,
                    reason: found.labelled
                        ? "labelled as a byline"
                        : "a line of names"
                            + (features[index].bylineStrong ? " the bios or metadata also name" : " after the title"),
                    line: blocks[index].line))
        }

        // Bios.
        var bios: [(name: String, text: String)] = []
        for index in roles.indices where roles[index] == .bio {
            guard let name = features[index].bioName else { continue }
            // "Ana Ruiz is a senior fellow … Tom Berg is an associate fellow …": one paragraph, a bio each.
            // (Without the dash that sets off an op-ed's closing line: "— Wanjiru Kamau is …".)
            let text = LineShapes.replacing(LineShapes.settingOffDash, in: blocks[index].text, with: "")
            let parts = splitBios(text)
            if let joint = LineShapes.jointBioNames(text) {
                // One paragraph for two people: the first sentence is both their bio's opening.
                bios += joint.map { ($0, text) }
            } else if parts.count >= 2, parts[0].name == name {
                bios += parts
            } else {
                bios.append((name, text))
            }
            used.insert(index)
            decisions.append(
                .init(subject: "bio", value: name, reason: decoded.scores[index].because(), line: blocks[index].line))
        }

        // Contributors: the editor's list, else the byline's names and the metadata's, then anyone with a bio.
        var names: [String] = []
        func add(_ name: String) {
            let key = Names.key(name)
            guard !key.isEmpty else { return }
            // "Puigvert i Casals" in a bio is "Núria Puigvert i Casals" of the byline.
            if names.contains(where: { Names.key($0).hasSuffix(" " + key) || Names.key($0).hasPrefix(key + " ") }) { return }
            if let index = names.firstIndex(where: { Names.key($0) == key }) {
                // The same person: keep the spelling with its accents ("Zsófia Kertész", not "Zsofia Kertesz").
                if name.unicodeScalars.filter({ !$0.isASCII }).count > names[index].unicodeScalars.filter({ !$0.isASCII }).count {
                    names[index] = name
                }
            } else {
                names.append(name)
            }
        }
        if let given = overrides.contributors {
            given.map(Names.clean).forEach(add)
            decisions.append(
                .init(subject: "contributors", value: names.joined(separator: ", "), reason: "given with --contributor"))
        } else {
            // "Today's post is by guest author Dr Fiona MacAulay, …": a host's page whose byline is
            // the host's names the guest who wrote the piece in its opening lines.
            if let guest = structure.guestAuthor {
                bylineNames = [guest]
                decisions.append(.init(subject: "byline", value: guest, reason: "named as the guest who wrote it; the page's byline is its host's"))
            }
            bylineNames.forEach(add)
            metadata.authors.forEach(add)
            bios.map(\.name).forEach(add)
            // No byline, metadata or bio: a letter signed off at the end ("— Ana Ruiz, Editor").
            var signedOff = false
            // The signature follows a valediction, starts with a dash, or has the person's role under it.
            func signature(_ index: Int) -> Bool {
                guard index > blocks.count / 2, LineShapes.signOff(blocks[index].text) != nil else { return false }
                // (A press office's contacts, under "Media contacts", did not write it.)
                if (max(0, index - 8)..<index).contains(where: { LineShapes.contactsLabel(blocks[$0].text) }) { return false }
                let dashed = blocks[index].text.first.map { "—–-~".contains($0) } ?? false
                let afterValediction = index > 0 && features[index - 1].valediction
                let roleBelow =
                    index + 1 < blocks.count
                    && (LineShapes.isRole(blocks[index + 1].text.components(separatedBy: ",")[0])
                        || LineShapes.bioVocabulary(blocks[index + 1].text) > 0)
                return dashed || afterValediction || roleBelow
            }
            if names.isEmpty, let index = nonBody.first(where: signature), let name = LineShapes.signOff(blocks[index].text) {
                add(name)
                used.insert(index)
                signedOff = true
            }
            if !names.isEmpty {
                var sources: [String] = []
                if !bylineNames.isEmpty { sources.append("the byline") }
                if !metadata.authors.isEmpty { sources.append("the page's \(metadata.authorsSource ?? "metadata")") }
                if !bios.isEmpty { sources.append("bio paragraphs at the end") }
                if signedOff { sources.append("the sign-off at the end") }
                decisions.append(
                    .init(
                        subject: "contributors", value: names.joined(separator: ", "),
                        reason: "from " + sources.joined(separator: ", ")))
            }
        }
        let contributors = names.map { name in
            // (A role line under the name on a cover, "Senior Research Fellow, …", gives way to the
            // bio that says it in a sentence, "Dr Harriet Okonkwo-Lane is a senior research fellow …".)
            let theirs = bios.filter { Names.key($0.name) == Names.key(name) }
            // ("*Hemi Rangitoto-Walsh is …*": without a text mail's italics round it.)
            let found = (theirs.first { LineShapes.bioName($0.text).map(Names.key) == Names.key(name) } ?? theirs.first)?.text
                .replacingOccurrences(of: #"^([*_])(?!\1)(.+[^*_])\1$"#, with: "$2", options: .regularExpression)
            // A metadata bio counts when it is about the person: it names them.
            var given: String?
            if let bio = metadata.bios.first(where: { Names.key($0.key) == Names.key(name) })?.value,
                name.split(separator: " ").contains(where: { $0.count >= 3 && bio.contains(String($0)) })
            {
                given = bio
            }
            // Else a profile in the page's chrome (a blog's "About Me" in its sidebar) that opens with
            // the person's name and what they do.
            var profile: String?
            if found == nil, given == nil,
                let index = blocks.indices.first(where: {
                    blocks[$0].chrome && !roles[$0].isBody && features[$0].words >= 8 && features[$0].endsSentence
                        && features[$0].bioName.map { Names.key($0) == Names.key(name) } == true
                })
            {
                profile = blocks[index].text
                decisions.append(
                    .init(subject: "bio", value: name, reason: "the profile in the page's \(blocks[index].furniture ?? "chrome")",
                        line: blocks[index].line))
            }
            return Contributor(name: name, bio: found ?? given ?? profile ?? "")
        }

        // Date. In a forwarded mail, the original's header (after the "Forwarded message" line) dates it.
        // (Outlook marks a forward only by a second set of headers: the last "From:" starts the original.)
        let senders = nonBody.filter { blocks[$0].furniture == "an e-mail header" && blocks[$0].text.lowercased().hasPrefix("from:") }
        let forwarded =
            nonBody.last(where: {
                blocks[$0].text.range(of: #"(?i)forwarded message|begin forwarded|original message"#, options: .regularExpression) != nil
            }) ?? (senders.count >= 2 ? senders.last! - 1 : -1)
        // The page's head: what comes before its first section heading (or its first paragraph).
        let headEnd = roles.firstIndex(of: .heading) ?? roles.firstIndex(where: \.isBody) ?? 0
        // (A standfirst read as the first paragraph leaves the byline and date under it as asides.)
        let firstHeading = roles.firstIndex(of: .heading) ?? 0
        var publishedAt: Date?
        // "This column first appeared in The Harbour Standard on February 6, 2026": a reprint's
        // own date line (or its metadata's date, a note's "created") dates the reprint; the piece
        // was published when it first appeared.
        let firstAppeared = nonBody.lazy.compactMap({ index -> (Int, DateMention)? in
            guard features[index].publication?.evidence == "a “published in/by” line",
                LineShapes.matches(#"(?i)\b(?:first|originally)\s+(?:published|appeared|posted|ran|printed)\b"#, blocks[index].text),
                let mention = DateMention.all(in: blocks[index].text).first(where: { $0.precision == .day })
            else { return nil }
            return (index, mention)
        }).first
        if let given = overrides.published {
            publishedAt = given
            decisions.append(.init(subject: "published", value: Timestamp.day(given), reason: "given with --published"))
        } else if let (index, mention) = firstAppeared, let date = metadata.published, mention.date < date {
            publishedAt = mention.date
            decisions.append(
                .init(
                    subject: "published", value: mention.label,
                    reason: "the date it first appeared, from the “first appeared in” line, before the \(metadata.publishedSource ?? "metadata")'s",
                    line: blocks[index].line))
        } else if let date = metadata.published, !metadata.publishedInLocalZone,
            case let dateLines = nonBody.filter({
                features[$0].date != nil && $0 > forwarded
                    && ([.preamble, .header].contains(roles[$0]) || $0 < headEnd || (roles[$0] == .aside && $0 < firstHeading))
                    // (Not the date of an update: "Updated Thu 15 May 2025 at 07:12" over "First published Wed 14 May".)
                    // ("Sangrur/New Delhi | Updated: Oct 15, 2025": after the dateline's places too.)
                    && !LineShapes.matches(LineShapes.updateLabel, blocks[$0].text)
            }),
            // (The article's own header before the masthead's "Saturday, March 22, 2025" above it.)
            let visible = (dateLines.first(where: { roles[$0] != .preamble }) ?? dateLines.first).flatMap({ features[$0].date }),
            visible != date, abs(visible.timeIntervalSince(date)) <= 86_400
        {
            // A timestamp in UTC can fall on the day before or after the date the page shows.
            publishedAt = visible
            decisions.append(
                .init(
                    subject: "published", value: Timestamp.day(visible),
                    reason: "the page's own date line; its metadata's time, in UTC, is a day off"))
        } else if let date = metadata.published {
            publishedAt = date
            decisions.append(
                .init(
                    subject: "published", value: Timestamp.day(date),
                    reason: "the page's \(metadata.publishedSource ?? "metadata")"))
        } else if let (index, mention) = firstAppeared {
            publishedAt = mention.date
            decisions.append(
                .init(
                    subject: "published", value: mention.label, reason: "the date it first appeared, from the “first appeared in” line",
                    line: blocks[index].line))
        } else if let index = bylineIndex, let date = features[index].byline?.date {
            publishedAt = date
            decisions.append(
                .init(
                    subject: "published", value: Timestamp.day(date), reason: "the date in the byline", line: blocks[index].line))
        } else if let index = nonBody.first(where: {
            // A date line under the title, not an update's, dates the piece before a date over the
            // title does: "Friday, June 13, 2025" in a paper's masthead is the day the page was seen.
            // (Under the standfirst, read as the first paragraph, the byline and date may sit apart from the head.)
            features[$0].date != nil && $0 > forwarded && !titleIndices.isEmpty
                && ((titleIndices.last! + 1)...(titleIndices.last! + 8)).contains($0)
                && !LineShapes.matches(LineShapes.updateLabel, blocks[$0].text)
                && nonBody.contains(where: { other in other < titleIndices[0] && features[other].date != nil && roles[other] == .preamble })
        }) ?? nonBody.first(where: {
            features[$0].date != nil && [.preamble, .header].contains(roles[$0]) && $0 > forwarded
        })
            // (Not a related post's date, under its headline.)
            ?? nonBody.first(where: { features[$0].date != nil && !features[$0].inHeadlineList })
        {
            publishedAt = features[index].date
            used.insert(index)
            decisions.append(
                .init(subject: "published", value: Timestamp.day(publishedAt!), reason: "a date line", line: blocks[index].line))
        } else if let index = nonBody.first(where: {
            features[$0].publication != nil && DateMention.all(in: blocks[$0].text).contains { $0.precision == .day }
        }),
            let mention = DateMention.all(in: blocks[index].text).first(where: { $0.precision == .day })
        {
            publishedAt = mention.date
            decisions.append(
                .init(
                    subject: "published", value: mention.label, reason: "the date of the “first published” line",
                    line: blocks[index].line))
        } else if let (index, mention) = nonBody.lazy.compactMap({ index in
            LineShapes.labelledPublicationDate(blocks[index].text).map { (index, $0) }
        }).first {
            // "(Received 9 September 2024; …; first published online 12 February 2025)".
            publishedAt = mention.date
            decisions.append(
                .init(
                    subject: "published", value: mention.label, reason: "the date labelled “first published”",
                    line: blocks[index].line))
        } else if let date = LineShapes.urlDate(sourceURL ?? metadata.url) {
            // "…/2025/08/14/who-pays-…": a CMS that dates its addresses.
            publishedAt = date
            decisions.append(.init(subject: "published", value: Timestamp.day(date), reason: "the date in the web address"))
        }
        if publishedAt != nil,
            let index = nonBody.first(where: {
                features[$0].date != nil && [.preamble, .header].contains(roles[$0]) && $0 > forwarded
            })
        {
            used.insert(index)
        }

        // Image credit: the first labelled credit or caption outside the body.
        var imageCredit: String?
        if let given = overrides.imageCredit {
            imageCredit = given
            decisions.append(.init(subject: "image credit", value: given, reason: "given with --image-credit"))
        } else if let index = bylineIndex, let credit = features[index].byline?.credit {
            imageCredit = credit
            decisions.append(
                .init(
                    subject: "image credit", value: credit, reason: "the picture credit in the byline", line: blocks[index].line))
        } else if let index = nonBody.first(where: {
            // (Not a chart's "Source: … analysis of … data" under its "Figure 1: …" caption.)
            !($0 > 0 && LineShapes.figureCaption(blocks[$0 - 1].text))
                && !LineShapes.matches(#"^(?i:sources?\s*:.*\b(?:analysis|data|survey|statistics|estimates|calculations|figures)\b)"#, blocks[$0].text)
                && (features[$0].credit != nil
                || (features[$0].caption && (!blocks[$0].chrome || blocks[$0].furniture == "the page header")
                    // (Not the site's "© 2025 Name · Privacy · Terms" at the foot of the page, nor a chart's
                    // "Figure 1: …" caption.)
                    && !(features[$0].publication != nil && $0 * 2 > blocks.count)
                    && !LineShapes.matches(#"^(?i:figure|fig\.|chart|table|graph|map|exhibit)\s*\d+"#, blocks[$0].text)
                    // (Nor "Chart: Installations per thousand homes … Source: … analysis of scheme data": a
                    // chart's caption names where its figures came from, not who took a picture.)
                    && !LineShapes.matches(#"^(?i:chart|graph|table|exhibit|infographic|data)\s*:.*\b(?i:sources?)\s*:"#, blocks[$0].text)))
        }) {
            imageCredit = features[index].credit ?? blocks[index].text
            used.insert(index)
            // "Pictured: Lockboxes in Alfama." over "Photo: Inês Carvalhal", or "Header image: Soldiers
            // at night." on the line right over "Photo: Ana Ruiz": one caption with its credit.
            let pictured = blocks[index].text.range(of: #"^(?i:pictured|caption)\s*:\s*"#, options: .regularExpression)
            if let pictured { imageCredit = String(blocks[index].text[pictured.upperBound...]) }
            // "[Image: Evaporation ponds at the salt flat]" over "Photo: Ana Ruiz": the picture's stand-in
            // (its alt text, which a reader does not see) over its credit, which is the credit.
            let standIn = blocks[index].text.hasPrefix("[") && blocks[index].text.hasSuffix("]")
            if standIn, index + 1 < blocks.count, let credit = features[index + 1].credit, !roles[index + 1].isBody {
                imageCredit = credit
                used.insert(index + 1)
            } else if features[index].credit == nil, pictured == nil, index + 1 < blocks.count, let credit = features[index + 1].credit,
                !blocks[index + 1].tight, !roles[index + 1].isBody
            {
                // "*Chukkie boats drawn up on the slipway.*" / "*Photograph: Lwazi Dube*" set apart: a
                // caption, and the picture's labelled credit on its own, which is the credit.
                imageCredit = credit
                used.insert(index + 1)
            } else if index + 1 < blocks.count, features[index + 1].credit != nil || blocks[index + 1].text.hasPrefix("©"),
                !roles[index + 1].isBody,
                pictured != nil
                    || (blocks[index + 1].tight
                        && LineShapes.matches(#"^(?:(?i:photo|photograph|photography|credit|picture)s?\s*:|©)"#, blocks[index + 1].text)
                        && !LineShapes.matches(#"(?i)\b(?:photo|credit|picture)s?\s*:"#, imageCredit!))
            {
                imageCredit! += " " + blocks[index + 1].text
                used.insert(index + 1)
            }
            // ("… © Seán Ó Dálaigh www.cris-institute.example": the site's address under the cover, not the credit.)
            // (Or a page's running footer after it: "… www.aifs.example Page 1 of 6".)
            imageCredit = LineShapes.replacing(#"(?:\s+(?:https?://|www\.)\S+)?(?:\s+(?i:page)\s+\d{1,3}(?:\s+(?i:of)\s+\d{1,3})?)?$"#, in: imageCredit!, with: "")
            imageCredit = LineShapes.replacing(#"\s+(?:https?://|www\.)\S+$"#, in: imageCredit!, with: "")
            // ("[https://cdn.example/img/hero.jpg] A double-decker waits …": a text mail's stand-in for the picture.)
            imageCredit = LineShapes.replacing(#"^\[(?:https?://|cid:)[^\]\s]+\]\s*"#, in: imageCredit!, with: "")
            decisions.append(
                .init(
                    subject: "image credit", value: imageCredit!,
                    reason: features[index].credit != nil ? "a labelled credit line" : "the first image caption",
                    line: blocks[index].line))
        } else if let credit = metadata.imageCredit {
            imageCredit = credit
            decisions.append(
                .init(subject: "image credit", value: credit, reason: "the page's \(metadata.imageCreditSource ?? "metadata")"))
        }

        // Publication.
        var publication: String?
        if let given = overrides.publication {
            publication = given
            decisions.append(.init(subject: "publication", value: given, reason: "given with --publication"))
        } else if let named = metadata.publication {
            publication = named
            // "Fairhaven Weekly Briefing" in the <title> and "© 2026 Fairhaven Policy Centre" on the
            // page: the metadata names the organisation's newsletter; the organisation publishes it.
            let words = named.split(separator: " ").map(String.init)
            let head = words.prefix { !LineShapes.productWords.contains($0.lowercased()) }
            let newsletterOf =
                !head.isEmpty && head.count < words.count
                    && words.dropFirst(head.count).allSatisfy({ LineShapes.productWords.contains($0.lowercased()) })
                ? Names.bareKey(head.joined(separator: " ")) : nil
            let candidates = publicationCandidates(
                blocks: blocks, roles: roles, features: features, people: Set(names.map(Names.key)),
                domain: LineShapes.siteLabel(sourceURL ?? metadata.url), subsites: LineShapes.subsiteLabels(sourceURL ?? metadata.url))
            let organisation = newsletterOf.flatMap { head in
                candidates.first(where: {
                    Names.bareKey($0.name).hasPrefix(head + " ") && !$0.company
                        && !Names.bareKey($0.name).dropFirst(head.count + 1).split(separator: " ").allSatisfy({
                            LineShapes.productWords.contains(String($0))
                        })
                })
            }
            // Else "Westmarch" in og:site_name and "Westmarch Institute for Education Policy" on the page:
            // the full name. (Not the company behind the site, "Milepost Transport Economics Ltd.", when
            // the site calls itself "Milepost".)
            if let (organisation, reason, _) = organisation {
                publication = organisation
                decisions.append(
                    .init(
                        subject: "publication", value: organisation,
                        reason: "its \(metadata.publicationSource ?? "metadata") “\(named)” is its newsletter: \(reason)"))
            } else if let (longer, reason, _) = candidates.first(where: { LineShapes.isAcronym(named, of: $0.name) && !$0.company }) {
                publication = longer
                decisions.append(
                    .init(
                        subject: "publication", value: longer,
                        reason: "the name its \(metadata.publicationSource ?? "metadata") “\(named)” is the initials of: \(reason)"))
            } else if let (longer, count) = initialsForm(of: named, in: blocks) {
                // (The name its initials spell before one that only begins with them: "Korea Institute for
                // Demographic Futures" before "KIDF Commentary".)
                publication = longer
                decisions.append(
                    .init(
                        subject: "publication", value: longer,
                        reason: "the name its \(metadata.publicationSource ?? "metadata") “\(named)” is the initials of, written so \(count) time(s)"))
            } else if let (longer, reason, _) = candidates.first(where: {
                    Names.bareKey($0.name).hasPrefix(Names.bareKey(named) + " ") && !$0.company
                        && !Names.bareKey($0.name).dropFirst(Names.bareKey(named).count + 1).split(separator: " ").allSatisfy({
                            LineShapes.companyWords.contains(String($0)) || LineShapes.productWords.contains(String($0))
                        })
            }) {
                publication = longer
                decisions.append(
                    .init(
                        subject: "publication", value: longer,
                        reason: "the page's full form of its \(metadata.publicationSource ?? "metadata") “\(named)”: \(reason)"))
            } else if let (longer, count) = fullForm(of: named, in: blocks) {
                publication = longer
                decisions.append(
                    .init(
                        subject: "publication", value: longer,
                        reason:
                            "the page's full form of its \(metadata.publicationSource ?? "metadata") “\(named)”, written so \(count) times"
                    ))
            }
            if publication == named {
                decisions.append(
                    .init(subject: "publication", value: named, reason: "the page's \(metadata.publicationSource ?? "metadata")"))
            }
        } else if let (named, reason) = publicationFromText(
            blocks: blocks, roles: roles, features: features, people: Set(names.map(Names.key)),
            domain: LineShapes.siteLabel(sourceURL ?? metadata.url), subsites: LineShapes.subsiteLabels(sourceURL ?? metadata.url),
            metadata: metadata)
        {
            publication = named
            decisions.append(.init(subject: "publication", value: named, reason: reason))
        }

        // What was left out, and why.
        var excluded: [String] = []
        for index in nonBody where !used.contains(index) && !blocks[index].raw.isEmpty && blocks[index].markup != .image {
            if case .rule = blocks[index].markup, document.format == .html { continue }
            excluded.append(blocks[index].raw)
            let score = structure.paragraphScore(index)
            var reason = score.against()
            if reason.isEmpty { reason = decoded.scores[index].because(2) }
            if reason.isEmpty { reason = "weaker as body text than as \(roles[index].rawValue)" }
            decisions.append(
                .init(
                    subject: "left out", value: blocks[index].text, reason: "\(roles[index].rawValue): \(reason)",
                    line: blocks[index].line))
        }

        return ParsedArticle(
            title: title, byline: byline, publication: publication, imageCredit: imageCredit, publishedAt: publishedAt,
            contributors: contributors, sections: sections, excluded: excluded, decisions: decisions, canonicalURL: metadata.url)
    }

    /// Each block's role and scores on standard error (`BRIEFINGS_TRACE_IMPORT=1`; `=why` adds the
    /// evidence behind the title, paragraph, heading and left-out scores), for whoever tunes the weights.
    static func trace(_ structure: ArticleStructure, roles: [BlockRole], why: Bool) {
        func write(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        func evidence(_ label: String, _ score: RoleScore) -> String {
            "        \(label): " + score.reasons.map { String(format: "%+.1f %@", $0.weight, $0.text) }.joined(separator: ", ")
        }
        for (index, block) in structure.blocks.enumerated() {
            write(
                String(
                    format: "%4d %-9@ T%6.1f P%6.1f H%6.1f N%6.1f B%6.1f  %@", block.line, roles[index].rawValue,
                    structure.titleScore(index).value, structure.paragraphScore(index).value, structure.headingScore(index).value,
                    structure.nonBodyScore(index).value, structure.bioScore(index).value,
                    String(block.text.prefix(60)) + (block.furniture.map { " [\($0)]" } ?? "")
                        + (structure.continuationScore(index).map { String(format: " (continues the title: %+.1f)", $0) } ?? "")))
            if why {
                write(evidence("title", structure.titleScore(index)))
                write(evidence("paragraph", structure.paragraphScore(index)))
                write(evidence("heading", structure.headingScore(index)))
                write(evidence("left out", structure.nonBodyScore(index)))
            }
        }
    }

    /// The publication as the page's text names it, weighing every mention.
    ///
    /// Each line that names a publication adds its weight (a "published in" line 6, a
    /// copyright line 5, a "Name | Section" banner or a "thanks for reading" line 4, a tagline 3,
    /// the e-mail's sender or a masthead line 2); then each other line that mentions the name
    /// adds one, up to three. The copyright holder is often the publisher's company, so a name
    /// the page keeps mentioning outweighs it.
    static func publicationFromText(
        blocks: [SourceBlock], roles: [BlockRole], features: [ArticleStructure.Features], people: Set<String>,
        domain: String? = nil, subsites: [String] = [], metadata: SourceMetadata = SourceMetadata()
    ) -> (String, String)? {
        publicationCandidates(
            blocks: blocks, roles: roles, features: features, people: people, domain: domain, subsites: subsites, metadata: metadata
        ).first.map {
            ($0.name, $0.evidence)
        }
    }

    /// Every publication name the text supports well enough, strongest first.
    ///
    /// - Parameters:
    ///   - people: the contributors' names: a person sending or signing the letter is not its publication.
    ///   - domain: the site's own label in the page's URL ("casenote" for `www.casenote.org.uk`), which
    ///     a publication's name usually spells.
    static func publicationCandidates(
        blocks: [SourceBlock], roles: [BlockRole], features: [ArticleStructure.Features], people: Set<String>,
        domain: String? = nil, subsites: [String] = [], metadata: SourceMetadata = SourceMetadata()
    ) -> [(name: String, evidence: String, company: Bool)] {
        struct Candidate {
            var name: String
            var weight = 0.0
            var evidence: [String] = []
            var lines: Set<Int> = []
            var texts: Set<String> = []
            /// Every mention wrote it with a legal form ("Milepost Transport Economics Ltd."): a company's name.
            var onlyLegal = true
        }
        var candidates: [String: Candidate] = [:]
        let key = Names.bareKey
        /// One piece of evidence for a name: a line of the page, or (`line` nil) the page's metadata.
        func add(_ name: String, _ weight: Double, _ evidence: String, line: Int?) {
            // ("Precept © 2025": the name without its copyright year.)
            let written = LineShapes.replacing(#"\s*(?:©|\(c\))\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\.?$"#, in: name, with: "")
            let legal = LineShapes.withoutLegalSuffix(written) != written
            // ("Aldergate Institute Wiki", "… Intranet": the organisation's own site for staff.)
            // ("Aldergate Institute Wiki", "… Intranet": the organisation's own site for staff; "Mekong
            // Monitor — Home", "Le Quotidien | Accueil": a masthead linking to its front page.)
            let name = LineShapes.replacing(
                #"\s+(?:Wiki|Intranet|Staff Portal)$|\s+[—–|·:-]\s*(?i:home|home ?page|front page|start|accueil|inicio|portada|startseite|início)$"#,
                in: LineShapes.withoutLegalSuffix(written), with: "")
            let key = key(name)
            guard !key.isEmpty else { return }
            var entry = candidates[key] ?? Candidate(name: name)
            // A running header repeated on every page is one piece of evidence, not one per page.
            let seen = (line.map { blocks[$0].text } ?? "") + evidence
            guard !entry.texts.contains(seen) else { return }
            entry.texts.insert(seen)
            // Prefer the form written in mixed case over a shouted masthead.
            if entry.name.uppercased() == entry.name && name.uppercased() != name { entry.name = name }
            entry.weight += weight
            entry.evidence.append(evidence)
            if let line { entry.lines.insert(line) }
            entry.onlyLegal = entry.onlyLegal && legal
            candidates[key] = entry
        }
        let outside = blocks.indices.filter { !roles[$0].isBody && roles[$0] != .title }
        // The front matter's credit and bios name it too ("Ana Ruiz / Tidewater Review", "a regular
        // contributor to Tidewater Review"); they count as lines of their own.
        if let credit = metadata.imageCredit, let name = LineShapes.creditPublication(credit) {
            add(name, 3, "the picture in the \(metadata.imageCreditSource ?? "metadata") was made for it", line: nil)
        }
        for bio in metadata.bios.values.sorted() {
            if let name = LineShapes.staffOf(bio) { add(name, 2, "a contributor writes for it", line: nil) }
        }
        if let newsletter = metadata.newsletter { add(newsletter, 3, "the e-mail's subject names it before the issue number", line: nil) }
        for index in outside {
            let text = blocks[index].text
            if let mention = features[index].publication { add(mention.name, mention.weight, mention.evidence, line: index) }
            if let name = LineShapes.group(LineShapes.pressRegulated, text) { add(name, 5, "a press regulator's line", line: index) }
            if index < 12 || roles[index] == .preamble, let name = LineShapes.banner(text) {
                add(name, 4, "a “Name | Section” banner", line: index)
            }
            // (Not a link's text: "DSA briefing – stakeholder interview notes" in a page tree.)
            if blocks[index].linkDensity < 0.5, let name = LineShapes.tagline(text) { add(name, 3, "a tagline", line: index) }
            if text.lowercased().hasPrefix("from:"), let name = emailSender(text) {
                add(name, 3, "the sender of the e-mail", line: index)
            }
            if text.lowercased().hasPrefix("reply-to:"), let name = emailSender(String(text.dropFirst(6))) {
                add(name, 2, "the e-mail's reply address", line: index)
            }
            // "Centre for Energy Systems Policy, 3 Wharf Street, Manchester M1 2AB": the name over its postal address.
            if index >= blocks.count - 24 || roles[index] == .closing,
                let name = LineShapes.group(
                    LineShapes.regex(#"^((?:The )?\p{Lu}[\p{L}&'’-]+(?: (?:of|for|on|and|&|the|\p{Lu}[\p{L}&'’-]*)){1,7}),\s+(?:\d{1,4}[a-z]?\s+\p{Lu}|P\.?O\.? Box)"#), text),
                !Names.isName(name)
            {
                add(name, 2, "its postal address at the foot of the page", line: index)
            }
            // "The Morning Courier - Back to home": the logo's link text.
            if index < 12 || roles[index] == .preamble, let name = LineShapes.logoLink(text) {
                add(name, 4, "the site's logo, linking home", line: index)
            }
            if index < 12 || roles[index] == .preamble, let name = LineShapes.issueMasthead(text) {
                add(name, 4, "a masthead with its issue number", line: index)
            }
            if let name = features[index].credit != nil || features[index].caption
                ? LineShapes.creditPublication(text) : LineShapes.creditCommission(text)
            {
                add(name, 3, "the picture was made for it", line: index)
            }
            if roles[index] == .bio, let name = LineShapes.staffOf(text) { add(name, 2, "a contributor writes for it", line: index) }
            // "CDTR Working Paper No. 2026-03": a series named by its publisher's initials, spelled out
            // elsewhere on the page ("Centre for Digital Trade Research, University of Eastmoor").
            if let initials = LineShapes.group(
                LineShapes.regex(#"^(\p{Lu}{2,8})\s+(?:Working|Policy|Discussion|Occasional|Research|Briefing|Technical)\s+Papers?(?:\s+Series)?\b"#), text),
                !candidates.keys.contains(key(initials))
            {
                if let full = spelledOut(initials, in: blocks) {
                    add(full, 4, "its paper series “\(initials)” spelled out on the page", line: index)
                } else {
                    add(initials, 2, "its paper series", line: index)
                }
            }
            // A press release's issuer, as a wire service names it: "NEWS PROVIDED BY" over a name not
            // a person's, "SOURCE Name" after the "###", "About Name" over its boilerplate.
            if LineShapes.nameLabel(text),
                index + 1 < blocks.count, (1...10).contains(features[index + 1].words), !features[index + 1].endsSentence,
                !Names.isName(blocks[index + 1].text)
            {
                add(blocks[index + 1].text, 5, "named as the release's issuer", line: index + 1)
            }
            if let name = LineShapes.group(LineShapes.regex(#"^SOURCE:?\s+(\p{Lu}[\p{L}&'’ .,-]{2,80}?)\s*$"#), text), !Names.isName(name) {
                add(name, 5, "the wire's SOURCE line", line: index)
            }
            if features[index].closingLabel, let name = LineShapes.aboutName(text) {
                add(name, 3, "“About …” over its description at the foot of the page", line: index)
            }
            if index > blocks.count / 2, let name = LineShapes.selfDescription(text), !Names.isName(name), !people.contains(key(name)) {
                add(name, 3, "its account of itself at the foot of the page", line: index)
            }
        }
        // The page's last lines: its last eight that are not page furniture (a list of links, say).
        let lateStart = blocks.indices.filter { blocks[$0].furniture == nil }.suffix(8).first ?? blocks.count
        // (A name shaped like a person's, "Harbour Notes", counts when the web address spells it.)
        func spelled(_ index: Int) -> Bool { domain.map { LineShapes.spells($0, blocks[index].text) } ?? false }
        // Masthead lines: a bare name (or two lines of one) in the first lines of the page or the last.
        func bareName(_ index: Int, nameShaped: Bool = false) -> Bool {
            let text = blocks[index].text
            return (1...6).contains(features[index].words) && !features[index].endsSentence && LineShapes.startsCapitalized(text)
                && !text.contains("©")
                // (A cover's "DEBATE PACK" names the kind of document, not who publishes it.)
                && !LineShapes.genres.contains(LineShapes.key(text))
                && text.unicodeScalars.first?.properties.isUppercase == true
                && features[index].boilerplate == nil && features[index].uiLabel == nil
                // (A menu's item is no masthead, unless the web address spells it: "THE RIFT REVIEW"
                // among "Menu", "Search" and "Home" at riftreview.co.ke.)
                && blocks[index].markup != .listItem && (!features[index].inMenu || spelled(index))
                // ("Westmarch on Bluesky": a link to the site's account, not its name.)
                && !LineShapes.matches(
                    #"(?i)\b(?:facebook|twitter|linkedin|bluesky|mastodon|instagram|youtube|threads|tiktok|whatsapp|telegram)\b"#, text)
                && (nameShaped || (features[index].byline == nil && !Names.isName(text))) && features[index].date == nil && features[index].breadcrumb == nil
                && !text.contains(" | ")
                && blocks[index].linkDensity < 0.5 && !text.contains("@") && !text.contains("·") && !text.contains("•")
                && !text.contains(" / ") && !LineShapes.matches(#"^[\p{L}-]+\s*:"#, text)
                && (!blocks[index].chrome || ["the page header", "the page footer"].contains(blocks[index].furniture ?? ""))
        }
        for index in outside
        where (index < 8 || [.preamble, .header].contains(roles[index]) || index >= lateStart)
            && (bareName(index) || (spelled(index) && bareName(index, nameShaped: true)))
        {
            // (A running footer's page number is not part of the name: "Parliamentary Evidence Unit   6".)
            let name =
                blocks[index].furniture == nil
                ? blocks[index].text : LineShapes.replacing(#"\s+\d{1,4}$"#, in: blocks[index].text, with: "")
            add(name, index < 3 && features[index].words >= 2 ? 3 : 2, "a masthead or name line", line: index)
            if index + 1 < blocks.count, outside.contains(index + 1), bareName(index + 1), index < 8,
                features[index].words + features[index + 1].words <= 8, blocks[index].text.uppercased() == blocks[index].text,
                blocks[index + 1].text.uppercased() == blocks[index + 1].text
            {
                add(blocks[index].text + " " + blocks[index + 1].text, 4, "a masthead over two lines", line: index)
            }
        }
        // "From: Kerbside Notes <hello@kerbsidenotes.nz>": a newsletter sends as itself (a person's
        // name there is the writer's, not the publication's).
        for index in blocks.indices where blocks[index].furniture == "an e-mail header" {
            // ("Key Money from Aldmoor Housing Lab": the newsletter, then who sends it.)
            let text = blocks[index].text
            guard let match = LineShapes.regex(#"^(?i:from):\s*"?([^"<>@]{2,60}?)"?\s*<[^<>@\s]+@([^<>\s]+)>"#)
                .firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                let written = Range(match.range(at: 1), in: text), let host = Range(match.range(at: 2), in: text),
                case let sender = text[written].components(separatedBy: " from ")[0].components(separatedBy: " | ")[0]
                    .trimmingCharacters(in: .whitespaces),
                case let spelledByAddress = LineShapes.siteLabel("https://" + String(text[host])).map({ LineShapes.spells($0, sender) }) ?? false,
                // (A name shaped like a person's, "Kerbside Notes", is the newsletter's when its address spells it.)
                spelledByAddress || !Names.isName(Names.clean(sender)), !people.contains(key(sender)), LineShapes.startsCapitalized(sender)
            else { continue }
            add(sender, spelledByAddress ? 4 : 3, "the mail's sender" + (spelledByAddress ? ", its address spelling it" : ""), line: index)
        }
        // "Westmarch Assembly Library" / "library.westmarch-assembly.gov": a name set over the web
        // address that spells it (a cover's or a letterhead's imprint) is the publisher's.
        for index in outside where index < 8 || [.preamble, .header].contains(roles[index]) || index >= lateStart {
            var lines = blocks[index].raw.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            // (The address may be a line of its own, set right under the name.)
            if index + 1 < blocks.count, blocks[index + 1].tight, let next = blocks[index + 1].raw.split(separator: "\n").first {
                lines.append(next.trimmingCharacters(in: .whitespaces))
            }
            for (position, line) in lines.enumerated().dropLast() {
                let next = lines[position + 1]
                // (A name shaped like a person's counts: the address spelling it says whose it is.)
                guard (2...6).contains(LineShapes.words(line)), LineShapes.startsCapitalized(line), !LineShapes.endsSentence(line),
                    !people.contains(key(line)), !LineShapes.matches(#"[\d©@|·•:]"#, line),
                    LineShapes.matches(#"^(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/\S*)?$"#, next),
                    let label = LineShapes.siteLabel(next.hasPrefix("http") ? next : "https://" + next),
                    LineShapes.spells(label, line)
                else { continue }
                add(line, 4, "set over its web address, “\(next)”", line: index)
            }
        }
        // "Policy at Halden" / "The blog of the Halden School of Public Policy": a blog's name over
        // the line that says whose blog it is (the name of a blog, not of its institution).
        for index in outside where index > 0 && outside.contains(index - 1) && bareName(index - 1, nameShaped: true)
            && LineShapes.matches(
                #"^(?i:the (?:official |weekly |monthly )?(?:blog|newsletter|magazine|journal|podcast|bulletin|news site|website) of)\s+\S"#,
                blocks[index].text)
        {
            add(blocks[index - 1].text, 5, "over its description, “\(blocks[index].text.prefix(40))…”", line: index - 1)
        }
        // The site's name over or under its own footer links is the site signing the page (a name
        // like a person's too: "Ledger North").
        for index in outside where index >= lateStart && bareName(index, nameShaped: true) {
            if [index - 2, index - 1, index + 1, index + 2].contains(where: {
                blocks.indices.contains($0) && LineShapes.siteLinks(blocks[$0].text)
            }) {
                // (A line not already counted as a name line counts for both.)
                add(blocks[index].text, bareName(index) ? 2 : 4, "beside the site's footer links", line: index)
            }
        }
        // "Stacklane · Rue Belliard 20, Brussels · About · Newsletter": the site's name before its footer links.
        for index in outside where index >= lateStart {
            for separator in [" · ", " | ", " • "] where blocks[index].text.contains(separator) {
                let items = blocks[index].text.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces) }
                let links = items.dropFirst().filter { LineShapes.sitePages.contains($0.lowercased()) || $0.lowercased() == "newsletter" }
                if items.count >= 3, !links.isEmpty, (1...5).contains(LineShapes.words(items[0])),
                    LineShapes.startsCapitalized(items[0]), !LineShapes.matches(#"\d|©"#, items[0]),
                    LineShapes.sitePages.contains(items[0].lowercased()) == false
                {
                    add(items[0], 4, "the site's name before its footer links", line: index)
                }
                break
            }
        }
        // A newsletter's name over its subscriber count or subscribe button (a name like a person's too: "Per Mile").
        let firstBody = roles.firstIndex(where: \.isBody) ?? 0
        for index in outside where index < firstBody && bareName(index, nameShaped: true) {
            if ((index + 1)..<min(blocks.count, index + 5)).contains(where: {
                LineShapes.matches(#"^(?i:subscribe(?: now| for free)?|\d[\d,.]*k?\s+subscribers)$"#, blocks[$0].text)
            }) {
                add(blocks[index].text, 3, "over the newsletter's subscribe button", line: index)
            }
        }
        // A mail's subject that opens with a name ("Key Money #27: …") is the newsletter naming itself.
        if let subject = blocks.first(where: { $0.furniture == "an e-mail header" && $0.text.lowercased().hasPrefix("subject:") })
        {
            let text = subject.text.dropFirst(8).replacingOccurrences(
                of: #"^\s*((?i:fwd?|re):\s*)*\[?"#, with: "", options: .regularExpression)
            for (key, candidate) in candidates where text.lowercased().hasPrefix(candidate.name.lowercased()) {
                candidates[key]!.weight += 2
                candidates[key]!.evidence.append("the e-mail's subject opens with it")
            }
        }
        // Mentions elsewhere on the page count for a name: capitalised, and not merely because
        // a sentence starts with it ("Groundwater is …" does not name a publication).
        for (key, candidate) in candidates {
            // (A shouted masthead, "CENTRE FOR COASTAL LABOUR STUDIES", is written in the text as
            // "Centre for Coastal Labour Studies".)
            let shouted = candidate.name.uppercased() == candidate.name
            let titled = LineShapes.titleCased(candidate.name)
            let forms = Set(
                [candidate.name, candidate.name.capitalized, titled].map {
                    $0.replacingOccurrences(of: #"^(?i:the) "#, with: "", options: .regularExpression)
                })
            // (Its initials count too when they are three letters or more: "a senior fellow at CESP".)
            let initials = LineShapes.initials(of: candidate.name)
            let initialsRegex =
                initials.count >= 3 && initials.allSatisfy({ $0.isLetter && $0.isUppercase })
                    && candidate.name.split(separator: " ").count >= 3
                ? LineShapes.regex("(?<![\\p{L}])" + initials + "(?![\\p{L}])") : nil
            let mentions = blocks.indices.filter { index in
                !candidate.lines.contains(index)
                    && (forms.contains { !$0.isEmpty && midSentence(blocks[index].text, $0) }
                        || initialsRegex.map {
                            $0.firstMatch(in: blocks[index].text, range: NSRange(blocks[index].text.startIndex..., in: blocks[index].text)) != nil
                        } == true)
            }.count
            if mentions > 0 {
                if shouted, blocks.contains(where: { midSentence($0.text, titled) }) { candidates[key]!.name = titled }
                candidates[key]!.weight += Double(min(mentions, 3))
                candidates[key]!.evidence.append("mentioned on \(mentions) other line(s)")
            }
        }
        // The merges below fold one candidate into another. Dictionaries iterate in a different order
        // on every run, so they walk the names sorted: the same page always gives the same answer.
        func merge(_ from: String, into: String, _ evidence: String) {
            guard from != into, let folded = candidates[from], candidates[into] != nil else { return }
            candidates[into]!.weight += folded.weight
            candidates[into]!.evidence.append(evidence)
            candidates[from] = nil
        }
        // "Name" and "Name Media Ltd" are one publisher: the shorter is the publication. "Name"
        // and "Name for Security Policy" are one name: the longer is its full form.
        for short in candidates.keys.sorted() {
            for long in candidates.keys.sorted() where long.hasPrefix(short + " ") {
                guard let shorter = candidates[short], let longer = candidates[long] else { continue }
                let extra = long.dropFirst(short.count + 1).split(separator: " ").map(String.init)
                // (A name written only with its legal form and a word like "Media", "Casenote Health Media
                // Ltd.", is the company too; "Corridor Institute for Trade and Industry Ltd." is the full name.)
                // ("The Casenote briefing", "Casenote Weekly": a newsletter of the publication, not its name.)
                let company =
                    extra.allSatisfy(LineShapes.companyWords.contains) || extra.allSatisfy(LineShapes.productWords.contains)
                    || (longer.onlyLegal && extra.contains(where: LineShapes.companyWords.contains))
                if company {
                    merge(long, into: short, "the same name as “\(longer.name)”")
                } else {
                    merge(short, into: long, "the same name as “\(shorter.name)”")
                }
            }
        }
        // "The Courier" and "The Morning Courier": the paper's short name, when its web address
        // spells the full one.
        if let domain {
            for short in candidates.keys.sorted() {
                guard let long = candidates.keys.sorted().first(where: {
                    $0.hasSuffix(" " + short) && LineShapes.spells(domain, candidates[$0]!.name)
                        && !LineShapes.spells(domain, candidates[short]!.name)
                }), let shorter = candidates[short] else { continue }
                merge(short, into: long, "its short name “\(shorter.name)”")
            }
        }
        // "EINO" and "European Inland Navigation Observatory": the initials of the full name; "CESP
        // Events" and "CESP Briefings Team" are its events and its team.
        for short in candidates.keys.sorted() {
            guard let initials = candidates[short] else { continue }
            let words = initials.name.split(separator: " ").map(String.init)
            let head = words.first ?? ""
            let productOfInitials = words.count >= 2 && words.dropFirst().allSatisfy { LineShapes.productWords.contains($0.lowercased()) }
            guard
                let long = candidates.keys.sorted().first(where: {
                    $0 != short
                        && (LineShapes.isAcronym(initials.name, of: candidates[$0]!.name)
                            || (productOfInitials && LineShapes.isAcronym(head, of: candidates[$0]!.name)))
                })
            else { continue }
            merge(short, into: long, "its initials “\(initials.name)”")
        }
        // "© 2025 Tamarack Media Group Inc." and a masthead "The Tamarack Herald": the company's paper.
        for key in candidates.keys.sorted() {
            guard let company = candidates[key] else { continue }
            let words = key.split(separator: " ").map(String.init)
            // (Written with its legal form, or ending in the words of one: "Courier Digital Media", "The Continental Post Company".)
            guard words.count >= 2, words.dropFirst().contains(where: LineShapes.companyWords.contains),
                company.onlyLegal || LineShapes.companyWords.contains(words.last!)
            else { continue }
            if let paper = candidates.keys.sorted().first(where: { other in
                guard other != key, let candidate = candidates[other] else { return false }
                // ("Courier Media Group Limited" and "The Morning Courier": the company's name is the paper's.)
                return candidate.weight >= 2 && !candidate.onlyLegal && other.contains(" ")
                    && other.split(separator: " ").map(String.init).contains(words[0])
            }) {
                merge(key, into: paper, "the paper of “\(company.name)”, the company in the copyright line")
            }
        }
        // "ceip.kingsbridge.ac.uk": a unit of the site, the Centre for Extractive Industries Policy
        // at Kingsbridge University, publishes under its own part of the address; the address is
        // its evidence then, not the site's.
        func namesSubsite(_ candidate: Candidate) -> String? {
            subsites.first { LineShapes.spells($0, candidate.name) || LineShapes.initials(of: candidate.name).lowercased() == $0 }
        }
        let unitNamed = candidates.values.contains { namesSubsite($0) != nil }
        // The URL's site spells the name ("tamarackherald.ca", "nordhavninstitute.eu", "mrpc.org").
        if let domain, !unitNamed {
            for (key, candidate) in candidates where LineShapes.spells(domain, candidate.name) {
                candidates[key]!.weight += 3
                candidates[key]!.evidence.append("the page's web address spells it")
            }
        }
        for (key, candidate) in candidates {
            guard let label = namesSubsite(candidate) else { continue }
            candidates[key]!.weight += 5
            candidates[key]!.evidence.append("its own part of the page's web address, “\(label).”")
        }
        // "Powered by Atlassian Confluence 8.5.4": the software the site runs on, and its maker, are
        // not the publisher, whatever else names them.
        let vendors = blocks.compactMap { block -> String? in
            LineShapes.group(
                LineShapes.regex(#"^(?i:powered by|printed by|built with|made with|running on|hosted (?:by|on)|site by|website by|designed by)\s+(.{2,60})$"#),
                block.text
            ).map { key($0) }
        }
        for (name, _) in candidates where vendors.contains(where: { $0 == name || $0.hasPrefix(name + " ") }) {
            candidates[name] = nil
        }
        // A company known only by its legal name ("© 2025 Pohutu Press Limited") publishes the title
        // that other evidence names ("From: Kerbside Notes <hello@kerbsidenotes.nz>", a masthead).
        if candidates.values.contains(where: { !$0.onlyLegal && $0.weight >= 4 }) {
            for key in candidates.keys where candidates[key]!.onlyLegal {
                candidates[key]!.weight -= 3
                candidates[key]!.evidence.append("only ever written as a company, which publishes the title")
            }
        }
        // A bare line alone is not enough: it must be named by some other evidence or mention.
        let ranked = candidates.values.filter { $0.weight >= 3 && !people.contains(Names.key($0.name)) }
            .sorted { ($0.weight, -$0.name.count, $1.name) > ($1.weight, -$1.name.count, $0.name) }
        return ranked.map { ($0.name, $0.evidence.joined(separator: "; "), $0.onlyLegal) }
    }

    /// A paragraph of bios cut where each next person's bio opens ("… Fisheries. Kwabena Asante-Lindahl
    /// is an associate fellow …"); a sentence about them all ("The views expressed are their own.") stays with the last.
    static func splitBios(_ text: String) -> [(name: String, text: String)] {
        let sentences = LineShapes.regex(#"(?<=[.!?])\s+(?=\p{Lu})"#)
        var starts = [text.startIndex]
        for match in sentences.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            if let range = Range(match.range, in: text) { starts.append(range.upperBound) }
        }
        var result: [(name: String, text: String)] = []
        for (number, start) in starts.enumerated() {
            let end = number + 1 < starts.count ? starts[number + 1] : text.endIndex
            let sentence = String(text[start..<end]).trimmingCharacters(in: .whitespaces)
            if let (name, _) = Names.leadingName(sentence, verbs: LineShapes.bioVerbs) {
                result.append((name, sentence))
            } else if !result.isEmpty {
                result[result.count - 1].text += " " + sentence
            }
        }
        return result
    }

    /// The name whose initials `initials` are, as the page writes it ("Centre for Digital Trade
    /// Research" for "CDTR").
    static func spelledOut(_ initials: String, in blocks: [SourceBlock]) -> String? {
        let phrase = LineShapes.regex(#"\p{Lu}[\p{L}’'-]+(?:\s+(?:of|for|on|and|&|the|\p{Lu}[\p{L}’'-]+))+"#)
        for block in blocks {
            let text = block.text
            for match in phrase.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range, in: text) else { continue }
                let words = text[range].split(separator: " ").map(String.init)
                // (The phrase may run on past the name: "Centre for Digital Trade Research University".)
                for end in stride(from: words.count, through: 2, by: -1) {
                    let candidate = words[0..<end].joined(separator: " ")
                    if LineShapes.isAcronym(initials, of: candidate) { return candidate }
                }
            }
        }
        return nil
    }

    /// The longer name the page writes a short one as, at least twice ("Nordhavn Institute" →
    /// "Nordhavn Institute for Economic Security"), and how often; not a company's legal name.
    /// "SIPF" and "… at the Spree Institute for Public Finance.": the name a site's initials spell,
    /// and how often the page writes it.
    static func initialsForm(of name: String, in blocks: [SourceBlock]) -> (String, Int)? {
        guard name.count >= 3, name.allSatisfy({ $0.isUppercase && $0.isLetter }) else { return nil }
        let phrase = LineShapes.regex(#"\p{Lu}[\p{L}’'-]+(?:\s+(?:(?:for|of|the|and|on|in|&)\s+)*\p{Lu}[\p{L}’'-]+)+"#)
        var counts: [String: Int] = [:]
        for block in blocks {
            let text = block.text
            for match in phrase.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range, in: text) else { continue }
                // ("The Spree Institute …": the phrase without a sentence's opening article.)
                let found = String(text[range]).replacingOccurrences(of: #"^(?:The|A)\s+"#, with: "", options: .regularExpression)
                if LineShapes.isAcronym(name, of: found) { counts[found, default: 0] += 1 }
            }
        }
        return counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }).map { ($0.key, $0.value) }
    }

    static func fullForm(of name: String, in blocks: [SourceBlock]) -> (String, Int)? {
        guard !name.isEmpty, LineShapes.words(name) <= 6 else { return nil }
        let pattern = LineShapes.regex(
            "\\b" + NSRegularExpression.escapedPattern(for: name)
                + #"(\s+(?:for|of|on|de|du|für)(?:\s+(?:(?:and|&|the|of|for|on)\s+)*\p{Lu}[\p{L}’'-]+)+)"#)
        var counts: [String: Int] = [:]
        for block in blocks {
            let text = block.text
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range, in: text) else { continue }
                let found = String(text[range])
                counts[found, default: 0] += 1
            }
        }
        // (The extension opens with "for", "of" or "on", so it is never only a company's words.)
        guard let (longer, count) = counts.max(by: { ($0.value, $1.key.count) < ($1.value, $0.key.count) }), count >= 2,
            LineShapes.withoutLegalSuffix(longer) == longer
        else { return nil }
        return (longer, count)
    }

    /// Whether `form` occurs in `text` other than at the start of a sentence.
    static func midSentence(_ text: String, _ form: String) -> Bool {
        var searchStart = text.startIndex
        while let range = text.range(of: form, range: searchStart..<text.endIndex) {
            searchStart = range.upperBound
            let before = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            let after = text[range.upperBound...].first
            guard after == nil || !(after!.isLetter || after!.isNumber) else { continue }
            // (After a photographer's name too: "(Ana Ruiz/The Herald)".)
            if let last = before.last, !".!?:\"“‘(".contains(last), last.isLetter || last.isNumber || ",;/".contains(last) {
                return true
            }
        }
        return false
    }

    static func emailSender(_ text: String) -> String? {
        var name = String(text.dropFirst(5)).trimmingCharacters(in: .whitespaces)
        if let angle = name.firstIndex(of: "<") { name = String(name[..<angle]) }
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: " \"'"))
        // "Clearance from the Harwich Trade Observatory", "The Meter via Mailer": the newsletter's own name.
        // ("Ilse at The Rota": a person at the newsletter, which is the name.)
        if let range = name.range(of: " at "), LineShapes.words(String(name[..<range.lowerBound])) == 1,
            LineShapes.startsCapitalized(String(name[range.upperBound...]))
        {
            name = String(name[range.upperBound...])
        }
        for separator in [" from ", " at ", " via ", " | ", " - "] {
            if let range = name.range(of: separator) { name = String(name[..<range.lowerBound]) }
        }
        guard !name.isEmpty, !name.contains("@"), LineShapes.words(name) <= 6 else { return nil }
        return name
    }
}

extension ParsedArticle {
    /// The article as a briefing revision with stable paragraph IDs.
    public func briefing(id: String, revisionNumber: Int = 1, sourceURL: String? = nil) -> Briefing {
        Briefing.assemble(
            id: id, revisionNumber: revisionNumber, publishedAt: publishedAt, title: title, byline: byline,
            publication: publication, imageCredit: imageCredit, sourceURL: sourceURL, contributors: contributors,
            sections: sections.map { ($0.heading, $0.paragraphs) })
    }
}

extension Timestamp {
    /// `2025-06-12`, in UTC.
    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
