import ArgumentParser
import BriefingModel
import BriefingStore
import Foundation
import SyncClient

/// `briefing`: the reader's command-line client. It runs the same store and sync engine an app embeds.
public struct BriefingCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "briefing",
        abstract: "Read annotated briefings offline and sync your highlights, notes and progress.",
        discussion: "Every command takes --store PATH (or $BRIEFING_STORE) so several devices can live on one machine, and --json for scripting.",
        version: BriefingsVersion.description,
        subcommands: [
            Login.self, Logout.self, Status.self, Sync.self, Watch.self, List.self, Read.self, HighlightCommand.self,
            NoteCommand.self, BookmarkCommand.self, Progress.self, TagCommand.self, Conflicts.self, Orphans.self,
            Timeline.self, Entities.self, Search.self, Export.self, Subscribe.self, Unsubscribe.self, SubscriptionsList.self, Settings.self,
        ])

    public init() {}
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The local store (a SQLite file).", valueName: "path"))
    var store: String = GlobalOptions.defaultStorePath

    @Flag(name: .long, help: "Print JSON with stable keys.")
    var json = false

    /// `$BRIEFING_STORE`, else `$XDG_DATA_HOME/briefings/reader.sqlite`, else `~/.local/share/briefings/reader.sqlite`.
    static var defaultStorePath: String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["BRIEFING_STORE"], !path.isEmpty { return path }
        let dataHome =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share").path
        return URL(fileURLWithPath: dataHome).appendingPathComponent("briefings/reader.sqlite").path
    }

    /// The store. Only `login` makes a new one: for every other command a path with no store
    /// is a mistake (a mistyped --store), not a new empty device.
    func openStore(create: Bool = false) throws -> BriefingStore {
        guard create || FileManager.default.fileExists(atPath: store) else {
            throw CLIError("no store at \(store) (log in with `briefing login` first, or give the right --store or $BRIEFING_STORE)")
        }
        return try BriefingStore(path: store)
    }

    func client(create: Bool = false) throws -> SyncClient {
        SyncClient(store: try openStore(create: create))
    }
}

/// A failure the CLI reports as one line.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension BriefingCommand {
    /// Runs the command line in-process (as the executable does), printing errors as one line.
    ///
    /// - Returns: the exit code.
    public static func run(arguments: [String]) async -> Int32 {
        // The parser reads `-5` as an option it does not know; no argument here takes a
        // negative number, so say that instead.
        if let negative = NegativeNumbers.first(in: arguments) {
            Console.current.err("error: \(negative) is a negative number, and no argument or option of briefing takes one\n")
            return ExitCode.validationFailure.rawValue
        }
        do {
            var command = try parseAsRoot(hoistingGlobalOptions(arguments))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch {
            let code = exitCode(for: error).rawValue
            let message = fullMessage(for: error)
            if code == 0 {
                Console.current.out(message + (message.isEmpty ? "" : "\n"))
            } else {
                let text = Self.oneLine(error) ?? message
                Console.current.err(text + "\n")
            }
            return code
        }
    }

    /// Moves global options given before the subcommand (`briefing --store P sync`) after it,
    /// where every subcommand accepts them.
    static func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first, first.hasPrefix("--") {
            if first == "--json" || first.hasPrefix("--store=") {
                leading.append(first)
                rest = rest.dropFirst()
            } else if first == "--store", rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else {
                break
            }
        }
        return Array(rest) + leading
    }

    /// The single line for errors of the store and sync engine.
    static func oneLine(_ error: any Error) -> String? {
        switch error {
        case let error as SyncClientError: "error: \(error.message)"
        case let error as StoreError: "error: \(error.message)"
        case let error as AnchorError: "error: \(error.message)"
        case let error as CLIError: "error: \(error.description)"
        default: nil
        }
    }
}
