import Foundation
import SimulationLab
import Testing

/// Declared scenarios (`briefing-sim scenario`): the library in `LabScenarios/`, and what a
/// failing or mistaken scenario says.
@Suite("Declared scenarios")
struct ScenarioTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("LabScenarios")

    static func library() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    @Test("Every scenario in LabScenarios/ passes", arguments: try ScenarioTests.library())
    func libraryPasses(_ name: String) async throws {
        let result = try await Scenario(contentsOf: Self.folder.appendingPathComponent(name).path).run()
        #expect(result.passed, "\(name): \(result.differences.joined(separator: "; "))")
        #expect(result.checks > 0, "\(name) expects nothing")
    }

    @Test("The library has a scenario for every rule a conflict can be recorded under, and for clock skew and a resync")
    func libraryCoversTheRules() throws {
        let texts = try Self.library().map(Self.text)
        for rule in ["last-writer-wins", "text-merge", "conflict-copy", "delete-wins", "edit-survives-delete", "add-wins"] {
            #expect(texts.contains { $0.contains("rule: \(rule)") }, "no scenario expects a \(rule) conflict")
        }
        #expect(texts.contains { $0.contains("furthest:") }, "no scenario checks furthest (maximum)")
        #expect(texts.contains { $0.contains("clock: -") || $0.contains("clock: +") }, "no scenario skews a clock")
        #expect(texts.contains { $0.contains("resyncs: 1") }, "no scenario resyncs past the horizon")
        #expect(texts.contains { $0.contains("refusals: {clock_skew") }, "no scenario has a refused edit")
        #expect(texts.contains { $0.contains("faults: [drop-response]") }, "no scenario loses an answer")
    }

    @Test("A fault named on a step's request happens: that sync fails, and the next one goes through")
    func faultOnARequest() async throws {
        let result = try await Scenario(contentsOf: Self.folder.appendingPathComponent("lost-answer.yaml").path).run()
        #expect(result.passed, "\(result.differences)")
        #expect(result.timeline.map(\.failed) == [false, true, false, false])
    }

    @Test("A conflict's story names who wrote each value, in which step, when by its clock, the sync that carried it, and what was kept")
    func stories() async throws {
        let result = try await Scenario(contentsOf: Self.folder.appendingPathComponent("last-writer-wins.yaml").path).run()
        let story = try #require(result.stories.first)
        let lines = story.split(separator: "\n").map(String.init)
        #expect(lines.first == "highlight h1, color: decided by last-writer-wins")
        #expect(lines.contains { $0.hasPrefix("  phone wrote “blue” in step 4, at 0:10.0 on its clock") && $0.hasSuffix("sent in the sync of step 7; set aside") }, "\(story)")
        #expect(lines.contains { $0.hasPrefix("  laptop wrote “pink” in step 5, at 1:10.0 on its clock") && $0.hasSuffix("sent in the sync of step 7; kept") }, "\(story)")
        #expect(lines.last?.hasPrefix("  → ") == true)
    }

    @Test("The HTML report of a known scenario, rendered by headless Chromium: a lane per device and the server, a mark per conflict, the first story shown", .timeLimit(.minutes(10)))
    func reportInABrowser() async throws {
        let result = try await Scenario(contentsOf: Self.folder.appendingPathComponent("last-writer-wins.yaml").path).run()
        let page = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-report-\(UUID().uuidString).html")
        try result.html(about: "a test").write(to: page, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: page) }
        // No network and no external scripts: the page is whole in itself.
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script src"), "the report loads something")
        let dom = try Self.renderedDOM(of: page)
        func count(_ needle: String) -> Int { dom.components(separatedBy: needle).count - 1 }
        #expect(dom.contains("data-ready=\"yes\""), "the page's script did not run")
        #expect(count("class=\"lane device\"") == 2)
        #expect(count("class=\"lane server\"") == 1)
        #expect(count("class=\"mark conflict") == result.stories.count && result.stories.count == 1)
        #expect(count("class=\"mark edit") == 3 && count("class=\"mark sync") == 5)
        #expect(dom.contains("<div id=\"story\">highlight h1, color: decided by last-writer-wins"), "the first story is not shown")
        #expect(dom.contains("<td class=\"device-state\">highlight h1: "), "the final records are not shown")
    }

    @Test("The HTML report of a seeded run, rendered by headless Chromium: a mark per step, a bolt per faulted sync, a triangle per conflict", .timeLimit(.minutes(10)))
    func seededReportInABrowser() async throws {
        let config = SimulationConfig(devices: 3, steps: 300, seed: 11, faults: [.dropRequest, .dropResponse, .duplicate])
        let (report, trace) = try await Simulation.run(config)
        let picture = try await Simulation.picture(of: trace)
        // The picture is the same run as the report: a replay is exact.
        #expect(picture.timeline.count == trace.steps.count)
        #expect(picture.stories.count == report.conflicts.values.reduce(0, +) && !picture.stories.isEmpty)
        #expect(picture.passed == report.passed && picture.checked == "guarantees")
        let faulted = trace.steps.filter { step in
            if case .sync = step.action { return step.faults.contains { $0 != nil } }
            return false
        }.count
        #expect(faulted > 0, "the seed should fault some syncs")
        let page = FileManager.default.temporaryDirectory.appendingPathComponent("seeded-report-\(UUID().uuidString).html")
        try picture.html(about: "a test").write(to: page, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: page) }
        let dom = try Self.renderedDOM(of: page)
        func count(_ needle: String) -> Int { dom.components(separatedBy: needle).count - 1 }
        #expect(dom.contains("data-ready=\"yes\""), "the page's script did not run")
        #expect(count("class=\"lane device\"") == 3)
        #expect(count("class=\"mark ") - count("class=\"mark conflict") == trace.steps.count)
        #expect(count(" faulted\"") == faulted)
        #expect(count("class=\"mark conflict") == picture.stories.count)
        #expect(dom.contains("<div id=\"story\">" + (picture.stories.first?.split(separator: "\n").first.map(String.init) ?? "?")))
    }

    /// The DOM after the page's scripts ran, as headless Chromium (Debian's `chromium`) renders it.
    static func renderedDOM(of page: URL) throws -> String {
        let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        guard let browser = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BrowserError(description: "headless Chromium is needed for this check: apt-get install chromium (.ci/run installs it)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-profile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)", "--dump-dom", page.absoluteString,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BrowserError(description: "chromium --dump-dom exited with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    struct BrowserError: Error, CustomStringConvertible {
        var description: String
    }

    @Test("A broken expectation fails, and says what differed on each device")
    func brokenExpectation() async throws {
        let yaml = try Self.text("last-writer-wins.yaml")
            .replacingOccurrences(of: "  records:\n    - highlight: h1\n      color: pink", with: "  records:\n    - highlight: h1\n      color: blue")
            .replacingOccurrences(of: "conflict-count: 1", with: "conflict-count: 2")
        let result = try await Scenario(yaml: yaml).run()
        #expect(!result.passed)
        #expect(result.differences.contains("phone: highlight h1: color is “pink”, expected “blue”"), "\(result.differences)")
        #expect(result.differences.contains("laptop: highlight h1: color is “pink”, expected “blue”"), "\(result.differences)")
        #expect(result.differences.contains("expected 2 conflicts recorded, found 1"), "\(result.differences)")
        #expect(result.conflicts.count == 1)
    }

    @Test("What `briefing conflicts` shows is an expectation: a wrong value set aside fails on each device, naming what it lists")
    func shownExpectation() async throws {
        let yaml = try String(contentsOf: Self.folder.appendingPathComponent("last-writer-wins.yaml"), encoding: .utf8)
        #expect(yaml.contains("dropped: blue"))
        let good = try await Scenario(yaml: yaml).run()
        #expect(good.passed, "\(good.differences)")
        let bad = try await Scenario(yaml: yaml.replacingOccurrences(of: "dropped: blue", with: "dropped: green")).run()
        #expect(!bad.passed)
        let shown = bad.differences.filter { $0.contains("`briefing conflicts` does not show") }
        #expect(shown.count == 2 && shown.allSatisfy { $0.contains("setting aside green") && $0.contains("dropped “blue”, kept “pink”") })
        #expect(throws: ScenarioError.self) {
            try Scenario(yaml: yaml.replacingOccurrences(of: "dropped: blue", with: "dropped: blue\n      reason: clock_skew"))
        }
    }

    @Test("Overturning an outcome on a device that lists no such conflict fails the scenario, naming the step")
    func resolveWithoutConflict() async throws {
        let yaml = try String(contentsOf: Self.folder.appendingPathComponent("overturn-an-outcome.yaml"), encoding: .utf8)
        let result = try await Scenario(yaml: yaml.replacingOccurrences(of: "{highlight: h1, field: color, keep: dropped}", with: "{highlight: h9, keep: dropped}")).run()
        #expect(!result.passed)
        #expect(result.differences.contains { $0.hasPrefix("step 8 (") && $0.contains("resolve: {highlight: h9, keep: dropped}") && $0.contains("lists no such conflict") })
        #expect(throws: ScenarioError.self) {
            try Scenario(yaml: yaml.replacingOccurrences(of: "keep: dropped}", with: "keep: newest}"))
        }
    }

    @Test("A conflict that did not happen is reported with the ones that did")
    func missingConflict() async throws {
        let yaml = try Self.text("last-writer-wins.yaml").replacingOccurrences(of: "      kept: pink", with: "      kept: blue")
        let result = try await Scenario(yaml: yaml).run()
        #expect(!result.passed)
        let difference = try #require(result.differences.first)
        #expect(
            difference.hasPrefix(
                "expect.conflicts[1]: expected a last-writer-wins conflict on highlight h1, field color, keeping blue (the last-writer-wins conflict on highlight h1 is on field color, kept “pink”, set aside “blue”); recorded: last-writer-wins: highlight h1, color: kept pink over blue"),
            "\(difference)")
    }

    @Test("A step that no longer applies on its device fails the scenario, naming the step")
    func stepThatCannotBeDone() async throws {
        let yaml = """
            scenario: recolouring a highlight nobody made
            devices: [phone]
            steps:
              - device: phone
                recolor: {highlight: nowhere, color: blue}
            expect:
              conflict-count: 0
            """
        let result = try await Scenario(yaml: yaml).run()
        #expect(!result.passed)
        #expect(result.differences.first?.hasPrefix("step 1 (") == true, "\(result.differences)")
        // A colour the store does not know is refused before anything runs, saying where.
        #expect {
            try Scenario(yaml: yaml.replacingOccurrences(of: "color: blue", with: "color: red"))
        } throws: { error in
            (error as? ScenarioError)?.description == "steps[1].recolor.color: no colour red (colours: yellow, green, blue, pink, purple, orange)"
        }
    }

    @Test(
        "Mistakes in a scenario are refused with where they are",
        arguments: [
            ("devices: [phone]\nsteps:\n  - sync: tablet", "steps[1].sync", "no device named tablet"),
            ("devices: [phone]\nsteps:\n  - sync: phone\n    offline: phone", "steps[1]", "one action per step"),
            ("devices: [phone]\nsteps:\n  - recolor: {highlight: h1, color: blue}", "steps[1]", "say which device does it"),
            ("devices: [phone]\nsteps:\n  - device: phone\n    recolour: {highlight: h1}", "steps[1]", "unknown key recolour"),
            ("devices: [phone]\nsteps:\n  - sync: phone\n    after: soon", "steps[1].after", "expected a duration"),
            ("devices: [phone]\nsteps:\n  - sync: phone\n    after: -5s", "steps[1].after", "cannot come before"),
            ("devices: [phone, phone]\nsteps: []", "devices[1]", "given twice"),
            ("devices: [phone]\nsteps: []\nexpect:\n  conflicts:\n    - rule: newest-wins", "expect.conflicts[1].rule", "no rule newest-wins"),
            ("devices: [phone]\nsteps: []\nexpect:\n  records:\n    - color: blue", "expect.records[1]", "name the record"),
            ("devices: [phone]\nsteps:\n  - device: phone\n    progress: {briefing: b, position: 1.5}", "steps[1].progress.position", "from 0 to 1"),
            ("devices: [phone]\nsteps:\n  - sync: phone\n    faults: [lost]", "steps[1].faults[1]", "no fault lost"),
            ("devices: [phone]\nsteps:\n  - offline: phone\n    faults: [duplicate]", "steps[1].faults", "met by a sync"),
        ])
    func mistakes(_ body: String, _ path: String, _ message: String) throws {
        do {
            _ = try Scenario(yaml: "scenario: a mistake\n" + body)
            Issue.record("accepted: \(body)")
        } catch let error as ScenarioError {
            #expect(error.path == path, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }
}
