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
}

extension BriefingStore {
    /// The synced briefings, newest first.
    public func briefings() async throws -> [BriefingSummary] {
        try await read { db in try Self.loadBriefings(db) }
    }

    static func loadBriefings(_ db: Database) throws -> [BriefingSummary] {
        try Row.fetchAll(
            db, sql: "SELECT id, title, publication, revisionNumber, publishedAt FROM briefing ORDER BY publishedAt DESC, title"
        ).map { row in
            BriefingSummary(
                id: row["id"], title: row["title"], publication: row["publication"],
                revisionNumber: row["revisionNumber"],
                publishedAt: (row["publishedAt"] as String?).flatMap(Timestamp.date))
        }
    }

    /// The briefing with `id`, whole.
    public func briefing(id: String) async throws -> Briefing? {
        try await read { db in try Self.loadBriefing(db, id: id) }
    }

    static func loadBriefing(_ db: Database, id: String) throws -> Briefing? {
        guard let body = try String.fetchOne(db, sql: "SELECT body FROM briefing WHERE id = ?", arguments: [id]) else {
            return nil
        }
        return try decode(Briefing.self, body)
    }

    /// Finds a briefing by ID or by an unambiguous ID prefix.
    public func resolveBriefing(_ idOrPrefix: String) async throws -> Briefing {
        try await read { db in
            let id = try Self.uniqueID(
                db, idOrPrefix,
                in: LookupScope(
                    table: "briefing", noun: "briefing",
                    hint: " in this store (run `briefing sync`, then `briefing list`)"))
            guard let briefing = try Self.loadBriefing(db, id: id) else {
                throw StoreError(.notFound, "no briefing \(idOrPrefix)")
            }
            return briefing
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

    static func saveBriefing(_ db: Database, _ briefing: Briefing) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO briefing (id, revisionID, revisionNumber, title, publication, publishedAt, body)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                briefing.id, briefing.revision.id, briefing.revision.number, briefing.title, briefing.publication,
                briefing.revision.publishedAt.map(Timestamp.text), try json(briefing),
            ])
        try SearchIndex.index(db, briefing: briefing)
    }

    static func saveEditorial(_ db: Database, _ annotation: EditorialAnnotation) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO editorialAnnotation (id, briefingID, kind, body) VALUES (?, ?, ?, ?)")
            .execute(arguments: [annotation.id, annotation.briefingID, annotation.kind.rawValue, try json(annotation)])
    }
}
