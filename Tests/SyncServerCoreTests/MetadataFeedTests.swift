import BriefingModel
import BriefingTestSupport
import Foundation
import Testing

@testable import SyncServerCore

/// The feed without bodies: a pull asked for `bodies=separate` carries each briefing's
/// metadata (the same in every other way, scopes and removals included), and the newest
/// briefings a device receives come on their own, newest first, on both stores.
@Suite("The metadata feed and the newest briefings")
struct MetadataFeedTests {
    static func briefing(_ id: String, publication: String?, day: Int, revision: Int = 1) -> Briefing {
        Briefing.assemble(
            id: id, revisionNumber: revision, publishedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(day) * 86_400),
            title: "Briefing \(id) r\(revision)", byline: "By Rae Holm", publication: publication,
            summary: day.isMultiple(of: 2) ? "A standfirst for \(id)." : nil,
            contributors: [Contributor(name: "Rae Holm", bio: "Rae Holm writes on water.")],
            sections: [
                (heading: nil, paragraphs: [String(repeating: "The lead of \(id) revision \(revision) runs long. ", count: 12)]),
                (heading: "Basins", paragraphs: ["A paragraph on basins.", "Another on quotas."]),
            ])
    }

    func service(_ kind: TestStore) async throws -> SyncService {
        let service = SyncService(store: try await kind.makeStore(), configuration: .init(bcryptCost: 4))
        for (index, (id, publication)) in [("n1", "North Review"), ("s1", "South Papers"), ("o1", nil), ("n2", "North Review")].enumerated() {
            try await service.publish(Self.briefing(id, publication: publication, day: index), editorial: [])
        }
        return service
    }

    func principal(_ service: SyncService, _ user: String, _ grants: Entitlements) async throws -> Principal {
        try await service.addUser(name: user, password: "secret-\(user)", grants: grants)
        let token = try await service.createSession(user: user, password: "secret-\(user)", deviceName: nil).token
        return try await service.authenticate(token: token)
    }

    func pullAll(_ service: SyncService, _ principal: Principal, cursor: String? = nil, bodies: BodyDelivery) async throws
        -> (changes: [Change], cursor: String)
    {
        var cursor = cursor
        var changes: [Change] = []
        while true {
            let page = try await service.pull(principal, cursor: cursor, limit: 2, bodies: bodies)
            changes += page.changes
            cursor = page.cursor.token
            if !page.hasMore { return (changes, cursor!) }
        }
    }

    @Test("A separate-bodies pull carries each briefing's metadata, equal to the briefing's own; everything else as inline", arguments: TestStore.allCases)
    func metadataPages(_ kind: TestStore) async throws {
        let service = try await service(kind)
        let reader = try await principal(service, "nora", .publications(["north-review"]))
        let inline = try await pullAll(service, reader, bodies: .inline)
        let separate = try await pullAll(service, reader, bodies: .separate)
        #expect(inline.changes.map(\.id) == separate.changes.map(\.id))
        #expect(inline.changes.map(\.id).sorted() == ["n1", "n2", "o1"])
        for (whole, meta) in zip(inline.changes, separate.changes) {
            guard case .briefing(let briefing) = whole.payload, case .briefingMetadata(let metadata) = meta.payload else {
                Issue.record("expected a briefing and its metadata, got \(whole.payload) and \(meta.payload)")
                continue
            }
            #expect(metadata == briefing.metadata)
            #expect(metadata.bodyHash == briefing.revision.id)
            #expect(metadata.outline.map(\.heading) == [nil, "Basins"])
            #expect(metadata.outline.map(\.paragraphs) == [1, 2])
            #expect(metadata.bodySize == (try CanonicalJSON.text(briefing.sections)).utf8.count)
            #expect(metadata.excerpt.count <= Briefing.excerptLimit + 1 && metadata.excerpt.hasPrefix("The lead of"))
            #expect(Briefing(metadata, sections: briefing.sections) == briefing)
        }

        // A new revision and a withdrawal come the same way after the cursor.
        try await service.publish(Self.briefing("n1", publication: "North Review", day: 9, revision: 2), editorial: [])
        try await service.withdraw(briefingID: "o1")
        let next = try await pullAll(service, reader, cursor: separate.cursor, bodies: .separate)
        #expect(next.changes.map(\.id) == ["n1", "o1"])
        guard case .briefingMetadata(let revised) = next.changes[0].payload else {
            Issue.record("a revision comes as metadata")
            return
        }
        #expect(revised.revision.number == 2)
        #expect(next.changes[1].payload == .removed)

        // A restore brings the metadata back (it was kept with the withdrawn body).
        try await service.restore(briefingID: "o1")
        let restored = try await pullAll(service, reader, cursor: next.cursor, bodies: .separate)
        guard case .briefingMetadata(let back) = restored.changes.first?.payload else {
            Issue.record("a restore comes as metadata, got \(restored.changes)")
            return
        }
        #expect(back.id == "o1")
    }

    @Test("The newest briefings a device receives, newest first, within its scopes; the limit is checked", arguments: TestStore.allCases)
    func newest(_ kind: TestStore) async throws {
        let service = try await service(kind)
        let north = try await principal(service, "nora", .publications(["north-review"]))
        #expect(try await service.newestBriefings(north, limit: 10).map(\.id) == ["n2", "o1", "n1"])
        #expect(try await service.newestBriefings(north, limit: 2).map(\.id) == ["n2", "o1"])
        let everyone = try await principal(service, "ed", .all)
        #expect(try await service.newestBriefings(everyone, limit: nil).map(\.id) == ["n2", "o1", "s1", "n1"])
        let none = try await principal(service, "zed", .publications([]))
        #expect(try await service.newestBriefings(none, limit: 5).map(\.id) == ["o1"])

        try await service.withdraw(briefingID: "n2")
        #expect(try await service.newestBriefings(north, limit: 10).map(\.id) == ["o1", "n1"], "withdrawn content is not listed")
        let metadata = try #require(try await service.newestBriefings(north, limit: 1).first)
        #expect(metadata == Self.briefing("o1", publication: nil, day: 2).metadata)

        for bad in [0, 101, -1] {
            await #expect(throws: SyncError.self) { try await service.newestBriefings(north, limit: bad) }
        }
    }

    @Test("An excerpt keeps whole sentences within its limit, else whole words with an ellipsis")
    func excerpts() {
        #expect(Briefing.excerpt(of: "Short.") == "Short.")
        let sentences = String(repeating: "A sentence of some length here. ", count: 20)
        let cut = Briefing.excerpt(of: sentences)
        #expect(cut.hasSuffix(".") && cut.count <= Briefing.excerptLimit)
        let words = String(repeating: "word ", count: 100)
        let wordCut = Briefing.excerpt(of: words)
        #expect(wordCut.hasSuffix("…") && !wordCut.contains("wor…") && wordCut.count <= Briefing.excerptLimit + 1)
        let unbroken = String(repeating: "x", count: 400)
        #expect(Briefing.excerpt(of: unbroken).count <= Briefing.excerptLimit + 1)
    }
}
