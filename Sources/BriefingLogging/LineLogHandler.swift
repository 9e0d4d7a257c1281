import Foundation
import Logging
import Synchronization

/// A log handler that writes each event as exactly one line, whatever its values contain.
///
/// Log values often come from clients (a user name from a login, a device name), and a value
/// with a line break in it must not be able to start a forged line of its own. Two formats:
///
/// - `text` (the default): `2026-12-01T16:00:00.123Z notice briefings.server: login refused user=demo address=127.0.0.1`.
///   A message or value is written bare when it holds only printable characters other than
///   `"`, `\` and `=` (and, for a value, no space); otherwise it is quoted, with `"` and `\`
///   escaped and every control character written as an escape (`\n`, `\t`, `\u{1B}`).
/// - `json`: one JSON object per line (`time`, `level`, `label`, `message`, then the metadata),
///   for log collectors.
public struct LineLogHandler: LogHandler {
    /// How events are written.
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: Format
    private let write: @Sendable (String) -> Void

    /// A handler writing to standard error.
    public static func standardError(label: String, format: Format = .text) -> LineLogHandler {
        LineLogHandler(label: label, format: format) { line in
            Self.standardErrorLock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
        }
    }

    private static let standardErrorLock = Mutex(())

    /// A handler that hands each finished line (with its newline) to `write`.
    public init(label: String, format: Format = .text, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.format = format
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let time = Date().formatted(Self.timeStyle)
        write(line(time: time, level: event.level, message: event.message.description, metadata: merged))
    }

    /// `2026-12-01T16:00:00.123Z`, made once rather than for every line.
    private static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// The line for one event.
    func line(time: String, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        let keys = metadata.keys.sorted()
        switch format {
        case .text:
            var line = "\(time) \(level) \(Self.text(label, bareIfPossible: true)): \(Self.text(message, bareIfPossible: true, allowSpaces: true))"
            for key in keys {
                line += " \(Self.text(key, bareIfPossible: true))=\(Self.text(Self.flatten(metadata[key]!), bareIfPossible: true))"
            }
            return line + "\n"
        case .json:
            var fields = [("time", time), ("level", level.rawValue), ("label", label), ("message", message)]
            fields += keys.map { ($0, Self.flatten(metadata[$0]!)) }
            return "{" + fields.map { "\(Self.json($0.0)):\(Self.json($0.1))" }.joined(separator: ",") + "}\n"
        }
    }

    /// A metadata value as one string.
    static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value): value.description
        case .array(let values): "[" + values.map(flatten).joined(separator: ", ") + "]"
        case .dictionary(let values): "{" + values.keys.sorted().map { "\($0): \(flatten(values[$0]!))" }.joined(separator: ", ") + "}"
        }
    }

    /// `text` as written in a text line: bare when that is unambiguous, else quoted and escaped.
    static func text(_ text: String, bareIfPossible: Bool, allowSpaces: Bool = false) -> String {
        let bare =
            bareIfPossible && !text.isEmpty
            && text.unicodeScalars.allSatisfy { scalar in
                !isControl(scalar) && scalar != "\"" && scalar != "\\" && scalar != "=" && (allowSpaces || scalar != " ")
            } && !(allowSpaces && (text.hasPrefix(" ") || text.hasSuffix(" ")))
        if bare { return text }
        return quoted(text) { "\\u{\(String($0, radix: 16, uppercase: true))}" }
    }

    /// `text` in double quotes, with `"`, `\\`, line breaks and tabs escaped and every other
    /// control character written by `control` (the two formats spell those differently).
    static func quoted(_ text: String, control: (UInt32) -> String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case _ where isControl(scalar): quoted += control(scalar.value)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    /// C0 and C1 controls, DEL, and the Unicode line and paragraph separators: anything a
    /// terminal or a log viewer may take as a line break or an instruction.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// A JSON string literal with every control character escaped.
    static func json(_ text: String) -> String {
        quoted(text) { String(format: "\\u%04X", $0) }
    }

    /// Bootstraps the logging system with this handler on standard error: the level and format
    /// from the environment variables given (`info`, `text` when unset or unknown).
    ///
    /// - Parameter metadataProvider: adds metadata to every line (a server's request ID).
    public static func bootstrap(
        levelVariable: String, formatVariable: String, defaultLevel: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil
    ) {
        let environment = ProcessInfo.processInfo.environment
        let level = environment[levelVariable].flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
        let format = environment[formatVariable].flatMap(Format.init(rawValue:)) ?? .text
        LoggingSystem.bootstrap(
            { label, provider in
                var handler = LineLogHandler.standardError(label: label, format: format)
                handler.logLevel = level
                handler.metadataProvider = provider
                return handler
            }, metadataProvider: metadataProvider)
    }
}
