import BriefingModel
@testable import BriefingServer
import BriefingStore
import BriefingTestSupport
import Foundation
import SyncClient
import Testing

/// What SyncServer/README.md tells an operator to run: two nodes on PostgreSQL behind nginx.
@Suite("Two nodes behind nginx", .timeLimit(.minutes(10)))
struct ScaleOutTests {
    @Test("Two devices sync through nginx to two nodes on one PostgreSQL database, reach both nodes, and converge")
    func twoNodesBehindNginx() async throws {
        let database = try await PostgresCluster.shared().createDatabase()
        // The first node sets the database up with the demo content; the second finds it there.
        let first = try await ServerProcess.start(databasePath: database)
        defer { first.stop() }
        let second = try await ServerProcess.start(databasePath: database)
        defer { second.stop() }
        let nginx = try await NginxProcess.start(nodes: [first.port, second.port])
        defer { nginx.stop() }

        let phone = Device("phone"), tablet = Device("tablet")
        for device in [phone, tablet] {
            let login = await device.run("login", nginx.url, "--user", "demo", "--password-stdin", stdin: "demo")
            #expect(login.code == 0, "\(login.err)")
            #expect(await device.run("sync").code == 0)
        }
        for index in 0..<8 { #expect(await phone.run("tag", "add", "grid-storage-winter", "phone-\(index)").code == 0) }
        #expect(await phone.run("bookmark", "add", "river-basin-water-sharing").code == 0)
        for index in 0..<8 { #expect(await tablet.run("tag", "add", "port-automation-labour", "tablet-\(index)").code == 0) }
        for device in [phone, tablet, phone] { #expect(await device.run("sync").code == 0) }

        let phoneRecords = try await BriefingStore(path: phone.storePath).allRecords()
        let tabletRecords = try await BriefingStore(path: tablet.storePath).allRecords()
        #expect(phoneRecords.filter { $0.kind == .tag }.count == 16)
        #expect(phoneRecords == tabletRecords)

        // Round robin: both nodes served the devices' pulls and pushes.
        _ = try await nginx.waitForAccessLog(containing: "/v1/mutations 200 upstream=127.0.0.1:\(second.port)")
        let log = nginx.accessLog
        for node in [first.port, second.port] {
            #expect(log.contains("/v1/changes 200 upstream=127.0.0.1:\(node)"), "node \(node) got no pull:\n\(log)")
            #expect(log.contains("/v1/mutations 200 upstream=127.0.0.1:\(node)"), "node \(node) got no push:\n\(log)")
        }
        // The node answers with the ID nginx gave the request, and nginx logged the same one.
        let probe = try await rawRequest("GET", nginx.url + "/healthz")
        #expect(probe.status == 200)
        let id = try #require(probe.headers["x-request-id"])
        #expect(try await nginx.waitForAccessLog(containing: "\(id) GET /healthz 200"), "\(id)")

        // Live through nginx: the tablet's engine holds a long-poll open on one node; the
        // phone's edit, pushed through nginx to either, reaches it without a sync.
        let engine = SyncEngine(client: SyncClient(store: try BriefingStore(path: tablet.storePath)))
        let events = engine.events()
        await engine.start()
        try await eventually(engine.statusUpdates()) { $0.live }
        #expect(await phone.run("bookmark", "add", "grid-storage-winter").code == 0)
        #expect(await phone.run("sync").code == 0)
        try await eventually(events) { if case .applied(let change) = $0 { change.kind == .bookmark && change.id == "grid-storage-winter" } else { false } }
        await engine.stop()
    }

    @Test("Behind a trusted proxy the login limit counts the reader's address from X-Forwarded-For; from anyone else the header is ignored")
    func forwardedFor() {
        let trusted: Set = ["127.0.0.1", "10.0.0.2"]
        // The peer is not a proxy: what it claims is ignored.
        #expect(ClientAddressMiddleware.client(peer: "203.0.113.9", forwardedFor: ["198.51.100.1"], trusted: trusted) == "203.0.113.9")
        // nginx appended the reader's address.
        #expect(ClientAddressMiddleware.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.7"], trusted: trusted) == "198.51.100.7")
        // A reader's forged entry sits left of what the proxies appended, and is passed over.
        #expect(
            ClientAddressMiddleware.client(peer: "127.0.0.1", forwardedFor: ["6.6.6.6, 198.51.100.7", "10.0.0.2"], trusted: trusted)
                == "198.51.100.7")
        // No header: the proxy itself.
        #expect(ClientAddressMiddleware.client(peer: "127.0.0.1", forwardedFor: [], trusted: trusted) == "127.0.0.1")
        #expect(ClientAddressMiddleware.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.7"], trusted: []) == "127.0.0.1")
    }
}
