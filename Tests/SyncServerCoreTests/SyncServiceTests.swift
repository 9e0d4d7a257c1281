import BriefingModel
import BriefingTestSupport
import Foundation
import GRDB
import Testing

@testable import SyncServerCore

@Suite("Sync service (in-process)")
struct SyncServiceTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    struct Fixture {
        var service: SyncService
        var principal: Principal
    }

    func makeFixture() async throws -> Fixture {
        let service = SyncService(store: try SQLiteServerStore.inMemory(), configuration: .init(bcryptCost: 4), now: { Self.now })
        try await DemoContent.load(into: service)
        let session = try await service.createSession(user: "demo", password: "demo", deviceName: "test")
        return Fixture(service: service, principal: try await service.authenticate(token: session.token))
    }

    func bookmark(_ fixture: Fixture, _ mutationID: Int64, briefing: String = "grid-storage-winter", millis: Int64? = nil, on: Bool = true) -> Mutation {
        Mutation(
            mutationID: mutationID, kind: .bookmark, id: briefing, op: .upsert,
            hlc: HLC(wallMillis: millis ?? Int64(Self.now.timeIntervalSince1970 * 1000) + mutationID, counter: 0, node: fixture.principal.deviceID),
            fields: ["briefingID": .string(briefing), "bookmarked": .bool(on)])
    }

    @Test("Schemas/server.sql is exactly the migrated schema")
    func schemaFileMatchesMigrations() throws {
        let store = try SQLiteServerStore.inMemory()
        #expect(try SchemaFiles.statements(in: store.database) == SchemaFiles.statements(inFile: "server.sql"))
    }

    @Test("The server's database is WAL with synchronous = FULL on its writer: acknowledged means on disk")
    func durableCommits() async throws {
        let store = try SQLiteServerStore(path: TemporaryDirectory.make().appendingPathComponent("server.sqlite").path)
        let (mode, synchronous) = try await store.database.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(mode == "wal")
        #expect(synchronous == 2)
    }

    @Test("Tokens and passwords are stored only as hashes")
    func secretsHashedAtRest() async throws {
        let service = SyncService(store: try SQLiteServerStore.inMemory(), configuration: .init(bcryptCost: 4))
        try await service.addUser(name: "reader", password: "correct horse", grants: .all)
        let session = try await service.createSession(user: "reader", password: "correct horse", deviceName: nil)
        let dump = try await service.sqlite.database.read { db in
            try Row.fetchAll(db, sql: "SELECT passwordHash FROM account").map { $0["passwordHash"] as String }
                + Row.fetchAll(db, sql: "SELECT tokenHash FROM device").map { $0["tokenHash"] as String }
        }
        #expect(!dump.contains { $0.contains("correct horse") || $0.contains(session.token) })
        #expect(dump[0].hasPrefix("$2"))
        await #expect(throws: SyncError.self) { try await service.createSession(user: "reader", password: "wrong", deviceName: nil) }
        await #expect(throws: SyncError.self) { try await service.createSession(user: "nobody", password: "x", deviceName: nil) }
    }

    @Test("Pulls come in bounded pages that resume from the cursor")
    func pagedPulls() async throws {
        let fixture = try await makeFixture()
        var cursor: String?
        var seen: [String] = []
        var pages = 0
        repeat {
            let page = try await fixture.service.pull(fixture.principal, cursor: cursor, limit: 7)
            #expect(page.changes.count <= 7)
            seen += page.changes.map { "\($0.kind.rawValue)/\($0.id)" }
            cursor = page.cursor.token
            pages += 1
            if !page.hasMore { break }
        } while true
        #expect(pages > 1)
        #expect(Set(seen).count == seen.count)
        #expect(seen.filter { $0.hasPrefix("briefing/") }.count == 3)
        // Caught up: an empty page with the same cursor.
        let last = try await fixture.service.pull(fixture.principal, cursor: cursor, limit: 7)
        #expect(last.changes.isEmpty && !last.hasMore)
        #expect(last.cursor.token == cursor)
    }

    @Test("A push is idempotent by mutation ID and ordered within a batch")
    func idempotency() async throws {
        let fixture = try await makeFixture()
        let batch = [bookmark(fixture, 1), bookmark(fixture, 2, on: false)]
        let first = try await fixture.service.push(fixture.principal, clientID: fixture.principal.deviceID, mutations: batch)
        #expect(first.map(\.status) == [.applied, .applied])
        let again = try await fixture.service.push(fixture.principal, clientID: fixture.principal.deviceID, mutations: batch)
        #expect(again.map(\.status) == [.duplicate, .duplicate])
        await #expect(throws: SyncError.self) {
            try await fixture.service.push(
                fixture.principal, clientID: fixture.principal.deviceID, mutations: [bookmark(fixture, 5), bookmark(fixture, 4)])
        }
    }

    @Test("A rejected mutation is answered the same way when repeated")
    func rejectionIsRemembered() async throws {
        let fixture = try await makeFixture()
        let unknown = bookmark(fixture, 1, briefing: "no-such-briefing")
        let first = try await fixture.service.push(fixture.principal, clientID: fixture.principal.deviceID, mutations: [unknown])
        #expect(first[0].status == .rejected)
        let again = try await fixture.service.push(fixture.principal, clientID: fixture.principal.deviceID, mutations: [unknown])
        #expect(again[0].status == .rejected)
        #expect(again[0].reason == first[0].reason)
    }

    @Test("Clocks too far ahead of the server, or of another device, are refused")
    func clockChecks() async throws {
        let fixture = try await makeFixture()
        let ahead = bookmark(fixture, 1, millis: Int64((Self.now.timeIntervalSince1970 + 3 * 86_400) * 1000))
        var spoofed = bookmark(fixture, 2)
        spoofed.hlc.node = "SOMEONE-ELSE"
        let results = try await fixture.service.push(fixture.principal, clientID: fixture.principal.deviceID, mutations: [ahead, spoofed])
        #expect(results.map(\.reason) == ["clock_skew", "invalid_fields"])
    }

    @Test("Cursors from another database or behind the horizon require a resync")
    func resync() async throws {
        let fixture = try await makeFixture()
        let page = try await fixture.service.pull(fixture.principal, cursor: nil, limit: 5)
        try await fixture.service.sqlite.database.write { db in
            try db.execute(sql: "UPDATE meta SET value = '1000000' WHERE key = 'horizon'")
        }
        await #expect(throws: SyncError(.resyncRequired, "the cursor is older than the tombstone horizon; resync from the start")) {
            try await fixture.service.pull(fixture.principal, cursor: page.cursor.token, limit: 5)
        }
        let foreign = Cursor(epoch: "elsewhere", seq: 1).token
        await #expect(throws: SyncError.self) { try await fixture.service.pull(fixture.principal, cursor: foreign, limit: 5) }
        await #expect(throws: SyncError.self) { try await fixture.service.pull(fixture.principal, cursor: "%%%", limit: 5) }
    }

    @Test("A batch that skips mutation IDs is refused whole")
    func gapRefused() async throws {
        let fixture = try await makeFixture()
        _ = try await fixture.service.push(fixture.principal, clientID: fixture.principal.deviceID, mutations: [bookmark(fixture, 1)])
        await #expect(throws: SyncError.self) {
            try await fixture.service.push(fixture.principal, clientID: fixture.principal.deviceID, mutations: [bookmark(fixture, 3)])
        }
        let next = try await fixture.service.push(fixture.principal, clientID: fixture.principal.deviceID, mutations: [bookmark(fixture, 2)])
        #expect(next.map(\.status) == [.applied])
    }

    @Test("Compaction removes old tombstones only, and cursors behind them must resync")
    func compaction() async throws {
        let clock = TestClock(Self.now)
        let service = SyncService(
            store: try SQLiteServerStore.inMemory(), configuration: .init(bcryptCost: 4, tombstoneRetention: 86_400), now: { clock.now })
        try await DemoContent.load(into: service)
        let session = try await service.createSession(user: "demo", password: "demo", deviceName: nil)
        let principal = try await service.authenticate(token: session.token)
        func hlc(_ offset: Int64) -> HLC { HLC(wallMillis: Int64(clock.now.timeIntervalSince1970 * 1000) + offset, counter: 0, node: principal.deviceID) }
        let create = Mutation(
            mutationID: 1, kind: .note, id: "n1", op: .upsert, hlc: hlc(0),
            fields: ["briefingID": .string("grid-storage-winter"), "text": .string("gone soon")])
        _ = try await service.push(principal, clientID: principal.deviceID, mutations: [create])
        let early = try await service.pull(principal, cursor: nil, limit: 1000)
        let delete = Mutation(mutationID: 2, kind: .note, id: "n1", op: .delete, hlc: hlc(1), seen: hlc(0))
        _ = try await service.push(principal, clientID: principal.deviceID, mutations: [delete])
        let caughtUp = try await service.pull(principal, cursor: nil, limit: 1000)

        #expect(try await service.compact().removed == 0)
        clock.now = clock.now.addingTimeInterval(2 * 86_400)
        let result = try await service.compact()
        #expect(result.removed == 1)
        await #expect(throws: SyncError.self) { try await service.pull(principal, cursor: early.cursor.token, limit: 10) }
        // A device that had seen the tombstone carries on; the log never reuses its number.
        let after = try await service.pull(principal, cursor: caughtUp.cursor.token, limit: 10)
        #expect(after.changes.isEmpty)
        let bookmark = Mutation(
            mutationID: 3, kind: .bookmark, id: "grid-storage-winter", op: .upsert, hlc: hlc(0),
            fields: ["briefingID": .string("grid-storage-winter"), "bookmarked": .bool(true)])
        _ = try await service.push(principal, clientID: principal.deviceID, mutations: [bookmark])
        // Read by another device of the reader's (the writer holds it already: no echo).
        let other = try await service.authenticate(
            token: try await service.createSession(user: "demo", password: "demo", deviceName: nil).token)
        let next = try await service.pull(other, cursor: caughtUp.cursor.token, limit: 10)
        #expect(next.changes.map(\.id) == ["grid-storage-winter"])
    }

    @Test("Removing a user removes their devices and data, and no one else's")
    func removeUser() async throws {
        let fixture = try await makeFixture()
        _ = try await fixture.service.push(fixture.principal, clientID: fixture.principal.deviceID, mutations: [bookmark(fixture, 1)])
        try await fixture.service.addUser(name: "other", password: "pw", grants: .all)
        try await fixture.service.store.removeAccount(name: "demo")
        await #expect(throws: SyncError.self) { try await fixture.service.authenticate(token: "anything") }
        #expect(try await fixture.service.store.accounts().map(\.name) == ["other"])
        #expect(try await fixture.service.kernel.records(ofAccount: fixture.principal.accountID).isEmpty)
        #expect(try await fixture.service.store.briefingCount() == 3)
    }

    @Test("The demo content anchors every editorial annotation")
    func demoContent() throws {
        let demo = try DemoContent.briefings()
        #expect(demo.count >= 3)
        for (briefing, editorial) in demo {
            #expect(briefing.sections.filter { $0.heading != nil }.count >= 4)
            #expect(!briefing.contributors.isEmpty)
            #expect(briefing.imageCredit != nil && briefing.publication != nil)
            #expect(Set(editorial.map(\.kind)).count == EditorialKind.allCases.count)
            for annotation in editorial {
                #expect(briefing.text(at: annotation.anchor) == annotation.anchor.exact)
            }
        }
    }
}

/// A settable clock for tests.
final class TestClock: @unchecked Sendable {
    // Only the test's own task touches it, one step at a time.
    var now: Date
    init(_ now: Date) { self.now = now }
}
