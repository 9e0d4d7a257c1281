import BriefingModel
import Foundation
import Gzip
import HTTPTypes
import OpenAPIRuntime
import Synchronization
import SyncAPI

/// A failure the lab injected into the network.
struct SimulatedFault: Error, CustomStringConvertible {
    var description: String
}

/// The simulated network between devices and the server's nodes: an OpenAPI server transport
/// per node that the generated handlers register on, and a client transport per device.
/// Requests go to the nodes in turn, so with several nodes a device's consecutive requests
/// reach different ones. Every message is
/// encoded and decoded as on the wire. It injects the step's faults and records every push
/// and its answers for the checks.
final class Network: Sendable {
    typealias Handler = @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)

    /// A push as the server answered it.
    struct PushRecord: Sendable {
        var device: Int
        var mutations: [Mutation]
        var results: [MutationResult]
    }

    private struct Held: Sendable {
        var device: Int
        var request: HTTPRequest
        var body: [UInt8]?
        var countdown: Int
    }

    private struct State: Sendable {
        var handlers: [[String: Handler]] = [[:]]
        /// The node the next request goes to.
        var nextNode = 0
        var faults: [FaultKind?] = []
        var offline: Set<Int> = []
        var held: [Held] = []
        var pushes: [PushRecord] = []
        var unreadable: [String] = []
        var injected: [FaultKind: Int] = [:]
    }

    private let state = Mutex(State())
    /// When set, requests go to real servers over loopback HTTP (one base URL per node)
    /// instead of the registered handlers.
    private let upstream: Mutex<(transport: any ClientTransport, baseURLs: [URL])?> = Mutex(nil)

    init(nodes: Int = 1) {
        state.withLock { $0.handlers = Array(repeating: [:], count: max(nodes, 1)) }
    }

    /// Sends every request through `transport` to the nodes' base URLs (the `--http` mode).
    func useUpstream(_ transport: any ClientTransport, baseURLs: [URL]) {
        upstream.withLock { $0 = (transport, baseURLs) }
    }

    /// Points node `node` at a new base URL (after it restarted on another port).
    func setUpstream(node: Int, baseURL: URL) {
        upstream.withLock { $0?.baseURLs[node] = baseURL }
    }

    // MARK: Server side

    /// The transport node `node`'s handlers register on.
    func node(_ node: Int) -> any ServerTransport { NodeTransport(network: self, node: node) }

    fileprivate func register(_ handler: @escaping Handler, node: Int, method: HTTPRequest.Method, path: String) {
        state.withLock { $0.handlers[node]["\(method.rawValue) \(path)"] = handler }
    }

    /// Forgets a node's registered handlers (before it restarts and registers anew).
    func resetHandlers(node: Int) { state.withLock { $0.handlers[node] = [:] } }

    // MARK: Control

    /// The faults for the coming step's requests, one per request in order.
    func setFaults(_ faults: [FaultKind?]) { state.withLock { $0.faults = faults } }

    func setOnline(_ device: Int, _ online: Bool) {
        state.withLock { if online { $0.offline.remove(device) } else { $0.offline.insert(device) } }
    }

    func isOnline(_ device: Int) -> Bool { state.withLock { !$0.offline.contains(device) } }

    func countInjected(_ kind: FaultKind) { state.withLock { $0.injected[kind, default: 0] += 1 } }

    var pushes: [PushRecord] { state.withLock { $0.pushes } }
    /// Answered pushes the observer could not decode; the checks would be blind to them.
    var unreadablePushes: [String] { state.withLock { $0.unreadable } }
    var injected: [FaultKind: Int] { state.withLock { $0.injected } }

    /// Delivers every held request now (before the final checks).
    func flushHeld() async {
        let held = state.withLock { state in
            defer { state.held = [] }
            return state.held
        }
        for item in held { _ = try? await deliver(item.device, item.request, item.body) }
    }

    // MARK: Client side

    /// A client transport for one device.
    func transport(for device: Int) -> any ClientTransport { DeviceTransport(network: self, device: device) }

    fileprivate func send(device: Int, request: HTTPRequest, body: HTTPBody?) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        var bytes: [UInt8]? = if let body { try await [UInt8](collecting: body, upTo: 64 << 20) } else { nil }
        // The HTTP server inflates gzip bodies before the API sees them; so does this network.
        if upstream.withLock({ $0 == nil }), request.headerFields[.contentEncoding] == "gzip", let compressed = bytes {
            bytes = try Gzip.decompress(compressed, limit: 64 << 20)
            request.headerFields[.contentEncoding] = nil
        }
        let (fault, offline, released) = state.withLock { state -> (FaultKind?, Bool, [Held]) in
            let fault = state.faults.isEmpty ? nil : state.faults.removeFirst()
            for index in state.held.indices { state.held[index].countdown -= 1 }
            let released = state.held.filter { $0.countdown <= 0 }
            state.held.removeAll { $0.countdown <= 0 }
            return (fault, state.offline.contains(device), released)
        }
        // Requests held back earlier arrive now, out of order with the devices' later ones.
        for item in released { _ = try? await deliver(item.device, item.request, item.body) }
        if offline { throw SimulatedFault(description: "device \(device) is offline") }
        let isPush = request.path?.hasPrefix("/v1/mutations") == true
        switch fault {
        case .dropRequest:
            countInjected(.dropRequest)
            throw SimulatedFault(description: "request lost")
        case .dropResponse:
            countInjected(.dropResponse)
            _ = try await deliver(device, request, bytes)
            throw SimulatedFault(description: "response lost")
        case .duplicate where isPush:
            countInjected(.duplicate)
            _ = try await deliver(device, request, bytes)
            return try await deliver(device, request, bytes)
        case .reorder where isPush:
            countInjected(.reorder)
            state.withLock { $0.held.append(Held(device: device, request: request, body: bytes, countdown: 3)) }
            throw SimulatedFault(description: "request delayed")
        default:
            return try await deliver(device, request, bytes)
        }
    }

    private func deliver(_ device: Int, _ request: HTTPRequest, _ body: [UInt8]?) async throws -> (HTTPResponse, HTTPBody?) {
        let path = String((request.path ?? "/").split(separator: "?", maxSplits: 1).first ?? "/")
        let response: HTTPResponse
        let responseBody: HTTPBody?
        let node = state.withLock { state in
            defer { state.nextNode = (state.nextNode + 1) % state.handlers.count }
            return state.nextNode
        }
        if let (transport, baseURLs) = upstream.withLock({ $0 }) {
            (response, responseBody) = try await transport.send(
                request, body: body.map { HTTPBody($0) }, baseURL: baseURLs[node % baseURLs.count], operationID: path)
        } else {
            guard let (handler, parameters) = state.withLock({ Self.route(request.method, path, in: $0.handlers[node]) }) else {
                return (HTTPResponse(status: .notFound), nil)
            }
            (response, responseBody) = try await handler(
                request, body.map { HTTPBody($0) }, ServerRequestMetadata(pathParameters: parameters))
        }
        var responseBytes: [UInt8]? = if let responseBody { try await [UInt8](collecting: responseBody, upTo: 64 << 20) } else { nil }
        var headers = response
        if headers.headerFields[.contentEncoding] == "gzip", let compressed = responseBytes, Gzip.looksCompressed(compressed) {
            responseBytes = try Gzip.decompress(compressed, limit: 64 << 20)
            headers.headerFields[.contentEncoding] = nil
        }
        if path == "/v1/mutations", response.status == .ok, let body, let responseBytes {
            var pushBody = body
            if request.headerFields[.contentEncoding] == "gzip" { pushBody = (try? Gzip.decompress(body, limit: 64 << 20)) ?? body }
            observePush(device: device, request: pushBody, response: responseBytes)
        }
        return (headers, responseBytes.map { HTTPBody($0) })
    }

    /// The handler registered for `method` and `path`, by exact path or by a template whose
    /// `{name}` segments take any one segment, with the values those segments took.
    private static func route(
        _ method: HTTPRequest.Method, _ path: String, in handlers: [String: Handler]
    ) -> (Handler, [String: Substring])? {
        if let handler = handlers["\(method.rawValue) \(path)"] { return (handler, [:]) }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (key, handler) in handlers {
            let parts = key.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0] == method.rawValue else { continue }
            let template = parts[1].split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == segments.count else { continue }
            var parameters: [String: Substring] = [:]
            let matches = zip(template, segments).allSatisfy { pattern, segment in
                if pattern.hasPrefix("{") && pattern.hasSuffix("}") {
                    parameters[String(pattern.dropFirst().dropLast())] = segment
                    return !segment.isEmpty
                }
                return pattern == segment
            }
            if matches { return (handler, parameters) }
        }
        return nil
    }

    private func observePush(device: Int, request: [UInt8], response: [UInt8]) {
        let decoder = Wire.decoder()
        do {
            let push = try decoder.decode(Wire.PushRequest.self, from: Data(request))
            let answer = try decoder.decode(Wire.PushResponse.self, from: Data(response))
            let mutations = try push.mutations.map { mutation throws(WireError) in try mutation.model() }
            // Answers come in the order sent, one each; anything else is a gap the checks would not see.
            guard answer.results.map(\.mutationID) == mutations.map(\.mutationID) else {
                throw WireError("the answers do not match the pushed batch one for one")
            }
            let results = try zip(answer.results, mutations).map { result, mutation throws(WireError) in
                try result.model(answering: mutation)
            }
            let record = PushRecord(device: device, mutations: mutations, results: results)
            state.withLock { $0.pushes.append(record) }
        } catch {
            state.withLock { $0.unreadable.append("device \(device): \(error)") }
        }
    }
}

/// What one node's handlers register on.
private struct NodeTransport: ServerTransport {
    let network: Network
    let node: Int

    func register(_ handler: @escaping Network.Handler, method: HTTPRequest.Method, path: String) throws {
        network.register(handler, node: node, method: method, path: path)
    }
}

/// One device's view of the network.
private struct DeviceTransport: ClientTransport {
    let network: Network
    let device: Int

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        try await network.send(device: device, request: request, body: body)
    }
}
