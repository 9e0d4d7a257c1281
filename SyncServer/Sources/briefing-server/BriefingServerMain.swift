import ArgumentParser
import BriefingServer
import Foundation
import Logging

@main
struct BriefingServerMain {
    static func main() async {
        // Only the executable chooses where logs go: structured lines on standard error.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info") ?? .info
            return handler
        }
        await BriefingServerCommand.main(nil)
    }
}
