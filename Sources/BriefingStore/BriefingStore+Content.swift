import BriefingModel
import Foundation
import GRDB

/// A line of the library: enough to list a briefing without loading its body.
public struct BriefingSummary: Hashable, Sendable, Identifiable {
    public var id: String
    public var title: String
    public var publication: String?
    public var revisionNumber: Int
    public var publishedAt: Date?
    /// Whether the body of the current revision is on this device (readable offline).
    public var downloaded = true
    /// The body's size in bytes.
    public var bodySize = 0
}

extension BriefingStore {
    /// The synced briefings, newest first.
    public func briefings() async throws -> [BriefingSummary] {
        try await read { db in try Self.loadBriefings(db) }
    }

    /// The briefings whose bodies are on this device, newest first: what can be read offline.
    public func downloadedBriefings() async throws -> [BriefingSummary] {
        try await read { db in try Self.loadBriefings(db, downloadedOnly: true) }
    }

    /// Whether the body of briefing `b`'s current revision is stored: the one test of
    /// "downloaded" every query of it uses.
    static let downloadedSQL = "EXISTS (SELECT 1 FROM briefingBody d WHERE d.revisionID = b.revisionID)"

    static func loadBriefings(_ db: Database, downloadedOnly: Bool = false) throws -> [BriefingSummary] {
        let downloaded = downloadedSQL
        return try Row.fetchAll(
            db,
            sql: """
                SELECT b.id, b.title, b.publication, b.revisionNumber, b.publishedAt, b.bodySize, \(downloaded) AS downloaded
                FROM briefing b \(downloadedOnly ? "WHERE \(downloaded)" : "") ORDER BY b.publishedAt DESC, b.title
                """
        ).map { row in
            BriefingSummary(
                id: row["id"], title: row["title"], publication: row["publication"],
                revisionNumber: row["revisionNumber"],
                publishedAt: (row["publishedAt"] as String?).flatMap(Timestamp.date), downloaded: row["downloaded"],
                bodySize: row["bodySize"])
        }
    }

    /// The briefing with `id`, whole; nil when this store does not have it, or has only its
    /// metadata (its body is not downloaded: see `metadata(id:)`).
    public func briefing(id: String) async throws -> Briefing? {
        try await read { db in try Self.loadBriefing(db, id: id) }
    }

    /// What this store has of the briefing `id` without its body; nil when it has nothing.
    public func metadata(id: String) async throws -> BriefingMetadata? {
        try await read { db in try Self.loadMetadata(db, id: id) }
    }

    static func loadMetadata(_ db: Database, id: String) throws -> BriefingMetadata? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM briefing WHERE id = ?"), arguments: [id])
            .map { try decode(BriefingMetadata.self, $0) }
    }

    /// The sections of a downloaded body, by revision.
    static func loadSections(_ db: Database, revisionID: String) throws -> [Section]? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT sections FROM briefingBody WHERE revisionID = ?"), arguments: [revisionID])
            .map { try decode([Section].self, $0) }
    }

    static func loadBriefing(_ db: Database, id: String) throws -> Briefing? {
        guard let metadata = try loadMetadata(db, id: id), let sections = try loadSections(db, revisionID: metadata.revision.id)
        else { return nil }
        return Briefing(metadata, sections: sections)
    }

    /// Finds a briefing by ID or by an unambiguous ID prefix, with its body; a briefing whose
    /// body is not downloaded is `StoreError.Code.notDownloaded`.
    public func resolveBriefing(_ idOrPrefix: String) async throws -> Briefing {
        let metadata = try await resolveMetadata(idOrPrefix)
        guard let briefing = try await briefing(id: metadata.id) else {
            throw StoreError(.notDownloaded, "the body of \(metadata.id) (“\(metadata.title)”) is not downloaded")
        }
        return briefing
    }

    /// Finds a briefing's metadata by ID or by an unambiguous ID prefix.
    public func resolveMetadata(_ idOrPrefix: String) async throws -> BriefingMetadata {
        try await read { db in
            let id = try Self.uniqueID(
                db, idOrPrefix,
                in: LookupScope(
                    table: "briefing", noun: "briefing",
                    hint: " in this store (run `briefing sync`, then `briefing list`)"))
            guard let metadata = try Self.loadMetadata(db, id: id) else {
                throw StoreError(.notFound, "no briefing \(idOrPrefix)")
            }
            return metadata
        }
    }

    /// The editorial layer of a briefing.
    public func editorialAnnotations(briefingID: String) async throws -> [EditorialAnnotation] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT body FROM editorialAnnotation WHERE briefingID = ?", arguments: [briefingID])
                .map { try Self.decode(EditorialAnnotation.self, $0) }
                .sorted { ($0.anchor.paragraphID, $0.anchor.start) < ($1.anchor.paragraphID, $1.anchor.start) }
        }
    }

    /// Stores a whole briefing: its metadata and its body.
    /// The sections are encoded once: what is stored is what is measured.
    static func saveBriefing(_ db: Database, _ briefing: Briefing, at stamp: String) throws {
        let sections = try json(briefing.sections)
        let metadata = briefing.metadata(bodySize: sections.utf8.count)
        try saveMetadata(db, metadata, indexing: false)
        try insertBody(db, briefingID: briefing.id, revisionID: briefing.revision.id, sections: sections, fetchedAt: stamp)
        try SearchIndex.index(db, metadata: metadata, sections: briefing.sections)
    }

    /// Stores a briefing's metadata, keeping when it was last read. A body of another revision
    /// is dropped (a new revision's must be fetched); one of this revision stays.
    ///
    /// - Parameter provisional: one of the newest, stored before the first sync is complete:
    ///   never over what a sync stored, and dropped if that sync does not bring it.
    static func saveMetadata(_ db: Database, _ metadata: BriefingMetadata, provisional: Bool = false, indexing: Bool = true) throws {
        let arguments: StatementArguments = [
            metadata.id, metadata.revision.id, metadata.revision.number, metadata.title, metadata.publication,
            metadata.revision.publishedAt.map(Timestamp.text), try json(metadata), metadata.bodySize, provisional,
        ]
        let insert = """
            INSERT INTO briefing (id, revisionID, revisionNumber, title, publication, publishedAt, body, bodySize, provisional)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        if provisional {
            try db.cachedStatement(sql: insert + " ON CONFLICT (id) DO NOTHING").execute(arguments: arguments)
            guard db.changesCount > 0 else { return }
        } else {
            try db.cachedStatement(
                sql: insert + """
                     ON CONFLICT (id) DO UPDATE SET
                      revisionID = excluded.revisionID, revisionNumber = excluded.revisionNumber, title = excluded.title,
                      publication = excluded.publication, publishedAt = excluded.publishedAt, body = excluded.body,
                      bodySize = excluded.bodySize, provisional = 0
                    """
            ).execute(arguments: arguments)
        }
        try db.cachedStatement(sql: "DELETE FROM briefingBody WHERE briefingID = ? AND revisionID <> ?")
            .execute(arguments: [metadata.id, metadata.revision.id])
        if indexing { try SearchIndex.index(db, metadata: metadata, sections: try loadSections(db, revisionID: metadata.revision.id)) }
    }

    /// Stores a body by its revision.
    static func insertBody(_ db: Database, _ body: BriefingBody, fetchedAt stamp: String) throws {
        try insertBody(db, briefingID: body.briefingID, revisionID: body.revisionID, sections: try json(body.sections), fetchedAt: stamp)
    }

    /// Stores a body whose sections are already canonical JSON.
    static func insertBody(_ db: Database, briefingID: String, revisionID: String, sections: String, fetchedAt stamp: String) throws {
        try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO briefingBody (revisionID, briefingID, sections, size, fetchedAt) VALUES (?, ?, ?, ?, ?)"
        ).execute(arguments: [revisionID, briefingID, sections, sections.utf8.count, stamp])
    }

    /// Removes a briefing with its editorial layer, bodies and search entry.
    static func removeBriefing(_ db: Database, id: String) throws {
        try db.cachedStatement(sql: "DELETE FROM briefing WHERE id = ?").execute(arguments: [id])
        try db.cachedStatement(sql: "DELETE FROM editorialAnnotation WHERE briefingID = ?").execute(arguments: [id])
        try db.cachedStatement(sql: "DELETE FROM briefingBody WHERE briefingID = ?").execute(arguments: [id])
        try SearchIndex.removeBriefing(db, id: id)
    }

    static func saveEditorial(_ db: Database, _ annotation: EditorialAnnotation) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO editorialAnnotation (id, briefingID, kind, body) VALUES (?, ?, ?, ?)")
            .execute(arguments: [annotation.id, annotation.briefingID, annotation.kind.rawValue, try json(annotation)])
    }
}
