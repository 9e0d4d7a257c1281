import BriefingModel
import BriefingStore
import BriefingTestSupport
import Foundation
import HTTPTypes
import OpenAPIRuntime
import OpenAPIURLSession
import SyncClient
import SyncServerCore
import Synchronization
import Testing

/// The last push of a sync carries its pull: a device with a few edits syncs in one round trip.
@Suite("Push and pull in one round trip", .timeLimit(.minutes(10)))
struct RoundTripTests {
    /// Passes requests to URLSession and notes each one's operation.
    final class CountingTransport: ClientTransport, Sendable {
        let upstream = URLSessionTransport()
        let operations = Mutex<[String]>([])

        func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
            operations.withLock { $0.append(operationID) }
            return try await upstream.send(request, body: body, baseURL: baseURL, operationID: operationID)
        }

        /// The operations sent since the last call.
        func take() -> [String] {
            operations.withLock { operations in
                let taken = operations
                operations = []
                return taken
            }
        }
    }

    /// A device logged in as the demo reader and caught up, with a counting transport.
    func caughtUpDevice(_ name: String, _ server: TestServer, pageSize: Int = 200) async throws -> (SyncClient, CountingTransport) {
        let transport = CountingTransport()
        let store = try BriefingStore(path: TemporaryDirectory.make().appendingPathComponent("\(name).sqlite").path)
        let client = SyncClient(store: store, transport: transport, configuration: .init(pullPageSize: pageSize))
        try await client.login(serverURL: server.url, user: "demo", password: "demo", deviceName: name)
        _ = try await client.sync()
        _ = transport.take()
        return (client, transport)
    }

    @Test("A caught-up device with one edit syncs in one request, and another device sees the edit")
    func oneEditOneRequest() async throws {
        try await withTestServer { server in
            let (a, transportA) = try await caughtUpDevice("A", server)
            let (b, _) = try await caughtUpDevice("B", server)
            let before = try await a.store.syncState()
            try await a.store.change(.bookmark, id: "grid-storage-winter", fields: ["briefingID": .string("grid-storage-winter"), "bookmarked": .bool(true)])

            let events = Mutex<[SyncClient.Progress]>([])
            let summary = try await a.sync { event in events.withLock { $0.append(event) } }
            #expect(transportA.take() == ["pushMutations"])
            // The carried page holds nothing: the bookmark is A's own, so it does not come back.
            #expect(events.withLock { $0 } == [.pushing(done: 0, total: 1), .pushing(done: 1, total: 1)])
            #expect(summary.pushed == 1)
            #expect(summary.pulled == 0, "no echo: the push's answer acknowledged the bookmark A holds")
            #expect(try await a.store.pendingCount() == 0)
            let after = try await a.store.syncState()
            #expect(after.cursor != before.cursor)
            #expect(after.lastSyncAt != nil)

            _ = try await b.sync()
            let onB = try await b.store.records(.bookmark)
            #expect(onB.count == 1)
            #expect(onB.first?.fields["bookmarked"] == .bool(true))
        }
    }

    @Test("When the carried page is not the last, the sync pulls on from its cursor")
    func carriedPageThenPull() async throws {
        try await withTestServer { server in
            let (a, _) = try await caughtUpDevice("A", server)
            // Another device writes more than one page, then A pushes one edit with a small page size.
            let (other, _) = try await caughtUpDevice("other", server)
            for index in 0..<7 {
                try await other.store.change(
                    .tag, id: "grid-storage-winter#tag-\(index)",
                    fields: ["briefingID": .string("grid-storage-winter"), "name": .string("tag-\(index)")])
            }
            _ = try await other.sync()
            let transport = CountingTransport()
            let small = SyncClient(store: a.store, transport: transport, configuration: .init(pullPageSize: 3))
            try await a.store.change(.bookmark, id: "grid-storage-winter", fields: ["briefingID": .string("grid-storage-winter"), "bookmarked": .bool(true)])

            let events = Mutex<[SyncClient.Progress]>([])
            let summary = try await small.sync { event in events.withLock { $0.append(event) } }
            #expect(transport.take() == ["pushMutations", "getChanges", "getChanges"])
            // Seven tags; A's own bookmark is not echoed back.
            #expect(summary.pulled == 7)
            // Pages and changes count on from the carried page.
            let pulls = events.withLock { $0 }.filter { if case .pulling = $0 { true } else { false } }
            #expect(pulls == [.pulling(changes: 3, pages: 1), .pulling(changes: 6, pages: 2), .pulling(changes: 7, pages: 3)])
            #expect(try await a.store.records(.tag).count == 7)
            #expect(try await a.store.records(.bookmark).count == 1)
        }
    }

    @Test("A push whose pull cannot be served still lands; the page is left out and GET /v1/changes says why")
    func unservablePull() async throws {
        try await withTestServer { server in
            let login = try await rawLogin(server, user: "demo", password: "demo")
            let hlc = HLC(wallMillis: 1_700_000_000_000, counter: 0, node: login.deviceID).description
            func push(_ mutationID: Int, pull: [String: Any]) throws -> Data {
                try JSONSerialization.data(withJSONObject: [
                    "clientID": login.deviceID,
                    "mutations": [[
                        "mutationID": mutationID, "entity": "note", "id": "note-\(mutationID)", "op": "upsert", "hlc": hlc,
                        "fields": ["briefingID": "grid-storage-winter", "text": "Note \(mutationID)"],
                    ]],
                    "pull": pull,
                ])
            }
            let bad = try await rawRequest("POST", server.url + "/v1/mutations", token: login.token, body: try push(1, pull: ["cursor": "not-a-cursor"]))
            #expect(bad.status == 200)
            #expect((bad.object?["results"] as? [[String: Any]])?.first?["status"] as? String == "applied")
            #expect(bad.object?["changes"] == nil)
            let get = try await rawRequest("GET", server.url + "/v1/changes?cursor=not-a-cursor", token: login.token)
            #expect(get.status == 400)

            // A well-formed cursor of another database must resync: no page, and the push still lands.
            let foreign = Cursor(epoch: "another-database", seq: 1).token
            let resync = try await rawRequest("POST", server.url + "/v1/mutations", token: login.token, body: try push(2, pull: ["cursor": foreign]))
            #expect(resync.status == 200)
            #expect((resync.object?["results"] as? [[String: Any]])?.first?["status"] as? String == "applied")
            #expect(resync.object?["changes"] == nil)
            #expect(try await rawRequest("GET", server.url + "/v1/changes?cursor=\(foreign)", token: login.token).status == 410)

            // From the start: the page holds the content and all three notes.
            let good = try await rawRequest("POST", server.url + "/v1/mutations", token: login.token, body: try push(3, pull: ["limit": 1000]))
            let page = try #require(good.object?["changes"] as? [String: Any])
            let ids = (page["changes"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids.contains("note-1") && ids.contains("note-2") && ids.contains("note-3") && ids.contains("grid-storage-winter"))
            #expect(page["hasMore"] as? Bool == false)
        }
    }
}
