import BriefingModel
import BriefingStore
import BriefingTestSupport
import Foundation
import SyncServerCore
import Testing

/// Two stores logged in as the same user, driven through the real CLI against the real server.
@Suite("Two devices, one reader")
struct TwoDeviceTests {
    static let quote = "what German engineers call Dunkelflaute"

    /// Logs both devices in and syncs them.
    func loginBoth(_ server: TestServer, _ a: Device, _ b: Device) async throws {
        for device in [a, b] {
            await login(device, server)
            let sync = await device.run("sync")
            #expect(sync.code == 0, "\(sync.err)")
        }
    }

    /// Logs a device in as the demo reader through the CLI.
    func login(_ device: Device, _ server: TestServer) async {
        let login = await device.run(
            "login", server.url, "--user", "demo", "--password-stdin", "--device-name", device.name, stdin: "demo")
        #expect(login.code == 0, "\(login.err)")
    }

    /// The reader's records on a device, tombstones included.
    func records(_ device: Device) async throws -> [UserRecord] {
        try await BriefingStore(path: device.storePath).allRecords()
    }

    func conflicts(_ device: Device) async throws -> [[String: Any]] {
        let json = try await device.json("conflicts") as? [String: Any]
        return try #require(json?["conflicts"] as? [[String: Any]])
    }

    @Test("A's highlight and note reach B", .timeLimit(.minutes(10)))
    func highlightsTravel() async throws {
        try await withTestServer { server in
            let a = Device("A"), b = Device("B")
            try await loginBoth(server, a, b)
            let highlight = try #require(
                try await a.json("highlight", "add", "grid-storage-winter", "--quote", Self.quote, "--color", "green") as? [String: Any])
            let highlightID = try #require(highlight["id"] as? String)
            _ = try await a.json("note", "add", "grid-storage-winter", "--highlight", highlightID, "--text", "Ask the grid operator")
            #expect(await a.run("sync").code == 0)
            #expect(await b.run("sync").code == 0)
            let onB = try #require(try await b.json("highlight", "list") as? [[String: Any]])
            #expect(onB.map { $0["id"] as? String } == [highlightID])
            #expect(onB.first?["color"] as? String == "green")
            let notes = try #require(try await b.json("note", "list", "grid-storage-winter") as? [[String: Any]])
            #expect(notes.first?["text"] as? String == "Ask the grid operator")
            #expect(notes.first?["highlightID"] as? String == highlightID)
            let read = await b.run("read", "grid-storage-winter", "--layers", "mine")
            #expect(read.out.contains("[[\(Self.quote)]][1]"))
            #expect(read.out.contains("Ask the grid operator"))
        }
    }

    @Test("A note moves to another highlight on one device and off it on the other, and both sync", .timeLimit(.minutes(10)))
    func noteMovesAndDetaches() async throws {
        try await withTestServer { server in
            let a = Device("A"), b = Device("B")
            try await loginBoth(server, a, b)
            func highlight(_ briefing: String, _ quote: String) async throws -> String {
                let made = try #require(try await a.json("highlight", "add", briefing, "--quote", quote) as? [String: Any])
                return try #require(made["id"] as? String)
            }
            let first = try await highlight("grid-storage-winter", Self.quote)
            let second = try await highlight("grid-storage-winter", "Grid-scale batteries")
            let elsewhere = try await highlight("river-basin-water-sharing", "The Incomati rises")
            let note = try #require(
                try await a.json("note", "add", "grid-storage-winter", "--highlight", first, "--text", "Ask about the lull") as? [String: Any])
            let noteID = try #require(note["id"] as? String)

            let moved = try #require(try await a.json("note", "edit", noteID, "--highlight", second) as? [String: Any])
            #expect(moved["highlightID"] as? String == second)
            #expect(moved["text"] as? String == "Ask about the lull")
            #expect(await a.run("sync").code == 0)
            #expect(await b.run("sync").code == 0)
            let onB = try #require(try await b.json("note", "list") as? [[String: Any]])
            #expect(onB.first?["highlightID"] as? String == second)

            let detached = await b.run("note", "edit", noteID, "--detach")
            #expect(detached.code == 0, "\(detached.err)")
            #expect(await b.run("sync").code == 0)
            #expect(await a.run("sync").code == 0)
            for device in [a, b] {
                let notes = try #require(try await device.json("note", "list") as? [[String: Any]])
                #expect(notes.count == 1)
                #expect(notes.first?["highlightID"] == nil, "\(device.name): \(notes)")
                #expect(notes.first?["briefingID"] as? String == "grid-storage-winter")
                #expect(notes.first?["text"] as? String == "Ask about the lull")
            }

            // Refused, changing nothing: no change named, both at once, a highlight on another
            // briefing, detaching a note that is not attached.
            let refusals = [
                (["note", "edit", noteID], "say what to change"),
                (["note", "edit", noteID, "--highlight", first, "--detach"], "exclude each other"),
                (["note", "edit", noteID, "--highlight", elsewhere], "another briefing"),
                (["note", "edit", noteID, "--detach"], "not attached"),
            ]
            for (arguments, message) in refusals {
                let result = await briefing(arguments + ["--store", a.storePath])
                #expect(result.code != 0, "\(arguments)")
                #expect(result.err.contains(message), "\(arguments): \(result.err)")
            }
            #expect(await a.run("status").out.contains("pending:   0 change(s)"))

            // Concurrently: A moves the note, B (later) takes it off. The later write wins on
            // both, and `conflicts` shows the dropped highlight and the kept "(none)".
            #expect(await a.run("note", "edit", noteID, "--highlight", first).code == 0)
            #expect(await a.run("sync").code == 0)
            #expect(await b.run("sync").code == 0)
            #expect(await a.run("note", "edit", noteID, "--highlight", second).code == 0)
            #expect(await b.run("note", "edit", noteID, "--detach").code == 0)
            for device in [a, b, a] { #expect(await device.run("sync").code == 0) }
            for device in [a, b] {
                let notes = try #require(try await device.json("note", "list") as? [[String: Any]])
                #expect(notes.first?["highlightID"] == nil, "\(device.name): \(notes)")
                let listed = await device.run("conflicts").out
                #expect(listed.contains("highlightID · rule: lastWriterWins"), "\(listed)")
                #expect(listed.contains("dropped \(second)"), "\(listed)")
                #expect(listed.contains("kept    (none)  (device "), "\(listed)")
                #expect(listed.contains("highlightID is (none): the later write wins"), "\(listed)")
            }
        }
    }

    enum Order: String, CaseIterable, Sendable { case aFirst, bFirst }

    @Test(
        "Concurrent offline edits converge on both devices and the server, in either order",
        .timeLimit(.minutes(10)), arguments: Order.allCases, [false, true])
    func concurrentEditsConverge(order: Order, overlappingNotes: Bool) async throws {
        try await withTestServer { server in
            let a = Device("A"), b = Device("B")
            try await loginBoth(server, a, b)
            let highlight = try #require(
                try await a.json("highlight", "add", "grid-storage-winter", "--quote", Self.quote) as? [String: Any])
            let highlightID = try #require(highlight["id"] as? String)
            let note = try #require(
                try await a.json("note", "add", "grid-storage-winter", "--text", "storage covers the evening peak but not a cold week")
                    as? [String: Any])
            let noteID = try #require(note["id"] as? String)
            #expect(await a.run("sync").code == 0)
            #expect(await b.run("sync").code == 0)

            // Both offline: the same highlight recoloured, the same note edited.
            #expect(await a.run("highlight", "recolor", highlightID, "blue").code == 0)
            #expect(await b.run("highlight", "recolor", highlightID, "pink").code == 0)
            let textA = "storage covers the evening peak but not a frozen fortnight"
            let textB = overlappingNotes
                ? "storage covers the evening peak but not a windless fortnight"
                : "batteries cover the evening peak but not a cold week"
            #expect(await a.run("note", "edit", noteID, "--text", textA).code == 0)
            #expect(await b.run("note", "edit", noteID, "--text", textB).code == 0)
            _ = try await a.json("progress", "grid-storage-winter", "80")
            _ = try await b.json("progress", "grid-storage-winter", "30")

            let (first, second) = order == .aFirst ? (a, b) : (b, a)
            for device in [first, second, first, second] {
                let sync = await device.run("sync")
                #expect(sync.code == 0, "\(sync.err)")
            }

            let onA = try await records(a), onB = try await records(b)
            let account = try #require(try await server.service.store.accounts().first { $0.name == "demo" })
            let onServer = try await server.service.kernel.records(ofAccount: account.id)
            #expect(onA == onB)
            #expect(onA == onServer)

            // The later recolour (B's, made after A's) wins.
            let finalHighlight = try #require(onA.first { $0.id == highlightID })
            #expect(finalHighlight.fields["color"] == .string("pink"))
            // Reading progress: the last position, the furthest point reached.
            let progress = try #require(onA.compactMap(ReadingProgress.init).first)
            #expect(progress.position == 0.3)
            #expect(progress.furthest == 0.8)
            // No note text is lost: merged, or kept as a conflict copy.
            let notes = onA.compactMap(Note.init)
            let texts = Set(notes.map(\.text))
            if overlappingNotes {
                #expect(texts.contains(textA) && texts.contains(textB))
                #expect(notes.contains { $0.conflictOf == noteID })
            } else {
                #expect(texts.contains("batteries cover the evening peak but not a frozen fortnight"))
            }
            // Each device shows what was resolved, identically.
            let rulesA = Set(try await conflicts(a).compactMap { $0["rule"] as? String })
            let rulesB = Set(try await conflicts(b).compactMap { $0["rule"] as? String })
            #expect(rulesA == rulesB)
            #expect(rulesA.contains("lastWriterWins"))
            #expect(rulesA.contains(overlappingNotes ? "conflictCopy" : "textMerge"))
            let human = await a.run("conflicts")
            #expect(human.out.contains("rule: lastWriterWins"))
        }
    }

    @Test("A reader overturns automatic outcomes with `conflicts resolve`, and the choice syncs", .timeLimit(.minutes(10)))
    func resolveConflicts() async throws {
        try await withTestServer { server in
            let a = Device("A"), b = Device("B")
            try await loginBoth(server, a, b)
            let highlight = try #require(
                try await a.json("highlight", "add", "grid-storage-winter", "--quote", Self.quote) as? [String: Any])
            let highlightID = try #require(highlight["id"] as? String)
            let note = try #require(try await a.json("note", "add", "grid-storage-winter", "--text", "one two three four") as? [String: Any])
            let noteID = try #require(note["id"] as? String)
            for device in [a, b] { #expect(await device.run("sync").code == 0) }
            #expect(await a.run("highlight", "recolor", highlightID, "green").code == 0)
            #expect(await b.run("highlight", "recolor", highlightID, "purple").code == 0)
            #expect(await a.run("note", "edit", noteID, "--text", "one TWO three four").code == 0)
            #expect(await b.run("note", "edit", noteID, "--text", "one deux three four").code == 0)
            for device in [a, b, a] { #expect(await device.run("sync").code == 0) }

            // A lost both (B's edits are later); A keeps its colour, and B's text with no copy.
            let conflicts = try await self.conflicts(a)
            let colour = try #require(conflicts.first { $0["rule"] as? String == "lastWriterWins" }?["id"] as? String)
            let text = try #require(conflicts.first { $0["rule"] as? String == "conflictCopy" }?["id"] as? String)
            let resolved = await a.run("conflicts", "resolve", String(colour.prefix(8)), "--keep", "mine")
            #expect(resolved.code == 0, "\(resolved.err)")
            #expect(await a.run("conflicts", "resolve", text, "--keep", "theirs").code == 0)
            let bad = await a.run("conflicts", "resolve", colour, "--keep", "both")
            #expect(bad.code != 0)
            for device in [a, b, a] { #expect(await device.run("sync").code == 0) }
            for device in [a, b] {
                let highlights = try #require(try await device.json("highlight", "list") as? [[String: Any]])
                #expect(highlights.first?["color"] as? String == "green")
                let notes = try #require(try await device.json("note", "list") as? [[String: Any]])
                #expect(notes.count == 1)
                #expect(notes.first?["text"] as? String == "one deux three four")
            }
        }
    }

    @Test("A note deleted on one device and edited on the other survives, flagged", .timeLimit(.minutes(10)))
    func editSurvivesDelete() async throws {
        try await withTestServer { server in
            let a = Device("A"), b = Device("B")
            try await loginBoth(server, a, b)
            let note = try #require(try await a.json("note", "add", "grid-storage-winter", "--text", "keep this thought") as? [String: Any])
            let noteID = try #require(note["id"] as? String)
            #expect(await a.run("sync").code == 0)
            #expect(await b.run("sync").code == 0)
            #expect(await a.run("note", "remove", noteID).code == 0)
            #expect(await b.run("note", "edit", noteID, "--text", "keep this thought, it matters").code == 0)
            for device in [a, b, a] { #expect(await device.run("sync").code == 0) }
            for device in [a, b] {
                let notes = try #require(try await device.json("note", "list") as? [[String: Any]])
                #expect(notes.first?["text"] as? String == "keep this thought, it matters")
                #expect(notes.first?["flagged"] as? Bool == true)
            }
        }
    }

    @Test("A tag added on one device stays when another removes it concurrently", .timeLimit(.minutes(10)))
    func tagAddWins() async throws {
        try await withTestServer { server in
            let a = Device("A"), b = Device("B")
            try await loginBoth(server, a, b)
            #expect(await a.run("tag", "add", "grid-storage-winter", "energy").code == 0)
            #expect(await a.run("sync").code == 0)
            #expect(await b.run("sync").code == 0)
            #expect(await b.run("tag", "remove", "grid-storage-winter", "energy").code == 0)
            #expect(await a.run("tag", "add", "grid-storage-winter", "energy").code == 0)
            for device in [b, a, b] { #expect(await device.run("sync").code == 0) }
            for device in [a, b] {
                let list = try #require(try await device.json("list") as? [[String: Any]])
                let grid = try #require(list.first { $0["id"] as? String == "grid-storage-winter" })
                #expect(grid["tags"] as? [String] == ["energy"])
            }
        }
    }

    @Test("With the server down, sync fails with one clear line and keeps pending changes", .timeLimit(.minutes(10)))
    func serverDown() async throws {
        let a = Device("A")
        let url = try await withTestServer { server in
            await login(a, server)
            #expect(await a.run("sync").code == 0)
            #expect(await a.run("bookmark", "add", "port-automation-labour").code == 0)
            return server.url
        }
        let result = await a.run("sync")
        #expect(result.code != 0)
        #expect(result.err.hasPrefix("error: cannot reach the server at \(url)"))
        #expect(result.err.split(separator: "\n").count == 1)
        #expect(await a.run("status").out.contains("pending:   1 change(s)"))
    }

    @Test("A large push goes gzipped and the real server takes it", .timeLimit(.minutes(10)))
    func largeCompressedPush() async throws {
        try await withTestServer { server in
            let a = Device("A"), b = Device("B")
            try await loginBoth(server, a, b)
            for index in 0..<40 {
                #expect(await a.run("tag", "add", "river-basin-water-sharing", "topic-number-\(index)").code == 0)
            }
            let sync = await a.run("sync")
            #expect(sync.code == 0, "\(sync.err)")
            #expect(await b.run("sync").code == 0)
            let list = try #require(try await b.json("list") as? [[String: Any]])
            let river = try #require(list.first { $0["id"] as? String == "river-basin-water-sharing" })
            #expect((river["tags"] as? [String])?.count == 40)
        }
    }

    @Test("Quotes that are missing or ambiguous are refused with a clear error", .timeLimit(.minutes(10)))
    func quoteErrors() async throws {
        try await withTestServer { server in
            let a = Device("A")
            await login(a, server)
            #expect(await a.run("sync").code == 0)
            let missing = await a.run("highlight", "add", "grid-storage-winter", "--quote", "no such words anywhere")
            #expect(missing.code != 0)
            #expect(missing.err.hasPrefix("error: the quote"))
            #expect(missing.err.contains("is not in briefing"))
            let ambiguous = await a.run("highlight", "add", "grid-storage-winter", "--quote", "the grid operator")
            #expect(ambiguous.code != 0)
            #expect(ambiguous.err.contains("occurs 2 times"))
            let second = await a.run("highlight", "add", "grid-storage-winter", "--quote", "the grid operator", "--occurrence", "2")
            #expect(second.code == 0, "\(second.err)")
            #expect(await a.run("status").out.contains("pending:   1 change(s)"))
            // Global options work before the subcommand too.
            let status = await briefing(["--store", a.storePath, "--json", "status"])
            #expect(status.code == 0)
            let json = try status.json() as? [String: Any]
            #expect(json?["pending"] as? Int == 1)
        }
    }
}
