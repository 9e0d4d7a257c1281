import BriefingIngest
import BriefingModel
import Foundation

/// What an import did (or, in a dry run, would do) with one file.
public struct ImportReport: Codable, Sendable, Hashable {
    public enum Outcome: String, Codable, Sendable {
        /// A new briefing, revision 1.
        case created
        /// A new revision of a briefing already published.
        case revised
        /// The text is identical to the current revision; nothing was published.
        case unchanged
    }

    /// Counts of anchors by status (`anchored`, `relocated`, `orphaned`).
    public typealias AnchorCounts = [String: Int]

    public var file: String
    public var id: String
    public var revision: Int
    public var revisionID: String
    public var outcome: Outcome
    public var dryRun: Bool
    public var title: String
    public var byline: String?
    public var publication: String?
    public var publishedAt: Date?
    public var imageCredit: String?
    public var sourceURL: String?
    /// Section headings in order (the lead has none and is not listed).
    public var sections: [String]
    public var paragraphs: Int
    public var contributors: [Contributor]
    /// Lines left out of the body, as written; they stay in the stored raw source.
    public var excluded: [String]
    /// The editorial layer of this revision, by kind.
    public var annotations: [String: Int]
    /// Editors' own annotations carried over from the previous revision, by anchor status.
    public var editorAnchors: AnchorCounts
    /// Readers' highlights on this briefing (all readers), by how they resolve in this revision.
    public var readerAnchors: AnchorCounts
    /// How the file was read: `text`, `markdown` or `html`.
    public var format: SourceFormat?
    /// The title the importer found in the file, before any `--title` (matches a re-import to this briefing).
    public var foundTitle: String?
    /// What the editor stated (with this import or an earlier one), outranking what was found.
    public var overrides: ImportOverrides?
    /// Every decision the importer made, with its reason. Nil in reports stored before decisions were recorded.
    public var decisions: [ImportDecision]?
}

/// Imports scraped articles as briefings: parses, annotates, matches earlier revisions, publishes.
///
/// A file matches an existing briefing by `sourceURL` when one is given (or the briefing has
/// one), else by the same publication and title; a match becomes the next revision. Editors'
/// annotations are kept and re-anchored by readers with ``AnchorResolver``; automatic ones are
/// made afresh. The raw text and the report are stored with each revision.
public struct ArticleImporter: Sendable {
    public let service: SyncService
    public let annotator: EditorialAnnotator

    public init(service: SyncService, gazetteer: Gazetteer) {
        self.service = service
        annotator = EditorialAnnotator(gazetteer: gazetteer)
    }

    /// Imports one file's bytes.
    ///
    /// - Parameters:
    ///   - fileName: decides the format (`.md` is Markdown, `.html` HTML; a text file that is an
    ///     HTML page is read as one) and is recorded with the source.
    ///   - sourceURL: where the page was published; identifies the briefing across revisions.
    ///     Without it, an HTML page's canonical URL is used.
    ///   - overrides: what the editor states; merged over the overrides of earlier imports of
    ///     the same briefing, each given field replacing the earlier one.
    ///   - dryRun: report only; nothing is stored.
    public func importArticle(
        _ data: Data, fileName: String, sourceURL: String? = nil, overrides: ImportOverrides = .init(), dryRun: Bool = false,
        now: Date = Date()
    ) async throws -> ImportReport {
        let raw = try ArticleParser.decode(data)
        if let sourceURL { try Self.validate(sourceURL: sourceURL) }
        let format = SourceFormat.of(fileName: fileName, contents: raw)
        // What the file says on its own finds the briefing it continues; then the editor's
        // overrides, earlier and new, decide the fields. The file is read into blocks once.
        let document = try ArticleParser.read(raw, format: format)
        let found: ParsedArticle
        if overrides.isEmpty {
            found = try ArticleParser.parse(document, sourceURL: sourceURL)
        } else if let alone = try? ArticleParser.parse(document, sourceURL: sourceURL) {
            found = alone
        } else {
            // A file with no title line of its own can still be imported with --title.
            found = try ArticleParser.parse(document, sourceURL: sourceURL, overrides: overrides)
        }
        let pageURL = sourceURL ?? found.canonicalURL.flatMap { (try? Self.validate(sourceURL: $0)) != nil ? $0 : nil }
        let store = service.store
        var previous = try await store.findBriefing(sourceURL: pageURL, publication: found.publication, title: found.title)
        if previous == nil, let title = overrides.title {
            previous = try await store.findBriefing(
                sourceURL: nil, publication: overrides.publication ?? found.publication, title: title)
        }
        if previous == nil { previous = try await store.findBriefing(foundTitle: found.title, sourceURL: pageURL) }
        var earlier = ImportOverrides()
        if let previous, let stored = try await store.importedSource(briefingID: previous.id)?.report.overrides { earlier = stored }
        let effective = earlier.merged(with: overrides)
        let article = effective.isEmpty ? found : try ArticleParser.parse(document, sourceURL: sourceURL, overrides: effective)

        let id: String
        if let previous { id = previous.id } else { id = try await store.unusedBriefingID(Self.slug(article.title)) }
        let url = pageURL ?? previous?.sourceURL
        var briefing = article.briefing(id: id, revisionNumber: (previous?.revision.number ?? 0) + 1, sourceURL: url)
        // Unchanged means the same text and the same fields; a corrected byline or credit alone
        // is a new revision (with the same text, so the same revision ID).
        let unchanged =
            previous.map { previous in
                var candidate = briefing
                candidate.revision = previous.revision
                return candidate == previous
            } ?? false
        if unchanged, let previous { briefing = previous }

        var editorial = annotator.annotate(briefing)
        var editorAnchors: ImportReport.AnchorCounts = [:]
        for annotation in try await store.editorialAnnotations(briefingID: id) where annotation.origin == .editor {
            editorial.append(annotation)
            editorAnchors[briefing.resolve(annotation.anchor).status.rawValue, default: 0] += 1
        }
        var readerAnchors: ImportReport.AnchorCounts = [:]
        for anchor in try await store.readerAnchors(briefingID: id) {
            readerAnchors[briefing.resolve(anchor).status.rawValue, default: 0] += 1
        }

        let report = ImportReport(
            file: fileName, id: id, revision: briefing.revision.number, revisionID: briefing.revision.id,
            outcome: unchanged ? .unchanged : (previous == nil ? .created : .revised), dryRun: dryRun,
            title: briefing.title, byline: briefing.byline, publication: briefing.publication,
            publishedAt: briefing.revision.publishedAt, imageCredit: briefing.imageCredit, sourceURL: url,
            sections: briefing.sections.compactMap(\.heading), paragraphs: briefing.paragraphs.count,
            contributors: briefing.contributors, excluded: article.excluded,
            annotations: Dictionary(grouping: editorial, by: \.kind.rawValue).mapValues(\.count),
            editorAnchors: editorAnchors, readerAnchors: readerAnchors, format: format, foundTitle: found.title,
            overrides: effective.isEmpty ? nil : effective, decisions: article.decisions)
        guard !dryRun, !unchanged else { return report }
        let source = StoredSource(
            briefingID: briefing.id, revisionNumber: briefing.revision.number, revisionID: briefing.revision.id, fileName: fileName,
            sourceURL: briefing.sourceURL, raw: raw, report: try CanonicalJSON.text(report), importedAt: now)
        try await service.kernel.publish(briefing, editorial: editorial, now: now, source: (source, replacing: previous?.revision.number))
        return report
    }

    static func validate(sourceURL: String) throws {
        guard let url = URL(string: sourceURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw ImportError("--source-url must be an http(s) URL, not “\(sourceURL)”")
        }
    }

    /// A readable ID from a title: lowercase ASCII words joined by hyphens, at most six words (after dropping small words).
    public static func slug(_ title: String) -> String {
        // Letters that do not decompose into a base letter and a diacritic.
        let special: [Character: String] = [
            "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "ß": "ss", "Đ": "D", "đ": "d",
            "Þ": "Th", "þ": "th", "ı": "i", "’": "", "'": "",
        ]
        let folded = String(title.flatMap { special[$0] ?? String($0) })
            .folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en"))
        let words = folded.lowercased().split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        let stop: Set<Substring> = ["a", "an", "the", "of", "and", "for", "to", "in", "on", "how", "why", "what"]
        let kept = words.filter { !stop.contains($0) }
        let slug = (kept.isEmpty ? words : kept).prefix(6).joined(separator: "-")
        return slug.isEmpty ? "briefing" : String(slug.prefix(80))
    }
}

/// The raw text of an imported revision and its report.
public struct ImportedSource: Sendable {
    public var fileName: String
    public var raw: String
    public var report: ImportReport
}

extension ServerStorage {
    /// The published briefing a new import continues: same source URL, else same publication and title.
    public func findBriefing(sourceURL: String?, publication: String?, title: String) async throws -> Briefing? {
        if let sourceURL,
            let body = try await findBriefingBody(
                field: "sourceURL", value: sourceURL, publication: nil, matchPublication: false, withoutSourceURL: false)
        {
            return try CanonicalJSON.decode(Briefing.self, body)
        }
        // By title only among briefings without a source URL: two pages with the same title
        // at different URLs are different articles.
        return try await findBriefingBody(
            field: "title", value: TextNormalizer.normalize(title), publication: publication, matchPublication: true,
            withoutSourceURL: sourceURL != nil
        ).map { try CanonicalJSON.decode(Briefing.self, $0) }
    }

    /// The briefing whose last import found `foundTitle` in its file (its title may have been overridden since).
    ///
    /// With a source URL, only a briefing without one or with the same matches: two pages at
    /// different URLs are different articles. The newest live briefing among every import of
    /// that title, not only the newest import: that one may be of a deleted briefing, or of one
    /// at another URL.
    public func findBriefing(foundTitle: String, sourceURL: String?) async throws -> Briefing? {
        try await briefingBody(foundTitle: TextNormalizer.normalize(foundTitle), sourceURL: sourceURL)
            .map { try CanonicalJSON.decode(Briefing.self, $0) }
    }

    /// The published briefing with `id`.
    public func briefing(id: String) async throws -> Briefing? {
        try await briefingBody(id: id).map { try CanonicalJSON.decode(Briefing.self, $0) }
    }

    /// `base`, or `base-2`, `base-3`, … whichever no briefing has.
    public func unusedBriefingID(_ base: String) async throws -> String {
        var candidate = base
        var suffix = 2
        while try await briefingIDExists(candidate) {
            candidate = "\(base)-\(suffix)"
            suffix += 1
        }
        return candidate
    }

    /// The editorial layer of a briefing as published.
    public func editorialAnnotations(briefingID: String) async throws -> [EditorialAnnotation] {
        try await editorialBodies(briefingID: briefingID).map { try CanonicalJSON.decode(EditorialAnnotation.self, $0) }
    }

    /// The anchors of every reader's live highlights on a briefing (for reports; never returned to a device).
    public func readerAnchors(briefingID: String) async throws -> [TextAnchor] {
        try await highlightBodies(briefingID: briefingID).compactMap { try CanonicalJSON.decode(UserRecord.self, $0).fields["anchor"]?.anchor }
    }

    /// The stored raw text of a revision (the latest when `revision` is nil).
    public func importedSource(briefingID: String, revision: Int? = nil) async throws -> ImportedSource? {
        try await source(briefingID: briefingID, revision: revision).map { source in
            ImportedSource(fileName: source.fileName, raw: source.raw, report: try CanonicalJSON.decode(ImportReport.self, source.report))
        }
    }
}

extension SyncKernel {
    /// Adds an editor's annotation on the current revision of a briefing (`briefing-server annotate`).
    public func annotate(
        briefingID: String, quote: String, occurrence: Int? = nil, kind: EditorialKind, text: String?, label: String?,
        now: Date = Date()
    ) async throws -> EditorialAnnotation {
        guard let briefing = try await storage.briefing(id: briefingID) else {
            throw SyncError(.notFound, "no briefing \(briefingID)")
        }
        let anchor: TextAnchor
        do {
            anchor = try briefing.anchor(quote: quote, occurrence: occurrence)
        } catch {
            throw ImportError(error.message)
        }
        let annotation = EditorialAnnotation(
            id: "ed-"
                + StableHash.hex(
                    of: [
                        briefingID, kind.rawValue, anchor.paragraphID, String(anchor.start), String(anchor.end), text ?? "",
                        label ?? "",
                    ], length: 16),
            briefingID: briefingID, kind: kind, anchor: anchor, label: label, text: text, origin: .editor)
        try await addEditorial(annotation, now: now)
        return annotation
    }
}
