import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import SyncServerCore
import BriefingServer

/// What the flood's connections have seen, shared between them.
private final class FloodCounts: Sendable {
    let stop = Atomic<Bool>(false)
    let answered = Atomic<Int>(0)
    let busy = Atomic<Int>(0)
    let wrong = Atomic<Int>(0)
}

extension Workloads {
    // MARK: 7. Login flood

    /// `/healthz` latency while 16 connections send wrong-password logins as fast as they are
    /// answered, against the same latency with no flood.
    ///
    /// The reader's password is hashed at the server's real cost (12), and the server's login
    /// limits are off: this measures the worst case, an attack from more addresses than any
    /// per-address limit sees, where every attempt costs a full bcrypt check. Requests go
    /// through the server-side Swift HTTP client, which sleeps while it waits (URLSession on
    /// Linux would spin and take the CPU the measurement is about).
    func loginFlood() async throws -> WorkloadResult {
        let database = try await database("flood")
        let store = try await ServerDatabase.open(database, fsync: false)
        var quiet = Logger(label: "bench.seed")
        quiet.logLevel = .warning
        let cost: UInt8 = configuration.quick ? 4 : 12
        try await SyncService(store: store, configuration: .init(bcryptCost: cost), logger: quiet)
            .addUser(name: "reader", password: "the right password", grants: .all)
        try await store.checkpoint()
        await store.close()
        let server = try await configuration.server.start(
            database: database, log: path("server.log"), options: ["--login-attempts-per-user", "0", "--login-attempts-per-address", "0"],
            configuration: .init(bcryptCost: cost, loginPolicy: .unlimited))
        // Two clients, so the probe never queues behind the flood for a pooled connection: the
        // flood's has a connection per attacker, the probe's its own one.
        var pool = HTTPClient.Configuration.ConnectionPool()
        pool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let timeouts = HTTPClient.Configuration.Timeout(connect: .seconds(10), read: .seconds(120))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(timeout: timeouts))
        let flooder = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(timeout: timeouts, connectionPool: pool))
        do {
            let rounds = configuration.quick ? 5 : configuration.latencyRounds
            let connections = configuration.quick ? 4 : 16
            log("login-flood: /healthz × \(rounds) without a flood")
            _ = try await healthLatencies(client, server.url, rounds: 20)  // warm up
            let window: Double = configuration.quick ? 0.2 : 5
            let calm = try await healthLatencies(client, server.url, rounds: rounds, atLeast: window)

            // No timing oracle for user names: an unknown name and a known one with a wrong
            // password, interleaved so load elsewhere falls on both alike.
            let oracleRounds = configuration.quick ? 3 : 21
            log("login-flood: \(oracleRounds) refused logins for an unknown user and as many for a wrong password")
            _ = try await refusedLogin(client, server.url, user: "nobody")  // makes the stand-in hash
            var unknown: [Double] = [], known: [Double] = []
            for round in 0..<oracleRounds {
                unknown.append(try await refusedLogin(client, server.url, user: "nobody-\(round)"))
                known.append(try await refusedLogin(client, server.url, user: "reader"))
            }
            let unknownMedian = Samples(seconds: unknown).median, knownMedian = Samples(seconds: known).median

            log("login-flood: /healthz × \(rounds) while \(connections) connections send wrong passwords")
            let counts = FloodCounts()
            let (flooded, floodSeconds): ([Double], Double) = try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<connections {
                    group.addTask {
                        var request = HTTPClientRequest(url: server.url + "/v1/sessions")
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        let body = #"{"user":"reader","password":"guess \#(lane)"}"#
                        while !counts.stop.load(ordering: .relaxed) {
                            request.body = .bytes(ByteBuffer(string: body))
                            let response = try await flooder.execute(request, timeout: .seconds(120))
                            _ = try await response.body.collect(upTo: 1 << 16)
                            counts.answered.add(1, ordering: .relaxed)
                            switch response.status.code {
                            case 401: counts.wrong.add(1, ordering: .relaxed)
                            case 503: counts.busy.add(1, ordering: .relaxed)
                            default: throw BenchError("a wrong-password login was answered \(response.status.code)")
                            }
                        }
                    }
                }
                // The flood is under way once the first wrong password has been refused.
                while counts.answered.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
                let before = counts.answered.load(ordering: .relaxed)
                let (latencies, seconds) = try await time {
                    try await healthLatencies(client, server.url, rounds: rounds, atLeast: window)
                }
                let during = counts.answered.load(ordering: .relaxed) - before
                counts.stop.store(true, ordering: .relaxed)
                try await group.waitForAll()
                return (latencies, seconds > 0 ? Double(during) / seconds : 0)
            }
            let memory = server.pid.flatMap(ProcessStats.memory)
            try await client.shutdown()
            try await flooder.shutdown()
            try await server.stop()
            let c = Samples(seconds: calm), f = Samples(seconds: flooded)
            var extra: [(String, Double)] = [
                ("calm_p50_ms", c.median * 1000), ("calm_p99_ms", c.percentile(0.99) * 1000),
                ("flood_p50_ms", f.median * 1000), ("flood_p99_ms", f.percentile(0.99) * 1000),
                ("p99_ratio", f.percentile(0.99) / max(c.percentile(0.99), 1e-9)),
                ("unknown_user_p50_ms", unknownMedian * 1000), ("wrong_password_p50_ms", knownMedian * 1000),
                ("unknown_over_wrong_password", unknownMedian / max(knownMedian, 1e-9)),
                ("refused_logins_per_s", floodSeconds), ("answered_busy", Double(counts.busy.load(ordering: .relaxed))),
            ]
            if let memory { extra.append(("server_peak_rss_mb", Double(memory.peak) / 1_048_576)) }
            return WorkloadResult(
                name: "login-flood", size: "\(flooded.count) /healthz in \(Int(window)) s, \(connections) connections of wrong passwords (bcrypt cost \(cost))",
                samples: f, floor: c, ratio: f.percentile(0.99) / max(c.percentile(0.99), 1e-9), extra: extra,
                checks: [
                    "every /healthz answered 200 during the flood",
                    "\(counts.wrong.load(ordering: .relaxed)) wrong passwords refused 401, \(counts.busy.load(ordering: .relaxed)) answered 503 busy, none let in",
                ])
        } catch {
            try? await client.shutdown()
            try? await flooder.shutdown()
            try? await server.stop()
            throw error
        }
    }

    /// The time of one login with a wrong password, checked to be refused 401.
    private func refusedLogin(_ client: HTTPClient, _ url: String, user: String) async throws -> Double {
        var request = HTTPClientRequest(url: url + "/v1/sessions")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"user":"\#(user)","password":"a wrong password"}"#))
        let (status, seconds) = try await time {
            let response = try await client.execute(request, timeout: .seconds(60))
            _ = try await response.body.collect(upTo: 1 << 16)
            return response.status.code
        }
        guard status == 401 else { throw BenchError("a wrong-password login for \(user) was answered \(status)") }
        return seconds
    }

    /// The time of each of at least `rounds` sequential `GET /healthz` (and as many more as
    /// fit in `atLeast` seconds), each checked for 200.
    private func healthLatencies(_ client: HTTPClient, _ url: String, rounds: Int, atLeast window: Double = 0) async throws -> [Double] {
        var latencies: [Double] = []
        latencies.reserveCapacity(rounds)
        let request = HTTPClientRequest(url: url + "/healthz")
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int(window * 1000))
        while latencies.count < rounds || clock.now < end {
            let (status, seconds) = try await time {
                let response = try await client.execute(request, timeout: .seconds(60))
                _ = try await response.body.collect(upTo: 1 << 16)
                return response.status.code
            }
            guard status == 200 else { throw BenchError("/healthz answered \(status)") }
            latencies.append(seconds)
        }
        return latencies
    }
}
