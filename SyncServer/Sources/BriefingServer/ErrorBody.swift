import Foundation
import Logging
import HTTPTypes
import Hummingbird
import OpenAPIRuntime
import SyncServerCore

/// The one place where errors become HTTP responses: `{ "error": code, "message": … }`.
enum ErrorBody {
    /// The JSON bytes of an error body.
    static func json(code: String, message: String) -> [UInt8] {
        struct Body: Encodable {
            var error: String
            var message: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(Body(error: code, message: message))) ?? Data("{\"error\":\"internal\"}".utf8))
    }

    /// The HTTP status for a service error.
    static func status(for code: SyncError.Code) -> HTTPResponse.Status {
        switch code {
        case .badRequest, .badCursor, .notEntitled: .badRequest
        case .resyncRequired: .gone
        case .unauthorized, .invalidCredentials: .unauthorized
        case .mutationOrder, .mutationGap, .wrongClient, .userExists: .conflict
        case .userNotFound, .notFound: .notFound
        case .storage: .internalServerError
        case .rateLimited: .tooManyRequests
        case .busy, .unavailable: .serviceUnavailable
        }
    }

    /// A Hummingbird response carrying an error body.
    static func response(_ status: HTTPResponse.Status, code: String, message: String, retryAfter: Int? = nil) -> Response {
        let bytes = json(code: code, message: message)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(bytes.count)
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// An OpenAPI response carrying an error body.
    static func openAPIResponse(
        _ status: HTTPResponse.Status, code: String, message: String, retryAfter: Int? = nil
    ) -> (HTTPResponse, HTTPBody) {
        let bytes = json(code: code, message: message)
        var response = HTTPResponse(status: status)
        response.headerFields[.contentType] = "application/json; charset=utf-8"
        if status == .unauthorized { response.headerFields[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { response.headerFields[.retryAfter] = String(retryAfter) }
        return (response, HTTPBody(bytes))
    }

    /// The answer to a failure of the server's own: `500 internal`, which says no more.
    static var internalError: (HTTPResponse, HTTPBody) {
        openAPIResponse(.internalServerError, code: "internal", message: "the server failed; it has logged why")
    }

    /// A short, client-safe description of a decoding failure.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            return keys.isEmpty ? "the body" : String(keys.drop { $0 == "." })
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context)) has the wrong type (expected \(type))"
        case .valueNotFound(_, let context):
            return "\(path(context)) is missing"
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "required field `\(key.stringValue)` is missing" + (parent == "the body" ? "" : " in \(parent)")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "the body is not valid JSON (or not valid UTF-8)" }
            return "\(path(context)) is invalid: \(context.debugDescription)"
        @unknown default:
            return "the body could not be decoded"
        }
    }
}

/// Turns every error thrown while serving an operation into a JSON error response.
struct ErrorMiddleware: ServerMiddleware {
    let logger: Logger

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch {
            return map(error, operationID: operationID)
        }
    }

    private func map(_ error: any Error, operationID: String) -> (HTTPResponse, HTTPBody?) {
        // The runtime wraps a failure in one ServerError per layer; the innermost names the cause
        // and the status the runtime gives it.
        var cause: any Error = error
        var innermost: ServerError?
        while let wrapped = cause as? ServerError {
            innermost = wrapped
            cause = wrapped.underlyingError
        }
        if let error = cause as? SyncError {
            let status = ErrorBody.status(for: error.code)
            guard status != .internalServerError else {
                // The server's own failure: logged here, and nothing of it told to the client.
                logger.error("request failed", metadata: ["operation": "\(operationID)", "error": "\(error.message)"])
                return ErrorBody.internalError
            }
            return ErrorBody.openAPIResponse(status, code: error.code.rawValue, message: error.message, retryAfter: error.retryAfter)
        }
        if let error = cause as? DecodingError {
            return ErrorBody.openAPIResponse(.badRequest, code: "bad_request", message: ErrorBody.describe(error))
        }
        // Other request-shape problems the runtime found (a missing body, a bad query value, the
        // wrong content type) come with a 4xx status: they are the client's mistake.
        if let innermost, (400..<500).contains(innermost.httpStatus.code) {
            let code = innermost.httpStatus == .unsupportedMediaType ? "unsupported_media_type" : "bad_request"
            return ErrorBody.openAPIResponse(innermost.httpStatus, code: code, message: innermost.causeDescription)
        }
        logger.error("request failed", metadata: ["operation": "\(operationID)", "error": "\(cause)"])
        return ErrorBody.internalError
    }
}

/// Authenticates bearer tokens and makes the caller's principal available to the handler.
struct AuthenticationMiddleware: ServerMiddleware {
    let service: SyncService

    /// Operations that need no token: logging in, and the probes a proxy or a scraper makes.
    static let open: Set<String> = ["createSession", "getReadiness", "getMetrics"]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let header = request.headerFields[.authorization]
        // Open operations need no token, but one that is sent is checked: an authenticated
        // /healthz tells a client its token still works.
        if Self.open.contains(operationID) || (operationID == "getHealth" && header == nil) {
            return try await next(request, body, metadata)
        }
        guard let header, header.lowercased().hasPrefix("bearer ") else {
            return ErrorBody.openAPIResponse(.unauthorized, code: "unauthorized", message: "this request needs `Authorization: Bearer TOKEN`")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        // A refusal or a failure goes up to `ErrorMiddleware`, which answers it as it answers
        // every other (and logs the server's own failures).
        let principal = try await service.authenticate(token: token)
        return try await RequestPrincipal.$current.withValue(principal) {
            try await next(request, body, metadata)
        }
    }
}

/// Writes the caching headers of a body's answer as HTTP has them.
///
/// The generated server percent-encodes every header value it is given (URI "simple"
/// style, apple/swift-openapi-generator#857), which turns `"r-…"` into `%22r-…%22` and
/// `max-age=31536000` into `max-age%3D31536000`: an ETag and a Cache-Control no cache
/// understands. This undoes it for the two headers the schema declares on bodies, whose
/// values the server writes itself and which hold nothing that needs escaping.
struct CacheHeadersMiddleware: ServerMiddleware {
    static let fields: [HTTPField.Name] = [.eTag, .cacheControl]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var (response, responseBody) = try await next(request, body, metadata)
        guard operationID == "getBody" else { return (response, responseBody) }
        for name in Self.fields {
            if let value = response.headerFields[name], let decoded = value.removingPercentEncoding {
                response.headerFields[name] = decoded
            }
        }
        return (response, responseBody)
    }
}
