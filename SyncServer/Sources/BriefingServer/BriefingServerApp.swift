import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import SyncAPI
import SyncServerCore

/// Builds the HTTP application around a sync service.
public enum BriefingServerApp {
    /// The router: protocol and compression middleware around the generated API routes.
    public static func router(service: SyncService, limits: HTTPLimits = .init(), logger: Logger) throws -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ProtocolMiddleware())
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: CompressionMiddleware(limits: limits))
        let handler = APIHandler(service: service, maxBatch: 500)
        try handler.registerHandlers(
            on: router,
            // Compact JSON: pretty-printing costs bytes on every page.
            configuration: Configuration(jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]),
            middlewares: [ErrorMiddleware(logger: logger), AuthenticationMiddleware(service: service)])
        return router
    }

    /// The application, ready to run as a service (graceful shutdown on SIGINT/SIGTERM via `runService`).
    public static func application(
        service: SyncService, host: String, port: Int, limits: HTTPLimits = .init(), logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        Application(
            router: try router(service: service, limits: limits, logger: logger),
            configuration: .init(address: .hostname(host, port: port), serverName: "briefing-server"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
