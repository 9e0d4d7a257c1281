import ArgumentParser
import BriefingLogging
import BriefingModel
import BriefingServer
import Foundation
import Logging

@main
struct BriefingServerMain {
    static func main() async {
        // Only the executable chooses where logs go: one line per event on standard error,
        // `LOG_LEVEL` (default info) and `LOG_FORMAT` (text or json).
        // Lines written while a request is handled carry its ID (`request=…`).
        LineLogHandler.bootstrap(
            levelVariable: "LOG_LEVEL", formatVariable: "LOG_FORMAT", defaultLevel: .info, metadataProvider: RequestID.metadataProvider)
        // The parser reads `-1` as an option it does not know (and then says a value is
        // missing); no option here takes a negative number, so say that instead.
        if let negative = NegativeNumbers.first(in: CommandLine.arguments.dropFirst()) {
            FileHandle.standardError.write(Data("Error: \(negative) is a negative number, and no option of briefing-server takes one\n".utf8))
            exit(ExitCode.validationFailure.rawValue)
        }
        await BriefingServerCommand.main(nil)
    }
}
