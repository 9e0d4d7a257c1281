import Foundation
import SimulationLab
import Testing

@Suite("The lab's results log")
struct ResultsLogTests {
    func temporaryLog() throws -> ResultsLog {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("results-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return ResultsLog(path: directory.appendingPathComponent("long-run.jsonl").path)
    }

    @Test("Seeds recorded as passed with the same settings are skipped; a failure or other settings never are")
    func resumes() async throws {
        let log = try temporaryLog()
        let configs = (1...3).map { SimulationConfig(devices: 2, users: 1, steps: 30, seed: UInt64($0), faults: [.dropRequest]) }
        #expect(try log.passed(among: configs).isEmpty)
        var reports: [SimulationReport] = []
        for config in configs { reports.append(try await Simulation.run(config).0) }
        #expect(reports.allSatisfy { $0.passed })
        // Seed 2 is recorded as failed; seed 3 is recorded under other settings.
        reports[1].violations = [Violation(check: "rules", message: "made up for the test", items: [])]
        reports[2].config.steps = 31
        try log.append(Array(reports[0...1]))
        try log.append([reports[2]])

        #expect(try log.passed(among: configs) == [configs[0]])
        let entries = try log.entries()
        #expect(entries.map(\.config.seed) == [1, 2, 3])
        #expect(entries[1].violation == "[rules] made up for the test")
        #expect(entries[0].syncs == reports[0].syncs)
    }

    @Test("A seed that stopped with an error is recorded with the error, and runs again on a resume")
    func recordsErrors() async throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "the server's database file is gone" } }
        let log = try temporaryLog()
        let config = SimulationConfig(devices: 2, users: 1, steps: 30, seed: 9, faults: [.serverRestart])
        try log.append(entries: [ResultsLog.Entry(config: config, error: Broken())])
        #expect(try log.passed(among: [config]).isEmpty)
        let entry = try #require(try log.entries().first)
        #expect(entry.config == config)
        #expect(!entry.passed)
        #expect(entry.error == "the server's database file is gone")
        #expect(entry.violation == nil)
        // A passing line keeps its old shape: no error key.
        let report = try await Simulation.run(SimulationConfig(devices: 1, users: 1, steps: 5, seed: 10)).0
        try log.append([report])
        let last = try #require(String(decoding: try Data(contentsOf: log.url), as: UTF8.self).split(separator: "\n").last)
        #expect(!last.contains("\"error\""))
    }

    @Test("Two runs appending to one log at once leave every line whole")
    func sharedLog() async throws {
        let log = try temporaryLog()
        let report = try await Simulation.run(SimulationConfig(devices: 1, users: 1, steps: 5, seed: 1)).0
        try await withThrowingTaskGroup(of: Void.self) { group in
            for run in 0..<2 {
                group.addTask {
                    for index in 0..<100 {
                        var first = report, second = report
                        first.config.seed = UInt64(run * 1000 + 2 * index)
                        second.config.seed = first.config.seed + 1
                        try log.append([first, second])
                    }
                }
            }
            try await group.waitForAll()
        }
        let seeds = try log.entries().map(\.config.seed)
        #expect(seeds.count == 400)
        let expected: Set<UInt64> = Set(0..<200).union(1000..<1200)
        #expect(Set(seeds) == expected)
        // Each append's two lines stay together.
        let split = stride(from: 0, to: seeds.count, by: 2).filter { seeds[$0] + 1 != seeds[$0 + 1] }
        #expect(split.isEmpty)
    }

    @Test("A last line cut short is left out, and the next append starts on a line of its own")
    func cutShort() async throws {
        let log = try temporaryLog()
        let report = try await Simulation.run(SimulationConfig(devices: 1, users: 1, steps: 5, seed: 4)).0
        try log.append([report])
        let whole = try Data(contentsOf: log.url)
        try (whole + whole.prefix(20)).write(to: log.url)
        #expect(try log.entries().map(\.config.seed) == [4])
        var next = report
        next.config.seed = 5
        try log.append([next])
        let error = #expect(throws: ResultsLogError.self) { try log.entries() }
        #expect(error?.description.contains("long-run.jsonl:2 is not a seed result") == true)
    }

    @Test("A line that is not a seed result is an error naming the line")
    func refusesGarbage() throws {
        let log = try temporaryLog()
        try Data("{\"config\": 1}\n".utf8).write(to: log.url)
        let error = #expect(throws: ResultsLogError.self) { try log.passed(among: []) }
        #expect(error?.description.contains("long-run.jsonl:1 is not a seed result") == true)
    }

    @Test("A log that cannot be opened for writing is an error naming the path and the cause")
    func unwritable() async throws {
        let directory = try temporaryLog().url
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = ResultsLog(path: directory.path)
        let report = try await Simulation.run(SimulationConfig(devices: 1, users: 1, steps: 5, seed: 4)).0
        let error = #expect(throws: ResultsLogError.self) { try log.append([report]) }
        #expect(error?.description == "cannot open \(directory.path): Is a directory")
    }
}
