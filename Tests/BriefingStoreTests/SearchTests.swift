import BriefingModel
import BriefingStore
import Foundation
import Testing

@Suite("Offline search")
struct SearchTests {
    func briefing(_ id: String, title: String, heading: String = "Background", body: String) -> Briefing {
        Briefing.assemble(
            id: id, title: title,
            sections: [(nil, ["An opening paragraph about public policy and its trade-offs."]), (heading, [body])])
    }

    /// Four briefings and a note, each mentioning "reservoir" in a different place.
    func makeStore() async throws -> BriefingStore {
        let store = try BriefingStore.inMemory()
        try await store.saveLogin(serverURL: "http://127.0.0.1:1", user: "u", deviceID: "DEV-A", deviceName: "a", token: "t")
        let filler = "Budgets were set for the coming decade after long negotiation between the ministries."
        try await store.applyPage(
            [
                briefing("in-body", title: "Funding the Water Network", body: "\(filler) A new reservoir is planned upstream."),
                briefing("in-title", title: "Reservoir Politics", body: filler),
                briefing("in-heading", title: "Dry Summers Ahead", heading: "Reservoir levels", body: filler),
                briefing("in-note", title: "Port Cranes and Jobs", body: filler),
            ].map { Change(kind: .briefing, id: $0.id, payload: .briefing($0)) }, cursor: "c1")
        try await store.change(.note, id: "N1", fields: ["briefingID": .string("in-note"), "text": .string("Compare with the reservoir brief")])
        return store
    }

    @Test("title outranks headings, headings outrank your notes, notes outrank body text")
    func ranking() async throws {
        let store = try await makeStore()
        let hits = try await store.search("reservoir")
        #expect(hits.map(\.id) == ["in-title", "in-heading", "N1", "in-body"])
        #expect(hits[2].kind == .note)
        #expect(hits[2].briefingTitle == "Port Cranes and Jobs")
        #expect(hits.allSatisfy { $0.snippet.contains("«") && $0.snippet.contains("»") })
    }

    @Test("stems, prefixes and accents")
    func matching() async throws {
        let store = try await makeStore()
        #expect(try await store.search("reservoirs").count == 4)
        #expect(try await store.search("reserv*").count == 4)
        #expect(try await store.search("negotiation ministries").map(\.id).sorted() == ["in-body", "in-heading", "in-note", "in-title"])
        try await store.change(.note, id: "N2", fields: ["briefingID": .string("in-note"), "text": .string("Réunion à Liège")])
        #expect(try await store.search("liege reunion").map(\.id) == ["N2"])
    }

    @Test("query syntax is taken literally, and an empty query is refused")
    func literal() async throws {
        let store = try await makeStore()
        for query in ["\"reservoir", "reservoir AND", "NEAR(reservoir", "reservoir OR -", "title:reservoir"] {
            _ = try await store.search(query)
        }
        await #expect(throws: StoreError.self) { try await store.search("  \"*() ") }
    }

    /// The store's note N1 once the server has taken it, so pulled pages apply without a rebase.
    func acknowledgedNote(in store: BriefingStore) async throws -> UserRecord {
        let pending = try await store.outboxBatch(limit: 10).mutations
        try await store.acknowledge(pending.map { MutationResult(mutationID: $0.mutationID, status: .applied) })
        return try #require(try await store.record(.note, id: "N1"))
    }

    @Test("pulled notes are searched as the server has them: unchanged, rewritten, removed")
    func followsPulls() async throws {
        let store = try await makeStore()
        let note = try await acknowledgedNote(in: store)
        // The same note pulled back as it is: still found, once.
        try await store.applyPage([Change(kind: .note, id: "N1", payload: .record(note))], cursor: "c2")
        #expect(try await store.search("reservoir").map(\.id) == ["in-title", "in-heading", "N1", "in-body"])
        // Rewritten on another device.
        var rewritten = note
        rewritten.fields["text"] = .string("Compare with the canal brief")
        try await store.applyPage([Change(kind: .note, id: "N1", payload: .record(rewritten))], cursor: "c3")
        #expect(try await store.search("canal").map(\.id) == ["N1"])
        #expect(try await store.search("reservoir").map(\.id) == ["in-title", "in-heading", "in-body"])
        // Removed by the server.
        try await store.applyPage([Change(kind: .note, id: "N1", payload: .removed)], cursor: "c4")
        #expect(try await store.search("canal").isEmpty)
    }

    @Test("a page that writes one note twice, adds one and removes another is searched as it ends")
    func followsOnePage() async throws {
        let store = try await makeStore()
        let note = try await acknowledgedNote(in: store)
        var first = note, second = note, added = note
        first.id = "N7"
        first.fields["text"] = .string("Sluice gates first draft")
        second.id = "N7"
        second.fields["text"] = .string("Sluice gates final wording")
        added.id = "N8"
        added.fields["text"] = .string("Dredging schedule")
        try await store.applyPage(
            [
                Change(kind: .note, id: "N7", payload: .record(first)), Change(kind: .note, id: "N1", payload: .removed),
                Change(kind: .note, id: "N8", payload: .record(added)), Change(kind: .note, id: "N7", payload: .record(second)),
            ], cursor: "c2")
        #expect(try await store.search("sluice").map(\.id) == ["N7"])
        #expect(try await store.search("draft").isEmpty)
        #expect(try await store.search("final wording").map(\.id) == ["N7"])
        #expect(try await store.search("dredging").map(\.id) == ["N8"])
        #expect(try await store.search("reservoir").map(\.id) == ["in-title", "in-heading", "in-body"])
    }

    @Test("a page with more notes than one index statement takes is searched in full")
    func followsLargePage() async throws {
        let store = try await makeStore()
        let note = try await acknowledgedNote(in: store)
        let ids = (1...450).map { "K\($0)" }
        try await store.applyPage(
            ids.map { id in
                var record = note
                record.id = id
                record.fields["text"] = .string("Kelp survey plot \(id)")
                return Change(kind: .note, id: id, payload: .record(record))
            }, cursor: "c2")
        #expect(try await store.search("kelp", limit: 1000).count == 450)
        try await store.applyPage(ids.prefix(250).map { Change(kind: .note, id: $0, payload: .removed) }, cursor: "c3")
        #expect(Set(try await store.search("kelp", limit: 1000).map(\.id)) == Set(ids.suffix(200)))
        #expect(try await store.search("reservoir").map(\.id) == ["in-title", "in-heading", "N1", "in-body"])
    }

    @Test("edited and deleted notes are searched as they are now")
    func followsChanges() async throws {
        let store = try await makeStore()
        try await store.change(.note, id: "N1", fields: ["text": .string("Nothing about water here")])
        #expect(try await store.search("reservoir").map(\.id) == ["in-title", "in-heading", "in-body"])
        try await store.change(.note, id: "N1", op: .delete)
        #expect(try await store.search("nothing water").isEmpty)
    }
}
