import BriefingModel
import Foundation
import GRDB

extension ServerStore {
    /// Publishes a briefing revision and replaces its editorial layer, in one transaction.
    public func publish(_ briefing: Briefing, editorial: [EditorialAnnotation], now: Date = Date()) async throws {
        try await database.write { db in
            try Self.put(
                db, owner: contentOwner, kind: .briefing, id: briefing.id, deleted: false, body: try Self.json(briefing), at: now)
            let keep = Set(editorial.map(\.id))
            let existing = try String.fetchAll(
                db,
                sql: "SELECT id FROM record WHERE owner = '' AND kind = 'editorialAnnotation' AND deleted = 0 AND json_extract(body, '$.briefingID') = ?",
                arguments: [briefing.id])
            for id in existing where !keep.contains(id) {
                try Self.put(db, owner: contentOwner, kind: .editorialAnnotation, id: id, deleted: true, body: "{}", at: now)
            }
            for annotation in editorial {
                try Self.put(
                    db, owner: contentOwner, kind: .editorialAnnotation, id: annotation.id, deleted: false,
                    body: try Self.json(annotation), at: now)
            }
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
