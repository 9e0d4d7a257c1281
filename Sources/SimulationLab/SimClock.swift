import BriefingModel
import Foundation
import Synchronization

/// The simulated wall clock every device and the server read (devices add their own skew).
final class SimClock: Sendable {
    private let millis: Mutex<Int64>

    /// 2026-01-01T00:00:00Z, where a run's clock starts.
    static let start: Int64 = 1_767_225_600_000

    init(start: Int64 = SimClock.start) { millis = Mutex(start) }

    var now: Int64 { millis.withLock { $0 } }
    var date: Date { Date(timeIntervalSince1970: Double(now) / 1000) }

    func advance(by delta: Int64) { millis.withLock { $0 += max(0, delta) } }
}

/// IDs from a seeded generator, so a run names everything the same way every time.
final class SeededIDs: Sendable {
    private let generator: Mutex<SeededGenerator>
    private let prefix: String

    init(seed: UInt64, prefix: String) {
        generator = Mutex(SeededGenerator(seed: seed))
        self.prefix = prefix
    }

    func next() -> String {
        generator.withLock { generator in
            let a = generator.next(), b = generator.next()
            let hex = String(a, radix: 16) + String(b, radix: 16)
            return prefix + String(hex.prefix(20)).uppercased()
        }
    }
}
