import BriefingModel
import Foundation

/// What a row of the change log belongs to, and so who may see it.
///
/// Every row has exactly one scope. A pull names the scopes its caller may read (see
/// `SyncKernel.scopes(for:)`), and a store reads the log of those scopes only. Content is
/// open (no publication: every reader sees it) or belongs to a publication (readers entitled
/// to it see it); each account's own records are a scope of their own. Stores keep the
/// account (or `""` for content) in the `owner` column and the publication in `topic`.
public struct Scope: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The key: `""` for open content, `pub:<publication>` for a publication's content, `*`
    /// for all content (a reader entitled to everything), an account's ID for its records.
    public let key: String

    init(key: String) { self.key = key }

    /// Content without a publication: briefings and their editorial layer every reader sees.
    public static let published = Scope(key: "")

    /// All content, open or of any publication: what a reader entitled to everything reads.
    public static let allContent = Scope(key: "*")

    /// One publication's content (`publication` is its key, see `Publication.key(for:)`).
    public static func publication(_ key: String) -> Scope { Scope(key: "pub:" + key) }

    /// The content scope of a briefing of `publication`.
    public static func content(of publication: String?) -> Scope {
        let key = Publication.key(for: publication)
        return key.isEmpty ? .published : .publication(key)
    }

    /// One account's own records: highlights, notes, bookmarks, progress, tags, conflicts.
    public static func account(_ id: String) -> Scope { Scope(key: id) }

    /// Where content that left a content scope is marked (a briefing moved to another
    /// publication), so that readers of the old scope remove it: a tombstone per record,
    /// its body `{"to": KEY}` naming the scope the record went to.
    public static func departures(from scope: Scope) -> Scope { Scope(key: "-" + scope.key) }

    /// Marks of content that left a scope (see `departures(from:)`).
    public var isDepartures: Bool { key.hasPrefix("-") }

    /// Where every store keeps this scope's rows: the `owner` and `topic` columns (`topic`
    /// nil: any, for all content). Accounts' records and departure marks are under their
    /// key with no topic; content under owner `""` and its publication's key.
    public var stored: (owner: String, topic: String?) {
        if self == .allContent { return ("", nil) }
        if let publication { return ("", publication) }
        return (key, "")
    }

    /// Whether `key` names a content scope a cursor can list: a publication's, or all content.
    static func isContentKey(_ key: String) -> Bool {
        key == "*" || (key.hasPrefix("pub:") && Publication.isKey(String(key.dropFirst(4))))
    }

    /// The publication this scope holds, when it is one publication's content.
    public var publication: String? { key.hasPrefix("pub:") ? String(key.dropFirst(4)) : nil }

    /// Content of some kind (open, one publication's, or all), as opposed to an account's records.
    public var isContent: Bool { key.isEmpty || key == "*" || key.hasPrefix("pub:") }

    /// The keys a commit to this scope wakes: its own and, for content, all content's.
    public var wakeKeys: [String] {
        if isDepartures { return [String(key.dropFirst()), "*"] }
        return isContent && key != "*" ? [key, "*"] : [key]
    }

    public static func < (a: Scope, b: Scope) -> Bool { a.key < b.key }

    public var description: String {
        if key.isEmpty { return "open content" }
        if key == "*" { return "all content" }
        if let publication { return "publication \(publication)" }
        return "account \(key)"
    }
}

/// How stores keep a device's subscriptions: the keys comma-separated, NULL for none chosen.
public enum Subscriptions {
    public static func stored(_ keys: Set<String>?) -> String? { keys.map { $0.sorted().joined(separator: ",") } }

    public static func parse(_ text: String?) -> Set<String>? {
        text.map { Set($0.split(separator: ",").map(String.init)) }
    }
}

/// Publications: what briefings belong to, and what readers are entitled to.
public enum Publication {
    /// Latin letters that do not decompose into a base letter and marks.
    private static let spelledOut: [Unicode.Scalar: String] = [
        "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ł": "l", "Ł": "l",
        "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "ı": "i",
    ]

    /// The key of a publication's name: its letters and digits in ASCII (accents dropped by
    /// canonical decomposition, `ß` as `ss` and the like), lower-cased, with a hyphen for
    /// each run of anything else, at most 64 characters: `The Grid Review` is
    /// `the-grid-review`, `Süddeutsche Zeitung` `suddeutsche-zeitung`. A name with no such
    /// letter or digit (in another script) is keyed by a hash of it; no name is the empty
    /// key (open content).
    public static func key(for name: String?) -> String {
        guard let name, !name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return "" }
        var folded = ""
        for scalar in name.decomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.properties.generalCategory == .nonspacingMark { continue }
            if let spelled = spelledOut[scalar] { folded += spelled } else { folded.unicodeScalars.append(scalar) }
        }
        var out = ""
        var pendingHyphen = false
        for byte in folded.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                if pendingHyphen && !out.isEmpty { out.append("-") }
                pendingHyphen = false
                out.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                if pendingHyphen && !out.isEmpty { out.append("-") }
                pendingHyphen = false
                out.append(Character(UnicodeScalar(byte + 32)))
            default:
                pendingHyphen = true
            }
        }
        if out.isEmpty { return "p-" + StableHash.hex(of: [name], length: 16) }
        return String(out.prefix(64)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    /// Whether `key` is a publication key as `key(for:)` makes them.
    public static func isKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 64 && key.first != "-" && key.last != "-"
            && key.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }
}

/// A reader's account.
public struct Account: Hashable, Sendable, Codable {
    public var id: String
    public var name: String
    public var createdAt: String
    /// Devices with a live token.
    public var devices: Int

    public init(id: String, name: String, createdAt: String, devices: Int) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.devices = devices
    }
}

/// The publications an account may read.
public enum Entitlements: Hashable, Sendable, CustomStringConvertible {
    /// Every publication, now and to come.
    case all
    /// These publications, by key (`Publication.key(for:)`); open content is always readable.
    case publications(Set<String>)

    /// Nothing but open content.
    public static let none = Entitlements.publications([])

    /// How entitlements are stored: one row per publication key, `*` for all.
    public init(stored keys: [String]) {
        self = keys.contains("*") ? .all : .publications(Set(keys))
    }

    public var description: String {
        switch self {
        case .all: "all publications"
        case .publications(let keys): keys.isEmpty ? "no publications" : keys.sorted().joined(separator: ", ")
        }
    }
}

/// The account and device a request is made for.
public struct Principal: Hashable, Sendable {
    public var accountID: String
    public var user: String
    public var deviceID: String
    /// What the account may read, as of the request.
    public var entitlements: Entitlements
    /// The publications the device chose to receive, by key; nil follows the entitlements.
    public var subscriptions: Set<String>?
    /// The hash of the token the request was signed with (set by `SyncService.authenticate`):
    /// what a long-poll reads the principal again by after each wake-up.
    public var tokenHash: String?

    public init(
        accountID: String, user: String, deviceID: String, entitlements: Entitlements = .all, subscriptions: Set<String>? = nil
    ) {
        self.accountID = accountID
        self.user = user
        self.deviceID = deviceID
        self.entitlements = entitlements
        self.subscriptions = subscriptions
    }

    /// The publications the device receives: what it is entitled to and subscribes to (nil: all).
    public var receives: Set<String>? {
        switch (entitlements, subscriptions) {
        case (.all, nil): nil
        case (.all, let chosen?): chosen
        case (.publications(let keys), nil): keys
        case (.publications(let keys), let chosen?): keys.intersection(chosen)
        }
    }
}

/// A record in the log, by scope, kind and ID.
public struct RecordKey: Hashable, Sendable {
    public var kind: EntityKind
    public var id: String

    public init(_ kind: EntityKind, _ id: String) {
        self.kind = kind
        self.id = id
    }
}

/// The log's identity and high-water marks, read in the same snapshot as what they describe.
public struct LogMeta: Hashable, Sendable {
    /// Identifies the database, so a cursor from another one is recognised.
    public var epoch: String
    /// Sequence numbers at or below this have been compacted away.
    public var horizon: Int64
    /// The newest sequence number ever issued (never below the horizon).
    public var newest: Int64
    /// The key cursors that list scopes are signed with, so a device cannot forge one that
    /// claims scopes it was never given (a removal walk would list another publication's IDs).
    public var cursorSecret: String

    public init(epoch: String, horizon: Int64, newest: Int64, cursorSecret: String = "") {
        self.epoch = epoch
        self.horizon = horizon
        self.newest = newest
        self.cursorSecret = cursorSecret
    }

    /// A new random cursor secret: 256 bits, hex.
    public static func newCursorSecret() -> String {
        (0..<4).map { _ in UInt64.random(in: .min ... .max) }.map { value in
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}

/// One row of the change log as stored: a record's latest state at its sequence number.
public struct LogRow: Sendable {
    public var kind: String
    public var id: String
    public var seq: Int64
    public var deleted: Bool
    /// The record as canonical JSON.
    public var body: String
    /// The device known to hold exactly this state already (it wrote it): its pulls skip
    /// the row. Nil for rows every reader needs.
    public var origin: String?
    /// Which of a page's branches the row was read for (see `ServerStorage.page`).
    public var branch: Int
    /// For content, its publication's key (`""` for open content); `""` for an account's records.
    public var topic: String
    /// A mark of content that left the scope the row was read for (see `Scope.departures(from:)`).
    public var departure: Bool
    /// `body` holds a briefing's metadata (`BriefingMetadata`), not the whole briefing: the
    /// page was read for a device that fetches bodies on their own.
    public var isMetadata: Bool

    public init(
        kind: String, id: String, seq: Int64, deleted: Bool, body: String, origin: String? = nil, branch: Int = 0, topic: String = "",
        departure: Bool = false, isMetadata: Bool = false
    ) {
        self.isMetadata = isMetadata
        self.kind = kind
        self.id = id
        self.seq = seq
        self.deleted = deleted
        self.body = body
        self.origin = origin
        self.branch = branch
        self.topic = topic
        self.departure = departure
    }
}

/// One scope a page reads, from its own position.
public struct PageBranch: Hashable, Sendable {
    public var scope: Scope
    /// Rows after this sequence number.
    public var after: Int64

    public init(_ scope: Scope, after: Int64) {
        self.scope = scope
        self.after = after
    }
}

/// What a store read for one page: the rows in order and whether more follow.
public struct LogPage: Sendable {
    public var meta: LogMeta
    public var rows: [LogRow]
    public var hasMore: Bool
    /// The stored bytes of the rows' bodies, as the store measured them against the budget.
    public var bytes: Int

    public init(meta: LogMeta, rows: [LogRow], hasMore: Bool, bytes: Int) {
        self.meta = meta
        self.rows = rows
        self.hasMore = hasMore
        self.bytes = bytes
    }
}

/// A write to the log: the record's new state, stored under the next sequence number.
public struct RecordWrite: Sendable, Hashable {
    public var scope: Scope
    public var key: RecordKey
    public var deleted: Bool
    public var body: String
    /// Store only if the scope has no record with this key (a note's conflict copy, whose ID is
    /// derived from what it copies, is made once).
    public var ifAbsent: Bool
    /// The device that already holds exactly this state (see `LogRow.origin`).
    public var origin: String?
    /// A briefing's metadata (`BriefingMetadata`) as canonical JSON: what a page carries in
    /// place of `body` for a device that fetches bodies on their own. Nil for other records.
    public var meta: String?

    public init(
        scope: Scope, key: RecordKey, deleted: Bool, body: String, ifAbsent: Bool = false, origin: String? = nil, meta: String? = nil
    ) {
        self.scope = scope
        self.key = key
        self.deleted = deleted
        self.body = body
        self.ifAbsent = ifAbsent
        self.origin = origin
        self.meta = meta
    }
}

/// Where a record stands in the log: its row's sequence number and origin.
public struct LogPosition: Sendable, Hashable {
    public var seq: Int64
    public var origin: String?

    public init(seq: Int64, origin: String?) {
        self.seq = seq
        self.origin = origin
    }
}

/// What a push's decision needs to know, read by the store inside the push's transaction,
/// after it has locked the account against other pushes (see `ServerStorage.push`).
public struct PushSnapshot: Sendable {
    /// The device's last applied mutation ID; nil when the device is revoked, or it or its
    /// account is gone.
    public var lastMutationID: Int64?
    /// Earlier refusals of this device, by mutation ID, among the batch's IDs.
    public var rejections: [Int64: (reason: String, message: String)]
    /// The account's records the batch names, as stored.
    public var records: [RecordKey: UserRecord]
    /// Where each of `records` stands in the log.
    public var positions: [RecordKey: LogPosition]
    /// Of the batch's highlight and note keys, those another account holds.
    public var foreign: Set<RecordKey>
    /// Of the briefings the batch refers to, those published and not withdrawn.
    public var liveBriefings: Set<String>

    public init(
        lastMutationID: Int64?, rejections: [Int64: (reason: String, message: String)], records: [RecordKey: UserRecord],
        positions: [RecordKey: LogPosition] = [:], foreign: Set<RecordKey>, liveBriefings: Set<String>
    ) {
        self.lastMutationID = lastMutationID
        self.rejections = rejections
        self.records = records
        self.positions = positions
        self.foreign = foreign
        self.liveBriefings = liveBriefings
    }
}

/// What a push asks the store to read for its snapshot.
public struct PushKeys: Sendable {
    public var mutationIDs: ClosedRange<Int64>
    public var records: [RecordKey]
    /// Highlight and note keys: device-made IDs unique across accounts.
    public var foreignCheck: [RecordKey]
    public var briefingIDs: [String]
}

/// What a push decided, for the store to write in the same transaction.
public struct PushPlan: Sendable {
    /// One answer per mutation, in order.
    public var results: [MutationResult]
    /// Writes in the order their sequence numbers are to be assigned; at most one per key.
    public var writes: [RecordWrite]
    /// New refusals to remember, so a repeat is answered the same.
    public var rejections: [(mutationID: Int64, reason: String, message: String)]
    /// The device's last applied mutation ID after the batch.
    public var lastMutationID: Int64
    /// The conflicts the batch resolved, by rule (for metrics).
    public var conflictsByRule: [ConflictRule: Int] = [:]
}

/// What a publish's decision needs: the briefing as published and its live editorial layer.
public struct PublishSnapshot: Sendable {
    /// The live revision's number, nil for a briefing not published (or withdrawn).
    public var currentRevision: Int?
    /// The live revision's publication.
    public var currentPublication: String?
    /// The live editorial annotations: ID, stored body, and whether an editor made it.
    public var editorial: [(id: String, body: String, byEditor: Bool)]

    public init(currentRevision: Int?, currentPublication: String? = nil, editorial: [(id: String, body: String, byEditor: Bool)]) {
        self.currentRevision = currentRevision
        self.currentPublication = currentPublication
        self.editorial = editorial
    }
}

/// What a publish decided.
public struct PublishPlan: Sendable {
    public var writes: [RecordWrite]
    /// The imported source to keep with the revision.
    public var source: StoredSource?
}

/// An imported revision's raw text and report, as stored beside the log.
public struct StoredSource: Sendable {
    public var briefingID: String
    public var revisionNumber: Int
    public var revisionID: String
    public var fileName: String
    public var sourceURL: String?
    public var raw: String
    /// The import report as JSON.
    public var report: String
    public var importedAt: Date

    public init(
        briefingID: String, revisionNumber: Int, revisionID: String, fileName: String, sourceURL: String?, raw: String, report: String,
        importedAt: Date
    ) {
        self.briefingID = briefingID
        self.revisionNumber = revisionNumber
        self.revisionID = revisionID
        self.fileName = fileName
        self.sourceURL = sourceURL
        self.raw = raw
        self.report = report
        self.importedAt = importedAt
    }
}

/// A device an account has registered.
public struct DeviceInfo: Hashable, Sendable, Codable {
    public var id: String
    public var name: String?
    public var createdAt: String
    /// When its token was revoked; nil while it is live.
    public var revokedAt: String?
    /// The last mutation the server applied from it.
    public var lastMutationID: Int64

    public init(id: String, name: String?, createdAt: String, revokedAt: String?, lastMutationID: Int64) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.lastMutationID = lastMutationID
    }
}

/// The storage the sync kernel runs over: the change log, accounts and devices, and the
/// content queries editors' tools need.
///
/// A store owns storage and transactions; it decides nothing about sync. The algorithm (what
/// a pull may return, how a push merges, what a publish replaces) is `SyncKernel`'s, handed
/// to the store as a pure decision over a snapshot the store reads under the right locks.
/// That keeps the rules in one place for every store, and lets each store read and write a
/// whole batch in a few statements.
///
/// Guarantees every implementation gives (the conformance tests check them on each):
/// - **Order**: sequence numbers increase in commit order, so a reader that has seen `n`
///   will never later find a committed row below `n` it has not seen.
/// - **Isolation of pushes**: pushes of one account are serialised; a decision never works
///   on a record another transaction is changing.
/// - **Durability**: when a write returns, it has committed and survives a crash.
public protocol ServerStorage: Sendable {
    /// What the store is, for logs and banners: `sqlite:PATH` or a URL without its password.
    var location: String { get }

    // MARK: The change log

    /// The log's identity and marks.
    func meta() async throws -> LogMeta

    /// The rows of each branch's scope after the branch's position, merged in sequence order
    /// (a row two branches read comes once for each, the earlier branch first), with their
    /// origins, topics and the branch each was read for: at most `limit`, and no more than
    /// `maxBytes` of bodies, except that one larger row travels alone. `check` sees the meta of
    /// the same snapshot first and may refuse the read.
    ///
    /// A scope's rows: for `.published`, content without a publication; for a publication,
    /// its content; for `.allContent`, all content; for an account, its records. The branch
    /// of open content or of a publication also reads the marks of what left it
    /// (`Scope.departures(from:)`), flagged `departure`.
    ///
    /// With `metadataOnly`, a briefing row carries its stored metadata in place of its body
    /// (flagged `isMetadata`), and the byte budget counts that.
    func page(
        branches: [PageBranch], limit: Int, maxBytes: Int, metadataOnly: Bool, check: @Sendable (LogMeta) throws -> Void
    ) async throws -> LogPage

    /// One push, in one transaction: lock the account, read the snapshot for `keys`, run
    /// `decide`, write its plan. Nothing is written when `decide` throws.
    func push(
        principal: Principal, keys: PushKeys, now: Date, decide: @Sendable (PushSnapshot) throws -> PushPlan
    ) async throws -> PushPlan

    /// One publish of `briefingID`, in one transaction serialised with every other publish of
    /// it: read the snapshot, run `decide`, write its plan (and source).
    func publish(briefingID: String, now: Date, decide: @Sendable (PublishSnapshot) throws -> PublishPlan) async throws

    /// Appends content writes (an editor's annotation) in one transaction.
    func append(_ writes: [RecordWrite], now: Date) async throws

    /// Withdraws a briefing with its editorial layer (each row deleted with its body kept), or
    /// restores a withdrawn one, in one transaction; the writes made, or nil when there is no
    /// such briefing in the other state.
    func setWithdrawn(briefingID: String, _ withdrawn: Bool, now: Date) async throws -> [RecordWrite]?

    /// Removes tombstones that changed before `cutoff` and raises the horizon past them;
    /// withdrawn content stays, to be restored.
    func compact(before cutoff: Date) async throws -> Compaction

    /// Every live-or-deleted row of one scope (an account's, or content's), of the given kinds
    /// (nil: all), by kind and ID.
    func rows(in scope: Scope, kinds: Set<EntityKind>?) async throws -> [LogRow]

    /// The metadata (`BriefingMetadata` as canonical JSON) of the `limit` live briefings
    /// published last, newest first, among those of `topics` (publication keys, `""` for open
    /// content; nil: all content).
    func newestBriefings(topics: [String]?, limit: Int) async throws -> [String]

    // MARK: Accounts and devices

    func createAccount(id: String, name: String, passwordHash: String, now: Date) async throws -> Account
    func accounts() async throws -> [Account]
    /// The ID and password hash of the account `name`.
    func credentials(name: String) async throws -> (id: String, passwordHash: String)?
    /// Removes an account, its devices and all its records.
    func removeAccount(name: String) async throws
    func createDevice(id: String, accountID: String, name: String?, tokenHash: String, now: Date) async throws
    /// The live device whose token hashes to `tokenHash`, with its account's entitlements.
    func principal(tokenHash: String) async throws -> Principal?

    // MARK: Entitlements

    /// Entitles the account `name` to a publication (its key), or to all (`*`); false when
    /// there is no such account.
    @discardableResult func grant(name: String, publication: String) async throws -> Bool
    /// Takes an entitlement away (a key, or `*`); false when there is no such account.
    @discardableResult func revoke(name: String, publication: String) async throws -> Bool
    /// Sets what a device receives: publication keys, or nil to follow its entitlements.
    func setSubscriptions(deviceID: String, _ keys: Set<String>?) async throws
    /// The account's entitlements as stored (keys, `*` for all); nil when there is no such account.
    func entitlements(name: String) async throws -> [String]?
    /// The publication of a briefing, live or withdrawn (nil for none, or no such briefing).
    func publication(ofBriefing id: String) async throws -> String?
    /// The publications content has been published in, by key, with a name each was given.
    func publications() async throws -> [(key: String, name: String, briefings: Int)]
    /// Revokes a device's token; false when it was not live.
    @discardableResult func revokeDevice(id: String, now: Date) async throws -> Bool
    /// The devices of the account `name`, newest first; nil when there is no such account.
    func devices(ofUser name: String) async throws -> [DeviceInfo]?

    // MARK: Content, for editors' tools

    /// The live content row of a briefing.
    func briefingBody(id: String) async throws -> String?
    /// The live briefing whose current revision has this ID, with its publication key (topic).
    func briefing(revisionID: String) async throws -> (body: String, topic: String)?
    func briefingCount() async throws -> Int
    /// Whether any briefing, live or withdrawn, has this ID.
    func briefingIDExists(_ id: String) async throws -> Bool
    /// The newest live briefing whose JSON field `field` (`sourceURL`, `title`) equals `value`,
    /// among those whose `publication` is `publication` (when `matchPublication`) and, when
    /// `withoutSourceURL`, that have no source URL.
    func findBriefingBody(field: String, value: String, publication: String?, matchPublication: Bool, withoutSourceURL: Bool)
        async throws -> String?
    /// The newest live briefing whose last import found `foundTitle`, with no source URL or
    /// `sourceURL`.
    func briefingBody(foundTitle: String, sourceURL: String?) async throws -> String?
    /// The live editorial layer of a briefing, by ID.
    func editorialBodies(briefingID: String) async throws -> [String]
    /// Every reader's live highlights on a briefing, as stored.
    func highlightBodies(briefingID: String) async throws -> [String]
    /// A stored source: of `revision`, or the newest.
    func source(briefingID: String, revision: Int?) async throws -> StoredSource?

    /// Makes what has been written compact on disk after a bulk load (a no-op where that is automatic).
    func checkpoint() async throws

    /// Closes connections; the store is not used afterwards.
    func close() async

    /// Notified of commits by any process writing to this database, when the store can hear
    /// them (PostgreSQL's `LISTEN`); nil when only this process's own commits are known.
    var commitSignal: CommitSignal? { get }
}

extension ServerStorage {
    public var commitSignal: CommitSignal? { nil }
}

/// What a compaction did.
public struct Compaction: Sendable, Hashable {
    /// Tombstones removed.
    public var removed: Int
    /// Cursors before this sequence number must resync.
    public var horizon: Int64

    public init(removed: Int, horizon: Int64) {
        self.removed = removed
        self.horizon = horizon
    }
}
