import BriefingModel
import BriefingTestSupport
import Foundation
import GRDB
import Testing

@testable import BriefingStore

/// The client store's side of bodies on demand: metadata and bodies kept apart, a body
/// stored only for the revision it belongs to, the newest stored ahead of a first sync and
/// dropped if the sync does not bring them, and a store from before the split upgraded whole.
@Suite("Client store: bodies on demand")
struct BodyStoreTests {
    static func briefing(_ id: String, revision: Int = 1, day: Int = 0) -> Briefing {
        Briefing.assemble(
            id: id, revisionNumber: revision, publishedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(day) * 86_400),
            title: "Briefing \(id)", byline: "By Lin Moss",
            sections: [(nil, ["The lead of \(id) at revision \(revision) mentions aquifers."]), ("Wells", ["Wells of \(id) are deep."])])
    }

    func store() async throws -> BriefingStore {
        let store = try BriefingStore.inMemory()
        try await store.saveLogin(serverURL: "http://127.0.0.1:1", user: "u", deviceID: "DEV-A", deviceName: "a", token: "t")
        return store
    }

    @Test("Metadata alone lists and searches a briefing without its body; the body, once stored, reads and is searched")
    func metadataThenBody() async throws {
        let store = try await store()
        let whole = Self.briefing("b1")
        try await store.applyPage([Change(kind: .briefing, id: "b1", payload: .briefingMetadata(whole.metadata))], cursor: "c1")
        #expect(try await store.briefings().map(\.downloaded) == [false])
        #expect(try await store.briefing(id: "b1") == nil)
        #expect(try await store.metadata(id: "b1") == whole.metadata)
        await #expect(throws: StoreError(.notDownloaded, "the body of b1 (“Briefing b1”) is not downloaded")) {
            try await store.resolveBriefing("b1")
        }
        #expect(try await store.search("Briefing b1").map(\.id) == ["b1"])
        #expect(try await store.search("deep").isEmpty, "the body is not searched before it is downloaded")
        await #expect { try await store.highlight(briefing: "b1", quote: "aquifers") } throws: {
            ($0 as? StoreError)?.code == .notDownloaded
        }

        #expect(try await store.saveBody(whole.body))
        #expect(try await store.briefing(id: "b1") == whole)
        #expect(try await store.search("deep").map(\.id) == ["b1"])
        _ = try await store.highlight(briefing: "b1", quote: "aquifers")

        // A body whose sections do not match the outline is refused; one of another revision is not stored.
        var wrong = whole.body
        wrong.sections.removeLast()
        await #expect(throws: StoreError.self) { try await store.saveBody(wrong) }
        let revised = Self.briefing("b1", revision: 2)
        #expect(try await store.saveBody(revised.body) == false)

        // A new revision's metadata drops the old body; evicting keeps the briefing searchable by its metadata.
        try await store.applyPage([Change(kind: .briefing, id: "b1", payload: .briefingMetadata(revised.metadata))], cursor: "c2")
        #expect(try await store.briefing(id: "b1") == nil)
        #expect(try await store.storageUsage().bytes == 0)
        #expect(try await store.saveBody(revised.body))
        try await store.evictBodies([revised.revision.id])
        #expect(try await store.briefing(id: "b1") == nil)
        #expect(try await store.search("deep").isEmpty)
        #expect(try await store.search("Briefing b1").map(\.id) == ["b1"])
    }

    @Test("The newest stored ahead of a first sync never replace what it brings, and leave when it completes without them")
    func provisional() async throws {
        let store = try await store()
        let kept = Self.briefing("kept", day: 2), gone = Self.briefing("gone", day: 3), newer = Self.briefing("kept", revision: 2, day: 2)
        try await store.saveProvisional([gone.metadata, kept.metadata])
        #expect(try await store.briefings().map(\.id) == ["gone", "kept"])
        try await store.applyPage([Change(kind: .briefing, id: "kept", payload: .briefingMetadata(newer.metadata))], cursor: "c1")
        try await store.saveProvisional([kept.metadata])
        #expect(try await store.metadata(id: "kept")?.revision.number == 2, "a provisional copy never replaces a synced one")
        try await store.applyPage([], cursor: "c2", finishing: true)
        #expect(try await store.briefings().map(\.id) == ["kept"])
    }

    @Test("A store from before bodies were kept apart is upgraded: each briefing's metadata and body split, searchable as before")
    func upgradeFromWholeBriefings() async throws {
        let queue = try DatabaseQueue()
        try ClientSchema.migrator.migrate(queue, upTo: "v2-search")
        let whole = Self.briefing("old")
        try await queue.write { db in
            try db.execute(
                sql: "INSERT INTO briefing (id, revisionID, revisionNumber, title, publication, publishedAt, body) VALUES (?, ?, 1, ?, NULL, NULL, ?)",
                arguments: [whole.id, whole.revision.id, whole.title, try CanonicalJSON.text(whole)])
            try SearchIndex.rebuild(db)
        }
        let store = try BriefingStore(database: queue)
        #expect(try await store.briefing(id: "old") == whole)
        #expect(try await store.metadata(id: "old") == whole.metadata)
        #expect(try await store.briefings().first?.bodySize == whole.metadata.bodySize)
        #expect(try await store.search("deep").map(\.id) == ["old"])
    }

    @Test("Under the budget nothing is evicted; past it the least recently read without the reader's marks go first, the marked last")
    func budgetOrder() async throws {
        let store = try await store()
        let briefings = (0..<4).map { Self.briefing("b\($0)", day: $0) }
        try await store.applyPage(briefings.map { Change(kind: .briefing, id: $0.id, payload: .briefing($0)) }, cursor: "c1")
        try await store.setStorageSettings(prefetchNewest: 1)
        // b0 highlighted, b1 read, b3 the newest, b2 only on the device.
        _ = try await store.highlight(briefing: "b0", quote: "aquifers")
        try await store.markRead(briefingID: "b1")
        var plan = try await store.bodyPlan()
        #expect(plan.evict.isEmpty && plan.fetch.isEmpty, "all four fit the default budget")

        let size = briefings.map(\.metadata.bodySize).max()!
        try await store.setStorageSettings(maxStorageBytes: 3 * size)
        plan = try await store.bodyPlan()
        #expect(plan.evict == [briefings[2].revision.id], "the body neither marked, read nor newest goes first")
        try await store.setStorageSettings(maxStorageBytes: 2 * size)
        plan = try await store.bodyPlan()
        #expect(Set(plan.evict) == [briefings[2].revision.id, briefings[3].revision.id], "then the newest not read")
        try await store.setStorageSettings(maxStorageBytes: size)
        plan = try await store.applyBodyPlan()
        #expect(Set(plan.evict) == Set([1, 2, 3].map { briefings[$0].revision.id }), "then the read; the highlighted stays")
        #expect(try await store.downloadedBriefings().map(\.id) == ["b0"])
        #expect(try await store.search("deep").map(\.id) == ["b0"], "evicted bodies leave the search index")
    }
}
