import BriefingModel
import Foundation
import Logging
import Metrics
import _ConnectionPoolModule
import PostgresNIO
import Synchronization
import SyncServerCore

/// The store for several server nodes: the change log, accounts and devices in PostgreSQL.
///
/// Any number of nodes may open the same database; they share nothing else. How the
/// guarantees of `ServerStorage` hold here (see `Schemas/README.md`, "Several nodes"):
///
/// - **No change skipped.** A push or publish takes the log lock (a transaction-level
///   advisory lock) just before it allocates sequence numbers and holds it to its commit, so
///   numbers are allocated and become visible in the same order: a pull that has read `n`
///   can never later find a committed row below `n`. Reads and merge decisions happen before
///   the lock, concurrently across nodes; only the writes and the commit are serialised.
/// - **Pushes of one account are serialised** by a row lock on the account (`FOR UPDATE`),
///   taken first, so two nodes never merge into the same record at once.
/// - **Durable**: every session runs with `synchronous_commit = on`.
public final class PostgresServerStore: ServerStorage {
    public let url: DatabaseURL
    public var location: String { url.description }
    /// The pool's size.
    public let maxConnections: Int
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    /// Hears every node's commits: each push, publish or append with writes sends one
    /// `NOTIFY` on `channel` (PostgreSQL delivers it at commit, once per transaction), and a
    /// connection of this store `LISTEN`s. A wake carries no data; see `CommitSignal`.
    public let commitSignal: CommitSignal?
    /// The notification channel: one per schema, so deployments sharing a database do not wake each other.
    let channel: String
    private let listener = Mutex<Task<Void, Never>?>(nil)
    private let listeningFlag = LeaseFlag()

    /// Whether this store's connection is listening for commits now.
    public var isListening: Bool { listeningFlag.isSet }

    /// The log lock's key (`pg_advisory_xact_lock(bigint)`): "BRFLOG01" in ASCII.
    static let logLock: Int64 = 0x4252_464C_4F47_3031
    /// The key space of per-briefing publish locks (`pg_advisory_xact_lock(int, int)`).
    static let publishLockSpace: Int32 = 0x4252_4650
    /// The key of the migration lock.
    static let migrationLock: Int64 = 0x4252_464D_4947_5231

    /// Connects to `url` (a pool of up to `maxConnections`) and migrates the database.
    ///
    /// - Parameter create: whether a database without Briefings' tables may be set up; when
    ///   false, one is refused, so a mistyped URL says so instead of working on an empty one.
    public init(
        url: DatabaseURL, create: Bool = true, maxConnections: Int = 10, logger: Logger = Logger(label: "briefings.postgres")
    ) async throws {
        self.url = url
        self.logger = logger
        self.maxConnections = maxConnections
        commitSignal = CommitSignal()
        channel = "briefings_log" + (url.schema.map { "_" + $0 } ?? "")
        var configuration: PostgresClient.Configuration
        do {
            configuration = try url.configuration()
        } catch {
            throw SyncError(.storage, "cannot use \(url): \(error)")
        }
        configuration.options.maximumConnections = maxConnections
        // A connection on a healthy server takes milliseconds; waiting long for one only makes
        // every request slow while the database is away.
        configuration.options.connectTimeout = .seconds(3)
        // Acknowledged means committed to the WAL on disk, whatever the server's default.
        configuration.options.additionalStartupParameters = [("synchronous_commit", "on"), ("application_name", "briefing-server")]
        if let schema = url.schema { configuration.options.additionalStartupParameters.append(("search_path", schema)) }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        // The pool works only while `run()` runs; nothing is leased before it has begun.
        let (started, signal) = AsyncStream.makeStream(of: Void.self)
        runner = Task {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        await Task.yield()
        do {
            try await migrate(create: create)
        } catch {
            runner.cancel()
            throw Self.storageError(error, doing: "open the database at \(url)")
        }
        Gauge(label: "briefings_database_connections_max").record(Self.maxConnections.withLock { $0 += maxConnections; return $0 })
        startListening()
    }

    /// Keeps one connection listening for commits, reconnecting after a failure. Each time it
    /// (re)starts listening it wakes the waiters once, since commits may have gone unheard
    /// while it was away.
    private func startListening() {
        let client = client, channel = channel, signal = commitSignal, flag = listeningFlag, logger = logger
        let task = Task {
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: channel) { notifications in
                            flag.set()
                            signal?.notify()
                            for try await notification in notifications {
                                signal?.notify(scopes: Self.scopes(inPayload: notification.payload))
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.notice("listening for commits failed; trying again", metadata: ["error": "\(String(describing: error).prefix(200))"])
                }
                flag.clear()
                try? await Task.sleep(for: .seconds(1))
            }
        }
        listener.withLock { $0 = task }
    }

    /// The scopes a commit's notification names (a JSON array of scope keys); nil, waking
    /// everyone, for any other payload.
    static func scopes(inPayload payload: String) -> [String]? {
        try? JSONDecoder().decode([String].self, from: Data(payload.utf8))
    }

    /// The notification payload for writes to `scopes`.
    static func payload(_ scopes: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(scopes), as: UTF8.self)) ?? ""
    }

    public func close() async {
        listener.withLock { $0 }?.cancel()
        Gauge(label: "briefings_database_connections_max").record(Self.maxConnections.withLock { $0 -= maxConnections; return $0 })
        runner.cancel()
        _ = await runner.result
    }

    deinit {
        listener.withLock { $0 }?.cancel()
        runner.cancel()
    }

    // MARK: Errors and transactions

    /// A database failure as the service reports it: what was being done, in the server's
    /// words. Anything else (a refusal a decision threw, an import that lost a race) is not the
    /// database's and comes out as it was thrown.
    static func storageError(_ error: any Error, doing what: String) -> any Error {
        // No connection to be had (PostgreSQL down or restarting, the pool backing off): the
        // client may try again soon, here or on another node.
        if error is ConnectionPoolError || isTransient(error) {
            return unavailable((error as? PSQLError).flatMap { $0.serverInfo?[.message] } ?? "no connection to the database")
        }
        if let error = error as? PSQLError {
            return SyncError(.storage, "cannot \(what): \(error.serverInfo?[.message] ?? "\(error.code)")")
        }
        return error
    }

    /// The answer while the database cannot be reached.
    static func unavailable(_ detail: String) -> SyncError {
        SyncError(.unavailable, "the server cannot reach its database (\(detail)); try again shortly", retryAfter: 5)
    }

    /// Whether a failed transaction may simply run again: a deadlock or serialization
    /// failure, or a connection that broke (PostgreSQL restarted, or the network blinked).
    ///
    /// Running again is safe even when a broken connection hides whether the commit landed:
    /// a push is idempotent by mutation ID, a publish refuses a revision that moved on, and
    /// an account that exists is refused by name.
    static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .serverClosedConnection, .connectionError, .uncleanShutdown, .clientClosedConnection: return true
        default: break
        }
        guard let state = error.serverInfo?[.sqlState] else { return false }
        // 40001 serialization failure, 40P01 deadlock, 08… connection exceptions,
        // 57P01–57P03 the server shutting down or starting up.
        return state == "40001" || state == "40P01" || state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
    }

    /// An operation that fails transiently runs again, with waits of 50 ms doubling, until it
    /// has been trying for this long: enough to ride out a restart of PostgreSQL, short enough
    /// that a request fails plainly when the database is gone.
    static let retryFor: Duration = .seconds(3)

    /// Connections leased from this process's pools (`briefings_database_connections_in_use`),
    /// beside the pools' size (`briefings_database_connections_max`).
    static let leased = Mutex(0)
    static func recordInUse(_ count: Int) { Gauge(label: "briefings_database_connections_in_use").record(count) }
    static let maxConnections = Mutex(0)

    /// How long a request waits for a connection before it is answered `unavailable`. While
    /// PostgreSQL is away the pool keeps trying to connect; a request should not wait with it.
    static let leaseTimeout: Duration = .seconds(5)

    /// Leases a connection for `body`, counted in the pool gauge; gives up when none comes
    /// within `leaseTimeout` (the body, once it has one, runs as long as it needs).
    func withConnection<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let leased = LeaseFlag()
        let client = self.client
        // The group waits for its tasks, so `body` does not outlive this call.
        return try await withoutActuallyEscaping(body) { body in
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        leased.set()
                        Self.recordInUse(Self.leased.withLock { $0 += 1; return $0 })
                        defer { Self.recordInUse(Self.leased.withLock { $0 -= 1; return $0 }) }
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: Self.leaseTimeout)
                    guard leased.isSet else { throw Self.unavailable("no connection within 5 s") }
                    return nil
                }
                while let result = try await group.next() {
                    if let value = result {
                        group.cancelAll()
                        return value
                    }
                }
                throw SyncError(.storage, "a database operation ended without an answer")
            }
        }
    }

    /// Runs `operation` again while it fails transiently, with growing waits.
    func retrying<T: Sendable>(_ what: String, _ operation: @Sendable () async throws -> T) async throws -> T {
        var attempt = 0
        let clock = ContinuousClock()
        let start = clock.now
        while true {
            attempt += 1
            do {
                return try await operation()
            } catch where Self.isTransient(error) && clock.now - start < Self.retryFor {
                logger.notice("database operation failed; retrying", metadata: ["operation": "\(what)", "attempt": "\(attempt)"])
                try await Task.sleep(for: .milliseconds(50 << min(attempt - 1, 5)))
            } catch {
                throw Self.storageError(error, doing: what)
            }
        }
    }

    /// Runs `body` in a transaction on one connection, running it again when that is safe
    /// (see `isTransient`); the body's own errors come out as thrown.
    func transaction<T: Sendable>(_ what: String, _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await retrying(what) {
            try await withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    /// Runs one statement outside a transaction (a read, or a single write).
    @discardableResult
    func run<T: Sendable>(_ what: String, _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await retrying(what) {
            try await withConnection { connection in try await body(connection) }
        }
    }

    // MARK: Migrations

    func migrate(create: Bool) async throws {
        try await transaction("migrate the database") { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            if create, let schema = url.schema {
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger)
            }
            if !create {
                var exists = false
                for try await found in try await connection.query("SELECT to_regclass('schema_migration') IS NOT NULL", logger: logger)
                    .decode(Bool.self)
                {
                    exists = found
                }
                guard exists else {
                    throw SyncError(.storage, "\(url) has no Briefings tables (`serve` and `user add` set a database up)")
                }
            }
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                logger: logger)
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM schema_migration", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            let known = Set(PostgresSchema.migrations.map(\.name))
            if let unknown = applied.subtracting(known).sorted().first {
                throw SyncError(.storage, "the database has migration \(unknown), which this server does not know; run a newer server")
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                if migration.name == "v3-publications" { try await Self.moveContentIntoPublications(connection, logger: logger) }
                if migration.name == "v6-briefing-metadata" { try await Self.storeBriefingMetadata(connection, logger: logger) }
                try await connection.query("INSERT INTO schema_migration (name) VALUES (\(migration.name))", logger: logger)
                logger.info("migration applied", metadata: ["migration": "\(migration.name)"])
            }
            let epoch = StableHash.hex(of: [UUID().uuidString], length: 12)
            try await connection.query(
                "INSERT INTO meta (key, value) VALUES ('epoch', \(epoch)), ('horizon', '0'), ('cursor_secret', \(LogMeta.newCursorSecret())) ON CONFLICT (key) DO NOTHING",
                logger: logger)
        }
    }

    /// Gives each briefing and its editorial layer its publication's key, as the store writes
    /// it from now on (`Publication.key(for:)`, which SQL does not have).
    /// Every briefing's metadata, live or withdrawn (a restore brings it back), from its body.
    static func storeBriefingMetadata(_ connection: PostgresConnection, logger: Logger) async throws {
        var metas: [(id: String, meta: String)] = []
        for try await (id, body) in try await connection.query(
            "SELECT id, body FROM record WHERE owner = '' AND kind = 'briefing' AND body <> '{}'", logger: logger
        ).decode((String, String).self) {
            metas.append((id, try CanonicalJSON.text(try CanonicalJSON.decode(Briefing.self, body).metadata)))
        }
        for (id, meta) in metas {
            try await connection.query(
                "UPDATE record SET meta = \(meta) WHERE owner = '' AND kind = 'briefing' AND id = \(id)", logger: logger)
        }
    }

    static func moveContentIntoPublications(_ connection: PostgresConnection, logger: Logger) async throws {
        var briefings: [(id: String, key: String)] = []
        for try await (id, publication) in try await connection.query(
            "SELECT id, (body::jsonb) ->> 'publication' FROM record WHERE owner = '' AND kind = 'briefing'", logger: logger
        ).decode((String, String?).self) {
            let key = Publication.key(for: publication)
            if !key.isEmpty { briefings.append((id, key)) }
        }
        guard !briefings.isEmpty else { return }
        let ids = briefings.map(\.id), keys = briefings.map(\.key)
        try await connection.query(
            """
            UPDATE record SET topic = m.key FROM unnest(\(ids)::text[], \(keys)::text[]) AS m(id, key)
            WHERE record.owner = '' AND ((record.kind = 'briefing' AND record.id = m.id)
              OR (record.kind = 'editorialAnnotation' AND (record.body::jsonb) ->> 'briefingID' = m.id))
            """, logger: logger)
    }

    /// Drops the URL's schema with everything in it (a lab run's, when it is over).
    public func dropSchema() async throws {
        guard let schema = url.schema else { throw SyncError(.storage, "\(url) names no schema to drop") }
        try await run("drop schema \(schema)") { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"), logger: logger)
        }
    }

    /// The names of the migrations applied, in order.
    public func appliedMigrations() async throws -> [String] {
        try await run("read the migrations") { connection in
            var names: [String] = []
            for try await name in try await connection.query("SELECT name FROM schema_migration ORDER BY applied_at, name", logger: logger)
                .decode(String.self)
            {
                names.append(name)
            }
            return names
        }
    }

    // MARK: The change log

    static let metaSQL = """
        SELECT (SELECT value FROM meta WHERE key = 'epoch'),
               (SELECT value FROM meta WHERE key = 'horizon')::bigint,
               COALESCE((SELECT max(seq) FROM record), 0),
               COALESCE((SELECT value FROM meta WHERE key = 'cursor_secret'), '')
        """

    static func meta(_ connection: PostgresConnection, logger: Logger) async throws -> LogMeta {
        for try await (epoch, horizon, newest, secret) in try await connection.query(PostgresQuery(unsafeSQL: metaSQL), logger: logger)
            .decode((String, Int64, Int64, String).self)
        {
            return LogMeta(epoch: epoch, horizon: horizon, newest: max(newest, horizon), cursorSecret: secret)
        }
        throw SyncError(.storage, "the database has no log metadata")
    }

    public func meta() async throws -> LogMeta {
        try await run("read the log") { connection in try await Self.meta(connection, logger: logger) }
    }

    /// One statement, so one snapshot: the meta and the next rows of each branch (each read
    /// in seq order from its position through `record_owner_topic_seq`, or `record_owner_seq`
    /// for all content, then merged). The rows stream in, and the page stops at its byte budget.
    public func page(
        branches: [PageBranch], limit: Int, maxBytes: Int, metadataOnly: Bool, check: @Sendable (LogMeta) throws -> Void
    ) async throws -> LogPage {
        // A briefing's metadata in place of its body, when asked for and stored.
        let columns = metadataOnly
            ? "kind, id, seq, deleted, coalesce(meta, body) AS body, origin, record.topic, record.owner, meta IS NOT NULL AS is_metadata"
            : "kind, id, seq, deleted, body, origin, record.topic, record.owner, false AS is_metadata"
        return try await run("read the log") { connection in
            var owners: [String] = [], topics: [String] = [], afters: [Int64] = [], indexes: [Int64] = []
            var anyOwners: [String] = [], anyAfters: [Int64] = [], anyIndexes: [Int64] = []
            for (index, branch) in branches.enumerated() {
                let (owner, topic) = branch.scope.stored
                if let topic {
                    owners.append(owner)
                    topics.append(topic)
                    afters.append(branch.after)
                    indexes.append(Int64(index))
                } else {
                    anyOwners.append(owner)
                    anyAfters.append(branch.after)
                    anyIndexes.append(Int64(index))
                }
                if branch.scope == .published || branch.scope.publication != nil {
                    // What left the scope, read with it.
                    anyOwners.append(Scope.departures(from: branch.scope).key)
                    anyAfters.append(branch.after)
                    anyIndexes.append(Int64(index))
                }
            }
            let rows = try await connection.query(
                """
                WITH m AS (\(unescaped: Self.metaSQL))
                SELECT m.*, r.kind, r.id, r.seq, r.deleted, r.body, r.origin, r.topic, r.owner, r.branch, r.is_metadata FROM m LEFT JOIN (
                  SELECT * FROM (
                    SELECT l.* FROM unnest(\(owners)::text[], \(topics)::text[], \(afters)::bigint[], \(indexes)::bigint[])
                      AS s(owner, topic, after, branch) CROSS JOIN LATERAL (
                      SELECT \(unescaped: columns), s.branch FROM record
                      WHERE record.owner = s.owner AND record.topic = s.topic AND record.seq > s.after ORDER BY record.seq LIMIT \(limit + 1)
                    ) l
                    UNION ALL
                    SELECT l.* FROM unnest(\(anyOwners)::text[], \(anyAfters)::bigint[], \(anyIndexes)::bigint[])
                      AS s(owner, after, branch) CROSS JOIN LATERAL (
                      SELECT \(unescaped: columns), s.branch FROM record
                      WHERE record.owner = s.owner AND record.seq > s.after ORDER BY record.seq LIMIT \(limit + 1)
                    ) l
                  ) b ORDER BY b.seq, b.branch LIMIT \(limit + 1)
                ) r ON true ORDER BY r.seq, r.branch
                """, logger: logger)
            var meta: LogMeta?
            var page: [LogRow] = []
            var bytes = 0
            var hasMore = false
            for try await (epoch, horizon, newest, secret, kind, id, rowSeq, deleted, body, origin, topic, owner, branch, isMetadata)
                in rows.decode(
                    (String, Int64, Int64, String, String?, String?, Int64?, Bool?, String?, String?, String?, String?, Int64?, Bool?).self)
            {
                if meta == nil {
                    let read = LogMeta(epoch: epoch, horizon: horizon, newest: max(newest, horizon), cursorSecret: secret)
                    try check(read)
                    meta = read
                }
                guard let kind, let id, let rowSeq, let deleted, let body, let branch else { break }
                if page.count == limit || (!page.isEmpty && bytes + body.utf8.count > maxBytes) {
                    hasMore = true
                    break
                }
                page.append(
                    LogRow(
                        kind: kind, id: id, seq: rowSeq, deleted: deleted, body: body, origin: origin, branch: Int(branch), topic: topic ?? "",
                        departure: owner?.hasPrefix("-") ?? false, isMetadata: isMetadata ?? false))
                bytes += body.utf8.count
            }
            guard let meta else { throw SyncError(.storage, "the database has no log metadata") }
            return LogPage(meta: meta, rows: page, hasMore: hasMore, bytes: bytes)
        }
    }

    public func push(
        principal: Principal, keys: PushKeys, now: Date, decide: @Sendable (PushSnapshot) throws -> PushPlan
    ) async throws -> PushPlan {
        try await transaction("store the push") { connection in
            // The account's lock first: every push of this account waits here for the one
            // before it to commit, then reads what it wrote.
            var last: Int64?
            for try await value in try await connection.query(
                """
                SELECT d.last_mutation_id FROM device d JOIN account a ON a.id = d.account_id
                WHERE d.id = \(principal.deviceID) AND a.id = \(principal.accountID) AND d.revoked_at IS NULL
                FOR UPDATE
                """, logger: logger
            ).decode(Int64.self) {
                last = value
            }
            var rejections: [Int64: (reason: String, message: String)] = [:]
            var records: [RecordKey: UserRecord] = [:]
            var positions: [RecordKey: LogPosition] = [:]
            var foreign: Set<RecordKey> = []
            var live: Set<String> = []
            if let last {
                // Everything else the decision needs, in one statement (so one round trip),
                // begun after the account's lock is held: what the push before it wrote is in.
                let kinds = keys.records.map(\.kind.rawValue), ids = keys.records.map(\.id)
                let foreignKinds = keys.foreignCheck.map(\.kind.rawValue), foreignIDs = keys.foreignCheck.map(\.id)
                let upper = min(keys.mutationIDs.upperBound, last)
                for try await (tag, first, second, third, seq, origin) in try await connection.query(
                    """
                    SELECT 'r', r.kind, r.id, r.body, r.seq, r.origin FROM unnest(\(kinds)::text[], \(ids)::text[]) AS k(kind, id)
                      JOIN record r ON r.owner = \(principal.accountID) AND r.kind = k.kind AND r.id = k.id
                    UNION ALL
                    SELECT DISTINCT 'f', r.kind, r.id, NULL, NULL::bigint, NULL FROM unnest(\(foreignKinds)::text[], \(foreignIDs)::text[]) AS k(kind, id)
                      JOIN record r ON r.kind = k.kind AND r.id = k.id AND r.owner <> \(principal.accountID)
                    UNION ALL
                    SELECT 'b', id, NULL, NULL, NULL, NULL FROM record
                      WHERE owner = '' AND kind = 'briefing' AND NOT deleted AND id = ANY(\(keys.briefingIDs)::text[])
                    UNION ALL
                    SELECT 'x', mutation_id::text, reason, message, NULL, NULL FROM rejected_mutation
                      WHERE device_id = \(principal.deviceID) AND mutation_id BETWEEN \(keys.mutationIDs.lowerBound) AND \(upper)
                    """, logger: logger
                ).decode((String, String, String?, String?, Int64?, String?).self) {
                    switch tag {
                    case "r":
                        guard let kind = EntityKind(rawValue: first), let id = second, let body = third, let seq else { continue }
                        records[RecordKey(kind, id)] = try CanonicalJSON.decode(UserRecord.self, body)
                        positions[RecordKey(kind, id)] = LogPosition(seq: seq, origin: origin)
                    case "f":
                        if let kind = EntityKind(rawValue: first), let id = second { foreign.insert(RecordKey(kind, id)) }
                    case "b":
                        live.insert(first)
                    default:
                        if let id = Int64(first), let reason = second, let message = third { rejections[id] = (reason, message) }
                    }
                }
            }
            let plan = try decide(
                PushSnapshot(
                    lastMutationID: last, rejections: rejections, records: records, positions: positions, foreign: foreign,
                    liveBriefings: live))
            // The device's position and its new refusals, in one statement.
            let refused = plan.rejections.map(\.mutationID), reasons = plan.rejections.map(\.reason)
            let messages = plan.rejections.map(\.message)
            try await connection.query(
                """
                WITH moved AS (UPDATE device SET last_mutation_id = \(plan.lastMutationID) WHERE id = \(principal.deviceID))
                INSERT INTO rejected_mutation (device_id, mutation_id, reason, message)
                SELECT \(principal.deviceID), * FROM unnest(\(refused)::bigint[], \(reasons)::text[], \(messages)::text[])
                """, logger: logger)
            try await Self.write(plan.writes, at: now, on: connection, channel: channel, logger: logger)
            return plan
        }
    }

    /// Takes the log lock, then writes each record's new state at the next sequence numbers,
    /// in order, and queues the commit's notification, in one statement: it starts after the
    /// lock is held, so the highest number it reads is final. The lock is held until the
    /// transaction ends.
    static func write(
        _ writes: [RecordWrite], at now: Date, on connection: PostgresConnection, channel: String, logger: Logger
    ) async throws {
        guard !writes.isEmpty else { return }
        try await connection.query("SELECT pg_advisory_xact_lock(\(logLock))", logger: logger)
        let changed = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        let owners = writes.map(\.scope.stored.owner), topics = writes.map { $0.scope.stored.topic ?? "" }
        let kinds = writes.map(\.key.kind.rawValue), ids = writes.map(\.key.id)
        let deleted = writes.map(\.deleted), bodies = writes.map(\.body), ifAbsent = writes.map(\.ifAbsent)
        // No device ID is empty: '' stands for no origin in the array.
        let origins = writes.map { $0.origin ?? "" }
        // Nor is any metadata: '' stands for none.
        let metas = writes.map { $0.meta ?? "" }
        try await connection.query(
            """
            WITH base AS (
              SELECT GREATEST(COALESCE((SELECT max(seq) FROM record), 0), (SELECT value FROM meta WHERE key = 'horizon')::bigint) AS seq
            ), w AS (
              SELECT o, t, k, i, d, b, a, NULLIF(g, '') AS g, NULLIF(x, '') AS x, base.seq + n AS s FROM base, unnest(
                \(owners)::text[], \(topics)::text[], \(kinds)::text[], \(ids)::text[], \(deleted)::boolean[], \(bodies)::text[],
                \(ifAbsent)::boolean[], \(origins)::text[], \(metas)::text[]
              ) WITH ORDINALITY AS u(o, t, k, i, d, b, a, g, x, n)
            ), upserted AS (
              INSERT INTO record (owner, topic, kind, id, seq, deleted, body, changed_at, origin, meta)
              SELECT o, t, k, i, s, d, b, \(changed), g, x FROM w WHERE NOT a
              ON CONFLICT (owner, kind, id) DO UPDATE
                SET topic = excluded.topic, seq = excluded.seq, deleted = excluded.deleted, body = excluded.body,
                    changed_at = excluded.changed_at, origin = excluded.origin, meta = excluded.meta
            ), inserted AS (
              INSERT INTO record (owner, topic, kind, id, seq, deleted, body, changed_at, origin, meta)
              SELECT o, t, k, i, s, d, b, \(changed), g, x FROM w WHERE a
              ON CONFLICT (owner, kind, id) DO NOTHING
            )
            -- Delivered to every listening node when the transaction commits, never before;
            -- it names the scopes written, so a node wakes only the pulls that read them.
            SELECT pg_notify(\(channel), \(Self.payload(SyncKernel.scopes(of: writes))))
            """, logger: logger)
    }

    public func publish(briefingID: String, now: Date, decide: @Sendable (PublishSnapshot) throws -> PublishPlan) async throws {
        try await transaction("publish \(briefingID)") { connection in
            try await connection.query(
                "SELECT pg_advisory_xact_lock(\(Self.publishLockSpace), hashtext(\(briefingID)))", logger: logger)
            var current: Briefing?
            for try await body in try await connection.query(
                "SELECT body FROM record WHERE owner = '' AND kind = 'briefing' AND id = \(briefingID) AND NOT deleted", logger: logger
            ).decode(String.self) {
                current = try CanonicalJSON.decode(Briefing.self, body)
            }
            var editorial: [(id: String, body: String, byEditor: Bool)] = []
            for try await (id, body, origin) in try await connection.query(
                """
                SELECT id, body, (body::jsonb) ->> 'origin' FROM record WHERE owner = '' AND kind = 'editorialAnnotation' AND NOT deleted
                AND ((body::jsonb) ->> 'briefingID') = \(briefingID) ORDER BY id
                """, logger: logger
            ).decode((String, String, String?).self) {
                editorial.append((id, body, origin == EditorialOrigin.editor.rawValue))
            }
            let plan = try decide(
                PublishSnapshot(currentRevision: current?.revision.number, currentPublication: current?.publication, editorial: editorial))
            try await Self.write(plan.writes, at: now, on: connection, channel: channel, logger: logger)
            if let source = plan.source {
                try await connection.query(
                    """
                    INSERT INTO source (briefing_id, revision_number, revision_id, file_name, source_url, raw, report, imported_at)
                    VALUES (\(source.briefingID), \(source.revisionNumber), \(source.revisionID), \(source.fileName), \(source.sourceURL),
                      \(source.raw), \(source.report), \(Timestamp.text(source.importedAt)))
                    ON CONFLICT (briefing_id, revision_number) DO UPDATE SET revision_id = excluded.revision_id,
                      file_name = excluded.file_name, source_url = excluded.source_url, raw = excluded.raw, report = excluded.report,
                      imported_at = excluded.imported_at
                    """, logger: logger)
            }
        }
    }

    public func append(_ writes: [RecordWrite], now: Date) async throws {
        try await transaction("write to the log") { connection in
            try await Self.write(writes, at: now, on: connection, channel: channel, logger: logger)
        }
    }

    public func compact(before cutoff: Date) async throws -> Compaction {
        let cutoffMillis = Int64((cutoff.timeIntervalSince1970 * 1000).rounded(.down))
        return try await transaction("compact the log") { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.logLock))", logger: logger)
            var horizon = try await Self.meta(connection, logger: logger).horizon
            var removed = 0
            var newest: Int64?
            for try await seq in try await connection.query(
                // Withdrawn content (deleted with its body kept) stays, to be restored.
                "DELETE FROM record WHERE deleted AND changed_at < \(cutoffMillis) AND NOT (owner = '' AND body <> '{}') RETURNING seq",
                logger: logger
            ).decode(Int64.self) {
                removed += 1
                newest = max(newest ?? seq, seq)
            }
            guard let newest else { return Compaction(removed: 0, horizon: horizon) }
            horizon = max(horizon, newest)
            try await connection.query("UPDATE meta SET value = \(String(horizon)) WHERE key = 'horizon'", logger: logger)
            return Compaction(removed: removed, horizon: horizon)
        }
    }

    public func setWithdrawn(briefingID: String, _ withdrawn: Bool, now: Date) async throws -> [RecordWrite]? {
        try await transaction("withdraw or restore \(briefingID)") { connection in
            try await connection.query(
                "SELECT pg_advisory_xact_lock(\(Self.publishLockSpace), hashtext(\(briefingID)))", logger: logger)
            var writes: [RecordWrite] = []
            var found = false
            for try await (kind, id, topic, body, meta) in try await connection.query(
                """
                SELECT kind, id, topic, body, meta FROM record WHERE owner = '' AND deleted = \(!withdrawn) AND body <> '{}'
                  AND ((kind = 'briefing' AND id = \(briefingID))
                    OR (kind = 'editorialAnnotation' AND (body::jsonb) ->> 'briefingID' = \(briefingID)))
                ORDER BY kind COLLATE "C", id COLLATE "C"
                """, logger: logger
            ).decode((String, String, String, String, String?).self) {
                guard let kind = EntityKind(rawValue: kind) else { throw SyncError(.storage, "unknown kind in the change log") }
                if kind == .briefing { found = true }
                writes.append(
                    RecordWrite(
                        scope: topic.isEmpty ? .published : .publication(topic), key: RecordKey(kind, id), deleted: withdrawn, body: body,
                        meta: meta))
            }
            guard found else { return nil }
            try await Self.write(writes, at: now, on: connection, channel: channel, logger: logger)
            return writes
        }
    }

    public func rows(in scope: Scope, kinds: Set<EntityKind>?) async throws -> [LogRow] {
        let (owner, topic) = scope.stored
        let wanted = (kinds ?? Set(EntityKind.allCases)).map(\.rawValue)
        return try await run("read records") { connection in
            var rows: [LogRow] = []
            for try await (kind, id, seq, deleted, body) in try await connection.query(
                """
                SELECT kind, id, seq, deleted, body FROM record
                WHERE owner = \(owner) AND (\(topic)::text IS NULL OR topic = \(topic))
                  AND kind = ANY(\(wanted)::text[])
                ORDER BY kind COLLATE "C", id COLLATE "C"
                """, logger: logger
            ).decode((String, String, Int64, Bool, String).self) {
                rows.append(LogRow(kind: kind, id: id, seq: seq, deleted: deleted, body: body))
            }
            return rows
        }
    }

    public func newestBriefings(topics: [String]?, limit: Int) async throws -> [String] {
        let all = topics == nil
        let keys = topics ?? []
        return try await run("read the newest briefings") { connection in
            var metas: [String] = []
            // Stepped newest first through `record_briefing_published`, stopping at `limit`.
            for try await meta in try await connection.query(
                """
                SELECT meta FROM record
                WHERE kind = 'briefing' AND owner = '' AND NOT deleted AND meta IS NOT NULL
                  AND (\(all) OR topic = ANY(\(keys)::text[]))
                ORDER BY (((meta::jsonb) -> 'revision') ->> 'publishedAt') DESC NULLS LAST LIMIT \(limit)
                """, logger: logger
            ).decode(String.self) {
                metas.append(meta)
            }
            return metas
        }
    }

    public func checkpoint() async throws {}
}

/// Whether a lease came through.
final class LeaseFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    func clear() { value.withLock { $0 = false } }
    var isSet: Bool { value.withLock { $0 } }
}
