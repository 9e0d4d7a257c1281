import BriefingModel
import BriefingStore
import BriefingTestSupport
import Foundation
import SyncServerCore
import Testing

/// Bodies on demand as a reader meets them: a sync brings every briefing's metadata and the
/// bodies of the newest, `read` fetches any other and keeps it, offline the reader is told
/// what can be read, search says what it covered, and the storage budget evicts bodies
/// without taking the reader's highlights with them.
@Suite("Bodies on demand, end to end", .timeLimit(.minutes(10)))
struct BodiesOnDemandTests {
    /// Open briefings published after the demo content, newest last.
    static func publishExtra(_ service: SyncService, count: Int) async throws -> [Briefing] {
        var published: [Briefing] = []
        for index in 0..<count {
            let briefing = Briefing.assemble(
                id: "extra-\(index)", publishedAt: Date(timeIntervalSince1970: 1_900_000_000 + Double(index) * 86_400),
                title: "Extra briefing \(index) on harbour dredging", byline: "By Ada Quill",
                contributors: [Contributor(name: "Ada Quill", bio: "Ada Quill writes on ports.")],
                sections: [
                    (heading: nil, paragraphs: ["The lead of extra briefing \(index) sets out the dredging budget for the year."]),
                    (heading: "Silt and channels \(index)", paragraphs: ["Paragraph \(index) mentions the word sandbar\(index) only in its body."]),
                ])
            try await service.publish(briefing, editorial: [])
            published.append(briefing)
        }
        return published
    }

    func listed(_ device: Device) async throws -> [String: Bool] {
        let items = try #require(try await device.json("list") as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: items.map { ($0["id"] as! String, $0["downloaded"] as! Bool) })
    }

    @Test("A sync brings all metadata and the newest bodies; read fetches another and keeps it; offline, read says what can be read")
    func readOnDemandAndOffline() async throws {
        let device = Device("reader")
        try await withTestServer { server in
            let extra = try await Self.publishExtra(server.service, count: 5)
            #expect(await device.run("login", server.url, "--user", "demo", "--password-stdin", stdin: "demo").code == 0)
            let settings = await device.run("settings", "--prefetch", "2")
            #expect(settings.code == 0, "\(settings.err)")
            #expect(settings.out.contains("the newest 2 fetched ahead of reading"), "\(settings.out)")
            #expect(await device.run("sync").code == 0)

            var downloaded = try await listed(device)
            #expect(downloaded.count == 8, "every briefing's metadata: \(downloaded)")
            #expect(downloaded.filter(\.value).keys.sorted() == ["extra-3", "extra-4"], "the two newest only")
            #expect(await device.run("list").out.contains("not downloaded"))

            // Online, reading one not downloaded fetches it; it is then kept.
            let read = await device.run("read", "extra-0")
            #expect(read.code == 0, "\(read.err)")
            #expect(read.out.contains("sandbar0"))
            downloaded = try await listed(device)
            #expect(downloaded["extra-0"] == true)

            // A highlight on a body not downloaded fetches the body first.
            let highlight = await device.run("highlight", "add", "extra-1", "--quote", "sandbar1")
            #expect(highlight.code == 0, "\(highlight.err)")
            #expect(await device.run("sync").code == 0)
            #expect(try await listed(device)["extra-1"] == true)
            // Under the budget nothing is evicted: the bodies read or fetched stay with the newest.
            #expect(try await listed(device).filter(\.value).keys.sorted() == ["extra-0", "extra-1", "extra-3", "extra-4"])
            #expect(extra.map(\.id).last == "extra-4")
        }
        // The server is gone: what is downloaded reads; what is not says so and lists what can be read.
        #expect(await device.run("read", "extra-0").code == 0)
        let offline = await device.run("read", "grid-storage-winter")
        #expect(offline.code != 0)
        #expect(offline.err.contains("is not downloaded yet, and the server cannot be reached"), "\(offline.err)")
        #expect(offline.err.contains("readable offline: extra-4"), "\(offline.err)")
        #expect(offline.err.contains("extra-0"), "\(offline.err)")

        // Search covers every briefing's metadata and the downloaded bodies, and says so.
        let inBody = await device.run("search", "sandbar0")
        #expect(inBody.out.contains("[extra-0]"), "a downloaded body is searched: \(inBody.out)")
        #expect(inBody.out.contains("full text of the 4 downloaded"), "\(inBody.out)")
        let notDownloaded = await device.run("search", "sandbar2")
        #expect(notDownloaded.out.contains("No matches"), "a body not downloaded is not searched: \(notDownloaded.out)")
        let byTitle = await device.run("search", "Extra", "briefing", "2")
        #expect(byTitle.out.contains("[extra-2]"), "its metadata is: \(byTitle.out)")
    }

    @Test("The budget evicts bodies, least recently read first and the highlighted last; a highlight on an evicted body is not an orphan")
    func budgetAndEviction() async throws {
        let device = Device("tight")
        try await withTestServer { server in
            _ = try await Self.publishExtra(server.service, count: 4)
            #expect(await device.run("login", server.url, "--user", "demo", "--password-stdin", stdin: "demo").code == 0)
            #expect(await device.run("sync").code == 0)
            #expect(try await listed(device).values.allSatisfy { $0 }, "seven briefings fit the default budget and prefetch")
            #expect(await device.run("highlight", "add", "extra-0", "--quote", "sandbar0").code == 0)
            #expect(await device.run("read", "extra-2").code == 0)
            #expect(await device.run("sync").code == 0)

            // Room for about two bodies: the highlighted one first, then the one read.
            let store = try BriefingStore(path: device.storePath)
            let sizes = Dictionary(uniqueKeysWithValues: try await store.briefings().map { ($0.id, $0.bodySize) })
            let room = sizes["extra-0"]! + sizes["extra-2"]!
            let tight = await device.run("settings", "--max-storage", "0")
            #expect(tight.code == 0, "\(tight.err)")
            #expect(tight.out.contains("Applied now: 0 fetched, 7 evicted"), "\(tight.out)")
            #expect(try await listed(device).values.allSatisfy { !$0 }, "nothing kept at a budget of 0")
            let orphans = await device.run("orphans")
            #expect(orphans.out.contains("No orphaned highlights."), "\(orphans.out)")
            #expect(orphans.out.contains("1 highlight(s) on briefings whose bodies are not downloaded"), "\(orphans.out)")

            let reopened = try BriefingStore(path: device.storePath)
            try await reopened.setStorageSettings(maxStorageBytes: room)
            let plan = try await reopened.bodyPlan()
            #expect(plan.fetch.map(\.id) == ["extra-0", "extra-2"], "the highlighted, then the read; no room for the newest")
            #expect(await device.run("sync").code == 0)
            let kept = try await listed(device).filter(\.value).keys.sorted()
            #expect(kept == ["extra-0", "extra-2"])
        }
    }
}
