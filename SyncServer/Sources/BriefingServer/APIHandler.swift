import BriefingModel
import Foundation
import HTTPTypes
import OpenAPIRuntime
import SyncAPI
import SyncServerCore

/// The caller of the request being handled, set by `AuthenticationMiddleware`.
enum RequestPrincipal {
    @TaskLocal static var current: Principal?
}

/// Implements the generated API over the sync service: decoding has been done by the
/// generated code; this maps wire values to the model and back.
struct APIHandler: APIProtocol {
    let service: SyncService

    private var protocolVersion: Int32 { Int32(SyncProtocol.version) }

    private func principal() throws -> Principal {
        guard let principal = RequestPrincipal.current else {
            throw SyncError(.unauthorized, "this request needs a bearer token")
        }
        return principal
    }

    /// Runs a contract check; a violation is the client's mistake (400, naming the field).
    private func contract(_ check: () throws(WireError) -> Void) throws(SyncError) {
        do {
            try check()
        } catch {
            throw SyncError(.badRequest, error.message)
        }
    }

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .json(.init(status: "ok", protocolVersion: protocolVersion))))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        do {
            // A probe answers in time or says the database is not ready.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await service.store.meta() }
                group.addTask {
                    try await Task.sleep(for: .seconds(2))
                    throw SyncError(.storage, "no answer within 2 s")
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch {
            let message = (error as? SyncError)?.message ?? "\(error)"
            return .serviceUnavailable(
                .init(
                    headers: .init(retryAfter: 5),
                    body: .json(.init(error: "unavailable", message: "the database cannot be reached: \(message)"))))
        }
        return .ok(.init(body: .json(.init(status: "ready", protocolVersion: protocolVersion))))
    }

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        service.activeDevices.refresh(at: Date())
        return .ok(.init(body: .plainText(HTTPBody(ServerMetrics.exposition()))))
    }

    func createSession(_ input: Operations.CreateSession.Input) async throws -> Operations.CreateSession.Output {
        guard case .json(let request) = input.body else { throw SyncError(.badRequest, "the body must be JSON") }
        try contract { () throws(WireError) in try request.checkContract() }
        let session = try await service.createSession(
            user: request.user, password: request.password, deviceName: request.deviceName, clientAddress: RequestClient.address)
        return .created(
            .init(
                body: .json(
                    .init(token: session.token, deviceID: session.deviceID, user: session.user, protocolVersion: protocolVersion))))
    }

    func deleteCurrentSession(_ input: Operations.DeleteCurrentSession.Input) async throws
        -> Operations.DeleteCurrentSession.Output
    {
        try await service.revoke(try principal())
        return .noContent(.init())
    }

    func getBody(_ input: Operations.GetBody.Input) async throws -> Operations.GetBody.Output {
        let (briefing, open) = try await service.body(try principal(), hash: input.path.hash)
        let etag = "\"\(briefing.revision.id)\""
        // Immutable: a hash always names the same body. A publication's stays in private caches.
        let cacheControl = (open ? "public" : "private") + ", max-age=31536000, immutable"
        if let held = input.headers.ifNoneMatch, held.split(separator: ",").contains(where: {
            let tag = $0.trimmingCharacters(in: .whitespaces)
            return tag == etag || tag == "W/" + etag || tag == "*"
        }) {
            return .notModified(.init(headers: .init(eTag: etag, cacheControl: cacheControl)))
        }
        return .ok(.init(headers: .init(eTag: etag, cacheControl: cacheControl), body: .json(Wire.BriefingBody(briefing))))
    }

    func getSubscriptions(_ input: Operations.GetSubscriptions.Input) async throws -> Operations.GetSubscriptions.Output {
        .ok(.init(body: .json(Self.wire(try await service.subscriptions(try principal())))))
    }

    func putSubscriptions(_ input: Operations.PutSubscriptions.Input) async throws -> Operations.PutSubscriptions.Output {
        guard case .json(let request) = input.body else { throw SyncError(.badRequest, "the body must be JSON") }
        try contract { () throws(WireError) in try request.checkContract() }
        let state = try await service.setSubscriptions(try principal(), all: request.all, publications: request.publications ?? [])
        return .ok(.init(body: .json(Self.wire(state))))
    }

    static func wire(_ state: SyncService.SubscriptionState) -> Wire.Subscriptions {
        Wire.Subscriptions(
            all: state.all, publications: state.publications, entitledToAll: state.entitledToAll,
            available: state.available.map {
                Wire.PublicationInfo(key: $0.key, name: $0.name, briefings: Int32(clamping: $0.briefings), subscribed: $0.subscribed)
            })
    }

    func getChanges(_ input: Operations.GetChanges.Input) async throws -> Operations.GetChanges.Output {
        try contract { () throws(WireError) in try input.query.checkContract() }
        let page: ChangesPage
        if let slot = LongPollSlot.current, let wait = input.query.wait, wait > 0 {
            // The middleware holds the wait: read, and say what to wait for when there is nothing yet.
            let deadline = slot.deadline ?? ContinuousClock.now + .seconds(SyncService.waitSeconds(Int(wait)))
            slot.deadline = deadline
            (page, slot.park) = try await service.pollOrPark(
                try principal(), cursor: slot.cursor ?? input.query.cursor, limit: input.query.limit.map(Int.init), until: deadline,
                bodies: input.query.bodyDelivery)
        } else {
            page = try await service.pull(
                try principal(), cursor: input.query.cursor, limit: input.query.limit.map(Int.init), wait: input.query.wait.map(Int.init),
                bodies: input.query.bodyDelivery)
        }
        let answer = wire(page)
        if let slot = LongPollSlot.current, slot.park != nil { slot.cursor = answer.cursor }
        // An empty page is its envelope alone: the generated encoding writes it as cheaply.
        if let slot = PrewrittenBody.slot, !answer.changes.isEmpty {
            slot.bytes = try answer.directlyWritten(encodingOthersWith: slot.encoder)
            return .ok(.init(body: .json(.init(protocolVersion: answer.protocolVersion, changes: [], cursor: answer.cursor, hasMore: answer.hasMore))))
        }
        return .ok(.init(body: .json(answer)))
    }

    func getNewestBriefings(_ input: Operations.GetNewestBriefings.Input) async throws -> Operations.GetNewestBriefings.Output {
        try contract { () throws(WireError) in try input.query.checkContract() }
        let briefings = try await service.newestBriefings(try principal(), limit: input.query.limit.map(Int.init))
        return .ok(.init(body: .json(.init(protocolVersion: protocolVersion, briefings: briefings.map(Wire.BriefingMetadata.init)))))
    }

    private func wire(_ page: ChangesPage) -> Wire.ChangesPage {
        Wire.ChangesPage(
            protocolVersion: protocolVersion, changes: page.changes.map(Wire.Change.init), cursor: page.cursor.token,
            hasMore: page.hasMore)
    }

    func pushMutations(_ input: Operations.PushMutations.Input) async throws -> Operations.PushMutations.Output {
        guard case .json(let request) = input.body else { throw SyncError(.badRequest, "the body must be JSON") }
        try contract { () throws(WireError) in try request.checkContract() }
        var mutations: [Mutation] = []
        mutations.reserveCapacity(request.mutations.count)
        for (index, wire) in request.mutations.enumerated() {
            do {
                mutations.append(try wire.model())
            } catch {
                throw SyncError(.badRequest, "mutations[\(index)]: \(error.message)")
            }
        }
        let principal = try principal()
        // A page asked for alongside is read in the batch's transaction. A cursor that cannot
        // be served here leaves the page out, and the client's GET /v1/changes says why.
        let (results, page) = try await service.push(
            principal, clientID: request.clientID, mutations: mutations,
            thenPull: request.pull.map { ($0.cursor, $0.limit.map(Int.init)) }, cursor: request.cursor,
            bodies: request.pull?.bodies.model ?? .inline)
        let answer = Wire.PushResponse(protocolVersion: protocolVersion, results: results.map(Wire.MutationResult.init), changes: page.map(wire))
        if answer.changes != nil, let slot = PrewrittenBody.slot {
            slot.bytes = try answer.directlyWritten(encodingOthersWith: slot.encoder)
            return .ok(.init(body: .json(.init(protocolVersion: answer.protocolVersion, results: []))))
        }
        return .ok(.init(body: .json(answer)))
    }
}

/// The JSON of an answer written by the handler itself, which `PrewrittenBodyMiddleware`
/// sends in place of the generated encoding of its typed answer.
///
/// Pages of changes are most of what the server sends, and the generated `JSONEncoder` was
/// the largest part of its work on a first sync. The generated API can only answer with
/// typed values, so the handler writes a page's bytes directly (`directlyWritten`, the same
/// bytes the encoder would give) into the request's slot and answers with the page's
/// envelope alone; the middleware then swaps the bytes in. Without a slot (no middleware
/// around the call) the handler answers with the whole typed page, as before.
final class PrewrittenBody: @unchecked Sendable {
    @TaskLocal static var slot: PrewrittenBody?

    /// Written by the handler, read by the middleware after it returns: one task at a time.
    var bytes: [UInt8]?
    /// The API's encoder options, for what the direct writer does not write itself.
    let encoder: JSONEncoder

    init(encoder: JSONEncoder) { self.encoder = encoder }
}

/// Sends a page the handler wrote directly (see `PrewrittenBody`) for the operations that
/// answer with pages: `getChanges` and `pushMutations`.
struct PrewrittenBodyMiddleware: ServerMiddleware {
    static let operations: Set<String> = ["getChanges", "pushMutations"]
    let encoder: JSONEncoder
    let writesDirectly: Bool

    /// - Parameter configuration: the API's own, so that what is written directly and what the
    ///   encoder writes are the bytes the generated encoding gives: its JSON options, and its
    ///   dates as its transcoder writes them.
    init(configuration: Configuration) {
        // The direct writer writes keys sorted, compact, slashes unescaped: with other options
        // its pages would not be the generated encoding's, so none are written directly.
        writesDirectly = configuration.jsonEncodingOptions == [.sortedKeys, .withoutEscapingSlashes]
        let encoder = JSONEncoder()
        var formatting: JSONEncoder.OutputFormatting = []
        let options = configuration.jsonEncodingOptions
        if options.contains(.sortedKeys) { formatting.insert(.sortedKeys) }
        if options.contains(.withoutEscapingSlashes) { formatting.insert(.withoutEscapingSlashes) }
        if options.contains(.prettyPrinted) { formatting.insert(.prettyPrinted) }
        encoder.outputFormatting = formatting
        let transcoder = configuration.dateTranscoder
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(try transcoder.encode(date))
        }
        self.encoder = encoder
    }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard writesDirectly, Self.operations.contains(operationID) else { return try await next(request, body, metadata) }
        let slot = PrewrittenBody(encoder: encoder)
        var (response, responseBody) = try await PrewrittenBody.$slot.withValue(slot) { try await next(request, body, metadata) }
        if let bytes = slot.bytes, response.status == .ok {
            responseBody = HTTPBody(bytes)
            response.headerFields[.contentLength] = String(bytes.count)
        }
        return (response, responseBody)
    }
}
