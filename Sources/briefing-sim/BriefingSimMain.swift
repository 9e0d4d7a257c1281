import ArgumentParser
import BriefingModel
import Foundation
import BriefingServer
import SimulationLab

@main
struct BriefingSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "briefing-sim",
        abstract: "The conflict-resolution lab: seeded runs of simulated devices through faults, and declared scenarios.",
        discussion: "With no subcommand, `briefing-sim [OPTIONS]` is `briefing-sim run [OPTIONS]`.",
        version: BriefingsVersion.description,
        subcommands: [SeededRun.self, ScenarioCommand.self], defaultSubcommand: SeededRun.self)
}

/// Runs declared scenarios (see LabScenarios/README.md).
struct ScenarioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Run declared scenarios: devices, what each does and when, and the outcome expected.",
        discussion: """
            Each FILE is a scenario in YAML (the reference is LabScenarios/README.md). Its steps run against real device \
            stores, sync clients and the real sync service; then every device syncs until nothing moves, the lab's \
            guarantees are checked, and the expectations. Exits 0 only if every scenario passes; a failure lists what \
            differed, record by record, and the conflicts the server recorded.
            """)

    @Argument(help: "Scenario files (.yaml); a folder runs every .yaml file in it.") var files: [String]
    @Flag(help: "Print each result as a JSON line.") var json = false
    @Flag(help: "Tell the story of every conflict: who wrote what, when, which sync carried it, which rule decided. Always on for a failure.")
    var explain = false
    @Option(
        help: ArgumentHelp(
            "Write a self-contained HTML page of the run: a timeline with a lane per device and the server, each conflict's story on click, the final records side by side. With several scenarios, a folder with a page for each.",
            valueName: "file.html"))
    var report: String?

    func run() async throws {
        var paths: [String] = []
        for file in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else { throw ValidationError("no such file: \(file)") }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: file).filter { $0.hasSuffix(".yaml") }.sorted()
                paths += names.map { (file as NSString).appendingPathComponent($0) }
            } else {
                paths.append(file)
            }
        }
        var failed = 0
        for path in paths {
            let scenario: Scenario
            do {
                scenario = try Scenario(contentsOf: path)
            } catch let error as ScenarioError {
                // (A mistake in the file, not on the command line: no usage text after it.)
                throw FileMistake(description: "\(path): \(error)")
            }
            let result = try await scenario.run()
            if !result.passed { failed += 1 }
            if let report {
                var target = report
                if paths.count > 1 {
                    try FileManager.default.createDirectory(atPath: report, withIntermediateDirectories: true)
                    let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
                    target = (report as NSString).appendingPathComponent(name + ".html")
                }
                do {
                    try result.html(about: scenario.about).write(toFile: target, atomically: true, encoding: .utf8)
                } catch {
                    throw ValidationError("cannot write the report to \(target): \(error.localizedDescription)")
                }
                if !json { print("      report: \(target)") }
            }
            if json {
                let object: [String: Any] = [
                    "file": path, "scenario": result.title, "passed": result.passed, "steps": result.steps, "checks": result.checks,
                    "differences": result.differences, "conflicts": result.conflicts, "rules": result.rules, "stories": result.stories,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
                continue
            }
            print("\(result.passed ? "pass" : "FAIL")  \(result.title)  (\(path))")
            print("      \(result.devices.count) device\(result.devices.count == 1 ? "" : "s") (\(result.devices.joined(separator: ", "))), \(result.steps) steps, \(result.checks) expectations checked")
            if result.conflicts.isEmpty {
                print("      no conflicts recorded")
            } else if explain || !result.passed {
                print("      conflicts recorded, and how each came about:")
                for story in result.stories {
                    for (index, line) in story.split(separator: "\n").enumerated() { print("        \(index == 0 ? "- " : "  ")\(line)") }
                }
            } else {
                print("      conflicts recorded:")
                for sentence in result.conflicts { print("        - \(sentence)") }
            }
            if !result.passed {
                print("      what differed:")
                for difference in result.differences { print("        ✗ \(difference)") }
            }
        }
        if paths.count > 1, !json { print("\(paths.count - failed) of \(paths.count) scenarios passed") }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// A seeded run (the default subcommand).
struct SeededRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The conflict-resolution lab: simulated devices edit offline and sync through faults; the lab checks the guarantees.",
        discussion: """
            Every device is a real client store and sync engine; the server is the real sync service; every request is \
            encoded and decoded as on the wire. A seed reproduces a run exactly. Exits 0 only if every check holds; on a \
            failure it prints the seed and the first violated check, writes a replayable trace and shrinks it.
            """,
        version: BriefingsVersion.description)

    @Option(help: "Simulated devices.") var devices = 4
    @Option(help: "Readers the devices belong to (round-robin).") var users = 1
    @Option(help: "Steps per run.") var steps = 2000
    @Option(help: "The seed (the first seed with --seeds).") var seed: UInt64 = 7
    @Option(help: "Run this many consecutive seeds.") var seeds = 1
    @Option(help: "Run this many seeds at a time.") var jobs = 1
    @Option(
        help: "Faults to inject: drop-request, drop-response, duplicate, reorder, server-restart, clock-skew, or all (comma-separated).")
    var faults = ""
    @Option(help: "Tombstone retention on the simulated server, in simulated hours.") var retentionHours = 24.0
    @Option(help: "Refuse mutations whose clock is this many hours ahead of the server's (default: the server's 36); below 24, clock-skew makes refusals.")
    var maxClockSkewHours: Double?
    @Option(help: "Replay a trace written by an earlier failing run.") var replay: String?
    @Option(help: "Where to write the trace of a failing run (made if missing).") var traceDirectory = ".briefing-sim"
    @Option(help: "Also write the trace of a passing run here (single seed).") var saveTrace: String?
    @Option(
        help: "Append each finished seed's result to this file (a JSON line each) and, with --seeds above 1, skip the seeds it records as passed with the same settings, so that a long run stopped part-way resumes with the same command.")
    var results: String?
    @Flag(help: "Print the report as JSON.") var json = false
    @Flag(help: "Send every request over loopback HTTP to the real server instead of in memory.") var http = false
    @Option(help: "Server nodes over the one database; requests go to them in turn (with --http, each its own HTTP server).")
    var nodes = 1
    @Option(
        help: ArgumentHelp(
            "Run the server on PostgreSQL: a postgres:// URL. Each run keeps its tables in a schema of its own and drops it afterwards. Without it, each run has an SQLite file of its own.",
            valueName: "url"))
    var database: String?
    @Flag(inversion: .prefixedNo, help: "Shrink a failing trace to a short reproduction.") var shrink = true
    @Flag(
        help: "Tell the story of every conflict: who wrote what, in which step and when, which sync carried it, which rule decided. A failure always tells those of the records it names.")
    var explain = false
    @Option(
        help: ArgumentHelp(
            "Write a self-contained HTML page of the run (one seed, or the trace replayed): a timeline with a lane per device and the server, every edit, sync, fault and conflict a mark, each conflict's story on click, the final records side by side.",
            valueName: "file.html"))
    var report: String?

    func validate() throws {
        guard devices >= 1, users >= 1, users <= devices else { throw ValidationError("need 1 ≤ --users ≤ --devices") }
        guard report == nil || seeds == 1 else { throw ValidationError("--report draws one run: give one seed, or --replay a trace") }
        guard steps >= 0, seeds >= 1, jobs >= 1 else { throw ValidationError("--steps must be ≥ 0, --seeds and --jobs ≥ 1") }
        _ = try parsedFaults()
        guard replay == nil || results == nil else {
            throw ValidationError("--results records new runs; it does not go with --replay")
        }
        guard (1...16).contains(nodes) else { throw ValidationError("--nodes must be 1…16, not \(nodes)") }
        if let database, !ServerDatabase.isPostgres(database) {
            throw ValidationError("--database takes a postgres:// URL, not \(database)")
        }
        guard retentionHours.isFinite, retentionHours > 0 else {
            throw ValidationError("--retention-hours must be a positive number")
        }
    }

    func parsedFaults() throws -> Set<FaultKind> {
        var result: Set<FaultKind> = []
        for name in faults.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            if name == "all" {
                result.formUnion(FaultKind.allCases)
            } else if let kind = FaultKind(rawValue: name) {
                result.insert(kind)
            } else {
                throw ValidationError("unknown fault \(name); use \(FaultKind.allCases.map(\.rawValue).joined(separator: ", ")) or all")
            }
        }
        return result
    }

    func run() async throws {
        if let replay {
            var trace = try JSONDecoder().decode(Trace.self, from: Data(contentsOf: URL(fileURLWithPath: replay)))
            trace.config.database = database
            if !json {
                // A reproduction is short: its steps are the story.
                if trace.steps.count <= Self.listedSteps {
                    line("replaying \(trace.steps.count) step(s):")
                    for (index, step) in trace.steps.enumerated() { line("  \(index + 1). \(step)") }
                } else {
                    line("replaying \(trace.steps.count) steps (a trace of at most \(Self.listedSteps) lists them)")
                }
            }
            let result = try await Simulation.replay(trace, explain: explain)
            try print(result)
            if report != nil { try await writeReport(of: trace, about: "The trace \(replay), replayed.") }
            if !result.passed { throw ExitCode.failure }
            return
        }
        let faults = try parsedFaults()
        var failures = 0
        var configs = (0..<UInt64(seeds)).map { offset in
            SimulationConfig(
                devices: devices, users: users, steps: steps, seed: seed &+ offset, faults: faults, retentionHours: retentionHours,
                http: http, maxClockSkewHours: maxClockSkewHours, nodes: nodes, database: database)
        }
        let log = results.map(ResultsLog.init(path:))
        var recorded = 0
        // A single seed always runs (its report, trace and JSON are what was asked for).
        if let log, seeds > 1 {
            let done = try log.passed(among: configs)
            recorded = done.count
            configs.removeAll { done.contains($0) }
            if recorded > 0 && !json {
                line("\(recorded) of \(seeds) seeds already passed in \(log.url.path); running the other \(configs.count)")
            }
        }
        // Seeds are independent runs: --jobs of them at a time, reported in seed order.
        var failed: (SimulationReport, Trace)?
        var stopped: SeedStopped?
        var logError: (any Error)?
        var next = 0
        while next < configs.count && failed == nil && stopped == nil && logError == nil {
            let batch = Array(configs[next..<min(next + jobs, configs.count)])
            next += batch.count
            // Each seed's outcome is kept apart, so a seed that stops with an error loses none of its batch-mates' results.
            let outcomes = await withTaskGroup(of: (Int, Result<(SimulationReport, Trace), any Error>).self) { group in
                for (index, config) in batch.enumerated() {
                    group.addTask {
                        do { return (index, .success(try await Simulation.run(config, explain: explain))) } catch { return (index, .failure(error)) }
                    }
                }
                var outcomes: [(Int, Result<(SimulationReport, Trace), any Error>)] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes.sorted { $0.0 < $1.0 }
            }
            var results: [(SimulationReport, Trace)] = []
            var entries: [ResultsLog.Entry] = []
            for (index, outcome) in outcomes {
                switch outcome {
                case .success(let result):
                    results.append(result)
                    entries.append(ResultsLog.Entry(result.0))
                case .failure(let error):
                    if stopped == nil { stopped = SeedStopped(seed: batch[index].seed, error: error) }
                    entries.append(ResultsLog.Entry(config: batch[index], error: error))
                }
            }
            for (report, trace) in results {
                if let saveTrace, seeds == 1 {
                    try Self.prettyJSON.encode(trace).write(to: URL(fileURLWithPath: saveTrace))
                }
                if seeds == 1 || !report.passed { try print(report) } else if !json {
                    line("seed \(report.config.seed): ok (\(report.syncs) syncs, \(report.conflicts.values.reduce(0, +)) conflicts, \(String(format: "%.1f", report.elapsedSeconds)) s)")
                }
                if !report.passed && failed == nil { failed = (report, trace) }
                if self.report != nil, seeds == 1 {
                    try await writeReport(of: trace, about: "Seed \(trace.config.seed), as run: \(trace.steps.count) steps.")
                }
            }
            // After the reports are printed, and thrown only after a failure's trace is written
            // and a stopped seed is named, so a log that cannot be written hides none of them.
            do { try log?.append(entries: entries) } catch { logError = error }
        }
        if let (report, trace) = failed {
            failures += 1
            try await explain(report, trace)
        }
        if let logError {
            if let stopped { line(stopped.description) }
            throw logError
        }
        if let stopped { throw stopped }
        if seeds > 1 && !json {
            line(
                failures > 0
                    ? "stopped at the first failing seed"
                    : "all \(seeds) seeds passed"
                        + (recorded > 0 ? " (\(recorded) of them in an earlier run recorded in \(log!.url.path))" : ""))
        }
        if failures > 0 { throw ExitCode.failure }
    }

    /// Draws the run of `trace` as an HTML page at `--report`.
    func writeReport(of trace: Trace, about: String) async throws {
        guard let report else { return }
        let picture = try await Simulation.picture(of: trace)
        do {
            try picture.html(about: about).write(toFile: report, atomically: true, encoding: .utf8)
        } catch {
            throw ValidationError("cannot write the report to \(report): \(error.localizedDescription)")
        }
        if !json { line("report: \(report)") }
    }

    func explain(_ report: SimulationReport, _ trace: Trace) async throws {
        let encoder = Self.prettyJSON
        try FileManager.default.createDirectory(atPath: traceDirectory, withIntermediateDirectories: true)
        let path = URL(fileURLWithPath: traceDirectory).appendingPathComponent("briefing-sim-seed-\(trace.config.seed).json")
        try encoder.encode(trace).write(to: path)
        line("FAILED: seed \(trace.config.seed); the first violated check:\n  \(report.violations[0])")
        line("trace (\(trace.steps.count) steps): \(path.path)")
        guard shrink else { return }
        line("shrinking…")
        let terminal = isatty(STDERR_FILENO) != 0
        let small = try await Simulation.shrink(trace) { runs, steps in
            if terminal { FileHandle.standardError.write(Data("\r  \(runs) replays, \(steps) steps left".utf8)) }
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        let shrunk = URL(fileURLWithPath: traceDirectory).appendingPathComponent("briefing-sim-seed-\(trace.config.seed)-shrunk.json")
        try encoder.encode(small).write(to: shrunk)
        let again = try await Simulation.replay(small)
        line("reproduction (\(small.steps.count) steps): \(shrunk.path)")
        if let first = again.violations.first { line("  \(first)") }
        line("replay: \(Self.command) --replay \(Self.shellQuoted(shrunk.path))")
    }

    /// How to run this tool again as it was run: the executable's own path when it is a built
    /// binary (`.build/debug/briefing-sim`), else `swift run briefing-sim`.
    static var command: String {
        let invoked = CommandLine.arguments.first ?? "briefing-sim"
        guard invoked.contains("/") else { return "swift run briefing-sim" }
        let url = URL(fileURLWithPath: invoked).standardizedFileURL
        let cwd = FileManager.default.currentDirectoryPath
        let path = url.path.hasPrefix(cwd + "/") ? String(url.path.dropFirst(cwd.count + 1)) : url.path
        return shellQuoted(path)
    }

    /// `text` as one shell word.
    static func shellQuoted(_ text: String) -> String {
        text.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+=:,".contains($0) }) ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    func print(_ report: SimulationReport) throws {
        if json {
            line(String(decoding: try Self.prettyJSON.encode(report), as: UTF8.self))
            return
        }
        let config = report.config
        func list(_ counts: [String: Int]) -> String {
            counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        let store = config.database.map { " on \(ServerDatabase.describe($0))" } ?? ""
        let nodes = config.nodeCount > 1 ? ", \(config.nodeCount) nodes" : ""
        line("briefing-sim: seed \(config.seed)\(config.http ? " (over HTTP)" : "")\(store)\(nodes), \(config.devices) devices, \(config.users) user(s), \(report.steps) steps, faults: \(config.faults.isEmpty ? "none" : config.faults.sorted().map(\.rawValue).joined(separator: ","))")
        line(
            "  operations: \(list(report.operations)) (\(report.skippedOperations) skipped: drawn for a record the device no longer had by then, such as a highlight it had deleted)")
        line("  syncs: \(report.syncs) (\(report.failedSyncs) failed by faults, \(report.resyncs) full resync(s))")
        let units = config.faults.contains(.clockSkew) ? " (clock-skew: devices whose clock runs off; the others: requests or restarts)" : ""
        line("  faults injected: \(list(report.faults))\(units)")
        line("  conflicts by rule: \(list(report.conflicts))")
        for (rule, example) in (report.conflictExamples ?? [:]).sorted(by: { $0.key < $1.key }) {
            line("    e.g. \(rule): \(example)")
        }
        if !report.refusals.isEmpty { line("  refused by the server: \(list(report.refusals))") }
        line("  tombstones compacted: \(report.tombstonesCompacted); pushes observed: \(report.pushesObserved)")
        line("  scope changes: \(list(report.scopeChanges))")
        line("  time: \(String(format: "%.2f", report.elapsedSeconds)) s")
        if report.passed {
            line("  all checks passed: convergence, conservation, rules, idempotency, isolation, scopes")
        } else {
            for violation in report.violations.prefix(5) { line("  VIOLATION \(violation)") }
        }
        if let stories = report.stories, !stories.isEmpty {
            line(report.passed ? "  how each conflict came about:" : "  how the conflicts on those records came about:")
            for story in stories {
                for (index, text) in story.split(separator: "\n").enumerated() { line("    \(index == 0 ? "- " : "  ")\(text)") }
            }
        }
    }

    /// The longest trace whose steps a replay lists.
    static let listedSteps = 200

    /// Reports and traces as written to the terminal and to files: indented, keys sorted.
    static var prettyJSON: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }

    /// Writes a line unbuffered, so a long run logged to a file shows its progress.
    func line(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
}

/// A seed whose run stopped with an error rather than a verdict (the lab itself failed, not a check).
struct SeedStopped: Error, CustomStringConvertible {
    let seed: UInt64
    let error: any Error
    var description: String { "seed \(seed) stopped with an error: \(error)" }
}

/// A scenario file that cannot be read: its error alone, without the command's usage.
struct FileMistake: Error, CustomStringConvertible {
    var description: String
}
