import BriefingCLI
import BriefingLogging
import Foundation
import Logging

@main
struct BriefingMain {
    static func main() async {
        // The CLI speaks through its own output; library logs show only when asked for.
        LineLogHandler.bootstrap(levelVariable: "BRIEFING_LOG_LEVEL", formatVariable: "BRIEFING_LOG_FORMAT", defaultLevel: .warning)
        exit(await BriefingCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
    }
}
