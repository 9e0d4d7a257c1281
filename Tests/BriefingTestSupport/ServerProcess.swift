import Foundation
import Synchronization

/// The real `briefing-server` executable, run as a child process so a test can kill it.
public final class ServerProcess: Sendable {
    public let port: Int
    public let databasePath: String
    private let process: Process
    private let transcript: Transcript

    /// What the server has printed on standard output so far (its banner, at least).
    public var banner: String { transcript.text.withLock { $0 } }

    final class Transcript: Sendable {
        let text = Mutex("")
    }

    /// The base URL.
    public var url: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, databasePath: String, process: Process, transcript: Transcript) {
        self.port = port
        self.databasePath = databasePath
        self.process = process
        self.transcript = transcript
    }

    /// Starts `briefing-server serve --demo` on `port` (0 picks one) over `databasePath`.
    ///
    /// - Parameter logPath: where its log (standard error) goes; nowhere by default.
    public static func start(databasePath: String, port: Int = 0, logPath: String? = nil, logLevel: String = "warning") async throws
        -> ServerProcess
    {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = ["serve", "--demo", "--host", "127.0.0.1", "--port", String(port), "--database", databasePath]
        var environment = ProcessInfo.processInfo.environment
        environment["LOG_LEVEL"] = logLevel
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        if let logPath {
            FileManager.default.createFile(atPath: logPath, contents: nil)
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        } else {
            process.standardError = FileHandle.nullDevice
        }
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        let buffer = Mutex("")
        let transcript = Transcript()
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                continuation.finish()
                return
            }
            transcript.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
            let complete: [String] = buffer.withLock { text in
                text += String(decoding: data, as: UTF8.self)
                var parts = text.components(separatedBy: "\n")
                text = parts.removeLast()
                return parts
            }
            for line in complete { continuation.yield(line) }
        }
        try process.run()
        for await line in lines {
            if let range = line.range(of: "listening on http://127.0.0.1:") {
                guard let actual = Int(line[range.upperBound...].prefix { $0.isNumber }) else { break }
                return ServerProcess(port: actual, databasePath: databasePath, process: process, transcript: transcript)
            }
        }
        process.terminate()
        throw TestSupportError("briefing-server did not start")
    }

    /// Kills the server at once (SIGKILL): no graceful shutdown, no flushing.
    public func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Freezes the server (SIGSTOP): its port still accepts connections, but nothing answers.
    public func pause() { Foundation.kill(process.processIdentifier, SIGSTOP) }

    /// Lets a paused server go on (SIGCONT).
    public func resume() { Foundation.kill(process.processIdentifier, SIGCONT) }

    /// Stops the server gracefully (SIGTERM) and waits for it.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// The built `briefing-server`, next to the test bundle; built on demand if missing.
    static func executable() throws -> URL { try executable(named: "briefing-server") }

    /// A built executable of this package (`briefing`, `briefing-server`), next to the test
    /// bundle; built on demand if missing.
    public static func executable(named name: String) throws -> URL {
        let candidates = [
            Bundle.main.executableURL?.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ].compactMap { $0 }
        for directory in candidates {
            let url = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        build.arguments = ["swift", "build", "--product", name]
        build.currentDirectoryURL = SchemaFiles.packageRoot
        build.standardOutput = FileHandle.nullDevice
        try build.run()
        build.waitUntilExit()
        let where_ = Process()
        where_.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        where_.arguments = ["swift", "build", "--show-bin-path"]
        where_.currentDirectoryURL = SchemaFiles.packageRoot
        let output = Pipe()
        where_.standardOutput = output
        try where_.run()
        where_.waitUntilExit()
        let binPath = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let url = URL(fileURLWithPath: binPath).appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw TestSupportError("cannot find or build \(name) (looked in \(candidates.map(\.path)))")
        }
        return url
    }
}
