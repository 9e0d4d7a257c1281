import BriefingModel
import BriefingServer
import Logging
import BriefingTestSupport
import Foundation
import SyncServerCore
import SyncServerPostgres
import Synchronization
import Testing

/// Long-polling pulls (`GET /v1/changes?wait=SECONDS`) against the real server.
@Suite("Live sync: long-poll", .timeLimit(.minutes(10)))
struct LiveSyncTests {
    /// A caught-up session of `user`: its token and the cursor at the end of the log.
    static func caughtUp(_ server: TestServer, user: String = "demo", password: String = "demo") async throws -> (token: String, cursor: String, principal: Principal) {
        let session = try await server.service.createSession(user: user, password: password, deviceName: "watcher")
        let principal = try await server.service.authenticate(token: session.token)
        var cursor: String?
        while true {
            let page = try await server.service.pull(principal, cursor: cursor, limit: 1000)
            cursor = page.cursor.token
            if !page.hasMore { break }
        }
        return (session.token, cursor!, principal)
    }

    static func bookmark(_ principal: Principal, id: Int64) -> Mutation {
        Mutation(
            mutationID: id, kind: .bookmark, id: "grid-storage-winter", op: .upsert,
            hlc: HLC(wallMillis: Int64(Date().timeIntervalSince1970 * 1000) + id, counter: 0, node: principal.deviceID),
            fields: ["briefingID": .string("grid-storage-winter"), "bookmarked": .bool(id % 2 == 1)])
    }

    @Test("A waiting pull answers with a change as soon as another device commits it, long before its deadline")
    func wakesOnCommit() async throws {
        try await withTestServer { server in
            let watcher = try await Self.caughtUp(server)
            let writer = try await Self.caughtUp(server)
            let url = server.url + "/v1/changes?cursor=\(watcher.cursor)&wait=30"
            // The push waits until the pull is parked, so the wake-up, not a first read, delivers it.
            async let pulled = rawRequest("GET", url, token: watcher.token)
            while server.service.kernel.signal.waiting == 0 { try await Task.sleep(for: .milliseconds(10)) }
            let started = ContinuousClock.now
            _ = try await server.service.push(writer.principal, clientID: writer.principal.deviceID, mutations: [Self.bookmark(writer.principal, id: 1)])
            let response = try await pulled
            #expect(response.status == 200)
            let changes = try #require(response.object?["changes"] as? [[String: Any]])
            #expect(changes.map { $0["id"] as? String } == ["grid-storage-winter"])
            // Well inside the 30 s it could have waited: it was woken, not timed out.
            #expect(ContinuousClock.now - started < .seconds(25))
        }
    }

    @Test("With nothing to see, a waiting pull answers an empty page with the same cursor at its deadline; another reader's write does not end it")
    func deadlineAndIsolation() async throws {
        try await withTestServer { server in
            try await server.service.addUser(name: "other", password: "other-password", grants: .all)
            let watcher = try await Self.caughtUp(server)
            let other = try await Self.caughtUp(server, user: "other", password: "other-password")
            async let pulled = rawRequest("GET", server.url + "/v1/changes?cursor=\(watcher.cursor)&wait=2", token: watcher.token)
            while server.service.kernel.signal.waiting == 0 { try await Task.sleep(for: .milliseconds(10)) }
            // Another account's write wakes the pull, which reads again and finds nothing it may see.
            _ = try await server.service.push(other.principal, clientID: other.principal.deviceID, mutations: [Self.bookmark(other.principal, id: 1)])
            let response = try await pulled
            #expect(response.status == 200)
            #expect((response.object?["changes"] as? [Any])?.isEmpty == true)
            #expect(response.object?["cursor"] as? String == watcher.cursor)
            #expect(response.object?["hasMore"] as? Bool == false)
        }
    }

    @Test("wait must be 0…30 seconds")
    func waitBounds() async throws {
        try await withTestServer { server in
            let watcher = try await Self.caughtUp(server)
            for bad in ["31", "-1", "soon"] {
                let response = try await rawRequest("GET", server.url + "/v1/changes?cursor=\(watcher.cursor)&wait=\(bad)", token: watcher.token)
                #expect(response.status == 400, "wait=\(bad)")
                #expect(response.errorCode == "bad_request")
            }
            let now = try await rawRequest("GET", server.url + "/v1/changes?cursor=\(watcher.cursor)&wait=0", token: watcher.token)
            #expect(now.status == 200)
        }
    }

    @Test("The commit signal: a wait ends on a notification, at its deadline, or when its task is cancelled, and never misses a notification that came first")
    func signal() async throws {
        let signal = CommitSignal(maxWaiters: 1)
        let seen = signal.generation
        signal.notify()
        try await signal.wait(after: seen, timeout: .seconds(600))  // returns at once: it moved already
        let before = ContinuousClock.now
        try await signal.wait(after: signal.generation, timeout: .milliseconds(50))
        #expect(ContinuousClock.now - before >= .milliseconds(50))
        let parked = Task { try await signal.wait(after: signal.generation, timeout: .seconds(600)) }
        while signal.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
        await #expect(throws: SyncError.self) { try await signal.wait(after: signal.generation, timeout: .seconds(1)) }
        parked.cancel()
        try await parked.value
        #expect(signal.waiting == 0)
    }

    @Test("The commit signal wakes only the waits on the scopes a commit wrote; a notification for everyone wakes all")
    func scopedSignal() async throws {
        let signal = CommitSignal()
        let before = signal.generation(for: ["a"])
        signal.notify(scopes: ["b"])
        #expect(signal.generation(for: ["a"]) == before, "a commit to b is nothing to a reader of a")
        #expect(signal.generation(for: ["a", "b"]) != before)
        let released = Mutex(false)
        let waiter = Task {
            try await signal.wait(after: signal.generation(for: ["a"]), scopes: ["a"], timeout: .seconds(600))
            return released.withLock { $0 }
        }
        while signal.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
        signal.notify(scopes: ["b"])
        signal.notify(scopes: ["c", "d"])
        released.withLock { $0 = true }
        signal.notify(scopes: ["c", "a"])
        #expect(try await waiter.value, "the wait ended before a commit to its scope")
        // Everyone: a wait on any scope ends.
        let other = Task { try await signal.wait(after: signal.generation(for: ["z"]), scopes: ["z"], timeout: .seconds(600)) }
        while signal.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
        signal.notify()
        try await other.value
        #expect(signal.waiting == 0)
    }

    @Test("A server shutting down answers its waiting pulls at once instead of holding the shutdown to their deadlines")
    func shutdownAnswersWaiters() async throws {
        var logger = Logger(label: "test.server")
        logger.logLevel = .warning
        let service = SyncService(
            store: try SQLiteServerStore(path: TemporaryDirectory.make().appendingPathComponent("s.sqlite").path),
            configuration: .init(bcryptCost: 4), logger: logger, passwords: testPasswordHasher)
        try await DemoContent.load(into: service)
        let host = try await HTTPServerHost.start(service: service, logger: logger)
        let reader = try await service.authenticate(
            token: try await service.createSession(user: DemoContent.user, password: DemoContent.password, deviceName: nil).token)
        let head = try await service.pull(reader, cursor: nil, limit: 1000)
        // A pull that would wait half a minute, parked on the server's signal.
        let waiting = Task { try await service.pull(reader, cursor: head.cursor.token, limit: 10, wait: 30) }
        while service.kernel.signal.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
        try await host.stop()
        #expect(service.kernel.signal.isClosed)
        let page = try await waiting.value
        #expect(page.changes.isEmpty)
        #expect(service.kernel.signal.waiting == 0)
        // Once closed, a new wait does not park at all.
        try await service.kernel.signal.wait(after: service.kernel.signal.generation, timeout: .seconds(3600))
    }
}

/// Long-polls as the HTTP server holds them: outside the handler, each wake-up a new pass.
@Suite("Live sync: long-polls held by the HTTP server", .timeLimit(.minutes(10)))
struct LongPollHTTPTests {
    static func host(maxWaiters: Int = 10_000) async throws -> (SyncService, HTTPServerHost) {
        var logger = Logger(label: "test.server")
        logger.logLevel = .warning
        let service = SyncService(
            store: try SQLiteServerStore(path: TemporaryDirectory.make().appendingPathComponent("s.sqlite").path),
            configuration: .init(bcryptCost: 4), logger: logger, passwords: testPasswordHasher,
            signal: CommitSignal(maxWaiters: maxWaiters))
        try await DemoContent.load(into: service)
        return (service, try await HTTPServerHost.start(service: service, logger: logger))
    }

    @Test("Beyond the node's bound on waiting pulls a poll is told 503 busy with Retry-After; shutting down answers the waiting one at once")
    func busyAndShutdown() async throws {
        let (service, host) = try await Self.host(maxWaiters: 1)
        let server = TestServer(url: host.url, port: host.port, service: service)
        let watcher = try await LiveSyncTests.caughtUp(server)
        let url = server.url + "/v1/changes?cursor=\(watcher.cursor)&wait=30"
        async let first = rawRequest("GET", url, token: watcher.token)
        while service.kernel.signal.waiting == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let second = try await rawRequest("GET", url, token: watcher.token)
        #expect(second.status == 503)
        #expect(second.errorCode == "busy")
        #expect(second.headers["retry-after"] == "5")
        #expect(second.headers["briefings-protocol-version"] == "1")
        let stopping = ContinuousClock.now
        try await host.stop()
        let answered = try await first
        #expect(answered.status == 200)
        #expect((answered.object?["changes"] as? [Any])?.isEmpty == true)
        #expect(answered.object?["cursor"] as? String == watcher.cursor)
        #expect(ContinuousClock.now - stopping < .seconds(20), "the shutdown waited for the poll's deadline")
    }

    @Test("More long-polls at once than may pass through the handler together are each answered at their deadline, and pulls without a wait are not held back")
    func manyAtOnce() async throws {
        let (service, host) = try await Self.host()
        let server = TestServer(url: host.url, port: host.port, service: service)
        let watcher = try await LiveSyncTests.caughtUp(server)
        let url = server.url + "/v1/changes?cursor=\(watcher.cursor)&wait=1"
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<48 { group.addTask { try await rawRequest("GET", url, token: watcher.token).status } }
            // A pull that answers at once, sent while they wait.
            group.addTask { try await rawRequest("GET", server.url + "/v1/changes?cursor=\(watcher.cursor)", token: watcher.token).status }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.count == 49)
        #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
        #expect(service.kernel.signal.waiting == 0)
        try await host.stop()
    }

    @Test("A wake-up goes through authentication again: a token revoked while its poll waited is refused, not served")
    func revokedWhileWaiting() async throws {
        let (service, host) = try await Self.host()
        let server = TestServer(url: host.url, port: host.port, service: service)
        let watcher = try await LiveSyncTests.caughtUp(server)
        let writer = try await LiveSyncTests.caughtUp(server)
        async let pulled = rawRequest("GET", server.url + "/v1/changes?cursor=\(watcher.cursor)&wait=30", token: watcher.token)
        while service.kernel.signal.waiting == 0 { try await Task.sleep(for: .milliseconds(10)) }
        try await service.revoke(watcher.principal)
        // A write of the same reader's wakes the poll; what it would have carried is not sent.
        _ = try await service.push(writer.principal, clientID: writer.principal.deviceID, mutations: [LiveSyncTests.bookmark(writer.principal, id: 1)])
        let response = try await pulled
        #expect(response.status == 401)
        #expect(response.errorCode == "unauthorized")
        try await host.stop()
    }
}

/// Wake-ups across nodes: PostgreSQL's `LISTEN/NOTIFY`.
@Suite("Live sync across PostgreSQL nodes", .timeLimit(.minutes(10)))
struct LiveSyncNodesTests {
    @Test("A pull waiting on one node is woken by a push committed on another, long before its deadline")
    func wakeAcrossNodes() async throws {
        let url = try await PostgresCluster.shared().createDatabase()
        let a = try await PostgresTests.node(url), b = try await PostgresTests.node(url)
        try await DemoContent.load(into: a)
        let writer = try await a.authenticate(
            token: try await a.createSession(user: DemoContent.user, password: DemoContent.password, deviceName: "writer").token)
        let watcher = try await b.authenticate(
            token: try await b.createSession(user: DemoContent.user, password: DemoContent.password, deviceName: "watcher").token)
        var cursor: String?
        while true {
            let page = try await b.pull(watcher, cursor: cursor, limit: 1000)
            cursor = page.cursor.token
            if !page.hasMore { break }
        }
        // Node b hears commits only once its connection listens.
        let store = try #require(b.store as? PostgresServerStore)
        while !store.isListening { try await Task.sleep(for: .milliseconds(10)) }
        let start = cursor
        let pulled = Task { try await b.pull(watcher, cursor: start, limit: 100, wait: 20) }
        while b.kernel.signal.waiting == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let started = ContinuousClock.now
        _ = try await a.push(writer, clientID: writer.deviceID, mutations: [LiveSyncTests.bookmark(writer, id: 1)])
        let page = try await pulled.value
        #expect(page.changes.map(\.id) == ["grid-storage-winter"])
        #expect(ContinuousClock.now - started < .seconds(15))
        await a.store.close()
        await b.store.close()
    }
}
