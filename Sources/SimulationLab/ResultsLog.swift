import Foundation

/// A long run's record of finished seeds: one JSON line a seed, appended as each finishes, so
/// that a run of many seeds can be stopped and resumed with the same command.
///
/// A seed counts as done only if its line says it passed under the same settings (devices,
/// users, steps, faults, retention, clock bound, transport); a line from other settings, or a
/// failure, never lets a seed be skipped.
public struct ResultsLog: Sendable {
    /// One finished seed.
    public struct Entry: Codable, Hashable, Sendable {
        public var config: SimulationConfig
        public var passed: Bool
        public var syncs: Int
        public var conflicts: Int
        public var elapsedSeconds: Double
        /// The first violated check, for a failed seed.
        public var violation: String?
        /// Why the run stopped before reaching a verdict, for a seed whose lab run threw (the
        /// lab itself failed, not a check); its counts are then zero.
        public var error: String?

        public init(_ report: SimulationReport) {
            config = report.config
            passed = report.passed
            syncs = report.syncs
            conflicts = report.conflicts.values.reduce(0, +)
            elapsedSeconds = report.elapsedSeconds
            violation = report.violations.first.map(\.description)
        }

        /// A seed that stopped with an error: recorded as not passed, so a resume runs it again.
        public init(config: SimulationConfig, error: any Error) {
            self.config = config
            passed = false
            syncs = 0
            conflicts = 0
            elapsedSeconds = 0
            self.error = String(describing: error)
        }
    }

    public let url: URL

    public init(path: String) { url = URL(fileURLWithPath: path) }

    /// The entries so far (none if the file does not exist yet). A line that is not an entry is
    /// an error naming its number, never skipped silently; only a last line without its newline
    /// is left out, as a write still under way in another run (or cut short).
    public func entries() throws -> [Entry] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text = try String(contentsOf: url, encoding: .utf8)
        let decoder = JSONDecoder()
        var entries: [Entry] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // what follows the last newline: nothing, or an unfinished line
        for (number, line) in lines.enumerated() where !line.isEmpty {
            do {
                entries.append(try decoder.decode(Entry.self, from: Data(line.utf8)))
            } catch {
                throw ResultsLogError(description: "\(url.path):\(number + 1) is not a seed result: \(error)")
            }
        }
        return entries
    }

    /// The configurations among `configs` that an earlier line records as passed.
    public func passed(among configs: [SimulationConfig]) throws -> Set<SimulationConfig> {
        Set(try entries().filter(\.passed).map(\.config)).intersection(configs)
    }

    /// Appends one line per report, in order, in one write, and flushes them to disk.
    public func append(_ reports: [SimulationReport]) throws {
        try append(entries: reports.map(Entry.init))
    }

    /// Appends one line per entry, in order, in one write, and flushes them to disk.
    ///
    /// The file is opened for appending, so several runs may share one log (two processes
    /// over different seeds, say): each write lands whole at the end of the file. A file whose
    /// last line was cut short gets a newline first, so the new lines stay readable.
    public func append(entries: [Entry]) throws {
        guard !entries.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let descriptor = open(url.path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ResultsLogError(description: "cannot open \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        let size = lseek(descriptor, 0, SEEK_END)
        var last: UInt8 = 0
        if size > 0, pread(descriptor, &last, 1, size - 1) == 1, last != UInt8(ascii: "\n") {
            bytes.append(UInt8(ascii: "\n"))
        }
        for entry in entries {
            bytes += try encoder.encode(entry)
            bytes.append(UInt8(ascii: "\n"))
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                throw ResultsLogError(description: "cannot write \(url.path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            throw ResultsLogError(description: "cannot flush \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}

/// A results log that cannot be read or written.
public struct ResultsLogError: Error, CustomStringConvertible {
    public var description: String
}
