import AsyncHTTPClient
import BriefingModel
import BriefingServer
import BriefingStore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import SyncAPI
import SyncClient
import SyncServerCore

/// One reader's devices and many other readers' idle ones, prepared in the server's database.
struct LiveCrowd {
    struct Member {
        var user: String
        var token: String
        var deviceID: String
    }

    var databasePath: String
    var briefings: [Briefing]
    /// The reader's devices, all of one account.
    var devices: [Member]
    /// Other readers' devices, one each, that only watch.
    var watchers: [Member]
    /// The end of the log after seeding: where an idle watcher waits.
    var head: String

    static func make(at path: String, devices: Int, watchers: Int, seed: UInt64) async throws -> LiveCrowd {
        let store = try await ServerDatabase.open(path, fsync: false)
        var logger = Logger(label: "bench.seed")
        logger.logLevel = .warning
        let service = SyncService(store: store, configuration: .init(bcryptCost: 4), logger: logger)
        var data = BenchData(seed: seed)
        var briefings: [Briefing] = []
        for index in 0..<5 {
            let briefing = data.briefing(index: index)
            try await service.publish(briefing, editorial: [])
            briefings.append(briefing)
        }
        func member(_ user: String, _ name: String) async throws -> Member {
            let session = try await service.createSession(user: user, password: SeededLibrary.password, deviceName: name)
            return Member(user: user, token: session.token, deviceID: session.deviceID)
        }
        try await service.addUser(name: "reader", password: SeededLibrary.password, grants: .all)
        var own: [Member] = []
        for index in 0..<devices { own.append(try await member("reader", "device-\(index)")) }
        var others: [Member] = []
        for index in 0..<watchers {
            try await service.addUser(name: "watcher\(index)", password: SeededLibrary.password, grants: .all)
            others.append(try await member("watcher\(index)", "watcher"))
        }
        let principal = try await service.authenticate(token: own[0].token)
        var cursor: String?
        while true {
            let page = try await service.pull(principal, cursor: cursor, limit: 1000)
            cursor = page.cursor.token
            if !page.hasMore { break }
        }
        try await store.checkpoint()
        await store.close()
        return LiveCrowd(databasePath: path, briefings: briefings, devices: own, watchers: others, head: cursor!)
    }
}

/// A count shared between tasks.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func add() { count.add(1, ordering: .relaxed) }
}

/// Idle devices holding long-polls open, each asking again when its poll ends.
final class WatcherFleet: Sendable {
    let client: HTTPClient
    private let stopped = Atomic<Bool>(false)
    private let polls = Atomic<Int>(0)
    private let failures = Atomic<Int>(0)
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// Answers received so far (deadlines and wake-ups).
    var answered: Int { polls.load(ordering: .relaxed) }
    var failed: Int { failures.load(ordering: .relaxed) }

    init(count: Int) {
        var pool = HTTPClient.Configuration.ConnectionPool()
        pool.concurrentHTTP1ConnectionsPerHostSoftLimit = count + 16
        let timeouts = HTTPClient.Configuration.Timeout(connect: .seconds(30), read: .seconds(120))
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(timeout: timeouts, connectionPool: pool))
    }

    /// Starts one long-poll loop per watcher, on `urls` in turn; returns once every watcher has
    /// sent its first poll.
    func start(_ watchers: [LiveCrowd.Member], urls: [String], head: String, wait: Int = 25) async {
        let sent = Counter()
        let task = Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                for (index, watcher) in watchers.enumerated() {
                    let url = urls[index % urls.count]
                    group.addTask { await self.watch(watcher, url: url, head: head, wait: wait, sent: sent) }
                }
            }
        }
        self.task.withLock { $0 = task }
        while sent.value < watchers.count { try? await Task.sleep(for: .milliseconds(20)) }
    }

    private func watch(_ watcher: LiveCrowd.Member, url: String, head: String, wait: Int, sent: Counter) async {
        var cursor = head
        var first = true
        while !stopped.load(ordering: .relaxed) {
            var request = HTTPClientRequest(url: "\(url)/v1/changes?cursor=\(cursor)&wait=\(wait)")
            request.headers.add(name: "Authorization", value: "Bearer \(watcher.token)")
            if first {
                first = false
                sent.add()
            }
            do {
                let response = try await client.execute(request, timeout: .seconds(120))
                let body = try await response.body.collect(upTo: 16 << 20)
                polls.add(1, ordering: .relaxed)
                if response.status == .ok,
                    let page = try? JSONDecoder().decode(Components.Schemas.ChangesPage.self, from: Data(body.readableBytesView))
                {
                    cursor = page.cursor
                } else {
                    failures.add(1, ordering: .relaxed)
                    try? await Task.sleep(for: .seconds(1))
                }
            } catch {
                if stopped.load(ordering: .relaxed) { break }
                failures.add(1, ordering: .relaxed)
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Stops the loops (their open polls end when the servers stop) and the client.
    func stop() async {
        stopped.store(true, ordering: .relaxed)
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
        try? await client.shutdown()
    }
}

extension Workloads {
    /// A device of the crowd's reader on `url`: a store logged in with its token, caught up.
    func liveDevice(_ member: LiveCrowd.Member, url: String, name: String) async throws -> SyncClient {
        let store = try BriefingStore(path: path("\(name).sqlite"))
        try await store.saveLogin(serverURL: url, user: member.user, deviceID: member.deviceID, deviceName: name, token: member.token)
        let client = SyncClient(store: store, configuration: .init(retries: 0, bodies: .inline, prefetch: false))
        _ = try await client.sync()
        return client
    }

    /// The first event of `events` that satisfies `condition`.
    func next(
        _ events: inout AsyncStream<SyncEngine.Event>.Iterator, where condition: (SyncEngine.Event) -> Bool
    ) async throws -> SyncEngine.Event {
        while let event = await events.next() {
            if condition(event) { return event }
        }
        throw BenchError("the engine's events ended")
    }

    static func color(of event: SyncEngine.Event, id: String) -> String? {
        guard case .applied(let change) = event, change.id == id, case .record(let record) = change.payload else { return nil }
        return record.fields["color"]?.string
    }

    // MARK: 8. Live latency

    /// An edit on device A (its engine live) until device B (live, on another node when there
    /// are two) has applied it, while `watchers` other readers' devices hold long-polls open.
    ///
    /// The floor, each round right after: the bare wake-up path. A long-poll of the reader's
    /// is parked on B's node; a push of one prepared mutation, sent straight to A's node, is
    /// timed until that poll answers: commit, notification, page read and answer, with no
    /// store or engine on either side.
    func liveLatency() async throws -> WorkloadResult {
        let watchers = configuration.quick ? 20 : 1000
        let rounds = configuration.quick ? 5 : configuration.latencyRounds
        let crowd = try await LiveCrowd.make(at: try await database("live"), devices: 4, watchers: watchers, seed: configuration.seed)
        let servers = try await startNodes(database: crowd.databasePath, log: "live")
        let urls = servers.map(\.url)
        let (nodeA, nodeB) = (urls[0], urls[urls.count > 1 ? 1 : 0])
        let fleet = WatcherFleet(count: watchers)
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var engines: [SyncEngine] = []
        do {
            log("live-latency: \(watchers) idle watchers over \(urls.count) node(s)")
            await fleet.start(crowd.watchers, urls: urls, head: crowd.head)
            let a = SyncEngine(client: try await liveDevice(crowd.devices[0], url: nodeA, name: "live-a"))
            let b = SyncEngine(client: try await liveDevice(crowd.devices[1], url: nodeB, name: "live-b"))
            engines = [a, b]
            var events = b.events().makeAsyncIterator()
            await a.start()
            await b.start()
            let briefing = crowd.briefings[0]
            var data = BenchData(seed: configuration.seed)
            let highlight = try await a.store.highlight(briefing: briefing.id, anchor: data.anchor(in: briefing), color: "yellow")
            _ = try await next(&events) { Self.color(of: $0, id: highlight.id) == "yellow" }

            // The floor's pusher (device 2) and waiter (device 3), raw HTTP.
            let pusher = crowd.devices[2], waiter = crowd.devices[3]
            let floorID = "H-floor-\(pusher.deviceID)"
            var waiterCursor = crowd.head
            var clock = Int64(Date().timeIntervalSince1970 * 1000)
            func floorPush(_ mutationID: Int64, _ color: String) async throws -> Double {
                clock += 1
                let mutation = Mutation(
                    mutationID: mutationID, kind: .highlight, id: floorID, op: .upsert,
                    hlc: HLC(wallMillis: clock, counter: 0, node: pusher.deviceID),
                    fields: mutationID == 1
                        ? ["briefingID": .string(briefing.id), "anchor": .anchor(data.anchor(in: briefing)), "color": .string(color)]
                        : ["color": .string(color)])
                let body = try JSONEncoder().encode(Wire.PushRequest(clientID: pusher.deviceID, mutations: [Wire.Mutation(mutation)]))
                // The poll first (catching up past the reader's other edits), then the push once
                // it has had a moment to park.
                let from = waiterCursor
                let answered = Task { () throws -> (ContinuousClock.Instant, String) in
                    var cursor = from
                    while true {
                        var poll = HTTPClientRequest(url: "\(nodeB)/v1/changes?cursor=\(cursor)&wait=30")
                        poll.headers.add(name: "Authorization", value: "Bearer \(waiter.token)")
                        let response = try await http.execute(poll, timeout: .seconds(60))
                        let bytes = try await response.body.collect(upTo: 16 << 20)
                        let at = ContinuousClock.now
                        let page = try JSONDecoder().decode(Components.Schemas.ChangesPage.self, from: Data(bytes.readableBytesView))
                        cursor = page.cursor
                        if page.changes.contains(where: { $0.id == floorID }) { return (at, cursor) }
                    }
                }
                try await Task.sleep(for: .milliseconds(20))
                var push = HTTPClientRequest(url: "\(nodeA)/v1/mutations")
                push.method = .POST
                push.headers.add(name: "Authorization", value: "Bearer \(pusher.token)")
                push.headers.add(name: "Content-Type", value: "application/json")
                push.body = .bytes(ByteBuffer(bytes: body))
                let start = ContinuousClock.now
                let response = try await http.execute(push, timeout: .seconds(60))
                _ = try await response.body.collect(upTo: 1 << 20)
                guard response.status == .ok else { throw BenchError("the floor's push was answered \(response.status.code)") }
                let (at, cursor) = try await answered.value
                waiterCursor = cursor
                return durationSeconds(at - start)
            }
            _ = try await floorPush(1, "yellow")
            _ = try await next(&events) { Self.color(of: $0, id: floorID) == "yellow" }

            var samples: [Double] = [], floor: [Double] = []
            var previous = "yellow"
            log("live-latency: \(rounds) rounds, each an edit on A until B has applied it, then the floor")
            for round in 0..<rounds {
                let color = Highlight.colors.filter { $0 != previous }[round % (Highlight.colors.count - 1)]
                previous = color
                let start = ContinuousClock.now
                _ = try await a.store.recolor(highlight: highlight.id, to: color)
                _ = try await next(&events) { Self.color(of: $0, id: highlight.id) == color }
                samples.append(durationSeconds(ContinuousClock.now - start))
                floor.append(try await floorPush(Int64(round) + 2, color))
                _ = try await next(&events) { Self.color(of: $0, id: floorID) == color }
            }
            let polls = fleet.answered, failed = fleet.failed
            for engine in engines { await engine.stop() }
            await fleet.stop()
            try await http.shutdown()
            for server in servers { try await server.stop() }
            let s = Samples(seconds: samples), f = Samples(seconds: floor)
            return WorkloadResult(
                name: "live-latency", size: "\(rounds) edits A→B over \(urls.count) node(s), \(watchers) idle watchers",
                samples: s, floor: f, ratio: s.median / max(f.median, 1e-9),
                extra: [
                    ("p50_ms", s.median * 1000), ("p99_ms", s.percentile(0.99) * 1000),
                    ("floor_p50_ms", f.median * 1000), ("floor_p99_ms", f.percentile(0.99) * 1000),
                    ("watcher_polls_answered", Double(polls)), ("watcher_failures", Double(failed)),
                ],
                checks: [
                    "every edit on A reached B's store, with its colour, through B's live engine",
                    "\(watchers) watchers held long-polls open throughout (\(failed) failed polls)",
                ])
        } catch {
            for engine in engines { await engine.stop() }
            await fleet.stop()
            try? await http.shutdown()
            for server in servers { try? await server.stop() }
            throw error
        }
    }

    // MARK: 9. Idle watchers

    /// The server's CPU and memory while `watchers` devices hold long-polls open and nothing
    /// changes, each asking again at its deadline (25 s), against the same server with none.
    /// CPU is sampled each second, as a fraction of one core.
    func watchIdle() async throws -> WorkloadResult {
        let watchers = configuration.quick ? 20 : 1000
        let window = configuration.quick ? 2 : 30
        let crowd = try await LiveCrowd.make(at: try await database("idle"), devices: 1, watchers: watchers, seed: configuration.seed)
        let server = try await configuration.server.start(database: crowd.databasePath, log: path("idle.log"))
        let fleet = WatcherFleet(count: watchers)
        do {
            /// CPU seconds per second of the server, `seconds` times.
            func cpu(_ seconds: Int) async throws -> [Double] {
                guard let pid = server.pid, var last = ProcessStats.cpuSeconds(pid: pid) else {
                    try await Task.sleep(for: .seconds(seconds))
                    return []
                }
                var samples: [Double] = []
                var clock = ContinuousClock.now
                for _ in 0..<seconds {
                    try await Task.sleep(for: .seconds(1))
                    let now = ContinuousClock.now, used = ProcessStats.cpuSeconds(pid: pid) ?? last
                    samples.append((used - last) / durationSeconds(now - clock))
                    (last, clock) = (used, now)
                }
                return samples
            }
            log("watch-idle: the server idle for \(window) s, then with \(watchers) watchers for as long")
            try await Task.sleep(for: .seconds(2))
            let idle = try await cpu(window)
            let rssIdle = server.pid.flatMap(ProcessStats.memory)?.rss
            await fleet.start(crowd.watchers, urls: [server.url], head: crowd.head)
            try await Task.sleep(for: .seconds(3))
            let watching = try await cpu(window)
            let rssWatching = server.pid.flatMap(ProcessStats.memory)?.rss
            let polls = fleet.answered, failed = fleet.failed
            await fleet.stop()
            try await server.stop()
            guard failed == 0 else { throw BenchError("\(failed) of the watchers' polls failed") }
            let w = Samples(seconds: watching), i = Samples(seconds: idle)
            let scale = 1000 / Double(watchers)
            // The mean, not the median: the watchers' polls end together every 25 s, a burst
            // in one second of the window that the median would leave out.
            func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
            var extra: [(String, Double)] = [
                ("cpu_percent_idle", mean(idle) * 100), ("cpu_percent_watching", mean(watching) * 100),
                ("cpu_percent_per_1000_watchers", (mean(watching) - mean(idle)) * 100 * scale),
                ("polls_answered", Double(polls)),
            ]
            if let rssIdle, let rssWatching {
                extra.append(("rss_mb_idle", Double(rssIdle) / 1_048_576))
                extra.append(("rss_mb_per_1000_watchers", Double(rssWatching - rssIdle) / 1_048_576 * scale))
            }
            return WorkloadResult(
                name: "watch-idle", size: "\(watchers) idle long-polls for \(window) s", samples: w, floor: i, ratio: nil, extra: extra,
                checks: ["\(watchers) watchers held long-polls open; \(polls) answered at their deadline, none failed"])
        } catch {
            await fleet.stop()
            try? await server.stop()
            throw error
        }
    }

    // MARK: 10. Concurrent writers

    /// `devices` devices of one reader, each live, each making `edits` edits as fast as it can
    /// (a fifth new highlights, the rest recolouring them), until every device holds every
    /// device's final state. Every write is durable on the server before it is acknowledged.
    func concurrentWriters() async throws -> WorkloadResult {
        let devices = configuration.quick ? 3 : 20
        let edits = configuration.quick ? 20 : 500
        let crowd = try await LiveCrowd.make(at: try await database("writers"), devices: devices, watchers: 0, seed: configuration.seed)
        let servers = try await startNodes(database: crowd.databasePath, log: "writers")
        var engines: [SyncEngine] = []
        do {
            for (index, member) in crowd.devices.enumerated() {
                let client = try await liveDevice(member, url: servers[index % servers.count].url, name: "writer-\(index)")
                engines.append(SyncEngine(client: client))
            }
            // Each device's plan, and the final colour of every highlight.
            let fresh = max(1, edits / 5)
            var plans: [[(id: String, color: String, anchor: TextAnchor?)]] = []
            var final: [String: String] = [:]
            var data = BenchData(seed: configuration.seed)
            let briefing = crowd.briefings[0]
            for device in 0..<devices {
                var plan: [(id: String, color: String, anchor: TextAnchor?)] = []
                for edit in 0..<edits {
                    let id = "H-w\(device)-\(edit % fresh)"
                    let color = Highlight.colors[(edit / fresh + device) % Highlight.colors.count]
                    plan.append((id, color, edit < fresh ? data.anchor(in: briefing) : nil))
                    final[id] = color
                }
                plans.append(plan)
            }
            let expected = final
            let before = try await metrics(servers)
            for engine in engines { await engine.start() }
            log("concurrent-writers: \(devices) devices × \(edits) edits over \(servers.count) node(s)")
            let (_, seconds) = try await time {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, engine) in engines.enumerated() {
                        let plan = plans[index]
                        let events = engine.events()
                        // Converged for this device: every highlight at its final colour.
                        group.addTask {
                            var seen: [String: String] = [:]
                            for (id, color, _) in plan { seen[id] = color }
                            var missing = expected.filter { seen[$0.key] != $0.value }.count
                            guard missing > 0 else { return }
                            for await event in events {
                                guard case .applied(let change) = event, case .record(let record) = change.payload,
                                    let color = record.fields["color"]?.string, let want = expected[change.id]
                                else { continue }
                                let was = seen[change.id] == want
                                seen[change.id] = color
                                let now = color == want
                                if now && !was { missing -= 1 } else if was && !now { missing += 1 }
                                if missing == 0 { return }
                            }
                        }
                        group.addTask {
                            for step in plan {
                                if let anchor = step.anchor {
                                    _ = try await engine.store.highlight(briefing: briefing.id, anchor: anchor, color: step.color, id: step.id)
                                } else {
                                    _ = try await engine.store.recolor(highlight: step.id, to: step.color)
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let after = try await metrics(servers)
            for engine in engines {
                let held = try await engine.store.records(.highlight)
                let colors = Dictionary(uniqueKeysWithValues: held.map { ($0.id, $0.fields["color"]?.string ?? "") })
                guard colors == expected else { throw BenchError("a device does not hold every device's final colours") }
                guard try await engine.store.pendingCount() == 0 else { throw BenchError("a device still has edits to push") }
            }
            for engine in engines { await engine.stop() }
            for server in servers { try await server.stop() }
            let total = devices * edits
            let pulled = after.pulled - before.pulled, skipped = after.echoBytes - before.echoBytes
            return WorkloadResult(
                name: "concurrent-writers", size: "\(devices) devices × \(edits) edits over \(servers.count) node(s)",
                samples: Samples(seconds: [seconds]), floor: nil, ratio: nil,
                extra: [
                    ("edits_per_s", Double(total) / seconds), ("seconds", seconds),
                    ("pulled_kb", Double(pulled) / 1024), ("echo_kb_not_sent", Double(skipped) / 1024),
                    ("echoes_not_sent", Double(after.echoes - before.echoes)),
                    ("echo_share_of_pull_bytes", Double(skipped) / Double(max(1, pulled + skipped))),
                ],
                checks: [
                    "every device holds all \(expected.count) highlights at their final colours, with nothing left to push",
                    "the server left out \(after.echoes - before.echoes) echoes (\(skipped / 1024) kB) of \(pulled / 1024 + skipped / 1024) kB",
                ])
        } catch {
            for engine in engines { await engine.stop() }
            for server in servers { try? await server.stop() }
            throw error
        }
    }

    /// The pull and echo counters of `servers`, summed (in-process servers share one registry).
    func metrics(_ servers: [any BenchServer]) async throws -> (pulled: Int, echoBytes: Int, echoes: Int) {
        var total = (pulled: 0, echoBytes: 0, echoes: 0)
        let urls = servers.first?.pid == nil ? Array(servers.prefix(1)) : servers
        for server in urls {
            guard let port = URL(string: server.url)?.port else { continue }
            let response = try await LoopbackHTTP.get(port: port, path: "/metrics", headers: [:])
            for line in String(decoding: response.body, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: " ")
                guard parts.count == 2, let value = Double(parts[1]) else { continue }
                switch parts[0] {
                case "briefings_pull_bytes_total": total.pulled += Int(value)
                case "briefings_pull_echo_bytes_skipped_total": total.echoBytes += Int(value)
                case "briefings_pull_echoes_skipped_total": total.echoes += Int(value)
                default: break
                }
            }
        }
        return total
    }
}
