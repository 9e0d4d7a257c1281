import BriefingServer
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SyncServerCore

/// A real sync server, started in-process on an ephemeral 127.0.0.1 port.
public struct TestServer: Sendable {
    /// The base URL, e.g. `http://127.0.0.1:53211`.
    public let url: String
    public let port: Int
    /// The service behind the server (for reading its state).
    public let service: SyncService

    public init(url: String, port: Int, service: SyncService) {
        self.url = url
        self.port = port
        self.service = service
    }
}

/// Runs `body` against a fresh server over a temporary database, then shuts the server down.
///
/// - Parameters:
///   - demo: load the demo briefings and the demo account.
///   - limits: the HTTP body limits.
///   - configuration: the service's settings (bcrypt at its cheapest by default).
public func withTestServer<T: Sendable>(
    databasePath: String? = nil, demo: Bool = true, limits: HTTPLimits = .init(),
    configuration: SyncService.Configuration = .init(bcryptCost: 4),
    _ body: @Sendable (TestServer) async throws -> T
) async throws -> T {
    let path = databasePath ?? TemporaryDirectory.make().appendingPathComponent("server.sqlite").path
    var logger = Logger(label: "test.server")
    logger.logLevel = .warning
    let service = SyncService(
        store: try SQLiteServerStore(path: path), configuration: configuration, logger: logger, passwords: testPasswordHasher)
    if demo { try await DemoContent.load(into: service) }
    let host = try await HTTPServerHost.start(service: service, limits: limits, logger: logger)
    let outcome: Result<T, any Error>
    do {
        outcome = .success(try await body(TestServer(url: host.url, port: host.port, service: service)))
    } catch {
        outcome = .failure(error)
    }
    try await host.stop()
    return try outcome.get()
}

/// The password hasher of every test server: tests run many servers at once in one process, and
/// each logs in, so this one has room for all of them (a real server's bound is much tighter).
public let testPasswordHasher = PasswordHasher(limits: .init(threads: 2, maxPending: 100_000))

/// A failure of the test harness itself.
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Fresh temporary directories for stores and databases.
public enum TemporaryDirectory {
    /// A new empty directory under the system's temporary directory.
    public static func make() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("briefings-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
