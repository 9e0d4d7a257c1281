import BriefingModel
import Foundation
import BriefingStore
import SyncServerCore
import Yams

/// A declared scenario: named devices, what each does and when, and the outcome expected.
///
/// Written in YAML (the reference is `LabScenarios/README.md`); run by `Scenario.run()` against
/// the real stores, sync clients and sync service the lab uses, the same way a seeded run is.
/// After its steps every device comes online and syncs until nothing moves, the lab's
/// guarantees are checked, and then each expectation: the records on each device and the
/// conflicts the server recorded, with their rules. A failed expectation says what differed.
public struct Scenario: Sendable {
    public struct Device: Sendable, Hashable {
        public var name: String
        /// 0-based.
        public var reader: Int
        /// Milliseconds the device's clock runs ahead of the server's (negative: behind).
        public var clockOffset: Int64
    }

    /// A record on the devices: which, where, and what it must hold.
    public struct RecordExpectation: Sendable {
        public var kind: EntityKind
        /// The record's ID (highlights, notes), or the briefing whose record it is (bookmarks,
        /// reading progress).
        public var key: String
        public var devices: [Int]
        public var fields: [String: FieldValue]
        public var deleted: Bool?
        public var absent: Bool
        /// For a tag: whether it is on the briefing (some add not removed).
        public var present: Bool?
        /// Where it was written, for messages.
        public var path: String
    }

    /// A conflict the server must have recorded.
    public struct ConflictExpectation: Sendable {
        public var rule: ConflictRule
        public var kind: EntityKind?
        public var recordID: String?
        public var field: String?
        public var kept: String?
        /// A value set aside, as the conflict shows it.
        public var dropped: String?
        public var path: String
    }

    /// What `briefing conflicts` must show on some devices: a conflict as it lists it, or a
    /// change the server refused.
    public struct ShownExpectation: Sendable {
        public var devices: [Int]
        /// A conflict it lists (nil: a refusal).
        public var conflict: ConflictExpectation?
        /// A refused change: the record's kind and ID, and the reason if given.
        public var refused: (kind: EntityKind, id: String, reason: String?)?
        public var path: String
    }

    public var title: String
    public var about: String?
    public var devices: [Device]
    public var readers: Int
    /// The lab's steps, with the scenario step each came from (1-based) and its words.
    public var steps: [(step: Step, line: Int, source: String)]
    public var records: [RecordExpectation]
    public var conflicts: [ConflictExpectation]
    public var shown: [ShownExpectation] = []
    public var conflictCount: Int?
    /// How many resyncs from the start the devices began, together.
    public var resyncs: Int?
    /// The server's refusals by reason (each mutation counted once), when given: exactly these.
    public var refusals: [String: Int]?

    /// The outcome of a run.
    public struct Result: Sendable {
        public var title: String
        public var steps: Int
        public var devices: [String]
        /// What differed from the expectations, or broke a guarantee; empty when it passed.
        public var differences: [String]
        /// Each conflict the server recorded, in a sentence.
        public var conflicts: [String]
        /// Each conflict's story: who wrote each value, in which step and when, which sync
        /// carried it to the server, which rule decided, what was kept and what set aside.
        public var stories: [String]
        /// Conflicts by rule.
        public var rules: [String: Int]
        /// What happened, step by step, for the report's timeline.
        public var timeline: [Event] = []
        /// The scenario step in which each conflict (in `stories`' order) was decided: the
        /// sync that carried its deciding write; nil for the syncs after the last step.
        public var decidedIn: [Int?] = []
        /// Each device's records at the end, a line each.
        public var finalStates: [[String]] = []
        /// Expectations checked (each record on each device counts once).
        public var checks: Int
        /// What `checks` counts, as the report says it: a scenario's expectations, a seeded run's guarantees.
        public var checked = "expectations"
        public var passed: Bool { differences.isEmpty }
    }

    /// One lab step as the report draws it.
    public struct Event: Sendable {
        public enum Kind: String, Sendable { case edit, sync, offline, online, server }
        /// The scenario step (1-based) it came from, and its words.
        public var line: Int
        public var source: String
        public var kind: Kind
        /// The device's index; nil for the server.
        public var device: Int?
        /// Simulated milliseconds since the start.
        public var at: Int64
        public var failed: Bool
        /// The faults the step's requests met, by name.
        public var faults: [String] = []
    }
}

/// A scenario file that cannot be read as written, with where.
public struct ScenarioError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
    init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }
}

// MARK: Reading

extension Scenario {
    /// Reads a scenario from its YAML text.
    public init(yaml text: String) throws {
        let root: Any?
        do {
            root = try Yams.load(yaml: text)
        } catch {
            throw ScenarioError("", "not YAML: \(error)")
        }
        let top = try Node(root, "").mapping(allowed: ["scenario", "about", "readers", "devices", "steps", "expect"])
        title = try top.required("scenario").string()
        about = try top.optional("about")?.string()
        var devices: [Device] = []
        for item in try top.required("devices").list() {
            if let name = item.value as? String {
                devices.append(Device(name: name, reader: 0, clockOffset: 0))
                continue
            }
            let fields = try item.mapping(allowed: ["name", "reader", "clock"])
            let reader = try fields.optional("reader")?.integer(in: 1...100) ?? 1
            let clock = try fields.optional("clock").map { try $0.duration(signed: true) } ?? 0
            devices.append(Device(name: try fields.required("name").string(), reader: reader - 1, clockOffset: clock))
        }
        guard !devices.isEmpty else { throw ScenarioError("devices", "name at least one device") }
        for (index, device) in devices.enumerated() where devices[..<index].contains(where: { $0.name == device.name }) {
            throw ScenarioError("devices[\(index)]", "the name \(device.name) is given twice")
        }
        let named = devices.map(\.reader).max()! + 1
        readers = try top.optional("readers")?.integer(in: 1...100) ?? named
        guard readers >= named else { throw ScenarioError("readers", "a device belongs to reader \(named), but there are \(readers)") }
        self.devices = devices
        var steps: [(step: Step, line: Int, source: String)] = []
        for (index, item) in try top.required("steps").list().enumerated() {
            for step in try Self.steps(item, number: index + 1, devices: devices) {
                steps.append((step, index + 1, Self.source(item)))
            }
        }
        self.steps = steps
        records = []
        conflicts = []
        conflictCount = nil
        resyncs = nil
        refusals = nil
        if let expect = try top.optional("expect")?.mapping(allowed: ["records", "conflicts", "shown", "conflict-count", "resyncs", "refusals"]) {
            for item in try expect.optional("records")?.list() ?? [] { records.append(try Self.record(item, devices: devices)) }
            for item in try expect.optional("conflicts")?.list() ?? [] { conflicts.append(try Self.conflict(item)) }
            for item in try expect.optional("shown")?.list() ?? [] { shown.append(try Self.shown(item, devices: devices)) }
            conflictCount = try expect.optional("conflict-count")?.integer(in: 0...1_000_000)
            resyncs = try expect.optional("resyncs")?.integer(in: 0...1_000_000)
            if let node = expect.optional("refusals") {
                let reasons = try node.mapping(allowed: nil)
                var counts: [String: Int] = [:]
                for reason in reasons.keys { counts[reason] = try reasons.required(reason).integer(in: 0...1_000_000) }
                refusals = counts.filter { $0.value > 0 }
            }
        }
    }

    /// Reads a scenario file.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw ScenarioError("", "cannot read \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { throw ScenarioError("", "\(path) is not UTF-8 text") }
        try self.init(yaml: text)
    }

    static let edits = [
        "highlight", "recolor", "remove-highlight", "note", "edit-note", "move-note", "remove-note", "bookmark", "progress", "tag", "untag",
    ]
    static let others = ["sync", "offline", "online", "server"]
    /// Steps a device takes that are not edits of a record: overturning a conflict's outcome.
    static let deviceActions = ["resolve"]

    /// One scenario step as the lab's steps (a sync of several devices is a step each).
    static func steps(_ node: Node, number: Int, devices: [Device]) throws -> [Step] {
        let path = "steps[\(number)]"
        let step = try node.mapping(allowed: ["after", "device", "faults"] + edits + deviceActions + others, path: path)
        let advance = try step.optional("after")?.duration(signed: false) ?? 0
        var faults: [FaultKind?] = []
        if let list = step.optional("faults") {
            faults = try list.list().map { item in
                if item.value == nil || item.value as? String == "none" { return nil }
                let name = try item.string()
                guard let fault = FaultKind(rawValue: name), Self.requestFaults.contains(fault) else {
                    throw ScenarioError(
                        item.path, "no fault \(name) for a request (one of \(Self.requestFaults.map(\.rawValue).joined(separator: ", ")), or none)")
                }
                return fault
            }
        }
        let actions = step.keys.filter { $0 != "after" && $0 != "device" && $0 != "faults" }
        guard actions.count == 1, let action = actions.first else {
            throw ScenarioError(path, actions.isEmpty ? "say what happens: one of \((edits + deviceActions + others).joined(separator: ", "))" : "one action per step, not \(actions.sorted().joined(separator: " and "))")
        }
        let value = try step.required(action)
        func device(_ node: Node) throws -> Int {
            let name = try node.string()
            guard let index = devices.firstIndex(where: { $0.name == name }) else {
                throw ScenarioError(node.path, "no device named \(name) (devices: \(devices.map(\.name).joined(separator: ", ")))")
            }
            return index
        }
        func each(_ node: Node) throws -> [Int] {
            if node.value as? String == "all" { return Array(devices.indices) }
            if node.value is [Any] { return try node.list().map(device) }
            return [try device(node)]
        }
        var actionsOut: [Step.Action] = []
        if action == "resolve" {
            guard let who = step.optional("device") else { throw ScenarioError(path, "say which device overturns it: device: NAME") }
            let f = try value.mapping(allowed: ["highlight", "note", "bookmark", "progress", "tag", "field", "keep"])
            let named = ["highlight", "note", "bookmark", "progress", "tag"].filter { f.optional($0) != nil }
            guard named.count == 1, let kind = named.first else {
                throw ScenarioError(value.path, "name the conflict's record: one of highlight: ID, note: ID, bookmark: ID, progress: ID, tag: ID")
            }
            let keep = try f.required("keep").string()
            guard ConflictChoice(rawValue: keep) != nil else {
                throw ScenarioError(value.path + ".keep", "keep mine, theirs, both, kept or dropped, not \(keep)")
            }
            actionsOut = [.resolve(device: try device(who), record: try f.required(kind).string(), field: try f.optional("field")?.string(), keep: keep)]
        } else if edits.contains(action) {
            guard let who = step.optional("device") else { throw ScenarioError(path, "say which device does it: device: NAME") }
            let index = try device(who)
            actionsOut = [.operation(device: index, operation: try operation(action, value, device: devices[index].name, number: number))]
        } else {
            guard step.optional("device") == nil else { throw ScenarioError(path + ".device", "only edits are made on a device; \(action) names its own") }
            switch action {
            case "sync": actionsOut = try each(value).map { .sync(device: $0) }
            case "offline": actionsOut = try each(value).map { .setOnline(device: $0, online: false) }
            case "online": actionsOut = try each(value).map { .setOnline(device: $0, online: true) }
            default:
                switch try value.string() {
                case "restart": actionsOut = [.restartServer]
                case "compact": actionsOut = [.compact]
                case let other: throw ScenarioError(value.path, "the server can restart or compact, not \(other)")
                }
            }
        }
        guard faults.isEmpty || action == "sync" else {
            throw ScenarioError(path + ".faults", "faults are met by a sync's requests; this step makes none")
        }
        return actionsOut.enumerated().map { index, action in Step(action: action, advance: index == 0 ? advance : 0, faults: faults) }
    }

    /// The faults a request can meet (the others are steps of their own, or clock offsets).
    static let requestFaults: [FaultKind] = [.dropRequest, .dropResponse, .duplicate, .reorder]

    static func operation(_ action: String, _ node: Node, device: String, number: Int) throws -> UserOperation {
        switch action {
        case "highlight":
            let f = try node.mapping(allowed: ["id", "briefing", "paragraph", "start", "length", "color"])
            return .createHighlight(
                id: try f.required("id").string(), briefingID: try f.required("briefing").string(),
                paragraph: try f.optional("paragraph")?.integer(in: 0...10_000) ?? 0, start: try f.optional("start")?.integer(in: 0...1_000_000) ?? 0,
                length: try f.optional("length")?.integer(in: 1...10_000) ?? 20, color: try colour(f.optional("color")) ?? "yellow")
        case "recolor":
            let f = try node.mapping(allowed: ["highlight", "color"])
            return .recolorHighlight(id: try f.required("highlight").string(), color: try colour(f.required("color"))!)
        case "remove-highlight":
            return .deleteHighlight(id: try node.string())
        case "note":
            let f = try node.mapping(allowed: ["id", "briefing", "highlight", "text"])
            return .addNote(
                id: try f.required("id").string(), briefingID: try f.required("briefing").string(),
                highlightID: try f.optional("highlight")?.string(), text: try f.required("text").string())
        case "edit-note":
            let f = try node.mapping(allowed: ["note", "text"])
            return .editNote(id: try f.required("note").string(), text: try f.required("text").string())
        case "move-note":
            let f = try node.mapping(allowed: ["note", "highlight"])
            let target = f.optional("highlight")
            return .moveNote(id: try f.required("note").string(), highlightID: target?.value == nil ? nil : try target!.string())
        case "remove-note":
            return .deleteNote(id: try node.string())
        case "bookmark":
            if let briefing = node.value as? String { return .bookmark(briefingID: briefing, on: true) }
            let f = try node.mapping(allowed: ["briefing", "on"])
            return .bookmark(briefingID: try f.required("briefing").string(), on: try f.optional("on")?.bool() ?? true)
        case "progress":
            let f = try node.mapping(allowed: ["briefing", "position"])
            return .progress(briefingID: try f.required("briefing").string(), position: try f.required("position").fraction())
        case "tag":
            let f = try node.mapping(allowed: ["briefing", "name"])
            return .addTag(briefingID: try f.required("briefing").string(), name: try f.required("name").string(), dot: "\(device)-\(number)")
        default:
            let f = try node.mapping(allowed: ["briefing", "name"])
            return .removeTag(briefingID: try f.required("briefing").string(), name: try f.required("name").string())
        }
    }

    /// A highlight's colour, one the store knows.
    static func colour(_ node: Node?) throws -> String? {
        guard let node else { return nil }
        let name = try node.string()
        guard Highlight.colors.contains(name) else {
            throw ScenarioError(node.path, "no colour \(name) (colours: \(Highlight.colors.joined(separator: ", ")))")
        }
        return name
    }

    static let recordKinds: [String: EntityKind] = [
        "highlight": .highlight, "note": .note, "bookmark": .bookmark, "progress": .readingProgress, "tag": .tag,
    ]

    static func record(_ node: Node, devices: [Device]) throws -> RecordExpectation {
        let fields = try node.mapping(allowed: nil)
        let kinds = fields.keys.filter { recordKinds[$0] != nil }
        guard kinds.count == 1, let kindName = kinds.first else {
            throw ScenarioError(
                node.path, "name the record: one of highlight: ID, note: ID, bookmark: BRIEFING, progress: BRIEFING, tag: BRIEFING#NAME")
        }
        var expectation = RecordExpectation(
            kind: recordKinds[kindName]!, key: try fields.required(kindName).string(), devices: Array(devices.indices), fields: [:],
            deleted: try fields.optional("deleted")?.bool(), absent: try fields.optional("absent")?.bool() ?? false,
            present: try fields.optional("present")?.bool(), path: node.path)
        if expectation.present != nil, expectation.kind != .tag {
            throw ScenarioError(node.path + ".present", "present is said of tags; for other records say deleted or absent")
        }
        if let on = fields.optional("on") {
            let names = on.value is [Any] ? try on.list().map { try $0.string() } : [try on.string()]
            expectation.devices = try names.map { name in
                guard let index = devices.firstIndex(where: { $0.name == name }) else {
                    throw ScenarioError(on.path, "no device named \(name)")
                }
                return index
            }
        }
        for key in fields.keys.sorted() where key != kindName && !["on", "deleted", "absent", "present"].contains(key) {
            let value = try fields.required(key)
            switch value.value {
            case let text as String: expectation.fields[key] = .string(text)
            case let flag as Bool: expectation.fields[key] = .bool(flag)
            case let number as Int: expectation.fields[key] = .number(Double(number))
            case let number as Double: expectation.fields[key] = .number(number)
            case is NSNull, nil: expectation.fields[key] = .null
            default: throw ScenarioError(value.path, "expect a text, a number, true or false, or null")
            }
        }
        return expectation
    }

    static func conflict(_ node: Node) throws -> ConflictExpectation {
        let fields = try node.mapping(allowed: ["rule", "highlight", "note", "bookmark", "progress", "tag", "field", "kept", "dropped"])
        let ruleText = try fields.required("rule").string()
        let folded = ruleText.replacingOccurrences(of: "-", with: "").lowercased()
        guard let rule = ConflictRule.allCases.first(where: { $0.rawValue.lowercased() == folded }) else {
            throw ScenarioError(
                "\(node.path).rule", "no rule \(ruleText) (rules: \(ConflictRule.allCases.map { Runner.kebab($0.rawValue) }.joined(separator: ", ")))")
        }
        var expectation = ConflictExpectation(
            rule: rule, field: try fields.optional("field")?.string(), kept: try fields.optional("kept").map { try $0.scalarText() },
            dropped: try fields.optional("dropped").map { try $0.scalarText() }, path: node.path)
        for (name, kind) in recordKinds {
            if let id = fields.optional(name) {
                expectation.kind = kind
                expectation.recordID = try id.string()
            }
        }
        return expectation
    }

    /// `shown:` — on: DEVICE(S), then a conflict as under `conflicts:` (rule, the record, field,
    /// kept, dropped), or `refused: true` with the record and, if wanted, the reason.
    static func shown(_ node: Node, devices: [Device]) throws -> ShownExpectation {
        let record = ["highlight", "note", "bookmark", "progress", "tag"]
        let fields = try node.mapping(allowed: ["on", "rule", "field", "kept", "dropped", "refused", "reason"] + record)
        var indices = Array(devices.indices)
        if let on = fields.optional("on") {
            let names = on.value is [Any] ? try on.list().map { try $0.string() } : [try on.string()]
            indices = try names.map { name in
                guard let index = devices.firstIndex(where: { $0.name == name }) else { throw ScenarioError(on.path, "no device named \(name)") }
                return index
            }
        }
        var expectation = ShownExpectation(devices: indices, path: node.path)
        if try fields.optional("refused")?.bool() == true {
            let named = record.filter { fields.optional($0) != nil }
            guard named.count == 1, let kind = named.first else {
                throw ScenarioError(node.path, "name the refused record: one of highlight: ID, note: ID, bookmark: ID, progress: ID, tag: ID")
            }
            for key in ["rule", "field", "kept", "dropped"] where fields.optional(key) != nil {
                throw ScenarioError("\(node.path).\(key)", "a refusal has a reason, not a \(key)")
            }
            expectation.refused = (recordKinds[kind]!, try fields.required(kind).string(), try fields.optional("reason")?.string())
        } else {
            guard fields.optional("reason") == nil else { throw ScenarioError("\(node.path).reason", "a reason is given for a refusal (refused: true)") }
            var conflict = fields.values
            conflict["on"] = nil
            conflict["refused"] = nil
            expectation.conflict = try Self.conflict(Node(conflict, node.path))
        }
        return expectation
    }

    static func source(_ node: Node) -> String {
        guard let mapping = node.value as? [AnyHashable: Any] else { return text(node.value) }
        return mapping.keys.map { "\($0)" }.sorted().map { key in "\(key): \(text(mapping[key]))" }.joined(separator: ", ")
    }

    /// A YAML value as written: "{color: blue, highlight: h1}", "[phone, laptop]".
    static func text(_ value: Any?) -> String {
        switch value {
        case let mapping as [AnyHashable: Any]:
            return "{" + mapping.keys.map { "\($0)" }.sorted().map { key in "\(key): \(text(mapping[key]))" }.joined(separator: ", ") + "}"
        case let list as [Any]: return "[" + list.map(text).joined(separator: ", ") + "]"
        case nil, is NSNull: return "null"
        case let other?: return "\(other)"
        }
    }
}

/// A value in the YAML with its path, for errors that say where.
struct Node {
    let value: Any?
    let path: String

    init(_ value: Any?, _ path: String) {
        self.value = value
        self.path = path
    }

    struct Mapping {
        let values: [String: Any]
        let path: String
        var keys: [String] { Array(values.keys) }

        func optional(_ key: String) -> Node? {
            guard let value = values[key] else { return nil }
            return Node(value is NSNull ? nil : value, path.isEmpty ? key : "\(path).\(key)")
        }

        func required(_ key: String) throws -> Node {
            guard let node = optional(key), node.value != nil else { throw ScenarioError(path, "\(key) is missing") }
            return node
        }
    }

    /// A mapping with string keys; with `allowed`, any other key is an error.
    func mapping(allowed: [String]?, path override: String? = nil) throws -> Mapping {
        let path = override ?? self.path
        guard let dictionary = value as? [AnyHashable: Any] else { throw ScenarioError(path, "expected a mapping (key: value)") }
        var values: [String: Any] = [:]
        for (key, value) in dictionary {
            guard let name = key as? String else { throw ScenarioError(path, "the key \(key) is not a name") }
            if let allowed, !allowed.contains(name) {
                throw ScenarioError(path, "unknown key \(name) (known: \(allowed.joined(separator: ", ")))")
            }
            values[name] = value
        }
        return Mapping(values: values, path: path)
    }

    func list() throws -> [Node] {
        guard let items = value as? [Any] else { throw ScenarioError(path, "expected a list (- item)") }
        return items.enumerated().map { Node($1 is NSNull ? nil : $1, "\(path)[\($0 + 1)]") }
    }

    func string() throws -> String {
        if let text = value as? String, !text.isEmpty { return text }
        // Plain scalars YAML reads as numbers or flags still name things ("id: 7").
        if let number = value as? Int { return String(number) }
        throw ScenarioError(path, "expected a text")
    }

    /// A scalar as the text a conflict shows it with.
    func scalarText() throws -> String {
        switch value {
        case let text as String: return text
        case let flag as Bool: return flag ? "true" : "false"
        case let number as Int: return String(number)
        case let number as Double: return String(number)
        default: throw ScenarioError(path, "expected a text, a number, true or false")
        }
    }

    func integer(in range: ClosedRange<Int>) throws -> Int {
        guard let number = value as? Int, !(value is Bool) else { throw ScenarioError(path, "expected a whole number") }
        guard range.contains(number) else { throw ScenarioError(path, "\(number) is outside \(range.lowerBound)…\(range.upperBound)") }
        return number
    }

    func bool() throws -> Bool {
        guard let flag = value as? Bool else { throw ScenarioError(path, "expected true or false") }
        return flag
    }

    func fraction() throws -> Double {
        let number = (value as? Double) ?? (value as? Int).map(Double.init)
        guard let number, !(value is Bool), number.isFinite, (0...1).contains(number) else {
            throw ScenarioError(path, "expected a number from 0 to 1")
        }
        return number
    }

    /// "250ms", "1.5s", "2m", "3h", "1d", or a number of seconds; negative only if `signed`.
    func duration(signed: Bool) throws -> Int64 {
        let millis: Double
        if let seconds = (value as? Int).map(Double.init) ?? (value as? Double), !(value is Bool) {
            millis = seconds * 1000
        } else if let text = (value as? String)?.trimmingCharacters(in: .whitespaces) {
            let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
            guard let (unit, scale) = units.first(where: { text.hasSuffix($0.0) && Double(text.dropLast($0.0.count)) != nil }) else {
                throw ScenarioError(path, "expected a duration such as 250ms, 1.5s, 2m, 3h or 1d, not \(text)")
            }
            millis = Double(text.dropLast(unit.count))! * scale
        } else {
            throw ScenarioError(path, "expected a duration such as 250ms, 1.5s, 2m, 3h or 1d")
        }
        guard millis.isFinite, abs(millis) <= 400 * 86_400_000 else { throw ScenarioError(path, "the duration is out of range") }
        guard signed || millis >= 0 else { throw ScenarioError(path, "a step cannot come before the one before it") }
        return Int64(millis.rounded())
    }
}

// MARK: Running

extension Scenario {
    /// Runs the scenario: its steps, then every device online and syncing until nothing moves,
    /// the lab's guarantees, then the expectations.
    public func run() async throws -> Result {
        let config = SimulationConfig(devices: devices.count, users: readers, steps: steps.count, seed: 1)
        let runner = try await Runner(config: config, clockOffsets: devices.map(\.clockOffset), readers: devices.map(\.reader))
        do {
            let result = try await run(on: runner)
            await runner.shutDown()
            return result
        } catch {
            await runner.shutDown()
            throw error
        }
    }

    private func run(on runner: Runner) async throws -> Result {
        var differences: [String] = []
        var timeline: [Event] = []
        var elapsed: Int64 = 0
        for (step, line, source) in steps {
            let skipped = runner.skipped, failedSyncs = runner.failedSyncs
            elapsed += step.advance
            try await runner.execute(step)
            let event: (Event.Kind, Int?) =
                switch step.action {
                case .operation(let device, _), .resolve(let device, _, _, _): (.edit, device)
                case .sync(let device): (.sync, device)
                case .setOnline(let device, let online): (online ? .online : .offline, device)
                default: (.server, nil)
                }
            var mark = Event(
                line: line, source: source, kind: event.0, device: event.1, at: elapsed,
                failed: runner.skipped > skipped || runner.failedSyncs > failedSyncs)
            mark.faults = step.faults.compactMap { $0?.rawValue }
            timeline.append(mark)
            if runner.skipped > skipped {
                if case .resolve = step.action {
                    differences.append("step \(line) (\(source)) could not be done on its device: it lists no such conflict, or the choice does not apply to it")
                } else {
                    differences.append(
                        "step \(line) (\(source)) could not be done on its device: it has no such record there (never made on it or synced to it, or deleted by then), or no such briefing")
                }
            }
        }
        // The runner numbers its own steps; a scenario step may be several of them.
        let lines = steps.map(\.line)
        let report = try await runner.finish(steps: steps.count)
        for violation in report.violations { differences.append("guarantee \(violation.check): \(violation.description)") }
        var checks = 0
        for expectation in records {
            for index in expectation.devices {
                checks += 1
                let device = runner.devices[index]
                let record: UserRecord?
                switch expectation.kind {
                case .highlight, .note, .tag: record = try await device.store.record(expectation.kind, id: expectation.key)
                default: record = try await device.store.records(expectation.kind, briefingID: expectation.key, includeDeleted: true).first
                }
                let name = "\(devices[index].name): \(Runner.kindName(expectation.kind)) \(expectation.key)"
                differences += Self.compare(record, with: expectation, name: name)
            }
        }
        var recorded: [ConflictRecord] = []
        for (reader, account) in runner.accountIDs.enumerated() {
            let ofReader = try await runner.service.kernel.conflictRecords(ofAccount: account)
            recorded += ofReader
            // What `briefing conflicts` lists on each of the reader's devices: every one the
            // server recorded for the reader.
            let ids = Set(ofReader.map(\.id))
            for (index, device) in runner.devices.enumerated() where device.user == reader {
                checks += 1
                let listed = Set(try await device.store.conflicts().map(\.id))
                if listed != ids {
                    differences.append(
                        "\(devices[index].name): `briefing conflicts` lists \(listed.count) conflict\(listed.count == 1 ? "" : "s"), the server recorded \(ids.count) for its reader")
                }
            }
        }
        recorded.sort { ($0.at, $0.id) < ($1.at, $1.id) }
        let sentences = recorded.map { "\(Runner.kebab($0.rule.rawValue)): \(Runner.sentence($0))" }
        for expectation in conflicts {
            checks += 1
            let found = recorded.contains { conflict in
                conflict.rule == expectation.rule && (expectation.kind == nil || conflict.kind == expectation.kind)
                    && (expectation.recordID == nil || conflict.recordID == expectation.recordID)
                    && (expectation.field == nil || conflict.field == expectation.field)
                    && (expectation.kept == nil || conflict.values.contains { $0.kept && $0.display == expectation.kept })
                    && (expectation.dropped == nil || conflict.values.contains { !$0.kept && $0.display == expectation.dropped })
            }
            if !found {
                // What the nearest recorded conflict (same rule and record) shows, value by value.
                var near = ""
                if let close = recorded.first(where: {
                    $0.rule == expectation.rule && (expectation.recordID == nil || $0.recordID == expectation.recordID)
                }) {
                    let kept = close.values.filter(\.kept).map { "“\($0.display)”" }.joined(separator: ", ")
                    let dropped = close.values.filter { !$0.kept }.map { "“\($0.display)”" }.joined(separator: ", ")
                    near = " (the \(Runner.kebab(close.rule.rawValue)) conflict on \(Runner.kindName(close.kind)) \(close.recordID) is on field \(close.field), kept \(kept.isEmpty ? "nothing" : kept), set aside \(dropped.isEmpty ? "nothing" : dropped))"
                }
                differences.append(
                    "\(expectation.path): expected \(Self.wanted(expectation))\(near); recorded: " + (sentences.isEmpty ? "no conflicts" : sentences.joined(separator: "; ")))
            }
        }
        for expectation in shown {
            for index in expectation.devices {
                checks += 1
                let store = runner.devices[index].store
                let listed = try await store.conflicts()
                let refused = try await store.rejections()
                let found: Bool
                let wanted: String
                if let (kind, id, reason) = expectation.refused {
                    found = refused.contains { $0.mutation.kind == kind && $0.mutation.id == id && (reason == nil || $0.reason == reason) }
                    wanted = "a refused change to \(Runner.kindName(kind)) \(id)" + (reason.map { " (\($0))" } ?? "")
                } else {
                    let want = expectation.conflict!
                    found = listed.contains { conflict in
                        conflict.rule == want.rule && (want.kind == nil || conflict.kind == want.kind)
                            && (want.recordID == nil || conflict.recordID == want.recordID) && (want.field == nil || conflict.field == want.field)
                            && (want.kept == nil || conflict.values.contains { $0.kept && $0.display == want.kept })
                            && (want.dropped == nil || conflict.values.contains { !$0.kept && $0.display == want.dropped })
                    }
                    wanted = Self.wanted(want)
                }
                if !found {
                    let shows =
                        listed.map { conflict in
                            "\(Runner.kebab(conflict.rule.rawValue)) on \(Runner.kindName(conflict.kind)) \(conflict.recordID), \(conflict.field): "
                                + conflict.values.map { "\($0.kept ? "kept" : "dropped") “\($0.display)”" }.joined(separator: ", ")
                        } + refused.map { "refused \($0.mutation.op.rawValue) \(Runner.kindName($0.mutation.kind)) \($0.mutation.id): \($0.reason)" }
                    differences.append(
                        "\(devices[index].name): `briefing conflicts` does not show \(wanted) (\(expectation.path)); it shows "
                            + (shows.isEmpty ? "nothing" : shows.joined(separator: "; ")))
                }
            }
        }
        if let conflictCount {
            checks += 1
            if recorded.count != conflictCount {
                differences.append("expected \(conflictCount) conflict\(conflictCount == 1 ? "" : "s") recorded, found \(recorded.count)")
            }
        }
        if let refusals {
            checks += 1
            if report.refusals != refusals {
                func text(_ counts: [String: Int]) -> String {
                    counts.isEmpty ? "none" : counts.keys.sorted().map { "\($0) × \(counts[$0]!)" }.joined(separator: ", ")
                }
                differences.append("expected the server to refuse \(text(refusals)); it refused \(text(report.refusals))")
            }
        }
        if let resyncs {
            checks += 1
            if report.resyncs != resyncs {
                differences.append("expected \(resyncs) resync\(resyncs == 1 ? "" : "s") from the start, found \(report.resyncs)")
            }
        }
        // (A device whose clock is set off says so: its times in the story are by that clock.)
        let named = devices.map { device in
            device.clockOffset == 0
                ? device.name : "\(device.name) (its clock \(Step.duration(abs(device.clockOffset))) \(device.clockOffset > 0 ? "ahead" : "behind"))"
        }
        let stories = try await runner.stories(of: recorded, names: named, step: { "step \(lines[$0 - 1])" })
        let decidedIn: [Int?] = recorded.map { conflict in runner.pushStep(of: conflict.at).map { lines[$0 - 1] } }
        let finalStates = try await runner.finalStates()
        var result = Result(
            title: title, steps: Set(lines).count, devices: devices.map(\.name), differences: differences, conflicts: sentences,
            stories: stories, rules: report.conflicts, checks: checks)
        result.timeline = timeline
        result.decidedIn = decidedIn
        result.finalStates = finalStates
        return result
    }

    /// A conflict expectation in words: "a last-writer-wins conflict on highlight h1, field color, keeping pink".
    static func wanted(_ expectation: ConflictExpectation) -> String {
        let rule = Runner.kebab(expectation.rule.rawValue)
        var wanted = "\("aeiou".contains(rule.first!) ? "an" : "a") \(rule) conflict"
        if let kind = expectation.kind, let id = expectation.recordID { wanted += " on \(Runner.kindName(kind)) \(id)" }
        if let field = expectation.field { wanted += ", field \(field)" }
        if let kept = expectation.kept { wanted += ", keeping \(kept)" }
        if let dropped = expectation.dropped { wanted += ", setting aside \(dropped)" }
        return wanted
    }

    /// What differs between a device's record and what was expected of it.
    static func compare(_ record: UserRecord?, with expectation: RecordExpectation, name: String) -> [String] {
        let live = record.flatMap { $0.deleted ? nil : $0 }
        if expectation.absent {
            return live == nil ? [] : ["\(name) is there, expected none: \(describe(live!))"]
        }
        guard let record else { return ["\(name) is missing"] }
        var differences: [String] = []
        if let present = expectation.present, Tag.isPresent(record) != present {
            differences.append("\(name) is \(present ? "not on the briefing" : "on the briefing"), expected \(present ? "on it" : "off it")")
        }
        if let deleted = expectation.deleted, record.deleted != deleted {
            differences.append("\(name) is \(record.deleted ? "deleted" : "not deleted"), expected \(deleted ? "deleted" : "not deleted")")
        }
        for (field, wanted) in expectation.fields.sorted(by: { $0.key < $1.key }) {
            let actual = record.fields[field]
            if actual != wanted && !(wanted == .null && actual == nil) {
                differences.append("\(name): \(field) is \(actual.map(show) ?? "not set"), expected \(show(wanted))")
            }
        }
        return differences
    }

    static func show(_ value: FieldValue) -> String {
        switch value {
        case .string(let text): "“\(text)”"
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .strings(let list): "[" + list.joined(separator: ", ") + "]"
        case .anchor(let anchor): "anchor “\(anchor.exact)”"
        }
    }

    static func describe(_ record: UserRecord) -> String {
        record.fields.keys.sorted().filter { $0 != "anchor" }.map { "\($0) \(show(record.fields[$0]!))" }.joined(separator: ", ")
    }
}
