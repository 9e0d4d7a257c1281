import ArgumentParser
import BriefingModel
import BriefingStore
import Foundation
import SyncClient

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log this store in to a sync server as a new device.")

    @Argument(help: "The server, e.g. http://127.0.0.1:8080") var serverURL: String
    @Option(help: "Your user name.") var user: String
    @Flag(help: "Read the password from standard input instead of prompting.") var passwordStdin = false
    @Option(help: "A name for this device, shown to the server's operator.") var deviceName: String?
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let password: String?
        if passwordStdin {
            password = Console.current.readLine()
        } else {
            guard isatty(STDIN_FILENO) != 0 else { throw CLIError("no terminal to prompt for a password; pass --password-stdin") }
            password = getpass("Password for \(user): ").map { String(cString: $0) }
        }
        guard let password, !password.isEmpty else { throw CLIError("the password is empty") }
        let name = deviceName ?? ProcessInfo.processInfo.hostName
        let state = try await global.client(create: true).login(serverURL: serverURL, user: user, password: password, deviceName: name)
        if global.json {
            try Console.json(["server": state.serverURL, "user": state.user, "deviceID": state.deviceID, "store": global.store])
        } else {
            Console.line("Logged in to \(state.serverURL ?? serverURL) as \(state.user ?? user) (device \(state.deviceID ?? "?")).")
            Console.line("Run `briefing sync` to fetch your briefings.")
        }
    }
}

struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Revoke this device's token; synced data and unsynced changes stay in the store.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let client = try global.client()
        let pending = try await client.store.pendingCount()
        try await client.logout()
        if global.json {
            try Console.json(["loggedOut": AnyCodable(true), "pending": AnyCodable(pending)])
        } else {
            Console.line("Logged out." + (pending > 0 ? " \(pending) unsynced change(s) stay in the store; log in again to sync them." : ""))
        }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the server, device, last sync, pending changes and cursor.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let store = try global.openStore()
        let state = try await store.syncState()
        let pending = try await store.pendingCount()
        let briefings = try await store.briefings().count
        let lastSync = state.lastSyncAt.map(Timestamp.text)
        if global.json {
            try Console.json([
                "server": AnyCodable(state.serverURL), "user": AnyCodable(state.user), "deviceID": AnyCodable(state.deviceID),
                "loggedIn": AnyCodable(state.isLoggedIn), "lastSync": AnyCodable(lastSync), "pending": AnyCodable(pending),
                "cursor": AnyCodable(state.cursor), "briefings": AnyCodable(briefings), "store": AnyCodable(global.store),
            ])
            return
        }
        Console.line("store:     \(global.store)")
        Console.line("server:    \(state.serverURL ?? "(none)")")
        Console.line("user:      \(state.user ?? "(none)")\(state.isLoggedIn || state.user == nil ? "" : " (logged out)")")
        Console.line("device:    \(state.deviceID ?? "(none)")")
        Console.line("last sync: \(lastSync ?? "never")")
        Console.line("pending:   \(pending) change(s)")
        Console.line("cursor:    \(state.cursor ?? "(start)")")
        Console.line("briefings: \(briefings)")
    }
}

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Push your changes, then pull until caught up.")
    @Flag(help: "Then stay connected, as `briefing watch` does, until interrupted.") var watch = false
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        if watch { return try await Watch.watch(global) }
        let client = try global.client()
        let console = Console.current
        let showBar = console.isTerminal && !global.json
        let summary = try await client.sync { progress in
            guard showBar else { return }
            switch progress {
            case .pushing(let done, let total) where total > 0:
                console.err("\r" + Self.bar(label: "push", done: done, total: total))
            case .pulling(let changes, let pages) where pages > 0:
                console.err("\r\u{1B}[2K" + "pull  \(changes) change(s), \(pages) page(s)")
            case .resyncing:
                console.err("\r\u{1B}[2K" + "The server no longer has this device's place in the log; pulling everything again.\n")
            case .downloading(let done, let total) where total > 0:
                console.err("\r" + Self.bar(label: "body", done: done, total: total))
            default:
                break
            }
        }
        if showBar { console.err("\r\u{1B}[2K") }
        if global.json {
            try Console.json([
                "pushed": summary.pushed, "merged": summary.merged, "rejected": summary.rejected, "pulled": summary.pulled,
                "conflicts": summary.conflicts, "resynced": summary.resynced ? 1 : 0, "bodiesDownloaded": summary.downloaded,
                "bodiesEvicted": summary.evicted, "bodiesFailed": summary.bodiesFailed,
            ])
        } else {
            var line = "Synced: pushed \(summary.pushed + summary.merged + summary.rejected), pulled \(summary.pulled), conflicts \(summary.conflicts)."
            if summary.merged > 0 { line += " \(summary.merged) change(s) merged with other devices' edits." }
            if summary.rejected > 0 { line += " \(summary.rejected) change(s) refused by the server; see `briefing conflicts`." }
            if summary.resynced { line += " (The server required a full resync.)" }
            if summary.downloaded + summary.evicted > 0 {
                line += " Bodies for offline reading: \(summary.downloaded) downloaded, \(summary.evicted) evicted for the storage budget."
            }
            if summary.bodiesFailed > 0 { line += " \(summary.bodiesFailed) body(ies) could not be fetched; reading one fetches it." }
            Console.line(line)
        }
    }

    static func bar(label: String, done: Int, total: Int) -> String {
        let width = 30
        let filled = total == 0 ? width : width * done / total
        return "\(label)  [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(done)/\(total)"
    }
}

/// A small type-erased Encodable for JSON output with mixed value types.
struct AnyCodable: Encodable, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    private let encodeValue: (inout any SingleValueEncodingContainer) throws -> Void

    init<T: Encodable>(_ value: T?) {
        encodeValue = { container in
            if let value { try container.encode(value) } else { try container.encodeNil() }
        }
    }

    init(booleanLiteral value: Bool) { self.init(value) }
    init(integerLiteral value: Int) { self.init(value) }
    init(stringLiteral value: String) { self.init(value) }

    func encode(to encoder: any Encoder) throws {
        var container: any SingleValueEncodingContainer = encoder.singleValueContainer()
        try encodeValue(&container)
    }
}
