import BriefingCLI
import Foundation
import Logging

@main
struct BriefingMain {
    static func main() async {
        // The CLI speaks through its own output; library logs show only when asked for.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: ProcessInfo.processInfo.environment["BRIEFING_LOG_LEVEL"] ?? "warning") ?? .warning
            return handler
        }
        exit(await BriefingCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
    }
}
