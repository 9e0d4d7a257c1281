import BriefingModel
import Testing

@Suite("Merge rules: reading progress")
struct ReadingProgressMergeTests {
    typealias S = Scenario

    let id = EntitySchema.singletonID(briefingID: S.briefingID)

    private func progress(position: Double, furthest: Double, at clock: HLC) -> Mutation {
        S.upsert(
            .readingProgress, id, at: clock,
            ["briefingID": .string(S.briefingID), "position": .number(position), "furthest": .number(furthest)])
    }

    @Test("Position is last writer wins and furthest is the maximum, in either order")
    func positionAndFurthest() throws {
        // A read to 80 % at t=1000; B, not having synced, reopened the briefing and is at 30 % at t=2000.
        let fromA = progress(position: 0.8, furthest: 0.8, at: S.hlc(1_000, "A"))
        let fromB = progress(position: 0.3, furthest: 0.3, at: S.hlc(2_000, "B"))
        let aThenB = try S.replay([fromA, fromB])
        let bThenA = try S.replay([fromB, fromA])

        for (name, run) in [("A then B", aThenB), ("B then A", bThenA)] {
            let reading = try #require(ReadingProgress(run.record), "\(name)")
            #expect(reading.briefingID == S.briefingID, "\(name)")
            #expect(reading.position == 0.3, "\(name)")
            #expect(reading.furthest == 0.8, "\(name)")
        }
        #expect(aThenB.record.fields == bThenA.record.fields)
        #expect(aThenB.record.clocks == bThenA.record.clocks)
        #expect(aThenB.record.clocks["position"] == S.hlc(2_000, "B"))
        #expect(aThenB.record.clocks["furthest"] == S.hlc(2_000, "B"))
        // The immutable briefing ID keeps the earliest clock whichever write arrives first.
        #expect(aThenB.record.clocks["briefingID"] == S.hlc(1_000, "A"))
        #expect(bThenA.statuses == [.applied, .merged])
    }

    @Test("Furthest never goes down, even from a later write")
    func furthestNeverDecreases() throws {
        let run = try S.replay([
            progress(position: 0.9, furthest: 0.9, at: S.hlc(1_000, "A")),
            S.upsert(.readingProgress, id, at: S.hlc(2_000, "A"), seen: S.hlc(1_000, "A"), ["furthest": .number(0.1)]),
        ])
        #expect(ReadingProgress(run.record)?.furthest == 0.9)
        #expect(run.record.clocks["furthest"] == S.hlc(2_000, "A"))
    }
}

@Suite("Merge rules: tags")
struct TagMergeTests {
    typealias S = Scenario

    static let name = "Urgent"
    let id = EntitySchema.tagID(briefingID: S.briefingID, name: name)

    /// An add or remove of the tag; each add is a unique "dot" (here the add's clock).
    private func tag(at clock: HLC, seen: HLC? = nil, adds: [String] = [], removes: [String] = []) -> Mutation {
        var fields: [String: FieldValue] = ["briefingID": .string(S.briefingID), "name": .string(Self.name)]
        if !adds.isEmpty { fields["adds"] = .strings(adds) }
        if !removes.isEmpty { fields["removes"] = .strings(removes) }
        return S.upsert(.tag, id, at: clock, seen: seen, fields)
    }

    private var dotA: String { S.hlc(1_000, "A").description }
    private var dotB: String { S.hlc(2_000, "B").description }

    @Test("A tag's ID is the briefing ID and the lowercased name")
    func tagID() {
        #expect(id == "b1#urgent")
    }

    @Test("Adding a tag makes it present")
    func add() throws {
        let result = try MergeRules.apply(tag(at: S.hlc(1_000, "A"), adds: [dotA]), to: nil)
        #expect(result.status == .applied)
        let present = try #require(Tag(result.record))
        #expect(present.name == "Urgent")
        #expect(present.briefingID == S.briefingID)
    }

    @Test("A remove that saw only some adds leaves the tag present, with an add-wins conflict")
    func concurrentAddWins() throws {
        let addA = tag(at: S.hlc(1_000, "A"), adds: [dotA])
        let addB = tag(at: S.hlc(2_000, "B"), adds: [dotB])  // B tags it too, not having seen A's add
        let removeA = tag(at: S.hlc(2_100, "A"), seen: S.hlc(1_000, "A"), removes: [dotA])  // A saw only its own add

        let run = try S.replay([addA, addB, removeA])
        #expect(Tag(run.record) != nil)
        #expect(run.statuses == [.applied, .applied, .merged])
        let conflict = try #require(run.conflicts.first)
        #expect(run.conflicts.count == 1)
        #expect(conflict.rule == .addWins)
        #expect(conflict.kept("added") == true)
        #expect(conflict.kept("removed") == false)

        // Whatever the arrival order, the tag ends up present with the same sets.
        let otherOrder = try S.replay([addA, removeA, addB])
        #expect(Tag(otherOrder.record) != nil)
        #expect(otherOrder.record.fields == run.record.fields)
        #expect(otherOrder.record.clocks == run.record.clocks)
    }

    @Test("A remove that saw every add removes the tag")
    func removeAfterSeeingAll() throws {
        let run = try S.replay([
            tag(at: S.hlc(1_000, "A"), adds: [dotA]),
            tag(at: S.hlc(2_000, "B"), adds: [dotB]),
            tag(at: S.hlc(3_000, "B"), seen: S.hlc(2_000, "B"), removes: [dotA, dotB]),
        ])
        #expect(Tag(run.record) == nil)
        #expect(!Tag.isPresent(run.record))
        #expect(run.conflicts.isEmpty)
        #expect(run.statuses.last == .applied)
    }

    @Test("Re-adding a removed tag with a new dot makes it present again")
    func reAdd() throws {
        let dotAgain = S.hlc(4_000, "A").description
        let run = try S.replay([
            tag(at: S.hlc(1_000, "A"), adds: [dotA]),
            tag(at: S.hlc(3_000, "B"), seen: S.hlc(1_000, "A"), removes: [dotA]),
            tag(at: S.hlc(4_000, "A"), seen: S.hlc(3_000, "B"), adds: [dotAgain]),
        ])
        #expect(Tag(run.record) != nil)
        #expect(run.record.fields["adds"] == .strings([dotA, dotAgain].sorted()))
    }
}
