import BriefingIngest
import BriefingModel
import Foundation
import GRDB

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
        if let previous, let stored = try await store.source(briefingID: previous.id)?.report.overrides { earlier = stored }
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
        try await store.publish(
            briefing, editorial: editorial, source: .init(fileName: fileName, raw: raw, report: report),
            replacing: previous?.revision.number, now: now)
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

extension ServerStore {
    /// The published briefing a new import continues: same source URL, else same publication and title.
    public func findBriefing(sourceURL: String?, publication: String?, title: String) async throws -> Briefing? {
        try await database.read { db in
            if let sourceURL,
                let body = try String.fetchOne(
                    db,
                    sql:
                        "SELECT body FROM record WHERE owner = '' AND kind = 'briefing' AND deleted = 0 AND json_extract(body, '$.sourceURL') = ?",
                    arguments: [sourceURL])
            {
                return try Self.decode(Briefing.self, body)
            }
            // By title only among briefings without a source URL: two pages with the same title
            // at different URLs are different articles.
            let body = try String.fetchOne(
                db,
                sql: """
                    SELECT body FROM record WHERE owner = '' AND kind = 'briefing' AND deleted = 0
                    AND json_extract(body, '$.title') = ? AND json_extract(body, '$.publication') IS ?
                    AND (? IS NULL OR json_extract(body, '$.sourceURL') IS NULL)
                    ORDER BY seq DESC LIMIT 1
                    """,
                arguments: [TextNormalizer.normalize(title), publication, sourceURL])
            return try body.map { try Self.decode(Briefing.self, $0) }
        }
    }

    /// The briefing whose last import found `foundTitle` in its file (its title may have been overridden since).
    ///
    /// With a source URL, only a briefing without one or with the same matches: two pages at
    /// different URLs are different articles.
    public func findBriefing(foundTitle: String, sourceURL: String?) async throws -> Briefing? {
        // The newest live briefing among every import of that title, not only the newest import:
        // that one may be of a deleted briefing, or of one at another URL.
        try await database.read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT record.body FROM source JOIN record
                    ON record.owner = '' AND record.kind = 'briefing' AND record.deleted = 0 AND record.id = source.briefingID
                    WHERE json_extract(source.report, '$.foundTitle') = ?
                    AND (? IS NULL OR json_extract(record.body, '$.sourceURL') IS NULL OR json_extract(record.body, '$.sourceURL') = ?)
                    ORDER BY source.importedAt DESC LIMIT 1
                    """,
                arguments: [TextNormalizer.normalize(foundTitle), sourceURL, sourceURL]
            ).map { try Self.decode(Briefing.self, $0) }
        }
    }

    /// `base`, or `base-2`, `base-3`, … whichever no briefing has.
    public func unusedBriefingID(_ base: String) async throws -> String {
        try await database.read { db in
            var candidate = base
            var suffix = 2
            while try Bool.fetchOne(
                db, sql: "SELECT 1 FROM record WHERE owner = '' AND kind = 'briefing' AND id = ?", arguments: [candidate]) == true
            {
                candidate = "\(base)-\(suffix)"
                suffix += 1
            }
            return candidate
        }
    }

    /// The editorial layer of a briefing as published.
    public func editorialAnnotations(briefingID: String) async throws -> [EditorialAnnotation] {
        try await database.read { db in
            try Row.fetchAll(db, sql: Self.editorialLayerSQL + " ORDER BY id", arguments: [briefingID])
                .map { try Self.decode(EditorialAnnotation.self, $0["body"]) }
        }
    }

    /// The anchors of every reader's live highlights on a briefing (for reports; never returned to a device).
    public func readerAnchors(briefingID: String) async throws -> [TextAnchor] {
        try await database.read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT body FROM record WHERE owner != '' AND kind = 'highlight' AND deleted = 0 AND json_extract(body, '$.fields.briefingID') = ?",
                arguments: [briefingID]
            ).compactMap { try Self.decode(UserRecord.self, $0).fields["anchor"]?.anchor }
        }
    }

    /// Publishes an imported revision with its editorial layer and stores its raw source, in one transaction.
    ///
    /// - Parameter replacing: the revision number the import started from (nil for a new
    ///   briefing). If another import published in between, nothing is written and the import
    ///   is refused, rather than one editor's revision silently replacing another's.
    public func publish(
        _ briefing: Briefing, editorial: [EditorialAnnotation], source: ImportedSource, replacing: Int?, now: Date
    ) async throws {
        try await database.write { db in
            let current = try String.fetchOne(
                db, sql: "SELECT body FROM record WHERE owner = '' AND kind = 'briefing' AND id = ? AND deleted = 0",
                arguments: [briefing.id]
            ).map { try Self.decode(Briefing.self, $0).revision.number }
            guard current == replacing else {
                throw ImportError(
                    "briefing \(briefing.id) changed while this import ran (it is now at revision \(current.map(String.init) ?? "none")); import the file again"
                )
            }
            try Self.publish(db, briefing, editorial: editorial, now: now)
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO source (briefingID, revisionNumber, revisionID, fileName, sourceURL, raw, report, importedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    briefing.id, briefing.revision.number, briefing.revision.id, source.fileName, briefing.sourceURL, source.raw,
                    try Self.json(source.report), Timestamp.text(now),
                ])
        }
    }

    /// Adds an editor's annotation on the current revision of a briefing (`briefing-server annotate`).
    public func annotate(
        briefingID: String, quote: String, occurrence: Int? = nil, kind: EditorialKind, text: String?, label: String?,
        now: Date = Date()
    ) async throws -> EditorialAnnotation {
        guard let briefing = try await briefing(id: briefingID) else {
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

    /// Adds one annotation to a briefing's editorial layer.
    public func addEditorial(_ annotation: EditorialAnnotation, now: Date) async throws {
        try await database.write { db in
            try Self.put(
                db, owner: contentOwner, kind: .editorialAnnotation, id: annotation.id, deleted: false,
                body: try Self.json(annotation), at: now)
        }
    }

    /// The stored raw text of a revision (the latest when `revision` is nil).
    public func source(briefingID: String, revision: Int? = nil) async throws -> ImportedSource? {
        try await database.read { db in
            let row: Row?
            if let revision {
                row = try Row.fetchOne(
                    db, sql: "SELECT * FROM source WHERE briefingID = ? AND revisionNumber = ?",
                    arguments: [briefingID, revision])
            } else {
                row = try Row.fetchOne(
                    db, sql: "SELECT * FROM source WHERE briefingID = ? ORDER BY revisionNumber DESC LIMIT 1",
                    arguments: [briefingID])
            }
            return try row.map { row in
                ImportedSource(
                    fileName: row["fileName"], raw: row["raw"], report: try Self.decode(ImportReport.self, row["report"]))
            }
        }
    }
}
