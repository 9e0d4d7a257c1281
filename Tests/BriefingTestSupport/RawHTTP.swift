import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A raw HTTP exchange with the server, for testing what the protocol does with bad input.
public struct RawResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    /// The body as a JSON object.
    public var object: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
    /// The `error` code of an error body.
    public var errorCode: String? { object?["error"] as? String }
}

/// Sends one request with a fresh session (no retries, no transparent decompression of our own).
public func rawRequest(
    _ method: String, _ url: String, token: String? = nil, headers: [String: String] = [:], body: Data? = nil
) async throws -> RawResponse {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    request.httpBody = body
    if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = response as! HTTPURLResponse
    var fields: [String: String] = [:]
    for (key, value) in http.allHeaderFields {
        if let key = key as? String, let value = value as? String { fields[key.lowercased()] = value }
    }
    return RawResponse(status: http.statusCode, headers: fields, body: data)
}

/// Logs in over raw HTTP and returns `(token, deviceID)`.
public func rawLogin(_ server: TestServer, user: String, password: String) async throws -> (token: String, deviceID: String) {
    let body = try JSONSerialization.data(withJSONObject: ["user": user, "password": password])
    let response = try await rawRequest("POST", server.url + "/v1/sessions", body: body)
    guard response.status == 201, let token = response.object?["token"] as? String,
        let deviceID = response.object?["deviceID"] as? String
    else { throw TestSupportError("login failed: \(response.status) \(String(decoding: response.body, as: UTF8.self))") }
    return (token, deviceID)
}
