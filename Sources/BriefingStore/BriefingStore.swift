import BriefingModel
import Foundation
import GRDB

/// A device's local store: synced content, the reader's records, the outbox and sync state.
///
/// Every local write updates its record *and* appends to the outbox in one transaction;
/// every pulled page is applied together with its cursor in one transaction. So a crash
/// at any point leaves the store consistent, and nothing pending is lost.
public final class BriefingStore: Sendable {
    /// The database; a `DatabasePool` (WAL) for a file, a queue for an in-memory store.
    public let database: any DatabaseWriter
    let now: @Sendable () -> Date
    let makeID: @Sendable () -> String
    /// The store's file, or nil for an in-memory store.
    public var path: String? {
        let path = database.path
        return path.isEmpty || path == ":memory:" ? nil : path
    }

    /// Opens (creating and migrating as needed) the store at `path`.
    public convenience init(
        path: String, now: @escaping @Sendable () -> Date = Date.init,
        makeID: @escaping @Sendable () -> String = { UUID().uuidString }
    ) throws {
        // The store holds a device token: it and its side files are private to the user from
        // the moment they exist.
        do {
            try PrivateFiles.prepareDatabase(at: path)
        } catch {
            throw StoreError(.cannotOpen, "cannot create the store at \(path): \(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // The reader's edits survive a power cut, not only a crash of the app: a pool's
            // writer is left at `synchronous = NORMAL` by WAL mode, so set FULL after opening.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw StoreError(.cannotOpen, "cannot open the store at \(path): \(error)")
        }
        try self.init(database: pool, now: now, makeID: makeID)
    }

    /// A store over an existing database (a temporary or in-memory one in tests).
    public init(
        database: any DatabaseWriter, now: @escaping @Sendable () -> Date = Date.init,
        makeID: @escaping @Sendable () -> String = { UUID().uuidString }
    ) throws {
        self.database = database
        self.now = now
        self.makeID = makeID
        try ClientSchema.migrator.migrate(database)
    }

    /// A fresh in-memory store.
    public static func inMemory(
        now: @escaping @Sendable () -> Date = Date.init, makeID: @escaping @Sendable () -> String = { UUID().uuidString }
    ) throws -> BriefingStore {
        try BriefingStore(database: DatabaseQueue(), now: now, makeID: makeID)
    }

    /// Reads a consistent view of the store.
    ///
    /// A pool reads on a reader connection, opened read-only. An in-memory queue runs every
    /// access one at a time on its one connection, and no other process can reach it, so a
    /// read sees one state without further ceremony. GRDB's `read` would also switch
    /// `PRAGMA query_only` on and off around it, and SQLite expires every prepared statement
    /// of the connection on each switch, so each cached statement would be compiled again.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        if path == nil, let queue = database as? DatabaseQueue { return try await queue.unsafeRead(body) }
        return try await database.read(body)
    }

    static func json(_ value: some Encodable) throws -> String { try CanonicalJSON.text(value) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try CanonicalJSON.decode(type, text) }

    /// A new unique ID from the store's generator (for records and tag adds).
    public func newID() -> String { makeID() }

    var currentMillis: Int64 { Int64((now().timeIntervalSince1970 * 1000).rounded(.down)) }

    var isoNow: String { Timestamp.text(now()) }
}

// MARK: - Sync state

/// Who this device is and where its sync stands.
public struct SyncState: Hashable, Sendable {
    public var serverURL: String?
    public var user: String?
    public var deviceID: String?
    public var deviceName: String?
    public var token: String?
    /// The cursor of the last applied page.
    public var cursor: String?
    public var lastSyncAt: Date?
    /// The device's clock, persisted so that its timestamps keep increasing.
    public var clock: HLC?

    /// Whether the device has a token.
    public var isLoggedIn: Bool { token != nil && deviceID != nil }
}

extension BriefingStore {
    /// The sync state.
    public func syncState() async throws -> SyncState {
        try await read { db in try Self.loadState(db) }
    }

    static func loadState(_ db: Database) throws -> SyncState {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM syncState WHERE id = 1")) else { return SyncState() }
        return SyncState(
            serverURL: row["serverURL"], user: row["user"], deviceID: row["deviceID"], deviceName: row["deviceName"],
            token: row["token"], cursor: row["cursor"],
            lastSyncAt: (row["lastSyncAt"] as String?).flatMap(Timestamp.date),
            clock: (row["clock"] as String?).flatMap(HLC.init))
    }

    /// The device's ID and the last clock it issued: all a local change or a pulled page needs
    /// of the sync state.
    static func loadClock(_ db: Database) throws -> (deviceID: String?, clock: HLC?) {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT deviceID, clock FROM syncState WHERE id = 1")) else {
            return (nil, nil)
        }
        return (row[0], (row[1] as String?).flatMap(HLC.init))
    }

    /// Records a login. A login to another server or as another user starts a fresh store.
    public func saveLogin(serverURL: String, user: String, deviceID: String, deviceName: String?, token: String) async throws {
        try await database.write { db in
            let state = try Self.loadState(db)
            if state.serverURL != nil && (state.serverURL != serverURL || state.user != user) {
                let pending = try Self.pendingCount(db)
                if pending > 0 {
                    throw StoreError(
                        .pendingChanges,
                        "this store has \(pending) unsynced change(s) for \(state.user ?? "another user") on \(state.serverURL ?? "another server"); sync them first or use another --store")
                }
                try Self.wipe(db, keepOutbox: false)
            } else if let previous = state.deviceID, previous != deviceID {
                // Same reader, new device registration: pending changes carry the old device's
                // clock node, which the server would refuse. Re-stamp them for the new device.
                for row in try Row.fetchAll(db, sql: "SELECT mutationID, body FROM outbox") {
                    var mutation = try Self.decode(Mutation.self, row["body"])
                    mutation.hlc.node = deviceID
                    try db.execute(
                        sql: "UPDATE outbox SET body = ? WHERE mutationID = ?",
                        arguments: [try Self.json(mutation), row["mutationID"] as Int64])
                }
                if let clock = state.clock {
                    let restamped = HLC(wallMillis: clock.wallMillis, counter: clock.counter, node: deviceID)
                    try db.execute(sql: "UPDATE syncState SET clock = ? WHERE id = 1", arguments: [restamped.description])
                }
            }
            try db.execute(
                sql: """
                    UPDATE syncState SET serverURL = ?, user = ?, deviceID = ?, deviceName = ?, token = ? WHERE id = 1
                    """, arguments: [serverURL, user, deviceID, deviceName, token])
        }
    }

    /// Forgets the token; synced data and pending changes stay.
    public func clearToken() async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE syncState SET token = NULL WHERE id = 1")
        }
    }

    static func wipe(_ db: Database, keepOutbox: Bool) throws {
        try db.execute(sql: "DELETE FROM briefing")
        try db.execute(sql: "DELETE FROM editorialAnnotation")
        try db.execute(sql: "DELETE FROM userRecord")
        try db.execute(sql: "DELETE FROM searchDocument")
        try db.execute(sql: "DELETE FROM conflict")
        if !keepOutbox {
            // Bodies are kept by revision across a resync: the same revisions come back.
            try db.execute(sql: "DELETE FROM briefingBody")
            try db.execute(sql: "DELETE FROM outbox")
            try db.execute(sql: "DELETE FROM rejection")
            try db.execute(sql: "UPDATE syncState SET clock = NULL WHERE id = 1")
        }
        try db.execute(sql: "UPDATE syncState SET cursor = NULL, lastSyncAt = NULL WHERE id = 1")
    }

    /// Drops synced data and the cursor so the next pull starts from scratch; keeps the outbox.
    public func resetForResync() async throws {
        try await database.write { db in try Self.wipe(db, keepOutbox: true) }
    }
}

/// An error of the local store.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        case cannotOpen = "cannot_open"
        case notLoggedIn = "not_logged_in"
        case notFound = "not_found"
        case invalid = "invalid"
        case pendingChanges = "pending_changes"
        case rejected = "rejected"
        /// The briefing is in the store, its body is not: fetch it (`SyncClient.body(for:)`).
        case notDownloaded = "not_downloaded"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
