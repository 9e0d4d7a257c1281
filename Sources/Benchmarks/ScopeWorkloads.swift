import BriefingModel
import BriefingStore
import Foundation
import GRDB
import Synchronization
import SyncClient

extension Workloads {
    /// A device that pulls briefings' metadata and fetches no bodies ahead of reading.
    static let metadataOnly = SyncClient.Configuration(retries: 0, bodies: .separate, prefetch: false)

    // MARK: Scope change

    /// A device caught up on a library of one publication subscribes to one more publication
    /// (1,000 briefings): the subscription and the sync that follows, timed, and the bytes
    /// they move (the publication's metadata: bodies come on demand); then it unsubscribes (the removals), timed. The same at two library sizes,
    /// so the figures show whether the change costs in proportion to the publication added
    /// (a ratio near 1 between the sizes) or to the library. The baseline in the same run is
    /// a new device's first sync of the added publication alone: the bytes a scope change
    /// should not exceed.
    func scopeChange() async throws -> WorkloadResult {
        let added = configuration.quick ? 10 : 1000
        let libraries = configuration.quick ? [10, 40] : [1000, 4000]
        let runs = configuration.quick ? 1 : max(3, configuration.runs)
        var medians: [Double] = [], removals: [Double] = [], bytes: [Double] = []
        var baselineBytes = 0
        var checks: [String] = []
        var samplesAtLargest: [Double] = []
        for library in libraries {
            log("scope-change: a library of \(library) briefings, then \(added) more in another publication")
            let seeded = try await SeededLibrary.make(
                at: try await database("scope-\(library)-server"), briefings: library + added, annotationsPerBriefing: 0,
                seed: configuration.seed, publication: { $0 < library ? "Library Review" : "Added Papers" }, progress: log)
            let server = try await configuration.server.start(database: seeded.databasePath, log: path("server.log"))
            do {
                let transport = CountingTransport()
                // Metadata only: what a change of scopes moves is the publication's metadata (its
                // bodies come on demand, as for any device that asks for them separately).
                let client = try await device(
                    "scope-\(library)", server: server, library: seeded, transport: transport, configuration: Self.metadataOnly)
                _ = try await client.setSubscriptions(["library-review"])
                _ = try await client.sync()
                guard try await client.store.briefings().count == library else { throw BenchError("the library did not sync") }
                var samples: [Double] = [], removed: [Double] = []
                var moved = 0
                for _ in 0..<runs {
                    transport.reset()
                    let (_, seconds) = try await time {
                        _ = try await client.setSubscriptions(["library-review", "added-papers"])
                        return try await client.sync()
                    }
                    moved = transport.received
                    samples.append(seconds)
                    guard try await client.store.briefings().count == library + added else {
                        throw BenchError("after subscribing, the device holds the wrong number of briefings")
                    }
                    let (_, removal) = try await time {
                        _ = try await client.setSubscriptions(["library-review"])
                        return try await client.sync()
                    }
                    removed.append(removal)
                    guard try await client.store.briefings().count == library else {
                        throw BenchError("after unsubscribing, the device holds the wrong number of briefings")
                    }
                }
                if library == libraries.first {
                    // The baseline: a new device subscribed to the added publication alone.
                    let fresh = CountingTransport()
                    let alone = try await device(
                        "scope-\(library)-alone", server: server, library: seeded, transport: fresh, configuration: Self.metadataOnly)
                    _ = try await alone.setSubscriptions(["added-papers"])
                    fresh.reset()
                    _ = try await alone.sync()
                    baselineBytes = fresh.received
                    checks.append("a new device subscribed to the added publication alone pulled \(fresh.received) bytes")
                }
                medians.append(Samples(seconds: samples).median)
                removals.append(Samples(seconds: removed).median)
                bytes.append(Double(moved))
                samplesAtLargest = samples
                checks.append(
                    "library \(library): subscribing moved \(moved) bytes and brought \(added) briefings; unsubscribing removed them")
                try await server.stop()
            } catch {
                try? await server.stop()
                throw error
            }
        }
        let extra: [(String, Double)] = [
            ("seconds_small_library", medians[0]), ("seconds_large_library", medians[1]),
            ("large_over_small", medians[1] / medians[0]), ("removal_seconds_small_library", removals[0]),
            ("removal_seconds_large_library", removals[1]), ("bytes_small_library", bytes[0]), ("bytes_large_library", bytes[1]),
            ("bytes_added_alone", Double(baselineBytes)), ("bytes_over_alone", bytes[1] / Double(max(1, baselineBytes))),
        ]
        return WorkloadResult(
            name: "scope-change", size: "+\(added) briefings on libraries of \(libraries[0]) and \(libraries[1])",
            samples: Samples(seconds: samplesAtLargest), floor: nil, ratio: nil, extra: extra, checks: checks)
    }
}

extension Workloads {
    // MARK: Body fetch

    /// One briefing's body by its revision's hash (`GET /v1/bodies/{hash}`), with no copy on the
    /// device (200, gzip) and with one (`If-None-Match`, 304), round after round over a library;
    /// the floor is an authenticated `GET /healthz` right after each, on the same connection kind.
    func bodyFetch() async throws -> WorkloadResult {
        let briefings = configuration.quick ? 10 : 200
        let seeded = try await SeededLibrary.make(
            at: try await database("bodies-server"), briefings: briefings, annotationsPerBriefing: 0, seed: configuration.seed)
        let server = try await configuration.server.start(database: seeded.databasePath, log: path("server.log"))
        do {
            let client = try await device("bodies", server: server, library: seeded, transport: CountingTransport())
            _ = try await client.sync()
            guard let token = try await client.store.syncState().token, let port = URL(string: server.url)?.port else {
                throw BenchError("no token or port for the body fetches")
            }
            var hashes: [String] = []
            for summary in try await client.store.briefings() {
                if let briefing = try await client.store.briefing(id: summary.id) { hashes.append(briefing.revision.id) }
            }
            let headers = ["Authorization": "Bearer \(token)", "Accept-Encoding": "gzip", "Accept": "application/json"]
            var cold: [Double] = [], cached: [Double] = [], floor: [Double] = []
            var bytes = 0
            for round in 0..<configuration.latencyRounds {
                let hash = hashes[round % hashes.count]
                let (fetched, coldSeconds) = try await time {
                    try await LoopbackHTTP.get(port: port, path: "/v1/bodies/\(hash)", headers: headers)
                }
                guard fetched.status == 200, let etag = fetched.headers["etag"], etag == "\"\(hash)\"" else {
                    throw BenchError("a body came back \(fetched.status) with ETag \(fetched.headers["etag"] ?? "none")")
                }
                bytes += fetched.body.count
                var revalidate = headers
                revalidate["If-None-Match"] = etag
                let (again, cachedSeconds) = try await time {
                    try await LoopbackHTTP.get(port: port, path: "/v1/bodies/\(hash)", headers: revalidate)
                }
                guard again.status == 304, again.body.isEmpty else { throw BenchError("a revalidation came back \(again.status)") }
                let (health, floorSeconds) = try await time { try await LoopbackHTTP.get(port: port, path: "/healthz", headers: headers) }
                guard health.status == 200 else { throw BenchError("/healthz came back \(health.status)") }
                cold.append(coldSeconds)
                cached.append(cachedSeconds)
                floor.append(floorSeconds)
            }
            try await server.stop()
            let c = Samples(seconds: cold), k = Samples(seconds: cached), f = Samples(seconds: floor)
            return WorkloadResult(
                name: "body-fetch", size: "\(configuration.latencyRounds) bodies of \(briefings) briefings, then each revalidated",
                samples: c, floor: f, ratio: c.median / f.median,
                extra: [
                    ("cold_p50_ms", c.median * 1000), ("cold_p99_ms", c.percentile(0.99) * 1000),
                    ("cached_304_p50_ms", k.median * 1000), ("cached_304_p99_ms", k.percentile(0.99) * 1000),
                    ("floor_p50_ms", f.median * 1000), ("floor_p99_ms", f.percentile(0.99) * 1000),
                    ("gzip_bytes_per_body", Double(bytes) / Double(max(1, cold.count))),
                ],
                checks: ["\(cold.count) bodies fetched (200, their hash as ETag) and revalidated (304, no body)"])
        } catch {
            try? await server.stop()
            throw error
        }
    }
}

extension Workloads {
    // MARK: First read

    /// A new device on a large library (10,000 briefings): from `login` until the newest
    /// briefing's body is readable in its store (a store observation sees it land, as an
    /// app's screen would), and until the whole metadata feed is in (the last page of the
    /// first sync applied); against, in the same run, a new device's whole first sync with
    /// bodies inline (today's full initial sync), also from `login`. Bytes on the wire for each.
    func firstRead() async throws -> WorkloadResult {
        let briefings = configuration.quick ? 60 : 10_000
        let runs = configuration.quick ? 1 : max(3, configuration.runs)
        log("first-read: a library of \(briefings) briefings")
        let seeded = try await SeededLibrary.make(
            at: try await database("first-read-server"), briefings: briefings, annotationsPerBriefing: 0, seed: configuration.seed,
            progress: log)
        // The bench's briefings are published an hour apart, the last the newest.
        let newest = String(format: "bench-%05d", briefings - 1)
        let server = try await configuration.server.start(database: seeded.databasePath, log: path("server.log"))
        do {
            var readable: [Double] = [], metadataIn: [Double] = [], full: [Double] = []
            var onDemandBytes = 0, fullBytes = 0
            for run in 0..<runs {
                let transport = CountingTransport()
                let store = try BriefingStore(path: path("first-read-\(run).sqlite"))
                let client = SyncClient(store: store, transport: transport, configuration: .init(retries: 0))
                // Watches for the newest briefing's body, as a reader's screen would.
                let seen = Task {
                    let clock = ContinuousClock()
                    for try await ready in store.observeDownloaded(briefingID: newest) where ready {
                        return clock.now
                    }
                    throw BenchError("the store observation ended before the newest body landed")
                }
                let clock = ContinuousClock()
                let start = clock.now
                let lastPage = Mutex(start)
                try await client.login(serverURL: server.url, user: seeded.user, password: seeded.password, deviceName: "first-read-\(run)")
                _ = try await client.sync { progress in
                    if case .pulling = progress { lastPage.withLock { $0 = clock.now } }
                }
                let landed = try await seen.value
                readable.append(durationSeconds(landed - start))
                metadataIn.append(durationSeconds(lastPage.withLock { $0 } - start))
                onDemandBytes = transport.received
                let summaries = try await store.briefings()
                guard summaries.count == briefings, try await store.briefing(id: newest) != nil else {
                    throw BenchError("the on-demand device holds \(summaries.count) briefings, the newest body \(try await store.briefing(id: newest) == nil ? "missing" : "there")")
                }
                if run == 0, summaries.filter(\.downloaded).count != min(briefings, StorageSettings.defaultPrefetchNewest) {
                    throw BenchError("the on-demand device downloaded \(summaries.filter(\.downloaded).count) bodies, not the newest \(StorageSettings.defaultPrefetchNewest)")
                }

                // Today's full initial sync, bodies inline, on another new device.
                let wholeTransport = CountingTransport()
                let wholeStore = try BriefingStore(path: path("first-read-full-\(run).sqlite"))
                let whole = SyncClient(store: wholeStore, transport: wholeTransport, configuration: .init(retries: 0, bodies: .inline, prefetch: false))
                let (_, seconds) = try await time {
                    try await whole.login(serverURL: server.url, user: seeded.user, password: seeded.password, deviceName: "first-read-full-\(run)")
                    return try await whole.sync()
                }
                full.append(seconds)
                fullBytes = wholeTransport.received
                guard try await wholeStore.briefings().count == briefings else { throw BenchError("the full sync did not bring the library") }
            }
            try await server.stop()
            let read = Samples(seconds: readable), meta = Samples(seconds: metadataIn), whole = Samples(seconds: full)
            return WorkloadResult(
                name: "first-read", size: "a new device, \(briefings) briefings", samples: read, floor: whole,
                ratio: meta.median / whole.median,
                extra: [
                    ("newest_readable_s", read.median), ("metadata_feed_s", meta.median), ("full_initial_sync_s", whole.median),
                    ("metadata_over_full", meta.median / whole.median), ("on_demand_bytes", Double(onDemandBytes)),
                    ("full_bytes", Double(fullBytes)), ("bytes_ratio", Double(onDemandBytes) / Double(max(1, fullBytes))),
                ],
                checks: [
                    "the newest briefing's body was readable, every briefing listed, and the newest \(min(briefings, StorageSettings.defaultPrefetchNewest)) bodies downloaded; the full sync brought all \(briefings) bodies"
                ])
        } catch {
            try? await server.stop()
            throw error
        }
    }
}
