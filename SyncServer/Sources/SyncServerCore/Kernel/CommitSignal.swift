import Foundation
import Synchronization

/// Wakes long-polling pulls when the part of the change log they read may have grown.
///
/// A commit calls `notify(scopes:)` with the scopes it wrote (a reader's account, or the
/// published content); only pulls that read one of those scopes wake, and each then reads
/// the log as any pull does. So a thousand idle readers cost nothing when one of them writes,
/// and a reader's own wake-up does not queue behind theirs. The signal carries no data: a
/// missed wake-up (a write by another process, a dropped notification) costs the waiter its
/// deadline, never a change. `notify()` with no scopes wakes everyone (after a reconnect,
/// when commits may have gone unheard). Waiters are bounded per process.
public final class CommitSignal: Sendable {
    private struct Waiter {
        var scopes: [String]
        var continuation: CheckedContinuation<Void, Never>?
        var fired = false
    }

    private struct State {
        /// Bumped by notifications for everyone.
        var everything: UInt64 = 0
        /// Bumped by notifications for each scope.
        var perScope: [String: UInt64] = [:]
        var nextID: UInt64 = 0
        /// Waits in progress, parked or about to park.
        var waiters: [UInt64: Waiter] = [:]
        /// The waits in progress on each scope.
        var byScope: [String: Set<UInt64>] = [:]
        /// The node is shutting down: no wait parks any more.
        var closed = false

        func generation(for scopes: [String]) -> UInt64 {
            scopes.reduce(everything) { $0 &+ (perScope[$1] ?? 0) }
        }
    }

    private let state = Mutex(State())
    /// What each device's last long-poll found when it found nothing (`QuietPolls`).
    let quietPolls = QuietPolls()
    /// The most requests waiting at once; more are told the server is busy.
    public let maxWaiters: Int

    public init(maxWaiters: Int = 10_000) { self.maxWaiters = maxWaiters }

    /// A number that moves with every notification that concerns `scopes` (and every one for
    /// everyone): read it before reading the log, then wait for it to move, and no commit in
    /// between is missed.
    public func generation(for scopes: [String] = []) -> UInt64 { state.withLock { $0.generation(for: scopes) } }

    /// The generation of notifications for everyone.
    public var generation: UInt64 { generation(for: []) }

    /// How many requests wait now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// Whether `close()` was called.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Wakes every waiter and lets no further wait park: a node shutting down answers its
    /// long-polls at once (an empty page, the device asks another node), instead of holding
    /// the shutdown for up to their deadlines.
    public func close() {
        state.withLock { $0.closed = true }
        notify()
    }

    /// Wakes the waiters on any of `scopes`; nil wakes every waiter.
    public func notify(scopes: [String]? = nil) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var ids: Set<UInt64>
            if let scopes {
                ids = []
                for scope in scopes {
                    state.perScope[scope, default: 0] &+= 1
                    ids.formUnion(state.byScope[scope] ?? [])
                }
            } else {
                state.everything &+= 1
                ids = Set(state.waiters.keys)
            }
            var continuations: [CheckedContinuation<Void, Never>] = []
            for id in ids {
                if let continuation = state.waiters[id]?.continuation {
                    continuations.append(continuation)
                    state.waiters[id]?.continuation = nil
                }
                state.waiters[id]?.fired = true
            }
            return continuations
        }
        for continuation in woken { continuation.resume() }
    }

    /// Waits until the generation of `scopes` has moved past `seen`, or `timeout` has
    /// passed, or the task is cancelled. Throws `busy` when `maxWaiters` are waiting already.
    public func wait(after seen: UInt64, scopes: [String] = [], timeout: Duration) async throws(SyncError) {
        let id: UInt64? = try state.withLock { state throws(SyncError) -> UInt64? in
            if state.generation(for: scopes) != seen || state.closed { return nil }
            guard state.waiters.count < maxWaiters else {
                throw SyncError(.busy, "too many requests are waiting for changes; try again shortly", retryAfter: 5)
            }
            state.nextID &+= 1
            let id = state.nextID
            state.waiters[id] = Waiter(scopes: scopes)
            for scope in scopes { state.byScope[scope, default: []].insert(id) }
            return id
        }
        guard let id else { return }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.fire(id)
        }
        defer {
            timer.cancel()
            state.withLock { state in
                state.waiters.removeValue(forKey: id)
                for scope in scopes {
                    state.byScope[scope]?.remove(id)
                    if state.byScope[scope]?.isEmpty == true { state.byScope.removeValue(forKey: scope) }
                }
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // A notification, the deadline or a cancellation may have come first.
                let now = state.withLock { state -> Bool in
                    guard let waiter = state.waiters[id], !waiter.fired else { return true }
                    state.waiters[id]?.continuation = continuation
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
            guard state.waiters[id] != nil else { return nil }
            state.waiters[id]?.fired = true
            defer { state.waiters[id]?.continuation = nil }
            return state.waiters[id]?.continuation
        }
        parked?.resume()
    }
}

/// What a long-poll with nothing to answer waits for: a commit to the scopes it reads, after
/// the generation it read the log at (see `SyncKernel.changesOrPark`).
public struct PollPark: Sendable {
    public let signal: CommitSignal
    public let generation: UInt64
    public let scopes: [String]

    /// Waits until a commit concerns these scopes, `deadline` passes, the task is cancelled or
    /// the node shuts down. True when the log should be read again: a commit came (even at
    /// the deadline). False otherwise: the page already read is the answer, so an idle
    /// watcher costs one read per poll, not two. Throws `busy` when too many wait already.
    public func wait(until deadline: ContinuousClock.Instant) async throws(SyncError) -> Bool {
        let now = ContinuousClock.now
        if now < deadline { try await signal.wait(after: generation, scopes: scopes, timeout: deadline - now) }
        if signal.isClosed || Task.isCancelled { return false }
        return signal.generation(for: scopes) != generation
    }
}

/// The empty page each device's last long-poll read, and the generation of its scopes before
/// that read: while no notification concerns those scopes, the device's next poll from the
/// same cursor would read the same nothing, so it parks without reading (most of an idle
/// watcher's cost is that read and the thread hand-offs around it).
///
/// Notifications are hints (a write by another process, or a `NOTIFY` lost between nodes,
/// is never heard), so a remembered read is used for at most `lifetime` after it was made:
/// what such a write costs a watcher grows from one poll's wait to at most `lifetime` more,
/// and never a change.
final class QuietPolls: Sendable {
    struct Read {
        var cursor: Cursor
        var scopes: [String]
        var generation: UInt64
        var at: ContinuousClock.Instant
        var page: ChangesPage
    }

    /// How long a read stands in for the reads after it.
    static let lifetime: Duration = .seconds(60)
    /// Devices remembered at most; past it the stale are forgotten, then all.
    static let capacity = 20_000

    private let reads = Mutex<[String: Read]>([:])

    /// The page `device` last read from `cursor` over `scopes`, if nothing concerning them
    /// has been notified since (`generation` is the signal's for `scopes` now).
    func page(device: String, cursor: Cursor, scopes: [String], generation: UInt64, now: ContinuousClock.Instant) -> ChangesPage? {
        reads.withLock { reads in
            guard let read = reads[device], read.generation == generation, read.cursor == cursor, read.scopes == scopes,
                now - read.at < Self.lifetime
            else { return nil }
            return read.page
        }
    }

    /// Remembers an empty page `device` read from `cursor`, with the generation read before it.
    func remember(device: String, _ read: Read) {
        reads.withLock { reads in
            if reads[device] == nil, reads.count >= Self.capacity {
                reads = reads.filter { read.at - $0.value.at < Self.lifetime }
                if reads.count >= Self.capacity { reads.removeAll() }
            }
            reads[device] = read
        }
    }

    func forget(device: String) { _ = reads.withLock { $0.removeValue(forKey: device) } }

    var count: Int { reads.withLock { $0.count } }
}
