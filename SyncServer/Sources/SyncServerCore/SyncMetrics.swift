import BriefingModel
import Foundation
import Metrics
import Synchronization

/// What the sync service counts, through swift-metrics: the executable chooses the backend
/// (`briefing-server` exports Prometheus text at `/metrics`); without one, nothing is kept.
///
/// Every label takes values from a small fixed set (outcomes, rules, statuses), never from
/// users' data, so the number of series stays bounded.
public enum SyncMetrics {
    /// `briefings_mutations_total{outcome}`: pushed mutations by how they were answered.
    static func mutations(_ results: [MutationResult]) {
        var counts: [MutationStatus: Int] = [:]
        for result in results { counts[result.status, default: 0] += 1 }
        for (status, count) in counts {
            Counter(label: "briefings_mutations_total", dimensions: [("outcome", status.rawValue)]).increment(by: count)
        }
    }

    /// `briefings_conflicts_total{rule}`: resolutions that kept or set aside a value, by rule.
    static func conflicts(_ rules: [ConflictRule: Int]) {
        for (rule, count) in rules {
            Counter(label: "briefings_conflicts_total", dimensions: [("rule", rule.rawValue)]).increment(by: count)
        }
    }

    /// `briefings_pull_pages_total`, `briefings_pull_changes_total`, `briefings_pull_bytes_total`
    /// (stored bytes of the records the pages carried).
    /// `echoes`: rows a device wrote itself and was not sent back (`briefings_pull_echoes_skipped_total`,
    /// and their stored bytes in `briefings_pull_echo_bytes_skipped_total`).
    static func pulled(changes: Int, bytes: Int, echoes: Int = 0, echoBytes: Int = 0) {
        Counter(label: "briefings_pull_pages_total").increment()
        Counter(label: "briefings_pull_changes_total").increment(by: changes)
        Counter(label: "briefings_pull_bytes_total").increment(by: bytes)
        if echoes > 0 {
            Counter(label: "briefings_pull_echoes_skipped_total").increment(by: echoes)
            Counter(label: "briefings_pull_echo_bytes_skipped_total").increment(by: echoBytes)
        }
    }

    /// `briefings_logins_total{outcome}`: `success`, `refused`, `rate_limited`, `busy`.
    static func login(_ outcome: String) {
        Counter(label: "briefings_logins_total", dimensions: [("outcome", outcome)]).increment()
    }
}

/// The devices this node has served recently: `briefings_active_devices` is how many made an
/// authenticated request in the last `window`.
public final class ActiveDevices: Sendable {
    let window: TimeInterval
    private let seen = Mutex<(last: [String: Date], pruned: Date)>(([:], .distantPast))

    init(window: TimeInterval = 300) { self.window = window }

    func saw(_ deviceID: String, at now: Date) {
        let count: Int? = seen.withLock { state in
            let isNew = state.last.updateValue(now, forKey: deviceID) == nil
            // Forgetting devices gone quiet costs a pass over the table: at most every few seconds.
            if now.timeIntervalSince(state.pruned) > 5 { return Self.prune(&state, now: now, window: window) }
            return isNew ? state.last.count : nil
        }
        if let count { Self.record(count) }
    }

    /// Forgets the devices gone quiet and records the count: before a scrape, since without
    /// requests nothing else would lower it.
    public func refresh(at now: Date) {
        Self.record(seen.withLock { Self.prune(&$0, now: now, window: window) })
    }

    private static func prune(_ state: inout (last: [String: Date], pruned: Date), now: Date, window: TimeInterval) -> Int {
        state.last = state.last.filter { now.timeIntervalSince($0.value) <= window }
        state.pruned = now
        return state.last.count
    }

    /// Made at each use, not kept: a handle made before the metrics backend is bootstrapped
    /// would stay a no-op.
    private static func record(_ count: Int) { Gauge(label: "briefings_active_devices").record(count) }
}
