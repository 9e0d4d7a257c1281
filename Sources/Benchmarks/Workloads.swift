import BriefingModel
import BriefingStore
import Foundation
import Gzip
import HTTPTypes
import OpenAPIRuntime
import OpenAPIURLSession
import SyncAPI
import SyncClient
import BriefingServer
import SyncServerPostgres

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Counts response body bytes as they crossed the wire, from the server's Content-Length (URLSession
/// on Linux hands over gzip bodies already inflated). It passes bodies through untouched, so the
/// timed sync does no extra copying or inflating.
final class CountingTransport: ClientTransport, @unchecked Sendable {
    private let upstream = URLSessionTransport()
    private let lock = NSLock()
    private var total = 0

    /// Response body bytes on the wire since the last reset.
    var received: Int { lock.withLock { total } }

    func reset() { lock.withLock { total = 0 } }

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await upstream.send(request, body: body, baseURL: baseURL, operationID: operationID)
        guard let responseBody else { return (response, nil) }
        if let length = response.headerFields[.contentLength].flatMap(Int.init) {
            lock.withLock { total += length }
            return (response, responseBody)
        }
        // No length: the body itself is the measure.
        let data = try await [UInt8](collecting: responseBody, upTo: 256 << 20)
        lock.withLock { total += data.count }
        return (response, HTTPBody(data))
    }
}

/// One workload's figures.
struct WorkloadResult: Sendable {
    var name: String
    var size: String
    var samples: Samples
    var floor: Samples?
    /// Workload time over floor time for the same work (1.0 = at the floor).
    var ratio: Double?
    /// Further figures, in the order they are printed.
    var extra: [(String, Double)] = []
    /// What was checked (the quick run's point).
    var checks: [String] = []
}

/// The workloads, each against a real server over loopback HTTP.
struct Workloads: Sendable {
    let configuration: BenchConfiguration
    let directory: URL
    let log: @Sendable (String) -> Void

    /// A file of this pass in the run's directory: passes on other stores have files of their own.
    func path(_ name: String) -> String {
        switch configuration.store {
        case .sqlite: directory.appendingPathComponent(name).path
        case .postgres: directory.appendingPathComponent("postgres-\(configuration.nodes)-\(name)").path
        }
    }

    /// A fresh, empty server database for `name`, as a `--database` value: an SQLite file in
    /// the run's directory, or a schema of its own in the PostgreSQL database (dropped first if
    /// an earlier run left it).
    func database(_ name: String) async throws -> String {
        switch configuration.store {
        case .sqlite:
            let file = path("\(name).sqlite")
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
            return file
        case .postgres(let url):
            let schema = "bench_" + name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
            let location = try DatabaseURL(url).inSchema(String(schema.prefix(63))).description(withPassword: true)
            if let store = try await ServerDatabase.open(location) as? PostgresServerStore {
                try await store.dropSchema()
                await store.close()
            }
            return location
        }
    }

    /// `configuration.nodes` servers over one database; devices spread over them in turn.
    func startNodes(database: String, log name: String) async throws -> [any BenchServer] {
        var servers: [any BenchServer] = []
        do {
            for node in 0..<max(configuration.nodes, 1) {
                servers.append(try await configuration.server.start(database: database, log: path("\(name)-node\(node).log")))
            }
        } catch {
            for server in servers { try? await server.stop() }
            throw error
        }
        return servers
    }

    /// A fresh device: a store file logged in as the library's reader.
    /// A logged-in device. Bodies come inline by default, so the workloads that measure a
    /// whole sync measure what they always have; `first-read` asks for them on demand.
    func device(
        _ name: String, server: any BenchServer, library: SeededLibrary, transport: CountingTransport,
        configuration: SyncClient.Configuration = .init(retries: 0, bodies: .inline, prefetch: false)
    ) async throws -> SyncClient {
        let store = try BriefingStore(path: path("\(name).sqlite"))
        let client = SyncClient(store: store, transport: transport, configuration: configuration)
        try await client.login(serverURL: server.url, user: library.user, password: library.password, deviceName: name)
        return client
    }

    // MARK: 1. Initial sync (and 5. wire efficiency, which needs the same setup)

    struct InitialSync {
        var result: WorkloadResult
        /// Compressed and uncompressed bytes pulled, for the wire-efficiency figures.
        var wire: (compressed: Int, uncompressed: Int)
    }

    func initialSync(briefings: Int, annotationsPerBriefing: Int, name: String = "initial-sync", runs: Int? = nil) async throws -> InitialSync {
        let runs = runs ?? configuration.runs
        let library = try await SeededLibrary.make(
            at: try await database("\(name)-\(briefings)-server"), briefings: briefings, annotationsPerBriefing: annotationsPerBriefing,
            seed: configuration.seed, progress: log)
        let server = try await configuration.server.start(database: library.databasePath, log: path("server.log"))
        do {
            let transport = CountingTransport()
            var samples: [Double] = []
            var wire = (compressed: 0, uncompressed: 0)
            var checks: [String] = []
            for run in 0..<runs {
                let client = try await device("\(name)-\(briefings)-run\(run)", server: server, library: library, transport: transport)
                transport.reset()
                let (summary, seconds) = try await time { try await client.sync() }
                samples.append(seconds)
                try await verify(client.store, library: library, pulled: summary.pulled, checks: &checks)
                if run == 0 { wire.compressed = transport.received }
            }
            // The same pulls as a device's first sync, with the bodies exactly as sent (gzip).
            let pages = try await wirePages(server: server, library: library, name: name)
            wire.uncompressed = try pages.reduce(0) { $0 + (try $1.json()).count }
            // The floor: the same compressed pages decoded and inserted into an empty store with the
            // client's schema, indexes and FTS, in one transaction, in this process.
            var floor: [Double] = []
            for run in 0..<runs {
                let store = try BriefingStore(path: path("\(name)-\(briefings)-floor\(run).sqlite"))
                let (_, seconds) = try await time {
                    var changes: [Change] = []
                    let decoder = Wire.decoder()
                    for page in pages {
                        let json = try page.json()
                        let wirePage = try decoder.decode(Wire.ChangesPage.self, from: Data(json))
                        for change in wirePage.changes { changes.append(try change.model()) }
                    }
                    try await store.bulkLoad(changes)
                }
                floor.append(seconds)
                if run == 0 {
                    let loaded = try await store.briefings().count
                    guard loaded == library.briefings else { throw BenchError("the floor loaded \(loaded) briefings, not \(library.briefings)") }
                }
            }
            var extra: [(String, Double)] = [("wire_bytes", Double(wire.compressed)), ("wire_bytes_uncompressed", Double(wire.uncompressed))]
            if case .process = configuration.server, let rss = try await clientPeakRSS(server: server, library: library, name: name) {
                extra.append(("client_peak_rss_mb", Double(rss) / 1_048_576))
            }
            try await server.stop()
            let samplesValue = Samples(seconds: samples), floorValue = Samples(seconds: floor)
            return InitialSync(
                result: WorkloadResult(
                    name: name, size: "\(briefings) briefings + \(library.annotations) annotations", samples: samplesValue,
                    floor: floorValue, ratio: samplesValue.median / floorValue.median, extra: extra, checks: checks),
                wire: wire)
        } catch {
            try? await server.stop()
            throw error
        }
    }

    /// A page's body as it crossed the wire: gzip, or as is when it was too small to compress.
    struct WirePage {
        var body: [UInt8]
        var gzipped: Bool

        func json() throws -> [UInt8] { gzipped ? try Gzip.decompress(body, limit: 256 << 20) : body }
    }

    /// Walks the change log as a new device's first sync does (pages of 200), keeping each
    /// page's body as it crossed the wire.
    func wirePages(server: any BenchServer, library: SeededLibrary, name: String) async throws -> [WirePage] {
        let client = try await device("\(name)-\(library.briefings)-pages", server: server, library: library, transport: CountingTransport())
        guard let token = try await client.store.syncState().token, let port = URL(string: server.url)?.port else {
            throw BenchError("no token or port for the page capture")
        }
        var pages: [WirePage] = []
        var cursor: String?
        repeat {
            var path = "/v1/changes?limit=\(SyncClient.Configuration().pullPageSize)"
            if let cursor { path += "&cursor=" + (cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor) }
            let response = try await LoopbackHTTP.get(
                port: port, path: path,
                headers: ["Authorization": "Bearer \(token)", "Accept-Encoding": "gzip", "Briefings-Protocol-Version": "1", "Accept": "application/json"])
            let encoding = response.headers["content-encoding"]
            guard response.status == 200, encoding == nil || encoding == "gzip" else {
                throw BenchError("a page came back \(response.status) \(encoding ?? "uncompressed")")
            }
            let wirePage = WirePage(body: response.body, gzipped: encoding == "gzip")
            pages.append(wirePage)
            let page = try Wire.decoder().decode(Wire.ChangesPage.self, from: Data(try wirePage.json()))
            cursor = page.hasMore ? page.cursor : nil
        } while cursor != nil
        return pages
    }

    /// Checks that a synced store holds exactly the library.
    func verify(_ store: BriefingStore, library: SeededLibrary, pulled: Int, checks: inout [String]) async throws {
        let briefings = try await store.briefings().count
        let highlights = try await store.records(.highlight).count
        let notes = try await store.records(.note).count
        guard briefings == library.briefings, highlights + notes == library.annotations else {
            throw BenchError(
                "the synced store has \(briefings) briefings and \(highlights + notes) annotations; expected \(library.briefings) and \(library.annotations)")
        }
        if checks.isEmpty {
            checks.append("store holds \(briefings) briefings, \(highlights) highlights and \(notes) notes after pulling \(pulled) changes")
        }
    }

    /// One sync in a child process (`briefing sync` through the bench executable's `briefing`
    /// subcommand), for the client's peak resident memory.
    func clientPeakRSS(server: any BenchServer, library: SeededLibrary, name: String) async throws -> Int? {
        guard case .process(let executable) = configuration.server else { return nil }
        let transport = CountingTransport()
        let client = try await device("\(name)-\(library.briefings)-rss", server: server, library: library, transport: transport)
        let report = path("\(name)-\(library.briefings)-rss.peak")
        let child = try ChildProcess.spawn(
            executable, ["peak-memory", "--to", report, "sync", "--store", client.store.path ?? ""], log: path("client.log"))
        let status = child.wait()
        guard status == 0 else { throw BenchError("`briefing sync` in a child process exited with status \(status); see \(path("client.log"))") }
        guard let peak = Int((try? String(contentsOfFile: report, encoding: .utf8)) ?? "") else {
            throw BenchError("the child process did not report its peak memory")
        }
        var checks: [String] = []
        try await verify(try BriefingStore(path: path("\(name)-\(library.briefings)-rss.sqlite")), library: library, pulled: 0, checks: &checks)
        return peak
    }

    // MARK: 2. Incremental sync

    func incrementalSync(briefings: Int, annotationsPerBriefing: Int) async throws -> WorkloadResult {
        let library = try await SeededLibrary.make(
            at: try await database("incremental-server"), briefings: briefings, annotationsPerBriefing: annotationsPerBriefing,
            seed: configuration.seed)
        let server = try await configuration.server.start(database: library.databasePath, log: path("server.log"))
        do {
            let transport = CountingTransport()
            let client = try await device("incremental", server: server, library: library, transport: transport)
            _ = try await client.sync()
            let highlights = try await client.store.recordIDs(.highlight)
            guard let target = highlights.first else { throw BenchError("the library has no highlights") }
            // The floor: an authenticated no-op through the same middleware. Each round times a
            // sync and then a floor request, so both see the same moment's machine.
            guard let token = try await client.store.syncState().token else { throw BenchError("the device has no token") }
            var request = URLRequest(url: URL(string: server.url + "/healthz")!)
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            var samples: [Double] = []
            var floor: [Double] = []
            for round in 0..<configuration.latencyRounds {
                try await client.store.recolor(highlight: target, to: Highlight.colors[round % Highlight.colors.count])
                let (summary, seconds) = try await time { try await client.sync() }
                // The device's own edit is acknowledged by the push and not echoed back.
                guard summary.pushed + summary.merged == 1, summary.pulled == 0 else {
                    throw BenchError("an incremental sync pushed \(summary.pushed) and pulled \(summary.pulled); expected 1 and 0")
                }
                samples.append(seconds)
                let (response, floorSeconds) = try await time { try await URLSession.shared.data(for: request).1 }
                guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw BenchError("the authenticated /healthz failed") }
                floor.append(floorSeconds)
            }
            try await server.stop()
            let s = Samples(seconds: samples), f = Samples(seconds: floor)
            return WorkloadResult(
                name: "incremental-sync", size: "1 changed annotation, \(configuration.latencyRounds) rounds", samples: s, floor: f,
                ratio: s.median / f.median,
                extra: [("p50_ms", s.median * 1000), ("p99_ms", s.percentile(0.99) * 1000), ("floor_p50_ms", f.median * 1000), ("floor_p99_ms", f.percentile(0.99) * 1000)],
                checks: ["each round pushed 1 change and pulled it back"])
        } catch {
            try? await server.stop()
            throw error
        }
    }
}
