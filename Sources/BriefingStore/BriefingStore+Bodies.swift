import BriefingModel
import Foundation
import GRDB

/// How much of the library's bodies a device keeps, and which it fetches ahead of reading.
public struct StorageSettings: Hashable, Sendable, Codable {
    /// The most bytes of bodies kept; past it, bodies are evicted (see `BodyPlan`).
    public var maxStorageBytes: Int
    /// How many of the newest briefings have their bodies fetched ahead of reading.
    public var prefetchNewest: Int

    public static let defaultMaxStorageBytes = 500 << 20
    public static let defaultPrefetchNewest = 20

    public init(maxStorageBytes: Int = Self.defaultMaxStorageBytes, prefetchNewest: Int = Self.defaultPrefetchNewest) {
        self.maxStorageBytes = maxStorageBytes
        self.prefetchNewest = prefetchNewest
    }
}

/// What the device holds of bodies.
public struct StorageUsage: Hashable, Sendable, Codable {
    public var briefings: Int
    /// Briefings whose current body is on the device.
    public var downloaded: Int
    /// Bytes of bodies stored.
    public var bytes: Int
    public var settings: StorageSettings
}

/// Which bodies to fetch and which to evict so that the device holds what its reader most
/// likely wants within the storage budget.
///
/// In order: the briefings with the reader's own marks on them (highlights, notes, a
/// bookmark), most recently read first; then those the reader has read, most recently first;
/// then the newest `prefetchNewest` not read yet; then any other body already on the device
/// (fetched for an export, say), most recently fetched first. They are taken in that order
/// while they fit the budget: the wanted ones not on the device are fetched, and the bodies
/// that do not fit are evicted. So nothing is evicted under the budget, and past it the
/// first to go are the least recently read bodies without the reader's marks; bodies with
/// marks go last.
public struct BodyPlan: Hashable, Sendable {
    /// Bodies to fetch, in order: the briefing's metadata says which (`bodyHash`).
    public var fetch: [BriefingMetadata]
    /// Revision IDs of stored bodies to drop.
    public var evict: [String]
}

extension BriefingStore {
    // MARK: Settings

    /// The device's storage settings (defaults where none were set).
    public func storageSettings() async throws -> StorageSettings {
        try await read { db in try Self.loadStorageSettings(db) }
    }

    static func loadStorageSettings(_ db: Database) throws -> StorageSettings {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT maxStorage, prefetchNewest FROM syncState WHERE id = 1"))
        return StorageSettings(
            maxStorageBytes: row?["maxStorage"] ?? StorageSettings.defaultMaxStorageBytes,
            prefetchNewest: row?["prefetchNewest"] ?? StorageSettings.defaultPrefetchNewest)
    }

    /// Changes the storage settings; nil leaves one as it is.
    @discardableResult
    public func setStorageSettings(maxStorageBytes: Int? = nil, prefetchNewest: Int? = nil) async throws -> StorageSettings {
        if let maxStorageBytes, maxStorageBytes < 0 { throw StoreError(.invalid, "the storage budget cannot be negative") }
        if let prefetchNewest, !(0...10_000).contains(prefetchNewest) {
            throw StoreError(.invalid, "prefetch between 0 and 10000 of the newest briefings")
        }
        return try await database.write { db in
            try db.execute(
                sql: "UPDATE syncState SET maxStorage = COALESCE(?, maxStorage), prefetchNewest = COALESCE(?, prefetchNewest) WHERE id = 1",
                arguments: [maxStorageBytes, prefetchNewest])
            return try Self.loadStorageSettings(db)
        }
    }

    /// How many bodies the device holds and their bytes.
    public func storageUsage() async throws -> StorageUsage {
        try await read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT COUNT(*) FROM briefing) AS briefings,
                      (SELECT COUNT(*) FROM briefing b WHERE \(Self.downloadedSQL)) AS downloaded,
                      (SELECT COALESCE(SUM(size), 0) FROM briefingBody) AS bytes
                    """)!
            return StorageUsage(
                briefings: row["briefings"], downloaded: row["downloaded"], bytes: row["bytes"], settings: try Self.loadStorageSettings(db))
        }
    }

    // MARK: Bodies

    /// Whether the body of a briefing's current revision is on this device.
    public func isDownloaded(briefingID: String) async throws -> Bool {
        try await read { db in try Self.isDownloaded(db, briefingID: briefingID) }
    }

    static func isDownloaded(_ db: Database, briefingID: String) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT \(downloadedSQL) FROM briefing b WHERE b.id = ?"), arguments: [briefingID]) ?? false
    }

    /// Stores a fetched body, if it is still the body of the briefing's current revision here
    /// (the body's sections must match the outline the metadata gave). False when the store
    /// has since moved on (a newer revision, or the briefing left): nothing is stored.
    @discardableResult
    public func saveBody(_ body: BriefingBody) async throws -> Bool {
        let stamp = isoNow
        return try await writeFromServer { db in
            guard let metadata = try Self.loadMetadata(db, id: body.briefingID), metadata.revision.id == body.revisionID else {
                return false
            }
            guard body.matches(metadata) else {
                throw StoreError(.invalid, "the body of \(body.briefingID) does not match its revision's outline")
            }
            try Self.insertBody(db, body, fetchedAt: stamp)
            try SearchIndex.index(db, metadata: metadata, sections: body.sections)
            return true
        }
    }

    /// Records that the reader opened a briefing now (what the budget keeps bodies by).
    public func markRead(briefingID: String) async throws {
        let stamp = isoNow
        try await database.write { db in
            try db.execute(sql: "UPDATE briefing SET readAt = ? WHERE id = ?", arguments: [stamp, briefingID])
        }
    }

    /// Stores the newest briefings ahead of the first sync (see `GET /v1/briefings/newest`):
    /// never over what a sync stored, and dropped when a sync completes without them.
    public func saveProvisional(_ briefings: [BriefingMetadata]) async throws {
        try await writeFromServer { db in
            for metadata in briefings { try Self.saveMetadata(db, metadata, provisional: true) }
        }
    }

    /// Drops the provisional briefings a completed sync did not bring.
    static func dropProvisional(_ db: Database) throws {
        for id in try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM briefing WHERE provisional = 1")) {
            try removeBriefing(db, id: id)
        }
    }

    /// What to fetch and evict now (see `BodyPlan`).
    public func bodyPlan() async throws -> BodyPlan {
        try await read { db in try Self.bodyPlan(db) }
    }

    /// Plans the bodies and evicts what the plan drops, in one transaction (so a body opened
    /// meanwhile by another process is planned with it); returns the bodies to fetch.
    public func applyBodyPlan() async throws -> BodyPlan {
        try await database.write { db in
            let plan = try Self.bodyPlan(db)
            try Self.evictBodies(db, plan.evict)
            return plan
        }
    }

    static func bodyPlan(_ db: Database) throws -> BodyPlan {
        let settings = try loadStorageSettings(db)
        struct Candidate {
            var id: String
            var revisionID: String
            var size: Int
            var readAt: String?
            var publishedAt: String?
            var marked: Bool
            var fetchedAt: String?
        }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT b.id, b.revisionID, b.bodySize, b.readAt, b.publishedAt,
                  EXISTS (
                    SELECT 1 FROM userRecord r WHERE r.briefingID = b.id AND r.deleted = 0
                      AND (r.kind IN ('highlight', 'note') OR (r.kind = 'bookmark' AND json_extract(r.body, '$.fields.bookmarked') = 1))
                  ) AS marked,
                  d.size AS stored, d.fetchedAt
                FROM briefing b LEFT JOIN briefingBody d ON d.revisionID = b.revisionID
                """)
        let candidates = rows.map { row in
            let stored: Int? = row["stored"]
            return Candidate(
                id: row["id"], revisionID: row["revisionID"], size: stored ?? row["bodySize"], readAt: row["readAt"],
                publishedAt: row["publishedAt"], marked: row["marked"], fetchedAt: row["fetchedAt"])
        }
        func recent(_ a: Candidate, _ b: Candidate) -> Bool {
            (a.readAt ?? "", a.publishedAt ?? "", a.id) > (b.readAt ?? "", b.publishedAt ?? "", b.id)
        }
        let marked = candidates.filter(\.marked).sorted(by: recent)
        let read = candidates.filter { !$0.marked && $0.readAt != nil }.sorted(by: recent)
        let unread = candidates.filter { !$0.marked && $0.readAt == nil }
        let newest = unread.sorted { ($0.publishedAt ?? "", $0.id) > ($1.publishedAt ?? "", $1.id) }.prefix(settings.prefetchNewest)
        let newestIDs = Set(newest.map(\.id))
        let others = unread.filter { $0.fetchedAt != nil && !newestIDs.contains($0.id) }
            .sorted { ($0.fetchedAt ?? "", $0.id) > ($1.fetchedAt ?? "", $1.id) }
        var kept: Set<String> = []
        var keptBytes = 0
        var fetchIDs: [String] = []
        for candidate in marked + read + newest + others where keptBytes + candidate.size <= settings.maxStorageBytes {
            kept.insert(candidate.revisionID)
            keptBytes += candidate.size
            if candidate.fetchedAt == nil { fetchIDs.append(candidate.id) }
        }
        // Bodies of no briefing here (left with a resync, say) are evicted too.
        let evict = try String.fetchAll(db, sql: "SELECT revisionID FROM briefingBody ORDER BY revisionID").filter { !kept.contains($0) }
        let fetch = try fetchIDs.compactMap { try loadMetadata(db, id: $0) }
        return BodyPlan(fetch: fetch, evict: evict)
    }

    /// Drops stored bodies by revision; their briefings stay, searchable by their metadata.
    public func evictBodies(_ revisionIDs: [String]) async throws {
        guard !revisionIDs.isEmpty else { return }
        try await database.write { db in try Self.evictBodies(db, revisionIDs) }
    }

    static func evictBodies(_ db: Database, _ revisionIDs: [String]) throws {
        for revisionID in revisionIDs {
            let briefingID = try String.fetchOne(
                db.cachedStatement(sql: "SELECT briefingID FROM briefingBody WHERE revisionID = ?"), arguments: [revisionID])
            try db.cachedStatement(sql: "DELETE FROM briefingBody WHERE revisionID = ?").execute(arguments: [revisionID])
            if let briefingID, let metadata = try loadMetadata(db, id: briefingID), metadata.revision.id == revisionID {
                try SearchIndex.index(db, metadata: metadata, sections: nil)
            }
        }
    }
}
