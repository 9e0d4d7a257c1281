import BriefingModel
import BriefingStore
import BriefingTestSupport
import Foundation
import SyncServerCore
import Testing

/// Entitlements as an operator and a reader meet them: `briefing-server grant`, `revoke`,
/// `entitlements` and `publications` on the database of a running server, and a device that
/// gets only its publications, loses one and keeps its notes.
@Suite("Entitlements, end to end", .timeLimit(.minutes(10)))
struct EntitlementTests {
    static let quote = "what German engineers call Dunkelflaute"

    func briefingIDs(_ device: Device) async throws -> [String] {
        let listed = try #require(try await device.json("list") as? [[String: Any]])
        return listed.compactMap { $0["id"] as? String }.sorted()
    }

    @Test("A reader gets only the publications granted; a revoked one leaves the device, its highlight and note stay and come back")
    func grantAndRevoke() async throws {
        let path = TemporaryDirectory.make().appendingPathComponent("server.sqlite").path
        try await withTestServer(databasePath: path) { server in
            let added = try await AdminCommandTests.run(
                ["user", "add", "ines", "--password-stdin", "--grant", "Meridian Policy Review", "--database", path], stdin: "pw-ines\n")
            #expect(added.code == 0, "\(added.err)")
            #expect(added.out.contains("entitled to meridian-policy-review"), "\(added.out)")
            let publications = try await AdminCommandTests.run(["publications", "--database", path])
            #expect(publications.out.contains("meridian-policy-review\tMeridian Policy Review\t1 briefing"), "\(publications.out)")

            let device = Device("ines-phone")
            let login = await device.run("login", server.url, "--user", "ines", "--password-stdin", stdin: "pw-ines")
            #expect(login.code == 0, "\(login.err)")
            #expect(await device.run("sync").code == 0)
            #expect(try await briefingIDs(device) == ["grid-storage-winter"])

            let highlight = try #require(
                try await device.json("highlight", "add", "grid-storage-winter", "--quote", Self.quote, "--color", "blue") as? [String: Any])
            let highlightID = try #require(highlight["id"] as? String)
            #expect(await device.run("note", "add", "grid-storage-winter", "--highlight", highlightID, "--text", "Ask about winter").code == 0)
            #expect(await device.run("sync").code == 0)

            let granted = try await AdminCommandTests.run(["grant", "ines", "tidewater-policy-review", "--database", path])
            #expect(granted.code == 0, "\(granted.err)")
            #expect(await device.run("sync").code == 0)
            #expect(try await briefingIDs(device) == ["grid-storage-winter", "port-automation-labour"])

            let revoked = try await AdminCommandTests.run(["revoke", "ines", "Meridian Policy Review", "--database", path])
            #expect(revoked.code == 0, "\(revoked.err)")
            #expect(revoked.out.contains("ines is entitled to tidewater-policy-review"), "\(revoked.out)")
            let entitlements = try await AdminCommandTests.run(["entitlements", "ines", "--json", "--database", path])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(entitlements.out.utf8)) as? [String: Any])
            #expect(object["publications"] as? [String] == ["tidewater-policy-review"])

            #expect(await device.run("sync").code == 0)
            #expect(try await briefingIDs(device) == ["port-automation-labour"])
            let orphans = try #require(try await device.json("orphans") as? [[String: Any]])
            #expect(orphans.map { $0["id"] as? String } == [highlightID])
            #expect(orphans.first?["quote"] as? String == Self.quote)
            #expect((orphans.first?["notes"] as? [[String: Any]])?.first?["text"] as? String == "Ask about winter")
            let text = await device.run("orphans")
            #expect(text.out.contains("not on this device"), "\(text.out)")

            #expect(try await AdminCommandTests.run(["grant", "ines", "meridian-policy-review", "--database", path]).code == 0)
            #expect(await device.run("sync").code == 0)
            #expect(try await briefingIDs(device) == ["grid-storage-winter", "port-automation-labour"])
            #expect(try #require(try await device.json("orphans") as? [[String: Any]]).isEmpty, "the highlight is placed again")

            // Refusals in words, changing nothing.
            let unknown = try await AdminCommandTests.run(["grant", "nobody", "meridian-policy-review", "--database", path])
            #expect(unknown.code == 1 && unknown.err.contains("no user nobody"), "\(unknown.err)")
            let notHeld = try await AdminCommandTests.run(["revoke", "ines", "confluence-policy-papers", "--database", path])
            #expect(notHeld.code == 1 && notHeld.err.contains("ines is not entitled to confluence-policy-papers"), "\(notHeld.err)")
            let blank = try await AdminCommandTests.run(["grant", "ines", " -- ", "--database", path])
            #expect(blank.code == 1 && blank.err.contains("name a publication"), "\(blank.err)")
            #expect(try await server.service.entitlements(user: "ines") == .publications(["meridian-policy-review", "tidewater-policy-review"]))
        }
    }
}
