import BriefingModel
import Testing

@Suite("Merge rules: highlights")
struct HighlightMergeTests {
    typealias S = Scenario

    /// Device A creates highlight h1 at t=1000.
    let create = S.upsert(
        .highlight, "h1", at: S.hlc(1_000, "A"),
        ["briefingID": .string(S.briefingID), "anchor": .anchor(S.anchor), "color": .string("yellow")])

    private func recolor(_ color: String, at clock: HLC, seen: HLC? = S.hlc(1_000, "A")) -> Mutation {
        S.upsert(.highlight, "h1", at: clock, seen: seen, ["color": .string(color)])
    }

    private func created() throws -> UserRecord {
        try MergeRules.apply(create, to: nil).record
    }

    @Test("Creating a highlight applies it as sent")
    func createHighlight() throws {
        let result = try MergeRules.apply(create, to: nil)
        #expect(result.status == .applied)
        #expect(result.conflicts.isEmpty)
        #expect(result.copies.isEmpty)
        let highlight = try #require(Highlight(result.record))
        #expect(highlight.id == "h1")
        #expect(highlight.briefingID == "b1")
        #expect(highlight.anchor == S.anchor)
        #expect(highlight.color == "yellow")
        #expect(result.record.clocks == ["briefingID": S.hlc(1_000, "A"), "anchor": S.hlc(1_000, "A"), "color": S.hlc(1_000, "A")])
    }

    @Test("A recolour on another device that had seen the highlight applies without conflict")
    func sequentialRecolor() throws {
        let run = try S.replay([create, recolor("green", at: S.hlc(2_000, "B"))])
        #expect(run.statuses == [.applied, .applied])
        #expect(run.conflicts.isEmpty)
        #expect(Highlight(run.record)?.color == "green")
        #expect(run.record.clocks["color"] == S.hlc(2_000, "B"))
        #expect(run.record.clocks["anchor"] == S.hlc(1_000, "A"))
    }

    @Test("Concurrent recolours: the later clock wins in either arrival order")
    func concurrentRecolors() throws {
        let base = try created()
        let green = recolor("green", at: S.hlc(2_000, "A"))
        let blue = recolor("blue", at: S.hlc(3_000, "B"))
        let aThenB = try S.replay([green, blue], on: base)
        let bThenA = try S.replay([blue, green], on: base)

        #expect(aThenB.record.fields == bThenA.record.fields)
        #expect(aThenB.record.clocks == bThenA.record.clocks)
        #expect(aThenB.record.fields["color"] == .string("blue"))
        #expect(aThenB.record.clocks["color"] == S.hlc(3_000, "B"))
        #expect(aThenB.statuses == [.applied, .applied])
        #expect(bThenA.statuses == [.applied, .merged])

        for run in [aThenB, bThenA] {
            let conflict = try #require(run.conflicts.first)
            #expect(run.conflicts.count == 1)
            #expect(conflict.rule == .lastWriterWins)
            #expect(conflict.kind == .highlight)
            #expect(conflict.recordID == "h1")
            #expect(conflict.field == "color")
            #expect(conflict.values.count == 2)
            #expect(conflict.kept("\"blue\"") == true)
            #expect(conflict.kept("\"green\"") == false)
            #expect(conflict.values.first { $0.kept }?.deviceID == "B")
            #expect(conflict.values.first { !$0.kept }?.hlc == S.hlc(2_000, "A"))
        }
    }

    @Test("Concurrent recolours at the same wall time: node B beats node A in either order")
    func nodeTieBreak() throws {
        let base = try created()
        let fromA = recolor("green", at: S.hlc(2_000, "A"))
        let fromB = recolor("blue", at: S.hlc(2_000, "B"))
        let aThenB = try S.replay([fromA, fromB], on: base)
        let bThenA = try S.replay([fromB, fromA], on: base)
        #expect(aThenB.record.fields["color"] == .string("blue"))
        #expect(bThenA.record.fields["color"] == .string("blue"))
        #expect(aThenB.record.clocks == bThenA.record.clocks)
        #expect(bThenA.conflicts.first?.kept("\"blue\"") == true)
    }

    @Test("A write older than the field's clock is dropped with status merged")
    func staleWriteDropped() throws {
        let current = try S.replay([create, recolor("blue", at: S.hlc(5_000, "B"))]).record
        let result = try MergeRules.apply(recolor("green", at: S.hlc(4_000, "A")), to: current)
        #expect(result.status == .merged)
        #expect(result.record.fields["color"] == .string("blue"))
        #expect(result.record.clocks["color"] == S.hlc(5_000, "B"))
        let conflict = try #require(result.conflicts.first)
        #expect(conflict.rule == .lastWriterWins)
        #expect(conflict.kept("\"blue\"") == true)
        #expect(conflict.kept("\"green\"") == false)
        #expect(conflict.at == S.hlc(4_000, "A"))
    }

    @Test("Deleting a highlight whose edits the deleting device had seen tombstones it")
    func plainDelete() throws {
        let run = try S.replay([create, S.delete(.highlight, "h1", at: S.hlc(2_000, "B"), seen: S.hlc(1_000, "A"))])
        #expect(run.record.deleted)
        #expect(run.record.deletedAt == S.hlc(2_000, "B"))
        #expect(Highlight(run.record) == nil)
        #expect(run.statuses == [.applied, .applied])
        #expect(run.conflicts.isEmpty)
    }

    @Test("A delete beats an older concurrent recolour in either order")
    func deleteBeatsOlderEdit() throws {
        let base = try created()
        let edit = recolor("green", at: S.hlc(2_000, "B"))
        let delete = S.delete(.highlight, "h1", at: S.hlc(3_000, "A"), seen: S.hlc(1_000, "A"))

        let editThenDelete = try S.replay([edit, delete], on: base)
        #expect(editThenDelete.record.deleted)
        #expect(Highlight(editThenDelete.record) == nil)
        #expect(editThenDelete.conflicts.map(\.rule) == [.deleteWins])
        #expect(editThenDelete.conflicts.first?.kept("deleted") == true)

        let deleteThenEdit = try S.replay([delete, edit], on: base)
        #expect(deleteThenEdit.record.deleted)
        #expect(Highlight(deleteThenEdit.record) == nil)
        #expect(deleteThenEdit.statuses == [.applied, .merged])
        #expect(deleteThenEdit.conflicts.map(\.rule) == [.deleteWins])
    }

    @Test("A newer concurrent recolour beats a delete in either order")
    func newerEditBeatsDelete() throws {
        let base = try created()
        let delete = S.delete(.highlight, "h1", at: S.hlc(2_000, "A"), seen: S.hlc(1_000, "A"))
        let edit = recolor("green", at: S.hlc(3_000, "B"))

        for (name, order) in [("edit then delete", [edit, delete]), ("delete then edit", [delete, edit])] {
            let run = try S.replay(order, on: base)
            #expect(!run.record.deleted, "\(name)")
            #expect(run.record.deletedAt == nil, "\(name)")
            #expect(Highlight(run.record)?.color == "green", "\(name)")
            #expect(run.statuses.last == .merged, "\(name)")
            #expect(run.conflicts.map(\.rule) == [.lastWriterWins], "\(name)")
            #expect(run.conflicts.first?.kept("deleted") == false, "\(name)")
        }
    }

    @Test("Bookmarks toggle last writer wins")
    func bookmarkToggle() throws {
        let id = EntitySchema.singletonID(briefingID: S.briefingID)
        let on = S.upsert(.bookmark, id, at: S.hlc(1_000, "A"), ["briefingID": .string(S.briefingID), "bookmarked": .bool(true)])
        let offB = S.upsert(.bookmark, id, at: S.hlc(2_000, "B"), seen: S.hlc(1_000, "A"), ["bookmarked": .bool(false)])
        let onA = S.upsert(.bookmark, id, at: S.hlc(2_500, "A"), seen: S.hlc(1_000, "A"), ["bookmarked": .bool(true)])
        let one = try S.replay([on, offB, onA])
        let other = try S.replay([on, onA, offB])
        #expect(Bookmark(one.record)?.briefingID == S.briefingID)
        #expect(Bookmark(other.record)?.briefingID == S.briefingID)
        #expect(one.record.fields == other.record.fields)
        #expect(Bookmark(try S.replay([on, offB]).record) == nil)
    }
}
