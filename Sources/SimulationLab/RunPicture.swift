import BriefingModel
import BriefingStore
import Foundation

extension Runner {
    /// Each device's records at the end, a line each, for a report's side-by-side table.
    func finalStates() async throws -> [[String]] {
        var states: [[String]] = []
        for device in devices {
            var lines: [String] = []
            for kind in [EntityKind.highlight, .note, .bookmark, .readingProgress, .tag] {
                for record in try await device.store.records(kind).sorted(by: { $0.id < $1.id }) {
                    lines.append("\(Self.kindName(kind)) \(record.id): \(Scenario.describe(record))")
                }
            }
            states.append(lines)
        }
        return states
    }
}

extension Simulation {
    /// A seeded run's or a trace's picture, for `briefing-sim --report`: the trace replayed
    /// (a replay is exact) with every step recorded as a mark on its device's lane or the
    /// server's, then the lab's checks, every conflict's story and the devices' final records,
    /// in the same shape as a scenario's result so that one page draws both.
    public static func picture(of trace: Trace) async throws -> Scenario.Result {
        try await withRunner(trace.config) { runner in
            var timeline: [Scenario.Event] = []
            var elapsed: Int64 = 0
            for (index, step) in trace.steps.enumerated() {
                let skipped = runner.skipped, failedSyncs = runner.failedSyncs
                elapsed += step.advance
                try await runner.execute(step)
                let kind: (Scenario.Event.Kind, Int?) =
                    switch step.action {
                    case .operation(let device, _), .resolve(let device, _, _, _): (.edit, device)
                    case .sync(let device): (.sync, device)
                    case .setOnline(let device, let online): (online ? .online : .offline, device)
                    default: (.server, nil)
                    }
                var event = Scenario.Event(
                    line: index + 1, source: step.action.description, kind: kind.0, device: kind.1, at: elapsed,
                    failed: runner.skipped > skipped || runner.failedSyncs > failedSyncs)
                event.faults = step.faults.compactMap { $0?.rawValue }
                timeline.append(event)
            }
            let report = try await runner.finish(steps: trace.steps.count)
            let recorded = try await runner.recordedConflicts()
            let config = trace.config
            let faults = config.faults.isEmpty ? "no faults" : "faults: " + config.faults.map(\.rawValue).sorted().joined(separator: ", ")
            var result = Scenario.Result(
                title: "briefing-sim: seed \(config.seed), \(config.devices) devices, \(config.users) reader\(config.users == 1 ? "" : "s"), \(faults)",
                steps: trace.steps.count, devices: runner.devices.indices.map { "device \($0)" },
                differences: report.violations.map(\.description),
                conflicts: recorded.map { "\(Runner.kebab($0.rule.rawValue)): \(Runner.sentence($0))" },
                stories: try await runner.stories(of: recorded), rules: report.conflicts,
                checks: Checks.names.count)
            result.checked = "guarantees"
            result.timeline = timeline
            result.decidedIn = recorded.map { runner.pushStep(of: $0.at) }
            result.finalStates = try await runner.finalStates()
            return result
        }
    }
}
