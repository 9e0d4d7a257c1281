import Foundation

/// What to run and how big.
public struct BenchConfiguration: Sendable {
    /// Timed runs per workload (the median is reported).
    public var runs: Int
    /// Round trips timed by the latency workload.
    public var latencyRounds: Int
    public var briefings: Int
    public var annotationsPerBriefing: Int
    public var seed: UInt64
    public var server: ServerMode
    /// Workload names to run; empty runs all.
    public var only: Set<String>
    public var quick: Bool
    /// Push throughput: devices, batches each, mutations per batch.
    public var push: (devices: Int, batches: Int, batchSize: Int)
    /// Fan-out: devices, new changes each pulls, connections at once.
    public var fanOut: (devices: Int, changes: Int, concurrency: Int)
    /// Library sizes for the scale workload.
    public var scaleSizes: [Int]
    /// Where to keep the databases and logs; nil uses a temporary directory removed at the end.
    public var directory: String? = nil
    /// The server's store for this pass: SQLite files, or schemas in a PostgreSQL database.
    public var store: BenchStore = .sqlite
    /// Server nodes for the workloads that spread devices over several (push-throughput,
    /// fan-out-pull); the others talk to one.
    public var nodes: Int = 1

    /// The full run: 1,000 briefings with 20 annotations each, five runs.
    public static func full(server: ServerMode) -> BenchConfiguration {
        BenchConfiguration(
            runs: 5, latencyRounds: 200, briefings: 1000, annotationsPerBriefing: 20, seed: 7, server: server, only: [], quick: false,
            push: (50, 200, 50), fanOut: (500, 100, 50), scaleSizes: [100, 1000, 10000])
    }

    /// The smoke run: every workload at a small size, checking answers, never times.
    public static func quick(server: ServerMode) -> BenchConfiguration {
        BenchConfiguration(
            runs: 1, latencyRounds: 5, briefings: 12, annotationsPerBriefing: 5, seed: 7, server: server, only: [], quick: true,
            push: (3, 3, 10), fanOut: (12, 10, 4), scaleSizes: [4, 12])
    }

    func wants(_ name: String) -> Bool { only.isEmpty || only.contains(name) }
}

/// Where the bench's servers keep their data.
public enum BenchStore: Sendable, Hashable {
    /// An SQLite file per workload (the default, embedded store).
    case sqlite
    /// A schema per workload in this PostgreSQL database (`postgres://…`).
    case postgres(String)
}

/// The suite's results.
public struct BenchReport: Sendable {
    var machine: [(String, String)]
    var workloads: [WorkloadResult]

    /// The table: workload, size, median, min–max, floor median, ratio, then each extra figure.
    public func table() -> String {
        var lines: [String] = []
        lines.append("machine: " + machine.map { "\($0.0) \($0.1)" }.joined(separator: " · "))
        lines.append("")
        let header = ["workload", "size", "median", "min–max", "floor median", "ratio"]
        var rows: [[String]] = [header]
        for workload in workloads {
            rows.append([
                workload.name, workload.size, Self.seconds(workload.samples.median),
                "\(Self.seconds(workload.samples.min))–\(Self.seconds(workload.samples.max))",
                workload.floor.map { Self.seconds($0.median) } ?? "—", workload.ratio.map { String(format: "%.2f×", $0) } ?? "—",
            ])
        }
        let widths = (0..<header.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for (index, row) in rows.enumerated() {
            lines.append(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
            if index == 0 { lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")) }
        }
        lines.append("")
        for workload in workloads where !workload.extra.isEmpty {
            lines.append("\(workload.name): " + workload.extra.map { "\($0.0) \(Self.number($0.1))" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// `{"machine": {…}, "workloads": [{"name", "size", "median_s", "min_s", "max_s", "floor_median_s", "ratio", …}]}`.
    public func json() throws -> String {
        let object: [String: Any] = [
            "machine": Dictionary(uniqueKeysWithValues: machine),
            "workloads": workloads.map { workload -> [String: Any] in
                var item: [String: Any] = [
                    "name": workload.name, "size": workload.size, "median_s": workload.samples.median, "min_s": workload.samples.min,
                    "max_s": workload.samples.max, "runs": workload.samples.seconds.count, "checks": workload.checks,
                ]
                item["floor_median_s"] = workload.floor?.median ?? NSNull()
                item["ratio"] = workload.ratio ?? NSNull()
                for (key, value) in workload.extra { item[key] = value }
                return item
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func seconds(_ value: Double) -> String {
        value >= 1 ? String(format: "%.2f s", value) : value >= 0.001 ? String(format: "%.1f ms", value * 1000) : String(format: "%.0f µs", value * 1e6)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? String(Int(value)) : String(format: "%.2f", value)
    }

    /// The workload results, for tests.
    public var names: [String] { workloads.map(\.name) }
    public func checks(_ name: String) -> [String] { workloads.first { $0.name == name }?.checks ?? [] }
    public func figure(_ name: String, _ key: String) -> Double? { workloads.first { $0.name == name }?.extra.first { $0.0 == key }?.1 }
}

/// Runs the benchmark suite.
public enum Bench {
    public static let workloadNames = [
        "initial-sync", "annotation-sync", "incremental-sync", "push-throughput", "fan-out-pull", "wire-efficiency", "scale", "login-flood",
        "live-latency", "watch-idle", "concurrent-writers", "scope-change", "body-fetch", "first-read",
    ]

    /// Runs the benchmark suite: on SQLite; then, given a PostgreSQL database, the same
    /// workloads on it, with `nodes` nodes where devices spread over several, and fan-out-pull
    /// on one node as well, so its scaling shows. The PostgreSQL rows carry their ratio to the
    /// SQLite (or one-node) row of the same run.
    public static func run(
        _ configuration: BenchConfiguration, postgres: String? = nil, nodes: Int = 1, yjsPeer: String? = nil,
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> BenchReport {
        var report = try await runOurs(configuration, postgres: postgres, nodes: nodes, log: log)
        if let yjsPeer {
            let peer = try await YjsPeer.run(directory: yjsPeer, quick: configuration.quick, only: configuration.only, log: log)
            YjsPeer.merge(peer, into: &report.workloads)
        }
        return report
    }

    static func runOurs(
        _ configuration: BenchConfiguration, postgres: String?, nodes: Int, log: @escaping @Sendable (String) -> Void
    ) async throws -> BenchReport {
        let kept = configuration.directory.map { URL(fileURLWithPath: $0, isDirectory: true) }
        let directory = kept ?? FileManager.default.temporaryDirectory.appendingPathComponent("briefing-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if kept == nil { try? FileManager.default.removeItem(at: directory) } }
        if kept != nil { log("keeping databases and logs in \(directory.path)") }
        var sqlite = configuration
        sqlite.store = .sqlite
        sqlite.nodes = 1
        var results = try await suite(sqlite, directory: directory, log: log)
        guard let postgres else { return BenchReport(machine: machine(), workloads: results) }

        var onPostgres = configuration
        onPostgres.store = .postgres(postgres)
        onPostgres.nodes = nodes
        log("the same workloads on PostgreSQL, \(nodes) node(s) where devices spread")
        var more = try await suite(onPostgres, directory: directory, log: log).map { result in
            var result = result
            result.name += spreads(result.name) ? "@postgres×\(nodes)" : "@postgres"
            return result
        }
        if nodes > 1 && configuration.wants("fan-out-pull") {
            var single = onPostgres
            single.nodes = 1
            single.only = ["fan-out-pull"]
            log("fan-out-pull on PostgreSQL with one node, for its scaling")
            more += try await suite(single, directory: directory, log: log).map { result in
                var result = result
                result.name += "@postgres×1"
                return result
            }
        }
        // Each PostgreSQL row against its baseline in this run.
        func figure(_ name: String, _ key: String) -> Double? { (results + more).first { $0.name == name }?.extra.first { $0.0 == key }?.1 }
        func median(_ name: String) -> Double? { (results + more).first { $0.name == name }?.samples.median }
        for index in more.indices {
            let name = more[index].name
            if name.hasPrefix("push-throughput@"), let pg = figure(name, "mutations_per_s"), let base = figure("push-throughput", "mutations_per_s") {
                more[index].extra.append(("vs_sqlite_mutations_per_s", pg / base))
            } else if name.hasPrefix("fan-out-pull@postgres×"), nodes > 1, name != "fan-out-pull@postgres×1",
                let pg = figure(name, "pulls_per_s"), let one = figure("fan-out-pull@postgres×1", "pulls_per_s")
            {
                more[index].extra.append(("vs_1_node_pulls_per_s", pg / one))
            } else if let base = median(String(name.prefix { $0 != "@" })), let pg = median(name), name.hasPrefix("initial-sync@") || name.hasPrefix("incremental-sync@") {
                more[index].extra.append(("vs_sqlite_median", pg / base))
            }
        }
        results += more
        return BenchReport(machine: machine(), workloads: results)
    }

    /// Workloads whose devices spread over the nodes.
    static func spreads(_ name: String) -> Bool {
        ["push-throughput", "fan-out-pull", "live-latency", "concurrent-writers"].contains(name)
    }

    /// One pass of the selected workloads over `configuration.store`.
    static func suite(_ configuration: BenchConfiguration, directory: URL, log: @escaping @Sendable (String) -> Void) async throws -> [WorkloadResult] {
        let workloads = Workloads(configuration: configuration, directory: directory, log: log)
        var results: [WorkloadResult] = []

        var known: Workloads.InitialSync?
        if configuration.wants("initial-sync") || configuration.wants("wire-efficiency") {
            log("initial-sync: \(configuration.briefings) briefings × \(configuration.annotationsPerBriefing) annotations")
            let initial = try await workloads.initialSync(
                briefings: configuration.briefings, annotationsPerBriefing: configuration.annotationsPerBriefing)
            known = initial
            if configuration.wants("initial-sync") { results.append(initial.result) }
            if configuration.wants("wire-efficiency") {
                log("wire-efficiency: the same briefings without annotations")
                let bare = try await workloads.initialSync(
                    briefings: configuration.briefings, annotationsPerBriefing: 0, name: "wire-bare", runs: 1)
                let annotations = configuration.briefings * configuration.annotationsPerBriefing
                let perAnnotation = Double(initial.wire.compressed - bare.wire.compressed) / Double(max(1, annotations))
                let perAnnotationRaw = Double(initial.wire.uncompressed - bare.wire.uncompressed) / Double(max(1, annotations))
                let perBriefing = Double(bare.wire.compressed) / Double(configuration.briefings)
                let perBriefingRaw = Double(bare.wire.uncompressed) / Double(configuration.briefings)
                guard perAnnotation > 0, perBriefing > 0 else { throw BenchError("wire-efficiency measured no bytes") }
                results.append(
                    WorkloadResult(
                        name: "wire-efficiency", size: initial.result.size, samples: initial.result.samples, floor: nil, ratio: nil,
                        extra: [
                            ("bytes_per_annotation_gzip", perAnnotation), ("bytes_per_annotation_raw", perAnnotationRaw),
                            ("bytes_per_briefing_gzip", perBriefing), ("bytes_per_briefing_raw", perBriefingRaw),
                        ],
                        checks: ["pulled bytes with and without annotations: \(initial.wire.compressed) and \(bare.wire.compressed) compressed"]))
            }
        }
        if configuration.wants("annotation-sync") {
            // The Yjs peer's initial sync: the reader's annotations and no library to speak of.
            let annotations = configuration.briefings * configuration.annotationsPerBriefing
            log("annotation-sync: \(annotations) annotations on one briefing")
            var sync = try await workloads.initialSync(briefings: 1, annotationsPerBriefing: annotations, name: "annotation-sync")
            sync.result.size = "\(annotations) annotations on 1 briefing"
            results.append(sync.result)
        }
        if configuration.wants("incremental-sync") {
            log("incremental-sync: \(configuration.latencyRounds) round trips")
            results.append(
                try await workloads.incrementalSync(
                    briefings: min(configuration.briefings, 100), annotationsPerBriefing: configuration.annotationsPerBriefing))
        }
        if configuration.wants("push-throughput") { results.append(try await workloads.pushThroughput()) }
        if configuration.wants("scope-change") { results.append(try await workloads.scopeChange()) }
        if configuration.wants("body-fetch") { results.append(try await workloads.bodyFetch()) }
        if configuration.wants("first-read") { results.append(try await workloads.firstRead()) }
        if configuration.wants("fan-out-pull") { results.append(try await workloads.fanOutPull()) }
        if configuration.wants("scale") { results.append(try await workloads.scale(known: known)) }
        if configuration.wants("login-flood") { results.append(try await workloads.loginFlood()) }
        if configuration.wants("live-latency") { results.append(try await workloads.liveLatency()) }
        if configuration.wants("watch-idle") && configuration.nodes <= 1 { results.append(try await workloads.watchIdle()) }
        if configuration.wants("concurrent-writers") { results.append(try await workloads.concurrentWriters()) }
        return results
    }

    static func machine() -> [(String, String)] {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let memory = ProcessInfo.processInfo.physicalMemory
        return [
            ("cpu", model), ("cores", String(ProcessInfo.processInfo.activeProcessorCount)),
            ("memory_gib", String(format: "%.0f", Double(memory) / 1_073_741_824)),
            ("os", ProcessInfo.processInfo.operatingSystemVersionString),
        ]
    }
}
