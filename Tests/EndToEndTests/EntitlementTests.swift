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

    @Test("Two devices of one reader: one unsubscribes from publications and loses only their content; the other keeps everything")
    func subscriptions() async throws {
        try await withTestServer { server in
            let phone = Device("phone"), tablet = Device("tablet")
            for device in [phone, tablet] {
                #expect(await device.run("login", server.url, "--user", "demo", "--password-stdin", stdin: "demo").code == 0)
                #expect(await device.run("sync").code == 0)
            }
            let all = ["grid-storage-winter", "port-automation-labour", "river-basin-water-sharing"]
            #expect(try await briefingIDs(phone) == all)
            let listed = try #require(try await phone.json("subscriptions") as? [String: Any])
            #expect(listed["all"] as? Bool == true)
            #expect((listed["available"] as? [[String: Any]])?.count == 3)

            let highlight = try #require(
                try await phone.json("highlight", "add", "port-automation-labour", "--quote", "the", "--occurrence", "1") as? [String: Any])
            #expect(await phone.run("sync").code == 0)

            let dropped = await phone.run("unsubscribe", "tidewater-policy-review", "Confluence Policy Papers")
            #expect(dropped.code == 0, "\(dropped.err)")
            #expect(dropped.out.contains("[x] meridian-policy-review"), "\(dropped.out)")
            #expect(dropped.out.contains("[ ] tidewater-policy-review"), "\(dropped.out)")
            #expect(try await briefingIDs(phone) == ["grid-storage-winter"])
            #expect(try #require(try await phone.json("orphans") as? [[String: Any]]).map { $0["id"] as? String } == [highlight["id"] as? String])
            #expect(await tablet.run("sync").code == 0)
            #expect(try await briefingIDs(tablet) == all, "the other device keeps its own subscriptions")

            let back = try #require(try await phone.json("subscribe", "tidewater-policy-review") as? [String: Any])
            #expect(back["publications"] as? [String] == ["meridian-policy-review", "tidewater-policy-review"])
            let layer = try await BriefingStore(path: tablet.storePath).editorialAnnotations(briefingID: "port-automation-labour").count
            #expect(back["pulled"] as? Int == 1 + layer, "only the publication subscribed to travels: its briefing and editorial layer")
            #expect(try await briefingIDs(phone) == ["grid-storage-winter", "port-automation-labour"])
            let allAgain = try #require(try await phone.json("subscribe", "--all") as? [String: Any])
            #expect(allAgain["all"] as? Bool == true)
            #expect(try await briefingIDs(phone) == all)

            let unknown = await phone.run("subscribe", "The Daily Nothing")
            #expect(unknown.code != 0 && unknown.err.contains("no publication The Daily Nothing"), "\(unknown.err)")
            let neither = await phone.run("subscribe")
            #expect(neither.code != 0 && neither.err.contains("name one or more publications, or give --all"), "\(neither.err)")
        }
    }

    @Test("A device cannot subscribe to a publication its account is not entitled to")
    func notEntitled() async throws {
        try await withTestServer { server in
            try await server.service.addUser(name: "ola", password: "pw-ola", grants: .publications(["meridian-policy-review"]))
            let session = try await server.service.createSession(user: "ola", password: "pw-ola", deviceName: nil)
            let principal = try await server.service.authenticate(token: session.token)
            await #expect(throws: SyncError.self) { _ = try await server.service.setSubscriptions(principal, all: false, publications: ["tidewater-policy-review"]) }
            let response = try await rawRequest(
                "PUT", server.url + "/v1/subscriptions", token: session.token,
                body: Data(#"{"all":false,"publications":["tidewater-policy-review"]}"#.utf8))
            #expect(response.status == 400)
            #expect(String(decoding: response.body, as: UTF8.self).contains("not_entitled"))
            let state = try await server.service.subscriptions(try await server.service.authenticate(token: session.token))
            #expect(state.all && state.publications == ["meridian-policy-review"], "nothing changed")
        }
    }

    @Test("An editor withdraws a briefing: it leaves the device with its editorial layer, the reader's highlight stays; restored, all of it returns")
    func withdrawAndRestore() async throws {
        let path = TemporaryDirectory.make().appendingPathComponent("server.sqlite").path
        try await withTestServer(databasePath: path) { server in
            let device = Device("reader")
            #expect(await device.run("login", server.url, "--user", "demo", "--password-stdin", stdin: "demo").code == 0)
            #expect(await device.run("sync").code == 0)
            let highlight = try #require(
                try await device.json("highlight", "add", "grid-storage-winter", "--quote", Self.quote) as? [String: Any])
            #expect(await device.run("sync").code == 0)
            let layer = try await BriefingStore(path: device.storePath).editorialAnnotations(briefingID: "grid-storage-winter").count
            #expect(layer > 0)

            let withdrawn = try await AdminCommandTests.run(["withdraw", "grid-storage-winter", "--database", path])
            #expect(withdrawn.code == 0, "\(withdrawn.err)")
            #expect(await device.run("sync").code == 0)
            #expect(try await briefingIDs(device) == ["port-automation-labour", "river-basin-water-sharing"])
            #expect(try await BriefingStore(path: device.storePath).editorialAnnotations(briefingID: "grid-storage-winter").isEmpty)
            #expect(try #require(try await device.json("orphans") as? [[String: Any]]).map { $0["id"] as? String } == [highlight["id"] as? String])
            let again = try await AdminCommandTests.run(["withdraw", "grid-storage-winter", "--database", path])
            #expect(again.code == 1 && again.err.contains("no published briefing grid-storage-winter to withdraw"), "\(again.err)")

            // Compaction keeps what is withdrawn, so it can come back.
            _ = try await server.service.store.compact(before: Date().addingTimeInterval(3600))
            let restored = try await AdminCommandTests.run(["restore", "grid-storage-winter", "--database", path])
            #expect(restored.code == 0, "\(restored.err)")
            #expect(await device.run("sync").code == 0)
            #expect(try await briefingIDs(device) == ["grid-storage-winter", "port-automation-labour", "river-basin-water-sharing"])
            #expect(try await BriefingStore(path: device.storePath).editorialAnnotations(briefingID: "grid-storage-winter").count == layer)
            #expect(try #require(try await device.json("orphans") as? [[String: Any]]).isEmpty)
            let notWithdrawn = try await AdminCommandTests.run(["restore", "grid-storage-winter", "--database", path])
            #expect(notWithdrawn.code == 1 && notWithdrawn.err.contains("no withdrawn briefing"), "\(notWithdrawn.err)")
        }
    }
}
