import BriefingModel
import BriefingTestSupport
import Foundation
import BriefingServer
import SyncServerCore
import Testing

/// The real `briefing-server` executable, as an operator types it.
@Suite("Admin commands", .timeLimit(.minutes(10)))
struct AdminCommandTests {
    struct Output {
        var code: Int32
        var out: String
        var err: String
    }

    /// Runs `briefing-server ARGUMENTS` to completion.
    static func run(_ arguments: [String], stdin: String? = nil) async throws -> Output {
        let process = Process()
        process.executableURL = try ServerProcess.executable(named: "briefing-server")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LOG_LEVEL"] = "error"
        process.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
            if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
            try? input.fileHandleForWriting.close()
        }
        return Output(
            code: status, out: String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
            err: String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test("devices list shows a user's devices and devices revoke ends a lost one's token, on either store", arguments: TestStore.allCases)
    func devices(_ kind: TestStore) async throws {
        let database = try await kind.makeDatabase()
        #expect(try await Self.run(["user", "add", "alice", "--password-stdin", "--database", database], stdin: "s3cret\n").code == 0)
        let service = SyncService(store: try await ServerDatabase.open(database, create: false), configuration: .init(bcryptCost: 4))
        let phone = try await service.createSession(user: "alice", password: "s3cret", deviceName: "phone")
        let tablet = try await service.createSession(user: "alice", password: "s3cret", deviceName: "tablet")

        let listed = try await Self.run(["devices", "list", "alice", "--json", "--database", database])
        #expect(listed.code == 0, "\(listed.err)")
        let devices = try #require(try JSONSerialization.jsonObject(with: Data(listed.out.utf8)) as? [[String: Any]])
        #expect(Set(devices.compactMap { $0["name"] as? String }) == ["phone", "tablet"])
        #expect(devices.allSatisfy { $0["revokedAt"] == nil })

        let revoked = try await Self.run(["devices", "revoke", "alice", phone.deviceID, "--database", database])
        #expect(revoked.code == 0, "\(revoked.err)")
        await #expect(throws: SyncError.self) { try await service.authenticate(token: phone.token) }
        #expect(try await service.authenticate(token: tablet.token).deviceID == tablet.deviceID)
        let text = try await Self.run(["devices", "list", "alice", "--database", database])
        #expect(text.out.contains("\(phone.deviceID)\tphone\trevoked"), "\(text.out)")

        let again = try await Self.run(["devices", "revoke", "alice", phone.deviceID, "--database", database])
        #expect(again.code != 0)
        #expect(again.err.contains("has no live device \(phone.deviceID)"), "\(again.err)")
        let nobody = try await Self.run(["devices", "list", "bob", "--database", database])
        #expect(nobody.code != 0)
        #expect(nobody.err.contains("no user bob"), "\(nobody.err)")
        await service.store.close()
    }

    @Test("Bad numbers for the tombstone retention are refused in words and remove nothing")
    func retentionNumbers() async throws {
        let database = TemporaryDirectory.make().appendingPathComponent("server.sqlite").path
        #expect(try await Self.run(["user", "add", "ana", "--password-stdin", "--database", database], stdin: "pw\n").code == 0)
        for bad in ["nan", "inf", "1e12", "0", "-1"] {
            let result = try await Self.run(["compact", "--tombstone-retention-days=\(bad)", "--database", database])
            #expect(result.code == 64, "\(bad): \(result.err)")
            #expect(result.err.contains("--tombstone-retention-days must be a number of days above 0 and at most 36500"), "\(bad): \(result.err)")
        }
        let spaced = try await Self.run(["compact", "--tombstone-retention-days", "-1", "--database", database])
        #expect(spaced.code == 64)
        #expect(spaced.err.contains("-1 is a negative number"), "\(spaced.err)")
        #expect(try await Self.run(["compact", "--tombstone-retention-days", "30", "--database", database]).code == 0)
    }

    @Test("A mistyped --database is refused by every command that must not create one")
    func missingDatabase() async throws {
        let missing = TemporaryDirectory.make().appendingPathComponent("typo.sqlite").path
        for command in [["user", "list"], ["user", "remove", "ana"], ["compact"], ["annotate", "x", "--quote", "y", "--text", "z"]] {
            let result = try await Self.run(command + ["--database", missing])
            #expect(result.code == 1, "\(command): \(result.err)")
            #expect(result.err.hasPrefix("Error: no database at \(missing)"), "\(command): \(result.err)")
            #expect(!result.err.contains("Usage:"))
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test("An ordinary admin error is one line and exit 1, not the usage")
    func oneLineErrors() async throws {
        let database = TemporaryDirectory.make().appendingPathComponent("server.sqlite").path
        #expect(try await Self.run(["user", "add", "bob", "--password-stdin", "--database", database], stdin: "pw\n").code == 0)
        let again = try await Self.run(["user", "add", "bob", "--password-stdin", "--database", database], stdin: "pw\n")
        #expect(again.code == 1)
        #expect(again.err == "Error: user bob already exists\n")
        let nobody = try await Self.run(["user", "remove", "carol", "--database", database])
        #expect(nobody.code == 1)
        #expect(nobody.err == "Error: no user carol\n")
    }

    @Test("--demo on a database with content of its own does not announce a demo account")
    func demoOnContent() async throws {
        let database = TemporaryDirectory.make().appendingPathComponent("server.sqlite").path
        let kernel = SyncKernel(storage: try SQLiteServerStore(path: database))
        try await kernel.publish(
            Briefing(
                id: "own-briefing", revision: Revision(id: "r1", number: 1), title: "Own",
                sections: [Section(id: "s1", heading: nil, paragraphs: [Paragraph(id: "p1", text: "Text.")])]),
            editorial: [], now: Date())
        let server = try await ServerProcess.start(databasePath: database)
        defer { server.stop() }
        #expect(!server.banner.contains("demo account: demo / demo"), "\(server.banner)")
        #expect(server.banner.contains("no demo account was made"), "\(server.banner)")
        #expect(try await kernel.storage.accounts().isEmpty)
    }

    @Test("A port in use is named in words; every tool answers --version")
    func portInUseAndVersion() async throws {
        let directory = TemporaryDirectory.make()
        let server = try await ServerProcess.start(databasePath: directory.appendingPathComponent("a.sqlite").path)
        defer { server.stop() }
        let second = try await Self.run([
            "serve", "--port", String(server.port), "--database", directory.appendingPathComponent("b.sqlite").path,
        ])
        #expect(second.code == 1)
        #expect(second.err.contains("port \(server.port) is already in use"), "\(second.err)")
        let version = try await Self.run(["--version"])
        #expect(version.code == 0)
        #expect(version.out == BriefingsVersion.description + "\n")
        #expect(await briefing(["--version"]).out == BriefingsVersion.description + "\n")
    }
}
