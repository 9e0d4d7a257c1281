import Foundation
import Hummingbird
import HTTPTypes
import Logging
import Metrics
import Prometheus
import Synchronization

/// The node's metrics: swift-metrics with a Prometheus registry behind it, exported at
/// `/metrics`. Bootstrapped once per process, by whichever server starts first.
public enum ServerMetrics {
    private static let state = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The registry every metric of this process is kept in; the first call bootstraps
    /// swift-metrics with it.
    public static var registry: PrometheusCollectorRegistry {
        state.withLock { registry in
            if let registry { return registry }
            let made = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: made)
            // Request latencies: from a millisecond to ten seconds.
            factory.defaultDurationHistogramBuckets = [
                .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
            ]
            MetricsSystem.bootstrap(factory)
            registry = made
            return made
        }
    }

    /// The Prometheus text exposition of every metric.
    static func exposition() -> String { registry.emitToString() }
}

/// The ID of the request being handled: on every log line written while handling it (through
/// the logging system's metadata provider) and in the `X-Request-ID` response header.
public enum RequestID {
    @TaskLocal static var current: String?

    /// Adds `request=ID` to every log line written on behalf of a request.
    public static let metadataProvider = Logger.MetadataProvider {
        guard let id = current else { return [:] }
        return ["request": .string(id)]
    }

    static let header = HTTPField.Name("X-Request-ID")!

    /// A proxy's request ID is kept when it is a plausible one (1–64 letters, digits, `-`, `_`,
    /// `.`), so a request can be followed from nginx's log into the node's; otherwise one is made.
    static func accept(_ value: String?) -> String? {
        guard let value, (1...64).contains(value.utf8.count),
            value.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) })
        else { return nil }
        return value
    }
}

/// Gives each request its ID and returns it in `X-Request-ID`, on errors too.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = BriefingRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = RequestID.accept(request.headers[RequestID.header]) ?? context.id
        var context = context
        context.logger[metadataKey: "request"] = .string(id)
        return try await RequestID.$current.withValue(id) {
            do {
                var response = try await next(request, context)
                response.headers[RequestID.header] = id
                return response
            } catch var error as HTTPError {
                error.headers[RequestID.header] = id
                throw error
            }
        }
    }
}
