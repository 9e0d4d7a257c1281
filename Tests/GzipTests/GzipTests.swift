import BriefingModel
import Gzip
import Testing

@Suite("Gzip")
struct GzipTests {
    static let text = Array(
        String(repeating: "The grain corridor holds — for now. Négociateurs “cautiously optimistic”. ", count: 400).utf8)

    static func randomBytes(_ count: Int, seed: UInt64 = 42) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Named inputs, so parameterized tests log a name rather than every byte.
    enum Payload: String, CaseIterable, Sendable {
        case text, randomBytes

        var bytes: [UInt8] {
            switch self {
            case .text: GzipTests.text
            case .randomBytes: GzipTests.randomBytes(200_000)
            }
        }
    }

    // MARK: Round trips

    @Test("Random bytes survive a round trip", arguments: [0, 1, 1_000, 65_535, 65_536, 65_537, 200_000])
    func randomRoundTrip(count: Int) throws {
        let data = Self.randomBytes(count, seed: UInt64(count))
        let compressed = try Gzip.compress(data)
        #expect(try Gzip.decompress(compressed, limit: count) == data)
    }

    @Test("Text survives a round trip and shrinks", arguments: [1, 6, 9] as [Int32])
    func textRoundTrip(level: Int32) throws {
        let compressed = try Gzip.compress(Self.text, level: level)
        #expect(compressed.count < Self.text.count / 10)
        #expect(try Gzip.decompress(compressed, limit: 1 << 20) == Self.text)
    }

    @Test("An invalid compression level is a library error")
    func invalidLevel() {
        let error = #expect(throws: GzipError.self) {
            try Gzip.compress(Self.text, level: 42)
        }
        #expect(error?.code == .library)
    }

    // MARK: Limits

    @Test("Output exactly at the limit is accepted")
    func exactlyAtLimit() throws {
        let compressed = try Gzip.compress(Self.text)
        #expect(try Gzip.decompress(compressed, limit: Self.text.count) == Self.text)
    }

    @Test("Output over the limit, by one byte or many, is refused as too large", arguments: [1, 1_000])
    func overLimit(shortBy: Int) throws {
        let compressed = try Gzip.compress(Self.text)
        let error = #expect(throws: GzipError.self) {
            try Gzip.decompress(compressed, limit: Self.text.count - shortBy)
        }
        #expect(error?.code == .tooLarge)
    }

    @Test("A 50 MB bomb is refused as too large without inflating it all")
    func bomb() throws {
        let zeros = [UInt8](repeating: 0, count: 50 * 1024 * 1024)
        let bomb = try Gzip.compress(zeros, level: 9)
        #expect(bomb.count < 100 * 1024, "the bomb should be tiny: \(bomb.count) bytes")

        let clock = ContinuousClock()
        var error: GzipError?
        let elapsed = clock.measure {
            error = #expect(throws: GzipError.self) {
                try Gzip.decompress(bomb, limit: 1024 * 1024)
            }
        }
        #expect(error?.code == .tooLarge)
        #expect(elapsed < .seconds(2), "took \(elapsed)")
    }

    // MARK: Damaged input

    @Test("Flipped bytes in the middle are corrupt", arguments: Payload.allCases)
    func flippedBytes(payload: Payload) throws {
        let data = payload.bytes
        var damaged = try Gzip.compress(data)
        let middle = damaged.count / 2
        for index in middle..<(middle + 4) { damaged[index] ^= 0xFF }
        let error = #expect(throws: GzipError.self) {
            try Gzip.decompress(damaged, limit: 10 * data.count)
        }
        #expect(error?.code == .corrupt)
    }

    @Test("A damaged checksum is corrupt")
    func damagedChecksum() throws {
        var damaged = try Gzip.compress(Self.text)
        damaged[damaged.count - 6] ^= 0x01  // inside the CRC-32 of the trailer
        let error = #expect(throws: GzipError.self) {
            try Gzip.decompress(damaged, limit: 1 << 20)
        }
        #expect(error?.code == .corrupt)
    }

    @Test(
        "Bytes that are not gzip are corrupt",
        arguments: [Array("plain text, not gzip".utf8), [0x1f, 0x8b], [0x00], []])
    func notGzip(data: [UInt8]) {
        let error = #expect(throws: GzipError.self) {
            try Gzip.decompress(data, limit: 1 << 20)
        }
        #expect(error?.code == .corrupt)
    }

    @Test("A truncated stream is corrupt", arguments: [1, 4, 8, 100])
    func truncated(dropLast: Int) throws {
        let compressed = try Gzip.compress(Self.text)
        let cut = Array(compressed.dropLast(dropLast))
        let error = #expect(throws: GzipError.self) {
            try Gzip.decompress(cut, limit: 1 << 20)
        }
        #expect(error?.code == .corrupt)
    }

    @Test("A stream cut in half is corrupt", arguments: Payload.allCases)
    func cutInHalf(payload: Payload) throws {
        let data = payload.bytes
        let compressed = try Gzip.compress(data)
        let error = #expect(throws: GzipError.self) {
            try Gzip.decompress(Array(compressed.prefix(compressed.count / 2)), limit: 1 << 20)
        }
        #expect(error?.code == .corrupt)
    }

    @Test("Bytes after the gzip stream are corrupt")
    func trailingBytes() throws {
        let compressed = try Gzip.compress(Self.text)
        let error = #expect(throws: GzipError.self) {
            try Gzip.decompress(compressed + Array("junk".utf8), limit: 1 << 20)
        }
        #expect(error?.code == .corrupt)
    }

    // MARK: Detection

    @Test("Compressed data looks compressed")
    func looksCompressed() throws {
        #expect(Gzip.looksCompressed(try Gzip.compress(Self.text)))
        #expect(Gzip.looksCompressed(try Gzip.compress([])))
        #expect(Gzip.looksCompressed([0x1f, 0x8b] as [UInt8]))
        #expect(Gzip.looksCompressed([0x1f, 0x8b, 0x08][...]))
    }

    @Test(
        "Other data does not look compressed",
        arguments: [[], [0x1f], [0x8b, 0x1f], Array("{\"json\": true}".utf8), Array("\u{1f}x".utf8)] as [[UInt8]])
    func looksUncompressed(data: [UInt8]) {
        #expect(!Gzip.looksCompressed(data))
    }
}
