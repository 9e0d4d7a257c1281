import BriefingModel
import BriefingStore

/// Draws the next step from the seed and the current state of the devices.
///
/// Devices of one user pick from the same few briefings, tags and records on purpose, so
/// their offline edits overlap and the merge rules get exercised.
struct StepGenerator {
    var random: SeededGenerator
    var ids: SeededGenerator
    let config: SimulationConfig
    let networkFaults: [FaultKind]
    /// The step each offline device comes back online at: most outages are short, some outlast
    /// the tombstone retention so that the device must resync.
    var offlineUntil: [Int: Int] = [:]
    var stepIndex = 0

    static let briefings = ["grid-storage-winter", "river-basin-water-sharing", "port-automation-labour"]
    static let tags = ["policy", "energy", "water"]
    /// The demo briefings' publications, by key.
    static let publications = ["confluence-policy-papers", "meridian-policy-review", "tidewater-policy-review"]
    static let publicationNames = ["Confluence Policy Papers", "Meridian Policy Review", "Tidewater Policy Review"]
    static let words = [
        "storage", "winter", "river", "quota", "treaty", "port", "crane", "union", "evidence", "risk", "cost", "grid",
        "drought", "reserve", "contract", "budget", "review", "pilot", "tariff", "basin", "shift", "market", "plan", "note",
    ]

    init(config: SimulationConfig) {
        self.config = config
        random = SeededGenerator(seed: config.seed)
        ids = SeededGenerator(seed: config.seed ^ 0x1D5)
        networkFaults = [.dropRequest, .dropResponse, .duplicate, .reorder].filter(config.faults.contains)
    }

    mutating func newID(_ prefix: String) -> String {
        prefix + String(ids.next() % 0xFFFF_FFFF_FFFF, radix: 16).uppercased()
    }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &random) < probability }

    mutating func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[Int.random(in: 0..<items.count, using: &random)] }

    mutating func sentence(_ count: Int) -> String {
        (0..<count).map { _ in pick(Self.words)! }.joined(separator: " ")
    }

    mutating func next(_ runner: Runner) async throws -> Step {
        // Simulated time: a few minutes a step, so a run spans days and tombstones age out.
        let advance = Int64.random(in: 1_000...1_200_000, using: &random)
        let roll = Int.random(in: 0..<100, using: &random)
        let device = Int.random(in: 0..<config.devices, using: &random)
        stepIndex += 1
        if roll < 24 {
            if !runner.network.isOnline(device) {
                if stepIndex >= offlineUntil[device, default: 0] {
                    return Step(action: .setOnline(device: device, online: true), advance: advance)
                }
                let operation = try await operation(for: runner.devices[device])
                return Step(action: .operation(device: device, operation: operation), advance: advance)
            }
            var faults: [FaultKind?] = []
            for _ in 0..<16 {
                faults.append(!networkFaults.isEmpty && chance(0.12) ? pick(networkFaults) : nil)
            }
            return Step(action: .sync(device: device), advance: advance, faults: faults)
        }
        if roll < 27 {
            guard runner.network.isOnline(device) else {
                let operation = try await operation(for: runner.devices[device])
                return Step(action: .operation(device: device, operation: operation), advance: advance)
            }
            // An outage: usually short, sometimes longer than the tombstone retention.
            let long = chance(0.2)
            offlineUntil[device] = stepIndex + (long ? Int.random(in: 200...400, using: &random) : Int.random(in: 5...40, using: &random))
            return Step(action: .setOnline(device: device, online: false), advance: advance)
        }
        if roll < 29 {
            let whole = config.faults.contains(.serverRestart), one = config.faults.contains(.nodeRestart)
            if whole && (!one || roll < 28) { return Step(action: .restartServer, advance: advance) }
            if one { return Step(action: .restartNode(node: Int.random(in: 0..<config.nodeCount, using: &random)), advance: advance) }
        }
        if roll < 31 {
            return Step(action: .compact, advance: advance)
        }
        if roll < 33 {
            // Scopes change mid-run: an entitlement granted or revoked, a device's subscriptions;
            // and now and then content moves: a briefing republished in another publication (or
            // none), withdrawn, restored.
            let publications: [String]? = chance(0.3) ? nil : Self.publications.filter { _ in chance(0.6) }
            if chance(0.25) {
                let briefing = pick(Self.briefings)!
                if chance(0.5) { return Step(action: .withdraw(briefing: briefing, restore: chance(0.6)), advance: advance) }
                let names = Self.publicationNames + [nil]
                return Step(action: .republish(briefing: briefing, publication: names[Int.random(in: 0..<names.count, using: &random)]), advance: advance)
            }
            if roll < 32 { return Step(action: .entitle(user: device % config.users, publications: publications), advance: advance) }
            return Step(action: .subscribe(device: device, publications: publications), advance: advance)
        }
        let operation = try await operation(for: runner.devices[device])
        return Step(action: .operation(device: device, operation: operation), advance: advance)
    }

    mutating func operation(for device: SimulatedDevice) async throws -> UserOperation {
        let store = device.store
        let briefing = pick(Self.briefings)!
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<12:
            return .createHighlight(
                id: newID("H"), briefingID: briefing, paragraph: Int.random(in: 0..<30, using: &random),
                start: Int.random(in: 0..<200, using: &random), length: Int.random(in: 8..<60, using: &random),
                color: pick(Highlight.colors)!)
        case 12..<26:
            guard let id = try await pickLive(.highlight, on: store) else {
                return .bookmark(briefingID: briefing, on: chance(0.5))
            }
            return .recolorHighlight(id: id, color: pick(Highlight.colors)!)
        case 26..<30:
            guard let id = try await pickLive(.highlight, on: store) else {
                return .progress(briefingID: briefing, position: position())
            }
            return .deleteHighlight(id: id)
        case 30..<40:
            let onBriefing = chance(0.4) ? try await store.recordIDs(.highlight, briefingID: briefing) : []
            return .addNote(id: newID("N"), briefingID: briefing, highlightID: pick(onBriefing), text: sentence(6))
        case 40..<58:
            guard let id = try await pickLive(.note, on: store), let note = try await store.record(.note, id: id).flatMap(Note.init)
            else {
                return .addNote(id: newID("N"), briefingID: briefing, highlightID: nil, text: sentence(5))
            }
            if chance(0.2) {
                // Off its highlight, or to another highlight on the note's briefing.
                let others = try await store.recordIDs(.highlight, briefingID: note.briefingID).filter { $0 != note.highlightID }
                if note.highlightID != nil && (others.isEmpty || chance(0.5)) { return .moveNote(id: note.id, highlightID: nil) }
                if let target = pick(others) { return .moveNote(id: note.id, highlightID: target) }
            }
            return .editNote(id: note.id, text: edited(note.text))
        case 58..<62:
            guard let id = try await pickLive(.note, on: store) else {
                return .addTag(briefingID: briefing, name: pick(Self.tags)!, dot: newID("T"))
            }
            return .deleteNote(id: id)
        case 62..<70:
            return .bookmark(briefingID: briefing, on: chance(0.5))
        case 70..<82:
            return .progress(briefingID: briefing, position: position())
        case 82..<92:
            return .addTag(briefingID: briefing, name: pick(Self.tags)!, dot: newID("T"))
        default:
            return .removeTag(briefingID: briefing, name: pick(Self.tags)!)
        }
    }

    /// One of the device's live records of `kind`, drawn as `pick` would draw from all their
    /// IDs in ID order, without reading them all.
    mutating func pickLive(_ kind: EntityKind, on store: BriefingStore) async throws -> String? {
        let count = try await store.liveRecordCount(kind)
        guard count > 0 else { return nil }
        return try await store.liveRecordID(kind, at: Int.random(in: 0..<count, using: &random))
    }

    mutating func position() -> Double { Double(Int.random(in: 0...100, using: &random)) / 100 }

    /// A new text for a note: one word changed, a word added, or (rarely) a rewrite.
    mutating func edited(_ text: String) -> String {
        var words = text.split(separator: " ").map(String.init)
        if words.isEmpty || chance(0.1) { return sentence(5) }
        if chance(0.5) {
            words[Int.random(in: 0..<words.count, using: &random)] = pick(Self.words)!
        } else {
            words.insert(pick(Self.words)!, at: Int.random(in: 0...words.count, using: &random))
        }
        return words.joined(separator: " ")
    }
}
