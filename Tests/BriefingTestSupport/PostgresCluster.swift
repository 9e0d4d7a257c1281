import BriefingServer
import Foundation
import Synchronization
import SyncServerCore

/// A throwaway PostgreSQL cluster for the tests: `initdb` into a temporary directory, then
/// `postgres` listening only on a Unix socket in that directory (no TCP port, so nothing to
/// race other processes for). One cluster serves the whole test process, each test in a
/// database of its own, and it is stopped when the process exits.
///
/// When the tests run as root, the cluster runs as the `postgres` user (PostgreSQL refuses
/// root). Without PostgreSQL's server programs, `shared()` throws an error that says how to
/// install them: a test that needs the cluster then fails; it never skips.
public final class PostgresCluster: Sendable {
    /// The directory holding the cluster's socket.
    public let socketDirectory: String
    /// The port number in the socket's name.
    public let port = 5432
    let root: String
    let binaries: String
    let asUser: String?
    private let databases = Mutex(0)

    private static let instance = Mutex<PostgresCluster?>(nil)
    private static let starting = Mutex(false)

    /// Why the cluster cannot start.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The cluster of this test process, started on first use.
    public static func shared() async throws -> PostgresCluster {
        while true {
            if let cluster = instance.withLock({ $0 }) { return cluster }
            let mine = starting.withLock { busy in
                if busy { return false }
                busy = true
                return true
            }
            if mine {
                defer { starting.withLock { $0 = false } }
                let cluster = try await offPool { try PostgresCluster() }
                instance.withLock { $0 = cluster }
                atexit { PostgresCluster.stopShared() }
                return cluster
            }
            // Another test is starting it: wait for that, without spinning.
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// A cluster of the caller's own (to stop and start without disturbing other tests);
    /// `remove()` it when done.
    public static func make() async throws -> PostgresCluster { try await offPool { try PostgresCluster() } }

    /// Stops the cluster and removes its files.
    public func remove() {
        _ = try? pgctl(["stop", "-m", "immediate"])
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Stops the shared cluster (at process exit).
    static func stopShared() {
        instance.withLock({ $0 })?.remove()
    }

    private init() throws {
        binaries = try Self.findBinaries()
        asUser = getuid() == 0 ? "postgres" : nil
        root = FileManager.default.temporaryDirectory.appendingPathComponent("briefings-pg-\(UUID().uuidString.prefix(8))").path
        socketDirectory = root + "/socket"
        try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        chmod(root, 0o700)
        if let asUser {
            let (status, output) = try Self.run("/usr/bin/chown", ["-R", asUser, root])
            guard status == 0 else { throw Unavailable(description: "cannot give \(root) to \(asUser): \(output)") }
        }
        let initdb = try run(
            "\(binaries)/initdb", ["-D", root + "/data", "-U", "briefings", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"])
        guard initdb.status == 0 else { throw Unavailable(description: "initdb failed: \(initdb.output)") }
        try startBlocking()
    }

    /// Runs blocking work (a PostgreSQL program, waited for) on a thread of its own, never on
    /// Swift's small shared pool, whose threads the servers under test need.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// Starts the server and waits until it accepts connections (`pg_ctl -w`).
    ///
    /// `fsync = off` keeps the tests quick; a crash of PostgreSQL itself (an immediate stop)
    /// still loses nothing committed, since the WAL it wrote is in the operating system's
    /// cache. `synchronous_commit` stays on, as the store asks.
    public func start() async throws {
        try await Self.offPool { try self.startBlocking() }
    }

    func startBlocking() throws {
        let options = [
            "-k", socketDirectory, "-p", String(port), "-c", "listen_addresses=", "-c", "fsync=off", "-c", "full_page_writes=off",
            "-c", "max_connections=300", "-c", "shared_buffers=64MB",
        ].joined(separator: " ")
        let result = try pgctl(["start", "-w", "-t", "120", "-l", root + "/server.log", "-o", options])
        guard result.status == 0 else {
            let log = (try? String(contentsOfFile: root + "/server.log", encoding: .utf8)) ?? ""
            throw Unavailable(description: "PostgreSQL did not start: \(result.output)\n\(log.suffix(2000))")
        }
    }

    /// Stops the server: `immediate` is a crash (no checkpoint, recovery on the next start),
    /// otherwise a clean shutdown.
    public func stop(immediate: Bool) async throws {
        let result = try await Self.offPool { try self.pgctl(["stop", "-w", "-m", immediate ? "immediate" : "fast"]) }
        guard result.status == 0 else { throw Unavailable(description: "PostgreSQL did not stop: \(result.output)") }
    }

    /// A new, empty database, as a URL for `--database`.
    public func createDatabase() async throws -> String {
        let name = "t\(databases.withLock { $0 += 1; return $0 })_\(UUID().uuidString.prefix(8).lowercased())"
        let result = try await Self.offPool {
            try self.run("\(self.binaries)/createdb", ["-h", self.socketDirectory, "-p", String(self.port), "-U", "briefings", name])
        }
        guard result.status == 0 else { throw Unavailable(description: "createdb failed: \(result.output)") }
        return url(database: name)
    }

    /// The URL of `database` on this cluster.
    public func url(database: String) -> String {
        "postgres://briefings@localhost:\(port)/\(database)?host=\(socketDirectory)"
    }

    /// Runs SQL with `psql` and returns what it printed (unaligned, tuples only).
    public func psql(_ sql: String, database: String) async throws -> String {
        let result = try await Self.offPool {
            try self.run(
                "/usr/bin/psql",
                ["-h", self.socketDirectory, "-p", String(self.port), "-U", "briefings", "-d", database, "-X", "-A", "-t", "-c", sql])
        }
        guard result.status == 0 else { throw Unavailable(description: "psql failed: \(result.output)") }
        return result.output
    }

    func pgctl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try run("\(binaries)/pg_ctl", ["-D", root + "/data"] + arguments)
    }

    /// Runs a PostgreSQL program, as the cluster's user.
    func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        if let asUser { return try Self.run("/usr/sbin/runuser", ["-u", asUser, "--", program] + arguments) }
        return try Self.run(program, arguments)
    }

    /// Runs a program to its end and returns its status and what it printed.
    ///
    /// With `posix_spawn` and `waitpid` rather than `Process`: `pg_ctl start` leaves the server
    /// running with the descriptors it inherited, and `Process` waits for those to close too.
    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("pg-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([program] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = (argv + [nil]).withUnsafeBufferPointer { pointer in
            posix_spawn(&pid, program, &actions, nil, UnsafeMutablePointer(mutating: pointer.baseAddress!), environ)
        }
        guard spawned == 0 else { throw Unavailable(description: "cannot run \(program): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// The directory of `initdb`, `pg_ctl` and `postgres`: Debian's newest
    /// `/usr/lib/postgresql/N/bin`, else the `PATH`.
    static func findBinaries() throws -> String {
        let debian = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: debian)) ?? []).compactMap(Int.init).sorted(by: >)
        for version in versions where FileManager.default.isExecutableFile(atPath: "\(debian)/\(version)/bin/initdb") {
            return "\(debian)/\(version)/bin"
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(directory)/initdb") && FileManager.default.isExecutableFile(atPath: "\(directory)/pg_ctl") {
            return String(directory)
        }
        throw Unavailable(
            description:
                "PostgreSQL's server programs (initdb, pg_ctl, postgres) are not installed, so the PostgreSQL tests cannot run; install them with `apt-get install postgresql` (bash .ci/run does)"
        )
    }
}

/// The stores the server runs on, for tests that must hold on each.
public enum TestStore: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }

    /// A new, empty store of this kind, opened.
    public func makeStore() async throws -> any ServerStorage {
        try await ServerDatabase.open(try await makeDatabase(), fsync: false)
    }

    /// A new, empty database of this kind, as a `--database` value.
    public func makeDatabase() async throws -> String {
        switch self {
        case .sqlite: return TemporaryDirectory.make().appendingPathComponent("server.sqlite").path
        case .postgres: return try await PostgresCluster.shared().createDatabase()
        }
    }
}
