import BriefingModel
import Foundation

/// Where the CLI writes: standard output and error by default, a buffer in tests.
public struct Console: Sendable {
    /// Writes one chunk to standard output.
    public var out: @Sendable (String) -> Void
    /// Writes one chunk to standard error.
    public var err: @Sendable (String) -> Void
    /// Reads one line of standard input (for `--password-stdin`).
    public var readLine: @Sendable () -> String?
    /// Whether standard error is a terminal (progress bars only go there).
    public var isTerminal: Bool

    public init(
        out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void,
        readLine: @escaping @Sendable () -> String? = { nil }, isTerminal: Bool
    ) {
        self.out = out
        self.err = err
        self.readLine = readLine
        self.isTerminal = isTerminal
    }

    /// The process's own standard input, output and error.
    public static let standard = Console(
        out: { FileHandle.standardOutput.write(Data($0.utf8)) },
        err: { FileHandle.standardError.write(Data($0.utf8)) },
        readLine: { Swift.readLine(strippingNewline: true) },
        isTerminal: isatty(STDERR_FILENO) != 0)

    /// The console commands write to; tests bind their own.
    @TaskLocal public static var current: Console = .standard

    /// Prints a line to standard output.
    static func line(_ text: String = "") { current.out(text + "\n") }

    /// Prints a value as pretty JSON with sorted keys.
    static func json(_ value: some Encodable) throws { current.out(try jsonText(value)) }

    /// A value as pretty JSON with sorted keys, ending in a newline.
    static func jsonText(_ value: some Encodable) throws -> String {
        try CanonicalJSON.pretty(value) + "\n"
    }
}
