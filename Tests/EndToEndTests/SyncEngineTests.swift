import BriefingCLI
import BriefingModel
import BriefingStore
import BriefingTestSupport
import Foundation
import HTTPTypes
import OpenAPIRuntime
import Synchronization
import SyncClient
import SyncServerCore
import Testing

/// The engine an app embeds, against the real server: live changes, observation, status
/// through failures, and `briefing watch`.
@Suite("Sync engine")
struct SyncEngineTests {
    static let briefing = "grid-storage-winter"

    /// A logged-in, caught-up device on `url`.
    func device(_ name: String, url: String) async throws -> SyncClient {
        let store = try BriefingStore(path: TemporaryDirectory.make().appendingPathComponent("\(name).sqlite").path)
        let client = SyncClient(store: store, configuration: .init(retries: 0))
        try await client.login(serverURL: url, user: "demo", password: "demo", deviceName: name)
        _ = try await client.sync()
        return client
    }

    /// Quick retries, so a test of reconnecting does not wait out real backoff.
    static let brisk = SyncEngine.Configuration(debounce: .milliseconds(20), backoff: .milliseconds(50), maxBackoff: .milliseconds(400))

    @Test("Two live engines: a note written on one appears on the other's observed notes without a sync call, and is not echoed back")
    func liveBetweenEngines() async throws {
        try await withTestServer { server in
            let a = SyncEngine(client: try await device("A", url: server.url), configuration: Self.brisk)
            let b = SyncEngine(client: try await device("B", url: server.url), configuration: Self.brisk)
            let eventsOfA = a.events(), eventsOfB = b.events()
            await a.start()
            await b.start()
            try await eventually(b.statusUpdates()) { $0.live }
            let screen = b.store.observeNotes(briefingID: Self.briefing)
            let own = a.store.observeNotes(briefingID: Self.briefing)

            let note = try await a.store.note(briefing: Self.briefing, text: "Winter margins are thinner than the auction shows")
            // A's own screen follows the local write, B's the pulled change.
            #expect(try await eventually(own) { !$0.isEmpty }.map(\.id) == [note.id])
            let shown = try await eventually(screen) { !$0.isEmpty }
            #expect(shown.map(\.id) == [note.id])
            #expect(shown.first?.text == note.text)
            // A pushed it and holds it; nothing of it came back to A.
            let pushed = try await eventually(eventsOfA) { if case .pushed(let mutation, _) = $0 { mutation.id == note.id } else { false } }
            if case .pushed(_, let result) = pushed { #expect(result.status == .applied) }
            let applied = try await eventually(eventsOfB) { if case .applied(let change) = $0 { change.id == note.id } else { false } }
            #expect(applied == .applied(Change(kind: .note, id: note.id, payload: .record(try #require(await b.store.record(.note, id: note.id))))))
            let settled = try await eventually(a.statusUpdates()) { $0.pending == 0 && $0.activity == .idle }
            #expect(settled.live)

            // B answers on the same record; A sees B's edit, and B does not get its own back.
            _ = try await b.store.editNote(note.id, text: note.text + ", by a wide margin")
            try await eventually(a.store.observeNotes(briefingID: Self.briefing)) { $0.first?.text.hasSuffix("wide margin") == true }
            await a.stop()
            await b.stop()
            #expect(a.status.activity == .stopped)
        }
    }

    @Test("A cut network: the engine says offline and keeps the edit pending; once back it reconnects, pushes it, and goes live again")
    func offlineThenReconnect() async throws {
        try await withTestServer { server in
            let relay = try TCPRelay(to: server.port)
            defer { relay.shutDown() }
            let engine = SyncEngine(client: try await device("A", url: "http://127.0.0.1:\(relay.port)"), configuration: Self.brisk)
            await engine.start()
            try await eventually(engine.statusUpdates()) { $0.live }

            relay.cut()
            let offline = try await eventually(engine.statusUpdates()) { if case .offline = $0.activity { true } else { false } }
            #expect(!offline.live)
            try await engine.store.bookmark(briefing: Self.briefing)
            try await eventually(engine.statusUpdates()) { $0.pending == 1 }

            relay.restore(to: server.port)
            let back = try await eventually(engine.statusUpdates()) { $0.pending == 0 && $0.live && $0.activity == .idle }
            #expect(back.lastSyncedAt != nil)
            let other = try await device("B", url: server.url)
            #expect(try await other.store.records(.bookmark).map(\.id) == [Self.briefing])
            await engine.stop()
        }
    }

    @Test("A node killed and started again (another process, another port behind the same address): the engine reconnects and loses nothing")
    func restartedNode() async throws {
        let database = TemporaryDirectory.make().appendingPathComponent("server.sqlite").path
        let first = try await ServerProcess.start(databasePath: database)
        let relay = try TCPRelay(to: first.port)
        defer { relay.shutDown() }
        let engine = SyncEngine(client: try await device("A", url: "http://127.0.0.1:\(relay.port)"), configuration: Self.brisk)
        await engine.start()
        try await eventually(engine.statusUpdates()) { $0.live }
        try await engine.store.tag(briefing: Self.briefing, "before")
        try await eventually(engine.statusUpdates()) { $0.pending == 0 && $0.activity == .idle }

        first.kill()
        relay.cut()
        try await eventually(engine.statusUpdates()) { if case .offline = $0.activity { true } else { false } }
        try await engine.store.tag(briefing: Self.briefing, "while-down")
        let second = try await ServerProcess.start(databasePath: database)
        defer { second.stop() }
        relay.restore(to: second.port)
        try await eventually(engine.statusUpdates()) { $0.pending == 0 && $0.live && $0.activity == .idle }
        let other = try await device("B", url: second.url)
        let tags = try await other.store.records(.tag).compactMap(Tag.init).map(\.name).sorted()
        #expect(tags == ["before", "while-down"])
        await engine.stop()
    }

    /// The default transport, counting the pushes in flight at once.
    final class PushProbe: ClientTransport, Sendable {
        let upstream = SyncClient.defaultTransport()
        let state = Mutex((now: 0, most: 0, total: 0))

        func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
            guard operationID == "pushMutations" else { return try await upstream.send(request, body: body, baseURL: baseURL, operationID: operationID) }
            state.withLock { state in
                state.now += 1
                state.total += 1
                state.most = max(state.most, state.now)
            }
            defer { state.withLock { $0.now -= 1 } }
            return try await upstream.send(request, body: body, baseURL: baseURL, operationID: operationID)
        }
    }

    @Test("One push at a time: a burst of writes and concurrent syncNow() calls never overlap two pushes, and all of it arrives")
    func singleFlight() async throws {
        try await withTestServer { server in
            let probe = PushProbe()
            let store = try BriefingStore(path: TemporaryDirectory.make().appendingPathComponent("A.sqlite").path)
            let client = SyncClient(store: store, transport: probe, configuration: .init(retries: 0))
            try await client.login(serverURL: server.url, user: "demo", password: "demo", deviceName: "A")
            _ = try await client.sync()
            let engine = SyncEngine(client: client, configuration: Self.brisk)
            await engine.start()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for index in 0..<30 { try await store.tag(briefing: Self.briefing, "burst-\(index)") }
                }
                for _ in 0..<4 {
                    group.addTask { for _ in 0..<5 { try await engine.syncNow() } }
                }
                try await group.waitForAll()
            }
            try await engine.syncNow()
            #expect(try await store.pendingCount() == 0)
            let counts = probe.state.withLock { $0 }
            #expect(counts.most == 1, "pushes overlapped: \(counts.most) at once")
            #expect(counts.total >= 1)
            let other = try await device("B", url: server.url)
            #expect(try await other.store.records(.tag).count == 30)
            await engine.stop()
        }
    }

    @Test("A revoked device's engine stops, with the server's error code in its status, and keeps the edit")
    func revokedStops() async throws {
        try await withTestServer { server in
            let client = try await device("A", url: server.url)
            let engine = SyncEngine(client: client, configuration: Self.brisk)
            await engine.start()
            try await eventually(engine.statusUpdates()) { $0.live }
            let deviceID = try #require(try await client.store.syncState().deviceID)
            try await server.service.revokeDevice(user: "demo", device: deviceID)
            try await engine.store.tag(briefing: Self.briefing, "storage")
            let failed = try await eventually(engine.statusUpdates()) { if case .failed = $0.activity { true } else { false } }
            #expect(failed.activity == .failed(code: "unauthorized", message: "the token is unknown or revoked; log in again"))
            #expect(try await engine.store.pendingCount() == 1)
            await engine.stop()
        }
    }

    @Test("briefing watch --json prints a line per change it applies and per local write it pushes, including writes by other commands")
    func watchCommand() async throws {
        try await withTestServer { server in
            let a = Device("A"), b = Device("B")
            for device in [a, b] {
                #expect(await device.run("login", server.url, "--user", "demo", "--password-stdin", stdin: "demo").code == 0)
                #expect(await device.run("sync").code == 0)
            }
            let output = LiveOutput()
            let watch = Task {
                await Console.$current.withValue(output.console) {
                    await BriefingCommand.run(arguments: ["watch", "--json", "--store", b.storePath])
                }
            }
            try await output.waitFor { $0.contains(#""event":"live""#) }

            #expect(await a.run("bookmark", "add", Self.briefing).code == 0)
            #expect(await a.run("sync").code == 0)
            try await output.waitFor { $0.contains(#""entity":"bookmark","event":"applied","id":"grid-storage-winter","op":"upsert""#) }

            // Another command on B's store, while watch runs: watch pushes it.
            let added = try #require(try await b.json("note", "add", Self.briefing, "--text", "pushed by watch") as? [String: Any])
            let noteID = try #require(added["id"] as? String)
            try await output.waitFor { $0.contains(#""entity":"note","event":"pushed","id":"\#(noteID)","op":"upsert","status":"applied""#) }

            watch.cancel()
            #expect(await watch.value == 0)
            for line in output.text.split(separator: "\n") {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(object["event"] is String)
                if object["entity"] != nil { #expect(object["id"] is String && object["op"] is String) }
            }
            #expect(try await a.json("sync") is [String: Any])
            let notesOnA = try #require(try await a.json("note", "list") as? [[String: Any]])
            #expect(notesOnA.compactMap { $0["id"] as? String } == [noteID])
        }
    }
}

/// A console whose output a test can wait on while the command still runs.
final class LiveOutput: Sendable {
    private let buffer = Mutex("")
    private let changes = Broadcaster()

    var text: String { buffer.withLock { $0 } }

    var console: Console {
        Console(
            out: { [self] text in
                buffer.withLock { $0 += text }
                changes.ping()
            }, err: { _ in }, isTerminal: false)
    }

    /// Waits until the output satisfies `condition` (at most a minute, then fails).
    func waitFor(line: Int = #line, _ condition: @escaping @Sendable (String) -> Bool) async throws {
        let updates = changes.stream()
        if condition(text) { return }
        try await eventually(updates, line: line) { _ in condition(self.text) }
    }

    final class Broadcaster: Sendable {
        private let subscribers = Mutex<[AsyncStream<Void>.Continuation]>([])
        func stream() -> AsyncStream<Void> {
            let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            subscribers.withLock { $0.append(continuation) }
            return stream
        }
        func ping() { for subscriber in subscribers.withLock({ $0 }) { subscriber.yield() } }
    }
}

/// The first element of `sequence` that satisfies `condition`. A minute is a bound on a
/// hang, not a timing claim: on a loaded machine these take milliseconds to seconds.
@discardableResult
func eventually<S: AsyncSequence & Sendable>(
    _ sequence: S, within limit: Duration = .seconds(60), line: Int = #line, _ condition: @escaping @Sendable (S.Element) -> Bool
) async throws -> S.Element where S.Element: Sendable {
    try await withThrowingTaskGroup(of: S.Element?.self) { group in
        group.addTask {
            for try await element in sequence where condition(element) { return element }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let element = first else {
            throw TestSupportError("the state awaited at line \(line) did not come within \(limit)")
        }
        return element
    }
}
