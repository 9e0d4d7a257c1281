import BriefingModel
import Foundation
import GRDB

extension BriefingStore {
    /// The reader's records of `kind`, optionally on one briefing; tombstones only when asked.
    public func records(_ kind: EntityKind, briefingID: String? = nil, includeDeleted: Bool = false) async throws -> [UserRecord] {
        try await read { db in try Self.loadRecords(db, kind, briefingID: briefingID, includeDeleted: includeDeleted) }
    }

    static func loadRecords(_ db: Database, _ kind: EntityKind, briefingID: String? = nil, includeDeleted: Bool = false) throws -> [UserRecord] {
        var sql = "SELECT body FROM userRecord WHERE kind = ?"
        var arguments: StatementArguments = [kind.rawValue]
        if let briefingID {
            sql += " AND briefingID = ?"
            arguments += [briefingID]
        }
        if !includeDeleted { sql += " AND deleted = 0" }
        sql += " ORDER BY id"
        return try String.fetchAll(db, sql: sql, arguments: arguments).map { try Self.decode(UserRecord.self, $0) }
    }

    /// The IDs of the live records of `kind`, optionally on one briefing, in ID order (cheaper
    /// than loading the records).
    public func recordIDs(_ kind: EntityKind, briefingID: String? = nil) async throws -> [String] {
        try await read { db in
            if let briefingID {
                return try String.fetchAll(
                    db.cachedStatement(
                        sql: "SELECT id FROM userRecord WHERE kind = ? AND briefingID = ? AND deleted = 0 ORDER BY id"),
                    arguments: [kind.rawValue, briefingID])
            }
            return try String.fetchAll(
                db.cachedStatement(sql: "SELECT id FROM userRecord WHERE kind = ? AND deleted = 0 ORDER BY id"),
                arguments: [kind.rawValue])
        }
    }

    /// How many live records of `kind` there are.
    public func liveRecordCount(_ kind: EntityKind) async throws -> Int {
        try await read { db in
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM userRecord WHERE kind = ? AND deleted = 0"),
                arguments: [kind.rawValue]) ?? 0
        }
    }

    /// The ID of the live record of `kind` at `index` in ID order, the same order as
    /// `recordIDs(_:)`: picks one record without reading them all.
    public func liveRecordID(_ kind: EntityKind, at index: Int) async throws -> String? {
        try await read { db in
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM userRecord WHERE kind = ? AND deleted = 0 ORDER BY id LIMIT 1 OFFSET ?"),
                arguments: [kind.rawValue, index])
        }
    }

    /// Every record of the reader's, tombstones included (for comparing replicas).
    public func allRecords() async throws -> [UserRecord] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT body FROM userRecord ORDER BY kind, id").map { try Self.decode(UserRecord.self, $0) }
        }
    }

    /// One record, tombstone or not.
    public func record(_ kind: EntityKind, id: String) async throws -> UserRecord? {
        try await read { db in try Self.loadRecord(db, kind, id) }
    }

    /// Finds a live record of `kind` by ID or unambiguous ID prefix.
    public func resolveRecord(_ kind: EntityKind, _ idOrPrefix: String) async throws -> UserRecord {
        try await read { db in
            let id = try Self.uniqueID(
                db, idOrPrefix,
                in: LookupScope(
                    table: "userRecord", condition: "kind = ? AND deleted = 0", arguments: [kind.rawValue],
                    noun: kind.rawValue))
            guard let record = try Self.loadRecord(db, kind, id) else {
                throw StoreError(.notFound, "no \(kind.rawValue) \(idOrPrefix)")
            }
            return record
        }
    }

    static func loadRecord(_ db: Database, _ kind: EntityKind, _ id: String) throws -> UserRecord? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT body FROM userRecord WHERE kind = ? AND id = ?"), arguments: [kind.rawValue, id])
            .map { try decode(UserRecord.self, $0) }
    }

    /// Stores a record and indexes it for search.
    static func saveRecord(_ db: Database, _ record: UserRecord) throws {
        try storeRecord(db, record)
        try SearchIndex.index(db, record: record)
    }

    /// Stores a record; its search entry is the caller's to write.
    static func storeRecord(_ db: Database, _ record: UserRecord) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO userRecord (kind, id, briefingID, deleted, body) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [record.kind.rawValue, record.id, record.briefingID, record.deleted, record.canonicalJSON])
    }

    /// Makes a local change: applies it to the record with the shared merge rules and queues it
    /// for the server, in one transaction.
    ///
    /// - Parameters:
    ///   - id: the record's ID; nil makes a new one.
    ///   - revive: allow an upsert to bring back a deleted record (resolving a conflict).
    /// - Returns: the record as it now reads on this device.
    @discardableResult
    public func change(
        _ kind: EntityKind, id: String? = nil, op: BriefingModel.Operation = .upsert, fields: [String: FieldValue] = [:],
        revive: Bool = false
    ) async throws -> UserRecord {
        let recordID = id ?? makeID()
        let millis = currentMillis
        let stamp = isoNow
        return try await database.write { db in
            let (deviceID, last) = try Self.loadClock(db)
            guard let deviceID else {
                throw StoreError(.notLoggedIn, "log in first: briefing login SERVER_URL --user NAME")
            }
            var clock = HybridClock(node: deviceID, last: last)
            let hlc = clock.tick(now: millis)
            let current = try Self.loadRecord(db, kind, recordID)
            if op == .upsert, let current, current.deleted, !revive {
                throw StoreError(.notFound, "\(kind.rawValue) \(recordID) was deleted")
            }
            var baseText: String?
            if kind == .note, fields["text"] != nil { baseText = current?.fields["text"]?.string }
            // An edit carries the record's set-once fields too: they never conflict, and they let
            // the server recreate a record whose tombstone it has compacted away.
            var fields = fields
            if op == .upsert, let current {
                for spec in EntitySchema.fields(of: kind) where spec.policy == .immutable && fields[spec.name] == nil {
                    fields[spec.name] = current.fields[spec.name]
                }
            }
            try db.cachedStatement(sql: "INSERT INTO outbox (kind, recordID, body, createdAt) VALUES (?, ?, '', ?)")
                .execute(arguments: [kind.rawValue, recordID, stamp])
            let mutation = Mutation(
                mutationID: db.lastInsertedRowID, kind: kind, id: recordID, op: op, hlc: hlc, fields: fields,
                baseText: baseText, seen: current?.newestClock)
            let result: MergeResult
            do {
                result = try MergeRules.apply(mutation, to: current)
            } catch let rejection as MutationRejection {
                throw StoreError(.rejected, rejection.message)
            }
            try db.cachedStatement(sql: "UPDATE outbox SET body = ? WHERE mutationID = ?")
                .execute(arguments: [try Self.json(mutation), mutation.mutationID])
            try Self.saveRecord(db, result.record)
            try db.cachedStatement(sql: "UPDATE syncState SET clock = ? WHERE id = 1")
                .execute(arguments: [clock.last.description])
            return result.record
        }
    }
}
