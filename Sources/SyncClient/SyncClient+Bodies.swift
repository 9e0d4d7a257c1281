import BriefingModel
import BriefingStore
import Foundation
import Logging
import OpenAPIRuntime
import SyncAPI

/// Bodies on demand: the feed brings each briefing's metadata; bodies are fetched by their
/// revision's hash (`GET /v1/bodies/{hash}`) when the reader opens one, and ahead of reading
/// by the store's `BodyPlan` (the briefings the reader marked or read, and the newest) within
/// the storage budget.
extension SyncClient {
    /// The briefing `id` with its body: from the store when it is downloaded, else fetched now
    /// and stored (then readable offline).
    ///
    /// - Throws: `StoreError.Code.notFound` when the store has no such briefing;
    ///   `SyncClientError` when the body must be fetched and cannot be (offline, logged out,
    ///   or the server has moved on to another revision: sync, then try again).
    public func ensureBody(briefingID id: String) async throws -> Briefing {
        if let briefing = try await store.briefing(id: id) { return briefing }
        guard let metadata = try await store.metadata(id: id) else {
            throw StoreError(.notFound, "no briefing \(id) in this store; run `briefing sync` first")
        }
        let (serverURL, client) = try await loggedIn()
        guard let body = try await fetchBody(client, serverURL: serverURL, for: metadata) else {
            throw SyncClientError(
                .server, "the server no longer has revision \(metadata.revision.number) of \(id); run `briefing sync` for the current one")
        }
        guard try await store.saveBody(body) else {
            // The store moved on while the body was fetched (a sync brought a newer revision).
            return try await ensureBody(briefingID: id)
        }
        return Briefing(metadata, sections: body.sections)
    }

    /// Fetches and evicts bodies by the store's `BodyPlan` now (a sync does this at its end).
    public func downloadBodies(progress: @Sendable (Progress) -> Void = { _ in }) async throws -> Summary {
        let (serverURL, client) = try await loggedIn()
        var summary = Summary()
        try await downloadBodies(client, serverURL: serverURL, summary: &summary, progress: progress)
        return summary
    }

    /// Stores the newest briefings (provisionally, until the sync is complete) and fetches
    /// their bodies, newest first: a first sync's reader can open the newest at once, however
    /// large the library. A server without the endpoint is passed over.
    func fetchNewest(_ client: Client, serverURL: String, summary: inout Summary, progress: (Progress) -> Void) async throws {
        let wanted = try await store.storageSettings().prefetchNewest
        guard wanted > 0 else { return }
        let limit = Int32(min(wanted, 100))
        let output: Operations.GetNewestBriefings.Output
        do {
            output = try await request(serverURL) { try await client.getNewestBriefings(query: .init(limit: limit)) }
        } catch let error as SyncClientError where error.code != .unreachable {
            // Only a head start: the sync goes on without it (and says why, if the server is down).
            logger.notice("the newest briefings could not be fetched", metadata: ["error": "\(error.message)"])
            return
        }
        switch output {
        case .ok(let ok):
            let answer = try ok.body.json
            let briefings: [BriefingMetadata]
            do {
                briefings = try answer.briefings.map { wire throws(WireError) in try wire.model() }
            } catch {
                throw SyncClientError(.protocolViolation, "the server sent an invalid briefing: \(error.message)")
            }
            try await store.saveProvisional(briefings)
        case .unauthorized(let error):
            throw SyncClientError(.unauthorized, serverError: try error.body.json)
        case .badRequest, .serviceUnavailable, .undocumented:
            // An older server (no such endpoint), or a busy one: the first sync brings
            // everything in log order instead.
            return
        }
        try await downloadBodies(client, serverURL: serverURL, summary: &summary, progress: progress)
    }

    /// Carries out the store's `BodyPlan`: evicts, then fetches in the plan's order, a few at
    /// a time. A body the server no longer serves (a newer revision came out) is passed over:
    /// the next sync brings its metadata.
    ///
    /// Best effort: a body that cannot be fetched (the server refuses it, or sends one that
    /// does not match) is counted in `bodiesFailed` and logged, and the rest are fetched; once
    /// the server cannot be reached, the rest wait for the next sync. A sync never fails for
    /// want of a body: `read` fetches it, or says why it cannot.
    func downloadBodies(_ client: Client, serverURL: String, summary: inout Summary, progress: (Progress) -> Void) async throws {
        let plan = try await store.applyBodyPlan()
        summary.evicted += plan.evict.count
        guard !plan.fetch.isEmpty else { return }
        let total = plan.fetch.count
        progress(.downloading(done: 0, total: total))
        var done = 0
        var waiting = plan.fetch[...]
        let fetch: @Sendable (BriefingMetadata) async -> Result<BriefingBody?, any Error> = { metadata in
            do { return .success(try await fetchBody(client, serverURL: serverURL, for: metadata)) } catch { return .failure(error) }
        }
        try await withThrowingTaskGroup(of: Result<BriefingBody?, any Error>.self) { group in
            for _ in 0..<configuration.bodyFetchConcurrency {
                guard let metadata = waiting.popFirst() else { break }
                group.addTask { await fetch(metadata) }
            }
            while let result = try await group.next() {
                done += 1
                progress(.downloading(done: done, total: total))
                switch result {
                case .success(let body):
                    // The store failing to keep a body (a full disk, say) is no fetch failure:
                    // it ends the sync with its cause, as any failed write does.
                    if let body, try await store.saveBody(body) { summary.downloaded += 1 }
                case .failure(let error):
                    summary.bodiesFailed += 1
                    logger.notice("a body could not be fetched", metadata: ["error": "\(Self.describe(error))"])
                    // Unreachable (or cancelled): the rest wait for the next sync.
                    if Task.isCancelled || (error as? SyncClientError)?.code == .unreachable {
                        summary.bodiesFailed += waiting.count
                        waiting = []
                    }
                }
                if let metadata = waiting.popFirst() { group.addTask { await fetch(metadata) } }
            }
        }
        try Task.checkCancellation()
    }

    /// The body `metadata` names, checked against it; nil when the server does not serve that
    /// revision (any more).
    func fetchBody(_ client: Client, serverURL: String, for metadata: BriefingMetadata) async throws -> BriefingBody? {
        let output = try await request(serverURL) { try await client.getBody(path: .init(hash: metadata.bodyHash)) }
        switch output {
        case .ok(let ok):
            let body = try ok.body.json.model
            guard body.matches(metadata) else {
                throw SyncClientError(.protocolViolation, "the server sent a body that does not match \(metadata.id)'s revision")
            }
            return body
        case .notFound:
            return nil
        case .notModified:
            throw SyncClientError(.protocolViolation, "the server answered 304 to a request for a body this device does not hold")
        case .unauthorized(let error):
            throw SyncClientError(.unauthorized, serverError: try error.body.json)
        case .badRequest(let error):
            throw SyncClientError(.server, serverError: try error.body.json, prefix: "the server refused the body request: ")
        case .serviceUnavailable(let unavailable):
            throw Self.unavailable(unavailable.headers.retryAfter)
        case .undocumented(let status, _):
            throw SyncClientError(.server, "the server answered HTTP \(status) to a body request")
        }
    }
}
