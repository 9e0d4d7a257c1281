import ArgumentParser
import BriefingLogging
import BriefingServer
import Foundation
import Logging

@main
struct BriefingServerMain {
    static func main() async {
        // Only the executable chooses where logs go: one line per event on standard error,
        // `LOG_LEVEL` (default info) and `LOG_FORMAT` (text or json).
        LineLogHandler.bootstrap(levelVariable: "LOG_LEVEL", formatVariable: "LOG_FORMAT", defaultLevel: .info)
        // The parser reads `-1` as an option it does not know (and then says a value is
        // missing); no option here takes a negative number, so say that instead.
        let arguments = CommandLine.arguments.dropFirst()
        if let negative = arguments.first(where: { $0.count > 1 && $0.hasPrefix("-") && Double($0) != nil }) {
            FileHandle.standardError.write(Data("Error: \(negative) is a negative number, and no option of briefing-server takes one\n".utf8))
            exit(ExitCode.validationFailure.rawValue)
        }
        await BriefingServerCommand.main(nil)
    }
}
