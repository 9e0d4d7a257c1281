import BriefingModel
import BriefingServer
import BriefingStore
import Foundation
import Logging
import OpenAPIURLSession
import Synchronization
import SyncClient
import SyncServerCore
import SyncServerPostgres

/// A violated guarantee, with the items involved.
public struct Violation: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Which check: convergence, conservation, rules, idempotency, isolation, quiescence, observer.
    public var check: String
    public var message: String
    public var items: [String]

    public init(check: String, message: String, items: [String]) {
        self.check = check
        self.message = message
        self.items = items
    }

    public var description: String {
        "[\(check)] \(message)" + (items.isEmpty ? "" : "\n    " + items.prefix(16).joined(separator: "\n    "))
    }
}

/// What a run did and found.
public struct SimulationReport: Codable, Sendable {
    public var config: SimulationConfig
    public var steps: Int
    public var operations: [String: Int]
    public var skippedOperations: Int
    public var syncs: Int
    public var failedSyncs: Int
    public var resyncs: Int
    public var faults: [String: Int]
    public var conflicts: [String: Int]
    /// One resolution of each rule, in words (the first by ID).
    public var conflictExamples: [String: String]?
    /// Mutations the server refused, by reason (first answers only).
    public var refusals: [String: Int]
    public var tombstonesCompacted: Int
    /// Entitlement and subscription changes made mid-run, by kind.
    public var scopeChanges: [String: Int]
    public var pushesObserved: Int
    public var elapsedSeconds: Double
    public var violations: [Violation]
    /// The stories of the run's conflicts (see `Runner.stories`): all of them when asked for,
    /// and for a failed run those of the records its violations name.
    public var stories: [String]?

    /// Whether every check held.
    public var passed: Bool { violations.isEmpty }
}

/// The conflict-resolution lab: simulated devices with real stores and sync clients against
/// the real sync service, driven step by step from a seed or a recorded trace.
public enum Simulation {
    /// Runs a fresh simulation from `config.seed`; returns its report and its trace.
    public static func run(_ config: SimulationConfig, explain: Bool = false) async throws -> (SimulationReport, Trace) {
        try await withRunner(config) { runner in
            var generator = StepGenerator(config: config)
            var steps: [Step] = []
            for _ in 0..<config.steps {
                let step = try await generator.next(runner)
                steps.append(step)
                try await runner.execute(step)
            }
            return (try await runner.finish(steps: steps.count, explain: explain), Trace(config: config, steps: steps))
        }
    }

    /// Re-runs a recorded trace exactly.
    public static func replay(_ trace: Trace, explain: Bool = false) async throws -> SimulationReport {
        try await withRunner(trace.config) { runner in
            for step in trace.steps { try await runner.execute(step) }
            return try await runner.finish(steps: trace.steps.count, explain: explain)
        }
    }

    /// Sets up a run's world, hands it to `body`, and always shuts it down.
    static func withRunner<T>(_ config: SimulationConfig, _ body: (Runner) async throws -> T) async throws -> T {
        let runner = try await Runner(config: config)
        do {
            let result = try await body(runner)
            await runner.shutDown()
            return result
        } catch {
            await runner.shutDown()
            throw error
        }
    }

    /// Shrinks a failing trace to a shorter one that still violates the same check.
    ///
    /// Removes chunks of steps, halving the chunk size down to single steps, keeping every
    /// removal after which the run still fails the same way. At most `budget` replays.
    public static func shrink(_ trace: Trace, budget: Int = 200, progress: (Int, Int) -> Void = { _, _ in }) async throws -> Trace {
        guard let target = try await replay(trace).violations.first?.check else { return trace }
        var current = trace
        var runs = 0
        var chunk = max(1, current.steps.count / 2)
        while chunk >= 1 && runs < budget {
            var index = 0
            var removedAny = false
            while index < current.steps.count && runs < budget {
                var candidate = current
                candidate.steps.removeSubrange(index..<min(index + chunk, candidate.steps.count))
                runs += 1
                let report = try await replay(candidate)
                if report.violations.first?.check == target {
                    current = candidate
                    removedAny = true
                    progress(runs, current.steps.count)
                } else {
                    index += chunk
                }
            }
            if !removedAny || chunk > 1 { chunk /= 2 } else { break }
        }
        return current
    }
}

/// One simulated device.
final class SimulatedDevice: Sendable {
    let index: Int
    let user: Int
    let store: BriefingStore
    let client: SyncClient

    init(index: Int, user: Int, store: BriefingStore, client: SyncClient) {
        self.index = index
        self.user = user
        self.store = store
        self.client = client
    }
}

/// The world of one run: clock, server, network, devices; executes steps and checks the end state.
final class Runner: @unchecked Sendable {
    // Mutated only by the run's own task, one step at a time.
    let config: SimulationConfig
    let clock = SimClock()
    let network: Network
    let directory: URL
    /// The database every node opens: an SQLite file of the run's own, or a PostgreSQL URL
    /// with a schema of the run's own.
    let database: String
    let serverIDs: SeededIDs
    let logger: Logger
    /// The server's nodes: each its own service and store over `database`.
    var nodes: [SyncService] = []
    /// The first node's service, for the checks and for compaction.
    var service: SyncService { nodes[0] }
    /// The HTTP server of an `--http` run.
    /// The nodes' HTTP servers, in `--http` mode.
    var hosts: [HTTPServerHost] = []
    var devices: [SimulatedDevice] = []
    var accountIDs: [String] = []
    var operations: [String: Int] = [:]
    var skipped = 0
    var syncs = 0
    var failedSyncs = 0
    var resyncs = 0
    var compacted = 0
    /// Entitlement and subscription changes made, by kind.
    var scopeChanges: [String: Int] = [:]
    let started = Date()
    /// For the stories: steps executed so far, the step (1-based) each write was made in (by
    /// its clock), and the step each push was sent in (by its place in the network's log).
    var executed = 0
    var madeIn: [HLC: Int] = [:]
    var pushedIn: [Int] = []

    static let serverURL = "http://briefings.sim.invalid"
    static let password = "simulated"

    /// - Parameters:
    ///   - clockOffsets: each device's clock against the server's, in milliseconds (a declared
    ///     scenario's); empty: on time, or drawn from the seed with the clock-skew fault.
    ///   - readers: each device's reader (0-based); empty: round-robin over `config.users`.
    init(config: SimulationConfig, clockOffsets: [Int64] = [], readers: [Int] = []) async throws {
        self.config = config
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("briefing-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        network = Network(nodes: config.nodeCount)
        if let url = config.database {
            guard ServerDatabase.isPostgres(url) else { throw SyncError(.badRequest, "--database takes a postgres:// URL (without it, the lab uses an SQLite file of its own)") }
            let schema = "briefing_sim_\(config.seed)_\(UUID().uuidString.prefix(8).lowercased())"
            database = try DatabaseURL(url).inSchema(schema).description(withPassword: true)
        } else {
            database = directory.appendingPathComponent("server.sqlite").path
        }
        serverIDs = SeededIDs(seed: config.seed ^ 0x5EED_5E4E, prefix: "S")
        var logger = Logger(label: "briefings.sim")
        logger.logLevel = .critical
        self.logger = logger
        for node in 0..<config.nodeCount {
            let service = try await Self.makeService(database: database, config: config, clock: clock, ids: serverIDs, logger: logger)
            nodes.append(service)
            try BriefingServerApp.registerAPI(on: network.node(node), service: service, logger: logger)
        }
        try await DemoContent.load(into: service)
        for user in 0..<config.users {
            let account = try await service.addUser(name: "reader\(user + 1)", password: Self.password, grants: .all)
            accountIDs.append(account.id)
        }
        if config.http {
            for service in nodes { hosts.append(try await HTTPServerHost.start(service: service, port: 0, logger: logger)) }
            network.useUpstream(URLSessionTransport(), baseURLs: hosts.map { URL(string: "http://127.0.0.1:\($0.port)")! })
        }
        var skews = SeededGenerator(seed: config.seed ^ 0xC10C)
        for index in 0..<config.devices {
            let drawn: Int64 = config.faults.contains(.clockSkew) ? Int64.random(in: -86_400_000...86_400_000, using: &skews) : 0
            let skew = clockOffsets.indices.contains(index) ? clockOffsets[index] : drawn
            // Clock skew is counted per device whose clock runs off the server's.
            if skew != 0 { network.countInjected(.clockSkew) }
            let clock = self.clock
            let ids = SeededIDs(seed: config.seed &+ UInt64(index) &* 7919, prefix: "D\(index)-")
            let store = try BriefingStore.inMemory(
                now: { Date(timeIntervalSince1970: Double(clock.now + skew) / 1000) }, makeID: { ids.next() })
            let client = SyncClient(
                store: store, transport: network.transport(for: index),
                configuration: .init(pushBatchSize: 10, pullPageSize: 25, retries: 0), logger: logger)
            let user = readers.indices.contains(index) ? readers[index] : index % config.users
            try await client.login(
                serverURL: Self.serverURL, user: "reader\(user + 1)", password: Self.password, deviceName: "device-\(index)")
            _ = try await client.sync()
            devices.append(SimulatedDevice(index: index, user: user, store: store, client: client))
        }
    }

    static func makeService(
        database: String, config: SimulationConfig, clock: SimClock, ids: SeededIDs, logger: Logger
    ) async throws -> SyncService {
        // synchronous = OFF for SQLite: the simulated server restarts within this process and
        // never loses power.
        let store = try await ServerDatabase.open(database, fsync: false, maxConnections: 4, logger: logger)
        var configuration = SyncService.Configuration(bcryptCost: 4, tombstoneRetention: config.retentionHours * 3600)
        if let hours = config.maxClockSkewHours { configuration.maxClockSkew = hours * 3600 }
        return SyncService(
            store: store, configuration: configuration, logger: logger,
            now: { clock.date }, makeID: { ids.next() })
    }

    /// Stops the HTTP servers, if any, closes the nodes' stores and removes the run's files
    /// (or its PostgreSQL schema).
    func shutDown() async {
        for host in hosts { try? await host.stop() }
        hosts = []
        if let postgres = nodes.first?.store as? PostgresServerStore { try? await postgres.dropSchema() }
        for node in nodes { await node.store.close() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Replaces node `index` with a fresh service over a newly opened store, as a restarted
    /// process would be; its HTTP server, if any, comes back on the same port.
    func restart(node index: Int) async throws {
        network.resetHandlers(node: index)
        let old = nodes[index]
        nodes[index] = try await Self.makeService(database: database, config: config, clock: clock, ids: serverIDs, logger: logger)
        try BriefingServerApp.registerAPI(on: network.node(index), service: nodes[index], logger: logger)
        if hosts.indices.contains(index) {
            let port = hosts[index].port
            try? await hosts[index].stop()
            hosts[index] = try await HTTPServerHost.start(service: nodes[index], port: port, logger: logger)
        }
        await old.store.close()
    }

    // MARK: Steps

    func execute(_ step: Step) async throws {
        executed += 1
        let number = executed
        defer { pushedIn += Array(repeating: number, count: max(0, network.pushes.count - pushedIn.count)) }
        try await perform(step)
        let editor: Int? =
            switch step.action {
            case .operation(let device, _), .resolve(let device, _, _, _): device
            default: nil
            }
        if let device = editor, devices.indices.contains(device),
            let clock = try await devices[device].store.syncState().clock, madeIn[clock] == nil
        {
            madeIn[clock] = number
        }
    }

    private func perform(_ step: Step) async throws {
        clock.advance(by: step.advance)
        network.setFaults(step.faults)
        defer { network.setFaults([]) }
        switch step.action {
        case .operation(let device, let operation):
            guard devices.indices.contains(device) else { return }
            if try await perform(operation, on: devices[device]) {
                operations[operation.name, default: 0] += 1
            } else {
                skipped += 1
            }
        case .sync(let device):
            guard devices.indices.contains(device) else { return }
            syncs += 1
            do {
                _ = try await sync(devices[device])
            } catch {
                failedSyncs += 1
            }
        case .setOnline(let device, let online):
            network.setOnline(device, online)
        case .restartServer:
            network.countInjected(.serverRestart)
            for index in nodes.indices { try await restart(node: index) }
        case .restartNode(let index):
            guard nodes.indices.contains(index) else { return }
            network.countInjected(.nodeRestart)
            try await restart(node: index)
        case .compact:
            compacted += try await service.compact().removed
        case .entitle(let user, let publications):
            guard accountIDs.indices.contains(user) else { return }
            let name = "reader\(user + 1)"
            for key in try await service.store.entitlements(name: name) ?? [] { try await service.store.revoke(name: name, publication: key) }
            for key in publications ?? ["*"] { try await service.grant(user: name, publication: key) }
            scopeChanges["entitle", default: 0] += 1
        case .republish(let id, let publication):
            // A new revision with the same text in another publication: the editorial layer is
            // kept as it is, so only the briefing's scope changes.
            guard let body = try await service.store.briefingBody(id: id) else {
                scopeChanges["republish-withdrawn", default: 0] += 1
                return
            }
            var briefing = try CanonicalJSON.decode(Briefing.self, body)
            briefing.publication = publication
            briefing.revision.number += 1
            let layer = try await service.store.editorialBodies(briefingID: id).map { try CanonicalJSON.decode(EditorialAnnotation.self, $0) }
            try await service.publish(briefing, editorial: layer)
            scopeChanges["republish", default: 0] += 1
        case .withdraw(let id, let restore):
            do {
                if restore { try await service.restore(briefingID: id) } else { try await service.withdraw(briefingID: id) }
                scopeChanges[restore ? "restore" : "withdraw", default: 0] += 1
            } catch let error as SyncError where error.code == .notFound {
                scopeChanges[restore ? "restore-not-withdrawn" : "withdraw-already", default: 0] += 1
            }
        case .resolve(let device, let record, let field, let keep):
            guard devices.indices.contains(device), let choice = ConflictChoice(rawValue: keep) else { return }
            // The latest conflict on the record (and field) this device lists.
            let listed = try await devices[device].store.conflicts().filter { $0.recordID == record && (field == nil || $0.field == field) }
            guard let conflict = listed.max(by: { ($0.at, $0.id) < ($1.at, $1.id) }) else {
                skipped += 1
                return
            }
            do {
                _ = try await devices[device].store.resolveConflict(conflict.id, keep: choice)
                operations["resolve", default: 0] += 1
            } catch is StoreError {
                // ("mine" on a conflict with no value from this device, say.)
                skipped += 1
            }
        case .subscribe(let device, let publications):
            guard devices.indices.contains(device) else { return }
            do {
                // Only what the account may read can be chosen: the rest of the draw is left out.
                var chosen = publications
                if let wanted = publications, case .publications(let entitled) = try await service.entitlements(user: "reader\(devices[device].user + 1)") {
                    chosen = wanted.filter(entitled.contains)
                }
                _ = try await devices[device].client.setSubscriptions(chosen)
                scopeChanges["subscribe", default: 0] += 1
            } catch let error as SyncClientError where error.code == .unreachable {
                // Offline, or a fault on its request: the device keeps what it had. Anything
                // else is a failure of the run, not a fault it injected.
                scopeChanges["subscribe-failed", default: 0] += 1
            }
        }
    }

    /// The server's refusals by reason, each mutation counted once (a repeat is answered again).
    func refusals() -> [String: Int] {
        var seen: Set<String> = []
        var counts: [String: Int] = [:]
        for push in network.pushes {
            for result in push.results where result.status == .rejected && seen.insert("\(push.device)/\(result.mutationID)").inserted {
                counts[result.reason ?? "rejected", default: 0] += 1
            }
        }
        return counts
    }

    /// Syncs one device, counting each resync it starts, also in a sync that a fault then fails.
    func sync(_ device: SimulatedDevice) async throws -> SyncClient.Summary {
        let started = Mutex(0)
        defer { resyncs += started.withLock { $0 } }
        return try await device.client.sync { progress in
            if progress == .resyncing { started.withLock { $0 += 1 } }
        }
    }

    /// Applies one operation through the store, as the CLI or an app would; false if it no longer applies.
    func perform(_ operation: UserOperation, on device: SimulatedDevice) async throws -> Bool {
        let store = device.store
        do {
            switch operation {
            case .createHighlight(let id, let briefingID, let paragraph, let start, let length, let color):
                guard let briefing = try await store.briefing(id: briefingID), !briefing.paragraphs.isEmpty else { return false }
                let target = briefing.paragraphs[paragraph % briefing.paragraphs.count]
                let scalars = Array(target.text.unicodeScalars)
                let lower = min(start, max(0, scalars.count - 1))
                let upper = min(scalars.count, lower + max(1, length))
                var exact = ""
                exact.unicodeScalars.append(contentsOf: scalars[lower..<upper])
                let context = TextSearch.context(in: scalars, around: lower..<upper)
                let anchor = TextAnchor(
                    revisionID: briefing.revision.id, paragraphID: target.id, start: lower, end: upper, exact: exact,
                    prefix: context.prefix, suffix: context.suffix, status: .anchored)
                try await store.highlight(briefing: briefingID, anchor: anchor, color: color, id: id)
            case .recolorHighlight(let id, let color):
                try await store.recolor(highlight: id, to: color)
            case .deleteHighlight(let id):
                try await store.removeHighlight(id)
            case .addNote(let id, let briefingID, let highlightID, let text):
                // A note meant for a highlight gone by now (or on another briefing) goes on the briefing.
                let live = try await highlightID.asyncFilter { id in
                    guard let record = try await store.record(.highlight, id: id), !record.deleted else { return false }
                    return record.briefingID == briefingID
                }
                try await store.note(briefing: briefingID, text: text, highlight: live, id: id)
            case .editNote(let id, let text):
                try await store.editNote(id, text: text)
            case .moveNote(let id, let highlightID):
                try await store.moveNote(id, toHighlight: highlightID)
            case .deleteNote(let id):
                try await store.removeNote(id)
            case .bookmark(let briefingID, let on):
                try await store.bookmark(briefing: briefingID, on)
            case .progress(let briefingID, let position):
                try await store.setProgress(briefing: briefingID, fraction: position)
            case .addTag(let briefingID, let name, let dot):
                try await store.tag(briefing: briefingID, name, dot: dot)
            case .removeTag(let briefingID, let name):
                try await store.untag(briefing: briefingID, name)
            }
            return true
        } catch is StoreError {
            return false
        }
    }


    // MARK: The end

    func finish(steps: Int, explain: Bool = false) async throws -> SimulationReport {
        var violations: [Violation] = []
        // Every device comes online and syncs, with no faults, until nothing moves.
        await network.flushHeld()
        for device in devices { network.setOnline(device.index, true) }
        var quiet = false
        for _ in 0..<12 where !quiet {
            quiet = true
            for device in devices {
                clock.advance(by: 1000)
                do {
                    let summary = try await sync(device)
                    if summary.pushed + summary.merged + summary.rejected + summary.pulled > 0 { quiet = false }
                } catch {
                    quiet = false
                    violations.append(Violation(check: "quiescence", message: "a fault-free sync failed", items: ["device \(device.index): \(error)"]))
                }
            }
        }
        if !quiet {
            violations.append(Violation(check: "quiescence", message: "devices were still exchanging changes after 12 rounds of syncs", items: []))
        }
        if violations.isEmpty {
            violations += try await Checks(runner: self).all()
        }
        var conflicts: [String: Int] = [:]
        var examples: [String: String] = [:]
        for account in accountIDs {
            for conflict in try await service.kernel.conflictRecords(ofAccount: account) {
                conflicts[conflict.rule.rawValue, default: 0] += 1
                if examples[conflict.rule.rawValue] == nil { examples[conflict.rule.rawValue] = Self.sentence(conflict) }
            }
        }
        var stories: [String]?
        if explain || !violations.isEmpty {
            var told = try await recordedConflicts()
            if !explain {
                // A failure tells the stories of the records its violations name.
                let named = violations.map { ([$0.message] + $0.items).joined(separator: " ") }.joined(separator: " ")
                told = told.filter { named.contains($0.recordID) }
            }
            stories = try await self.stories(of: told)
        }
        return SimulationReport(
            config: config, steps: steps, operations: operations, skippedOperations: skipped, syncs: syncs,
            failedSyncs: failedSyncs, resyncs: resyncs,
            // Every fault asked for, with its count (a zero says it was asked for and never came up).
            faults: config.faults.reduce(into: Dictionary(uniqueKeysWithValues: network.injected.map { ($0.key.rawValue, $0.value) })) {
                $0[$1.rawValue, default: 0] += 0
            },
            conflicts: conflicts, conflictExamples: examples, refusals: refusals(), tombstonesCompacted: compacted, scopeChanges: scopeChanges,
            pushesObserved: network.pushes.count,
            elapsedSeconds: Date().timeIntervalSince(started), violations: violations, stories: stories)
    }
}

extension Runner {
    /// The conflicts the server recorded, oldest first.
    func recordedConflicts() async throws -> [ConflictRecord] {
        var recorded: [ConflictRecord] = []
        for account in accountIDs { recorded += try await service.kernel.conflictRecords(ofAccount: account) }
        return recorded.sorted { ($0.at, $0.id) < ($1.at, $1.id) }
    }

    /// The step (by `label`) whose sync carried the write of clock `hlc` to the server; nil for
    /// a push made after the last step (the final syncs) or none seen.
    func pushStep(of hlc: HLC) -> Int? {
        guard let index = network.pushes.firstIndex(where: { push in push.mutations.contains { $0.hlc == hlc } }) else { return nil }
        return index < pushedIn.count ? pushedIn[index] : nil
    }

    /// Each conflict's story: who wrote each value, in which step and when by that device's
    /// clock, which sync carried it, which rule decided, what was kept and what set aside.
    ///
    /// - Parameters:
    ///   - names: each device's name (by index); "device N" if not given.
    ///   - step: how a lab step (1-based) is named in the story ("step 12" by default).
    func stories(of recorded: [ConflictRecord], names: [String] = [], step: (Int) -> String = { "step \($0)" }) async throws -> [String] {
        var byID: [String: String] = [:]
        for (index, device) in devices.enumerated() {
            if let id = try await device.store.syncState().deviceID { byID[id] = names.indices.contains(index) ? names[index] : "device \(index)" }
        }
        let pushes = network.pushes
        func carried(_ hlc: HLC) -> String {
            guard let index = pushes.firstIndex(where: { push in push.mutations.contains { $0.hlc == hlc } }) else { return "no push seen to carry it" }
            return index < pushedIn.count ? "sent in the sync of \(step(pushedIn[index]))" : "sent in the syncs after the last step"
        }
        return recorded.map { conflict in
            var lines = ["\(Self.kindName(conflict.kind)) \(conflict.recordID), \(conflict.field): decided by \(Self.kebab(conflict.rule.rawValue))"]
            for value in conflict.values.sorted(by: { $0.hlc < $1.hlc }) {
                let who = byID[value.deviceID] ?? "device \(value.deviceID)"
                let made = madeIn[value.hlc].map { "in \(step($0))" } ?? "before the steps began"
                lines.append(
                    "  \(who) wrote “\(value.display)” \(made), at \(Self.clockTime(value.hlc)) on its clock (HLC \(value.hlc)); "
                        + "\(carried(value.hlc)); \(value.kept ? "kept" : "set aside")")
            }
            lines.append("  → \(conflict.outcome)")
            return lines.joined(separator: "\n")
        }
    }

    /// A clock's wall time from the start of the run, as minutes and seconds (hours and days
    /// when it is that far on); a device's clock offset shows in it.
    static func clockTime(_ hlc: HLC) -> String { clockTime(millis: hlc.wallMillis - SimClock.start) }

    /// Simulated milliseconds from the start as the stories write a time: "1:10.0", "2h 0:05.0".
    static func clockTime(millis: Int64) -> String {
        let sign = millis < 0 ? "-" : ""
        let seconds = abs(millis) / 1000, tenths = abs(millis) % 1000 / 100
        let (days, hours, minutes) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60)
        var text = String(format: "%d:%02d.%d", minutes, seconds % 60, tenths)
        if hours > 0 || days > 0 { text = "\(hours)h " + text }
        if days > 0 { text = "\(days)d " + text }
        return sign + text
    }

    /// A kind as a reader says it (`progress` for reading progress), in stories and scenarios.
    static func kindName(_ kind: EntityKind) -> String { kind == .readingProgress ? "progress" : kind.rawValue }

    /// `lastWriterWins` as `last-writer-wins`.
    static func kebab(_ name: String) -> String {
        name.reduce(into: "") { out, character in
            if character.isUppercase { out += "-" + character.lowercased() } else { out.append(character) }
        }
    }

    /// A resolution in words: the record and field, what was kept over what, and the outcome.
    static func sentence(_ conflict: ConflictRecord) -> String {
        let kept = conflict.values.filter(\.kept).map(\.display)
        let dropped = conflict.values.filter { !$0.kept }.map(\.display)
        var text = "\(conflict.kind.rawValue) \(conflict.recordID), \(conflict.field): "
        text += kept.isEmpty ? "nothing kept" : "kept " + kept.joined(separator: " and ")
        if !dropped.isEmpty { text += " over " + dropped.joined(separator: " and ") }
        return text + " → \(conflict.outcome)"
    }
}

extension Optional where Wrapped: Sendable {
    /// The value if `isIncluded` holds for it, else nil.
    func asyncFilter(_ isIncluded: (Wrapped) async throws -> Bool) async rethrows -> Wrapped? {
        guard let self, try await isIncluded(self) else { return nil }
        return self
    }
}
