import BriefingModel
import Testing

@Suite("Three-way text merge")
struct TextMergeTests {
    let base = "the quick brown fox jumps"

    @Test("Edits to different words both apply")
    func nonOverlappingWords() {
        let merged = TextMerge.merge(base: base, ours: "the slow brown fox jumps", theirs: "the quick brown fox leaps")
        #expect(merged == "the slow brown fox leaps")
    }

    @Test("The merge does not depend on which side is ours")
    func symmetric() {
        let ours = "the slow brown fox jumps"
        let theirs = "the quick brown fox leaps"
        #expect(TextMerge.merge(base: base, ours: ours, theirs: theirs) == TextMerge.merge(base: base, ours: theirs, theirs: ours))
    }

    @Test("An insertion at the start and a change at the end both apply")
    func insertAtStartChangeAtEnd() {
        let merged = TextMerge.merge(base: base, ours: "Look: the quick brown fox jumps", theirs: "the quick brown fox sleeps")
        #expect(merged == "Look: the quick brown fox sleeps")
    }

    @Test("A deletion and an insertion far apart both apply")
    func deleteAndInsert() {
        let merged = TextMerge.merge(base: base, ours: "the brown fox jumps", theirs: "the quick brown fox jumps high")
        #expect(merged == "the brown fox jumps high")
    }

    @Test("Identical edits on both sides give that edit")
    func identicalEdits() {
        let edited = "the slow brown fox jumps"
        #expect(TextMerge.merge(base: base, ours: edited, theirs: edited) == edited)
    }

    @Test("The same edit on both sides plus another edit on one side merges")
    func sharedEditPlusOne() {
        let merged = TextMerge.merge(base: base, ours: "the slow brown fox leaps", theirs: "the slow brown fox jumps")
        #expect(merged == "the slow brown fox leaps")
    }

    @Test("Different edits of the same word do not merge")
    func sameWord() {
        #expect(TextMerge.merge(base: base, ours: "the slow brown fox jumps", theirs: "the fast brown fox jumps") == nil)
    }

    @Test(
        "Edits that touch the same range do not merge",
        arguments: [
            // An insertion right before the word the other side changed.
            ("the very quick brown fox jumps", "the slow brown fox jumps"),
            // A deletion ending where the other side's change starts.
            ("the brown fox jumps", "the quick red fox jumps"),
            // A change of the space right after the other side's word.
            ("the quick\nbrown fox jumps", "the slow brown fox jumps"),
        ])
    func touchingEdits(ours: String, theirs: String) {
        #expect(TextMerge.merge(base: base, ours: ours, theirs: theirs) == nil)
        #expect(TextMerge.merge(base: base, ours: theirs, theirs: ours) == nil)
    }

    @Test("Different insertions at the same place do not merge")
    func sameInsertionPoint() {
        #expect(TextMerge.merge(base: base, ours: "the quick brown fox jumps far", theirs: "the quick brown fox jumps high") == nil)
    }

    @Test("When ours is the base the result is theirs")
    func oursUnchanged() {
        let theirs = "an entirely different sentence"
        #expect(TextMerge.merge(base: base, ours: base, theirs: theirs) == theirs)
    }

    @Test("When theirs is the base the result is ours")
    func theirsUnchanged() {
        let ours = "an entirely different sentence"
        #expect(TextMerge.merge(base: base, ours: ours, theirs: base) == ours)
    }

    @Test("Whitespace between words is kept as written")
    func keepsWhitespace() {
        let base = "first line\nsecond line"
        let merged = TextMerge.merge(base: base, ours: "FIRST line\nsecond line", theirs: "first line\nsecond LINE")
        #expect(merged == "FIRST line\nsecond LINE")
    }
}

@Suite("Stable hash")
struct StableHashTests {
    @Test("The same parts give the same hex and UUID")
    func deterministic() {
        let parts = ["conflict-copy", "n1", "000000000002000-000000-A"]
        #expect(StableHash.hex(of: parts) == StableHash.hex(of: parts))
        #expect(StableHash.uuid(of: parts) == StableHash.uuid(of: parts))
    }

    @Test(
        "Different parts give different hashes",
        arguments: [
            (["ab", "c"], ["a", "bc"]),
            (["a"], ["a", ""]),
            ([], [""]),
            (["a", "b"], ["b", "a"]),
            (["paragraph"], ["Paragraph"]),
            (["Zoë"], ["Zoe"]),
            (["a\u{1f}", "b"], ["a", "\u{1f}b"]),
            (["a\u{1e}\u{1f}"], ["a\u{1f}", ""]),
        ])
    func differentParts(one: [String], other: [String]) {
        #expect(StableHash.hex(of: one) != StableHash.hex(of: other))
        #expect(StableHash.uuid(of: one) != StableHash.uuid(of: other))
    }

    @Test("The hex form is 32 lowercase hex digits and shortens to a prefix")
    func hexShape() {
        let hex = StableHash.hex(of: ["briefing", "text"])
        #expect(hex.count == 32)
        #expect(hex.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(StableHash.hex(of: ["briefing", "text"], length: 12) == String(hex.prefix(12)))
    }

    @Test("The first lane is plain 64-bit FNV-1a with a unit separator after each part")
    func knownValues() {
        // Independently computed FNV-1a values; they pin the IDs every replica derives.
        #expect(StableHash.hex(of: []) == "cbf29ce48422232584222325cbf29ce4")
        #expect(StableHash.hex(of: ["a"]).prefix(16) == "089be907b544fdc9")
        #expect(StableHash.hex(of: ["ab", "c"]).prefix(16) == "0ab11b2f87ef04a1")
        #expect(StableHash.hex(of: ["a", "bc"]).prefix(16) == "cb31b5381b2a17ab")
    }

    @Test("The incremental hash equals the one-shot hash")
    func incremental() {
        var hash = StableHash()
        hash.combine("one")
        hash.combine("two")
        #expect(hash.hex() == StableHash.hex(of: ["one", "two"]))
        #expect(hash.hex(length: 10) == StableHash.hex(of: ["one", "two"], length: 10))
    }

    @Test("The UUID form is uppercase 8-4-4-4-12 with version 5 and variant A")
    func uuidShape() {
        let uuid = StableHash.uuid(of: ["anything"])
        let groups = uuid.split(separator: "-", omittingEmptySubsequences: false)
        #expect(groups.map(\.count) == [8, 4, 4, 4, 12])
        #expect(uuid.allSatisfy { "0123456789ABCDEF-".contains($0) })
        #expect(groups[2].first == "5")
        #expect(groups[3].first == "A")
    }
}
