import Foundation
import Logging
import ServiceLifecycle
import Synchronization
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
        let group = ServiceGroup(
            configuration: .init(services: [app, LongPollDrain(signal: service.kernel.signal)], gracefulShutdownSignals: [], logger: logger))
        // Owned: `stop()` shuts the group down and awaits this task. When the server cannot
        // start (the port is taken, say), the group ends with the error and so does the stream
        // of ports, so the wait below ends too.
        let failure = Mutex<(any Error)?>(nil)
        let task = Task {
            defer { continuation.finish() }
            do {
                try await group.run()
            } catch {
                failure.withLock { $0 = error }
                throw error
            }
        }
        var iterator = ports.makeAsyncIterator()
        guard let actual = await iterator.next() else {
            _ = await task.result
            throw ServerStartError(port: port, cause: failure.withLock { $0 })
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
    /// The port asked for.
    public var port: Int
    /// Why, as the server reported it.
    public var cause: (any Error)?

    public var description: String {
        "the HTTP server did not start on port \(port)" + (cause.map { ": \(BindFailure.describe($0, port: port))" } ?? "")
    }
}

/// Words for the reasons a server cannot listen.
public enum BindFailure {
    /// "port 8080 is already in use" for an address-in-use error, else the error as it reads.
    public static func describe(_ error: any Error, port: Int) -> String {
        let text = String(describing: error)
        if text.contains("EADDRINUSE") || text.lowercased().contains("address already in use") || text.contains("errno: 98") {
            return "port \(port) is already in use (another server is listening there; stop it or choose another --port)"
        }
        if text.contains("EACCES") || text.contains("errno: 13") {
            return "not allowed to listen on port \(port) (ports below 1024 need privileges)"
        }
        if text.contains("EADDRNOTAVAIL") || text.contains("errno: 99") {
            return "the address to listen on is not one of this machine's"
        }
        return text
    }
}
