import BriefingModel
import Crypto
import Foundation
import Logging
import Synchronization

/// The sync service: sessions, pulls and pushes over any `ServerStorage`, through the
/// `SyncKernel`. No HTTP here, so tools and simulations can drive it in-process.
public struct SyncService: Sendable {
    /// Tunables with sensible defaults.
    public struct Configuration: Sendable {
        /// bcrypt cost for new passwords (each +1 doubles the work).
        public var bcryptCost: UInt8
        /// How far ahead of the server's clock a mutation's HLC may be.
        public var maxClockSkew: TimeInterval
        /// The most changes one pull returns.
        public var maxPageSize: Int
        /// The most stored bytes of records one page carries (a larger record travels alone).
        public var maxPageBytes: Int
        /// How long tombstones are kept before compaction removes them; a device whose cursor
        /// is older must resync.
        public var tombstoneRetention: TimeInterval
        /// Limits on login attempts per user name and per client address.
        public var loginPolicy: LoginThrottle.Policy

        public init(
            bcryptCost: UInt8 = 12, maxClockSkew: TimeInterval = 36 * 3600, maxPageSize: Int = 1000,
            tombstoneRetention: TimeInterval = 30 * 86_400, loginPolicy: LoginThrottle.Policy = .init(),
            maxPageBytes: Int = SyncKernel.defaultPageBytes
        ) {
            self.maxPageBytes = maxPageBytes
            self.bcryptCost = bcryptCost
            self.maxClockSkew = maxClockSkew
            self.maxPageSize = maxPageSize
            self.tombstoneRetention = tombstoneRetention
            self.loginPolicy = loginPolicy
        }
    }

    /// Where accounts, devices and the change log are kept.
    public let store: any ServerStorage
    /// The sync algorithm over `store`.
    public let kernel: SyncKernel
    public let configuration: Configuration
    /// Runs bcrypt off the request path.
    public let passwords: PasswordHasher
    /// Counts login attempts.
    public let loginThrottle: LoginThrottle
    /// The devices this node has served lately (`briefings_active_devices`).
    public let activeDevices = ActiveDevices()
    private let now: @Sendable () -> Date
    private let makeID: @Sendable () -> String
    private let logger: Logger

    /// A service over `store`; `now` and `makeID` are injected so a simulation is reproducible.
    ///
    /// - Parameter signal: what wakes long-polls; by default the store's (PostgreSQL's hears
    ///   every node), else one for this process.
    public init(
        store: any ServerStorage, configuration: Configuration = .init(), logger: Logger = Logger(label: "briefings.sync"),
        passwords: PasswordHasher = .shared, signal: CommitSignal? = nil,
        now: @escaping @Sendable () -> Date = Date.init, makeID: @escaping @Sendable () -> String = { UUID().uuidString }
    ) {
        self.store = store
        self.kernel = SyncKernel(storage: store, signal: signal)
        self.configuration = configuration
        self.passwords = passwords
        self.loginThrottle = LoginThrottle(policy: configuration.loginPolicy)
        self.logger = logger
        self.now = now
        self.makeID = makeID
    }

    /// A freshly issued device token, shown once.
    public struct Session: Sendable {
        public var token: String
        public var deviceID: String
        public var user: String
    }

    // MARK: Accounts

    /// Creates an account with a bcrypt-hashed password, entitled to `grants` (open content
    /// is every reader's; `.none` gives nothing else).
    @discardableResult
    public func addUser(name: String, password: String, grants: Entitlements) async throws -> Account {
        guard Self.isValidUserName(name) else {
            throw SyncError(.badRequest, "a user name is 1–100 letters, digits, '.', '_' or '-'")
        }
        guard !password.isEmpty, password.utf8.count <= 72 else {
            throw SyncError(.badRequest, "a password is 1–72 bytes")
        }
        let hash = try await passwords.hash(password, cost: configuration.bcryptCost)
        let account = try await store.createAccount(id: makeID(), name: name, passwordHash: hash, now: now())
        switch grants {
        case .all: try await store.grant(name: name, publication: "*")
        case .publications(let keys): for key in keys.sorted() { try await store.grant(name: name, publication: key) }
        }
        logger.info("user added", metadata: ["user": "\(name)", "entitled to": "\(grants)"])
        return account
    }

    // MARK: Entitlements

    /// The key of a publication an editor names: by its key or its name (`The Grid Review`
    /// and `the-grid-review` are the same), or `*` for all.
    public static func publicationKey(_ given: String) throws(SyncError) -> String {
        let trimmed = given.trimmingCharacters(in: .whitespaces)
        if trimmed == "*" { return "*" }
        let key = Publication.key(for: trimmed)
        guard
            !key.isEmpty, trimmed.unicodeScalars.contains(where: { $0.properties.isAlphabetic || $0.properties.numericType != nil }),
            !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw SyncError(.badRequest, "name a publication (or * for all of them)")
        }
        return key
    }

    /// Entitles `user` to a publication (or all); their devices receive its content at their
    /// next sync, and only that.
    public func grant(user: String, publication: String) async throws {
        let key = try Self.publicationKey(publication)
        guard try await store.grant(name: user, publication: key) else { throw SyncError(.userNotFound, "no user \(user)") }
        logger.notice("entitlement granted", metadata: ["user": "\(user)", "publication": "\(key)"])
    }

    /// Takes an entitlement away; the publication's content leaves the user's devices at
    /// their next sync, and their own highlights and notes on it stay.
    public func revoke(user: String, publication: String) async throws {
        let key = try Self.publicationKey(publication)
        guard let current = try await store.entitlements(name: user) else { throw SyncError(.userNotFound, "no user \(user)") }
        if key != "*", current.contains("*") {
            throw SyncError(
                .badRequest,
                "\(user) is entitled to all publications; revoke * and grant the ones they keep (briefing-server grant \(user) PUBLICATION)")
        }
        guard current.contains(key) else { throw SyncError(.notFound, "\(user) is not entitled to \(key)") }
        try await store.revoke(name: user, publication: key)
        logger.notice("entitlement revoked", metadata: ["user": "\(user)", "publication": "\(key)"])
    }

    /// What `user` is entitled to.
    public func entitlements(user: String) async throws -> Entitlements {
        guard let keys = try await store.entitlements(name: user) else { throw SyncError(.userNotFound, "no user \(user)") }
        return Entitlements(stored: keys)
    }

    /// The publications content has been published in.
    public func publications() async throws -> [(key: String, name: String, briefings: Int)] { try await store.publications() }

    // MARK: Bodies

    /// The live briefing whose current revision is `hash`, if `principal` may read it, and
    /// whether it is open content (any cache may keep it) or a publication's (private).
    /// Anything else is `not_found`, the same for a hash that does not exist and for one the
    /// caller may not read, so a body's existence is not disclosed.
    public func body(_ principal: Principal, hash: String) async throws -> (briefing: Briefing, open: Bool) {
        let utf8 = Array(hash.utf8)
        guard utf8.count == 18, hash.hasPrefix("r-"), utf8.dropFirst(2).allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { throw SyncError(.badRequest, "a body's hash is a revision ID: r- and 16 hexadecimal digits") }
        let missing = SyncError(.notFound, "no briefing you may read has a revision \(hash); sync to see what is current")
        guard let found = try await store.briefing(revisionID: hash) else { throw missing }
        guard found.topic.isEmpty || principal.receives.map({ $0.contains(found.topic) }) ?? true else { throw missing }
        return (try CanonicalJSON.decode(Briefing.self, found.body), found.topic.isEmpty)
    }

    // MARK: Withdrawal

    /// Withdraws a briefing: it leaves every device at its next sync, with its editorial
    /// layer; readers' highlights and notes on it stay (`briefing orphans` lists them), and it
    /// can be restored (compaction keeps it).
    public func withdraw(briefingID: String) async throws {
        guard try await kernel.setWithdrawn(briefingID: briefingID, true, now: now()) else {
            throw SyncError(.notFound, "no published briefing \(briefingID) to withdraw")
        }
        logger.notice("briefing withdrawn", metadata: ["briefing": "\(briefingID)"])
    }

    /// Restores a withdrawn briefing, with the editorial layer it had; it returns to the
    /// devices that may read it at their next sync, and readers' highlights show on it again.
    public func restore(briefingID: String) async throws {
        guard try await kernel.setWithdrawn(briefingID: briefingID, false, now: now()) else {
            throw SyncError(.notFound, "no withdrawn briefing \(briefingID) to restore")
        }
        logger.notice("briefing restored", metadata: ["briefing": "\(briefingID)"])
    }

    // MARK: Subscriptions

    /// What a device receives, of what its account is entitled to.
    public struct SubscriptionState: Sendable, Hashable {
        /// The device follows its account's entitlements.
        public var all: Bool
        /// The publications it receives, by key.
        public var publications: [String]
        public var entitledToAll: Bool
        /// The publications published that the account is entitled to, and whether the device receives each.
        public var available: [Available]

        public struct Available: Sendable, Hashable {
            public var key: String
            public var name: String
            public var briefings: Int
            public var subscribed: Bool
        }
    }

    /// The device's subscriptions, with what it could subscribe to.
    public func subscriptions(_ principal: Principal) async throws -> SubscriptionState {
        let published = try await store.publications()
        let entitled: [(key: String, name: String, briefings: Int)] =
            switch principal.entitlements {
            case .all: published
            case .publications(let keys): published.filter { keys.contains($0.key) }
            }
        let receives = principal.receives
        return SubscriptionState(
            all: principal.subscriptions == nil, publications: receives?.sorted() ?? entitled.map(\.key), entitledToAll: principal.entitlements == .all,
            available: entitled.map {
                .init(key: $0.key, name: $0.name, briefings: $0.briefings, subscribed: receives?.contains($0.key) ?? true)
            })
    }

    /// Sets what the device receives: everything it is entitled to (`all`), or these
    /// publications (keys or names), each of which it must be entitled to. Its next pulls move
    /// only the difference.
    public func setSubscriptions(_ principal: Principal, all: Bool, publications: [String]) async throws -> SubscriptionState {
        var principal = principal
        if all {
            guard publications.isEmpty else { throw SyncError(.badRequest, "`all` subscribes to everything; leave `publications` out") }
            principal.subscriptions = nil
        } else {
            var keys: Set<String> = []
            for given in publications {
                let key = try Self.publicationKey(given)
                guard key != "*" else { throw SyncError(.badRequest, "to subscribe to everything, send `all: true`") }
                if case .publications(let entitled) = principal.entitlements, !entitled.contains(key) {
                    throw SyncError(.notEntitled, "this account is not entitled to \(key); ask for it to be granted")
                }
                keys.insert(key)
            }
            principal.subscriptions = keys
        }
        try await store.setSubscriptions(deviceID: principal.deviceID, principal.subscriptions)
        logger.info(
            "subscriptions set",
            metadata: ["device": "\(principal.deviceID)", "subscriptions": "\(principal.subscriptions.map { $0.sorted().joined(separator: ",") } ?? "all")"])
        return try await subscriptions(principal)
    }

    static func isValidUserName(_ name: String) -> Bool {
        (1...100).contains(name.count)
            && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }
    }

    /// Checks a password and issues a device token.
    ///
    /// - Parameter clientAddress: where the request came from, for the per-address login limit.
    public func createSession(user: String, password: String, deviceName: String?, clientAddress: String? = nil) async throws -> Session {
        do {
            let session = try await checkedSession(user: user, password: password, deviceName: deviceName, clientAddress: clientAddress)
            SyncMetrics.login("success")
            return session
        } catch let error as SyncError {
            switch error.code {
            case .rateLimited: SyncMetrics.login("rate_limited")
            case .busy: SyncMetrics.login("busy")
            case .invalidCredentials: SyncMetrics.login("refused")
            default: SyncMetrics.login("error")
            }
            throw error
        }
    }

    private func checkedSession(user: String, password: String, deviceName: String?, clientAddress: String?) async throws -> Session {
        try loginThrottle.admit(user: user, address: clientAddress, now: now())
        let credentials = try await store.credentials(name: user)
        // An unknown user is checked against a hash of the same cost as a real one, so the
        // answer takes as long either way and does not tell which names exist.
        let hash: String
        if let credentials { hash = credentials.passwordHash } else { hash = try await unknownUserHash() }
        let matches = password.utf8.count <= 72 ? try await passwords.verify(password, hash: hash) : false
        guard matches, let credentials else {
            logger.notice("login refused", metadata: ["user": "\(user)", "address": "\(clientAddress ?? "-")"])
            throw SyncError(.invalidCredentials, "wrong user name or password")
        }
        loginThrottle.succeeded(user: user, address: clientAddress)
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let token = "bft_" + Base64URL.encode(bytes)
        let deviceID = makeID()
        try await store.createDevice(id: deviceID, accountID: credentials.id, name: deviceName, tokenHash: Self.hash(token: token), now: now())
        logger.info("device registered", metadata: ["user": "\(user)", "device": "\(deviceID)"])
        return Session(token: token, deviceID: deviceID, user: user)
    }

    /// The stand-in hash unknown users are checked against: made once per process and cost.
    private func unknownUserHash() async throws -> String {
        let cost = configuration.bcryptCost
        if let hash = Self.unknownUserHashes.withLock({ $0[cost] }) { return hash }
        let hash = try await passwords.hash("not a real password \(UUID().uuidString)", cost: cost)
        Self.unknownUserHashes.withLock { $0[cost] = $0[cost] ?? hash }
        return hash
    }

    private static let unknownUserHashes = Mutex<[UInt8: String]>([:])

    /// The principal a bearer token stands for.
    public func authenticate(token: String) async throws -> Principal {
        guard token.utf8.count <= 200 else { throw SyncError(.unauthorized, "the token is unknown or revoked; log in again") }
        let principal = try await currentPrincipal(tokenHash: Self.hash(token: token))
        activeDevices.saw(principal.deviceID, at: now())
        return principal
    }

    /// The principal of a token hash as it stands now (what a long-poll reads again after a
    /// wake-up); unauthorized when the token is unknown or revoked.
    func currentPrincipal(tokenHash hash: String) async throws -> Principal {
        guard var principal = try await store.principal(tokenHash: hash) else {
            throw SyncError(.unauthorized, "the token is unknown or revoked; log in again")
        }
        principal.tokenHash = hash
        return principal
    }

    /// Revokes the caller's token.
    public func revoke(_ principal: Principal) async throws {
        try await store.revokeDevice(id: principal.deviceID, now: now())
    }

    /// The devices of the account `name`, newest first.
    public func devices(ofUser name: String) async throws -> [DeviceInfo] {
        guard let devices = try await store.devices(ofUser: name) else { throw SyncError(.userNotFound, "no user \(name)") }
        return devices
    }

    /// Revokes one device's token (a lost phone); its next request must log in again.
    public func revokeDevice(user name: String, device: String) async throws {
        guard try await devices(ofUser: name).contains(where: { $0.id == device && $0.revokedAt == nil }) else {
            throw SyncError(.notFound, "user \(name) has no live device \(device)")
        }
        try await store.revokeDevice(id: device, now: now())
        logger.notice("device revoked", metadata: ["user": "\(name)", "device": "\(device)"])
    }

    /// SHA-256 of a token, hex: what the server keeps instead of the token.
    static func hash(token: String) -> String {
        // Every authenticated request hashes its token.
        Hex.lowercase(SHA256.hash(data: Data(token.utf8)))
    }

    // MARK: Content and retention

    /// Publishes a briefing revision with its editorial layer.
    public func publish(_ briefing: Briefing, editorial: [EditorialAnnotation]) async throws {
        try await kernel.publish(briefing, editorial: editorial, now: now())
    }

    /// Removes tombstones older than the retention period and moves the resync horizon past them.
    @discardableResult
    public func compact() async throws -> Compaction {
        let result = try await store.compact(before: now().addingTimeInterval(-configuration.tombstoneRetention))
        if result.removed > 0 {
            logger.info("tombstones compacted", metadata: ["removed": "\(result.removed)", "horizon": "\(result.horizon)"])
        }
        return result
    }

    // MARK: Sync

    /// One page of changes after `cursor` (an opaque token; nil for the start).
    ///
    /// - Parameter wait: seconds to hold the request when nothing is visible yet (long-poll),
    ///   at most 30; nil or 0 answers at once.
    public func pull(
        _ principal: Principal, cursor: String?, limit: Int?, wait: Int? = nil, bodies: BodyDelivery = .inline
    ) async throws -> ChangesPage {
        let parsed = try cursor.map { token throws(SyncError) in try Cursor(token: token) }
        let seconds = Self.waitSeconds(wait)
        // A long-poll reads the principal again after each wake-up, so an entitlement,
        // subscription or token revoked while it waited holds for what the wake-up brings.
        var refresh: (@Sendable () async throws -> Principal)?
        if let hash = principal.tokenHash {
            refresh = { try await self.currentPrincipal(tokenHash: hash) }
        }
        return try await kernel.changes(
            for: principal, after: parsed, limit: pageSize(limit), maxBytes: configuration.maxPageBytes, bodies: bodies,
            wait: .seconds(seconds), refresh: refresh)
    }

    /// How long a long-poll asking for `wait` seconds is held: 0…30 seconds.
    public static func waitSeconds(_ wait: Int?) -> Int { min(max(wait ?? 0, 0), 30) }

    /// One page of changes after `cursor` as `pull` reads it for a long-poll whose caller
    /// holds the wait itself: when there is nothing to answer before `deadline`, also what to
    /// wait for (`SyncKernel.changesOrPark`). The caller asks again, authenticated afresh,
    /// when the park says so.
    public func pollOrPark(
        _ principal: Principal, cursor: String?, limit: Int?, until deadline: ContinuousClock.Instant, bodies: BodyDelivery = .inline
    ) async throws -> (page: ChangesPage, park: PollPark?) {
        let parsed = try cursor.map { token throws(SyncError) in try Cursor(token: token) }
        return try await kernel.changesOrPark(
            for: principal, after: parsed, limit: pageSize(limit), maxBytes: configuration.maxPageBytes, bodies: bodies, until: deadline)
    }

    /// The most briefings `newestBriefings` answers with.
    public static let newestLimit = 100

    /// The metadata of the `limit` (1–100, default 20) briefings published last that the
    /// caller's device receives, newest first.
    public func newestBriefings(_ principal: Principal, limit: Int?) async throws -> [BriefingMetadata] {
        let limit = limit ?? 20
        guard (1...Self.newestLimit).contains(limit) else {
            throw SyncError(.badRequest, "limit must be between 1 and \(Self.newestLimit)")
        }
        return try await kernel.newestBriefings(for: principal, limit: limit)
    }

    /// Applies a batch of the caller's mutations.
    public func push(_ principal: Principal, clientID: String, mutations: [Mutation]) async throws -> [MutationResult] {
        try await push(principal, clientID: clientID, mutations: mutations, thenPull: nil).results
    }

    /// Applies a batch, then reads the page after `thenPull`'s cursor in the same transaction
    /// (a sync's last push and its pull in one round trip). The page is nil when the cursor
    /// cannot be served here; the batch stands either way.
    ///
    /// - Parameter cursor: the device's cursor when no page is asked for (no echo of what it
    ///   writes on top of what it holds); a malformed one is ignored.
    public func push(
        _ principal: Principal, clientID: String, mutations: [Mutation], thenPull pull: (cursor: String?, limit: Int?)?,
        cursor: String? = nil, bodies: BodyDelivery = .inline
    ) async throws -> (results: [MutationResult], page: ChangesPage?) {
        guard clientID == principal.deviceID else {
            throw SyncError(.wrongClient, "clientID must be the ID of the device the token was issued to")
        }
        for (previous, next) in zip(mutations, mutations.dropFirst()) where next.mutationID <= previous.mutationID {
            throw SyncError(.mutationOrder, "mutation IDs must increase within a batch (\(previous.mutationID) then \(next.mutationID))")
        }
        // A malformed cursor asks for no page; the GET that follows says what is wrong with it.
        var page: (cursor: Cursor?, limit: Int)?
        if let pull {
            do {
                page = (try pull.cursor.map { text throws(SyncError) in try Cursor(token: text) }, pageSize(pull.limit))
            } catch {
                page = nil
            }
        }
        let known = pull == nil ? cursor.flatMap { try? Cursor(token: $0) } : nil
        let (results, pulled) = try await kernel.push(
            mutations, from: principal, now: now(), maxClockSkew: configuration.maxClockSkew, thenPull: page, known: known,
            maxPageBytes: configuration.maxPageBytes, bodies: bodies)
        let rejected = results.filter { $0.status == .rejected }.count
        logger.info(
            "push applied",
            metadata: ["user": "\(principal.user)", "device": "\(principal.deviceID)", "mutations": "\(mutations.count)", "rejected": "\(rejected)"])
        return (results, pulled)
    }

    /// The page size for a requested limit: 200 by default, at most `maxPageSize`.
    func pageSize(_ limit: Int?) -> Int { min(max(limit ?? 200, 1), configuration.maxPageSize) }
}
