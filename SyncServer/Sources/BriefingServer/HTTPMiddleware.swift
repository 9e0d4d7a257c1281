import BriefingModel
import Foundation
import Gzip
import HTTPTypes
import Hummingbird
import Logging

/// Limits on connections and request bodies, and when to compress responses.
public struct HTTPLimits: Sendable {
    /// The largest body accepted as sent on the wire (compressed or not).
    public var maxBodyBytes: Int
    /// The largest body accepted after inflating a gzip body.
    public var maxInflatedBytes: Int
    /// Responses smaller than this are sent uncompressed.
    public var compressionThreshold: Int
    /// How long a connection may take to send a whole request head, counted from when it
    /// opens or its previous response ends; an idle keep-alive connection closes after it too.
    public var requestHeadTimeout: Duration
    /// How long a request's body may take to arrive in full after its head.
    public var requestBodyTimeout: Duration
    /// The most connections served at once; more wait in the listen backlog.
    public var maxConnections: Int
    /// Proxies (their IP addresses) whose `X-Forwarded-For` is believed: behind nginx, the
    /// login limit per address counts the reader's address, not the proxy's.
    public var trustedProxies: Set<String>

    public init(
        maxBodyBytes: Int = 2 << 20, maxInflatedBytes: Int = 8 << 20, compressionThreshold: Int = 1024,
        requestHeadTimeout: Duration = .seconds(30), requestBodyTimeout: Duration = .seconds(60), maxConnections: Int = 1024,
        trustedProxies: Set<String> = []
    ) {
        self.trustedProxies = trustedProxies
        self.maxBodyBytes = maxBodyBytes
        self.maxInflatedBytes = maxInflatedBytes
        self.compressionThreshold = compressionThreshold
        self.requestHeadTimeout = requestHeadTimeout
        self.requestBodyTimeout = requestBodyTimeout
        self.maxConnections = maxConnections
    }
}

/// Turns framework errors (unknown route, wrong method, …) into JSON error bodies, refuses
/// unknown protocol versions, and stamps every response with the protocol version.
struct ProtocolMiddleware<Context: RequestContext>: RouterMiddleware {
    static var versionHeader: HTTPField.Name { HTTPField.Name("Briefings-Protocol-Version")! }

    /// The methods each path answers, so a known path asked with another method gets 405
    /// with `Allow` rather than 404.
    let methods: [String: [HTTPRequest.Method]]

    init(routes: [(path: String, method: HTTPRequest.Method)] = []) {
        methods = Dictionary(grouping: routes, by: { Self.key($0.path) }).mapValues { $0.map(\.method).sorted { $0.rawValue < $1.rawValue } }
    }

    static func key(_ path: String) -> String { path.split(separator: "/").joined(separator: "/") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        if let version = Self.requestedVersion(request.uri.path), version != "v\(SyncProtocol.version)" {
            response = ErrorBody.response(
                .notFound, code: "unsupported_version",
                message: "this server speaks protocol v\(SyncProtocol.version); /\(version)/ is not supported")
        } else {
            do {
                response = try await next(request, context)
            } catch let error as any HTTPResponseError
                where error.status == .notFound && methods[Self.key(request.uri.path)]?.contains(request.method) == false
            {
                let allowed = methods[Self.key(request.uri.path)]!.map(\.rawValue).joined(separator: ", ")
                response = ErrorBody.response(
                    .methodNotAllowed, code: "method_not_allowed",
                    message: "\(request.uri.path) does not answer \(request.method); it answers \(allowed)")
                response.headers[.allow] = allowed
            } catch let error as any HTTPResponseError {
                let code: String
                switch error.status {
                case .notFound: code = "not_found"
                case .methodNotAllowed: code = "method_not_allowed"
                case .contentTooLarge: code = "payload_too_large"
                case .badRequest: code = "bad_request"
                case .unauthorized: code = "unauthorized"
                default: code = error.status.code < 500 ? "bad_request" : "internal"
                }
                let message =
                    error.status == .notFound ? "no such endpoint: \(request.method) \(request.uri.path)" : error.status.reasonPhrase
                response = ErrorBody.response(error.status, code: code, message: message)
            }
        }
        response.headers[Self.versionHeader] = String(SyncProtocol.version)
        return response
    }

    /// `v2` for `/v2/changes`, nil for paths that name no version.
    static func requestedVersion(_ path: String) -> String? {
        let first = path.split(separator: "/").first ?? ""
        guard first.count >= 2, first.first == "v", first.dropFirst().allSatisfy(\.isNumber) else { return nil }
        return String(first)
    }
}

/// Enforces body limits and gzip in both directions.
///
/// A request body over `maxBodyBytes` is refused with 413 before it is read in full; a
/// `Content-Encoding: gzip` body is inflated with a hard output limit, so a zip bomb is
/// refused (413) after at most `maxInflatedBytes` of work. Responses are gzipped when the
/// client accepts it and the body is worth compressing.
struct CompressionMiddleware<Context: RequestContext>: RouterMiddleware {
    let limits: HTTPLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limits.maxBodyBytes {
            return tooLarge("the body is \(declared) bytes; the limit is \(limits.maxBodyBytes)")
        }
        let encoding = request.headers[.contentEncoding]?.lowercased().trimmingCharacters(in: .whitespaces)
        if request.method == .post || request.method == .put || request.method == .patch {
            var collected = ByteBuffer()
            for try await chunk in request.body {
                guard collected.readableBytes + chunk.readableBytes <= limits.maxBodyBytes else {
                    return tooLarge("the body is over the limit of \(limits.maxBodyBytes) bytes")
                }
                var chunk = chunk
                collected.writeBuffer(&chunk)
            }
            switch encoding {
            case nil, "identity":
                break
            case "gzip":
                do {
                    let inflated = try Gzip.decompress(Array(buffer: collected), limit: limits.maxInflatedBytes)
                    collected = ByteBuffer(bytes: inflated)
                } catch {
                    if error.code == .tooLarge {
                        return tooLarge("the body inflates past the limit of \(limits.maxInflatedBytes) bytes")
                    }
                    return ErrorBody.response(.badRequest, code: "bad_request", message: "the gzip body is corrupt")
                }
            default:
                return ErrorBody.response(
                    .unsupportedMediaType, code: "unsupported_encoding", message: "Content-Encoding must be gzip or identity")
            }
            var head = request.head
            head.headerFields[.contentEncoding] = nil
            head.headerFields[.contentLength] = String(collected.readableBytes)
            request = Request(head: head, body: RequestBody(buffer: collected))
        }
        var response = try await next(request, context)
        guard acceptsGzip(request), response.headers[.contentEncoding] == nil else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        let bytes = Array(buffer: collector.buffer)
        if bytes.count >= limits.compressionThreshold, let compressed = try? Gzip.compress(bytes) {
            response.headers[.contentEncoding] = "gzip"
            response.headers[.contentLength] = String(compressed.count)
            response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: compressed))
        } else {
            response.headers[.contentLength] = String(bytes.count)
            response.body = ResponseBody(byteBuffer: collector.buffer)
        }
        response.headers[.vary] = "Accept-Encoding"
        return response
    }

    private func acceptsGzip(_ request: Request) -> Bool {
        guard let accept = request.headers[.acceptEncoding]?.lowercased() else { return false }
        return accept.split(separator: ",").contains { part in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.first == "gzip" || pieces.first == "*" else { return false }
            return !pieces.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "") == "q=0" }
        }
    }

    private func tooLarge(_ message: String) -> Response {
        ErrorBody.response(.contentTooLarge, code: "payload_too_large", message: message)
    }
}

/// Collects a response body into memory (responses here are bounded JSON pages).
///
/// A reference type so the bytes can be read after `finish`; it is used by one task only,
/// which is why it is `@unchecked Sendable`.
final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
