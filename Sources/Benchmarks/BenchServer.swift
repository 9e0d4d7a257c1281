import BriefingServer
import Foundation
import Logging
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

    /// Starts a server over `database`; `options` are further `serve` options (for a process),
    /// and `configuration` the same settings for one in this process.
    func start(
        database: String, log: String, options: [String] = [],
        configuration: SyncService.Configuration = .init(bcryptCost: 4, loginPolicy: .unlimited)
    ) async throws -> any BenchServer {
        switch self {
        case .process(let executable): try await ProcessServer.start(executable: executable, database: database, log: log, options: options)
        case .inProcess: try await InProcessServer.start(database: database, configuration: configuration)
        }
    }
}

/// `briefing-server serve` in a child process, on a free loopback port.
struct ProcessServer: BenchServer {
    let url: String
    let child: ChildProcess
    var pid: Int32? { child.pid }

    static func start(executable: String, database: String, log: String, options: [String] = []) async throws -> ProcessServer {
        let port = try freePort()
        let child = try ChildProcess.spawn(
            executable, ["briefing-server", "serve", "--host", "127.0.0.1", "--port", String(port), "--database", database] + options,
            log: log)
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
        let status = child.wait()
        // SIGTERM is a graceful shutdown: exit status 0.
        guard status == 0 else { throw BenchError("the server exited with status \(status)") }
    }
}

/// The same application in this process (no CPU or memory figures).
struct InProcessServer: BenchServer {
    let host: HTTPServerHost
    let store: any ServerStorage
    var url: String { host.url }
    var pid: Int32? { nil }

    static func start(database: String, configuration: SyncService.Configuration) async throws -> InProcessServer {
        var logger = Logger(label: "bench.server")
        logger.logLevel = .warning
        let store = try await ServerDatabase.open(database, logger: logger)
        let service = SyncService(store: store, configuration: configuration, logger: logger)
        do {
            return InProcessServer(host: try await HTTPServerHost.start(service: service, logger: logger), store: store)
        } catch {
            await store.close()
            throw error
        }
    }

    func stop() async throws {
        do {
            try await host.stop()
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}
