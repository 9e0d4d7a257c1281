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
        await BriefingServerCommand.main(nil)
    }
}
