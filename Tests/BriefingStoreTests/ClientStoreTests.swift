import BriefingModel
import BriefingTestSupport
import Foundation
import GRDB
import GRDBSQLite
import Testing

@testable import BriefingStore

@Suite("Client store")
struct ClientStoreTests {
    static let briefing = Briefing.assemble(
        id: "b1", title: "A Test Briefing",
        sections: [(nil, ["The lead paragraph says the river is low this year."]), ("Findings", ["Reservoirs are at a third of capacity."])])

    /// A logged-in in-memory store holding one briefing.
    func makeStore() async throws -> BriefingStore {
        let store = try BriefingStore.inMemory()
        try await store.saveLogin(serverURL: "http://127.0.0.1:1", user: "u", deviceID: "DEV-A", deviceName: "a", token: "t")
        try await store.applyPage([Change(kind: .briefing, id: "b1", payload: .briefing(Self.briefing))], cursor: "c1")
        return store
    }

    @Test("Schemas/client.sql is exactly the migrated schema")
    func schemaFileMatchesMigrations() throws {
        let store = try BriefingStore.inMemory()
        #expect(try SchemaFiles.statements(in: store.database) == SchemaFiles.statements(inFile: "client.sql"))
    }

    @Test("A store file is WAL with synchronous = FULL on its writer, so a committed edit survives a power cut")
    func durableWrites() async throws {
        let store = try BriefingStore(path: TemporaryDirectory.make().appendingPathComponent("device.sqlite").path)
        let (mode, synchronous) = try await store.database.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(mode == "wal")
        #expect(synchronous == 2)
        // Pulled pages are written at NORMAL (they can be pulled again); the writer goes back to FULL.
        try await store.applyPage([Change(kind: .briefing, id: "b1", payload: .briefing(Self.briefing))], cursor: "c1")
        #expect(try await store.database.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
        #expect(try await store.briefings().count == 1)
    }

    @Test("A local change updates the record and queues a mutation, together")
    func localChangeQueuesMutation() async throws {
        let store = try await makeStore()
        let anchor = try Self.briefing.anchor(quote: "river is low")
        let record = try await store.change(
            .highlight, fields: ["briefingID": .string("b1"), "anchor": .anchor(anchor), "color": .string("green")])
        #expect(Highlight(record)?.color == "green")
        let pending = try await store.outboxBatch(limit: 10).mutations
        #expect(pending.count == 1)
        #expect(pending[0].id == record.id)
        #expect(pending[0].hlc.node == "DEV-A")
        #expect(try await store.record(.highlight, id: record.id) == record)
    }

    @Test("A change the merge rules refuse leaves neither record nor outbox entry")
    func refusedChangeIsAtomic() async throws {
        let store = try await makeStore()
        await #expect(throws: StoreError.self) {
            try await store.change(.highlight, fields: ["briefingID": .string("b1"), "color": .string("green")])
        }
        #expect(try await store.pendingCount() == 0)
        #expect(try await store.allRecords().isEmpty)
    }

    @Test("Clocks keep increasing across changes and absorb pulled clocks")
    func clockAdvances() async throws {
        let store = try await makeStore()
        let first = try await store.change(.bookmark, id: "b1", fields: ["briefingID": .string("b1"), "bookmarked": .bool(true)])
        let far = HLC(wallMillis: 9_000_000_000_000, counter: 3, node: "DEV-B")
        let pulled = UserRecord(kind: .note, id: "n1", fields: ["briefingID": .string("b1"), "text": .string("hi")], clocks: ["text": far, "briefingID": far])
        try await store.applyPage([Change(kind: .note, id: "n1", payload: .record(pulled))], cursor: "c2")
        let second = try await store.change(.bookmark, id: "b1", fields: ["bookmarked": .bool(false)])
        #expect(second.clocks["bookmarked"]! > first.clocks["bookmarked"]!)
        #expect(second.clocks["bookmarked"]! > far)
        #expect(try await store.syncState().cursor == "c2")
    }

    @Test("A pulled record is rebased under the device's pending changes")
    func rebaseKeepsPendingEdits() async throws {
        let store = try await makeStore()
        let anchor = try Self.briefing.anchor(quote: "Reservoirs")
        let mine = try await store.change(
            .highlight, fields: ["briefingID": .string("b1"), "anchor": .anchor(anchor), "color": .string("blue")])
        // The server's copy of the same highlight, recoloured earlier by another device.
        var server = mine
        server.fields["color"] = .string("pink")
        server.clocks["color"] = HLC(wallMillis: 1, counter: 0, node: "DEV-B")
        try await store.applyPage([Change(kind: .highlight, id: mine.id, payload: .record(server))], cursor: "c3")
        #expect(try await store.record(.highlight, id: mine.id)?.fields["color"] == .string("blue"))
        // Once acknowledged, the server's state is taken as it is.
        let pending = try await store.outboxBatch(limit: 10).mutations
        try await store.acknowledge(pending.map { MutationResult(mutationID: $0.mutationID, status: .applied) })
        try await store.applyPage([Change(kind: .highlight, id: mine.id, payload: .record(server))], cursor: "c4")
        #expect(try await store.record(.highlight, id: mine.id)?.fields["color"] == .string("pink"))
    }

    @Test("A rejected mutation leaves the outbox but is kept as a rejection")
    func rejectionIsKept() async throws {
        let store = try await makeStore()
        try await store.change(.bookmark, id: "b1", fields: ["briefingID": .string("b1"), "bookmarked": .bool(true)])
        let pending = try await store.outboxBatch(limit: 10).mutations
        try await store.acknowledge([MutationResult(mutationID: pending[0].mutationID, status: .rejected, reason: "foreign_id", message: "no")])
        try await store.acknowledge([MutationResult(mutationID: pending[0].mutationID, status: .rejected, reason: "foreign_id", message: "no")])
        #expect(try await store.pendingCount() == 0)
        let rejections = try await store.rejections()
        #expect(rejections.count == 1)
        #expect(rejections.first?.reason == "foreign_id")
        #expect(rejections.first?.mutation.kind == .bookmark)
    }

    @Test("Live records are counted and picked by position in the same ID order as they are listed")
    func liveRecordsByPosition() async throws {
        let store = try await makeStore()
        let other = Briefing.assemble(id: "b2", title: "Another Briefing", sections: [(nil, ["Ports are busy this spring."])])
        try await store.applyPage([Change(kind: .briefing, id: "b2", payload: .briefing(other))], cursor: "c2")
        for (id, briefingID) in [("N3", "b1"), ("N1", "b2"), ("N4", "b1"), ("N2", "b1")] {
            try await store.change(.note, id: id, fields: ["briefingID": .string(briefingID), "text": .string("note \(id)")])
        }
        try await store.change(.note, id: "N4", op: .delete)
        #expect(try await store.recordIDs(.note) == ["N1", "N2", "N3"])
        #expect(try await store.recordIDs(.note, briefingID: "b1") == ["N2", "N3"])
        #expect(try await store.liveRecordCount(.note) == 3)
        var picked: [String?] = []
        for index in 0..<4 { picked.append(try await store.liveRecordID(.note, at: index)) }
        #expect(picked == ["N1", "N2", "N3", nil])
        #expect(try await store.liveRecordCount(.highlight) == 0)
    }

    @Test("Reading an in-memory store leaves its compiled statements valid")
    func readsKeepStatementsCompiled() async throws {
        // SQLite expires every prepared statement of a connection when `PRAGMA query_only`
        // changes; a read that toggled it would make each later change compile its statements again.
        let store = try await makeStore()
        try await store.change(.bookmark, id: "b1", fields: ["briefingID": .string("b1"), "bookmarked": .bool(true)])
        for _ in 0..<3 {
            _ = try await store.syncState()
            _ = try await store.record(.bookmark, id: "b1")
            try await store.change(.bookmark, id: "b1", fields: ["bookmarked": .bool(false)])
            try await store.applyPage([], cursor: "c1")
        }
        let reprepared = try await store.database.write { db in
            let statement = try db.cachedStatement(sql: "SELECT deviceID, clock FROM syncState WHERE id = 1")
            return sqlite3_stmt_status(statement.sqliteStatement, SQLITE_STMTSTATUS_REPREPARE, 0)
        }
        #expect(reprepared == 0)
    }

    @Test("A resync drops synced data but keeps the outbox")
    func resyncKeepsOutbox() async throws {
        let store = try await makeStore()
        try await store.change(.bookmark, id: "b1", fields: ["briefingID": .string("b1"), "bookmarked": .bool(true)])
        try await store.resetForResync()
        #expect(try await store.briefings().isEmpty)
        #expect(try await store.pendingCount() == 1)
        #expect(try await store.syncState().cursor == nil)
    }

    @Test("Logging in as someone else with unsynced changes is refused")
    func loginSwitchProtectsPendingChanges() async throws {
        let store = try await makeStore()
        try await store.change(.bookmark, id: "b1", fields: ["briefingID": .string("b1"), "bookmarked": .bool(true)])
        await #expect(throws: StoreError.self) {
            try await store.saveLogin(serverURL: "http://127.0.0.1:1", user: "other", deviceID: "DEV-C", deviceName: nil, token: "t2")
        }
        #expect(try await store.pendingCount() == 1)
    }

    @Test("Logging in again as the same reader keeps pending changes, re-stamped for the new device")
    func reloginKeepsPendingChanges() async throws {
        let store = try await makeStore()
        try await store.change(.bookmark, id: "b1", fields: ["briefingID": .string("b1"), "bookmarked": .bool(true)])
        try await store.clearToken()
        try await store.saveLogin(serverURL: "http://127.0.0.1:1", user: "u", deviceID: "DEV-NEW", deviceName: nil, token: "t2")
        let pending = try await store.outboxBatch(limit: 10).mutations
        #expect(pending.count == 1)
        #expect(pending.first?.hlc.node == "DEV-NEW")
        let next = try await store.change(.bookmark, id: "b1", fields: ["bookmarked": .bool(false)])
        #expect(next.clocks["bookmarked"]?.node == "DEV-NEW")
        #expect(next.clocks["bookmarked"]! > pending[0].hlc)
    }

    @Test("Changes and their cursor survive reopening a store file")
    func durableOnDisk() async throws {
        let path = TemporaryDirectory.make().appendingPathComponent("device.sqlite").path
        do {
            let store = try BriefingStore(path: path)
            try await store.saveLogin(serverURL: "http://127.0.0.1:1", user: "u", deviceID: "DEV-A", deviceName: nil, token: "t")
            try await store.applyPage([Change(kind: .briefing, id: "b1", payload: .briefing(Self.briefing))], cursor: "c9")
            try await store.change(.bookmark, id: "b1", fields: ["briefingID": .string("b1"), "bookmarked": .bool(true)])
        }
        let reopened = try BriefingStore(path: path)
        #expect(try await reopened.pendingCount() == 1)
        #expect(try await reopened.syncState().cursor == "c9")
        #expect(try await reopened.briefing(id: "b1") == Self.briefing)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
}
