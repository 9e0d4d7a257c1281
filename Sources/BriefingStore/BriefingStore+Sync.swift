import BriefingModel
import Foundation
import GRDB

/// A mutation the server refused, kept so that nothing the reader wrote vanishes silently.
public struct Rejection: Hashable, Sendable {
    public var mutation: Mutation
    public var reason: String
    public var message: String
    public var at: Date?
}

/// What applying one pulled page did.
public struct PageSummary: Hashable, Sendable {
    public var briefings = 0
    public var editorial = 0
    public var records = 0
    public var conflicts = 0
    public var removed = 0

    public init() {}

    /// Mutations still in the outbox after the transaction.
    public var pending = 0

    /// All changes applied.
    public var total: Int { briefings + editorial + records + conflicts + removed }
}

/// The next mutations to push, with what a push needs to know, read together.
public struct OutboxBatch: Sendable {
    public var mutations: [Mutation]
    /// Mutations in the outbox, this batch included.
    public var pending: Int
    /// The cursor of the last applied page.
    public var cursor: String?
}

extension BriefingStore {
    /// How many local changes wait for the server.
    public func pendingCount() async throws -> Int {
        try await read { db in try Self.pendingCount(db) }
    }

    /// The oldest `limit` pending mutations, how many are pending, and the cursor, in one read.
    public func outboxBatch(limit: Int) async throws -> OutboxBatch {
        try await read { db in try Self.outboxBatch(db, limit: limit) }
    }

    /// What a sync starts from, in one read: the device's state and its first outbox batch.
    public func syncStart(batchLimit: Int) async throws -> (state: SyncState, batch: OutboxBatch) {
        try await read { db in (try Self.loadState(db), try Self.outboxBatch(db, limit: batchLimit)) }
    }

    static func outboxBatch(_ db: Database, limit: Int) throws -> OutboxBatch {
        OutboxBatch(
            mutations: try String.fetchAll(
                db.cachedStatement(sql: "SELECT body FROM outbox ORDER BY mutationID LIMIT ?"), arguments: [limit]
            ).map { try Self.decode(Mutation.self, $0) },
            pending: try pendingCount(db),
            cursor: try String.fetchOne(db.cachedStatement(sql: "SELECT cursor FROM syncState WHERE id = 1")))
    }

    static func pendingCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM outbox")) ?? 0
    }

    /// Removes acknowledged mutations from the outbox; a rejected one is kept as a rejection.
    /// Returns how many mutations are still pending.
    ///
    /// Only results for mutations still in the outbox count, so applying the same answer twice is harmless.
    @discardableResult
    public func acknowledge(_ results: [MutationResult]) async throws -> Int {
        let stamp = isoNow
        return try await writeFromServer { db in
            try Self.acknowledge(db, results, at: stamp)
            return try Self.pendingCount(db)
        }
    }

    /// Writes what the server said (answers to a push, pulled pages) in one transaction, at
    /// `synchronous = NORMAL`: it survives the app being killed, and a power cut can only
    /// undo it whole, after which the device pushes again (answered `duplicate`) and pulls
    /// again. The reader's own edits keep `synchronous = FULL`.
    func writeFromServer<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await database.writeWithoutTransaction { db in
            try db.cachedStatement(sql: "PRAGMA synchronous = NORMAL").execute()
            let outcome = Result { () throws -> T in
                var result: T?
                try db.inTransaction {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
            // Back to FULL before anything else writes; failing to is an error, not a silent downgrade.
            try db.cachedStatement(sql: "PRAGMA synchronous = FULL").execute()
            return try outcome.get()
        }
    }

    static func acknowledge(_ db: Database, _ results: [MutationResult], at stamp: String) throws {
        for result in results {
            guard let body = try String.fetchOne(
                db.cachedStatement(sql: "SELECT body FROM outbox WHERE mutationID = ?"), arguments: [result.mutationID])
            else { continue }
            try db.cachedStatement(sql: "DELETE FROM outbox WHERE mutationID = ?").execute(arguments: [result.mutationID])
            if result.status == .rejected {
                let mutation = try Self.decode(Mutation.self, body)
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO rejection (mutationID, kind, recordID, reason, message, at, mutation)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        result.mutationID, mutation.kind.rawValue, mutation.id, result.reason ?? "rejected",
                        result.message ?? "", stamp, body,
                    ])
                // The refused edit was shown optimistically: back to the server's state, with
                // this device's other pending edits on the record re-applied.
                try restore(db, kind: mutation.kind, id: mutation.id, server: result.current)
            }
        }
    }

    /// Rebuilds a record from the server's state (nil: the server has none) and the device's
    /// pending mutations on it; a record that is then nothing is removed.
    static func restore(_ db: Database, kind: EntityKind, id: String, server: UserRecord?) throws {
        if let record = try replay(db, kind: kind, id: id, onto: server) {
            try saveRecord(db, record)
        } else {
            try removeRecord(db, kind: kind, id: id)
        }
    }

    /// Removes a reader's record and its search entry.
    static func removeRecord(_ db: Database, kind: EntityKind, id: String) throws {
        try deleteRecord(db, kind: kind, id: id)
        try SearchIndex.remove(db, kind: kind, id: id)
    }

    /// Removes a reader's record; its search entry is the caller's to drop.
    static func deleteRecord(_ db: Database, kind: EntityKind, id: String) throws {
        try db.cachedStatement(sql: "DELETE FROM userRecord WHERE kind = ? AND id = ?").execute(arguments: [kind.rawValue, id])
    }

    /// Applies one pulled page and stores its cursor, in one transaction.
    ///
    /// The server's state of each record replaces the local one, then the device's pending
    /// mutations on that record are re-applied on top with the shared merge rules (a rebase),
    /// so the reader keeps seeing their unsynced edits.
    ///
    /// - Parameters:
    ///   - acknowledging: answers to a push that carried this page; they are recorded first,
    ///     in the same transaction, so the rebase sees only what is still pending.
    ///   - finishing: the sync is complete with this page; its time is recorded too.
    @discardableResult
    public func applyPage(
        _ changes: [Change], cursor: String, acknowledging results: [MutationResult] = [], finishing: Bool = false
    ) async throws -> PageSummary {
        try await applyPage(changes, cursor: cursor, acknowledging: results, finishing: finishing, ifAfter: nil)!
    }

    /// Applies a page only if the store's cursor is still `expected`, the cursor the page was
    /// asked for after (nil: the start), checked in the same transaction: a page that another
    /// pull of the same store (another process, a sync beside a long-poll) has overtaken is
    /// dropped, never applied over newer state or moving the cursor back. Nil when dropped.
    public func applyPage(_ changes: [Change], cursor: String, after expected: String?, finishing: Bool) async throws -> PageSummary? {
        try await applyPage(changes, cursor: cursor, acknowledging: [], finishing: finishing, ifAfter: .some(expected))
    }

    private func applyPage(
        _ changes: [Change], cursor: String, acknowledging results: [MutationResult], finishing: Bool, ifAfter expected: String??
    ) async throws -> PageSummary? {
        let millis = currentMillis
        let stamp = isoNow
        return try await writeFromServer { db in
            if let expected, try String.fetchOne(db.cachedStatement(sql: "SELECT cursor FROM syncState WHERE id = 1")) != expected {
                return nil
            }
            try Self.acknowledge(db, results, at: stamp)
            var summary = PageSummary()
            // Applying a page leaves the outbox as it is; with nothing pending there is nothing to rebase.
            summary.pending = try Self.pendingCount(db)
            let (deviceID, last) = try Self.loadClock(db)
            var clock = deviceID.map { HybridClock(node: $0, last: last) }
            var search = SearchBatch()
            for change in changes {
                if case .record(let record) = change.payload, let newest = record.newestClock { clock?.receive(newest, now: millis) }
                try Self.apply(db, change, rebase: summary.pending > 0, summary: &summary, search: &search, at: stamp)
            }
            try search.flush(db)
            // A sync complete: the newest briefings stored ahead of it that it did not bring are gone.
            if finishing { try Self.dropProvisional(db) }
            try db.cachedStatement(
                sql: "UPDATE syncState SET cursor = ?, clock = COALESCE(?, clock), lastSyncAt = CASE WHEN ? THEN ? ELSE lastSyncAt END WHERE id = 1"
            ).execute(arguments: [cursor, clock?.last.description, finishing, stamp])
            return summary
        }
    }

    /// The server's record with this device's pending mutations re-applied.
    static func rebase(_ db: Database, _ serverRecord: UserRecord) throws -> UserRecord {
        try replay(db, kind: serverRecord.kind, id: serverRecord.id, onto: serverRecord) ?? serverRecord
    }

    /// The device's pending mutations on a record applied, in order, to `record`.
    static func replay(_ db: Database, kind: EntityKind, id: String, onto record: UserRecord?) throws -> UserRecord? {
        let pending = try String.fetchAll(
            db.cachedStatement(sql: "SELECT body FROM outbox WHERE kind = ? AND recordID = ? ORDER BY mutationID"),
            arguments: [kind.rawValue, id])
        var record = record
        for body in pending {
            let mutation = try decode(Mutation.self, body)
            // A pending mutation the rules refuse will be refused by the server too, and recorded then.
            if let result = try? MergeRules.apply(mutation, to: record) { record = result.record }
        }
        return record
    }

    /// Writes one pulled change; with `rebase`, the device's pending mutations on a record are
    /// re-applied on top of the server's state. A record's search entry joins `search`, written
    /// when the page is.
    static func apply(
        _ db: Database, _ change: Change, rebase: Bool, summary: inout PageSummary, search: inout SearchBatch, at stamp: String
    ) throws {
        switch change.payload {
        case .briefing(let briefing):
            try saveBriefing(db, briefing, at: stamp)
            summary.briefings += 1
        case .briefingMetadata(let metadata):
            try saveMetadata(db, metadata)
            summary.briefings += 1
        case .editorialAnnotation(let annotation):
            try saveEditorial(db, annotation)
            summary.editorial += 1
        case .removed:
            switch change.kind {
            case .briefing:
                try removeBriefing(db, id: change.id)
            case .editorialAnnotation:
                try db.cachedStatement(sql: "DELETE FROM editorialAnnotation WHERE id = ?").execute(arguments: [change.id])
            case .conflict:
                try db.cachedStatement(sql: "DELETE FROM conflict WHERE id = ?").execute(arguments: [change.id])
            default:
                try deleteRecord(db, kind: change.kind, id: change.id)
                search.remove(kind: change.kind, id: change.id)
            }
            summary.removed += 1
        case .record(let serverRecord):
            let record = rebase ? try Self.rebase(db, serverRecord) : serverRecord
            try storeRecord(db, record)
            search.add(record)
            summary.records += 1
        case .conflict(let conflict):
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO conflict (id, at, source, body) VALUES (?, ?, 'server', ?)")
                .execute(arguments: [conflict.id, conflict.at.description, try json(conflict)])
            summary.conflicts += 1
        }
    }

    /// Loads a snapshot of changes into the store in one transaction, with no rebase and no
    /// cursor: a bulk load (seeding a store, or the benchmarks' floor for an initial sync).
    @discardableResult
    public func bulkLoad(_ changes: [Change]) async throws -> PageSummary {
        let stamp = isoNow
        // The same durability as a pulled page, so the benchmarks' floor pays what a sync pays.
        return try await writeFromServer { db in
            var summary = PageSummary()
            var search = SearchBatch()
            for change in changes { try Self.apply(db, change, rebase: false, summary: &summary, search: &search, at: stamp) }
            try search.flush(db)
            return summary
        }
    }

    /// The resolutions the server recorded, newest first, optionally since a clock time.
    public func conflicts(since: Date? = nil) async throws -> [ConflictRecord] {
        try await read { db in
            var sql = "SELECT body FROM conflict"
            var arguments: StatementArguments = []
            if let since {
                sql += " WHERE at >= ?"
                arguments += [HLC(wallMillis: Int64(since.timeIntervalSince1970 * 1000), counter: 0, node: "0").description]
            }
            sql += " ORDER BY at DESC, id"
            return try String.fetchAll(db, sql: sql, arguments: arguments).map { try Self.decode(ConflictRecord.self, $0) }
        }
    }

    /// The mutations the server refused, newest first.
    public func rejections() async throws -> [Rejection] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM rejection ORDER BY mutationID DESC").map { row in
                Rejection(
                    mutation: try Self.decode(Mutation.self, row["mutation"]), reason: row["reason"], message: row["message"],
                    at: (row["at"] as String?).flatMap(Timestamp.date))
            }
        }
    }
}
