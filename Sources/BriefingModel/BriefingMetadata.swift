import Foundation

/// What a device's library holds of a briefing before (or without) its body: everything but
/// the paragraphs, with the body's hash and size. The feed carries this when a device fetches
/// bodies on their own (`GET /v1/bodies/{hash}`, the hash being the revision's ID).
public struct BriefingMetadata: Codable, Hashable, Sendable, Identifiable {
    public var id: String
    public var revision: Revision
    public var title: String
    public var byline: String?
    public var publication: String?
    public var imageCredit: String?
    public var sourceURL: String?
    /// The standfirst as published, when the article has one.
    public var summary: String?
    /// The opening of the lead, a sentence or two, for a list to show when there is no standfirst.
    public var excerpt: String
    public var contributors: [Contributor]
    /// The sections in reading order, without their paragraphs.
    public var outline: [SectionOutline]
    /// The body's size in bytes: its sections as canonical JSON, as a device stores them.
    public var bodySize: Int

    public init(
        id: String, revision: Revision, title: String, byline: String? = nil, publication: String? = nil,
        imageCredit: String? = nil, sourceURL: String? = nil, summary: String? = nil, excerpt: String = "",
        contributors: [Contributor] = [], outline: [SectionOutline] = [], bodySize: Int = 0
    ) {
        self.id = id
        self.revision = revision
        self.title = title
        self.byline = byline
        self.publication = publication
        self.imageCredit = imageCredit
        self.sourceURL = sourceURL
        self.summary = summary
        self.excerpt = excerpt
        self.contributors = contributors
        self.outline = outline
        self.bodySize = bodySize
    }

    /// The hash a body is fetched by: the revision's ID, which is derived from its content.
    public var bodyHash: String { revision.id }

    /// The section headings in reading order.
    public var headings: [String] { outline.compactMap(\.heading) }
}

/// A section as the outline lists it: its ID, heading and how many paragraphs it has.
public struct SectionOutline: Codable, Hashable, Sendable {
    public var id: String
    public var heading: String?
    public var paragraphs: Int

    public init(id: String, heading: String?, paragraphs: Int) {
        self.id = id
        self.heading = heading
        self.paragraphs = paragraphs
    }
}

/// A briefing revision's body on its own: what `GET /v1/bodies/{hash}` serves.
public struct BriefingBody: Hashable, Sendable {
    public var briefingID: String
    public var revisionID: String
    public var sections: [Section]

    public init(briefingID: String, revisionID: String, sections: [Section]) {
        self.briefingID = briefingID
        self.revisionID = revisionID
        self.sections = sections
    }

    /// Whether this is the body `metadata` describes: the same briefing and revision, and
    /// sections that match its outline.
    public func matches(_ metadata: BriefingMetadata) -> Bool {
        briefingID == metadata.id && revisionID == metadata.revision.id && sections.map(\.outline) == metadata.outline
    }
}

extension Section {
    /// The section as an outline lists it.
    public var outline: SectionOutline { SectionOutline(id: id, heading: heading, paragraphs: paragraphs.count) }
}

extension Briefing {
    /// Everything but the paragraphs (the sections are encoded to measure the body).
    public var metadata: BriefingMetadata { metadata(bodySize: (try? CanonicalJSON.text(sections).utf8.count) ?? 0) }

    /// Everything but the paragraphs, for a body already measured (its sections as canonical JSON).
    public func metadata(bodySize: Int) -> BriefingMetadata {
        BriefingMetadata(
            id: id, revision: revision, title: title, byline: byline, publication: publication, imageCredit: imageCredit,
            sourceURL: sourceURL, summary: summary, excerpt: Self.excerpt(of: paragraphs.first?.text ?? ""),
            contributors: contributors, outline: sections.map(\.outline), bodySize: bodySize)
    }

    /// The body on its own.
    public var body: BriefingBody { BriefingBody(briefingID: id, revisionID: revision.id, sections: sections) }

    /// The briefing that `metadata` describes, with `body`'s sections.
    public init(_ metadata: BriefingMetadata, sections: [Section]) {
        self.init(
            id: metadata.id, revision: metadata.revision, title: metadata.title, byline: metadata.byline,
            publication: metadata.publication, imageCredit: metadata.imageCredit, sourceURL: metadata.sourceURL,
            summary: metadata.summary, contributors: metadata.contributors, sections: sections)
    }

    /// The most characters an excerpt keeps.
    public static let excerptLimit = 280

    /// The opening of `text`: whole sentences up to `excerptLimit` characters, else as many
    /// whole words as fit, with an ellipsis.
    public static func excerpt(of text: String) -> String {
        guard text.count > excerptLimit else { return text }
        let head = text.prefix(excerptLimit)
        // The last sentence end that leaves at least a third of the room used.
        var cut: String.Index?
        var index = head.startIndex
        while index < head.endIndex {
            let next = head.index(after: index)
            if ".?!".contains(head[index]), next == head.endIndex || head[next] == " ",
                head.distance(from: head.startIndex, to: index) >= excerptLimit / 3
            {
                cut = next
            }
            index = next
        }
        if let cut { return String(head[..<cut]) }
        let words = head.split(separator: " ", omittingEmptySubsequences: false).dropLast()
        return (words.isEmpty ? String(head) : words.joined(separator: " ")) + "…"
    }
}
