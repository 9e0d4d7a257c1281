import Foundation

/// A published policy-analysis article, at one revision.
public struct Briefing: Codable, Hashable, Sendable, Identifiable {
    /// Stable across revisions.
    public var id: String
    /// Which revision of the article this is.
    public var revision: Revision
    public var title: String
    /// The byline as printed, e.g. "By Ana Ruiz and Tom Berg".
    public var byline: String?
    /// The publication that carried the article.
    public var publication: String?
    /// The credit line of the lead image.
    public var imageCredit: String?
    /// Where the article was published, when known.
    public var sourceURL: String?
    /// A one- or two-sentence standfirst.
    public var summary: String?
    public var contributors: [Contributor]
    /// The lead (a section without heading) and the headed sections, in reading order.
    public var sections: [Section]

    public init(
        id: String, revision: Revision, title: String, byline: String? = nil, publication: String? = nil,
        imageCredit: String? = nil, sourceURL: String? = nil, summary: String? = nil,
        contributors: [Contributor] = [], sections: [Section] = []
    ) {
        self.id = id
        self.revision = revision
        self.title = title
        self.byline = byline
        self.publication = publication
        self.imageCredit = imageCredit
        self.sourceURL = sourceURL
        self.summary = summary
        self.contributors = contributors
        self.sections = sections
    }

    /// Every paragraph in reading order.
    public var paragraphs: [Paragraph] { sections.flatMap(\.paragraphs) }

    /// The paragraph with `id`, if this revision has it.
    public func paragraph(id: String) -> Paragraph? { paragraphs.first { $0.id == id } }
}

/// One published revision of a briefing.
public struct Revision: Codable, Hashable, Sendable {
    /// Content-derived: equal texts give equal IDs.
    public var id: String
    /// 1 for the first revision, then 2, 3, …
    public var number: Int
    public var publishedAt: Date?

    public init(id: String, number: Int, publishedAt: Date? = nil) {
        self.id = id
        self.number = number
        self.publishedAt = publishedAt
    }
}

/// A person credited on a briefing.
public struct Contributor: Codable, Hashable, Sendable {
    public var name: String
    public var bio: String

    public init(name: String, bio: String) {
        self.name = name
        self.bio = bio
    }
}

/// A run of paragraphs under one heading; the lead has none.
public struct Section: Codable, Hashable, Sendable, Identifiable {
    public var id: String
    public var heading: String?
    public var paragraphs: [Paragraph]

    public init(id: String, heading: String?, paragraphs: [Paragraph]) {
        self.id = id
        self.heading = heading
        self.paragraphs = paragraphs
    }
}

/// A paragraph of normalized text. Its ID survives revisions that leave its text unchanged.
public struct Paragraph: Codable, Hashable, Sendable, Identifiable {
    public var id: String
    public var text: String

    public init(id: String, text: String) {
        self.id = id
        self.text = text
    }
}

/// The kinds of the editorial layer.
public enum EditorialKind: String, Codable, CaseIterable, Sendable {
    case entity, event, recommendation, quotation, note
}

/// Who made an editorial annotation.
public enum EditorialOrigin: String, Codable, CaseIterable, Sendable {
    /// Made by the annotator at import; regenerated with every revision.
    case automatic
    /// Added by an editor; kept across revisions and re-anchored like a reader's highlight.
    case editor
}

/// An editor's annotation on a briefing: an entity, a dated event, a recommendation, a quotation or a note.
public struct EditorialAnnotation: Codable, Hashable, Sendable, Identifiable {
    public var id: String
    public var briefingID: String
    public var kind: EditorialKind
    /// Where it was made. An editor's annotation keeps the anchor it was made with; readers
    /// resolve it against the current revision with ``AnchorResolver``.
    public var anchor: TextAnchor
    /// An entity's canonical name, an event's date, a quotation's speaker.
    public var label: String?
    /// An editor's note; for an entity, its category (country, organisation, person).
    public var text: String?
    /// nil for annotations made before origins were recorded (treated as automatic).
    public var origin: EditorialOrigin?

    public init(
        id: String, briefingID: String, kind: EditorialKind, anchor: TextAnchor, label: String? = nil,
        text: String? = nil, origin: EditorialOrigin? = nil
    ) {
        self.id = id
        self.briefingID = briefingID
        self.kind = kind
        self.anchor = anchor
        self.label = label
        self.text = text
        self.origin = origin
    }
}

extension Briefing {
    /// Builds a briefing from headings and paragraph texts, deriving stable section,
    /// paragraph and revision IDs from the text.
    ///
    /// A paragraph's ID is a hash of the briefing ID, its normalized text and how many
    /// identical paragraphs precede it, so an unchanged paragraph keeps its ID in a new revision.
    public static func assemble(
        id: String, revisionNumber: Int = 1, publishedAt: Date? = nil, title: String, byline: String? = nil,
        publication: String? = nil, imageCredit: String? = nil, sourceURL: String? = nil, summary: String? = nil,
        contributors: [Contributor] = [], sections: [(heading: String?, paragraphs: [String])]
    ) -> Briefing {
        var seen: [String: Int] = [:]
        var built: [Section] = []
        var digest = StableHash()
        digest.combine(id)
        digest.combine(title)
        for (index, section) in sections.enumerated() {
            var paragraphs: [Paragraph] = []
            for raw in section.paragraphs {
                let text = TextNormalizer.normalize(raw)
                guard !text.isEmpty else { continue }
                let occurrence = seen[text, default: 0]
                seen[text] = occurrence + 1
                let paragraphID = "p-" + StableHash.hex(of: [id, text, String(occurrence)], length: 12)
                paragraphs.append(Paragraph(id: paragraphID, text: text))
                digest.combine(text)
            }
            let heading = section.heading.map(TextNormalizer.normalize)
            digest.combine(heading ?? "")
            let sectionID = "s-" + StableHash.hex(of: [id, heading ?? "", String(index)], length: 10)
            built.append(Section(id: sectionID, heading: heading, paragraphs: paragraphs))
        }
        return Briefing(
            id: id,
            revision: Revision(id: "r-" + digest.hex(length: 16), number: revisionNumber, publishedAt: publishedAt),
            title: TextNormalizer.normalize(title), byline: byline, publication: publication,
            imageCredit: imageCredit, sourceURL: sourceURL, summary: summary, contributors: contributors,
            sections: built)
    }
}

/// Normalizes text the same way everywhere anchors are computed.
public enum TextNormalizer {
    /// Collapses runs of whitespace into one space and trims the ends; keeps every other character as is.
    public static func normalize(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.unicodeScalars.append(" ") }
                pendingSpace = false
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
