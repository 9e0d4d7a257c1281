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

    /// Appends one line per report, in order, and flushes them to disk.
    public func append(_ reports: [SimulationReport]) throws {
        guard !reports.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = Data()
        for report in reports {
            data += try encoder.encode(Entry(report))
            data += Data("\n".utf8)
        }
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw ResultsLogError(description: "cannot create \(url.path)")
            }
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
        try handle.synchronize()
    }
}

/// A results log that cannot be read or written.
public struct ResultsLogError: Error, CustomStringConvertible {
    public var description: String
}
