import ArgumentParser
import BriefingModel
import Foundation
import Logging
import SyncServerCore

/// `grant`, `revoke`, `entitlements` and `publications`: what each account may read.
///
/// Safe while the server runs: a pull reads the account's entitlements with its token, so a
/// change takes effect at each device's next sync. A grant sends the devices that
/// publication's content and nothing else; a revocation takes it off them and leaves the
/// reader's own highlights and notes where they are.
struct GrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant", abstract: "Entitle a user to a publication (its name or key), or to all of them with *.")
    @Argument(help: "The user name.") var user: String
    @Argument(help: "The publication's name or key (`briefing-server publications` lists them), or * for all.") var publication: String
    @OptionGroup var options: DatabaseOptions

    func run() async throws {
        let service = try await options.openService(logger: Logger(label: "briefings.admin"))
        do {
            let key = try SyncService.publicationKey(publication)
            try await service.grant(user: user, publication: key)
            if key != "*", try await !service.publications().contains(where: { $0.key == key }) {
                print("note: nothing is published in \(key) yet; \(user) will receive it when it is")
            }
            print("\(user) is entitled to \(try await service.entitlements(user: user))")
        } catch let error as SyncError {
            throw AdminError(error.message)
        }
    }
}

struct RevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Take a publication (or *) away from a user: its content leaves their devices at their next sync; their notes stay.")
    @Argument(help: "The user name.") var user: String
    @Argument(help: "The publication's name or key, or *.") var publication: String
    @OptionGroup var options: DatabaseOptions

    func run() async throws {
        let service = try await options.openService(logger: Logger(label: "briefings.admin"))
        do {
            try await service.revoke(user: user, publication: publication)
            print("\(user) is entitled to \(try await service.entitlements(user: user))")
        } catch let error as SyncError {
            throw AdminError(error.message)
        }
    }
}

struct EntitlementsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entitlements", abstract: "What a user may read: open content, and the publications they are entitled to.")
    @Argument(help: "The user name.") var user: String
    @OptionGroup var options: DatabaseOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let entitlements: Entitlements
        do {
            entitlements = try await options.openService(logger: Logger(label: "briefings.admin")).entitlements(user: user)
        } catch let error as SyncError {
            throw AdminError(error.message)
        }
        if json {
            let object: [String: Any] =
                switch entitlements {
                case .all: ["user": user, "all": true, "publications": [String]()]
                case .publications(let keys): ["user": user, "all": false, "publications": keys.sorted()]
                }
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print("\(user): open content, and \(entitlements)")
        }
    }
}

struct PublicationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publications", abstract: "The publications briefings are published in, by key, with their briefings.")
    @OptionGroup var options: DatabaseOptions

    func run() async throws {
        let publications = try await options.openService(logger: Logger(label: "briefings.admin")).publications()
        if publications.isEmpty { print("no publications yet: briefings without one are open to every reader") }
        for publication in publications {
            print("\(publication.key)\t\(publication.name)\t\(publication.briefings) briefing\(publication.briefings == 1 ? "" : "s")")
        }
    }
}

/// `withdraw` and `restore`: an editor takes a briefing down, or puts it back.
struct WithdrawCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw",
        abstract: "Withdraw a briefing: it leaves every device at its next sync; readers' highlights and notes on it stay.")
    @Argument(help: "The briefing's ID.") var id: String
    @OptionGroup var options: DatabaseOptions

    func run() async throws {
        do {
            try await options.openService(logger: Logger(label: "briefings.admin")).withdraw(briefingID: id)
        } catch let error as SyncError {
            throw AdminError(error.message)
        }
        print("briefing \(id) withdrawn; `briefing-server restore \(id)` brings it back")
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a withdrawn briefing with its editorial layer; it returns to readers at their next sync.")
    @Argument(help: "The briefing's ID.") var id: String
    @OptionGroup var options: DatabaseOptions

    func run() async throws {
        do {
            try await options.openService(logger: Logger(label: "briefings.admin")).restore(briefingID: id)
        } catch let error as SyncError {
            throw AdminError(error.message)
        }
        print("briefing \(id) restored")
    }
}
