import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Limits login attempts per user name and per client address, with growing delays.
///
/// Each name and each address has a number of free attempts. Once they are used, the next
/// attempt must wait `firstDelay`, the one after twice that, and so on up to `maxDelay`; an
/// attempt made too soon is refused (`429 rate_limited` with `Retry-After`) without checking
/// the password, so it costs the server almost nothing. Attempts are counted when they are
/// admitted, not when they fail, so many attempts in parallel cannot all slip in before the
/// first failure is known. A successful login clears its name's count and takes itself off its
/// address's; a count nobody adds to for `forgetAfter` is forgotten. Nothing is ever locked for good: when an attacker stops,
/// the longest wait is `maxDelay`, and then the real user's right password gets in.
///
/// The counts live in the server's memory (a restart clears them), at most `maxTracked` of
/// them; past that the stalest are dropped. An IPv6 address counts by its /64 prefix, which
/// one host can hold whole.
public final class LoginThrottle: Sendable {
    /// The limits. The defaults suit a server readers log in to a few times a year per device.
    public struct Policy: Sendable, Hashable {
        /// Free attempts per user name.
        public var attemptsPerUser: Int
        /// Free attempts per client address (one address may hold several readers, or a NAT).
        public var attemptsPerAddress: Int
        /// The wait after the free attempts are used; it doubles with each attempt after.
        public var firstDelay: TimeInterval
        /// The longest wait.
        public var maxDelay: TimeInterval
        /// A count that has not grown for this long is forgotten.
        public var forgetAfter: TimeInterval
        /// The most names and addresses tracked at once.
        public var maxTracked: Int

        public init(
            attemptsPerUser: Int = 5, attemptsPerAddress: Int = 30, firstDelay: TimeInterval = 1, maxDelay: TimeInterval = 300,
            forgetAfter: TimeInterval = 900, maxTracked: Int = 100_000
        ) {
            self.attemptsPerUser = attemptsPerUser
            self.attemptsPerAddress = attemptsPerAddress
            self.firstDelay = firstDelay
            self.maxDelay = maxDelay
            self.forgetAfter = forgetAfter
            self.maxTracked = maxTracked
        }

        /// No limits (for simulations and benchmarks that measure something else).
        public static let unlimited = Policy(attemptsPerUser: .max, attemptsPerAddress: .max)
    }

    private struct Count {
        var attempts: Int
        var last: Date
        var blockedUntil: Date
    }

    public let policy: Policy
    private let counts = Mutex<[String: Count]>([:])

    public init(policy: Policy = .init()) {
        self.policy = policy
    }

    /// Admits one login attempt for `user` from `address`, or refuses it with `rate_limited`.
    public func admit(user: String, address: String?, now: Date) throws(SyncError) {
        var keys = [("user:" + user, policy.attemptsPerUser)]
        if let address { keys.append(("address:" + Self.key(address: address), policy.attemptsPerAddress)) }
        let wait: TimeInterval? = counts.withLock { counts in
            // Refused if either key must wait; an attempt refused on one is not counted on the other.
            var longest: TimeInterval?
            for (key, _) in keys {
                guard let count = counts[key] else { continue }
                if now.timeIntervalSince(count.last) > policy.forgetAfter {
                    counts[key] = nil
                } else if count.blockedUntil > now {
                    longest = max(longest ?? 0, count.blockedUntil.timeIntervalSince(now))
                }
            }
            if let longest { return longest }
            for (key, free) in keys {
                var count = counts[key] ?? Count(attempts: 0, last: now, blockedUntil: .distantPast)
                count.attempts += 1
                count.last = now
                if count.attempts >= free {
                    let doublings = min(count.attempts - free, 30)
                    let delay = min(policy.maxDelay, policy.firstDelay * pow(2, Double(doublings)))
                    count.blockedUntil = now.addingTimeInterval(delay)
                }
                counts[key] = count
            }
            if counts.count > policy.maxTracked { prune(&counts, now: now) }
            return nil
        }
        if let wait {
            let seconds = max(1, Int(wait.rounded(.up)))
            throw SyncError(.rateLimited, "too many login attempts; try again in \(seconds) s", retryAfter: seconds)
        }
    }

    /// A successful login: its name starts afresh, and it does not count against its address
    /// (many readers may share one address, and each logs in rightly).
    public func succeeded(user: String, address: String?) {
        counts.withLock { counts in
            counts["user:" + user] = nil
            guard let address else { return }
            let key = "address:" + Self.key(address: address)
            guard var count = counts[key] else { return }
            count.attempts -= 1
            if count.attempts <= 0 {
                counts[key] = nil
                return
            }
            if count.attempts < policy.attemptsPerAddress { count.blockedUntil = .distantPast }
            counts[key] = count
        }
    }

    /// Names and addresses tracked now.
    public var tracked: Int { counts.withLock { $0.count } }

    private func prune(_ counts: inout [String: Count], now: Date) {
        counts = counts.filter { now.timeIntervalSince($0.value.last) <= policy.forgetAfter || $0.value.blockedUntil > now }
        let target = policy.maxTracked * 9 / 10
        if counts.count > target {
            for (key, _) in counts.sorted(by: { $0.value.last < $1.value.last }).prefix(counts.count - target) {
                counts[key] = nil
            }
        }
    }

    /// The part of an address that is counted: an IPv4 address whole, an IPv6 one by its /64.
    static func key(address: String) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard address.contains(":"), inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        if bytes[0..<12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        return Hex.lowercase(bytes[0..<8]) + "::/64"
    }
}
