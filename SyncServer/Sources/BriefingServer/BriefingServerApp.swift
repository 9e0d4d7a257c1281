import Hummingbird
import HummingbirdCore
import NIOCore
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import SyncAPI
import ServiceLifecycle
import SyncServerCore

/// Compacts old tombstones periodically while the server runs.
/// Answers every waiting long-poll once graceful shutdown begins (see `CommitSignal.close`).
public struct LongPollDrain: Service {
    let signal: CommitSignal

    public init(signal: CommitSignal) { self.signal = signal }

    public func run() async throws {
        try? await gracefulShutdown()
        signal.close()
    }
}

public struct CompactionService: Service {
    let service: SyncService
    let interval: Duration
    let logger: Logger

    public init(service: SyncService, interval: Duration, logger: Logger) {
        self.service = service
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        // Runs until the server shuts down: graceful shutdown cancels the sleep and ends the loop.
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await service.compact()
                } catch {
                    logger.error("compaction failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// Builds the HTTP application around a sync service.
public enum BriefingServerApp {
    /// The router: protocol and compression middleware around the generated API routes.
    public static func router(
        service: SyncService, limits: HTTPLimits = .init(), logger: Logger
    ) throws -> Router<BriefingRequestContext> {
        // The API's paths and methods, read off a router the API is registered on alone.
        let probe = Router(context: BriefingRequestContext.self)
        try registerAPI(on: probe, service: service, logger: logger)
        let router = Router(context: BriefingRequestContext.self)
        // First, so every answer (a 404 for an unknown path too) carries the request's ID.
        _ = ServerMetrics.registry
        router.add(middleware: RequestIDMiddleware())
        // Then logged and counted, including what the protocol check refuses.
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: MetricsMiddleware())
        // Long-polls wait here, above everything they do not need to hold while waiting.
        router.add(middleware: LongPollMiddleware())
        router.add(middleware: ProtocolMiddleware(routes: probe.routes.map { ($0.path.description, $0.method) }))
        router.add(middleware: ClientAddressMiddleware(trustedProxies: limits.trustedProxies))
        router.add(middleware: CompressionMiddleware(limits: limits))
        try registerAPI(on: router, service: service, logger: logger)
        return router
    }

    /// Registers the API operations, with authentication and error mapping, on any OpenAPI
    /// server transport: the HTTP router here, an in-memory transport in simulations.
    public static func registerAPI(on transport: any ServerTransport, service: SyncService, logger: Logger) throws {
        let handler = APIHandler(service: service)
        // Compact JSON: pretty-printing costs bytes on every page.
        let configuration = Configuration(jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])
        try handler.registerHandlers(
            on: transport, configuration: configuration,
            middlewares: [
                ErrorMiddleware(logger: logger), AuthenticationMiddleware(service: service), CacheHeadersMiddleware(),
                PrewrittenBodyMiddleware(configuration: configuration),
            ])
    }

    /// The application, ready to run as a service (graceful shutdown on SIGINT/SIGTERM via `runService`).
    public static func application(
        service: SyncService, host: String, port: Int, limits: HTTPLimits = .init(), logger: Logger,
        services: [any Service] = [], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let head = TimeAmount(limits.requestHeadTimeout), body = TimeAmount(limits.requestBodyTimeout)
        return Application(
            router: try router(service: service, limits: limits, logger: logger),
            server: .http1(configuration: .init(additionalChannelHandlers: [RequestDeadlineHandler(head: head, body: body)])),
            configuration: .init(
                address: .hostname(host, port: port), serverName: "briefing-server",
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)),
            // Run the application in a service group after which a `LongPollDrain` comes (so it
            // is shut down first): the application's own services stop after its server does.
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}

extension TimeAmount {
    /// The same span, to the nanosecond.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
