import BriefingModel
import Testing

@Suite("Merge rules: notes")
struct NoteMergeTests {
    typealias S = Scenario

    static let original = "Ask the ministry for the grain export figures"

    /// Device A creates note n1 at t=1000.
    let create = S.upsert(
        .note, "n1", at: S.hlc(1_000, "A"), ["briefingID": .string(S.briefingID), "text": .string(original)])

    /// An edit of the note's text from the original, by a device that had seen only the creation.
    private func edit(_ text: String, at clock: HLC) -> Mutation {
        S.upsert(.note, "n1", at: clock, seen: S.hlc(1_000, "A"), baseText: Self.original, ["text": .string(text)])
    }

    private func created() throws -> UserRecord {
        try MergeRules.apply(create, to: nil).record
    }

    @Test("An edit made from the current text applies as sent")
    func plainEdit() throws {
        let result = try MergeRules.apply(edit("Ask the ministry for the 2024 grain export figures", at: S.hlc(2_000, "B")), to: created())
        #expect(result.status == .applied)
        #expect(result.conflicts.isEmpty)
        #expect(result.copies.isEmpty)
        #expect(Note(result.record)?.text == "Ask the ministry for the 2024 grain export figures")
        #expect(result.record.clocks["text"] == S.hlc(2_000, "B"))
    }

    @Test("Concurrent edits of different words merge into one text in either order")
    func nonOverlappingEdits() throws {
        let base = try created()
        let fromA = edit("Ask the embassy for the grain export figures", at: S.hlc(2_000, "A"))
        let fromB = edit("Ask the ministry for the grain export totals", at: S.hlc(2_500, "B"))
        let merged = "Ask the embassy for the grain export totals"

        for (name, order) in [("A then B", [fromA, fromB]), ("B then A", [fromB, fromA])] {
            let run = try S.replay(order, on: base)
            #expect(Note(run.record)?.text == merged, "\(name)")
            #expect(run.record.clocks["text"] == S.hlc(2_500, "B"), "\(name)")
            #expect(run.statuses == [.applied, .merged], "\(name)")
            #expect(run.copies.isEmpty, "\(name)")
            let conflict = try #require(run.conflicts.first, "\(name)")
            #expect(run.conflicts.count == 1, "\(name)")
            #expect(conflict.rule == .textMerge, "\(name)")
            #expect(conflict.field == "text", "\(name)")
            #expect(conflict.values.map(\.kept) == [true, true], "\(name)")
        }
    }

    @Test("Overlapping concurrent edits: the later text wins and the other becomes a conflict copy, in either order")
    func overlappingEdits() throws {
        let base = try created()
        let fromA = edit("Ask the embassy for the grain export figures", at: S.hlc(2_000, "A"))
        let fromB = edit("Ask the minister for the grain export figures", at: S.hlc(2_500, "B"))

        let aThenB = try S.replay([fromA, fromB], on: base)
        let bThenA = try S.replay([fromB, fromA], on: base)

        for (name, run) in [("A then B", aThenB), ("B then A", bThenA)] {
            #expect(Note(run.record)?.text == "Ask the minister for the grain export figures", "\(name)")
            #expect(Note(run.record)?.conflictOf == nil, "\(name)")
            #expect(run.statuses == [.applied, .merged], "\(name)")

            let copy = try #require(run.copies.first, "\(name)")
            #expect(run.copies.count == 1, "\(name)")
            let copied = try #require(Note(copy), "\(name)")
            #expect(copied.text == "Ask the embassy for the grain export figures", "\(name)")
            #expect(copied.conflictOf == "n1", "\(name)")
            #expect(copied.briefingID == S.briefingID, "\(name)")
            #expect(copy.id != "n1", "\(name)")
            #expect(copy.clocks["text"] == S.hlc(2_000, "A"), "\(name)")

            let conflict = try #require(run.conflicts.first, "\(name)")
            #expect(conflict.rule == .conflictCopy, "\(name)")
            #expect(conflict.kept("Ask the minister for the grain export figures") == true, "\(name)")
            #expect(conflict.kept("Ask the embassy for the grain export figures") == false, "\(name)")
        }
        #expect(aThenB.record.fields == bThenA.record.fields)
        #expect(aThenB.record.clocks == bThenA.record.clocks)
        #expect(aThenB.copies == bThenA.copies)
    }

    @Test("A conflict copy is itself a valid note the rules accept edits to")
    func copyIsEditable() throws {
        let run = try S.replay(
            [edit("Ask the embassy for the grain export figures", at: S.hlc(2_000, "A")),
             edit("Ask the minister for the grain export figures", at: S.hlc(2_500, "B"))],
            on: created())
        let copy = try #require(run.copies.first)
        let result = try MergeRules.apply(
            S.upsert(.note, copy.id, at: S.hlc(3_000, "A"), seen: S.hlc(2_500, "B"),
                     baseText: "Ask the embassy for the grain export figures", ["text": .string("Done")]),
            to: copy)
        #expect(result.status == .applied)
        #expect(Note(result.record)?.text == "Done")
        #expect(Note(result.record)?.conflictOf == "n1")
    }

    @Test("A note deleted on A while B edited it survives, flagged, in either order")
    func editSurvivesDelete() throws {
        let base = try created()
        let delete = S.delete(.note, "n1", at: S.hlc(2_100, "A"), seen: S.hlc(1_000, "A"))
        let editB = edit("Ask the ministry for the grain export figures by Friday", at: S.hlc(2_000, "B"))
        #expect(editB.hlc > delete.seen!)

        let editThenDelete = try S.replay([editB, delete], on: base)
        let deleteThenEdit = try S.replay([delete, editB], on: base)
        for (name, run) in [("edit then delete", editThenDelete), ("delete then edit", deleteThenEdit)] {
            #expect(!run.record.deleted, "\(name)")
            #expect(run.record.flagged, "\(name)")
            let note = try #require(Note(run.record), "\(name)")
            #expect(note.flagged, "\(name)")
            #expect(note.text == "Ask the ministry for the grain export figures by Friday", "\(name)")
            #expect(run.conflicts.map(\.rule) == [.editSurvivesDelete], "\(name)")
            #expect(run.conflicts.first?.kept("deleted") == false, "\(name)")
            #expect(run.statuses.contains(.merged), "\(name)")
        }
        #expect(editThenDelete.record.fields == deleteThenEdit.record.fields)
        #expect(editThenDelete.record.clocks == deleteThenEdit.record.clocks)
    }

    @Test("A delete that had seen every edit tombstones the note")
    func deleteAfterSeeingEdits() throws {
        let run = try S.replay(
            [create, edit("Ask the embassy for the grain export figures", at: S.hlc(2_000, "B")),
             S.delete(.note, "n1", at: S.hlc(3_000, "A"), seen: S.hlc(2_000, "B"))])
        #expect(run.record.deleted)
        #expect(run.record.deletedAt == S.hlc(3_000, "A"))
        #expect(!run.record.flagged)
        #expect(Note(run.record) == nil)
        #expect(run.conflicts.isEmpty)
        #expect(run.statuses == [.applied, .applied, .applied])
    }

    @Test("Replaying an edit the deleting device had already seen does not revive the note")
    func seenEditStaysDeleted() throws {
        let editB = edit("Ask the embassy for the grain export figures", at: S.hlc(2_000, "B"))
        let delete = S.delete(.note, "n1", at: S.hlc(3_000, "A"), seen: S.hlc(2_000, "B"))
        // As when device B rebases its pushed edit on a server state that already holds A's delete.
        let run = try S.replay([create, delete, editB])
        #expect(run.record.deleted)
        #expect(Note(run.record) == nil)
        #expect(run.statuses.last == .merged)
        #expect(run.conflicts.map(\.rule) == [.deleteWins])
    }

    @Test("Moving a note and taking it off its highlight: the later write wins, in either order, and no value can win")
    func highlightLastWriterWins() throws {
        let attached = try MergeRules.apply(
            S.upsert(.note, "n1", at: S.hlc(1_000, "A"), ["briefingID": .string(S.briefingID), "text": .string(Self.original), "highlightID": .string("h1")]),
            to: nil
        ).record
        let detach = S.upsert(.note, "n1", at: S.hlc(2_000, "A"), seen: S.hlc(1_000, "A"), ["highlightID": .null])
        let move = S.upsert(.note, "n1", at: S.hlc(2_500, "B"), seen: S.hlc(1_000, "A"), ["highlightID": .string("h2")])
        let laterDetach = S.upsert(.note, "n1", at: S.hlc(3_000, "A"), seen: S.hlc(1_000, "A"), ["highlightID": .null])

        for (name, order, winner) in [
            ("detach then later move", [detach, move], FieldValue.string("h2")),
            ("later move then detach", [move, detach], .string("h2")),
            ("move then later detach", [move, laterDetach], .null),
            ("later detach then move", [laterDetach, move], .null),
        ] {
            let run = try S.replay(order, on: attached)
            #expect(run.record.fields["highlightID"] == winner, "\(name)")
            #expect(Note(run.record)?.highlightID == winner.string, "\(name)")
            #expect(Note(run.record)?.text == Self.original, "\(name)")
            #expect(run.record.clocks["highlightID"] == max(order[0].hlc, order[1].hlc), "\(name)")
        }
        // The loser is recorded when it arrives second.
        let lateLoser = try S.replay([move, detach], on: attached)
        #expect(lateLoser.conflicts.map(\.rule) == [.lastWriterWins])
        #expect(lateLoser.conflicts.first?.field == "highlightID")
        // Readers see no value as "(none)", not as JSON.
        #expect(lateLoser.conflicts.first?.kept("(none)") == false)
        #expect(lateLoser.conflicts.first?.kept("h2") == true)
    }
}
