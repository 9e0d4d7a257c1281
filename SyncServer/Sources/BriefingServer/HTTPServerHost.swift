import Foundation
import Logging
import ServiceLifecycle
import SyncServerCore

/// The server application running inside this process on a loopback port, for programs that
/// drive a real server directly: the lab's `--http` runs, the benchmarks' quick mode, tests.
public final class HTTPServerHost: Sendable {
    /// The port it listens on.
    public let port: Int
    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Starts serving `service` on 127.0.0.1:`port` (0 picks a free port) and returns once it listens.
    public static func start(
        service: SyncService, port: Int = 0, limits: HTTPLimits = .init(), logger: Logger
    ) async throws -> HTTPServerHost {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try BriefingServerApp.application(
            service: service, host: "127.0.0.1", port: port, limits: limits, logger: logger,
            onServerRunning: { continuation.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        // Owned: `stop()` shuts the group down and awaits this task.
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let actual = await iterator.next() else {
            task.cancel()
            throw ServerStartError()
        }
        return HTTPServerHost(port: actual, group: group, task: task)
    }

    /// Shuts the server down gracefully and waits until it has; rethrows what stopped it otherwise.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// The in-process server stopped before it listened.
public struct ServerStartError: Error, CustomStringConvertible {
    public var description: String { "the HTTP server did not start" }
}
