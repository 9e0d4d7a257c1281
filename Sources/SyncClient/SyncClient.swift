import BriefingModel
import BriefingStore
import Foundation
import Gzip
import HTTPTypes
import Logging
import OpenAPIRuntime
#if os(Linux)
    import AsyncHTTPClient
    import NIOCore
    import OpenAPIAsyncHTTPClient
#else
    import OpenAPIURLSession
#endif
import SyncAPI

#if os(Linux)
    /// The process's HTTP client for syncing (it lives as long as the process, so it is never
    /// shut down). A refused connection fails at once rather than being retried inside the
    /// client until its connect timeout: the sync engine has its own retries and backoff, and a
    /// reader whose server is down should hear so in a second, not in minutes. Redirects are not
    /// followed (they would carry the bearer token elsewhere).
    private let syncHTTPClient: HTTPClient = {
        var pool = HTTPClient.Configuration.ConnectionPool()
        pool.retryConnectionEstablishment = false
        // A live engine holds one long-poll open and pushes beside it: two connections per
        // device, and a process may run many devices (the lab, the benchmarks).
        pool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(60)), connectionPool: pool)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
#endif

/// The sync engine an app embeds: pushes the outbox in batches, pulls pages since the
/// cursor, and applies them to the local store.
///
/// It never loses the outbox: a mutation leaves it only when the server has answered for
/// it, and a page's changes and cursor are stored together. An interrupted sync is simply
/// run again.
public struct SyncClient: Sendable {
    /// Tunables with sensible defaults.
    public struct Configuration: Sendable {
        /// Mutations per push.
        public var pushBatchSize: Int
        /// Changes per pull page.
        public var pullPageSize: Int
        /// Retries of a request that failed to reach the server (with backoff).
        public var retries: Int
        /// The first retry's delay; each later one doubles it.
        public var retryDelay: Duration
        /// Request bodies at least this large are gzipped.
        public var compressionThreshold: Int
        /// The largest response body accepted.
        public var maxResponseBytes: Int
        /// How pulls carry briefings: as metadata, bodies fetched on their own (`.separate`,
        /// the default), or whole.
        public var bodies: BodyDelivery
        /// After each sync, fetch and evict bodies by the store's `BodyPlan` (and on a first
        /// sync, fetch the newest briefings before the rest of the library).
        public var prefetch: Bool
        /// Bodies fetched at once.
        public var bodyFetchConcurrency: Int

        public init(
            pushBatchSize: Int = 100, pullPageSize: Int = 200, retries: Int = 2, retryDelay: Duration = .milliseconds(250),
            compressionThreshold: Int = 1024, maxResponseBytes: Int = 64 << 20, bodies: BodyDelivery = .separate,
            prefetch: Bool = true, bodyFetchConcurrency: Int = 4
        ) {
            self.bodies = bodies
            self.prefetch = prefetch
            self.bodyFetchConcurrency = max(1, bodyFetchConcurrency)
            self.pushBatchSize = pushBatchSize
            self.pullPageSize = pullPageSize
            self.retries = retries
            self.retryDelay = retryDelay
            self.compressionThreshold = compressionThreshold
            self.maxResponseBytes = maxResponseBytes
        }
    }

    /// Where a sync is.
    public enum Progress: Sendable, Hashable {
        /// Mutations answered so far, of those pending when the sync started (or more, when
        /// edits made during the sync join it).
        case pushing(done: Int, total: Int)
        /// Changes and pages pulled so far in this sync, counting a page carried by the last push.
        case pulling(changes: Int, pages: Int)
        /// The server compacted past this device's cursor: the pull starts over from the
        /// beginning (pending changes are kept and pushed as usual).
        case resyncing
        /// Bodies fetched so far of those the storage plan wants (the newest first, on a first sync).
        case downloading(done: Int, total: Int)
    }

    /// What a sync did.
    public struct Summary: Sendable, Hashable {
        /// Mutations the server took as sent.
        public var pushed = 0
        /// Mutations the server merged with other devices' changes.
        public var merged = 0
        /// Mutations the server refused (kept in `briefing conflicts`).
        public var rejected = 0
        /// Changes pulled.
        public var pulled = 0
        /// New conflict records pulled.
        public var conflicts = 0
        /// Whether the server required a full resync.
        public var resynced = false
        /// Bodies fetched, and bodies evicted for the storage budget.
        public var downloaded = 0
        public var evicted = 0
        /// Bodies the plan wanted that could not be fetched (they are fetched when read, or by the next sync).
        public var bodiesFailed = 0

        public init() {}
    }

    public let store: BriefingStore
    public let configuration: Configuration
    private let transport: any ClientTransport
    let logger: Logger

    /// The HTTP transport an app gets by default: URLSession on Apple's systems; on Linux the
    /// server-side Swift HTTP client (its shared instance, event-driven: a sync that waits on a
    /// slow server sleeps, where Linux's URLSession spins a core).
    public static func defaultTransport() -> any ClientTransport {
        #if os(Linux)
            AsyncHTTPClientTransport(configuration: .init(client: syncHTTPClient, timeout: .seconds(60)))
        #else
            URLSessionTransport()
        #endif
    }

    /// A client over `store`; the transport defaults to `defaultTransport()`.
    public init(
        store: BriefingStore, transport: (any ClientTransport)? = nil, configuration: Configuration = .init(),
        logger: Logger = Logger(label: "briefings.sync-client")
    ) {
        self.store = store
        self.transport = transport ?? Self.defaultTransport()
        self.configuration = configuration
        self.logger = logger
    }

    func client(serverURL: String, token: String?) throws -> Client {
        let (url, middlewares) = try endpoint(serverURL: serverURL, token: token)
        return Client(
            serverURL: url, configuration: OpenAPIRuntime.Configuration.wire, transport: transport, middlewares: middlewares)
    }

    private func pages(serverURL: String, token: String) throws -> PageSource {
        let (url, middlewares) = try endpoint(serverURL: serverURL, token: token)
        return PageSource(baseURL: url, middlewares: middlewares, transport: transport, maxResponseBytes: configuration.maxResponseBytes)
    }

    /// The server's URL and the middlewares every request to it goes through.
    private func endpoint(serverURL: String, token: String?) throws -> (URL, [any ClientMiddleware]) {
        guard let url = URL(string: serverURL), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw SyncClientError(.notLoggedIn, "\(serverURL) is not an http(s) URL")
        }
        var middlewares: [any ClientMiddleware] = [
            GzipMiddleware(threshold: configuration.compressionThreshold, maxResponseBytes: configuration.maxResponseBytes)
        ]
        if let token { middlewares.insert(BearerTokenMiddleware(token: token), at: 0) }
        return (url, middlewares)
    }

    // MARK: Session

    /// Logs this store in as `user`, registering it as a new device.
    @discardableResult
    public func login(serverURL: String, user: String, password: String, deviceName: String?) async throws -> SyncState {
        let serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        // A second login would register this store as another device: its own earlier edits
        // would then look like another device's, and meet its new ones as conflicts.
        let current = try await store.syncState()
        if current.token != nil {
            throw SyncClientError(
                .alreadyLoggedIn,
                "already logged in as \(current.user ?? "?") on \(current.serverURL ?? "?"); run `briefing logout` first")
        }
        let client = try client(serverURL: serverURL, token: nil)
        let body = Components.Schemas.SessionRequest(user: user, password: password, deviceName: deviceName)
        do {
            try body.checkContract()
        } catch {
            throw SyncClientError(.invalidInput, error.message)
        }
        var output = try await request(serverURL) { try await client.createSession(body: .json(body)) }
        // A busy server (too many password checks at once) says when to come back: a few
        // short waits are worth it before giving up.
        for _ in 0..<3 {
            guard case .serviceUnavailable(let busy) = output else { break }
            let wait = min(max(busy.headers.retryAfter ?? 1, 1), 5)
            logger.notice("the server is busy; retrying the login", metadata: ["after": "\(wait) s"])
            try await Task.sleep(for: .seconds(Int(wait)))
            output = try await request(serverURL) { try await client.createSession(body: .json(body)) }
        }
        switch output {
        case .created(let created):
            let session = try created.body.json
            guard HLC.isValidNode(session.deviceID) else {
                throw SyncClientError(.protocolViolation, "the server issued an unusable device ID")
            }
            try await store.saveLogin(
                serverURL: serverURL, user: session.user, deviceID: session.deviceID, deviceName: deviceName, token: session.token)
            return try await store.syncState()
        case .unauthorized(let error):
            throw SyncClientError(.unauthorized, serverError: try error.body.json)
        case .badRequest(let error):
            throw SyncClientError(.server, serverError: try error.body.json)
        case .contentTooLarge(let error):
            throw SyncClientError(.server, serverError: try error.body.json)
        case .tooManyRequests(let error):
            throw SyncClientError(.rateLimited, serverError: try error.body.json)
        case .serviceUnavailable(let error):
            throw SyncClientError(.server, serverError: try error.body.json)
        case .undocumented(let status, _):
            throw SyncClientError(.server, "the server answered HTTP \(status) to the login")
        }
    }

    /// Revokes this device's token on the server and forgets it locally; synced data and
    /// pending changes stay in the store.
    public func logout() async throws {
        let state = try await store.syncState()
        guard let serverURL = state.serverURL, let token = state.token else {
            throw SyncClientError(.notLoggedIn, "this store is not logged in")
        }
        let client = try client(serverURL: serverURL, token: token)
        let output = try await request(serverURL) { try await client.deleteCurrentSession() }
        switch output {
        case .noContent, .unauthorized:
            // Either way the token no longer works.
            try await store.clearToken()
        case .undocumented(let status, _):
            throw SyncClientError(.server, "the server answered HTTP \(status) to the logout")
        }
    }

    // MARK: Subscriptions

    /// What this device receives, of what its account is entitled to.
    public struct Subscriptions: Sendable, Hashable, Encodable {
        /// It follows the account's entitlements (a new device's default).
        public var all: Bool
        /// The publications it receives, by key.
        public var publications: [String]
        public var entitledToAll: Bool
        /// The publications published that the account is entitled to.
        public var available: [Publication]

        public struct Publication: Sendable, Hashable, Encodable {
            public var key: String
            public var name: String
            public var briefings: Int
            public var subscribed: Bool
        }

        init(_ wire: Wire.Subscriptions) {
            all = wire.all
            publications = wire.publications
            entitledToAll = wire.entitledToAll
            available = wire.available.map { .init(key: $0.key, name: $0.name, briefings: Int($0.briefings), subscribed: $0.subscribed) }
        }
    }

    /// The device's subscriptions, as the server keeps them.
    public func subscriptions() async throws -> Subscriptions {
        let (serverURL, client) = try await loggedIn()
        switch try await request(serverURL, { try await client.getSubscriptions() }) {
        case .ok(let ok): return Subscriptions(try ok.body.json)
        case .unauthorized(let error): throw SyncClientError(.unauthorized, serverError: try error.body.json)
        case .serviceUnavailable(let unavailable): throw Self.unavailable(unavailable.headers.retryAfter)
        case .undocumented(let status, _): throw SyncClientError(.server, "the server answered HTTP \(status) to a subscriptions request")
        }
    }

    /// Chooses what this device receives: everything its account is entitled to (`nil`), or
    /// these publications (keys or names). The next sync moves only the difference: content
    /// of a publication added arrives, that of one dropped leaves the device (the reader's own
    /// highlights and notes on it stay).
    public func setSubscriptions(_ publications: [String]?) async throws -> Subscriptions {
        let (serverURL, client) = try await loggedIn()
        let body = Wire.SubscriptionRequest(all: publications == nil, publications: publications)
        switch try await request(serverURL, { try await client.putSubscriptions(body: .json(body)) }) {
        case .ok(let ok): return Subscriptions(try ok.body.json)
        case .badRequest(let error): throw SyncClientError(.invalidInput, serverError: try error.body.json)
        case .unauthorized(let error): throw SyncClientError(.unauthorized, serverError: try error.body.json)
        case .serviceUnavailable(let unavailable): throw Self.unavailable(unavailable.headers.retryAfter)
        case .undocumented(let status, _): throw SyncClientError(.server, "the server answered HTTP \(status) to a subscriptions request")
        }
    }

    func loggedIn() async throws -> (String, Client) {
        let state = try await store.syncState()
        guard let serverURL = state.serverURL, let token = state.token else {
            throw SyncClientError(.notLoggedIn, "log in first: briefing login SERVER_URL --user NAME")
        }
        return (serverURL, try client(serverURL: serverURL, token: token))
    }

    // MARK: Sync

    /// Pushes every pending change, then pulls until caught up.
    public func sync(progress: @Sendable (Progress) -> Void = { _ in }) async throws -> Summary {
        let (state, batch) = try await store.syncStart(batchLimit: configuration.pushBatchSize)
        guard let serverURL = state.serverURL, let token = state.token, let deviceID = state.deviceID else {
            throw SyncClientError(.notLoggedIn, "log in first: briefing login SERVER_URL --user NAME")
        }
        let client = try client(serverURL: serverURL, token: token)
        var summary = Summary()
        if state.cursor == nil && configuration.bodies == .separate && configuration.prefetch {
            // A first sync: the newest briefings, and their bodies, before the rest of the library.
            try await fetchNewest(client, serverURL: serverURL, summary: &summary, progress: progress)
        }
        let (caughtUp, pages) = try await push(
            client, serverURL: serverURL, deviceID: deviceID, first: batch, summary: &summary, progress: progress)
        if !caughtUp {
            try await pull(
                try self.pages(serverURL: serverURL, token: token), serverURL: serverURL, after: pages, summary: &summary, progress: progress)
        }
        if configuration.prefetch { try await downloadBodies(client, serverURL: serverURL, summary: &summary, progress: progress) }
        logger.debug(
            "sync finished",
            metadata: ["pushed": "\(summary.pushed)", "merged": "\(summary.merged)", "pulled": "\(summary.pulled)"])
        return summary
    }

    /// Pushes the outbox in batches, starting with `first` (read together with the sync's
    /// state). The batch that empties it also asks for the first page of changes, so a sync
    /// with little to do is one round trip and one local read before it; returns whether that
    /// page brought the device up to date (otherwise the pull carries on from its cursor), and
    /// how many pages it pulled (reported as pulling progress when they held changes).
    ///
    /// With `separatePulls` (a device whose pulls run on their own, long-polling), no page is
    /// asked for: each batch carries the device's cursor instead, so the server still sends
    /// none of it back, and pages are applied only by the pulls.
    private func push(
        _ client: Client, serverURL: String, deviceID: String, first: OutboxBatch, summary: inout Summary,
        progress: (Progress) -> Void, separatePulls: Bool = false, pushed: ([Mutation], [MutationResult]) -> Void = { _, _ in }
    ) async throws -> (caughtUp: Bool, pages: Int) {
        var next = first
        let total = next.pending
        var done = 0
        var caughtUp = false
        var pages = 0
        progress(.pushing(done: 0, total: total))
        while !next.mutations.isEmpty {
            let batch = next.mutations
            let pull = batch.count >= next.pending && !separatePulls
                ? Wire.PullAfterPush(
                    cursor: next.cursor, limit: Int32(configuration.pullPageSize), bodies: Wire.BodyDelivery(configuration.bodies)) : nil
            let body = Wire.PushRequest(
                clientID: deviceID, mutations: batch.map(Wire.Mutation.init), pull: pull, cursor: pull == nil ? next.cursor : nil)
            let output = try await request(serverURL) { try await client.pushMutations(body: .json(body)) }
            let response: Wire.PushResponse
            switch output {
            case .ok(let ok):
                response = try ok.body.json
            case .unauthorized(let error):
                throw SyncClientError(.unauthorized, serverError: try error.body.json)
            case .badRequest(let error):
                throw SyncClientError(.server, serverError: try error.body.json, prefix: "the server refused the push: ")
            case .conflict(let error):
                throw SyncClientError(.server, serverError: try error.body.json, prefix: "the server refused the push: ")
            case .contentTooLarge(let error):
                throw SyncClientError(.server, serverError: try error.body.json, prefix: "the server refused the push: ")
            case .serviceUnavailable(let unavailable):
                throw Self.unavailable(unavailable.headers.retryAfter)
            case .undocumented(let status, _):
                throw SyncClientError(.server, "the server answered HTTP \(status) to a push")
            }
            let sent = Dictionary(batch.map { ($0.mutationID, $0) }, uniquingKeysWith: { first, _ in first })
            guard response.results.count == batch.count, Set(response.results.map(\.mutationID)) == Set(sent.keys) else {
                throw SyncClientError(.protocolViolation, "the server's answer does not match the pushed batch")
            }
            let results: [MutationResult]
            do {
                results = try response.results.map { result throws(WireError) in try result.model(answering: sent[result.mutationID]!) }
            } catch {
                throw SyncClientError(.protocolViolation, "the server sent an invalid answer: \(error.message)")
            }
            let stillPending: Int
            var carried = 0
            if pull != nil, let page = response.changes {
                // The answers and the page go into the store together.
                let changes = try Self.changes(of: page)
                let applied = try await store.applyPage(changes, cursor: page.cursor, acknowledging: results, finishing: !page.hasMore)
                summary.pulled += changes.count
                summary.conflicts += applied.conflicts
                caughtUp = !page.hasMore
                stillPending = applied.pending
                pages += 1
                carried = changes.count
            } else {
                stillPending = try await store.acknowledge(results)
                caughtUp = false
            }
            pushed(batch, results)
            for result in results {
                switch result.status {
                case .applied, .duplicate: summary.pushed += 1
                case .merged: summary.merged += 1
                case .rejected: summary.rejected += 1
                }
            }
            done += batch.count
            progress(.pushing(done: min(done, total), total: max(total, done)))
            if carried > 0 { progress(.pulling(changes: summary.pulled, pages: pages)) }
            // Edits made during the sync are pushed too; an empty outbox needs no further read.
            if stillPending == 0 { break }
            next = try await store.outboxBatch(limit: configuration.pushBatchSize)
        }
        return (caughtUp, pages)
    }

    /// The model changes of a page; a change that does not convert is the server's fault.
    private static func changes(of page: Wire.ChangesPage) throws -> [Change] {
        do {
            return try page.changes.map { change throws(WireError) in try change.model() }
        } catch {
            throw SyncClientError(.protocolViolation, "the server sent an invalid change: \(error.message)")
        }
    }

    /// One pulled page, decoded and checked, or the server's demand for a resync.
    private enum Pulled: Sendable {
        case page(changes: [Change], cursor: String, hasMore: Bool)
        case resyncRequired
    }

    /// Fetches and decodes the page after `cursor`.
    private func fetchPage(_ source: PageSource, serverURL: String, cursor: String?, wait: Int? = nil) async throws -> Pulled {
        var query = [URLQueryItem(name: "limit", value: String(configuration.pullPageSize))]
        if let cursor { query.append(URLQueryItem(name: "cursor", value: cursor)) }
        if let wait { query.append(URLQueryItem(name: "wait", value: String(min(max(wait, 0), 30)))) }
        if configuration.bodies != .inline { query.append(URLQueryItem(name: "bodies", value: configuration.bodies.rawValue)) }
        let (response, body) = try await request(serverURL) { try await source.get("/v1/changes", query: query, operationID: "getChanges") }
        switch response.status.code {
        case 200:
            guard response.headerFields[.contentType]?.lowercased().hasPrefix("application/json") == true else {
                throw SyncClientError(.protocolViolation, "the server answered a pull with \(response.headerFields[.contentType] ?? "no content type")")
            }
            if let page = body.withUnsafeBufferPointer(Wire.ChangesPage.directlyRead) {
                return .page(changes: page.changes, cursor: page.cursor, hasMore: page.hasMore)
            }
            let page = try Self.decodeAnswer(Wire.ChangesPage.self, body)
            return .page(changes: try Self.changes(of: page), cursor: page.cursor, hasMore: page.hasMore)
        case 410:
            return .resyncRequired
        case 400:
            throw SyncClientError(.server, serverError: try Self.decodeAnswer(Wire._Error.self, body), prefix: "the server refused the pull: ")
        case 401:
            throw SyncClientError(.unauthorized, serverError: try Self.decodeAnswer(Wire._Error.self, body))
        case 503:
            throw Self.unavailable(response.headerFields[.retryAfter].flatMap { Int32($0) })
        default:
            throw SyncClientError(.server, "the server answered HTTP \(response.status.code) to a pull")
        }
    }

    /// A JSON answer the server sent, decoded as the generated client would.
    private static func decodeAnswer<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws -> T {
        do {
            return try Wire.decoder().decode(type, from: Data(body))
        } catch {
            throw SyncClientError(.protocolViolation, "the server's answer could not be read: \(describe(error))")
        }
    }

    /// Pulls pages until caught up. The next page is fetched and decoded while the current one
    /// is applied, so the server's work, the network and the store's writes overlap; pages are
    /// still applied strictly in order, each with its cursor in one transaction. `pages` were
    /// already pulled by the push; progress counts on from them.
    private func pull(
        _ source: PageSource, serverURL: String, after pages: Int, summary: inout Summary, progress: (Progress) -> Void
    ) async throws {
        var pages = pages
        var resyncs = 0
        let cursor = try await store.syncState().cursor
        if pages == 0 { progress(.pulling(changes: 0, pages: 0)) }
        var next = Task { try await fetchPage(source, serverURL: serverURL, cursor: cursor) }
        defer { next.cancel() }
        while true {
            switch try await next.value {
            case .page(let changes, let cursor, let hasMore):
                if hasMore { next = Task { try await fetchPage(source, serverURL: serverURL, cursor: cursor) } }
                let applied = try await store.applyPage(changes, cursor: cursor, finishing: !hasMore)
                summary.pulled += changes.count
                summary.conflicts += applied.conflicts
                pages += 1
                progress(.pulling(changes: summary.pulled, pages: pages))
                if !hasMore { return }
            case .resyncRequired:
                // A compaction during a resync can ask for another; more than a few means something is wrong.
                resyncs += 1
                guard resyncs <= 3 else {
                    throw SyncClientError(.protocolViolation, "the server asked for a resync \(resyncs) times in one sync")
                }
                // The cursor is behind the server's horizon: start over, keeping the outbox.
                logger.notice("server requires a resync")
                try await store.resetForResync()
                summary.resynced = true
                progress(.resyncing)
                next = Task { try await fetchPage(source, serverURL: serverURL, cursor: nil) }
            }
        }
    }

    // MARK: Live

    /// What one `poll` did.
    public struct Polled: Sendable {
        /// The changes applied, in order (empty at the deadline, or when the page was dropped).
        public var changes: [Change] = []
        /// Whether more changes wait: poll again at once.
        public var hasMore = false
        /// Another pull of this store had moved its cursor on; the page was not applied.
        public var overtaken = false
        /// The server asked for a resync: the store was emptied (its outbox kept) and the next
        /// poll starts from the beginning.
        public var resynced = false
        /// New conflict records among the changes.
        public var conflicts = 0
    }

    /// Pulls the page after the store's cursor, waiting up to `wait` seconds (0–30) for one
    /// when nothing is there yet, and applies it, unless another pull of the store got there
    /// first (then nothing is applied, and the next poll starts from the newer cursor).
    public func poll(wait: Int) async throws -> Polled {
        let state = try await store.syncState()
        guard let serverURL = state.serverURL, let token = state.token else {
            throw SyncClientError(.notLoggedIn, "log in first: briefing login SERVER_URL --user NAME")
        }
        let source = try pages(serverURL: serverURL, token: token)
        var polled = Polled()
        switch try await fetchPage(source, serverURL: serverURL, cursor: state.cursor, wait: wait) {
        case .page(let changes, let cursor, let hasMore):
            polled.hasMore = hasMore
            if let applied = try await store.applyPage(changes, cursor: cursor, after: state.cursor, finishing: !hasMore) {
                polled.changes = changes
                polled.conflicts = applied.conflicts
            } else {
                polled.overtaken = true
            }
        case .resyncRequired:
            logger.notice("server requires a resync")
            try await store.resetForResync()
            polled.resynced = true
            polled.hasMore = true
        }
        return polled
    }

    /// Pushes every pending change without asking for pages (a device whose `poll`s bring
    /// them). `pushed` sees each batch with the server's answers, once they are stored.
    public func pushPending(
        progress: @Sendable (Progress) -> Void = { _ in }, pushed: ([Mutation], [MutationResult]) -> Void = { _, _ in }
    ) async throws -> Summary {
        let (state, batch) = try await store.syncStart(batchLimit: configuration.pushBatchSize)
        guard let serverURL = state.serverURL, let token = state.token, let deviceID = state.deviceID else {
            throw SyncClientError(.notLoggedIn, "log in first: briefing login SERVER_URL --user NAME")
        }
        var summary = Summary()
        guard !batch.mutations.isEmpty else { return summary }
        let client = try client(serverURL: serverURL, token: token)
        _ = try await push(
            client, serverURL: serverURL, deviceID: deviceID, first: batch, summary: &summary, progress: progress, separatePulls: true,
            pushed: pushed)
        return summary
    }

    /// Runs one request, retrying with backoff when the server cannot be reached.
    ///
    /// Retrying is safe: pushes are idempotent by mutation ID and pulls only read.
    func request<T>(_ serverURL: String, _ body: () async throws -> T) async throws -> T {
        var attempt = 0
        var delay = configuration.retryDelay
        while true {
            do {
                return try await body()
            } catch let error as ClientError {
                let cause = Self.describe(error.underlyingError)
                if error.underlyingError is DecodingError || error.underlyingError is GzipError {
                    throw SyncClientError(.protocolViolation, "the server's answer could not be read: \(cause)")
                }
                guard attempt < configuration.retries else {
                    throw SyncClientError(.unreachable, "cannot reach the server at \(serverURL): \(cause)")
                }
                attempt += 1
                logger.notice("request failed; retrying", metadata: ["attempt": "\(attempt)", "error": "\(cause)"])
                try await Task.sleep(for: delay)
                delay *= 2
            }
        }
    }

    /// A server that cannot reach its database: nothing was changed, and unsynced edits stay
    /// in the outbox for the next sync.
    static func unavailable(_ retryAfter: Int32?) -> SyncClientError {
        SyncClientError(
            .unreachable, "the server cannot reach its database just now; nothing was lost, sync again in \(max(retryAfter ?? 5, 1)) s",
            serverCode: "unavailable")
    }

    static func describe(_ error: any Error) -> String {
        #if os(Linux)
            if let error = error as? HTTPClientError {
                switch error {
                case .connectTimeout: return "timed out connecting"
                case .readTimeout, .deadlineExceeded: return "timed out"
                case .remoteConnectionClosed: return "the connection was lost"
                default: break
                }
            }
            let text = String(describing: error)
            if text.contains("ECONNREFUSED") || text.localizedCaseInsensitiveContains("connection refused") {
                return "connection refused"
            }
            if text.contains("ECONNRESET") || text.localizedCaseInsensitiveContains("connection reset") {
                return "the connection was lost"
            }
        #endif
        if let urlError = error as? URLError {
            switch urlError.code {
            case .cannotConnectToHost: return "connection refused"
            case .networkConnectionLost: return "the connection was lost"
            case .timedOut: return "timed out"
            case .cannotFindHost: return "unknown host"
            default: return urlError.localizedDescription
            }
        }
        return String(describing: error)
    }
}


extension OpenAPIRuntime.Configuration {
    /// Compact JSON on the wire.
    public static var wire: Self { .init(jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]) }
}

/// Pages of changes fetched through the same middlewares (token, gzip) and transport as
/// every other request, as the generated client sends them, but with the body kept as bytes
/// so that `Wire.ChangesPage.directlyRead` can read it: pages are most of what a device
/// receives, and reading them this way costs a fraction of decoding the generated types.
struct PageSource: Sendable {
    let baseURL: URL
    let middlewares: [any ClientMiddleware]
    let transport: any ClientTransport
    let maxResponseBytes: Int

    /// A GET of `path` with `query`, its answer's body collected. A failure to reach the
    /// server is a `ClientError`, as the generated client throws it, so retries treat both alike.
    func get(_ path: String, query: [URLQueryItem], operationID: String) async throws -> (HTTPResponse, [UInt8]) {
        var components = URLComponents()
        components.queryItems = query
        // `+` is a space to some servers' query parsers; the generated client escapes it too.
        let encoded = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        var request = HTTPRequest(method: .get, scheme: nil, authority: nil, path: encoded.isEmpty ? path : path + "?" + encoded)
        request.headerFields[.accept] = "application/json"
        var next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?) = { request, body, url in
            try await transport.send(request, body: body, baseURL: url, operationID: operationID)
        }
        for middleware in middlewares.reversed() {
            let inner = next
            next = { request, body, url in
                try await middleware.intercept(request, body: body, baseURL: url, operationID: operationID, next: inner)
            }
        }
        do {
            let (response, body) = try await next(request, nil, baseURL)
            guard let body else { return (response, []) }
            return (response, try await [UInt8](collecting: body, upTo: maxResponseBytes))
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(
                operationID: operationID, operationInput: query, request: request, requestBody: nil, baseURL: baseURL,
                response: nil, responseBody: nil, causeDescription: "Transport threw an error.", underlyingError: error)
        }
    }
}
