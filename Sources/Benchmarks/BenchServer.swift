import BriefingServer
import Foundation
import Logging
import ServiceLifecycle
import SyncServerCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A running sync server the workloads talk to over loopback HTTP.
protocol BenchServer: Sendable {
    var url: String { get }
    /// The server's process, when it runs in its own (for CPU and memory figures).
    var pid: Int32? { get }
    func stop() async throws
}

/// How the bench starts servers: as `briefing-server` processes (the real thing, for figures)
/// or in this process (for the `--quick` correctness run inside `swift test`).
public enum ServerMode: Sendable {
    /// Runs `executable briefing-server serve …` (the bench executable embeds the server command).
    case process(executable: String)
    case inProcess

    func start(database: String, log: String) async throws -> any BenchServer {
        switch self {
        case .process(let executable): try await ProcessServer.start(executable: executable, database: database, log: log)
        case .inProcess: try await InProcessServer.start(database: database)
        }
    }
}

/// `briefing-server serve` in a child process, on a free loopback port.
struct ProcessServer: BenchServer {
    let url: String
    let child: ChildProcess
    var pid: Int32? { child.pid }

    static func start(executable: String, database: String, log: String) async throws -> ProcessServer {
        let port = try freePort()
        let child = try ChildProcess.spawn(
            executable, ["briefing-server", "serve", "--host", "127.0.0.1", "--port", String(port), "--database", database], log: log)
        let server = ProcessServer(url: "http://127.0.0.1:\(port)", child: child)
        try await server.waitUntilHealthy()
        return server
    }

    func waitUntilHealthy() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: url + "/healthz")!),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        child.terminate()
        throw BenchError("the server at \(url) did not become healthy within 30 s")
    }

    func stop() async throws {
        child.terminate()
        let (status, _) = child.wait()
        // SIGTERM is a graceful shutdown: exit status 0.
        guard status == 0 else { throw BenchError("the server exited with status \(status)") }
    }
}

/// The same application in this process (no CPU or memory figures).
final class InProcessServer: BenchServer, @unchecked Sendable {
    let url: String
    var pid: Int32? { nil }
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(url: String, group: ServiceGroup, task: Task<Void, any Error>) {
        self.url = url
        self.group = group
        self.task = task
    }

    static func start(database: String) async throws -> InProcessServer {
        var logger = Logger(label: "bench.server")
        logger.logLevel = .warning
        let service = SyncService(store: try ServerStore(path: database), configuration: .init(bcryptCost: 4), logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try BriefingServerApp.application(
            service: service, host: "127.0.0.1", port: 0, logger: logger, onServerRunning: { continuation.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchError("the in-process server did not start") }
        return InProcessServer(url: "http://127.0.0.1:\(port)", group: group, task: task)
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
