import BriefingCLI
import Foundation
import Synchronization

/// What one in-process run of the `briefing` command printed.
public struct CLIResult: Sendable {
    public var code: Int32
    public var out: String
    public var err: String

    /// Standard output parsed as JSON.
    public func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(out.utf8))
    }
}

/// Runs the `briefing` command line in-process, exactly as the executable does, capturing its output.
public func briefing(_ arguments: [String], stdin: String? = nil) async -> CLIResult {
    let out = Mutex(""), err = Mutex("")
    let input = Mutex(stdin.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? [])
    let console = Console(
        out: { text in out.withLock { $0 += text } },
        err: { text in err.withLock { $0 += text } },
        readLine: { input.withLock { $0.isEmpty ? nil : $0.removeFirst() } },
        isTerminal: false)
    let code = await Console.$current.withValue(console) {
        await BriefingCommand.run(arguments: arguments)
    }
    return CLIResult(code: code, out: out.withLock { $0 }, err: err.withLock { $0 })
}

/// A simulated reader device: its own store file, driven through the CLI.
public struct Device: Sendable {
    public let name: String
    public let storePath: String

    public init(_ name: String, directory: URL = TemporaryDirectory.make()) {
        self.name = name
        self.storePath = directory.appendingPathComponent("\(name).sqlite").path
    }

    /// Runs a `briefing` command against this device's store.
    public func run(_ arguments: String..., stdin: String? = nil) async -> CLIResult {
        await briefing(arguments + ["--store", storePath], stdin: stdin)
    }

    /// Runs a command with `--json` and returns its parsed output; fails on a non-zero exit.
    public func json(_ arguments: String...) async throws -> Any {
        let result = await briefing(arguments + ["--store", storePath, "--json"])
        guard result.code == 0 else { throw TestSupportError("briefing \(arguments.joined(separator: " ")) failed: \(result.err)") }
        return try result.json()
    }
}
