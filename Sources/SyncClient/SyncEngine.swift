import BriefingModel
import BriefingStore
import Foundation
import GRDB
import Logging
import Synchronization

/// The sync engine an app runs for as long as it is open: local writes reach the server soon
/// after they are made, other devices' changes arrive by themselves, and the app can watch
/// where sync stands.
///
/// - **One sync at a time.** Pushes go one after another (`syncNow()` joins the one running,
///   or runs the next); pulls are a single long-poll loop.
/// - **Soon after local writes.** A write through the store (any of its intents) starts a push
///   at once (or after `debounce`); writes made while it is in flight travel together in the
///   next, so a burst of edits becomes a few batches. Writes made by another
///   process on the same file are found by polling the outbox (`outboxPolling`).
/// - **Live.** The engine holds a long-poll open (`GET /v1/changes?wait=`), so a change made on
///   another device is applied as soon as it commits, on any node. The device's own writes are
///   not sent back.
/// - **Through failures.** When the server cannot be reached, the engine says `offline`, waits
///   (1 s, doubling up to a minute) and tries again; on reconnecting it pushes whatever waited.
///   Nothing pending is lost: the outbox and the cursor live in the store.
///
/// ```swift
/// let engine = SyncEngine(client: SyncClient(store: store))
/// await engine.start()
/// Task { for await status in engine.statusUpdates() { banner.show(status) } }
/// try await store.highlight(briefing: id, quote: "the quota", color: "green")  // syncs by itself
/// ```
public actor SyncEngine {
    /// Tunables with sensible defaults.
    public struct Configuration: Sendable {
        /// How long after a local write the push starts, gathering the writes that follow. By
        /// default none: a write made while idle goes at once, and writes made while a push is
        /// in flight travel together in the next one, so batches grow with the load by
        /// themselves.
        public var debounce: Duration
        /// Whether to hold a long-poll open for other devices' changes. Off, the engine pulls
        /// only with its pushes (and on `syncNow()`).
        public var live: Bool
        /// Seconds each long-poll may wait (1–30).
        public var wait: Int
        /// The first wait after a failure; each further failure doubles it, up to `maxBackoff`.
        public var backoff: Duration
        public var maxBackoff: Duration
        /// How often to look at the outbox for writes made by other processes on the store's
        /// file; nil to rely on writes through this store object only.
        public var outboxPolling: Duration?

        public init(
            debounce: Duration = .zero, live: Bool = true, wait: Int = 25, backoff: Duration = .seconds(1),
            maxBackoff: Duration = .seconds(60), outboxPolling: Duration? = nil
        ) {
            self.debounce = debounce
            self.live = live
            self.wait = min(max(wait, 1), 30)
            self.backoff = backoff
            self.maxBackoff = maxBackoff
            self.outboxPolling = outboxPolling
        }
    }

    /// What the engine is doing.
    public enum Activity: Sendable, Hashable {
        /// Not started, or stopped.
        case stopped
        /// Up to date as far as it knows; live when a long-poll is open.
        case idle
        /// Pushing or pulling; the progress when known.
        case syncing(SyncClient.Progress?)
        /// The server cannot be reached; the next attempt is in `retryIn`.
        case offline(retryIn: Duration, reason: String)
        /// The server refused the engine (a revoked token: log in again), or broke the
        /// protocol; `code` is the server's error code when it sent one. The engine stops
        /// trying until `start()` is called again.
        case failed(code: String, message: String)
    }

    /// Where sync stands, as an app shows it.
    public struct Status: Sendable, Hashable {
        public var activity: Activity = .stopped
        /// Local changes not yet acknowledged by the server.
        public var pending = 0
        /// When the device last caught up with the server.
        public var lastSyncedAt: Date?
        /// Whether a long-poll is connected now (changes arrive as they commit).
        public var live = false

        public init() {}
    }

    /// Something the engine did, in order, for an activity log or a `watch` command.
    public enum Event: Sendable, Hashable {
        /// A change from the server was applied to the store.
        case applied(Change)
        /// A local mutation was pushed, with the server's answer.
        case pushed(Mutation, MutationResult)
        /// The server asked for a resync; the store starts over (its outbox kept).
        case resynced
    }

    public nonisolated let client: SyncClient
    public nonisolated let configuration: Configuration
    public nonisolated var store: BriefingStore { client.store }
    private let logger: Logger

    private nonisolated let statusBox = Broadcast<Status>(Status())
    private nonisolated let eventBox = Broadcast<Event>(nil)
    private var tasks: [Task<Void, Never>] = []
    private var flight: Task<SyncClient.Summary, any Error>?
    private var wake: AsyncStream<Void>.Continuation?

    public init(client: SyncClient, configuration: Configuration = .init(), logger: Logger = Logger(label: "briefings.sync-engine")) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: Observation

    /// The status now.
    public nonisolated var status: Status { statusBox.value }

    /// The status now, then each change of it, until the task iterating it is cancelled.
    public nonisolated func statusUpdates() -> AsyncStream<Status> { statusBox.subscribe(replayingCurrent: true) }

    /// Every event from now on.
    public nonisolated func events() -> AsyncStream<Event> { eventBox.subscribe(replayingCurrent: false) }

    private nonisolated func update(_ change: (inout Status) -> Void) { statusBox.update(change) }

    // MARK: Running

    /// Starts syncing: a first push and pull at once, then as writes and changes come. Calling
    /// it again while running does nothing; after a `failed` status it starts afresh.
    public func start() async {
        if !tasks.isEmpty {
            guard case .failed = status.activity else { return }
            await stop()
        }
        let pending = (try? await store.pendingCount()) ?? 0
        update {
            $0.activity = .idle
            $0.pending = pending
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        continuation.yield()
        tasks.append(Task { await self.pushLoop(stream) })
        if configuration.live { tasks.append(Task { await self.liveLoop() }) }
        tasks.append(Task { await self.watchOutbox() })
        if let interval = configuration.outboxPolling { tasks.append(Task { await self.pollOutbox(every: interval) }) }
    }

    /// Stops syncing and waits until nothing is in flight. Pending changes stay in the outbox
    /// for the next start.
    public func stop() async {
        let running = tasks
        tasks = []
        wake?.finish()
        wake = nil
        for task in running { task.cancel() }
        for task in running { await task.value }
        flight?.cancel()
        _ = try? await flight?.value
        flight = nil
        update {
            $0.activity = .stopped
            $0.live = false
        }
    }

    /// Asks for a push soon (after `debounce`); what a local write does by itself.
    public nonisolated func schedulePush() {
        Task { await self.poke() }
    }

    private func poke() { wake?.yield() }

    /// Pushes everything pending now (and, when not live, pulls until caught up), joining a
    /// push already running and then running one more, so that every write made before the
    /// call is included.
    @discardableResult
    public func syncNow() async throws -> SyncClient.Summary {
        if let running = flight {
            _ = try? await running.value
            // One begun since then began after this call: it has every write made before it.
            if let next = flight, next != running { return try await next.value }
        }
        let task = Task { try await self.runSync() }
        flight = task
        defer { if flight == task { flight = nil } }
        return try await task.value
    }

    private func runSync() async throws -> SyncClient.Summary {
        update { $0.activity = .syncing(nil) }
        let progress: @Sendable (SyncClient.Progress) -> Void = { [weak self] progress in
            self?.update { $0.activity = .syncing(progress) }
        }
        let events = eventBox
        let summary: SyncClient.Summary
        if configuration.live {
            summary = try await client.pushPending(progress: progress) { mutations, results in
                for (mutation, result) in zip(mutations, results) { events.send(.pushed(mutation, result)) }
            }
        } else {
            summary = try await client.sync(progress: progress)
        }
        let pending = try await store.pendingCount()
        let synced = try await store.syncState().lastSyncAt
        update {
            $0.activity = .idle
            $0.pending = pending
            if !self.configuration.live || $0.live { $0.lastSyncedAt = synced ?? $0.lastSyncedAt }
        }
        return summary
    }

    /// Pushes when woken, after the debounce; on failure retries with backoff while anything
    /// is pending.
    private func pushLoop(_ wakes: AsyncStream<Void>) async {
        var backoff = configuration.backoff
        for await _ in wakes {
            if configuration.debounce > .zero { try? await Task.sleep(for: configuration.debounce) }
            while !Task.isCancelled {
                do {
                    try await syncNow()
                    backoff = configuration.backoff
                    break
                } catch {
                    guard handle(error, backoff: backoff) else { return }
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, configuration.maxBackoff)
                    if (try? await store.pendingCount()) == 0 && configuration.live { break }
                }
            }
        }
    }

    /// Holds a long-poll open, applying each page as it comes; on failure waits with backoff,
    /// and on reconnecting pushes whatever waited.
    private func liveLoop() async {
        var backoff = configuration.backoff
        var wasOffline = false
        var wait = 0
        while !Task.isCancelled {
            do {
                let polled = try await client.poll(wait: wait)
                if wasOffline {
                    wasOffline = false
                    poke()
                }
                backoff = configuration.backoff
                for change in polled.changes { eventBox.send(.applied(change)) }
                if polled.resynced { eventBox.send(.resynced) }
                let caughtUp = !polled.hasMore && !polled.overtaken
                // New briefings or the reader's marks from another device: the bodies the
                // storage plan wants now (the newest, the marked) are fetched, the rest evicted.
                if caughtUp, client.configuration.prefetch,
                    polled.resynced || polled.changes.contains(where: { [.briefing, .highlight, .note, .bookmark].contains($0.kind) })
                {
                    _ = try await client.downloadBodies()
                }
                let synced = caughtUp ? try await store.syncState().lastSyncAt : nil
                update {
                    $0.live = true
                    if case .offline = $0.activity { $0.activity = .idle }
                    if let synced { $0.lastSyncedAt = synced }
                }
                // Caught up: the next poll waits for news. Behind: the next page at once.
                wait = caughtUp ? configuration.wait : 0
            } catch {
                if Task.isCancelled { break }
                update { $0.live = false }
                guard handle(error, backoff: backoff) else { return }
                wasOffline = true
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, configuration.maxBackoff)
                wait = 0
            }
        }
        update { $0.live = false }
    }

    /// Records a failure in the status; false when retrying cannot help (the engine stops).
    private func handle(_ error: any Error, backoff: Duration) -> Bool {
        if let error = error as? SyncClientError {
            switch error.code {
            case .unreachable:
                logger.notice("sync failed; retrying", metadata: ["in": "\(backoff)", "error": "\(error.message)"])
                update { $0.activity = .offline(retryIn: backoff, reason: error.message) }
                return true
            case .server where error.serverCode == "busy" || error.serverCode == "unavailable":
                update { $0.activity = .offline(retryIn: backoff, reason: error.message) }
                return true
            default:
                logger.error("sync stopped", metadata: ["error": "\(error.message)"])
                update { $0.activity = .failed(code: error.serverCode ?? error.code.rawValue, message: error.message) }
                for task in tasks { task.cancel() }
                return false
            }
        }
        if error is CancellationError { return false }
        logger.error("sync failed; retrying", metadata: ["in": "\(backoff)", "error": "\(error)"])
        update { $0.activity = .offline(retryIn: backoff, reason: "\(error)") }
        return true
    }

    /// Follows the outbox of this store object: the pending count in the status, and a push
    /// soon after each local write.
    private func watchOutbox() async {
        do {
            for try await pending in store.observePendingCount() {
                update { $0.pending = pending }
                if pending > 0 { poke() }
            }
        } catch {
            logger.error("cannot observe the outbox", metadata: ["error": "\(error)"])
        }
    }

    /// Looks at the outbox every `interval` for writes made by other processes.
    private func pollOutbox(every interval: Duration) async {
        var last = -1
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard let pending = try? await store.pendingCount() else { continue }
            if pending != last { update { $0.pending = pending } }
            if pending > 0 && flight == nil { poke() }
            last = pending
        }
    }
}

/// A value many listeners follow: each subscriber gets a stream of updates (and, when asked,
/// the value now first). Slow subscribers see the newest values, not an unbounded backlog.
final class Broadcast<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var subscribers: [UUID: AsyncStream<Value>.Continuation] = [:]
    }

    private let state: Mutex<State>

    init(_ value: Value?) { state = Mutex(State(value: value)) }

    var value: Value { state.withLock { $0.value! } }

    func subscribe(replayingCurrent: Bool) -> AsyncStream<Value> {
        let (stream, continuation) = AsyncStream.makeStream(of: Value.self, bufferingPolicy: .bufferingNewest(256))
        let id = UUID()
        state.withLock { state in
            if replayingCurrent, let value = state.value { continuation.yield(value) }
            state.subscribers[id] = continuation
        }
        continuation.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) } }
        return stream
    }

    func send(_ value: Value) {
        let subscribers = state.withLock { state in
            state.value = value
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.yield(value) }
    }
}

extension Broadcast where Value: Equatable {
    /// Changes the value; subscribers hear of it only if it changed.
    func update(_ change: (inout Value) -> Void) {
        let (value, subscribers): (Value?, [AsyncStream<Value>.Continuation]) = state.withLock { state in
            var value = state.value!
            change(&value)
            guard value != state.value else { return (nil, []) }
            state.value = value
            return (value, Array(state.subscribers.values))
        }
        guard let value else { return }
        for subscriber in subscribers { subscriber.yield(value) }
    }
}
