@testable import BriefingServer
import Synchronization
import Testing

@Suite("The long-poll pass gate")
struct PassGateTests {
    final class Inside: Sendable {
        let counts = Mutex((now: 0, most: 0, done: 0))
    }

    @Test("At most its slots are inside at once; every one of many waiters gets in, and every slot comes back")
    func bounded() async {
        let gate = PassGate(slots: 3)
        let inside = Inside()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<300 {
                group.addTask {
                    await gate.enter()
                    inside.counts.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                    await Task.yield()
                    inside.counts.withLock { $0.now -= 1; $0.done += 1 }
                    gate.leave()
                }
            }
        }
        let final = inside.counts.withLock { $0 }
        #expect(final.done == 300)
        #expect(final.now == 0)
        #expect(final.most <= 3)
        // All three slots are free again: three enter without waiting.
        for _ in 0..<3 { await gate.enter() }
        for _ in 0..<3 { gate.leave() }
    }
}
