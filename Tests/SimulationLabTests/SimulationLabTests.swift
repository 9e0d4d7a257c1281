import BriefingModel
import BriefingStore
import BriefingTestSupport
import Foundation
@testable import SimulationLab
import SyncClient
import SyncServerCore
import Testing

@Suite("Conflict-resolution lab", .serialized)
struct SimulationLabTests {
    /// Runs `count` seeds two at a time and returns every report.
    static func runSeeds(
        from first: UInt64, count: Int, steps: Int, users: Int, maxClockSkewHours: Double? = nil, nodes: Int = 1,
        database: String? = nil
    ) async throws -> [SimulationReport] {
        try await withThrowingTaskGroup(of: SimulationReport.self) { group in
            var next = 0
            var reports: [SimulationReport] = []
            func add(_ offset: Int) {
                let config = SimulationConfig(
                    devices: 4, users: users, steps: steps, seed: first + UInt64(offset), faults: Set(FaultKind.allCases),
                    maxClockSkewHours: maxClockSkewHours, nodes: nodes, database: database)
                group.addTask { try await Simulation.run(config).0 }
            }
            while next < min(2, count) {
                add(next)
                next += 1
            }
            for try await report in group {
                reports.append(report)
                if next < count {
                    add(next)
                    next += 1
                }
            }
            return reports
        }
    }

    @Test("Every guarantee holds over a bounded set of seeds with every fault", .timeLimit(.minutes(10)))
    func boundedSeeds() async throws {
        let reports = try await Self.runSeeds(from: 1000, count: 24, steps: 400, users: 2)
        for report in reports where !report.passed {
            Issue.record("seed \(report.config.seed): \(report.violations.first.map(\.description) ?? "")")
        }
    }

    @Test("With a clock bound below the skew, refused edits are undone and every guarantee still holds", .timeLimit(.minutes(10)))
    func refusalsUnderFaults() async throws {
        let reports = try await Self.runSeeds(from: 2000, count: 6, steps: 400, users: 2, maxClockSkewHours: 12)
        for report in reports where !report.passed {
            Issue.record("seed \(report.config.seed): \(report.violations.first.map(\.description) ?? "")")
        }
        #expect(reports.reduce(0) { $0 + $1.refusals["clock_skew", default: 0] } > 0, "no edit was refused")
    }

    @Test("A run exercises every fault, every conflict rule and a resync past the horizon", .timeLimit(.minutes(10)))
    func coverage() async throws {
        let config = SimulationConfig(devices: 4, users: 1, steps: 1000, seed: 8, faults: Set(FaultKind.allCases), nodes: 2)
        let (report, _) = try await Simulation.run(config)
        #expect(report.passed, "\(report.violations.first.map(\.description) ?? "")")
        for fault in FaultKind.allCases {
            #expect(report.faults[fault.rawValue, default: 0] > 0, "no \(fault.rawValue) was injected")
        }
        for rule in ["lastWriterWins", "textMerge", "conflictCopy", "editSurvivesDelete", "addWins"] {
            #expect(report.conflicts[rule, default: 0] > 0, "no \(rule) resolution happened")
        }
        #expect(report.resyncs > 0)
        #expect(report.tombstonesCompacted > 0)
    }

    @Test("Over loopback HTTP the same seed runs the same way and every guarantee holds", .timeLimit(.minutes(10)))
    func overHTTP() async throws {
        var config = SimulationConfig(devices: 4, users: 2, steps: 250, seed: 3, faults: Set(FaultKind.allCases))
        let (inMemory, _) = try await Simulation.run(config)
        config.http = true
        let (http, _) = try await Simulation.run(config)
        #expect(http.passed, "\(http.violations.first.map(\.description) ?? "")")
        #expect(http.conflicts == inMemory.conflicts)
        #expect(http.operations == inMemory.operations)
        #expect(http.faults == inMemory.faults)
    }

    @Test("With --explain a run tells a story for every conflict; without it, a passing run tells none", .timeLimit(.minutes(10)))
    func stories() async throws {
        let config = SimulationConfig(devices: 3, users: 1, steps: 300, seed: 11, faults: [.dropResponse])
        let (told, _) = try await Simulation.run(config, explain: true)
        #expect(told.passed)
        let stories = try #require(told.stories)
        #expect(stories.count == told.conflicts.values.reduce(0, +) && !stories.isEmpty)
        for story in stories {
            let lines = story.split(separator: "\n")
            #expect(lines.first?.contains(": decided by ") == true, "\(story)")
            #expect(lines.dropFirst().dropLast().allSatisfy { $0.hasPrefix("  device ") && ($0.hasSuffix("; kept") || $0.hasSuffix("; set aside")) }, "\(story)")
        }
        let (plain, _) = try await Simulation.run(config)
        #expect(plain.stories == nil)
        #expect(plain.conflicts == told.conflicts)
    }

    @Test("A trace replays to the same run", .timeLimit(.minutes(10)))
    func replayIsExact() async throws {
        let config = SimulationConfig(devices: 3, users: 2, steps: 300, seed: 42, faults: Set(FaultKind.allCases))
        let (report, trace) = try await Simulation.run(config)
        let encoded = try JSONEncoder().encode(trace)
        // A step whose requests get no fault writes no `faults`.
        let steps = try #require((try JSONSerialization.jsonObject(with: encoded) as? [String: Any])?["steps"] as? [[String: Any]])
        #expect(steps.filter { $0["faults"] == nil }.count == trace.steps.filter { $0.faults.allSatisfy { $0 == nil } }.count)
        #expect(steps.contains { $0["faults"] != nil })
        let replayed = try await Simulation.replay(try JSONDecoder().decode(Trace.self, from: encoded))
        #expect(replayed.operations == report.operations)
        #expect(replayed.conflicts == report.conflicts)
        #expect(replayed.faults == report.faults)
        #expect(replayed.syncs == report.syncs && replayed.failedSyncs == report.failedSyncs)
        #expect(replayed.passed == report.passed)
    }

    @Test("The lab reads every answered push, including one whose page carries a briefing", .timeLimit(.minutes(10)))
    func observerReadsEveryPush() async throws {
        let runner = try await Runner(config: SimulationConfig(devices: 1, users: 1, steps: 1, seed: 5, faults: []))
        defer { Task { await runner.shutDown() } }
        let (briefing, editorial) = try #require(try DemoContent.briefings().first)
        try await runner.service.publish(briefing, editorial: editorial)
        let device = runner.devices[0]
        try await device.store.change(
            .bookmark, id: briefing.id, fields: ["briefingID": .string(briefing.id), "bookmarked": .bool(true)])
        // The push carries the pull, so its answer holds the republished briefing (dates and all).
        let summary = try await device.client.sync()
        #expect(summary.pushed == 1 && summary.pulled > 0)
        #expect(runner.network.unreadablePushes.isEmpty, "\(runner.network.unreadablePushes)")
        #expect(runner.network.pushes.map(\.mutations.count) == [1])
        #expect(try await Checks(runner: runner).all().isEmpty)
    }

    @Test("A device behind the compaction horizon says it is resyncing, keeps its edits, and the lab counts it", .timeLimit(.minutes(10)))
    func resyncIsReported() async throws {
        let runner = try await Runner(config: SimulationConfig(devices: 2, users: 1, steps: 1, seed: 9, faults: [], retentionHours: 1))
        defer { Task { await runner.shutDown() } }
        let (writer, behind) = (runner.devices[0], runner.devices[1])
        let briefingID = try #require(try await writer.store.briefings().first?.id)
        // A tombstone the other device never pulls, then compacted away.
        try await writer.store.change(.bookmark, id: briefingID, fields: ["briefingID": .string(briefingID), "bookmarked": .bool(true)])
        _ = try await runner.sync(writer)
        try await writer.store.change(.bookmark, id: briefingID, op: .delete)
        _ = try await runner.sync(writer)
        runner.clock.advance(by: 2 * 3_600_000)
        #expect(try await runner.service.compact().removed == 1)
        // The device behind has an edit of its own waiting.
        try await behind.store.change(
            .readingProgress, id: briefingID,
            fields: ["briefingID": .string(briefingID), "position": .number(0.5), "furthest": .number(0.5)])
        // Its sync pushes, learns its cursor is too old, starts over, and loses its next
        // request: the sync fails, yet the resync it began is reported and counted.
        runner.network.setFaults([nil, nil, .dropRequest])
        await #expect(throws: (any Error).self) { _ = try await runner.sync(behind) }
        runner.network.setFaults([])
        #expect(runner.resyncs == 1)
        let summary = try await runner.sync(behind)
        #expect(summary.pulled > 0 && !summary.resynced)
        #expect(try await behind.store.pendingCount() == 0)
        #expect(try await behind.store.record(.readingProgress, id: briefingID)?.fields["position"] == .number(0.5))
        _ = try await runner.sync(writer)
        #expect(try await Checks(runner: runner).all().isEmpty)
    }

    @Test("A refused edit is undone on the device: its records match the server's again, and the refusal is kept", .timeLimit(.minutes(10)))
    func refusedEditIsUndone() async throws {
        let runner = try await Runner(config: SimulationConfig(devices: 1, users: 1, steps: 1, seed: 11, faults: []))
        defer { Task { await runner.shutDown() } }
        let honest = runner.devices[0]
        let briefingID = try #require(try await honest.store.briefings().first?.id)
        let note = "N-shared"
        try await honest.store.change(.note, id: note, fields: ["briefingID": .string(briefingID), "text": .string("Check the grid figures")])
        _ = try await runner.sync(honest)
        // A second device whose clock runs three days ahead, past what the server accepts.
        let clock = runner.clock
        let ahead = try BriefingStore.inMemory(now: { Date(timeIntervalSince1970: Double(clock.now + 3 * 86_400_000) / 1000) })
        let client = SyncClient(store: ahead, transport: runner.network.transport(for: 1), configuration: .init(retries: 0))
        try await client.login(serverURL: Runner.serverURL, user: "reader1", password: Runner.password, deviceName: "ahead")
        _ = try await client.sync()
        // It edits the shared note and bookmarks the briefing; both show at once.
        try await ahead.change(.note, id: note, fields: ["text": .string("Check the grid figures twice")])
        try await ahead.change(.bookmark, id: briefingID, fields: ["briefingID": .string(briefingID), "bookmarked": .bool(true)])
        #expect(try await ahead.record(.note, id: note)?.fields["text"] == .string("Check the grid figures twice"))
        let summary = try await client.sync()
        #expect(summary.rejected == 2)
        // Both are refused: the edit is undone, the bookmark goes, and both refusals stay listed.
        let server = try await runner.service.kernel.records(ofAccount: runner.accountIDs[0]).filter { !$0.deleted }
        #expect(try await ahead.record(.note, id: note) == server.first { $0.id == note })
        #expect(try await ahead.record(.note, id: note)?.fields["text"] == .string("Check the grid figures"))
        #expect(try await ahead.record(.bookmark, id: briefingID) == nil)
        #expect(try await ahead.rejections().map(\.reason) == ["clock_skew", "clock_skew"])
        #expect(try await ahead.rejections().map(\.mutation.fields["text"]).contains(.string("Check the grid figures twice")))
        #expect(try await ahead.pendingCount() == 0)
        #expect(try await ahead.allRecords().filter { !$0.deleted } == server)
    }

    // MARK: The same checks on PostgreSQL

    @Test("On PostgreSQL with two nodes, every guarantee holds over a set of seeds with every fault", .timeLimit(.minutes(10)))
    func postgresNodes() async throws {
        let database = try await PostgresCluster.shared().createDatabase()
        let reports = try await Self.runSeeds(from: 3000, count: 8, steps: 400, users: 2, nodes: 2, database: database)
        #expect(reports.count == 8)
        for report in reports where !report.passed {
            Issue.record("seed \(report.config.seed): \(report.violations.first.map(\.description) ?? "")")
        }
        #expect(reports.reduce(0) { $0 + $1.faults["node-restart", default: 0] } > 0, "no node was restarted")
    }

    @Test("A seed runs the same way on SQLite and on PostgreSQL, one node or two: the same edits, conflicts and refusals", .timeLimit(.minutes(10)))
    func sameRunOnEveryStore() async throws {
        let database = try await PostgresCluster.shared().createDatabase()
        var reports: [SimulationReport] = []
        for (nodes, url) in [(1, nil), (1, database), (2, database)] as [(Int, String?)] {
            let config = SimulationConfig(devices: 4, users: 2, steps: 600, seed: 41, faults: Set(FaultKind.allCases), nodes: nodes, database: url)
            let (report, _) = try await Simulation.run(config)
            #expect(report.passed, "\(nodes) node(s) on \(url == nil ? "SQLite" : "PostgreSQL"): \(report.violations.first.map(\.description) ?? "")")
            reports.append(report)
        }
        for report in reports.dropFirst() {
            #expect(report.operations == reports[0].operations)
            #expect(report.conflicts == reports[0].conflicts)
            #expect(report.refusals == reports[0].refusals)
            #expect(report.resyncs == reports[0].resyncs)
            #expect(report.tombstonesCompacted == reports[0].tombstonesCompacted)
        }
    }

    @Test("A report lists every fault asked for, zero included; traces and reports are the same text every time, with no positional keys")
    func stableReports() async throws {
        let config = SimulationConfig(devices: 2, users: 1, steps: 5, seed: 3, faults: [.clockSkew, .reorder, .serverRestart])
        let (report, trace) = try await Simulation.run(config)
        #expect(Set(report.faults.keys).isSuperset(of: ["clock-skew", "reorder", "server-restart"]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let once = String(decoding: try encoder.encode(trace), as: UTF8.self)
        var reordered = trace
        reordered.config.faults = Set(FaultKind.allCases.reversed().filter(config.faults.contains))
        #expect(String(decoding: try encoder.encode(reordered), as: UTF8.self) == once)
        #expect(once.contains("\"faults\":[\"clock-skew\",\"reorder\",\"server-restart\"]"), "\(once.prefix(300))")
        #expect(!once.contains("\"_0\"") && !once.contains("\"_1\""), "no positional keys in a trace")
        #expect(try JSONDecoder().decode(Trace.self, from: Data(once.utf8)) == trace)
    }

    @Test("A step reads as a sentence: who did what, after how long, and the faults its requests met")
    func stepSentences() {
        let step = Step(
            action: .operation(device: 1, operation: .recolorHighlight(id: "H1", color: "blue")), advance: 90_000,
            faults: [nil, .dropResponse])
        #expect(step.description == "device 1 recolours highlight H1 to blue (after 2 min); faults: request 2: drop-response")
        #expect(Step(action: .setOnline(device: 0, online: false), advance: 500).description == "device 0 goes offline (after 0.5 s)")
        #expect(Step.Action.entitle(user: 0, publications: []).description == "an operator entitles reader 1 to nothing but open content")
        #expect(Step.Action.republish(briefing: "b", publication: nil).description == "an editor republishes b as open content")
    }
}
