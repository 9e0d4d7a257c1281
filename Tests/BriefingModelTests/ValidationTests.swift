import BriefingModel
import Testing

/// A mutation the rules must refuse, with the code they must give.
struct RejectionCase: Sendable, CustomTestStringConvertible {
    var name: String
    var mutation: Mutation
    var current: UserRecord?
    var code: MutationRejection.Code

    var testDescription: String { name }
}

@Suite("Merge rules: validation")
struct ValidationTests {
    typealias S = Scenario

    static let highlightFields: [String: FieldValue] = [
        "briefingID": .string(S.briefingID), "anchor": .anchor(S.anchor), "color": .string("yellow"),
    ]
    static let existingHighlight = UserRecord(
        kind: .highlight, id: "h1", fields: highlightFields,
        clocks: highlightFields.mapValues { _ in S.hlc(1_000, "A") })

    static func highlight(_ fields: [String: FieldValue]) -> Mutation {
        S.upsert(.highlight, "h1", at: S.hlc(2_000, "B"), fields)
    }

    static let cases: [RejectionCase] = [
        RejectionCase(
            name: "a briefing is read-only content",
            mutation: S.upsert(.briefing, S.briefingID, at: S.hlc(2_000, "B"), ["title": .string("Mine now")]),
            code: .contentIsReadOnly),
        RejectionCase(
            name: "deleting a briefing is refused too",
            mutation: S.delete(.briefing, S.briefingID, at: S.hlc(2_000, "B")),
            code: .contentIsReadOnly),
        RejectionCase(
            name: "an editorial annotation is read-only content",
            mutation: S.upsert(.editorialAnnotation, "e1", at: S.hlc(2_000, "B"), ["label": .string("x")]),
            code: .contentIsReadOnly),
        RejectionCase(
            name: "conflict records are written by the server",
            mutation: S.upsert(.conflict, "c1", at: S.hlc(2_000, "B"), ["field": .string("x")]),
            code: .contentIsReadOnly),
        RejectionCase(
            name: "an unknown field",
            mutation: highlight(highlightFields.merging(["size": .string("large")]) { $1 }),
            code: .invalidFields),
        RejectionCase(
            name: "a colour given as a number",
            mutation: highlight(highlightFields.merging(["color": .number(0.5)]) { $1 }),
            code: .invalidFields),
        RejectionCase(
            name: "an anchor given as a string",
            mutation: highlight(["anchor": .string("p-1:4-9")]),
            current: existingHighlight,
            code: .invalidFields),
        RejectionCase(
            name: "an empty colour",
            mutation: highlight(["color": .string("")]),
            current: existingHighlight,
            code: .invalidFields),
        RejectionCase(
            name: "an upsert that sets no field",
            mutation: highlight([:]),
            current: existingHighlight,
            code: .invalidFields),
        RejectionCase(
            name: "creating a highlight without its colour",
            mutation: highlight(["briefingID": .string(S.briefingID), "anchor": .anchor(S.anchor)]),
            code: .invalidFields),
        RejectionCase(
            name: "creating a note without its text",
            mutation: S.upsert(.note, "n1", at: S.hlc(2_000, "B"), ["briefingID": .string(S.briefingID)]),
            code: .invalidFields),
        RejectionCase(
            name: "moving a highlight to another briefing",
            mutation: highlight(["briefingID": .string("b2")]),
            current: existingHighlight,
            code: .immutableField),
        RejectionCase(
            name: "a bookmark whose ID is not its briefing's",
            mutation: S.upsert(
                .bookmark, "b2", at: S.hlc(2_000, "B"), ["briefingID": .string(S.briefingID), "bookmarked": .bool(true)]),
            code: .invalidFields),
        RejectionCase(
            name: "reading progress whose ID is not its briefing's",
            mutation: S.upsert(
                .readingProgress, "progress-1", at: S.hlc(2_000, "B"),
                ["briefingID": .string(S.briefingID), "position": .number(0.5)]),
            code: .invalidFields),
        RejectionCase(
            name: "a position above 1",
            mutation: S.upsert(
                .readingProgress, S.briefingID, at: S.hlc(2_000, "B"),
                ["briefingID": .string(S.briefingID), "position": .number(1.5)]),
            code: .invalidFields),
        RejectionCase(
            name: "a position below 0",
            mutation: S.upsert(
                .readingProgress, S.briefingID, at: S.hlc(2_000, "B"),
                ["briefingID": .string(S.briefingID), "position": .number(-0.1)]),
            code: .invalidFields),
        RejectionCase(
            name: "a furthest that is not a number",
            mutation: S.upsert(
                .readingProgress, S.briefingID, at: S.hlc(2_000, "B"),
                ["briefingID": .string(S.briefingID), "furthest": .number(.nan)]),
            code: .invalidFields),
        RejectionCase(
            name: "a tag whose ID is not briefingID#name",
            mutation: S.upsert(
                .tag, "b1#other", at: S.hlc(2_000, "B"),
                ["briefingID": .string(S.briefingID), "name": .string("Urgent"), "adds": .strings(["x"])]),
            code: .invalidFields),
        RejectionCase(
            name: "deleting a tag instead of removing it",
            mutation: S.delete(.tag, "b1#urgent", at: S.hlc(2_000, "B")),
            code: .invalidFields),
        RejectionCase(
            name: "a clock with an invalid node",
            mutation: S.upsert(.highlight, "h1", at: HLC(wallMillis: 2_000, node: "device B"), highlightFields),
            code: .invalidFields),
        RejectionCase(
            name: "an ID that belongs to a record of another kind",
            mutation: S.upsert(.note, "h1", at: S.hlc(2_000, "B"), ["text": .string("hello")]),
            current: existingHighlight,
            code: .foreignID),
    ]

    @Test("Invalid mutations are rejected with the right code", arguments: cases)
    func rejects(_ rejection: RejectionCase) {
        let error = #expect(throws: MutationRejection.self) {
            try MergeRules.apply(rejection.mutation, to: rejection.current)
        }
        #expect(error?.code == rejection.code, "\(error?.description ?? "no error")")
    }

    @Test("Positions at both ends of 0…1 are accepted", arguments: [0.0, 1.0])
    func positionBounds(position: Double) throws {
        let result = try MergeRules.apply(
            S.upsert(
                .readingProgress, S.briefingID, at: S.hlc(2_000, "B"),
                ["briefingID": .string(S.briefingID), "position": .number(position)]),
            to: nil)
        #expect(ReadingProgress(result.record)?.position == position)
    }

    @Test("Re-sending the same briefing ID is not a change")
    func sameBriefingIDAccepted() throws {
        let result = try MergeRules.apply(
            Self.highlight(["briefingID": .string(S.briefingID), "color": .string("pink")]), to: Self.existingHighlight)
        #expect(result.status == .applied)
        #expect(Highlight(result.record)?.color == "pink")
    }

    @Test("A note may be created with an empty text and no highlight")
    func emptyNoteText() throws {
        let result = try MergeRules.apply(
            S.upsert(.note, "n1", at: S.hlc(2_000, "B"),
                     ["briefingID": .string(S.briefingID), "text": .string(""), "highlightID": .null]),
            to: nil)
        let note = try #require(Note(result.record))
        #expect(note.text == "")
        #expect(note.highlightID == nil)
    }
}
