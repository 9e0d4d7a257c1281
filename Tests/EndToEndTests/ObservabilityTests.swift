import BriefingModel
import BriefingServer
import BriefingStore
import BriefingTestSupport
import Foundation
import SyncServerCore
import Testing

/// What an operator watches: `/metrics`, `/readyz`, and request IDs in logs and headers.
@Suite("Observability", .timeLimit(.minutes(10)))
struct ObservabilityTests {
    /// The samples of a Prometheus text exposition, by series (`name{labels}`).
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    static func metrics(_ server: TestServer) async throws -> [String: Double] {
        let response = try await rawRequest("GET", server.url + "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/plain") == true)
        return samples(String(decoding: response.body, as: UTF8.self))
    }

    @Test("/metrics counts requests by route and status with latency histograms, and what syncs did: logins, mutations, conflicts, pages")
    func metrics() async throws {
        try await withTestServer { server in
            // The registry is the process's, shared with other tests' servers: compare before and after.
            let before = try await Self.metrics(server)
            let device = Device("metrics")
            #expect(await device.run("login", server.url, "--user", "demo", "--password-stdin", stdin: "demo").code == 0)
            #expect(await device.run("sync").code == 0)
            #expect(await device.run("tag", "add", "grid-storage-winter", "watched").code == 0)
            #expect(await device.run("sync").code == 0)
            // Two devices set one bookmark; the older write loses and leaves a conflict record.
            let service = server.service
            var principals: [Principal] = []
            for name in ["a", "b"] {
                let session = try await service.createSession(user: "demo", password: "demo", deviceName: name)
                principals.append(try await service.authenticate(token: session.token))
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for (index, principal) in principals.enumerated() {
                let mutation = Mutation(
                    mutationID: 1, kind: .bookmark, id: "river-basin-water-sharing", op: .upsert,
                    hlc: HLC(wallMillis: now - Int64(index) * 60_000, counter: 0, node: principal.deviceID),
                    fields: ["briefingID": .string("river-basin-water-sharing"), "bookmarked": .bool(index == 0)])
                _ = try await service.push(principal, clientID: principal.deviceID, mutations: [mutation])
            }
            let after = try await Self.metrics(server)
            func grew(_ series: String) -> Bool { after[series, default: 0] > before[series, default: 0] }
            let route = #"http_route="/v1/mutations",http_request_method="POST",http_response_status_code="200""#
            #expect(grew("hb_requests{\(route)}"))
            #expect(grew(#"hb_requests{http_route="/v1/changes",http_request_method="GET",http_response_status_code="200"}"#))
            #expect(after.keys.contains { $0.hasPrefix("http_server_request_duration_bucket{") && $0.contains(#"http_route="/v1/mutations""#) })
            #expect(grew(#"briefings_logins_total{outcome="success"}"#))
            #expect(grew(#"briefings_mutations_total{outcome="applied"}"#))
            #expect(grew(#"briefings_conflicts_total{rule="lastWriterWins"}"#), "\(after.keys.filter { $0.contains("conflicts") })")
            #expect(grew("briefings_pull_pages_total"))
            #expect(grew("briefings_pull_bytes_total"))
            #expect(after["briefings_active_devices", default: 0] >= 1)
            // A refused login is counted as one.
            let wrong = try JSONSerialization.data(withJSONObject: ["user": "demo", "password": "wrong"])
            #expect(try await rawRequest("POST", server.url + "/v1/sessions", body: wrong).status == 401)
            #expect(try await Self.metrics(server)[#"briefings_logins_total{outcome="refused"}"#, default: 0] > before[#"briefings_logins_total{outcome="refused"}"#, default: 0])
        }
    }

    @Test("Every response carries X-Request-ID, a proxy's own ID is kept, and the server's log lines for a request carry the same ID")
    func requestIDs() async throws {
        let directory = TemporaryDirectory.make()
        let log = directory.appendingPathComponent("server.log").path
        let server = try await ServerProcess.start(
            databasePath: directory.appendingPathComponent("server.sqlite").path, logPath: log, logLevel: "info")
        defer { server.stop() }
        let kept = try await rawRequest("GET", server.url + "/healthz", headers: ["X-Request-ID": "nginx-7f3a.1"])
        #expect(kept.headers["x-request-id"] == "nginx-7f3a.1")
        let tooLong = String(repeating: "x", count: 65)
        let replaced = try await rawRequest("GET", server.url + "/healthz", headers: ["X-Request-ID": tooLong])
        let made = try #require(replaced.headers["x-request-id"])
        #expect(made != tooLong && !made.isEmpty)
        let spaced = try await rawRequest("GET", server.url + "/healthz", headers: ["X-Request-ID": "two words"])
        #expect(spaced.headers["x-request-id"] != "two words")
        #expect(try await rawRequest("GET", server.url + "/v1/nothing-here").headers["x-request-id"] != nil)
        #expect(try await rawRequest("GET", server.url + "/v1/changes").headers["x-request-id"] != nil)

        let device = Device("traced")
        #expect(await device.run("login", server.url, "--user", "demo", "--password-stdin", stdin: "demo").code == 0)
        #expect(await device.run("sync").code == 0)
        #expect(await device.run("tag", "add", "grid-storage-winter", "traced").code == 0)
        #expect(await device.run("sync").code == 0)
        server.stop()
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let push = try #require(lines.first { $0.contains("push applied") })
        let id = try #require(push.split(separator: " ").first { $0.hasPrefix("request=") })
        // The line Hummingbird writes for the request has the same ID as the service's own line.
        #expect(lines.contains { $0.contains(" Request ") && $0.contains("/v1/mutations") && $0.contains(String(id)) }, "\(id)")
    }

    @Test("/readyz answers 200 while the database answers, and 503 with Retry-After while PostgreSQL is down")
    func readiness() async throws {
        let cluster = try await PostgresCluster.make()
        defer { cluster.remove() }
        let server = try await ServerProcess.start(databasePath: try await cluster.createDatabase())
        defer { server.stop() }
        let device = Device("probe")
        #expect(await device.run("login", server.url, "--user", "demo", "--password-stdin", stdin: "demo").code == 0)
        #expect(await device.run("sync").code == 0)
        let token = try #require(try await BriefingStore(path: device.storePath).syncState().token)
        let ready = try await rawRequest("GET", server.url + "/readyz")
        #expect(ready.status == 200)
        #expect(ready.object?["status"] as? String == "ready")
        try await cluster.stop(immediate: true)
        let down = try await rawRequest("GET", server.url + "/readyz")
        #expect(down.status == 503)
        #expect(down.errorCode == "unavailable")
        #expect(down.headers["retry-after"] == "5")
        // Liveness is not readiness: the process still answers /healthz.
        #expect(try await rawRequest("GET", server.url + "/healthz").status == 200)
        // A request that needs the database is answered 503 unavailable, with when to come back.
        let pull = try await rawRequest("GET", server.url + "/v1/changes", token: token)
        #expect(pull.status == 503)
        #expect(pull.errorCode == "unavailable")
        #expect(pull.headers["retry-after"] == "5")
        // A device's edit waits in its outbox; its sync says plainly what happened.
        #expect(await device.run("tag", "add", "grid-storage-winter", "while-down").code == 0)
        let sync = await device.run("sync")
        #expect(sync.code != 0)
        #expect(sync.err.contains("cannot reach its database"), "\(sync.err)")
        #expect(try await BriefingStore(path: device.storePath).pendingCount() == 1)
        try await cluster.start()
        var status = 0
        for _ in 0..<60 where status != 200 {
            status = try await rawRequest("GET", server.url + "/readyz").status
            if status != 200 { try await Task.sleep(for: .seconds(1)) }
        }
        #expect(status == 200)
        #expect(await device.run("sync").code == 0)
        #expect(try await BriefingStore(path: device.storePath).pendingCount() == 0)
    }
}
