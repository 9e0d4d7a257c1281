import BriefingModel
import Foundation
import Testing

@Suite("HLC timestamps")
struct HLCTests {
    // MARK: String form

    @Test("The string form pads wall time to 15 digits and the counter to 6")
    func stringForm() {
        let stamp = HLC(wallMillis: 1_700_000_000_123, counter: 42, node: "device-A")
        #expect(stamp.description == "001700000000123-000042-device-A")
    }

    @Test("Parsing a string gives its parts")
    func parsesParts() throws {
        let stamp = try #require(HLC("001700000000123-000042-device-A"))
        #expect(stamp.wallMillis == 1_700_000_000_123)
        #expect(stamp.counter == 42)
        #expect(stamp.node == "device-A")
    }

    @Test(
        "A timestamp survives a trip through its string form",
        arguments: [
            HLC(wallMillis: 0, counter: 0, node: "A"),
            HLC(wallMillis: 1_700_000_000_123, counter: 7, node: "iPhone.of_Ana-2"),
            HLC(wallMillis: HLC.maxWallMillis, counter: HLC.maxCounter, node: String(repeating: "z", count: 64)),
            HLC(wallMillis: 5, counter: 999, node: "server"),
        ])
    func roundTrip(stamp: HLC) {
        #expect(HLC(stamp.description) == stamp)
    }

    @Test("Random timestamps survive a trip through their string form")
    func randomRoundTrip() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<1_000 {
            let stamp = Self.randomHLC(using: &generator)
            #expect(HLC(stamp.description) == stamp, "\(stamp)")
        }
    }

    // MARK: Ordering

    @Test("Wall time orders first, whatever the counter and node")
    func wallTimeFirst() {
        #expect(HLC(wallMillis: 1, counter: 999, node: "Z") < HLC(wallMillis: 2, counter: 0, node: "A"))
    }

    @Test("With equal wall times the counter orders next, whatever the node")
    func counterSecond() {
        #expect(HLC(wallMillis: 5, counter: 1, node: "Z") < HLC(wallMillis: 5, counter: 2, node: "A"))
    }

    @Test("With equal wall times and counters the node breaks the tie")
    func nodeBreaksTies() {
        let a = HLC(wallMillis: 5, counter: 3, node: "A")
        let b = HLC(wallMillis: 5, counter: 3, node: "B")
        #expect(a < b)
        #expect(!(b < a))
        #expect(a != b)
        #expect([b, a].max() == b)
    }

    @Test("A timestamp is not less than itself")
    func irreflexive() {
        let stamp = HLC(wallMillis: 5, counter: 3, node: "A")
        #expect(!(stamp < stamp))
        #expect(stamp == HLC(wallMillis: 5, counter: 3, node: "A"))
    }

    @Test("String order equals value order for many random timestamps")
    func stringOrderMatchesValueOrder() {
        var generator = SeededGenerator(seed: 2024)
        let stamps = (0..<300).map { _ in Self.randomHLC(using: &generator) }
        var mismatches: [String] = []
        for a in stamps {
            for b in stamps {
                let byValue = a < b
                let byString = a.description < b.description
                // Databases compare the bytes, so check that too.
                let byBytes = a.description.utf8.lexicographicallyPrecedes(b.description.utf8)
                if byValue != byString || byValue != byBytes || (a == b) != (a.description == b.description) {
                    mismatches.append("\(a) vs \(b)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        #expect(stamps.sorted().map(\.description) == stamps.map(\.description).sorted())
    }

    // MARK: Malformed strings

    @Test(
        "Malformed strings are rejected",
        arguments: [
            "",  // empty
            "001700000000123-000042",  // no node
            "001700000000123-000042-",  // empty node
            "01700000000123-000042-A",  // wall time too short
            "0001700000000123-000042-A",  // wall time too long
            "001700000000123-00042-A",  // counter too short
            "001700000000123-0000042-A",  // counter too long
            "00170000000o123-000042-A",  // letter in the wall time
            "001700000000123-0000x2-A",  // letter in the counter
            "+01700000000123-000042-A",  // sign
            " 01700000000123-000042-A",  // space
            "001700000000123_000042_A",  // wrong separators
            "001700000000123-000042-A B",  // space in node
            "001700000000123-000042-A/B",  // slash in node
            "001700000000123-000042-A:B",  // colon in node
            "001700000000123-000042-Ä",  // non-ASCII node
            "001700000000123-000042-" + String(repeating: "n", count: 65),  // node too long
        ])
    func rejectsMalformed(text: String) {
        #expect(HLC(text) == nil)
    }

    @Test("A node of exactly 64 characters is accepted")
    func longestNode() throws {
        let node = String(repeating: "n", count: 64)
        let stamp = try #require(HLC("001700000000123-000042-" + node))
        #expect(stamp.node == node)
        #expect(HLC.isValidNode(node))
        #expect(!HLC.isValidNode(node + "n"))
        #expect(!HLC.isValidNode(""))
    }

    // MARK: Codable

    private struct Stamped: Codable, Equatable {
        var at: HLC
    }

    @Test("Encodes to JSON as its string form")
    func encodesAsString() throws {
        let value = Stamped(at: HLC(wallMillis: 1_700_000_000_123, counter: 42, node: "A"))
        let json = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        #expect(json == #"{"at":"001700000000123-000042-A"}"#)
        #expect(try JSONDecoder().decode(Stamped.self, from: Data(json.utf8)) == value)
    }

    @Test(
        "Decoding refuses JSON that is not a valid timestamp string",
        arguments: [#"{"at":"yesterday"}"#, #"{"at":1700000000123}"#, #"{"at":"001700000000123-000042-"}"#])
    func decodingRejectsGarbage(json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Stamped.self, from: Data(json.utf8))
        }
    }

    // MARK: Helpers

    /// Random timestamps that often share wall times, counters and node prefixes, so ties get exercised.
    static func randomHLC(using generator: inout SeededGenerator) -> HLC {
        let walls: [Int64] = [0, 9, 10, 1_700_000_000_000, HLC.maxWallMillis]
        let wall = Bool.random(using: &generator)
            ? walls.randomElement(using: &generator)!
            : Int64.random(in: 0...HLC.maxWallMillis, using: &generator)
        let counter = Bool.random(using: &generator)
            ? Int32.random(in: 0...2, using: &generator)
            : Int32.random(in: 0...HLC.maxCounter, using: &generator)
        let alphabet = Array("AaBbZz09._-")
        let length = Int.random(in: 1...4, using: &generator)
        let node = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
        return HLC(wallMillis: wall, counter: counter, node: node)
    }
}

@Suite("Hybrid clock")
struct HybridClockTests {
    @Test("At the end of the range the clock never goes backwards and stays parseable")
    func endOfRange() throws {
        var clock = HybridClock(node: "A", last: HLC(wallMillis: HLC.maxWallMillis, counter: 5, node: "A"))
        let ticked = clock.tick(now: HLC.maxWallMillis + 1)
        #expect(ticked > HLC(wallMillis: HLC.maxWallMillis, counter: 5, node: "A"))
        var receiving = HybridClock(node: "A")
        receiving.receive(HLC(wallMillis: 1, node: "B"), now: HLC.maxWallMillis + 1)
        #expect(HLC(receiving.last.description) == receiving.last)
        var saturated = HybridClock(node: "A", last: HLC(wallMillis: HLC.maxWallMillis, counter: HLC.maxCounter, node: "A"))
        #expect(HLC(saturated.tick(now: 0).description) != nil)
    }

    @Test("Ticks always increase, even when the wall clock goes backwards")
    func monotonicTicks() {
        var clock = HybridClock(node: "A")
        var previous = clock.last
        for now: Int64 in [1_000, 1_000, 999, 500, 0, 1_001, 1_001, 2_000, 1_500, 1_500, 2_001] {
            let stamp = clock.tick(now: now)
            #expect(stamp > previous, "tick at \(now) gave \(stamp) after \(previous)")
            #expect(stamp.node == "A")
            #expect(clock.last == stamp)
            previous = stamp
        }
    }

    @Test("A wall clock that goes backwards keeps the old wall time and bumps the counter")
    func backwardsBumpsCounter() {
        var clock = HybridClock(node: "A")
        #expect(clock.tick(now: 1_000) == HLC(wallMillis: 1_000, counter: 0, node: "A"))
        #expect(clock.tick(now: 400) == HLC(wallMillis: 1_000, counter: 1, node: "A"))
        #expect(clock.tick(now: 1_000) == HLC(wallMillis: 1_000, counter: 2, node: "A"))
        #expect(clock.tick(now: 1_001) == HLC(wallMillis: 1_001, counter: 0, node: "A"))
    }

    @Test("After receiving a timestamp from ahead, the next tick is later than it")
    func receiveAhead() {
        var clock = HybridClock(node: "A")
        _ = clock.tick(now: 1_000)
        let remote = HLC(wallMillis: 5_000, counter: 7, node: "B")
        clock.receive(remote, now: 1_001)
        #expect(clock.last > remote)
        let next = clock.tick(now: 1_002)
        #expect(next > remote)
        #expect(next.node == "A")
        #expect(next.wallMillis == 5_000)
    }

    @Test("Receiving a timestamp with the same wall time orders after both counters")
    func receiveSameWall() {
        var clock = HybridClock(node: "A")
        _ = clock.tick(now: 1_000)
        _ = clock.tick(now: 1_000)  // counter 1
        let remote = HLC(wallMillis: 1_000, counter: 9, node: "B")
        clock.receive(remote, now: 900)
        #expect(clock.last == HLC(wallMillis: 1_000, counter: 10, node: "A"))
        #expect(clock.tick(now: 900) > remote)
    }

    @Test("Receiving an old timestamp never moves the clock backwards")
    func receiveBehind() {
        var clock = HybridClock(node: "A")
        let before = clock.tick(now: 5_000)
        clock.receive(HLC(wallMillis: 1_000, counter: 3, node: "B"), now: 5_000)
        #expect(clock.last > before)
        #expect(clock.tick(now: 5_000) > before)
    }

    @Test("The wall clock moving past everything restarts the counter at zero")
    func nowAheadOfEverything() {
        var clock = HybridClock(node: "A")
        _ = clock.tick(now: 1_000)
        clock.receive(HLC(wallMillis: 2_000, counter: 4, node: "B"), now: 3_000)
        #expect(clock.last == HLC(wallMillis: 3_000, counter: 0, node: "A"))
    }

    @Test("A counter overflow on tick moves to the next millisecond")
    func tickOverflow() {
        var clock = HybridClock(node: "A", last: HLC(wallMillis: 1_000, counter: HLC.maxCounter, node: "A"))
        let next = clock.tick(now: 1_000)
        #expect(next == HLC(wallMillis: 1_001, counter: 0, node: "A"))
        #expect(HLC(next.description) == next)
    }

    @Test("A counter overflow on receive moves to the next millisecond")
    func receiveOverflow() {
        var clock = HybridClock(node: "A")
        let remote = HLC(wallMillis: 1_000, counter: HLC.maxCounter, node: "B")
        clock.receive(remote, now: 10)
        #expect(clock.last == HLC(wallMillis: 1_001, counter: 0, node: "A"))
        #expect(clock.last > remote)
    }

    @Test("A clock resumed from a stored timestamp continues after it")
    func resumes() {
        let stored = HLC(wallMillis: 8_000, counter: 3, node: "A")
        var clock = HybridClock(node: "A", last: stored)
        #expect(clock.tick(now: 100) == HLC(wallMillis: 8_000, counter: 4, node: "A"))
    }
}
