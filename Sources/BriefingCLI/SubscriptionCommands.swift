import ArgumentParser
import BriefingModel
import Foundation
import SyncClient

/// `subscribe`, `unsubscribe`, `subscriptions`: which of the account's publications this
/// device receives. Each change is made on the server and followed by a sync, which moves
/// only the difference.
struct Subscribe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Receive a publication on this device (or --all: everything your account is entitled to); syncs at once.")
    @Argument(help: "Publications, by name or key (`briefing subscriptions` lists them).") var publications: [String] = []
    @Flag(help: "Follow your account's entitlements, present and future (a new device's default).") var all = false
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard all != !publications.isEmpty else { throw ValidationError("name one or more publications, or give --all") }
    }

    func run() async throws {
        let client = try global.client()
        let current = try await client.subscriptions()
        let wanted: [String]?
        if all {
            wanted = nil
        } else {
            let keys = try SubscriptionChange.keys(publications, known: current)
            if current.all, keys.allSatisfy({ current.publications.contains($0) }) {
                return try SubscriptionChange.report(current, synced: nil, global: global, note: "this device already receives all of them")
            }
            wanted = current.all ? nil : Array(Set(current.publications).union(keys)).sorted()
        }
        let updated = try await client.setSubscriptions(wanted)
        try SubscriptionChange.report(updated, synced: try await client.sync(), global: global)
    }
}

struct Unsubscribe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop receiving a publication on this device: its briefings leave the device, your highlights and notes stay. Syncs at once.")
    @Argument(help: "Publications, by name or key.") var publications: [String]
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let client = try global.client()
        let current = try await client.subscriptions()
        let keys = try SubscriptionChange.keys(publications, known: current)
        let remaining = Set(current.publications).subtracting(keys).sorted()
        var note: String?
        if current.all && current.entitledToAll {
            note = "this device now receives the publications listed only; `briefing subscribe --all` follows new ones again"
        }
        let updated = try await client.setSubscriptions(remaining)
        try SubscriptionChange.report(updated, synced: try await client.sync(), global: global, note: note)
    }
}

struct SubscriptionsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscriptions", abstract: "The publications your account is entitled to, and which this device receives.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try SubscriptionChange.report(try await global.client().subscriptions(), synced: nil, global: global)
    }
}

enum SubscriptionChange {
    /// The keys of publications named by key or name, checked against those available.
    static func keys(_ given: [String], known: SyncClient.Subscriptions) throws -> [String] {
        try given.map { name in
            if let match = known.available.first(where: { $0.key == name || $0.name.caseInsensitiveCompare(name) == .orderedSame }) {
                return match.key
            }
            let choices = known.available.map(\.key).joined(separator: ", ")
            throw ValidationError(
                "no publication \(name) among those your account may read\(choices.isEmpty ? " (none yet)" : ": \(choices)")")
        }
    }

    static func report(_ state: SyncClient.Subscriptions, synced: SyncClient.Summary?, global: GlobalOptions, note: String? = nil) throws {
        if global.json {
            /// The subscriptions, and the changes the sync after a change pulled.
            struct Report: Encodable {
                var state: SyncClient.Subscriptions
                var pulled: Int?
                enum Keys: String, CodingKey { case pulled }

                func encode(to encoder: any Encoder) throws {
                    try state.encode(to: encoder)
                    var container = encoder.container(keyedBy: Keys.self)
                    try container.encodeIfPresent(pulled, forKey: .pulled)
                }
            }
            return try Console.json(Report(state: state, pulled: synced?.pulled))
        }
        if state.available.isEmpty {
            Console.line("Your account is entitled to no publications yet; open briefings come to every device.")
        }
        for publication in state.available {
            Console.line(
                "\(publication.subscribed ? "[x]" : "[ ]") \(publication.key)  \(publication.name)  (\(publication.briefings) briefing\(publication.briefings == 1 ? "" : "s"))")
        }
        Console.line(state.all ? "This device receives everything your account is entitled to." : "This device receives the publications marked.")
        if let note { Console.line("Note: \(note).") }
        if let synced { Console.line("Synced: pulled \(synced.pulled) change(s).") }
    }
}
