import ArgumentParser
import BriefingModel
import BriefingCLI
import BriefingServer
import Benchmarks
import Foundation

/// `briefing-bench`: measures sync against its physical floor.
@main
struct BriefingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "briefing-bench",
        abstract: "Benchmark the sync service against its floor, over loopback HTTP against a real briefing-server.",
        discussion: """
            Build in release mode: swift run -c release briefing-bench. The bench starts the server it measures \
            as a child process (its `briefing-server` subcommand is the server's command line) and runs the \
            client's code in-process, except for one `briefing sync` child process that measures the client's \
            peak memory. See Benchmarks/README.md for how to read the table.
            """,
        version: BriefingsVersion.description,
        subcommands: [Run.self, BriefingServerCommand.self, BriefingCommand.self, PeakMemory.self],
        defaultSubcommand: Run.self)

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the workloads and print the table (the default).")

        @Flag(help: "A smoke run: every workload at a small size, checking its answers; times mean nothing.") var quick = false
        @Flag(help: "Print JSON instead of the table.") var json = false
        @Option(help: "Timed runs per workload (the median is reported).") var runs: Int?
        @Option(help: "Briefings in the library (with --annotations each).") var briefings: Int?
        @Option(help: "Annotations per briefing.") var annotations: Int?
        @Option(help: "Batches each device pushes in push-throughput (default 200 in a full run).") var pushBatches: Int?
        @Option(help: "Only these workloads (comma-separated): \(Bench.workloadNames.joined(separator: ", ")).") var only: String?
        @Option(help: "The data's seed.") var seed: UInt64 = 7
        @Option(help: ArgumentHelp("Also write the JSON report to this file.", valueName: "path")) var jsonFile: String?
        @Option(help: ArgumentHelp("Keep the databases and server logs in this directory (default: a temporary one, removed).", valueName: "path"))
        var directory: String?
        @Option(
            help: ArgumentHelp(
                "Also run every workload on PostgreSQL, each in a schema of its own in this database, beside the SQLite rows.",
                valueName: "postgres-url"))
        var database: String?
        @Option(help: "Server nodes on PostgreSQL for the workloads whose devices spread over several (push-throughput, fan-out-pull).")
        var nodes = 2
        @Option(
            help: ArgumentHelp(
                "Also run the Yjs peer (pycrdt-websocket) from this directory, set up as its README says, and compare.",
                valueName: "path"))
        var yjsPeer: String?

        func validate() throws {
            // Silently clamping a mistyped number would benchmark something else than asked.
            for (option, value, range) in [
                ("--runs", runs, 1...1000), ("--briefings", briefings, 1...100_000), ("--annotations", annotations, 0...100_000),
                ("--push-batches", pushBatches, 1...100_000),
            ] {
                if let value, !range.contains(value) {
                    throw ValidationError("\(option) must be \(range.lowerBound)…\(range.upperBound), not \(value)")
                }
            }
            guard (1...16).contains(nodes) else { throw ValidationError("--nodes must be 1…16, not \(nodes)") }
            if let database, !ServerDatabase.isPostgres(database) {
                throw ValidationError("--database takes a postgres:// URL (the SQLite rows need none), not \(database)")
            }
        }

        func run() async throws {
            let server = ServerMode.process(executable: currentExecutable())
            var configuration = quick ? BenchConfiguration.quick(server: server) : BenchConfiguration.full(server: server)
            if let runs { configuration.runs = runs }
            if let briefings { configuration.briefings = briefings }
            if let annotations { configuration.annotationsPerBriefing = annotations }
            if let pushBatches { configuration.push.batches = pushBatches }
            configuration.seed = seed
            configuration.directory = directory
            if let only {
                let names = Set(only.split(separator: ",").map(String.init))
                if let unknown = names.first(where: { !Bench.workloadNames.contains($0) }) {
                    throw ValidationError("unknown workload \(unknown); use \(Bench.workloadNames.joined(separator: ", "))")
                }
                configuration.only = names
            }
            #if DEBUG
                if !quick { FileHandle.standardError.write(Data("warning: a debug build; figures mean little (use swift run -c release briefing-bench)\n".utf8)) }
            #endif
            let report = try await Bench.run(configuration, postgres: database, nodes: nodes, yjsPeer: yjsPeer) { line in
                FileHandle.standardError.write(Data("[bench] \(line)\n".utf8))
            }
            print(json ? try report.json() : report.table())
            if let jsonFile { try Data((try report.json() + "\n").utf8).write(to: URL(fileURLWithPath: jsonFile)) }
        }
    }

    /// Runs a `briefing` command line in this process, then writes the process's peak resident
    /// memory (VmHWM, bytes) to a file. A spawned child's rusage would count its parent's memory
    /// at spawn time, so the child reports its own.
    struct PeakMemory: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "peak-memory", abstract: "Run a briefing command and record this process's peak memory.",
            shouldDisplay: false)
        @Option(help: "Where to write the peak resident set size in bytes.") var to: String
        @Argument(parsing: .captureForPassthrough, help: "The briefing command line.") var arguments: [String] = []

        func run() async throws {
            let code = await BriefingCommand.run(arguments: arguments)
            guard let peak = ProcessStats.memory(pid: getpid())?.peak else { throw ValidationError("cannot read /proc/self/status") }
            try Data(String(peak).utf8).write(to: URL(fileURLWithPath: to))
            if code != 0 { throw ExitCode(code) }
        }
    }
}
