import BriefingModel
import BriefingTestSupport
import Foundation
import Synchronization
import Testing

@testable import SyncServerCore

/// Password checks off the request path, login limits, and no timing oracle for user names.
@Suite("Login defences")
struct LoginDefenceTests {
    /// A clock a test moves by hand.
    final class Clock: Sendable {
        private let value = Mutex(Date(timeIntervalSince1970: 1_750_000_000))
        var now: Date { value.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { value.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    func service(cost: UInt8 = 4, policy: LoginThrottle.Policy = .unlimited, clock: Clock = Clock()) async throws -> SyncService {
        let service = SyncService(
            store: try SQLiteServerStore.inMemory(), configuration: .init(bcryptCost: cost, loginPolicy: policy), now: { clock.now })
        try await service.addUser(name: "reader", password: "right password", grants: .all)
        return service
    }

    func code(of body: () async throws -> Void) async -> SyncError.Code? {
        do {
            try await body()
            return nil
        } catch let error as SyncError {
            return error.code
        } catch {
            return .storage
        }
    }

    @Test("Tokens are kept as their SHA-256 in lower-case hex, so tokens issued before stay valid")
    func tokenHashForm() {
        #expect(SyncService.hash(token: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SyncService.hash(token: "") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("An unknown user costs as much to refuse as a wrong password: one bcrypt check at the configured cost each")
    func noTimingOracle() async throws {
        // The work, not the time: a timed comparison measures the machine's load as much as the
        // code. The benchmark's login-flood workload reports the two medians in time.
        let hasher = PasswordHasher(limits: .init(threads: 1))
        let service = SyncService(
            store: try SQLiteServerStore.inMemory(), configuration: .init(bcryptCost: 6, loginPolicy: .unlimited), passwords: hasher)
        try await service.addUser(name: "reader", password: "right password", grants: .all)
        func checks(_ user: String) async throws -> Int {
            let before = hasher.verifications(atCost: 6)
            await #expect(throws: SyncError.self) {
                _ = try await service.createSession(user: user, password: "wrong password", deviceName: nil)
            }
            return hasher.verifications(atCost: 6) - before
        }
        for round in 0..<3 {
            #expect(try await checks("nobody-\(round)") == 1, "an unknown user is checked against a stand-in of the same cost")
            #expect(try await checks("reader") == 1)
        }
        // A password too long for bcrypt is refused without a check, for both alike.
        let long = String(repeating: "x", count: 80)
        let before = hasher.verifications(atCost: 6)
        for user in ["reader", "nobody"] {
            await #expect(throws: SyncError.self) { _ = try await service.createSession(user: user, password: long, deviceName: nil) }
        }
        #expect(hasher.verifications(atCost: 6) == before)
        #expect(PasswordHasher.cost(of: "$2b$12$abcdefghijklmnopqrstuv") == 12)
        #expect(PasswordHasher.cost(of: "not a hash") == nil)
    }

    @Test("bcrypt runs on the hasher's own threads: other work goes on while a flood of password checks is still queued")
    func hashingLeavesRequestThreadsFree() async throws {
        let hasher = PasswordHasher(limits: .init(threads: 1, maxPending: 64))
        let service = SyncService(
            store: try SQLiteServerStore.inMemory(), configuration: .init(bcryptCost: 11, loginPolicy: .unlimited), passwords: hasher)
        _ = try await service.store.createAccount(id: UUID().uuidString, name: "reader", passwordHash: try await hasher.hash("right", cost: 11), now: Date())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask { _ = try? await service.createSession(user: "reader", password: "wrong", deviceName: nil) }
            }
            // Twelve checks of a sixth of a second each, one at a time: seconds of work. A
            // cheap request made once they are under way is answered long before they end.
            // Wait, sleeping (a spin would hold one of the pool's threads, and on a loaded
            // machine never see every check queued at once), until one runs with others behind it.
            let clock = ContinuousClock()
            let limit = clock.now + .seconds(60)
            while hasher.inFlight < 2 && clock.now < limit { try await Task.sleep(for: .milliseconds(1)) }
            #expect(hasher.inFlight >= 2, "the password checks never queued")
            let accounts = try await service.store.accounts()
            #expect(accounts.count == 1)
            #expect(hasher.inFlight > 0, "the cheap request waited for every password check")
            try await group.waitForAll()
        }
        #expect(hasher.inFlight == 0)
    }

    @Test("Past its bound the hasher refuses at once (busy) instead of queueing without end")
    func hasherIsBounded() async throws {
        let hasher = PasswordHasher(limits: .init(threads: 1, maxPending: 2))
        let hash = try await hasher.hash("x", cost: 12)
        let codes = await withTaskGroup(of: SyncError.Code?.self) { group in
            for _ in 0..<6 {
                group.addTask { await code { _ = try await hasher.verify("y", hash: hash) } }
            }
            var codes: [SyncError.Code?] = []
            for await code in group { codes.append(code) }
            return codes
        }
        #expect(codes.filter { $0 == .busy }.count >= 1)
        #expect(codes.filter { $0 == nil }.count >= 1)
        #expect(codes.allSatisfy { $0 == nil || $0 == .busy })
    }

    @Test("Wrong passwords for one name meet growing waits; the real user gets in once the attacker stops")
    func perUserLimit() async throws {
        let clock = Clock()
        let policy = LoginThrottle.Policy(attemptsPerUser: 3, attemptsPerAddress: 1000, firstDelay: 2, maxDelay: 60, forgetAfter: 600)
        let service = try await service(policy: policy, clock: clock)
        func login(_ password: String, from address: String = "203.0.113.7") async -> SyncError.Code? {
            await code { _ = try await service.createSession(user: "reader", password: password, deviceName: nil, clientAddress: address) }
        }
        for _ in 0..<3 { #expect(await login("guess") == .invalidCredentials) }
        // The free attempts are used: even the right password must wait, from any address.
        #expect(await login("right password") == .rateLimited)
        #expect(await login("right password", from: "198.51.100.1") == .rateLimited)
        do {
            _ = try await service.createSession(user: "reader", password: "guess", deviceName: nil)
            Issue.record("a limited login was let through")
        } catch let error as SyncError {
            #expect(error.retryAfter == 2)
        }
        // The waits double: 2 s, then 4 s, then 8 s.
        clock.advance(2)
        #expect(await login("guess") == .invalidCredentials)
        clock.advance(3)
        #expect(await login("guess") == .rateLimited)
        clock.advance(1)
        #expect(await login("guess") == .invalidCredentials)
        clock.advance(7)
        #expect(await login("guess") == .rateLimited)
        // The attacker stops; after the longest wait, the right password works and clears the count.
        clock.advance(60)
        #expect(await login("right password") == nil)
        #expect(await login("guess") == .invalidCredentials)
        #expect(await login("right password") == nil)
    }

    @Test("One address trying many names is slowed; other addresses and successful logins are not")
    func perAddressLimit() async throws {
        let clock = Clock()
        let policy = LoginThrottle.Policy(attemptsPerUser: 1000, attemptsPerAddress: 4, firstDelay: 1, maxDelay: 30, forgetAfter: 600)
        let service = try await service(policy: policy, clock: clock)
        for index in 0..<4 {
            let code = await code { _ = try await service.createSession(user: "user\(index)", password: "x", deviceName: nil, clientAddress: "192.0.2.9") }
            #expect(code == .invalidCredentials)
        }
        let limited = await code { _ = try await service.createSession(user: "user9", password: "x", deviceName: nil, clientAddress: "192.0.2.9") }
        #expect(limited == .rateLimited)
        let elsewhere = await code {
            _ = try await service.createSession(user: "reader", password: "right password", deviceName: nil, clientAddress: "192.0.2.10")
        }
        #expect(elsewhere == nil)
        // Many right logins from one shared address never trip its limit.
        for _ in 0..<10 {
            let code = await code {
                _ = try await service.createSession(user: "reader", password: "right password", deviceName: nil, clientAddress: "192.0.2.20")
            }
            #expect(code == nil)
        }
        // An IPv6 host counts by its /64: other addresses in it share the limit.
        for index in 1...4 {
            _ = await code { _ = try await service.createSession(user: "u", password: "x", deviceName: nil, clientAddress: "2001:db8:1:2::\(index)") }
        }
        let sameNetwork = await code { _ = try await service.createSession(user: "u", password: "x", deviceName: nil, clientAddress: "2001:db8:1:2:ffff::1") }
        #expect(sameNetwork == .rateLimited)
        #expect(LoginThrottle.key(address: "::ffff:192.0.2.1") == "192.0.2.1")
    }

    @Test("The throttle forgets stale counts and keeps at most maxTracked of them")
    func throttleIsBounded() throws {
        let throttle = LoginThrottle(policy: .init(attemptsPerUser: 2, attemptsPerAddress: 2, forgetAfter: 60, maxTracked: 100))
        var now = Date(timeIntervalSince1970: 0)
        for index in 0..<1000 {
            try throttle.admit(user: "name\(index)", address: nil, now: now)
            now = now.addingTimeInterval(0.001)
        }
        #expect(throttle.tracked <= 100)
        try throttle.admit(user: "a", address: nil, now: now)
        try throttle.admit(user: "a", address: nil, now: now)
        #expect(throws: SyncError.self) { try throttle.admit(user: "a", address: nil, now: now) }
        #expect(throws: Never.self) { try throttle.admit(user: "a", address: nil, now: now.addingTimeInterval(61)) }
    }

    @Test("A push whose account was removed after its token was checked stores nothing")
    func pushAfterRemoval() async throws {
        let service = try await service()
        try await DemoContent.load(into: service)
        let session = try await service.createSession(user: "reader", password: "right password", deviceName: nil)
        let principal = try await service.authenticate(token: session.token)
        try await service.store.removeAccount(name: "reader")
        let mutation = Mutation(
            mutationID: 1, kind: .bookmark, id: "grid-storage-winter", op: .upsert,
            hlc: HLC(wallMillis: 1_750_000_000_000, counter: 0, node: principal.deviceID),
            fields: ["briefingID": .string("grid-storage-winter"), "bookmarked": .bool(true)])
        let refused = await code { _ = try await service.push(principal, clientID: principal.deviceID, mutations: [mutation]) }
        #expect(refused == .unauthorized)
        #expect(try await service.kernel.records(ofAccount: principal.accountID).isEmpty)
        // A revoked device is refused the same way.
        try await service.addUser(name: "second", password: "pw", grants: .all)
        let second = try await service.authenticate(
            token: try await service.createSession(user: "second", password: "pw", deviceName: nil).token)
        try await service.revoke(second)
        var mine = mutation
        mine.hlc = HLC(wallMillis: 1_750_000_000_000, counter: 0, node: second.deviceID)
        #expect(await code { _ = try await service.push(second, clientID: second.deviceID, mutations: [mine]) } == .unauthorized)
        #expect(try await service.kernel.records(ofAccount: second.accountID).isEmpty)
    }
}
