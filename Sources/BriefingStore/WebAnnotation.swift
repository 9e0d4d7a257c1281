import BriefingModel
import Foundation

/// The JSON export: the briefing and a W3C Web Annotation collection of its editorial layer and
/// the reader's highlights and notes (https://www.w3.org/TR/annotation-model/).
///
/// Each target carries a `TextQuoteSelector` (exact, prefix, suffix) and a `FragmentSelector`
/// naming the paragraph, refined by a `TextPositionSelector` (Unicode-scalar offsets into that
/// paragraph's text) for the revision named in `briefings:revision`.
public struct WebAnnotationExport: Encodable, Sendable {
    public struct BriefingInfo: Encodable, Sendable {
        public var id: String
        public var title: String
        public var byline: String?
        public var publication: String?
        public var sourceURL: String?
        public var revision: Int
        public var revisionID: String
        public var publishedAt: Date?
        public var imageCredit: String?
        public var contributors: [Contributor]
        public var sections: [Section]
    }

    public var context = "http://www.w3.org/ns/anno.jsonld"
    public var id: String
    public var type = "AnnotationCollection"
    public var label: String
    public var total: Int
    public var briefing: BriefingInfo
    public var items: [WebAnnotation]

    enum CodingKeys: String, CodingKey {
        case context = "@context", id, type, label, total, briefing, items
    }
}

public struct WebAnnotation: Encodable, Sendable {
    public struct Body: Encodable, Sendable {
        public var type = "TextualBody"
        public var value: String
        public var purpose: String
        public var format = "text/plain"
    }

    public struct Creator: Encodable, Sendable {
        public var type: String
        public var name: String
    }

    public struct Selector: Encodable, Sendable {
        public var type: String
        public var exact: String?
        public var prefix: String?
        public var suffix: String?
        public var value: String?
        public var start: Int?
        public var end: Int?
        public var refinedBy: [Selector]?
    }

    public struct Target: Encodable, Sendable {
        public var source: String
        public var selector: [Selector]?
    }

    public var id: String
    public var type = "Annotation"
    public var motivation: String
    public var creator: Creator
    public var body: [Body]
    public var target: Target
    /// The revision the selectors refer to.
    public var revision: String
    /// The revision the annotation was made on.
    public var madeOnRevision: String
    /// anchored, relocated or orphaned.
    public var anchorStatus: String

    enum CodingKeys: String, CodingKey {
        case id, type, motivation, creator, body, target
        case revision = "briefings:revision", madeOnRevision = "briefings:madeOnRevision", anchorStatus = "briefings:anchorStatus"
    }
}

extension BriefingExport {
    /// The URI annotations target: the source URL when known, else a URN.
    var sourceURI: String { briefing.sourceURL ?? "urn:briefings:briefing:\(briefing.id)" }

    func target(_ resolution: AnchorResolution) -> (WebAnnotation.Target, revision: String) {
        guard let current = resolution.current else {
            // Orphaned: the quote as made, against the revision it was made on.
            let original = resolution.original
            let quote = WebAnnotation.Selector(type: "TextQuoteSelector", exact: original.exact, prefix: original.prefix, suffix: original.suffix)
            return (WebAnnotation.Target(source: sourceURI, selector: [quote]), original.revisionID)
        }
        let quote = WebAnnotation.Selector(type: "TextQuoteSelector", exact: current.exact, prefix: current.prefix, suffix: current.suffix)
        let position = WebAnnotation.Selector(type: "TextPositionSelector", start: current.start, end: current.end)
        let paragraph = WebAnnotation.Selector(type: "FragmentSelector", value: current.paragraphID, refinedBy: [position])
        return (WebAnnotation.Target(source: sourceURI, selector: [quote, paragraph]), current.revisionID)
    }

    /// The export as a Web Annotation collection.
    public func webAnnotations() -> WebAnnotationExport {
        var items: [WebAnnotation] = []
        let notesByHighlight = Dictionary(grouping: notes.filter { $0.highlightID != nil }, by: { $0.highlightID! })
        let reader = WebAnnotation.Creator(type: "Person", name: "reader")
        for placed in highlights {
            let (target, revision) = target(placed.resolution)
            var body = [WebAnnotation.Body(value: placed.highlight.color, purpose: "tagging")]
            body += (notesByHighlight[placed.id] ?? []).map { WebAnnotation.Body(value: $0.text, purpose: "commenting") }
            items.append(
                WebAnnotation(
                    id: "urn:briefings:highlight:\(placed.id)", motivation: "highlighting", creator: reader, body: body, target: target,
                    revision: revision, madeOnRevision: placed.resolution.original.revisionID,
                    anchorStatus: placed.resolution.status.rawValue))
        }
        let highlightIDs = Set(highlights.map(\.id))
        for note in notes where note.highlightID.map({ !highlightIDs.contains($0) }) ?? true {
            items.append(
                WebAnnotation(
                    id: "urn:briefings:note:\(note.id)", motivation: "commenting", creator: reader,
                    body: [WebAnnotation.Body(value: note.text, purpose: "commenting")], target: WebAnnotation.Target(source: sourceURI),
                    revision: briefing.revision.id, madeOnRevision: briefing.revision.id, anchorStatus: AnchorStatus.anchored.rawValue))
        }
        for placed in editorial {
            let annotation = placed.annotation
            let (target, revision) = target(placed.resolution)
            let creator =
                annotation.origin == .editor
                ? WebAnnotation.Creator(type: "Organization", name: briefing.publication ?? "editors")
                : WebAnnotation.Creator(type: "Software", name: "Briefings editorial annotator")
            var body: [WebAnnotation.Body] = []
            let motivation: String
            switch annotation.kind {
            case .entity:
                motivation = "identifying"
                if let label = annotation.label { body.append(.init(value: label, purpose: "identifying")) }
                if let category = annotation.text { body.append(.init(value: category, purpose: "classifying")) }
            case .event:
                motivation = "describing"
                if let date = annotation.label { body.append(.init(value: date, purpose: "describing")) }
            case .recommendation:
                motivation = "classifying"
                body.append(.init(value: "recommendation", purpose: "classifying"))
            case .quotation:
                motivation = "describing"
                if let speaker = annotation.label { body.append(.init(value: speaker, purpose: "describing")) }
            case .note:
                motivation = "commenting"
                if let text = annotation.text { body.append(.init(value: text, purpose: "commenting")) }
            }
            items.append(
                WebAnnotation(
                    id: "urn:briefings:editorial:\(annotation.id)", motivation: motivation, creator: creator, body: body, target: target,
                    revision: revision, madeOnRevision: placed.resolution.original.revisionID, anchorStatus: placed.resolution.status.rawValue))
        }
        let info = WebAnnotationExport.BriefingInfo(
            id: briefing.id, title: briefing.title, byline: briefing.byline, publication: briefing.publication,
            sourceURL: briefing.sourceURL, revision: briefing.revision.number, revisionID: briefing.revision.id,
            publishedAt: briefing.revision.publishedAt, imageCredit: briefing.imageCredit, contributors: briefing.contributors,
            sections: briefing.sections)
        return WebAnnotationExport(
            id: "urn:briefings:briefing:\(briefing.id):annotations", label: "Annotations on “\(briefing.title)”", total: items.count,
            briefing: info, items: items)
    }
}
