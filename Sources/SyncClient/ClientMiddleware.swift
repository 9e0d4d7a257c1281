import Foundation
import Gzip
import HTTPTypes
import OpenAPIRuntime

/// Signs requests with the device's bearer token.
public struct BearerTokenMiddleware: ClientMiddleware {
    let token: String

    public init(token: String) { self.token = token }

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        return try await next(request, body, baseURL)
    }
}

/// gzip on the wire: compresses request bodies above a threshold, asks for gzip responses,
/// and inflates them with a limit.
public struct GzipMiddleware: ClientMiddleware {
    /// Bodies at least this large are compressed.
    let threshold: Int
    /// The largest response body accepted after inflating.
    let maxResponseBytes: Int

    public init(threshold: Int = 1024, maxResponseBytes: Int = 64 << 20) {
        self.threshold = threshold
        self.maxResponseBytes = maxResponseBytes
    }

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        var body = body
        request.headerFields[.acceptEncoding] = "gzip"
        if let original = body {
            let bytes = try await [UInt8](collecting: original, upTo: maxResponseBytes)
            if bytes.count >= threshold {
                let compressed = try Gzip.compress(bytes)
                request.headerFields[.contentEncoding] = "gzip"
                // The length on the wire is the compressed one; a stale length would stall the server.
                request.headerFields[.contentLength] = String(compressed.count)
                body = HTTPBody(compressed)
            } else {
                body = HTTPBody(bytes)
            }
        }
        var (response, responseBody) = try await next(request, body, baseURL)
        if response.headerFields[.contentEncoding]?.lowercased() == "gzip", let compressed = responseBody {
            let bytes = try await [UInt8](collecting: compressed, upTo: maxResponseBytes)
            // Some transports inflate transparently and leave the header; inflate only real gzip.
            let inflated = Gzip.looksCompressed(bytes) ? try Gzip.decompress(bytes, limit: maxResponseBytes) : bytes
            response.headerFields[.contentEncoding] = nil
            response.headerFields[.contentLength] = String(inflated.count)
            responseBody = HTTPBody(inflated)
        }
        return (response, responseBody)
    }
}
