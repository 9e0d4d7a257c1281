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

        public init(_ report: SimulationReport) {
            config = report.config
            passed = report.passed
            syncs = report.syncs
            conflicts = report.conflicts.values.reduce(0, +)
            elapsedSeconds = report.elapsedSeconds
            violation = report.violations.first.map(\.description)
        }
    }

    public let url: URL

    public init(path: String) { url = URL(fileURLWithPath: path) }

    /// The entries so far (none if the file does not exist yet); a line that is not an entry is
    /// an error naming its number, never skipped silently.
    public func entries() throws -> [Entry] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text = try String(contentsOf: url, encoding: .utf8)
        let decoder = JSONDecoder()
        var entries: [Entry] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
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
    ///
    /// The file is opened for appending, so several runs may share one log (two processes
    /// over different seeds, say): each write lands whole at the end of the file.
    public func append(_ reports: [SimulationReport]) throws {
        guard !reports.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var bytes: [UInt8] = []
        for report in reports {
            bytes += try encoder.encode(Entry(report))
            bytes.append(UInt8(ascii: "\n"))
        }
        let descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ResultsLogError(description: "cannot open \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw ResultsLogError(description: "cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}

/// A results log that cannot be read or written.
public struct ResultsLogError: Error, CustomStringConvertible {
    public var description: String
}
