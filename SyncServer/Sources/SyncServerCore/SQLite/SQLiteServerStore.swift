import BriefingModel
import Foundation
import GRDB

/// The embedded store: accounts, devices and the change log in one SQLite file.
///
/// The change log is the `record` table: every accepted write stores the record's new
/// state under the next sequence number, so a pull is a range scan over `seq` and each
/// record appears once, at its latest state. SQLite has one writer at a time, so sequence
/// numbers are allocated and committed in order and every push is serialised with every
/// other. Durability: WAL with `synchronous = FULL`, so a transaction that has committed
/// survives a crash of the process or the machine.
public final class SQLiteServerStore: ServerStorage {
    /// The database (a `DatabasePool` in WAL mode for a file).
    public let database: any DatabaseWriter
    public let location: String

    /// Opens (creating and migrating as needed) the store at `path`.
    ///
    /// - Parameter fsync: `synchronous = FULL` (the default, for durability) or `OFF` (for
    ///   simulations, which restart the store within one process and never lose power).
    public convenience init(path: String, fsync: Bool = true) throws {
        // Password and token hashes: the database and its side files are private to the
        // server's user from the moment they exist.
        do {
            try PrivateFiles.prepareDatabase(at: path)
        } catch {
            throw SyncError(.storage, "cannot create the server database at \(path): \(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // After opening: a pool sets its writer to `synchronous = NORMAL` when it enters
            // WAL mode, which survives a killed process but not a power cut.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: fsync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF")
            }
        } catch {
            throw SyncError(.storage, "cannot open the server database at \(path): \(error)")
        }
        try self.init(database: pool, location: "sqlite:\(path)")
    }

    /// A store over an existing database.
    public init(database: any DatabaseWriter, location: String = "sqlite:memory") throws {
        self.database = database
        self.location = location
        try SQLiteSchema.migrator.migrate(database)
        try database.write { db in
            if try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'epoch'") == nil {
                try db.execute(
                    sql: "INSERT INTO meta (key, value) VALUES ('epoch', ?), ('horizon', '0')",
                    arguments: [StableHash.hex(of: [UUID().uuidString], length: 12)])
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('cursorSecret', ?)", arguments: [LogMeta.newCursorSecret()])
        }
    }

    /// An in-memory store, for tests.
    public static func inMemory() throws -> SQLiteServerStore {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA foreign_keys = ON") }
        return try SQLiteServerStore(database: DatabaseQueue(configuration: configuration))
    }

    public func close() async {
        try? await (database as? DatabasePool)?.close()
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    // MARK: The change log

    public func meta() async throws -> LogMeta {
        try await database.read { db in try Self.meta(db) }
    }

    /// The epoch, the horizon and the newest sequence number ever issued. Compaction may
    /// remove the newest record, but never past the horizon, so the larger of the two is the
    /// high-water mark.
    static func meta(_ db: Database) throws -> LogMeta {
        var epoch = "", horizon: Int64 = 0, secret = ""
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT key, value FROM meta WHERE key IN ('epoch', 'horizon', 'cursorSecret')")) {
            switch row["key"] as String {
            case "epoch": epoch = row["value"]
            case "cursorSecret": secret = row["value"]
            default: horizon = Int64(row["value"] as String) ?? 0
            }
        }
        let newest = max(try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM record")) ?? 0, horizon)
        return LogMeta(epoch: epoch, horizon: horizon, newest: newest, cursorSecret: secret)
    }

    public func page(
        branches: [PageBranch], limit: Int, maxBytes: Int, metadataOnly: Bool, check: @Sendable (LogMeta) throws -> Void
    ) async throws -> LogPage {
        try await database.read { db in
            let meta = try Self.meta(db)
            try check(meta)
            return try Self.page(db, meta: meta, branches: branches, limit: limit, maxBytes: maxBytes, metadataOnly: metadataOnly)
        }
    }

    /// The next changes of each branch, each read in seq order from its position through
    /// `record_owner_topic_seq`, then merged: a page reads at most branches × (limit + 1) rows
    /// however long the log is and however many other readers write to it. The rows are
    /// stepped through one at a time, and the page stops at its byte budget: the body of the
    /// first row over it is read (to measure it) but not kept.
    static func page(
        _ db: Database, meta: LogMeta, branches: [PageBranch], limit: Int, maxBytes: Int, metadataOnly: Bool = false
    ) throws -> LogPage {
        guard !branches.isEmpty else { return LogPage(meta: meta, rows: [], hasMore: false, bytes: 0) }
        var parts: [String] = []
        var arguments: StatementArguments = []
        // A briefing's metadata in place of its body, when asked for and stored.
        let columns = metadataOnly
            ? "kind, id, seq, deleted, coalesce(meta, body) AS body, origin, topic, owner, meta IS NOT NULL AS isMetadata"
            : "kind, id, seq, deleted, body, origin, topic, owner, 0 AS isMetadata"
        for (index, branch) in branches.enumerated() {
            let (owner, topic) = branch.scope.stored
            let filter = topic == nil ? "owner = ?" : "owner = ? AND topic = ?"
            parts.append(
                "SELECT * FROM (SELECT \(columns), \(index) AS branch FROM record WHERE \(filter) AND seq > ? ORDER BY seq LIMIT ?)")
            arguments += [owner]
            if let topic { arguments += [topic] }
            arguments += [branch.after, limit + 1]
            if branch.scope == .published || branch.scope.publication != nil {
                // What left the scope, read with it.
                parts.append(
                    "SELECT * FROM (SELECT \(columns), \(index) AS branch FROM record WHERE owner = ? AND seq > ? ORDER BY seq LIMIT ?)")
                arguments += [Scope.departures(from: branch.scope).key, branch.after, limit + 1]
            }
        }
        let sql = parts.joined(separator: " UNION ALL ") + " ORDER BY seq, branch LIMIT ?"
        arguments += [limit + 1]
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        var rows: [LogRow] = []
        var bytes = 0
        var hasMore = false
        while let row = try cursor.next() {
            let body: String = row["body"]
            if rows.count == limit || (!rows.isEmpty && bytes + body.utf8.count > maxBytes) {
                hasMore = true
                break
            }
            rows.append(
                LogRow(
                    kind: row["kind"], id: row["id"], seq: row["seq"], deleted: row["deleted"], body: body, origin: row["origin"],
                    branch: row["branch"], topic: row["topic"], departure: (row["owner"] as String).hasPrefix("-"),
                    isMetadata: row["isMetadata"]))
            bytes += body.utf8.count
        }
        return LogPage(meta: meta, rows: rows, hasMore: hasMore, bytes: bytes)
    }

    public func push(
        principal: Principal, keys: PushKeys, now: Date, decide: @Sendable (PushSnapshot) throws -> PushPlan
    ) async throws -> PushPlan {
        try await database.write { db in
            let plan = try decide(try Self.snapshot(db, principal: principal, keys: keys))
            for rejection in plan.rejections {
                try db.cachedStatement(sql: "INSERT INTO rejectedMutation (deviceID, mutationID, reason, message) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [principal.deviceID, rejection.mutationID, rejection.reason, rejection.message])
            }
            try db.cachedStatement(sql: "UPDATE device SET lastMutationID = ? WHERE id = ?")
                .execute(arguments: [plan.lastMutationID, principal.deviceID])
            try Self.write(db, plan.writes, at: now)
            return plan
        }
    }

    static func snapshot(_ db: Database, principal: Principal, keys: PushKeys) throws -> PushSnapshot {
        let last = try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT d.lastMutationID FROM device d JOIN account a ON a.id = d.accountID
                    WHERE d.id = ? AND a.id = ? AND d.revokedAt IS NULL
                    """), arguments: [principal.deviceID, principal.accountID])
        var rejections: [Int64: (reason: String, message: String)] = [:]
        if let last, keys.mutationIDs.lowerBound <= last {
            for row in try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT mutationID, reason, message FROM rejectedMutation WHERE deviceID = ? AND mutationID BETWEEN ? AND ?"),
                arguments: [principal.deviceID, keys.mutationIDs.lowerBound, min(keys.mutationIDs.upperBound, last)])
            {
                rejections[row["mutationID"]] = (row["reason"], row["message"])
            }
        }
        var records: [RecordKey: UserRecord] = [:]
        var positions: [RecordKey: LogPosition] = [:]
        let read = try db.cachedStatement(sql: "SELECT body, seq, origin FROM record WHERE owner = ? AND kind = ? AND id = ?")
        for key in keys.records {
            if let row = try Row.fetchOne(read, arguments: [principal.accountID, key.kind.rawValue, key.id]) {
                records[key] = try CanonicalJSON.decode(UserRecord.self, row["body"] as String)
                positions[key] = LogPosition(seq: row["seq"], origin: row["origin"])
            }
        }
        var foreign: Set<RecordKey> = []
        let other = try db.cachedStatement(sql: "SELECT 1 FROM record WHERE kind = ? AND id = ? AND owner != ? LIMIT 1")
        for key in keys.foreignCheck where try Bool.fetchOne(other, arguments: [key.kind.rawValue, key.id, principal.accountID]) == true {
            foreign.insert(key)
        }
        var live: Set<String> = []
        let briefing = try db.cachedStatement(sql: "SELECT 1 FROM record WHERE owner = '' AND kind = 'briefing' AND id = ? AND deleted = 0")
        for id in keys.briefingIDs where try Bool.fetchOne(briefing, arguments: [id]) == true {
            live.insert(id)
        }
        return PushSnapshot(
            lastMutationID: last, rejections: rejections, records: records, positions: positions, foreign: foreign, liveBriefings: live)
    }

    /// Writes each record's new state at the next sequence number, in order.
    static func write(_ db: Database, _ writes: [RecordWrite], at now: Date) throws {
        guard !writes.isEmpty else { return }
        var next = try meta(db).newest + 1
        let changed = millis(now)
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO record (owner, topic, kind, id, seq, deleted, body, changedAt, origin, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (owner, kind, id) DO UPDATE SET
                  topic = excluded.topic, seq = excluded.seq, deleted = excluded.deleted, body = excluded.body,
                  changedAt = excluded.changedAt, origin = excluded.origin, meta = excluded.meta
                """)
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO record (owner, topic, kind, id, seq, deleted, body, changedAt, origin, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (owner, kind, id) DO NOTHING
                """)
        for write in writes {
            let (owner, topic) = write.scope.stored
            try (write.ifAbsent ? insert : upsert).execute(
                arguments: [
                    owner, topic ?? "", write.key.kind.rawValue, write.key.id, next, write.deleted, write.body, changed, write.origin,
                    write.meta,
                ])
            if db.changesCount > 0 { next += 1 }
        }
    }

    public func publish(briefingID: String, now: Date, decide: @Sendable (PublishSnapshot) throws -> PublishPlan) async throws {
        try await database.write { db in
            let current = try String.fetchOne(
                db.cachedStatement(sql: "SELECT body FROM record WHERE owner = '' AND kind = 'briefing' AND id = ? AND deleted = 0"),
                arguments: [briefingID]
            ).map { try CanonicalJSON.decode(Briefing.self, $0) }
            let editorial = try Row.fetchAll(db.cachedStatement(sql: Self.editorialLayerSQL), arguments: [briefingID]).map {
                (id: $0["id"] as String, body: $0["body"] as String, byEditor: ($0["origin"] as String?) == EditorialOrigin.editor.rawValue)
            }
            let plan = try decide(
                PublishSnapshot(currentRevision: current?.revision.number, currentPublication: current?.publication, editorial: editorial))
            try Self.write(db, plan.writes, at: now)
            if let source = plan.source {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO source (briefingID, revisionNumber, revisionID, fileName, sourceURL, raw, report, importedAt)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        source.briefingID, source.revisionNumber, source.revisionID, source.fileName, source.sourceURL, source.raw,
                        source.report, Timestamp.text(source.importedAt),
                    ])
            }
        }
    }

    /// A briefing's live editorial layer: `id`, `body` and `origin` (served by the partial
    /// index `record_editorial_briefing`, whose expression this must repeat exactly).
    static let editorialLayerSQL = """
        SELECT id, body, json_extract(body, '$.origin') AS origin FROM record
        WHERE owner = '' AND kind = 'editorialAnnotation' AND deleted = 0 AND json_extract(body, '$.briefingID') = ?
        """

    public func append(_ writes: [RecordWrite], now: Date) async throws {
        try await database.write { db in try Self.write(db, writes, at: now) }
    }

    /// Removes tombstones that changed before `cutoff` and raises the horizon past them, in one transaction.
    /// Tombstones past the cutoff, but never withdrawn content (deleted with its body kept,
    /// so that `restore` can bring it back).
    static let compactable = "deleted = 1 AND changedAt < ? AND NOT (owner = '' AND body <> '{}')"

    public func compact(before cutoff: Date) async throws -> Compaction {
        try await database.write { db in
            let cutoffMillis = Self.millis(cutoff)
            var horizon = try Self.meta(db).horizon
            guard
                let newest = try Int64.fetchOne(
                    db, sql: "SELECT MAX(seq) FROM record WHERE \(Self.compactable)", arguments: [cutoffMillis])
            else { return Compaction(removed: 0, horizon: horizon) }
            try db.execute(sql: "DELETE FROM record WHERE \(Self.compactable)", arguments: [cutoffMillis])
            let removed = db.changesCount
            horizon = max(horizon, newest)
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'horizon'", arguments: [String(horizon)])
            return Compaction(removed: removed, horizon: horizon)
        }
    }

    public func setWithdrawn(briefingID: String, _ withdrawn: Bool, now: Date) async throws -> [RecordWrite]? {
        try await database.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, id, topic, body, meta FROM record WHERE owner = '' AND deleted = ? AND body <> '{}'
                      AND ((kind = 'briefing' AND id = ?) OR (kind = 'editorialAnnotation' AND json_extract(body, '$.briefingID') = ?))
                    """, arguments: [!withdrawn, briefingID, briefingID])
            guard rows.contains(where: { ($0["kind"] as String) == EntityKind.briefing.rawValue }) else { return nil }
            let writes = try rows.map { row in
                let topic: String = row["topic"]
                guard let kind = EntityKind(rawValue: row["kind"]) else { throw SyncError(.storage, "unknown kind in the change log") }
                return RecordWrite(
                    scope: topic.isEmpty ? .published : .publication(topic), key: RecordKey(kind, row["id"]), deleted: withdrawn,
                    body: row["body"], meta: row["meta"])
            }
            try Self.write(db, writes, at: now)
            return writes
        }
    }

    public func rows(in scope: Scope, kinds: Set<EntityKind>?) async throws -> [LogRow] {
        try await database.read { db in
            let (owner, topic) = scope.stored
            return try Row.fetchAll(
                db, sql: "SELECT kind, id, seq, deleted, body FROM record WHERE owner = ? AND (? IS NULL OR topic = ?) ORDER BY kind, id",
                arguments: [owner, topic, topic]
            ).compactMap { row -> LogRow? in
                let kind: String = row["kind"]
                if let kinds, !kinds.contains(where: { $0.rawValue == kind }) { return nil }
                return LogRow(kind: kind, id: row["id"], seq: row["seq"], deleted: row["deleted"], body: row["body"])
            }
        }
    }

    public func newestBriefings(topics: [String]?, limit: Int) async throws -> [String] {
        try await database.read { db in
            // Stepped newest first through `record_briefing_published`, stopping at `limit`.
            var sql = """
                SELECT meta FROM record
                WHERE kind = 'briefing' AND owner = '' AND deleted = 0 AND meta IS NOT NULL
                """
            var arguments: StatementArguments = []
            if let topics {
                sql += " AND topic IN (\(Array(repeating: "?", count: topics.count).joined(separator: ", ")))"
                arguments += StatementArguments(topics)
            }
            sql += " ORDER BY json_extract(meta, '$.revision.publishedAt') DESC LIMIT ?"
            arguments += [limit]
            return try String.fetchAll(db, sql: sql, arguments: arguments)
        }
    }

    /// Copies the write-ahead log into the database file and truncates it (after bulk loads).
    public func checkpoint() async throws {
        try await database.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }
}
