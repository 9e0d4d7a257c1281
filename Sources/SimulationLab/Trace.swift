import BriefingModel
import Foundation

/// The faults the lab can inject.
public enum FaultKind: String, Codable, CaseIterable, Sendable, Comparable {
    /// A request lost before the server sees it.
    case dropRequest = "drop-request"
    /// A response lost after the server committed.
    case dropResponse = "drop-response"
    /// A push delivered twice.
    case duplicate
    /// A push held back and delivered later, after other requests.
    case reorder
    /// The server restarted from its database file between requests.
    case serverRestart = "server-restart"
    /// Device clocks skewed by up to ±1 day.
    case clockSkew = "clock-skew"
    /// One server node restarted between requests while the others went on.
    case nodeRestart = "node-restart"

    public static func < (lhs: FaultKind, rhs: FaultKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a lab run is: how many devices and users, how long, which faults, which seed.
public struct SimulationConfig: Codable, Hashable, Sendable {
    public var devices: Int
    public var users: Int
    public var steps: Int
    public var seed: UInt64
    public var faults: Set<FaultKind>
    /// Tombstone retention on the simulated server, in simulated hours.
    public var retentionHours: Double
    /// Send every request through the HTTP stack on a loopback port instead of in memory.
    public var http: Bool
    /// How far ahead of the server's clock a mutation's clock may be before it is refused, in
    /// hours; nil for the server's default (36). Below the ±24-hour skew of `clock-skew`, a
    /// device running ahead has its edits refused, and the checks see them undone.
    public var maxClockSkewHours: Double?
    /// Server nodes, each its own sync service and store over the one database; requests go
    /// to them in turn. Nil (in traces from before nodes) is one.
    public var nodes: Int?
    /// The server's database: nil for an SQLite file of the run's own, or a `postgres://` URL,
    /// in which the run keeps its tables in a schema of its own and drops it afterwards. Not
    /// written to traces: a trace replays on whatever database its replay is given.
    public var database: String?

    /// How many server nodes the run has.
    public var nodeCount: Int { max(nodes ?? 1, 1) }

    private enum CodingKeys: String, CodingKey {
        case devices, users, steps, seed, faults, retentionHours, http, maxClockSkewHours, nodes
    }

    /// The faults in name order, so a trace or report is the same text every time.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(devices, forKey: .devices)
        try container.encode(users, forKey: .users)
        try container.encode(steps, forKey: .steps)
        try container.encode(seed, forKey: .seed)
        try container.encode(faults.sorted(), forKey: .faults)
        try container.encode(retentionHours, forKey: .retentionHours)
        try container.encode(http, forKey: .http)
        try container.encodeIfPresent(maxClockSkewHours, forKey: .maxClockSkewHours)
        try container.encodeIfPresent(nodes, forKey: .nodes)
    }

    public init(
        devices: Int = 4, users: Int = 1, steps: Int = 2000, seed: UInt64 = 7, faults: Set<FaultKind> = [],
        retentionHours: Double = 24, http: Bool = false, maxClockSkewHours: Double? = nil, nodes: Int = 1, database: String? = nil
    ) {
        self.nodes = nodes == 1 ? nil : nodes
        self.database = database
        self.maxClockSkewHours = maxClockSkewHours
        self.devices = devices
        self.users = users
        self.steps = steps
        self.seed = seed
        self.faults = faults
        self.retentionHours = retentionHours
        self.http = http
    }
}

/// One thing a device does to the reader's data.
public enum UserOperation: Codable, Hashable, Sendable {
    case createHighlight(id: String, briefingID: String, paragraph: Int, start: Int, length: Int, color: String)
    case recolorHighlight(id: String, color: String)
    case deleteHighlight(id: String)
    case addNote(id: String, briefingID: String, highlightID: String?, text: String)
    case editNote(id: String, text: String)
    /// Moves a note to a highlight, or (nil) takes it off its highlight.
    case moveNote(id: String, highlightID: String?)
    case deleteNote(id: String)
    case bookmark(briefingID: String, on: Bool)
    case progress(briefingID: String, position: Double)
    case addTag(briefingID: String, name: String, dot: String)
    case removeTag(briefingID: String, name: String)

    /// A short name for reports.
    public var name: String {
        switch self {
        case .createHighlight: "create-highlight"
        case .recolorHighlight: "recolor-highlight"
        case .deleteHighlight: "delete-highlight"
        case .addNote: "add-note"
        case .editNote: "edit-note"
        case .moveNote: "move-note"
        case .deleteNote: "delete-note"
        case .bookmark: "bookmark"
        case .progress: "progress"
        case .addTag: "add-tag"
        case .removeTag: "remove-tag"
        }
    }
}

/// One step of a run, fully resolved so that a trace replays without the random generator.
public struct Step: Codable, Hashable, Sendable {
    /// What happens.
    public enum Action: Codable, Hashable, Sendable {
        case operation(device: Int, operation: UserOperation)
        case sync(device: Int)
        case setOnline(device: Int, online: Bool)
        case restartServer
        /// One node restarts (node-restart); the others keep serving.
        case restartNode(node: Int)
        case compact
        /// An operator sets what a user is entitled to: these publications (keys), or all (nil).
        case entitle(user: Int, publications: [String]?)
        /// A device chooses what it receives: these publications (keys), or all it may read (nil).
        case subscribe(device: Int, publications: [String]?)
        /// An editor publishes a new revision of a briefing in this publication (a move when it
        /// is not the briefing's own; nil: open content).
        case republish(briefing: String, publication: String?)
        /// An editor withdraws a briefing, or restores a withdrawn one.
        case withdraw(briefing: String, restore: Bool)
        /// A reader overturns the outcome of a conflict on this device (`briefing conflicts
        /// resolve`): the latest on the record (and field), keeping mine, theirs, both, kept or
        /// dropped.
        case resolve(device: Int, record: String, field: String?, keep: String)
    }

    public var action: Action
    /// Simulated milliseconds that pass before the step.
    public var advance: Int64
    /// The fault to inject into each request the step makes, in order (nil: none).
    public var faults: [FaultKind?]

    public init(action: Action, advance: Int64, faults: [FaultKind?] = []) {
        self.action = action
        self.advance = advance
        self.faults = faults
    }

    private enum CodingKeys: String, CodingKey { case action, advance, faults }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        action = try container.decode(Action.self, forKey: .action)
        advance = try container.decode(Int64.self, forKey: .advance)
        faults = try container.decodeIfPresent([FaultKind?].self, forKey: .faults) ?? []
    }

    /// Writes `faults` only up to the last request that gets one: a request past the end of
    /// the list gets none, so a trace stays short and readable.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(action, forKey: .action)
        try container.encode(advance, forKey: .advance)
        if let last = faults.lastIndex(where: { $0 != nil }) {
            try container.encode(Array(faults[...last]), forKey: .faults)
        }
    }
}

/// A replayable run: its configuration and every step.
public struct Trace: Codable, Hashable, Sendable {
    public var config: SimulationConfig
    public var steps: [Step]

    public init(config: SimulationConfig, steps: [Step]) {
        self.config = config
        self.steps = steps
    }
}

extension Step: CustomStringConvertible {
    /// The step in a sentence, as a replay lists it: what happened, after how much simulated
    /// time, and the faults its requests met.
    public var description: String {
        var text = action.description
        text += " (after \(Self.duration(advance)))"
        let injected = faults.enumerated().compactMap { index, fault in fault.map { "request \(index + 1): \($0.rawValue)" } }
        if !injected.isEmpty { text += "; faults: " + injected.joined(separator: ", ") }
        return text
    }

    static func duration(_ millis: Int64) -> String {
        let seconds = Double(millis) / 1000
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        if seconds < 3600 { return String(format: "%.0f min", seconds / 60) }
        return String(format: "%.1f h", seconds / 3600)
    }
}

extension Step.Action: CustomStringConvertible {
    public var description: String {
        func scope(_ publications: [String]?) -> String {
            guard let publications else { return "everything" }
            return publications.isEmpty ? "nothing but open content" : publications.joined(separator: ", ")
        }
        switch self {
        case .operation(let device, let operation): return "device \(device) \(operation.description)"
        case .sync(let device): return "device \(device) syncs"
        case .setOnline(let device, let online): return "device \(device) goes \(online ? "online" : "offline")"
        case .restartServer: return "the server restarts"
        case .restartNode(let node): return "node \(node) restarts"
        case .compact: return "the server compacts its tombstones"
        case .entitle(let user, let publications): return "an operator entitles reader \(user + 1) to \(scope(publications))"
        case .subscribe(let device, let publications): return "device \(device) subscribes to \(scope(publications))"
        case .republish(let briefing, let publication):
            return "an editor republishes \(briefing) " + (publication.map { "in \($0)" } ?? "as open content")
        case .withdraw(let briefing, let restore): return "an editor \(restore ? "restores" : "withdraws") \(briefing)"
        case .resolve(let device, let record, let field, let keep):
            return "device \(device) overturns the conflict on \(record)\(field.map { " (\($0))" } ?? ""), keeping \(keep)"
        }
    }
}

extension UserOperation: CustomStringConvertible {
    public var description: String {
        switch self {
        case .createHighlight(let id, let briefingID, let paragraph, let start, let length, let color):
            return "highlights \(length) characters at \(start) of paragraph \(paragraph) of \(briefingID) in \(color) (\(id))"
        case .recolorHighlight(let id, let color): return "recolours highlight \(id) to \(color)"
        case .deleteHighlight(let id): return "deletes highlight \(id)"
        case .addNote(let id, let briefingID, let highlightID, let text):
            return "adds note \(id) on \(briefingID)\(highlightID.map { ", on highlight \($0)" } ?? ""): “\(text)”"
        case .editNote(let id, let text): return "edits note \(id) to “\(text)”"
        case .moveNote(let id, let highlightID):
            return highlightID.map { "moves note \(id) to highlight \($0)" } ?? "takes note \(id) off its highlight"
        case .deleteNote(let id): return "deletes note \(id)"
        case .bookmark(let briefingID, let on): return on ? "bookmarks \(briefingID)" : "removes the bookmark on \(briefingID)"
        case .progress(let briefingID, let position): return "sets progress on \(briefingID) to \(Int((position * 100).rounded())) %"
        case .addTag(let briefingID, let name, _): return "tags \(briefingID) “\(name)”"
        case .removeTag(let briefingID, let name): return "removes the tag “\(name)” from \(briefingID)"
        }
    }
}
