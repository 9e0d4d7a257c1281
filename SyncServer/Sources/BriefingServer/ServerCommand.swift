import ArgumentParser
import BriefingModel
import Foundation
import ServiceLifecycle
import Hummingbird
import Logging
import SyncServerCore
import UnixSignals

/// `briefing-server`: the sync server and its admin commands.
public struct BriefingServerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "briefing-server",
        abstract: "The Briefings sync server.",
        version: BriefingsVersion.description,
        subcommands: [
            Serve.self, Import.self, EvalImport.self, Annotate.self, UserCommand.self, DevicesCommand.self, GrantCommand.self,
            RevokeCommand.self, EntitlementsCommand.self, PublicationsCommand.self, WithdrawCommand.self, RestoreCommand.self, Compact.self,
        ],
        defaultSubcommand: Serve.self)

    public init() {}
}

/// Options every subcommand shares.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The server's database: the path of an SQLite file, or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE.",
            valueName: "path-or-url"))
    var database: String = DatabaseOptions.defaultPath

    /// `$BRIEFINGS_DATABASE`, else `$XDG_DATA_HOME/briefings/server.sqlite`, else `~/.local/share/briefings/server.sqlite`.
    static var defaultPath: String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["BRIEFINGS_DATABASE"], !path.isEmpty { return path }
        let dataHome =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share").path
        return URL(fileURLWithPath: dataHome).appendingPathComponent("briefings/server.sqlite").path
    }

    /// The service over the database. Only the commands that set a server up (`serve`,
    /// `user add`) may create the database; the others refuse a path with none, so a mistyped
    /// `--database` says so instead of working on a new empty one.
    func openService(
        logger: Logger, configuration: SyncService.Configuration = .init(), create: Bool = false
    ) async throws -> SyncService {
        if !create && !ServerDatabase.isPostgres(database) && !FileManager.default.fileExists(atPath: database) {
            throw AdminError("no database at \(database) (give --database, or set BRIEFINGS_DATABASE; `serve` and `user add` create one)")
        }
        do {
            let store = try await ServerDatabase.open(database, create: create, logger: logger)
            return SyncService(store: store, configuration: configuration, logger: logger)
        } catch let error as SyncError {
            throw AdminError(error.message)
        }
    }
}

/// The tombstone retention a command is given: a finite number of days, more than none.
func checkRetentionDays(_ days: Double) throws {
    guard days.isFinite, days > 0, days <= 36_500 else {
        throw ValidationError("--tombstone-retention-days must be a number of days above 0 and at most 36500, not \(days)")
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the sync server until SIGINT or SIGTERM.")

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0 picks a free one).") var port = 8080
    @OptionGroup var options: DatabaseOptions
    @Flag(help: "On an empty database, load the demo briefings and create the account demo / demo (loopback only).")
    var demo = false
    @Option(help: "Days to keep tombstones before compaction; devices offline longer resync.")
    var tombstoneRetentionDays: Double = 30
    @Option(help: "Login attempts a user name may make before waits begin (0: no limit).")
    var loginAttemptsPerUser = LoginThrottle.Policy().attemptsPerUser
    @Option(help: "Failed login attempts a client address may make before waits begin (0: no limit).")
    var loginAttemptsPerAddress = LoginThrottle.Policy().attemptsPerAddress
    @Option(help: "The longest wait, in seconds, a limited login is told to make.")
    var loginMaxDelay: Double = LoginThrottle.Policy().maxDelay
    @Option(help: "Seconds a connection has to send a whole request head (also how long an idle connection stays open).")
    var requestHeadTimeout: Double = 30
    @Option(help: "Seconds a request's body has to arrive in full.")
    var requestBodyTimeout: Double = 60
    @Option(
        help: ArgumentHelp(
            "A proxy (its IP address) whose X-Forwarded-For header names the client, for the login limit per address; repeat for several.",
            valueName: "address"))
    var trustedProxy: [String] = []

    func validate() throws {
        if demo && !Self.isLoopback(host) {
            throw ValidationError("--demo creates a well-known account (demo / demo); it only runs on a loopback host such as 127.0.0.1")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        for address in trustedProxy where !Self.isIPAddress(address) {
            throw ValidationError("--trusted-proxy takes an IP address such as 127.0.0.1, not \(address)")
        }
        try checkRetentionDays(tombstoneRetentionDays)
        for (option, value) in [("--login-attempts-per-user", loginAttemptsPerUser), ("--login-attempts-per-address", loginAttemptsPerAddress)] {
            guard (0...1_000_000).contains(value) else { throw ValidationError("\(option) must be 0…1000000, not \(value)") }
        }
        for (option, value, range) in [
            ("--login-max-delay", loginMaxDelay, 1.0...86_400), ("--request-head-timeout", requestHeadTimeout, 1.0...3600),
            ("--request-body-timeout", requestBodyTimeout, 1.0...3600),
        ] {
            guard value.isFinite, range.contains(value) else {
                throw ValidationError("\(option) must be a number of seconds from \(Int(range.lowerBound)) to \(Int(range.upperBound)), not \(value)")
            }
        }
    }

    /// The login limits the options ask for.
    var loginPolicy: LoginThrottle.Policy {
        var policy = LoginThrottle.Policy()
        policy.attemptsPerUser = loginAttemptsPerUser == 0 ? .max : loginAttemptsPerUser
        policy.attemptsPerAddress = loginAttemptsPerAddress == 0 ? .max : loginAttemptsPerAddress
        policy.maxDelay = loginMaxDelay
        policy.firstDelay = min(policy.firstDelay, loginMaxDelay)
        return policy
    }

    static func isIPAddress(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    func run() async throws {
        let logger = Logger(label: "briefings.server")
        let service = try await options.openService(
            logger: logger, configuration: .init(tombstoneRetention: tombstoneRetentionDays * 86_400, loginPolicy: loginPolicy),
            create: true)
        // The demo account is announced only when it exists: on a database with content of its
        // own, --demo loads nothing and creates no account.
        let demoAccount: Bool
        if demo {
            let loaded = try await DemoContent.load(into: service)
            let count = try await service.store.briefingCount()
            logger.info(loaded ? "demo content loaded" : "database already has content; demo content not reloaded",
                        metadata: ["briefings": "\(count)"])
            demoAccount = try await service.store.accounts().contains { $0.name == DemoContent.user }
        } else {
            demoAccount = false
        }
        let database = options.database
        let demo = self.demo
        let limits = HTTPLimits(
            requestHeadTimeout: .milliseconds(Int(requestHeadTimeout * 1000)), requestBodyTimeout: .milliseconds(Int(requestBodyTimeout * 1000)),
            trustedProxies: Set(trustedProxy))
        let app = try BriefingServerApp.application(
            service: service, host: host, port: port, limits: limits, logger: logger,
            services: [CompactionService(service: service, interval: .seconds(3600), logger: logger)],
            onServerRunning: { [host, demoAccount] port in
                let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
                var lines = ["Briefings sync server listening on \(url)", "  database: \(ServerDatabase.describe(database))"]
                if demo && !demoAccount {
                    lines.append("  --demo: the database already has content, so no demo account was made; add one with `briefing-server user add`")
                } else if demo {
                    lines += [
                        "  demo account: \(DemoContent.user) / \(DemoContent.password)",
                        "Connect a device (another terminal):",
                        "  echo \(DemoContent.password) | swift run briefing login \(url) --user \(DemoContent.user) --password-stdin",
                        "  swift run briefing sync && swift run briefing list",
                    ]
                }
                lines.append("Stop with Ctrl-C.")
                FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            })
        // The drain after the application: a service group shuts its services down last first,
        // so waiting pulls are answered before the server waits for its requests to end.
        let group = ServiceGroup(
            configuration: .init(
                services: [app, LongPollDrain(signal: service.kernel.signal)], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            throw AdminError("cannot serve on \(host):\(port): \(BindFailure.describe(error, port: port))")
        }
        logger.info("server stopped")
    }
}

struct Compact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove old tombstones now (the server also does this hourly); safe while the server runs.")
    @OptionGroup var options: DatabaseOptions
    @Option(help: "Days to keep tombstones.") var tombstoneRetentionDays: Double = 30

    func validate() throws {
        try checkRetentionDays(tombstoneRetentionDays)
    }

    func run() async throws {
        let service = try await options.openService(
            logger: Logger(label: "briefings.admin"), configuration: .init(tombstoneRetention: tombstoneRetentionDays * 86_400))
        let result = try await service.compact()
        print("removed \(result.removed) tombstone(s); devices with cursors before \(result.horizon) will resync")
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage accounts (safe while the server runs).",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account.")
        @Argument(help: "The user name.") var name: String
        @Flag(help: "Read the password from standard input instead of prompting.") var passwordStdin = false
        @Option(name: .customLong("grant"), help: "Entitle the account to this publication (its name or key); repeat for more.")
        var grants: [String] = []
        @Flag(help: "Entitle the account to every publication, now and to come.") var grantAll = false
        @OptionGroup var options: DatabaseOptions

        func run() async throws {
            var keys: Set<String> = []
            for given in grants {
                do { keys.insert(try SyncService.publicationKey(given)) } catch { throw AdminError(error.message) }
            }
            let entitlements: Entitlements = grantAll || keys.contains("*") ? .all : .publications(keys)
            let password = try readPassword(fromStdin: passwordStdin, prompt: "Password for \(name): ")
            let service = try await options.openService(logger: Logger(label: "briefings.admin"), create: true)
            do {
                try await service.addUser(name: name, password: password, grants: entitlements)
            } catch let error as SyncError {
                throw AdminError(error.message)
            }
            print("user \(name) added, entitled to \(entitlements == .none ? "open content only (grant publications with `briefing-server grant \(name) PUBLICATION`)" : entitlements.description)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")
        @OptionGroup var options: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let accounts = try await options.openService(logger: Logger(label: "briefings.admin")).store.accounts()
            if json {
                print(try CanonicalJSON.pretty(accounts))
            } else if accounts.isEmpty {
                print("no users")
            } else {
                for account in accounts {
                    print("\(account.name)\tdevices: \(account.devices)\tcreated: \(account.createdAt)")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an account, its devices and all its data.")
        @Argument(help: "The user name.") var name: String
        @OptionGroup var options: DatabaseOptions

        func run() async throws {
            do {
                try await options.openService(logger: Logger(label: "briefings.admin")).store.removeAccount(name: name)
            } catch let error as SyncError {
                throw AdminError(error.message)
            }
            print("user \(name) removed")
        }
    }
}

/// `briefing-server devices`: a user's devices, and revoking the token of a lost one.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List a user's devices, or revoke one's token (safe while the server runs).",
        subcommands: [List.self, Revoke.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's devices, newest first.")
        @Argument(help: "The user name.") var user: String
        @OptionGroup var options: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let devices: [DeviceInfo]
            do {
                devices = try await options.openService(logger: Logger(label: "briefings.admin")).devices(ofUser: user)
            } catch let error as SyncError {
                throw AdminError(error.message)
            }
            if json {
                print(try CanonicalJSON.pretty(devices))
            } else if devices.isEmpty {
                print("\(user) has no devices")
            } else {
                for device in devices {
                    let state = device.revokedAt.map { "revoked \($0)" } ?? "live"
                    print("\(device.id)\t\(device.name ?? "-")\t\(state)\tcreated: \(device.createdAt)\tlast mutation: \(device.lastMutationID)")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a device's token: its next request is refused, and it must log in again.")
        @Argument(help: "The user name.") var user: String
        @Argument(help: "The device ID (from `devices list`).") var device: String
        @OptionGroup var options: DatabaseOptions

        func run() async throws {
            do {
                try await options.openService(logger: Logger(label: "briefings.admin")).revokeDevice(user: user, device: device)
            } catch let error as SyncError {
                throw AdminError(error.message)
            }
            print("device \(device) of \(user) revoked")
        }
    }
}

/// Reads a password from standard input (first line) or from the terminal without echo.
func readPassword(fromStdin: Bool, prompt: String) throws -> String {
    let password: String?
    if fromStdin {
        password = readLine(strippingNewline: true)
    } else {
        guard isatty(STDIN_FILENO) != 0 else {
            throw ValidationError("no terminal to prompt for a password; pass --password-stdin")
        }
        password = getpass(prompt).map { String(cString: $0) }
    }
    guard let password, !password.isEmpty else { throw ValidationError("the password is empty") }
    return password
}
