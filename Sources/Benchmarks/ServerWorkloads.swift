import BriefingModel
import BriefingServer
import Foundation
import Logging
import OpenAPIRuntime
import OpenAPIURLSession
import SyncAPI
import SyncClient
import SyncServerCore
import SyncServerPostgres

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Many devices of many readers, prepared in the server's database before it starts.
struct Crowd {
    struct Member {
        var user: String
        var token: String
        var principal: Principal
    }

    var databasePath: String
    var briefings: [Briefing]
    var members: [Member]

    /// `readers` readers with `devicesEach` devices each, over `briefingCount` briefings.
    static func make(at path: String, briefingCount: Int, readers: Int, devicesEach: Int, seed: UInt64, fsync: Bool = false) async throws -> Crowd {
        let store = try await ServerDatabase.open(path, fsync: fsync)
        var logger = Logger(label: "bench.seed")
        logger.logLevel = .warning
        let service = SyncService(store: store, configuration: .init(bcryptCost: 4), logger: logger)
        var data = BenchData(seed: seed)
        var briefings: [Briefing] = []
        for index in 0..<briefingCount {
            let briefing = data.briefing(index: index)
            try await service.publish(briefing, editorial: [])
            briefings.append(briefing)
        }
        var members: [Member] = []
        for reader in 0..<readers {
            let user = "reader\(reader)"
            try await service.addUser(name: user, password: SeededLibrary.password, grants: .all)
            for device in 0..<devicesEach {
                let session = try await service.createSession(user: user, password: SeededLibrary.password, deviceName: "d\(device)")
                members.append(Member(user: user, token: session.token, principal: try await service.authenticate(token: session.token)))
            }
        }
        try await store.checkpoint()
        await store.close()
        return Crowd(databasePath: path, briefings: briefings, members: members)
    }

    /// Batches of highlight mutations for one device, with its clock and contiguous IDs.
    static func batches(for member: Member, on briefings: [Briefing], count: Int, size: Int, seed: UInt64) -> [[Mutation]] {
        var data = BenchData(seed: seed)
        let millis = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
        var next: Int64 = 1
        return (0..<count).map { _ in
            (0..<size).map { _ in
                let briefing = briefings[Int.random(in: 0..<briefings.count, using: &data.random)]
                defer { next += 1 }
                return Mutation(
                    mutationID: next, kind: .highlight, id: "H-\(member.principal.deviceID)-\(next)", op: .upsert,
                    hlc: HLC(wallMillis: millis + next, counter: 0, node: member.principal.deviceID),
                    fields: [
                        "briefingID": .string(briefing.id), "anchor": .anchor(data.anchor(in: briefing)),
                        "color": .string(Highlight.colors[Int(next) % Highlight.colors.count]),
                    ])
            }
        }
    }
}

extension Workloads {
    /// The generated client as a device uses it: bearer token, gzip both ways.
    func apiClient(_ server: any BenchServer, token: String) -> Client {
        Client(
            serverURL: URL(string: server.url)!, configuration: .wire, transport: URLSessionTransport(),
            middlewares: [BearerTokenMiddleware(token: token), GzipMiddleware()])
    }

    // MARK: 3. Push throughput

    func pushThroughput() async throws -> WorkloadResult {
        let shape = configuration.push
        let total = shape.devices * shape.batches * shape.batchSize
        var samples: [Double] = [], floor: [Double] = []
        var cpu: [Double] = [], rss: [Double] = []
        for run in 0..<configuration.runs {
            log("push-throughput run \(run + 1): \(shape.devices) devices × \(shape.batches) batches × \(shape.batchSize)")
            let crowd = try await Crowd.make(
                at: try await database("push-\(run)"), briefingCount: 20, readers: shape.devices, devicesEach: 1, seed: configuration.seed)
            let work = crowd.members.map { member in
                (member, Crowd.batches(for: member, on: crowd.briefings, count: shape.batches, size: shape.batchSize, seed: configuration.seed &+ UInt64(run)))
            }
            let servers = try await startNodes(database: crowd.databasePath, log: "push")
            let cpuBefore = servers.map { $0.pid.flatMap(ProcessStats.cpuSeconds) }
            do {
                let (applied, seconds) = try await time {
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for (index, (member, batches)) in work.enumerated() {
                            group.addTask {
                                let client = apiClient(servers[index % servers.count], token: member.token)
                                var applied = 0
                                for batch in batches {
                                    let body = Wire.PushRequest(clientID: member.principal.deviceID, mutations: batch.map(Wire.Mutation.init))
                                    guard case .ok(let ok) = try await client.pushMutations(body: .json(body)) else {
                                        throw BenchError("a push was refused")
                                    }
                                    applied += try ok.body.json.results.filter { $0.status == .applied }.count
                                }
                                return applied
                            }
                        }
                        return try await group.reduce(0, +)
                    }
                }
                guard applied == total else { throw BenchError("the server applied \(applied) of \(total) mutations") }
                samples.append(seconds)
                // CPU of every node together; memory of the largest.
                let used = zip(servers, cpuBefore).compactMap { server, before -> Double? in
                    guard let pid = server.pid, let before, let after = ProcessStats.cpuSeconds(pid: pid) else { return nil }
                    return after - before
                }
                if used.count == servers.count { cpu.append(used.reduce(0, +)) }
                let peaks = servers.compactMap { $0.pid.flatMap(ProcessStats.memory)?.peak }
                if let peak = peaks.max() { rss.append(Double(peak) / 1_048_576) }
                for server in servers { try await server.stop() }
            } catch {
                for server in servers { try? await server.stop() }
                throw error
            }
            // The floor: the same mutations into a fresh copy of the database, batch per
            // transaction, with the server's durability settings, in this process, one at a time.
            let twin = try await Crowd.make(
                at: path("push-floor-\(run).sqlite"), briefingCount: 20, readers: shape.devices, devicesEach: 1, seed: configuration.seed)
            let kernel = SyncKernel(storage: try SQLiteServerStore(path: twin.databasePath, fsync: true))
            let twinWork = twin.members.map { member in
                (member, Crowd.batches(for: member, on: twin.briefings, count: shape.batches, size: shape.batchSize, seed: configuration.seed &+ UInt64(run)))
            }
            let (floorApplied, floorSeconds) = try await time {
                var applied = 0
                for (member, batches) in twinWork {
                    for batch in batches {
                        applied += try await kernel.push(batch, from: member.principal, now: Date(), maxClockSkew: 36 * 3600)
                            .filter { $0.status == .applied }.count
                    }
                }
                return applied
            }
            guard floorApplied == total else { throw BenchError("the floor applied \(floorApplied) of \(total) mutations") }
            floor.append(floorSeconds)
        }
        let s = Samples(seconds: samples), f = Samples(seconds: floor)
        var extra: [(String, Double)] = [("mutations_per_s", Double(total) / s.median), ("floor_mutations_per_s", Double(total) / f.median)]
        if !cpu.isEmpty { extra.append(("server_cpu_s", Samples(seconds: cpu).median)) }
        if !rss.isEmpty { extra.append(("server_peak_rss_mb", Samples(seconds: rss).median)) }
        let nodes = configuration.nodes > 1 ? " over \(configuration.nodes) nodes" : ""
        return WorkloadResult(
            name: "push-throughput", size: "\(shape.devices) devices × \(shape.batches) batches × \(shape.batchSize) mutations\(nodes)",
            samples: s, floor: f, ratio: s.median / f.median, extra: extra,
            checks: ["all \(total) mutations applied over HTTP and in the floor"])
    }

    // MARK: 4. Fan-out pull

    func fanOutPull() async throws -> WorkloadResult {
        let shape = configuration.fanOut
        let crowd = try await Crowd.make(
            at: try await database("fanout-\(configuration.nodes)"), briefingCount: 5, readers: (shape.devices + 9) / 10, devicesEach: min(10, shape.devices),
            seed: configuration.seed)
        let servers = try await startNodes(database: crowd.databasePath, log: "fanout")
        do {
            // Everyone is caught up at the same cursor (cursors are positions in the shared log).
            let first = apiClient(servers[0], token: crowd.members[0].token)
            var cursor: String?
            repeat {
                guard case .ok(let ok) = try await first.getChanges(query: .init(cursor: cursor, limit: 1000)) else { throw BenchError("catch-up failed") }
                let page = try ok.body.json
                cursor = page.cursor
                if !page.hasMore { break }
            } while true
            // Then the editors publish `changes` new annotations.
            let writerStore = try await ServerDatabase.open(crowd.databasePath, create: false)
            let writer = SyncKernel(storage: writerStore)
            let target = crowd.briefings[0]
            var data = BenchData(seed: configuration.seed ^ 0xFA0)
            let layer = (0..<shape.changes).map { index in
                EditorialAnnotation(
                    id: "fan-\(index)", briefingID: target.id, kind: .note, anchor: data.anchor(in: target), text: "Editor's note \(index)",
                    origin: .editor)
            }
            try await writer.publish(target, editorial: layer, now: Date())
            await writerStore.close()
            let start = cursor
            var samples: [Double] = []
            var latencies: [Double] = []
            let members = Array(crowd.members.prefix(shape.devices))
            for run in 0..<configuration.runs {
                log("fan-out-pull run \(run + 1): \(members.count) devices pull \(shape.changes) changes")
                let (pulled, seconds) = try await time {
                    try await withThrowingTaskGroup(of: [Double].self) { group in
                        // A bounded number of connections at once, as a load balancer would allow.
                        let lanes = min(shape.concurrency, members.count)
                        for lane in 0..<lanes {
                            group.addTask {
                                var times: [Double] = []
                                for member in stride(from: lane, to: members.count, by: lanes).map({ members[$0] }) {
                                    let client = apiClient(servers[lane % servers.count], token: member.token)
                                    let (count, seconds) = try await time {
                                        guard case .ok(let ok) = try await client.getChanges(query: .init(cursor: start, limit: 200)) else {
                                            throw BenchError("a pull failed")
                                        }
                                        return try ok.body.json.changes.count
                                    }
                                    guard count == shape.changes + 1 else {
                                        throw BenchError("a device pulled \(count) changes, expected \(shape.changes + 1)")
                                    }
                                    times.append(seconds)
                                }
                                return times
                            }
                        }
                        return try await group.reduce(into: [Double]()) { $0 += $1 }
                    }
                }
                guard pulled.count == members.count else { throw BenchError("\(pulled.count) of \(members.count) pulls finished") }
                samples.append(seconds)
                latencies += pulled
            }
            let memory = servers.compactMap { $0.pid.flatMap(ProcessStats.memory) }.max { $0.peak < $1.peak }
            for server in servers { try await server.stop() }
            let s = Samples(seconds: samples), l = Samples(seconds: latencies)
            var extra: [(String, Double)] = [
                ("pulls_per_s", Double(members.count) / s.median), ("p50_ms", l.median * 1000), ("p99_ms", l.percentile(0.99) * 1000),
            ]
            if let memory { extra.append(("server_peak_rss_mb", Double(memory.peak) / 1_048_576)) }
            return WorkloadResult(
                name: "fan-out-pull",
                size: "\(members.count) devices × \(shape.changes) new changes, \(min(shape.concurrency, members.count)) at a time\(configuration.nodes > 1 ? " over \(configuration.nodes) nodes" : "")",
                samples: s, floor: nil, ratio: nil, extra: extra,
                checks: ["every device pulled the \(shape.changes) new annotations and the briefing they are on"])
        } catch {
            for server in servers { try? await server.stop() }
            throw error
        }
    }

    // MARK: 6. Scale

    /// Initial sync at each library size; `known` is the initial-sync workload's own result,
    /// reused for its size. The largest size runs at most three times (minutes each).
    func scale(known: InitialSync?) async throws -> WorkloadResult {
        var points: [(briefings: Int, seconds: Double, rss: Double?)] = []
        var checks: [String] = []
        for briefings in configuration.scaleSizes {
            let initial: InitialSync
            if let known, briefings == configuration.briefings {
                initial = known
            } else {
                log("scale: initial sync of \(briefings) briefings")
                initial = try await initialSync(
                    briefings: briefings, annotationsPerBriefing: configuration.annotationsPerBriefing, name: "scale",
                    runs: briefings >= 10_000 ? min(configuration.runs, 3) : configuration.runs)
            }
            points.append((briefings, initial.result.samples.median, initial.result.extra.first { $0.0 == "client_peak_rss_mb" }?.1))
            checks += initial.result.checks
        }
        var extra: [(String, Double)] = []
        for point in points {
            extra.append(("s_at_\(point.briefings)", point.seconds))
            if let rss = point.rss { extra.append(("rss_mb_at_\(point.briefings)", rss)) }
        }
        for (small, large) in zip(points, points.dropFirst()) {
            extra.append(("time_growth_\(small.briefings)_to_\(large.briefings)", large.seconds / small.seconds))
            if let a = small.rss, let b = large.rss { extra.append(("rss_growth_\(small.briefings)_to_\(large.briefings)", b / a)) }
        }
        let last = points.last!
        return WorkloadResult(
            name: "scale", size: points.map { String($0.briefings) }.joined(separator: " / ") + " briefings",
            samples: Samples(seconds: [last.seconds]), floor: nil, ratio: nil, extra: extra, checks: checks)
    }
}
