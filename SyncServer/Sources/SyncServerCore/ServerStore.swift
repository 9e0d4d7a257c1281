import BriefingModel
import Foundation
import GRDB

/// The server's SQLite store: accounts, devices and the change log.
///
/// The change log is the `record` table: every accepted write stores the record's new
/// state under the next sequence number, so a pull is a range scan over `seq` and each
/// record appears once, at its latest state. Durability: WAL with `synchronous = FULL`,
/// so a transaction that has committed survives a crash of the process or the machine.
public final class ServerStore: Sendable {
    /// The database (a `DatabasePool` in WAL mode for a file).
    public let database: any DatabaseWriter

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
        try self.init(database: pool)
    }

    /// A store over an existing database.
    public init(database: any DatabaseWriter) throws {
        self.database = database
        try ServerSchema.migrator.migrate(database)
        try database.write { db in
            if try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'epoch'") == nil {
                try db.execute(
                    sql: "INSERT INTO meta (key, value) VALUES ('epoch', ?), ('horizon', '0')",
                    arguments: [StableHash.hex(of: [UUID().uuidString], length: 12)])
            }
        }
    }

    /// An in-memory store, for tests.
    public static func inMemory() throws -> ServerStore {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA foreign_keys = ON") }
        return try ServerStore(database: DatabaseQueue(configuration: configuration))
    }

    static func json(_ value: some Encodable) throws -> String { try CanonicalJSON.text(value) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try CanonicalJSON.decode(type, text) }

    /// The database's epoch (which identifies it, so a cursor from another one is recognised)
    /// and its horizon (see below), in one read.
    func meta(_ db: Database) throws -> (epoch: String, horizon: Int64) {
        var epoch = "", horizon: Int64 = 0
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT key, value FROM meta WHERE key IN ('epoch', 'horizon')")) {
            if row["key"] == "epoch" { epoch = row["value"] } else { horizon = Int64(row["value"] as String) ?? 0 }
        }
        return (epoch, horizon)
    }

    /// Sequence numbers below this have been compacted away; older cursors must resync.
    func horizon(_ db: Database) throws -> Int64 {
        Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'horizon'") ?? "0") ?? 0
    }

    /// The newest sequence number ever issued. Compaction may remove the newest record, but
    /// never past the horizon, so the larger of the two is the high-water mark.
    static func newestSeq(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(
                sql: "SELECT MAX(COALESCE((SELECT MAX(seq) FROM record), 0), CAST((SELECT value FROM meta WHERE key = 'horizon') AS INTEGER))")
        ) ?? 0
    }

    static func nextSeq(_ db: Database) throws -> Int64 {
        try newestSeq(db) + 1
    }

    /// Writes a record's new state at the next sequence number.
    static func put(
        _ db: Database, owner: String, kind: EntityKind, id: String, deleted: Bool, body: String, at: Date
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO record (owner, kind, id, seq, deleted, body, changedAt) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (owner, kind, id) DO UPDATE SET
                  seq = excluded.seq, deleted = excluded.deleted, body = excluded.body, changedAt = excluded.changedAt
                """
        ).execute(
            arguments: [owner, kind.rawValue, id, try nextSeq(db), deleted, body, millis(at)])
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    static func userRecord(_ db: Database, owner: String, kind: EntityKind, id: String) throws -> UserRecord? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT body FROM record WHERE owner = ? AND kind = ? AND id = ?"), arguments: [owner, kind.rawValue, id]
        ).map { try decode(UserRecord.self, $0) }
    }
}

/// Content is stored with this owner; every reader sees it.
let contentOwner = ""
