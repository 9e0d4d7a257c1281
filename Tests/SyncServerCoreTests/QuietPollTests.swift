import BriefingModel
import BriefingTestSupport
import Foundation
import Testing

@testable import SyncServerCore

/// A quiet device's next long-poll from the cursor it was answered with parks without reading
/// the log, while no commit has been signalled for its scopes, and for a bounded time.
@Suite("Quiet long-polls", .timeLimit(.minutes(10)))
struct QuietPollTests {
    static let briefing = "grid-storage-winter"

    @Test("A poll after an empty one parks without reading until a commit is signalled; a signalled commit is read at once")
    func remembered() async throws {
        let store = try await TestStore.sqlite.makeStore()
        let heard = SyncService(store: store, configuration: .init(bcryptCost: 4))
        // A second service over the same database with its own signal: its writes are not
        // heard by the first, as a write by another process is not.
        let unheard = SyncService(store: store, configuration: .init(bcryptCost: 4))
        try await DemoContent.load(into: heard)
        func principal() async throws -> Principal {
            let session = try await heard.createSession(user: DemoContent.user, password: DemoContent.password, deviceName: nil)
            return try await heard.authenticate(token: session.token)
        }
        let reader = try await principal(), writer = try await principal()
        var cursor: String?
        while true {
            let page = try await heard.pull(reader, cursor: cursor, limit: 500)
            cursor = page.cursor.token
            if !page.hasMore { break }
        }
        func poll() async throws -> (page: ChangesPage, parked: Bool) {
            let (page, park) = try await heard.pollOrPark(reader, cursor: cursor, limit: 50, until: .now + .seconds(30))
            return (page, park != nil)
        }
        func bookmark(_ service: SyncService, _ id: Int64) async throws {
            let mutation = Mutation(
                mutationID: id, kind: .bookmark, id: Self.briefing, op: .upsert,
                hlc: HLC(wallMillis: 1_780_000_000_000 + id, counter: 0, node: writer.deviceID),
                fields: ["briefingID": .string(Self.briefing), "bookmarked": .bool(id % 2 == 1)], seen: nil)
            let results = try await service.push(writer, clientID: writer.deviceID, mutations: [mutation])
            #expect(results.allSatisfy { $0.status != .rejected })
        }

        let first = try await poll()
        #expect(first.page.changes.isEmpty && first.parked)
        cursor = first.page.cursor.token
        #expect(heard.kernel.signal.quietPolls.count == 1)

        // Unheard: the next poll parks on the remembered read, so it does not see the write.
        try await bookmark(unheard, 1)
        let second = try await poll()
        #expect(second.page.changes.isEmpty && second.parked)
        #expect(second.page.cursor.token == cursor)

        // A wake-up for everyone (as after a listener reconnects) forgets it: the write is read.
        heard.kernel.signal.notify()
        let third = try await poll()
        #expect(third.page.changes.map(\.id) == [Self.briefing])
        #expect(!third.parked)
        cursor = third.page.cursor.token

        // Quiet again, then a heard write to the reader's account is read at once.
        let fourth = try await poll()
        #expect(fourth.page.changes.isEmpty && fourth.parked)
        cursor = fourth.page.cursor.token
        try await bookmark(heard, 2)
        let fifth = try await poll()
        // The bookmark (with the conflict record its blind write made, which is the rule's business).
        #expect(fifth.page.changes.contains { $0.kind == .bookmark && $0.id == Self.briefing })
        #expect(!fifth.parked)
    }

    @Test("A remembered read stands in only for the same device, cursor, scopes and generation, and only for its lifetime")
    func bounds() {
        let quiet = QuietPolls()
        let cursor = Cursor(epoch: "e", seq: 10, scopes: ["open": .reading(nil)], secret: "s")
        let start = ContinuousClock.now
        let page = ChangesPage(changes: [], cursor: cursor, hasMore: false)
        quiet.remember(device: "d1", .init(cursor: cursor, scopes: ["open", "account:a"], generation: 7, at: start, page: page))
        func found(device: String = "d1", cursor: Cursor = cursor, scopes: [String] = ["open", "account:a"], generation: UInt64 = 7, after: Duration = .seconds(1)) -> Bool {
            quiet.page(device: device, cursor: cursor, scopes: scopes, generation: generation, now: start + after) != nil
        }
        #expect(found())
        #expect(!found(device: "d2"))
        #expect(!found(cursor: Cursor(epoch: "e", seq: 11, scopes: ["open": .reading(nil)], secret: "s")))
        #expect(!found(scopes: ["open", "pub:north", "account:a"]))
        #expect(!found(generation: 8))
        #expect(found(after: .seconds(59)))
        #expect(!found(after: QuietPolls.lifetime))
        quiet.forget(device: "d1")
        #expect(!found())
    }
}
