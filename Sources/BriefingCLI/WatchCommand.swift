import ArgumentParser
import BriefingModel
import BriefingStore
import Dispatch
import Foundation
import SyncClient

#if canImport(Glibc)
    import Glibc
#endif

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stay connected: apply other devices' changes as they happen and push local ones, until interrupted.",
        discussion: """
            Prints a line for each change it applies and each local change it pushes (with --json, one JSON object per \
            line: event, entity, id, op). Edits made meanwhile by other `briefing` commands on the same store are pushed \
            within a second. Stop it with Ctrl-C; nothing pending is lost.
            """)
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await Self.watch(global)
    }

    /// Runs the sync engine live until SIGINT or SIGTERM (or the task is cancelled).
    static func watch(_ global: GlobalOptions) async throws {
        let client = try global.client()
        guard try await client.store.syncState().isLoggedIn else {
            throw CLIError("log in first: briefing login SERVER_URL --user NAME")
        }
        let engine = SyncEngine(client: client, configuration: .init(outboxPolling: .milliseconds(250)))
        let printer = EventPrinter(json: global.json)
        let events = engine.events(), statuses = engine.statusUpdates()
        let stop = StopSignal()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events { try printer.print(event) }
            }
            group.addTask {
                var wasLive = false, wasOffline = false
                for await status in statuses {
                    if case .failed(let code, let message) = status.activity {
                        throw CLIError("sync stopped (\(code)): \(message)")
                    }
                    if case .offline(let retry, let reason) = status.activity, !wasOffline {
                        wasOffline = true
                        try printer.note("offline", "cannot sync: \(reason); retrying in \(retry)")
                    }
                    if status.live && !wasLive {
                        wasOffline = false
                        try printer.note("live", "watching for changes (Ctrl-C to stop)")
                    }
                    wasLive = status.live
                }
            }
            group.addTask { await stop.wait() }
            await engine.start()
            // The first task to end ends the watch: a signal, a failure, or cancellation.
            defer { group.cancelAll() }
            do {
                try await group.next()
            } catch {
                await engine.stop()
                throw error
            }
            await engine.stop()
        }
        if !global.json { Console.line("Stopped; \(engine.status.pending) change(s) still to push.") }
    }
}

/// Ends on SIGINT or SIGTERM, or when cancelled; the signals get their default meaning back
/// afterwards.
private final class StopSignal: Sendable {
    func wait() async {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.finish() }
            source.resume()
            return source
        }
        await withTaskCancellationHandler {
            for await _ in stream {}
        } onCancel: {
            continuation.finish()
        }
        for (source, number) in zip(sources, [SIGINT, SIGTERM]) {
            source.cancel()
            signal(number, SIG_DFL)
        }
    }
}

/// The lines `watch` prints.
struct EventPrinter: Sendable {
    let json: Bool

    struct Line: Encodable {
        var event: String
        var entity: String?
        var id: String?
        var op: String?
        var status: String?
        var message: String?
    }

    func print(_ event: SyncEngine.Event) throws {
        switch event {
        case .applied(let change):
            let op = Self.isRemoval(change) ? "delete" : "upsert"
            try emit(Line(event: "applied", entity: change.kind.rawValue, id: change.id, op: op)) {
                "↓ \(change.kind.rawValue) \(change.id) \(op == "delete" ? "removed" : "updated")"
            }
        case .pushed(let mutation, let result):
            try emit(
                Line(event: "pushed", entity: mutation.kind.rawValue, id: mutation.id, op: mutation.op.rawValue, status: result.status.rawValue)
            ) {
                "↑ \(mutation.kind.rawValue) \(mutation.id) \(mutation.op == .delete ? "removed" : "saved") (\(result.status.rawValue))"
                    + (result.message.map { ": \($0)" } ?? "")
            }
        case .resynced:
            try note("resync", "the server no longer has this device's place in the log; pulling everything again")
        }
    }

    func note(_ event: String, _ message: String) throws {
        try emit(Line(event: event, message: message)) { message }
    }

    private func emit(_ line: Line, text: () -> String) throws {
        if json {
            Console.line(try CanonicalJSON.text(line))
        } else {
            Console.line(text())
        }
    }

    static func isRemoval(_ change: Change) -> Bool {
        switch change.payload {
        case .removed: true
        case .record(let record): record.deleted
        default: false
        }
    }
}
