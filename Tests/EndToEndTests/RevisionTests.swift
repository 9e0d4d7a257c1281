import BriefingModel
import BriefingTestSupport
import Foundation
import SyncServerCore
import Testing

/// Editors revise an article on the real server; a reader's device with highlights on it syncs.
@Suite("Revisions over the real server")
struct RevisionTests {
    func login(_ device: Device, _ server: TestServer) async throws {
        let login = await device.run("login", server.url, "--user", "ana", "--password-stdin", stdin: "correct horse")
        #expect(login.code == 0, "\(login.err)")
        let sync = await device.run("sync")
        #expect(sync.code == 0, "\(sync.err)")
    }

    @Test(
        "a re-imported revision leaves every highlight anchored, relocated onto the right text, or orphaned and listed",
        .timeLimit(.minutes(10)), arguments: ArticleFixtures.names)
    func reanchored(name: String) async throws {
        let manifest = try ArticleFixtures.highlights(name)
        try await withTestServer(demo: false) { server in
            try await server.service.addUser(name: "ana", password: "correct horse", grants: .all)
            let importer = ArticleImporter(service: server.service, gazetteer: try Gazetteer.bundled())
            let first = try await importer.importArticle(ArticleFixtures.data(manifest.original), fileName: manifest.original)
            let device = Device("reader")
            try await login(device, server)
            var ids: [String: String] = [:]
            for item in manifest.highlights {
                let made = try #require(try await device.json("highlight", "add", first.id, "--quote", item.quote) as? [String: Any])
                ids[item.name] = try #require(made["id"] as? String)
            }
            let orphanName = try #require(manifest.highlights.first { $0.expect == .orphaned }?.name)
            _ = try await device.json("note", "add", first.id, "--highlight", ids[orphanName]!, "--text", "Check this figure")
            #expect(await device.run("sync").code == 0)

            let revised = try await importer.importArticle(ArticleFixtures.data(manifest.revised), fileName: manifest.revised)
            #expect(revised.outcome == .revised)
            #expect(revised.id == first.id)
            // The server resolves every reader's highlights with the same code, for the editor's report.
            #expect(revised.readerAnchors.values.reduce(0, +) == manifest.highlights.count)
            #expect(await device.run("sync").code == 0)

            let read = try #require(try await device.json("read", first.id, "--layers", "mine") as? [String: Any])
            let briefing = try #require(read["briefing"] as? [String: Any])
            #expect((briefing["revision"] as? [String: Any])?["number"] as? Int == 2)
            let highlights = try #require(read["highlights"] as? [[String: Any]])
            #expect(highlights.count == manifest.highlights.count)
            for item in manifest.highlights {
                let highlight = try #require(highlights.first { $0["id"] as? String == ids[item.name] }, "\(item.name) vanished")
                let placement = try #require(highlight["placement"] as? [String: Any])
                #expect(placement["status"] as? String == item.expect.rawValue, "\(item.name)")
                if let expected = item.expectedText {
                    #expect(placement["text"] as? String == expected, "\(item.name) is on the wrong text")
                } else {
                    #expect(placement["current"] == nil)
                }
                #expect(placement["madeOnRevision"] as? String == first.revisionID)
            }

            // Orphans are listed with their quote and note, never deleted.
            let orphans = try #require(try await device.json("orphans") as? [[String: Any]])
            #expect(orphans.map { $0["id"] as? String } == [ids[orphanName]])
            #expect((orphans.first?["notes"] as? [[String: Any]])?.first?["text"] as? String == "Check this figure")

            // Re-attached by hand, the highlight syncs as an edit and is no longer an orphan.
            let anywhere = try #require(manifest.highlights.first { $0.expect == .anchored }?.quote)
            let reattach = await device.run("highlight", "reattach", ids[orphanName]!, "--quote", anywhere)
            #expect(reattach.code == 0, "\(reattach.err)")
            #expect(await device.run("sync").code == 0)
            #expect((try await device.json("orphans") as? [[String: Any]])?.isEmpty == true)
            let other = Device("other")
            try await login(other, server)
            let onOther = try #require(try await other.json("highlight", "list") as? [[String: Any]])
            let moved = try #require(onOther.first { $0["id"] as? String == ids[orphanName] })
            #expect(moved["quote"] as? String == anywhere)
        }
    }

    @Test("search and export work with the server gone", .timeLimit(.minutes(10)))
    func offline() async throws {
        let device = Device("reader")
        let briefingID = try await withTestServer(demo: false) { server in
            try await server.service.addUser(name: "ana", password: "correct horse", grants: .all)
            let importer = ArticleImporter(service: server.service, gazetteer: try Gazetteer.bundled())
            let report = try await importer.importArticle(
                ArticleFixtures.data("urban-heat-plans.txt"), fileName: "urban-heat-plans.txt", sourceURL: "https://ledger.example/heat")
            _ = try await importer.service.kernel.annotate(
                briefingID: report.id, quote: "climate shelters", occurrence: 1, kind: .note, text: "Visit one in July.", label: nil)
            try await login(device, server)
            let highlight = try #require(
                try await device.json("highlight", "add", report.id, "--quote", "climate shelters", "--occurrence", "1") as? [String: Any])
            _ = try await device.json("note", "add", report.id, "--highlight", highlight["id"] as! String, "--text", "Ask about evening opening hours")
            #expect(await device.run("sync").code == 0)
            return report.id
        }

        // The server is stopped: everything below reads the local store only.
        let hits = try #require(try await device.json("search", "evening", "opening") as? [[String: Any]])
        #expect(hits.first?["kind"] as? String == "note")
        #expect((hits.first?["snippet"] as? String)?.contains("«evening»") == true)
        let titleHits = try #require(try await device.json("search", "heat") as? [[String: Any]])
        #expect(titleHits.first?["kind"] as? String == "briefing")
        #expect(titleHits.first?["id"] as? String == briefingID)

        let markdown = await device.run("export", briefingID, "--format", "markdown")
        #expect(markdown.code == 0, "\(markdown.err)")
        #expect(markdown.out.contains("==climate shelters==[^1]"))
        #expect(markdown.out.contains("Ask about evening opening hours"))
        #expect(markdown.out.contains("### Timeline"))
        #expect(markdown.out.contains("Visit one in July."))

        let json = try #require(try await device.json("export", briefingID, "--format", "json") as? [String: Any])
        #expect(json["@context"] as? String == "http://www.w3.org/ns/anno.jsonld")
        let items = try #require(json["items"] as? [[String: Any]])
        let mine = try #require(items.first { $0["motivation"] as? String == "highlighting" })
        let target = try #require(mine["target"] as? [String: Any])
        #expect(target["source"] as? String == "https://ledger.example/heat")
        let selectors = try #require(target["selector"] as? [[String: Any]])
        let quote = try #require(selectors.first { $0["type"] as? String == "TextQuoteSelector" })
        #expect(quote["exact"] as? String == "climate shelters")
        #expect((quote["prefix"] as? String)?.isEmpty == false)
        let fragment = try #require(selectors.first { $0["type"] as? String == "FragmentSelector" })
        let position = try #require((fragment["refinedBy"] as? [[String: Any]])?.first)
        #expect(position["type"] as? String == "TextPositionSelector")
        #expect((position["end"] as? Int ?? 0) - (position["start"] as? Int ?? 0) == "climate shelters".unicodeScalars.count)
        #expect(mine["briefings:revision"] as? String == (json["briefing"] as? [String: Any])?["revisionID"] as? String)
        let bodies = try #require(mine["body"] as? [[String: Any]])
        #expect(bodies.contains { $0["purpose"] as? String == "commenting" && $0["value"] as? String == "Ask about evening opening hours" })
        #expect(items.contains { $0["motivation"] as? String == "identifying" })
        #expect(items.contains { ($0["creator"] as? [String: Any])?["type"] as? String == "Organization" })
    }
}
