import BriefingModel
import BriefingTestSupport
import Foundation
import Testing

@testable import SyncServerCore

/// Entitlements: each account pulls open content and the publications it is entitled to;
/// a grant moves only the new publication's content, a revocation its removal, and the
/// reader's own records stay.
@Suite("Scoped sync: entitlements", .timeLimit(.minutes(10)))
struct ScopedSyncTests {
    final class Device: @unchecked Sendable {
        let principal: Principal
        var cursor: String?
        init(_ principal: Principal) { self.principal = principal }
    }

    static let layout: [(publication: String?, ids: [String])] = [
        ("North Review", ["n1", "n2", "n3"]), ("South Papers", ["s1", "s2"]), (nil, ["open1"]),
    ]

    static func briefing(_ id: String, publication: String?, revision: Int = 1) -> Briefing {
        Briefing.assemble(
            id: id, revisionNumber: revision, title: "Briefing \(id) r\(revision)", publication: publication,
            sections: [(heading: "One", paragraphs: ["The first paragraph of \(id), revision \(revision), about storage and grids."])])
    }

    func service(_ kind: TestStore) async throws -> SyncService {
        let service = SyncService(store: try await kind.makeStore(), configuration: .init(bcryptCost: 4))
        for (publication, ids) in Self.layout {
            for id in ids { try await service.publish(Self.briefing(id, publication: publication), editorial: []) }
        }
        return service
    }

    /// A new account entitled to `grants`, and one device of it: the device and its token.
    func reader(_ service: SyncService, _ user: String, _ grants: Entitlements) async throws -> (device: Device, token: String) {
        try await service.addUser(name: user, password: "secret-\(user)", grants: grants)
        let token = try await service.createSession(user: user, password: "secret-\(user)", deviceName: nil).token
        return (Device(try await service.authenticate(token: token)), token)
    }

    /// Pulls until caught up (the principal re-read, as each request does); the changes in order.
    func pullAll(_ service: SyncService, _ device: Device, token: String, limit: Int = 500) async throws -> [Change] {
        let principal = try await service.authenticate(token: token)
        var changes: [Change] = []
        while true {
            let page = try await service.pull(principal, cursor: device.cursor, limit: limit)
            changes += page.changes
            device.cursor = page.cursor.token
            if !page.hasMore { return changes }
        }
    }

    static func briefings(_ changes: [Change]) -> [String] {
        changes.compactMap { change in if case .briefing = change.payload { change.id } else { nil } }.sorted()
    }

    static func removed(_ changes: [Change]) -> [String] {
        changes.compactMap { change in if case .removed = change.payload, change.kind == .briefing { change.id } else { nil } }.sorted()
    }

    @Test("Accounts of different entitlements each pull open content and their own publications only", arguments: TestStore.allCases)
    func entitlementsFilterPulls(_ kind: TestStore) async throws {
        let service = try await service(kind)
        var tokens: [String: String] = [:]
        for (user, grants) in [("alice", Entitlements.publications(["north-review"])), ("bob", .publications(["south-papers"])), ("carol", .none), ("dana", .all)] {
            tokens[user] = try await reader(service, user, grants).token
        }
        func first(_ user: String) async throws -> [String] {
            let device = Device(try await service.authenticate(token: tokens[user]!))
            return Self.briefings(try await pullAll(service, device, token: tokens[user]!, limit: 2))
        }
        #expect(try await first("alice") == ["n1", "n2", "n3", "open1"])
        #expect(try await first("bob") == ["open1", "s1", "s2"])
        #expect(try await first("carol") == ["open1"])
        #expect(try await first("dana") == ["n1", "n2", "n3", "open1", "s1", "s2"])
        #expect(try await service.entitlements(user: "alice") == .publications(["north-review"]))
        let publications = try await service.publications()
        #expect(publications.map(\.key) == ["north-review", "south-papers"])
        #expect(publications.map(\.briefings) == [3, 2])
    }

    @Test(
        "A grant sends only the new publication's content, a revocation its removal; the reader's note on it stays",
        arguments: TestStore.allCases)
    func grantAndRevoke(_ kind: TestStore) async throws {
        let service = try await service(kind)
        let (device, token) = try await reader(service, "alice", .publications(["north-review"]))
        #expect(Self.briefings(try await pullAll(service, device, token: token)) == ["n1", "n2", "n3", "open1"])

        // A note on a south briefing, made while entitled to it, must outlive the entitlement.
        try await service.grant(user: "alice", publication: "South Papers")
        // Small pages, with a new north revision committed part-way through the backfill.
        let principal = try await service.authenticate(token: token)
        var changes: [Change] = []
        var page = try await service.pull(principal, cursor: device.cursor, limit: 1)
        changes += page.changes
        device.cursor = page.cursor.token
        try await service.publish(Self.briefing("n2", publication: "North Review", revision: 2), editorial: [])
        while page.hasMore {
            page = try await service.pull(principal, cursor: device.cursor, limit: 1)
            changes += page.changes
            device.cursor = page.cursor.token
        }
        changes += try await pullAll(service, device, token: token)
        #expect(Self.briefings(changes) == ["n2", "s1", "s2"], "the new publication's two briefings and the one revision, each once")
        let caughtUp = try Cursor(token: try #require(device.cursor))
        #expect(caughtUp.scopes == ["pub:north-review": .reading(nil), "pub:south-papers": .reading(nil)])

        let note = Mutation(
            mutationID: 1, kind: .note, id: "note-s1", op: .upsert, hlc: HLC(wallMillis: 1_780_000_000_000, node: principal.deviceID),
            fields: ["briefingID": .string("s1"), "text": .string("Keep this thought.")])
        let results = try await service.push(principal, clientID: principal.deviceID, mutations: [note])
        #expect(results.map(\.status) == [.applied])
        _ = try await pullAll(service, device, token: token)

        try await service.revoke(user: "alice", publication: "south-papers")
        let afterRevoke = try await pullAll(service, device, token: token, limit: 1)
        #expect(Self.removed(afterRevoke) == ["s1", "s2"])
        #expect(Self.briefings(afterRevoke).isEmpty)
        #expect(!afterRevoke.contains { $0.kind == .note }, "the note is the reader's: nothing about it changes")
        #expect(try await service.kernel.records(ofAccount: principal.accountID).map(\.id) == ["note-s1"])
        let revoked = try Cursor(token: try #require(device.cursor))
        #expect(revoked.scopes == ["pub:north-review": .reading(nil)])
        // Nothing more: the removal is not repeated, and what stays is not re-sent.
        #expect(try await pullAll(service, device, token: token).isEmpty)
        try await service.publish(Self.briefing("s1", publication: "South Papers", revision: 2), editorial: [])
        #expect(try await pullAll(service, device, token: token).isEmpty, "a publication revoked sends nothing new")

        // Granted again: its content comes back (the note re-attaches on the device).
        try await service.grant(user: "alice", publication: "south-papers")
        #expect(Self.briefings(try await pullAll(service, device, token: token)) == ["s1", "s2"])
    }

    @Test(
        "Entitled to all, then to some, then to all again: only the difference moves each time; a cursor from before scopes is still served",
        arguments: TestStore.allCases)
    func allThenSome(_ kind: TestStore) async throws {
        let service = try await service(kind)
        let (device, token) = try await reader(service, "erin", .all)
        #expect(Self.briefings(try await pullAll(service, device, token: token)).count == 6)
        // A cursor as servers before scoped content issued them covers what the holder reads now.
        let legacy = try Cursor(token: try #require(device.cursor))
        device.cursor = Cursor(epoch: legacy.epoch, seq: legacy.seq, horizon: legacy.horizon).token
        #expect(try await pullAll(service, device, token: token).isEmpty)

        await #expect(throws: SyncError.self) { try await service.revoke(user: "erin", publication: "north-review") }
        try await service.grant(user: "erin", publication: "north-review")
        try await service.revoke(user: "erin", publication: "*")
        let some = try await pullAll(service, device, token: token, limit: 2)
        #expect(Self.removed(some) == ["s1", "s2"], "open content and the publication kept stay")
        #expect(Self.briefings(some).isEmpty, "and are not sent again")
        #expect(try Cursor(token: try #require(device.cursor)).scopes == ["pub:north-review": .reading(nil)])

        try await service.publish(Self.briefing("n1", publication: "North Review", revision: 2), editorial: [])
        try await service.grant(user: "erin", publication: "*")
        let all = try await pullAll(service, device, token: token, limit: 1)
        #expect(Self.briefings(all) == ["n1", "s1", "s2"], "the new revision and the publication given back, nothing held already")
        #expect(Self.removed(all).isEmpty)
        #expect(try Cursor(token: try #require(device.cursor)).scopes == ["*": .reading(nil)])
    }
}

extension ScopedSyncTests {
    @Test("Withdraw and restore on either store: removals, then the briefing again; compaction keeps what is withdrawn", arguments: TestStore.allCases)
    func withdrawRestore(_ kind: TestStore) async throws {
        let service = try await service(kind)
        let (device, token) = try await reader(service, "finn", .all)
        _ = try await pullAll(service, device, token: token)
        try await service.withdraw(briefingID: "s1")
        let gone = try await pullAll(service, device, token: token)
        #expect(Self.removed(gone) == ["s1"] && Self.briefings(gone).isEmpty)
        await #expect(throws: SyncError.self) { try await service.withdraw(briefingID: "s1") }
        await #expect(throws: SyncError.self) { try await service.restore(briefingID: "n1") }
        _ = try await service.store.compact(before: Date().addingTimeInterval(3600))
        try await service.restore(briefingID: "s1")
        #expect(Self.briefings(try await pullAll(service, device, token: token)) == ["s1"])
    }
}

extension ScopedSyncTests {
    @Test("A briefing moved to another publication leaves the old one's readers and reaches the new one's, once each", arguments: TestStore.allCases)
    func movedBriefing(_ kind: TestStore) async throws {
        let service = try await service(kind)
        var devices: [String: (Device, String)] = [:]
        for (user, grants) in [("north", Entitlements.publications(["north-review"])), ("south", .publications(["south-papers"])),
                               ("both", .publications(["north-review", "south-papers"])), ("all", .all)] {
            let (device, token) = try await reader(service, user, grants)
            _ = try await pullAll(service, device, token: token)
            devices[user] = (device, token)
        }
        try await service.publish(Self.briefing("n3", publication: "South Papers", revision: 2), editorial: [])
        func pull(_ user: String) async throws -> [Change] { try await pullAll(service, devices[user]!.0, token: devices[user]!.1, limit: 1) }
        let north = try await pull("north")
        #expect(Self.removed(north) == ["n3"] && Self.briefings(north).isEmpty)
        let south = try await pull("south")
        #expect(Self.briefings(south) == ["n3"] && Self.removed(south).isEmpty)
        for user in ["both", "all"] {
            let changes = try await pull(user)
            #expect(Self.briefings(changes) == ["n3"] && Self.removed(changes).isEmpty, "\(user)")
        }
        // Given the old publication later, the south reader keeps it: the mark of what left
        // north is passed over for a reader of where it went.
        try await service.grant(user: "south", publication: "north-review")
        let granted = try await pull("south")
        #expect(Self.removed(granted).isEmpty)
        #expect(Self.briefings(granted) == ["n1", "n2"])
        // And a device that reads only the old one never gets it back.
        try await service.publish(Self.briefing("n3", publication: "South Papers", revision: 3), editorial: [])
        #expect(try await pull("north").isEmpty)
    }
}

extension ScopedSyncTests {
    @Test("A cursor whose scopes were edited is refused: it could walk a publication the caller may not read", arguments: TestStore.allCases)
    func forgedCursor(_ kind: TestStore) async throws {
        let service = try await service(kind)
        let (device, token) = try await reader(service, "gus", .none)
        #expect(Self.briefings(try await pullAll(service, device, token: token)) == ["open1"])
        func decoded(_ token: String) -> String {
            var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            return String(decoding: Data(base64Encoded: base64)!, as: UTF8.self)
        }
        func encoded(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let text = decoded(try #require(device.cursor))
        var parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        #expect(parts.count == 7 && parts[0] == "v2")
        // Claim to have held the north publication, so that its removal would be walked.
        parts[5] = "-pub:north-review@0"
        let forged = encoded(parts.joined(separator: "."))
        let principal = try await service.authenticate(token: token)
        await #expect(throws: SyncError.self) { _ = try await service.pull(principal, cursor: forged, limit: 50) }
        do {
            _ = try await service.pull(principal, cursor: forged, limit: 50)
        } catch let error as SyncError {
            #expect(error.code == .badCursor)
        }
        // The genuine one still works.
        #expect(try await service.pull(principal, cursor: device.cursor, limit: 50).changes.isEmpty)
    }

    @Test(
        "A long-poll waiting when its entitlement is revoked sends the removal, not what the publication published after; a revoked token ends it",
        arguments: TestStore.allCases)
    func revokedWhileWaiting(_ kind: TestStore) async throws {
        let service = try await service(kind)
        let (device, token) = try await reader(service, "wren", .publications(["north-review"]))
        #expect(Self.briefings(try await pullAll(service, device, token: token)) == ["n1", "n2", "n3", "open1"])
        let principal = try await service.authenticate(token: token)
        let cursor = device.cursor
        let poll = Task { try await service.pull(principal, cursor: cursor, limit: 500, wait: 20) }
        while service.kernel.signal.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
        try await service.revoke(user: "wren", publication: "north-review")
        try await service.publish(Self.briefing("n9", publication: "North Review"), editorial: [])
        let page = try await poll.value
        #expect(Self.briefings(page.changes).isEmpty, "nothing published after the revocation reaches the device")
        // The removal walks the whole lost scope, so it names n9 too (a record's latest state
        // may lie past the device's cursor, and a removal of what the device does not hold is a no-op).
        #expect(Self.removed(page.changes) == ["n1", "n2", "n3", "n9"], "the revocation's removals do")

        // A token revoked while its poll waits: the wake-up is refused, not served.
        let after = page.cursor.token
        let current = try await service.authenticate(token: token)
        let second = Task { try await service.pull(current, cursor: after, limit: 500, wait: 20) }
        while service.kernel.signal.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
        try await service.revoke(principal)
        try await service.publish(Self.briefing("open2", publication: nil), editorial: [])
        await #expect(throws: SyncError.self) { try await second.value }
    }
}

@Suite("Publication keys")
struct PublicationKeyTests {
    @Test(
        "Names become stable ASCII keys; other scripts a hash; no name is open content",
        arguments: [
            ("The Grid Review", "the-grid-review"), ("  Meridian   Policy Review ", "meridian-policy-review"),
            ("Süddeutsche Zeitung", "suddeutsche-zeitung"), ("Économie & Société", "economie-societe"), ("Straße 9", "strasse-9"),
            ("Ørsted / Æbleø", "orsted-aebleo"), ("FT", "ft"), ("", ""),
        ])
    func keys(_ name: String, _ key: String) {
        #expect(Publication.key(for: name) == key)
        if !key.isEmpty { #expect(Publication.isKey(key)) }
    }

    @Test("A long name is cut at 64 characters, never on a hyphen; a name in another script is keyed by its hash")
    func edges() {
        let long = Publication.key(for: String(repeating: "policy ", count: 20))
        #expect(long.count <= 64 && !long.hasSuffix("-") && Publication.isKey(long))
        let other = Publication.key(for: "日本経済新聞")
        #expect(other.hasPrefix("p-") && Publication.isKey(other) && other == Publication.key(for: "日本経済新聞"))
        #expect(other != Publication.key(for: "朝日新聞"))
        #expect(Publication.key(for: nil).isEmpty)
        #expect(!Publication.isKey("Upper") && !Publication.isKey("-x") && !Publication.isKey(""))
    }
}
