import BriefingServer
import Foundation
import Logging
import ServiceLifecycle
import SyncServerCore

/// The real HTTP server on a loopback port, for `--http` runs; stopped and started again on
/// the same port to simulate a restart.
final class HTTPServerHost: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Starts serving `service` on 127.0.0.1:`port` (0 picks a free port).
    static func start(service: SyncService, port: Int, logger: Logger) async throws -> HTTPServerHost {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try BriefingServerApp.application(
            service: service, host: "127.0.0.1", port: port, logger: logger, onServerRunning: { continuation.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        // Owned: `stop()` shuts the group down and awaits this task.
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let actual = await iterator.next() else {
            task.cancel()
            throw SimulatedFault(description: "the HTTP server did not start")
        }
        return HTTPServerHost(port: actual, group: group, task: task)
    }

    /// Shuts the server down gracefully and waits until it has.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
