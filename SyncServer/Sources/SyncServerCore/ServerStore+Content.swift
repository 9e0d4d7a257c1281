import BriefingModel
import Foundation
import GRDB

extension ServerStore {
    /// Publishes a briefing revision and replaces its editorial layer, in one transaction.
    public func publish(_ briefing: Briefing, editorial: [EditorialAnnotation], now: Date = Date()) async throws {
        try await database.write { db in try Self.publish(db, briefing, editorial: editorial, now: now) }
    }

    /// A briefing's live editorial layer: `id`, `body` and `origin` (served by the partial
    /// index `record_editorial_briefing`, whose expression this must repeat exactly).
    static let editorialLayerSQL = """
        SELECT id, body, json_extract(body, '$.origin') AS origin FROM record
        WHERE owner = '' AND kind = 'editorialAnnotation' AND deleted = 0 AND json_extract(body, '$.briefingID') = ?
        """

    /// Writes the briefing, tombstones the machine-made annotations the new layer drops, and
    /// writes only the annotations that changed, so devices pull no more than the difference.
    ///
    /// Editors' own annotations are never dropped here, whatever `editorial` holds: one added
    /// while an import was reading the old layer must survive that import's publish.
    static func publish(_ db: Database, _ briefing: Briefing, editorial: [EditorialAnnotation], now: Date) throws {
        try put(db, owner: contentOwner, kind: .briefing, id: briefing.id, deleted: false, body: try json(briefing), at: now)
        let existing = try Row.fetchAll(db.cachedStatement(sql: editorialLayerSQL), arguments: [briefing.id])
        let current = Dictionary(existing.map { ($0["id"] as String, $0["body"] as String) }, uniquingKeysWith: { a, _ in a })
        let keep = Set(editorial.map(\.id))
        for row in existing where !keep.contains(row["id"]) && (row["origin"] as String?) != EditorialOrigin.editor.rawValue {
            try put(db, owner: contentOwner, kind: .editorialAnnotation, id: row["id"], deleted: true, body: "{}", at: now)
        }
        for annotation in editorial {
            let body = try json(annotation)
            if current[annotation.id] == body { continue }
            try put(db, owner: contentOwner, kind: .editorialAnnotation, id: annotation.id, deleted: false, body: body, at: now)
        }
    }

    /// The published briefing with `id`.
    public func briefing(id: String) async throws -> Briefing? {
        try await database.read { db in
            try String.fetchOne(
                db, sql: "SELECT body FROM record WHERE owner = '' AND kind = 'briefing' AND id = ? AND deleted = 0",
                arguments: [id]
            ).map { try Self.decode(Briefing.self, $0) }
        }
    }

    /// How many briefings are published.
    public func briefingCount() async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM record WHERE owner = '' AND kind = 'briefing' AND deleted = 0") ?? 0
        }
    }
}

/// What a compaction did.
public struct Compaction: Sendable, Hashable {
    /// Tombstones removed.
    public var removed: Int
    /// Cursors before this sequence number must resync.
    public var horizon: Int64
}

extension ServerStore {
    /// Removes tombstones that changed before `cutoff` and raises the horizon past them, in one transaction.
    ///
    /// A device whose cursor is below the horizon may have missed a removed tombstone, so
    /// its next pull gets `resync_required`.
    public func compact(before cutoff: Date) async throws -> Compaction {
        try await database.write { db in
            let cutoffMillis = Self.millis(cutoff)
            var horizon = try self.horizon(db)
            guard let newest = try Int64.fetchOne(
                db, sql: "SELECT MAX(seq) FROM record WHERE deleted = 1 AND changedAt < ?", arguments: [cutoffMillis])
            else { return Compaction(removed: 0, horizon: horizon) }
            try db.execute(sql: "DELETE FROM record WHERE deleted = 1 AND changedAt < ?", arguments: [cutoffMillis])
            let removed = db.changesCount
            horizon = max(horizon, newest)
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'horizon'", arguments: [String(horizon)])
            return Compaction(removed: removed, horizon: horizon)
        }
    }
}

extension ServerStore {
    /// Copies the write-ahead log into the database file and truncates it (after bulk loads).
    public func checkpoint() async throws {
        try await database.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }
}
