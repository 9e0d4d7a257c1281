import Foundation

/// The comparison peer: a Yjs WebSocket server (pycrdt-websocket with SQLite persistence)
/// running the same three workloads, in the same run (`Benchmarks/yjs-peer/`).
///
/// Its figures become rows of their own (`…@yjs`), and each of ours gains its ratio to the
/// peer's: `vs_yjs_p50` (live latency, ours ÷ theirs: below 1 is faster), `vs_yjs_edits_per_s`
/// (concurrent writers, ours ÷ theirs: above 1 is faster), `vs_yjs_seconds` (first syncs,
/// ours ÷ theirs: below 1 is faster; `annotation-sync` is the peer's own data, 20,000
/// annotations, where `initial-sync` also carries 1,000 briefings and indexes them).
enum YjsPeer {
    /// Runs `peer.py` from `directory` with the virtual environment's Python, on the same sizes
    /// (or the quick ones), and reads its one JSON object.
    ///
    /// The child runs for a minute or more; waiting on it happens on a thread of its own, never
    /// on one of the cooperative pool's few threads.
    static func run(directory: String, quick: Bool, only: Set<String>, log: @Sendable (String) -> Void) async throws -> [String: Any] {
        let python = URL(fileURLWithPath: directory).appendingPathComponent(".venv/bin/python").path
        let script = URL(fileURLWithPath: directory).appendingPathComponent("peer.py").path
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: script) else {
            throw BenchError(
                "no Yjs peer in \(directory): set it up with `python3 -m venv .venv && .venv/bin/pip install -r requirements.txt` there (see its README)")
        }
        var arguments = [script]
        if quick { arguments.append("--quick") }
        // The peer's "initial-sync" is its annotations alone: ours is `annotation-sync`.
        let names = ["live-latency", "concurrent-writers", "initial-sync"].filter {
            only.isEmpty || only.contains($0) || ($0 == "initial-sync" && only.contains("annotation-sync"))
        }
        arguments += ["--only", names.joined(separator: ",")]
        log("yjs-peer: \(names.joined(separator: ", ")) on pycrdt-websocket")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let data: Data = await withCheckedContinuation { continuation in
            Thread {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: data)
            }.start()
        }
        guard process.terminationStatus == 0, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw BenchError("the Yjs peer failed (exit \(process.terminationStatus))")
        }
        return object
    }

    /// The peer's rows, and our rows with their ratios to it.
    static func merge(_ peer: [String: Any], into results: inout [WorkloadResult]) {
        func number(_ path: String...) -> Double? {
            var value: Any? = peer
            for key in path { value = (value as? [String: Any])?[key] }
            return (value as? NSNumber)?.doubleValue
        }
        let version = (peer["versions"] as? [String: Any])?["pycrdt-websocket"].map { "\($0)" } ?? "?"
        var rows: [WorkloadResult] = []
        if let p50 = number("live_latency_ms", "p50"), let p99 = number("live_latency_ms", "p99") {
            let rounds = number("live_latency_ms", "rounds").map { Int($0) } ?? 0
            rows.append(
                WorkloadResult(
                    name: "live-latency@yjs", size: "\(rounds) edits A→B, pycrdt-websocket \(version)", samples: Samples(seconds: [p50 / 1000]),
                    floor: nil, ratio: nil, extra: [("p50_ms", p50), ("p99_ms", p99)]))
            for index in results.indices where results[index].name.hasPrefix("live-latency") {
                results[index].extra.append(("vs_yjs_p50", results[index].samples.median * 1000 / p50))
            }
        }
        if let rate = number("concurrent_writers", "edits_per_s"), let seconds = number("concurrent_writers", "seconds") {
            let devices = number("concurrent_writers", "devices").map { Int($0) } ?? 0
            let edits = number("concurrent_writers", "edits_per_device").map { Int($0) } ?? 0
            rows.append(
                WorkloadResult(
                    name: "concurrent-writers@yjs", size: "\(devices) devices × \(edits) edits, pycrdt-websocket \(version)",
                    samples: Samples(seconds: [seconds]), floor: nil, ratio: nil, extra: [("edits_per_s", rate), ("seconds", seconds)]))
            for index in results.indices where results[index].name.hasPrefix("concurrent-writers") {
                if let ours = results[index].extra.first(where: { $0.0 == "edits_per_s" })?.1 {
                    results[index].extra.append(("vs_yjs_edits_per_s", ours / rate))
                }
            }
        }
        if let seconds = number("initial_sync", "seconds") {
            let annotations = number("initial_sync", "annotations").map { Int($0) } ?? 0
            rows.append(
                WorkloadResult(
                    name: "initial-sync@yjs", size: "\(annotations) annotations (no briefings), pycrdt-websocket \(version)",
                    samples: Samples(seconds: [seconds]), floor: nil, ratio: nil, extra: [("seconds", seconds)]))
            // Both first syncs carry the ratio; only `annotation-sync` is the same data as the peer's.
            for index in results.indices where results[index].name.hasPrefix("initial-sync") || results[index].name.hasPrefix("annotation-sync") {
                results[index].extra.append(("vs_yjs_seconds", results[index].samples.median / seconds))
            }
        }
        results += rows
    }
}
