import Foundation
import Synchronization

/// Wakes long-polling pulls when the change log may have grown.
///
/// A commit in this process calls `notify()`; a waiting pull then reads the log as any pull
/// does. The signal carries no data, so a missed wake-up (a write by another process) costs
/// the waiter its deadline, never a change. Waiters are bounded per process.
public final class CommitSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextID: UInt64 = 0
        /// Waits in progress.
        var active: Set<UInt64> = []
        /// Waits whose deadline passed or whose task was cancelled.
        var fired: Set<UInt64> = []
        /// Waits parked until the next notification.
        var parked: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// The node is shutting down: no wait parks any more.
        var closed = false
    }

    private let state = Mutex(State())
    /// The most requests waiting at once; more are told the server is busy.
    public let maxWaiters: Int

    public init(maxWaiters: Int = 10_000) { self.maxWaiters = maxWaiters }

    /// A number that grows with every notification: read it before reading the log, then wait
    /// for it to move, and no commit in between is missed.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// How many requests wait now.
    public var waiting: Int { state.withLock { $0.active.count } }

    /// Whether `close()` was called.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Wakes every waiter and lets no further wait park: a node shutting down answers its
    /// long-polls at once (an empty page, the device asks another node), instead of holding
    /// the shutdown for up to their deadlines.
    public func close() {
        state.withLock { $0.closed = true }
        notify()
    }

    /// Wakes every waiter.
    public func notify() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            defer { state.parked = [:] }
            return Array(state.parked.values)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Waits until the generation has moved past `seen`, or `timeout` has passed, or the task
    /// is cancelled. Throws `busy` when `maxWaiters` are waiting already.
    public func wait(after seen: UInt64, timeout: Duration) async throws(SyncError) {
        let id: UInt64? = try state.withLock { state throws(SyncError) -> UInt64? in
            if state.generation != seen || state.closed { return nil }
            guard state.active.count < maxWaiters else {
                throw SyncError(.busy, "too many requests are waiting for changes; try again shortly", retryAfter: 5)
            }
            state.nextID &+= 1
            state.active.insert(state.nextID)
            return state.nextID
        }
        guard let id else { return }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.fire(id)
        }
        defer {
            timer.cancel()
            state.withLock { state in
                state.active.remove(id)
                state.fired.remove(id)
                state.parked.removeValue(forKey: id)
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // A notification, the deadline or a cancellation may have come first.
                let now = state.withLock { state -> Bool in
                    if state.generation != seen || state.fired.contains(id) { return true }
                    state.parked[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            fire(id)
        }
    }

    /// Ends one wait (its deadline passed, or its task was cancelled).
    private func fire(_ id: UInt64) {
        let parked = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.active.contains(id) else { return nil }
            state.fired.insert(id)
            return state.parked.removeValue(forKey: id)
        }
        parked?.resume()
    }
}
