import Foundation
import HummingbirdBcrypt
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// bcrypt, run off the request path.
///
/// bcrypt is slow on purpose (cost 12 is about a quarter of a second of one core). Run on the
/// cooperative pool that serves requests, a handful of wrong-password logins would hold every
/// one of its threads and stall every other request. Here hashing runs on a small pool of its
/// own threads, at a lower scheduling priority than the threads that serve requests, and at
/// most `maxPending` checks wait or run at once: a check beyond that is refused straight away
/// (`busy`) rather than queued without end.
public final class PasswordHasher: Sendable {
    /// The threads and the queue bound.
    public struct Limits: Sendable, Hashable {
        /// Threads that run bcrypt; by default half the machine's cores (at least one).
        public var threads: Int
        /// The most checks running or waiting at once.
        public var maxPending: Int
        /// Whether the threads run at a lower priority than request threads (the point of the
        /// pool; off only where the hashing itself is timed).
        public var lowPriority: Bool

        public init(
            threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount / 2), maxPending: Int = 64, lowPriority: Bool = true
        ) {
            self.threads = max(1, threads)
            self.maxPending = max(1, maxPending)
            self.lowPriority = lowPriority
        }
    }

    /// The process's hasher: one pool, so the bound holds however many services a process runs.
    public static let shared = PasswordHasher(limits: .init())

    public let limits: Limits
    private let pool: NIOThreadPool
    private let pending = Atomic<Int>(0)
    private let verifiedByCost = Mutex<[Int: Int]>([:])

    /// A hasher with its own threads; they live as long as the process (a pool per process).
    public init(limits: Limits) {
        self.limits = limits
        pool = NIOThreadPool(numberOfThreads: limits.threads)
        pool.start()
    }

    /// The checks running or waiting now.
    public var inFlight: Int { pending.load(ordering: .relaxed) }

    /// Whether `password` matches `hash`.
    public func verify(_ password: String, hash: String) async throws(SyncError) -> Bool {
        let matches = try await run { Bcrypt.verify(password, hash: hash) }
        if let cost = Self.cost(of: hash) { verifiedByCost.withLock { $0[cost, default: 0] += 1 } }
        return matches
    }

    /// How many checks against a hash of `cost` have finished: what a login cost in bcrypt
    /// work, whatever the machine's load made it cost in time.
    public func verifications(atCost cost: Int) -> Int {
        verifiedByCost.withLock { $0[cost] ?? 0 }
    }

    /// The cost a bcrypt hash (`$2b$12$…`) was made at.
    static func cost(of hash: String) -> Int? {
        let fields = hash.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count >= 4, fields[0].isEmpty, let cost = Int(fields[2]) else { return nil }
        return cost
    }

    /// A new bcrypt hash of `password` at `cost`.
    public func hash(_ password: String, cost: UInt8) async throws(SyncError) -> String {
        try await run { Bcrypt.hash(password, cost: cost) }
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws(SyncError) -> T {
        let (admitted, _) = pending.add(1, ordering: .acquiringAndReleasing)
        defer { pending.subtract(1, ordering: .relaxed) }
        guard admitted <= limits.maxPending else {
            throw SyncError(.busy, "the server is checking too many passwords at once; try again shortly", retryAfter: 1)
        }
        do {
            let lowPriority = limits.lowPriority
            return try await pool.runIfActive {
                if lowPriority { Self.lowerPriority() }
                return work()
            }
        } catch {
            throw SyncError(.storage, "password hashing is not available: \(error)")
        }
    }

    /// Lowers the calling thread's priority, so request threads win the CPU from bcrypt when
    /// both want it. On Linux a nice value belongs to a thread, and `who = 0` names the calling
    /// one. Idempotent, and cheap next to a bcrypt round.
    private static func lowerPriority() {
        #if os(Linux)
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            if getpriority(which, 0) < 10 { _ = setpriority(which, 0, 10) }
        #endif
    }
}
