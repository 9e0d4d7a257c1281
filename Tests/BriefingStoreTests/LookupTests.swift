import BriefingModel
import BriefingStore
import Foundation
import Testing

/// Readers name briefings, annotations and conflicts by the first characters of their IDs.
@Suite("Looking things up by ID prefix")
struct LookupTests {
    /// A store with 62 briefings (`brief-000` … `brief-059`, then `brief-0`, and `harbour-dues`),
    /// notes `n-1`, `n-10` and `n-2` (deleted), and 61 conflicts (`c-000` … `c-058`, then `c-0`,
    /// and `d-7f3a`). The exact IDs come last, behind every ID they begin.
    func makeStore() async throws -> BriefingStore {
        let store = try BriefingStore.inMemory()
        try await store.saveLogin(serverURL: "http://127.0.0.1:1", user: "u", deviceID: "DEV-A", deviceName: "a", token: "t")
        let briefingIDs = (0..<60).map { String(format: "brief-%03d", $0) } + ["brief-0", "harbour-dues"]
        let briefings = briefingIDs.map { id in
            Briefing.assemble(id: id, title: "Briefing \(id)", sections: [(nil, ["Harbour dues rose again this year, \(id)."])])
        }
        let conflictIDs = (0..<59).map { String(format: "c-%03d", $0) } + ["c-0", "d-7f3a"]
        let conflicts = conflictIDs.enumerated().map { index, id in
            let hlc = HLC(wallMillis: Int64(1_000 + index), node: "DEV-B")
            return ConflictRecord(
                id: id, kind: .bookmark, recordID: "brief-000", field: "record", rule: .deleteWins,
                values: [ConflictValue(value: "\"deleted\"", hlc: hlc, kept: true)], outcome: "not bookmarked", at: hlc)
        }
        try await store.applyPage(
            briefings.map { Change(kind: .briefing, id: $0.id, payload: .briefing($0)) }
                + conflicts.map { Change(kind: .conflict, id: $0.id, payload: .conflict($0)) },
            cursor: "c1")
        for id in ["n-1", "n-10", "n-2"] {
            try await store.change(.note, id: id, fields: ["briefingID": .string("brief-001"), "text": .string("note \(id)")])
        }
        try await store.change(.note, id: "n-2", op: .delete)
        return store
    }

    /// The store error `work` throws.
    func refusal(_ work: () async throws -> Void) async -> StoreError? {
        do {
            try await work()
            Issue.record("the lookup succeeded")
            return nil
        } catch let error as StoreError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("an exact ID wins however many IDs it begins, wherever it is stored")
    func exactWins() async throws {
        let store = try await makeStore()
        #expect(try await store.resolveBriefing("brief-0").id == "brief-0")
        #expect(try await store.conflict("c-0").id == "c-0")
        #expect(try await store.resolveRecord(.note, "n-1").id == "n-1")
    }

    @Test("a prefix of exactly one ID finds it")
    func uniquePrefix() async throws {
        let store = try await makeStore()
        #expect(try await store.resolveBriefing("harb").id == "harbour-dues")
        #expect(try await store.conflict("d-7").id == "d-7f3a")
        #expect(try await store.resolveRecord(.note, "n-10").id == "n-10")
    }

    @Test("a prefix of several IDs is refused with the true count and the first few")
    func ambiguous() async throws {
        let store = try await makeStore()
        let briefings = await refusal { _ = try await store.resolveBriefing("brief-") }
        #expect(briefings?.code == .invalid)
        #expect(briefings?.message == "brief- begins 61 briefing IDs (brief-0, brief-000, brief-001, brief-002, brief-003, …); give more of the ID")
        let conflicts = await refusal { _ = try await store.conflict("c-") }
        #expect(conflicts?.message.hasPrefix("c- begins 60 conflict IDs (c-0, c-000,") == true)
        let notes = await refusal { _ = try await store.resolveRecord(.note, "n-") }
        #expect(notes?.message == "n- begins 2 note IDs (n-1, n-10); give more of the ID")
    }

    @Test("nothing matching, a deleted record and LIKE wildcards are not found")
    func notFound() async throws {
        let store = try await makeStore()
        let deleted = await refusal { _ = try await store.resolveRecord(.note, "n-2") }
        #expect(deleted?.code == .notFound)
        #expect(deleted?.message == "no note n-2")
        for pattern in ["brief_0", "%", "brief-0%5", "\\"] {
            let error = await refusal { _ = try await store.resolveBriefing(pattern) }
            #expect(error?.code == .notFound, "\(pattern)")
        }
        let conflict = await refusal { _ = try await store.conflict("e") }
        #expect(conflict?.message == "no conflict e; see `briefing conflicts`")
        #expect(await refusal { _ = try await store.resolveRecord(.highlight, "n-1") }?.code == .notFound)
        // An empty prefix would begin every ID.
        let empty = await refusal { _ = try await store.conflict("") }
        #expect(empty?.code == .invalid)
        #expect(empty?.message == "give a conflict ID, or the start of one")
    }
}
