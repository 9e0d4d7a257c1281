import BriefingModel
import BriefingTestSupport
import Foundation
import Testing

@testable import SyncServerCore

/// A device's pulls do not carry back what it wrote itself and holds; everything it may not
/// hold still reaches it.
@Suite("No echo")
struct NoEchoTests {
    /// One reader's device as the server sees it, with its cursor and mutation IDs.
    final class Device: @unchecked Sendable {
        let principal: Principal
        var cursor: String?
        var nextMutationID: Int64 = 1
        var clock: Int64 = 1_780_000_000_000

        init(_ principal: Principal) { self.principal = principal }

        func mutation(_ kind: EntityKind, _ id: String, _ fields: [String: FieldValue], seen: HLC?, baseText: String? = nil) -> Mutation {
            // As a hybrid clock does: past anything the device has seen.
            clock = max(clock, seen?.wallMillis ?? 0) + 10
            defer { nextMutationID += 1 }
            return Mutation(
                mutationID: nextMutationID, kind: kind, id: id, op: .upsert,
                hlc: HLC(wallMillis: clock, counter: 0, node: principal.deviceID), fields: fields, baseText: baseText, seen: seen)
        }
    }

    static let briefing = "grid-storage-winter"

    func service(_ kind: TestStore) async throws -> (SyncService, Device, Device) {
        let service = SyncService(store: try await kind.makeStore(), configuration: .init(bcryptCost: 4))
        try await DemoContent.load(into: service)
        func device() async throws -> Device {
            let session = try await service.createSession(user: DemoContent.user, password: DemoContent.password, deviceName: nil)
            return Device(try await service.authenticate(token: session.token))
        }
        let a = try await device(), b = try await device()
        for device in [a, b] { _ = try await pullAll(service, device) }
        return (service, a, b)
    }

    /// Pulls until caught up; the changes, in order.
    func pullAll(_ service: SyncService, _ device: Device, limit: Int = 500) async throws -> [Change] {
        var changes: [Change] = []
        while true {
            let page = try await service.pull(device.principal, cursor: device.cursor, limit: limit)
            changes += page.changes
            device.cursor = page.cursor.token
            if !page.hasMore { return changes }
        }
    }

    /// A sync's push: the batch with the device's cursor, and the page it carries.
    func push(_ service: SyncService, _ device: Device, _ mutations: [Mutation]) async throws -> [Change] {
        let (results, page) = try await service.push(
            device.principal, clientID: device.principal.deviceID, mutations: mutations, thenPull: (device.cursor, 500))
        #expect(results.allSatisfy { $0.status != .rejected })
        let carried = try #require(page)
        device.cursor = carried.cursor.token
        return carried.changes + (carried.hasMore ? try await pullAll(service, device) : [])
    }

    func record(_ changes: [Change], _ id: String) -> UserRecord? {
        for change in changes.reversed() where change.id == id {
            if case .record(let record) = change.payload { return record }
        }
        return nil
    }

    @Test("A device's new note and its edit of what it pulled do not come back to it; the other device gets both", arguments: TestStore.allCases)
    func ownWritesStayHome(_ kind: TestStore) async throws {
        let (service, a, b) = try await service(kind)
        let create = a.mutation(.note, "n-echo", ["briefingID": .string(Self.briefing), "text": .string("first")], seen: nil)
        #expect(try await push(service, a, [create]).isEmpty, "the new note is not echoed to its writer")
        let onB = try #require(record(try await pullAll(service, b), "n-echo"))
        #expect(onB.fields["text"] == .string("first"))

        // B edits what it pulled: B holds the result, A does not.
        let edit = b.mutation(.note, "n-echo", ["text": .string("second")], seen: onB.newestClock, baseText: "first")
        let echoed = try await push(service, b, [edit])
        #expect(echoed.isEmpty, "\(echoed)")
        #expect(record(try await pullAll(service, a), "n-echo")?.fields["text"] == .string("second"))
        #expect(try await pullAll(service, b).isEmpty)
    }

    @Test("An edit made on a state the device had not pulled comes back, as the server merged it", arguments: TestStore.allCases)
    func unseenStateComesBack(_ kind: TestStore) async throws {
        let (service, a, b) = try await service(kind)
        let base = "storage margins in a cold week"
        let create = a.mutation(.note, "n-seen", ["briefingID": .string(Self.briefing), "text": .string(base)], seen: nil)
        _ = try await push(service, a, [create])
        let pulled = try #require(record(try await pullAll(service, b), "n-seen"))
        // A edits it; B, not having pulled that edit, edits it too.
        let mine = a.mutation(.note, "n-seen", ["text": .string(base + ", from A")], seen: create.hlc, baseText: base)
        #expect(try await push(service, a, [mine]).isEmpty)
        b.clock = a.clock + 1000
        let theirs = b.mutation(.note, "n-seen", ["text": .string("B: " + base)], seen: pulled.newestClock, baseText: base)
        let back = try await push(service, b, [theirs])
        // B's edit met a state B did not hold: the server's outcome comes back to B (and to A),
        // with both edits in it.
        let merged = try #require(record(back, "n-seen"), "the merged state reaches the device that had not seen A's edit")
        #expect(merged.fields["text"] == .string("B: " + base + ", from A"))
        #expect(record(try await pullAll(service, a), "n-seen") == merged)
    }

    @Test("A pull from the start brings the device's own records on every page, until it has caught up", arguments: TestStore.allCases)
    func resyncGetsEverything(_ kind: TestStore) async throws {
        let (service, a, _) = try await service(kind)
        let notes = (0..<5).map { index in
            a.mutation(.note, "n-\(index)", ["briefingID": .string(Self.briefing), "text": .string("note \(index)")], seen: nil)
        }
        _ = try await push(service, a, notes)
        #expect(try await pullAll(service, a).isEmpty)
        // The store was lost: the device starts over with small pages.
        a.cursor = nil
        let again = try await pullAll(service, a, limit: 2)
        #expect(Set(again.filter { $0.kind == .note }.map(\.id)) == Set(notes.map(\.id)))
        // Caught up, the cursor is an ordinary one again: a new note of A's stays home.
        let more = a.mutation(.note, "n-late", ["briefingID": .string(Self.briefing), "text": .string("late")], seen: nil)
        #expect(try await push(service, a, [more]).isEmpty)
    }

    @Test("A push without a cursor still keeps a new record home, and a long-poll is not woken by its own device's write", arguments: TestStore.allCases)
    func longPollIgnoresOwnWrite(_ kind: TestStore) async throws {
        let (service, a, b) = try await service(kind)
        let cursor = a.cursor
        let own = a.mutation(.bookmark, Self.briefing, ["briefingID": .string(Self.briefing), "bookmarked": .bool(true)], seen: nil)
        _ = try await service.push(a.principal, clientID: a.principal.deviceID, mutations: [own])
        // A's own bookmark is all there is after its cursor: the wait runs out with nothing,
        // and the cursor has moved past the bookmark.
        let page = try await service.pull(a.principal, cursor: cursor, limit: 10, wait: 1)
        #expect(page.changes.isEmpty)
        #expect(page.cursor.token != cursor)
        #expect(try await pullAll(service, b).map(\.id) == [Self.briefing])
    }
}
