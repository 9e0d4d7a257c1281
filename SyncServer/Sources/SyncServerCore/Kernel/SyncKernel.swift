import BriefingIngest
import BriefingModel
import Foundation
import Synchronization

/// The sync algorithm, once, over any `ServerStorage`: what a pull may return and from where,
/// how a push is ordered, deduplicated, checked and merged, what a publish replaces.
///
/// The kernel holds no state of its own, so any number of server processes may run one over
/// the same database: every decision is made inside the store's transaction, from what the
/// store read there.
public struct SyncKernel: Sendable {
    /// The stored bytes a page carries by default (see `changes(for:after:limit:maxBytes:)`).
    public static let defaultPageBytes = 2 << 20

    public let storage: any ServerStorage
    /// Wakes long-polling pulls after this process commits a write.
    public let signal: CommitSignal

    /// - Parameter signal: what wakes waiting pulls; by default the store's, which hears every
    ///   node's commits (PostgreSQL), else one for this process.
    public init(storage: any ServerStorage, signal: CommitSignal? = nil) {
        self.storage = storage
        self.signal = signal ?? storage.commitSignal ?? CommitSignal()
    }

    // MARK: Visibility

    /// The scopes `principal` reads: the content its device receives (open content, and each
    /// publication it is entitled and subscribed to, or all content) and the account's own records.
    ///
    /// Every read of the log for a device goes through this one function, so narrowing what
    /// a device sees (entitlements, subscriptions) changes it here and nowhere else.
    public func scopes(for principal: Principal) -> [Scope] {
        contentScopes(for: principal) + [.account(principal.accountID)]
    }

    /// The content scopes of `principal`: all content, or open content and each publication.
    func contentScopes(for principal: Principal) -> [Scope] {
        guard let keys = principal.receives else { return [.allContent] }
        return [.published] + keys.sorted().map(Scope.publication)
    }

    /// The content scopes a cursor lists: all but open content, which every reader has.
    static func listed(_ scopes: [Scope]) -> [Scope] { scopes.filter { $0 != .published } }

    // MARK: Pull

    /// What one pull reads: each scope from its own position, and the scopes the holder has
    /// lost, whose rows go out as removals.
    struct PullPlan {
        var branches: [PageBranch] = []
        /// Per branch: whether its rows are sent as removals.
        var removal: [Bool] = []
        /// Per branch: its key in the cursor (nil for open content and the account).
        var listedKey: [String?] = []
        /// The content scopes read now, by key.
        var reading: Set<String> = []
        /// Where the holder's store already stands in each content scope, by key (see `covered`).
        var coveredAt: [String: Int64] = [:]
        var coversAll: Int64?

        /// How far the holder's store already holds a content row's scope (`""` is open
        /// content), so a row at or below it is not sent again.
        func covered(_ key: String) -> Int64? { coveredAt[key] ?? coversAll }

        /// Whether the holder may read content of this scope now.
        func readable(_ key: String) -> Bool { reading.contains("*") || reading.contains(key) }
    }

    /// Each scope's position for a pull after `cursor`. A scope the cursor covers is read from
    /// where it stands; one it does not, from the start (the holder was just given it), with
    /// the rows of scopes the store already holds passed over; one it covers that the holder
    /// may no longer read is walked from the start (or where the walk stands) to send the
    /// removal of what the holder may not read any more. Open content is every holder's. A
    /// cursor from before scoped content covers what the holder reads now.
    func plan(for principal: Principal, after cursor: Cursor?) -> PullPlan {
        let seq = cursor?.seq ?? 0
        let content = contentScopes(for: principal)
        var plan = PullPlan()
        plan.reading = Set(content.map(\.key))
        let listed = cursor.map { $0.scopes ?? Dictionary(uniqueKeysWithValues: Self.listed(content).map { ($0.key, .reading(nil)) }) } ?? [:]
        if cursor != nil { plan.coveredAt[""] = seq }
        for (key, position) in listed {
            guard case .reading(let at) = position else { continue }
            if key == "*" { plan.coversAll = at ?? seq } else { plan.coveredAt[key] = at ?? seq }
        }
        func add(_ scope: Scope, after: Int64, removal: Bool = false, listed: Bool) {
            plan.branches.append(PageBranch(scope, after: after))
            plan.removal.append(removal)
            plan.listedKey.append(listed ? scope.key : nil)
        }
        for scope in content {
            if scope == .published {
                add(scope, after: seq, listed: false)
            } else if scope == .allContent {
                // All content after what it covered as all; what it held of single scopes is passed over.
                add(scope, after: plan.coversAll ?? 0, listed: true)
            } else {
                add(scope, after: plan.covered(scope.key) ?? 0, listed: true)
            }
        }
        // Removal branches come after the reading ones: a row both read is kept before it is
        // considered for removal (and a row still readable is never removed).
        for key in listed.keys.sorted() where !plan.reading.contains(key) {
            // A scope held, now read as part of all content: only a mark of what is held.
            if plan.readable(key), case .reading = listed[key]! { continue }
            switch listed[key]! {
            case .reading: add(Scope(key: key), after: 0, removal: true, listed: true)
            case .removing(let position): add(Scope(key: key), after: position, removal: true, listed: true)
            }
        }
        add(.account(principal.accountID), after: seq, listed: false)
        return plan
    }

    /// The changes `principal` may see after `cursor`, in order: at most `limit` of them, and
    /// no more than `maxBytes` of stored record bodies, except that a record larger than that
    /// travels alone. A page's memory is bounded however large the records are.
    ///
    /// No echo: a row whose state the device wrote itself and already holds (its origin) is
    /// passed over; the push's answer acknowledged it. The cursor still moves past it. A pull
    /// from the start (a new store, a resync) gets every row until it has caught up, since its
    /// store holds nothing yet (see `Cursor.full`).
    ///
    /// Scopes: see `plan(for:after:)`. Content of a scope the holder has lost comes as
    /// removals (the reader's own records on it stay: they are the account's).
    ///
    /// Bodies: with `.separate`, briefings come as their metadata (the device fetches bodies
    /// by hash); a page then holds many more of them within the same byte budget.
    public func changes(
        for principal: Principal, after cursor: Cursor?, limit: Int, maxBytes: Int = SyncKernel.defaultPageBytes,
        bodies: BodyDelivery = .inline
    ) async throws -> ChangesPage {
        let plan = plan(for: principal, after: cursor)
        let page = try await storage.page(
            branches: plan.branches, limit: limit, maxBytes: maxBytes, metadataOnly: bodies == .separate,
            check: { meta in try Self.check(cursor, against: meta) })
        var changes: [Change] = []
        changes.reserveCapacity(page.rows.count)
        var echoes = 0, echoBytes = 0
        let fromStart = cursor.map(\.full) ?? true
        for row in page.rows {
            let scope = plan.branches[row.branch].scope
            if row.departure {
                // Content that left this scope: removed, unless the holder reads where it went.
                guard !plan.readable(Self.destination(ofDeparture: row.body)) else { continue }
                guard let kind = EntityKind(rawValue: row.kind) else { throw SyncError(.storage, "unknown kind \(row.kind) in the change log") }
                changes.append(Change(kind: kind, id: row.id, payload: .removed))
                continue
            }
            if scope.isContent {
                let key = row.topic.isEmpty ? "" : Scope.publication(row.topic).key
                if plan.removal[row.branch] {
                    // Content the holder may still read (through another scope) stays.
                    guard !plan.readable(key) else { continue }
                    guard let kind = EntityKind(rawValue: row.kind) else {
                        throw SyncError(.storage, "unknown kind \(row.kind) in the change log")
                    }
                    changes.append(Change(kind: kind, id: row.id, payload: .removed))
                    continue
                }
                // Read again from the start for a new scope: what the store holds is not re-sent.
                if let covered = plan.covered(key), row.seq <= covered, plan.branches[row.branch].after < covered { continue }
            }
            if !fromStart, let origin = row.origin, origin == principal.deviceID {
                echoes += 1
                echoBytes += row.body.utf8.count
                continue
            }
            changes.append(try Self.change(row))
        }
        SyncMetrics.pulled(changes: changes.count, bytes: page.bytes - echoBytes, echoes: echoes, echoBytes: echoBytes)
        let before = cursor?.seq ?? 0
        let last = max(page.rows.last?.seq ?? before, before)
        // Every branch has been read up to the page's last row; with nothing more to read,
        // every scope stands at the end and the lost ones are gone.
        var scopes: [String: Cursor.ScopePosition] = [:]
        var allContentAt: Int64?
        for (index, key) in plan.listedKey.enumerated() {
            guard let key else { continue }
            let position = max(plan.branches[index].after, page.rows.last?.seq ?? 0)
            if plan.removal[index] {
                if page.hasMore { scopes[key] = .removing(position) }
            } else {
                scopes[key] = page.hasMore && position < last ? .reading(position) : .reading(nil)
                if key == Scope.allContent.key { allContentAt = page.hasMore ? position : last }
            }
        }
        // While all content is read from further back than a scope the store already held, the
        // cursor keeps the mark of how far it held it, so none of that is sent again.
        if let allContentAt {
            for (key, held) in plan.coveredAt where !key.isEmpty && !plan.reading.contains(key) && held > allContentAt {
                scopes[key] = .reading(held)
            }
        }
        return ChangesPage(
            changes: changes,
            cursor: Cursor(
                epoch: page.meta.epoch, seq: last, horizon: page.meta.horizon, full: fromStart && page.hasMore, scopes: scopes,
                secret: page.meta.cursorSecret),
            hasMore: page.hasMore)
    }

    /// The changes after `cursor` as above; when there are none, waits up to `wait` for a
    /// commit and reads again, so a long-polling device hears of a change as soon as it is
    /// visible. A wake-up carries nothing: the page is read from the log as any page is, with
    /// the same scopes, so waking for another account's write only means reading again. Pages
    /// of nothing but the device's own writes move the cursor on and keep it waiting.
    ///
    /// After a wake-up, what the device may read is read again first (`refresh`): an
    /// entitlement, subscription or token revoked during the wait holds for what the wake-up
    /// brings, and a scope lost comes as its removals.
    public func changes(
        for principal: Principal, after cursor: Cursor?, limit: Int, maxBytes: Int = SyncKernel.defaultPageBytes,
        bodies: BodyDelivery = .inline, wait: Duration, refresh: (@Sendable () async throws -> Principal)? = nil
    ) async throws -> ChangesPage {
        let deadline = ContinuousClock.now + wait
        var after = cursor
        var principal = principal
        while true {
            let (page, park) = try await changesOrPark(
                for: principal, after: after, limit: limit, maxBytes: maxBytes, bodies: bodies, until: deadline)
            guard let park, try await park.wait(until: deadline) else { return page }
            after = page.cursor
            if let refresh { principal = try await refresh() }
        }
    }

    /// The changes after `cursor` as `changes(for:after:limit:maxBytes:bodies:)` reads them,
    /// moving on past pages of nothing but the device's own writes; when there is nothing to
    /// answer before `deadline`, also what to wait for: the caller waits on the `PollPark`
    /// and, if it says so, asks again after the page's cursor (or answers with the page).
    ///
    /// For a caller that holds the wait itself: the HTTP server parks a long-poll in its
    /// outermost layer (`LongPollMiddleware`), where a waiting request holds a few kilobytes,
    /// instead of in the handler, whose suspended calls hold many times that.
    public func changesOrPark(
        for principal: Principal, after cursor: Cursor?, limit: Int, maxBytes: Int = SyncKernel.defaultPageBytes,
        bodies: BodyDelivery = .inline, until deadline: ContinuousClock.Instant
    ) async throws -> (page: ChangesPage, park: PollPark?) {
        // A commit notifies its scope and all content's (`wakeKeys`); a waiter listens to the
        // scopes it reads, so a publish wakes only the readers of its publication (and those
        // of all content).
        let keys = scopes(for: principal).map(\.key)
        let quiet = signal.quietPolls, device = principal.deviceID
        if let cursor, !signal.isClosed {
            let generation = signal.generation(for: keys)
            if let page = quiet.page(device: device, cursor: cursor, scopes: keys, generation: generation, now: .now) {
                return (page, PollPark(signal: signal, generation: generation, scopes: keys))
            }
        }
        var after = cursor
        while true {
            let generation = signal.generation(for: keys)
            let page = try await changes(for: principal, after: after, limit: limit, maxBytes: maxBytes, bodies: bodies)
            if !page.changes.isEmpty || ContinuousClock.now >= deadline || Task.isCancelled || signal.isClosed {
                quiet.forget(device: device)
                return (page, nil)
            }
            after = page.cursor
            if page.hasMore { continue }
            // The device asks again from this page's cursor: until a commit concerns its
            // scopes, that read would find nothing again.
            quiet.remember(device: device, .init(cursor: page.cursor, scopes: keys, generation: generation, at: .now, page: page))
            return (page, PollPark(signal: signal, generation: generation, scopes: keys))
        }
    }

    /// The scope a departure mark says its record went to (`{"to": KEY}`).
    static func destination(ofDeparture body: String) -> String {
        ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any])?["to"] as? String ?? ""
    }

    /// Refuses a cursor this log cannot serve: from another database, behind a compaction it
    /// has not seen, or ahead of the log (a restored backup).
    static func check(_ cursor: Cursor?, against meta: LogMeta) throws(SyncError) {
        guard let cursor else { return }
        guard cursor.epoch == meta.epoch else {
            throw SyncError(.resyncRequired, "the cursor belongs to another database; resync from the start")
        }
        guard cursor.isSigned(with: meta.cursorSecret) else { throw SyncError(.badCursor, "the cursor is not one this server issued") }
        // A cursor below the horizon is still good if no compaction has happened since it was
        // issued (a device part-way through a full resync).
        guard cursor.seq >= meta.horizon || cursor.horizon == meta.horizon else {
            throw SyncError(.resyncRequired, "the cursor is older than the tombstone horizon; resync from the start")
        }
        guard cursor.seq <= meta.newest else {
            throw SyncError(.resyncRequired, "the cursor is ahead of this server's log; resync from the start")
        }
    }

    /// The change a log row holds.
    static func change(_ row: LogRow) throws -> Change {
        guard let kind = EntityKind(rawValue: row.kind) else {
            throw SyncError(.storage, "unknown kind \(row.kind) in the change log")
        }
        let body = row.body
        switch kind {
        case .briefing:
            if row.deleted { return Change(kind: kind, id: row.id, payload: .removed) }
            return Change(
                kind: kind, id: row.id,
                payload: row.isMetadata
                    ? .briefingMetadata(try decode(BriefingMetadata.self, body)) : .briefing(try decode(Briefing.self, body)))
        case .editorialAnnotation:
            return Change(
                kind: kind, id: row.id,
                payload: row.deleted ? .removed : .editorialAnnotation(try decode(EditorialAnnotation.self, body)))
        case .conflict:
            return Change(kind: kind, id: row.id, payload: row.deleted ? .removed : .conflict(try decode(ConflictRecord.self, body)))
        case .highlight, .note, .bookmark, .readingProgress, .tag:
            return Change(kind: kind, id: row.id, payload: .record(try decode(UserRecord.self, body)))
        }
    }

    // MARK: Push

    /// Applies a device's batch in one transaction and answers each mutation.
    ///
    /// A mutation ID at or below the device's last one is a repeat: acknowledged with its
    /// original answer and not applied again. When this returns, every answer is durable.
    ///
    /// - Parameter known: the device's cursor, when it sent one: the rows at or below it are
    ///   in its store, so what it writes on top of them needs no echo.
    public func push(
        _ mutations: [Mutation], from principal: Principal, now: Date, maxClockSkew: TimeInterval, known: Cursor? = nil
    ) async throws -> [MutationResult] {
        guard let first = mutations.first?.mutationID, let last = mutations.last?.mutationID else { return [] }
        var records: [RecordKey] = []
        var foreign: [RecordKey] = []
        var briefings: Set<String> = []
        var seen: Set<RecordKey> = []
        for mutation in mutations {
            let key = RecordKey(mutation.kind, mutation.id)
            // Only the reader's own kinds are read; a mutation of any other is refused by the
            // merge rules without looking at the store.
            if mutation.kind.isUserData, seen.insert(key).inserted {
                records.append(key)
                if mutation.kind == .highlight || mutation.kind == .note { foreign.append(key) }
            }
            if let briefingID = mutation.fields["briefingID"]?.string { briefings.insert(briefingID) }
        }
        let keys = PushKeys(
            mutationIDs: min(first, last)...max(first, last), records: records, foreignCheck: foreign,
            briefingIDs: briefings.sorted())
        let clockLimit = Int64((now.timeIntervalSince1970 + maxClockSkew) * 1000)
        let plan = try await storage.push(principal: principal, keys: keys, now: now) { snapshot in
            try Self.decide(mutations, from: principal, snapshot: snapshot, clockLimit: clockLimit, knownSeq: known?.seq)
        }
        if !plan.writes.isEmpty { signal.notify(scopes: Self.scopes(of: plan.writes)) }
        // Counted once committed: a batch that failed as a whole counts for nothing.
        SyncMetrics.mutations(plan.results)
        SyncMetrics.conflicts(plan.conflictsByRule)
        return plan.results
    }

    /// Applies a batch as above, then reads the page after `thenPull`'s cursor, which includes
    /// the batch. A cursor that must resync (behind the horizon, from another database) gives
    /// no page, and the batch still stands; any other failure of the push fails it as a whole.
    public func push(
        _ mutations: [Mutation], from principal: Principal, now: Date, maxClockSkew: TimeInterval,
        thenPull pull: (cursor: Cursor?, limit: Int)?, known: Cursor? = nil, maxPageBytes: Int = SyncKernel.defaultPageBytes,
        bodies: BodyDelivery = .inline
    ) async throws -> (results: [MutationResult], page: ChangesPage?) {
        let results = try await push(
            mutations, from: principal, now: now, maxClockSkew: maxClockSkew, known: pull.map { $0.cursor } ?? known)
        guard let pull else { return (results, nil) }
        do {
            return (
                results, try await changes(for: principal, after: pull.cursor, limit: pull.limit, maxBytes: maxPageBytes, bodies: bodies)
            )
        } catch let error as SyncError where error.code == .resyncRequired {
            return (results, nil)
        }
    }

    /// The push algorithm: what a batch does, given what the store holds. Pure.
    ///
    /// Mutations apply in order, each against the record as the ones before it left it, so a
    /// batch is the same as its mutations pushed one at a time.
    ///
    /// A record's new state is marked as held by the device (its origin) when the device held
    /// the state it was applied to: the device made the record (it had none, and the store has
    /// none), or wrote the stored state itself, or pulled it (at or below `knownSeq`). Then the
    /// device's own apply of the mutation, by the same rules from the same state, made the
    /// same record, and its pulls need not carry it back. A state the device may not hold
    /// (another device's write it has not pulled, a conflict copy, a conflict record) has no
    /// origin and reaches every device.
    static func decide(
        _ mutations: [Mutation], from principal: Principal, snapshot: PushSnapshot, clockLimit: Int64, knownSeq: Int64? = nil
    ) throws -> PushPlan {
        // The token was checked before the transaction began; the device (and its account) may
        // have gone since. The store reads it again under the account's lock, where no removal
        // can interleave, so a push from a revoked device or a removed account stores nothing.
        guard var last = snapshot.lastMutationID else {
            throw SyncError(.unauthorized, "the token is unknown or revoked; log in again")
        }
        let scope = Scope.account(principal.accountID)
        var working = WorkingSet(scope: scope, records: snapshot.records, device: principal.deviceID)
        working.knownSeq = knownSeq
        working.positions = snapshot.positions
        var results: [MutationResult] = []
        var rejections: [(mutationID: Int64, reason: String, message: String)] = []
        results.reserveCapacity(mutations.count)
        for mutation in mutations {
            if mutation.mutationID <= last {
                if let rejection = snapshot.rejections[mutation.mutationID] {
                    results.append(
                        MutationResult(
                            mutationID: mutation.mutationID, status: .rejected, reason: rejection.reason, message: rejection.message))
                } else {
                    results.append(MutationResult(mutationID: mutation.mutationID, status: .duplicate))
                }
                continue
            }
            // Mutations apply once and in the device's order: after its first push, a device's
            // IDs must follow on from the last one applied.
            if last > 0 && mutation.mutationID > last + 1 {
                throw SyncError(
                    .mutationGap, "mutation \(mutation.mutationID) follows \(last): earlier mutations from this device are missing")
            }
            last = mutation.mutationID
            do {
                results.append(try apply(mutation, principal: principal, snapshot: snapshot, working: &working, clockLimit: clockLimit))
            } catch let rejection as MutationRejection {
                rejections.append((mutation.mutationID, rejection.code.rawValue, rejection.message))
                results.append(
                    MutationResult(
                        mutationID: mutation.mutationID, status: .rejected, reason: rejection.code.rawValue, message: rejection.message))
            }
        }
        // A refusal carries the record as it now stands, so the device can undo its optimistic
        // edit; only the reader's own record (none for a foreign ID), so it leaks nothing.
        for (index, mutation) in mutations.enumerated() where results[index].status == .rejected {
            results[index].current = working.current(RecordKey(mutation.kind, mutation.id))
        }
        return PushPlan(
            results: results, writes: working.writes, rejections: rejections, lastMutationID: last,
            conflictsByRule: working.conflictsByRule)
    }

    /// The records a batch has read and written so far, and its writes in order.
    struct WorkingSet {
        let scope: Scope
        /// Known state of the account's records by key: nil inside means known to be absent.
        private(set) var records: [RecordKey: UserRecord?]
        /// The latest write of each key, and the keys in the order of their latest write.
        private var pending: [RecordKey: RecordWrite] = [:]
        private var order: [RecordKey] = []
        /// The conflicts recorded, by rule.
        private(set) var conflictsByRule: [ConflictRule: Int] = [:]
        /// The pushing device.
        let device: String
        /// The device's cursor's position, when it sent one.
        var knownSeq: Int64?
        /// Where the stored records stand in the log.
        var positions: [RecordKey: LogPosition] = [:]
        /// Whether the device holds the batch's current state of a key, once the batch has
        /// touched it.
        private var held: [RecordKey: Bool] = [:]

        init(scope: Scope, records: [RecordKey: UserRecord], device: String) {
            self.scope = scope
            self.records = records.mapValues { $0 }
            self.device = device
        }

        func current(_ key: RecordKey) -> UserRecord? { records[key] ?? nil }

        func isKnown(_ key: RecordKey) -> Bool { records.index(forKey: key) != nil }

        /// Whether the device holds the current state of `key` as `mutation` was made on it.
        mutating func deviceHolds(_ key: RecordKey, before mutation: Mutation) -> Bool {
            if let known = held[key] { return known }
            let holds: Bool
            if let position = positions[key] {
                holds = position.origin == device || knownSeq.map { position.seq <= $0 } == true
            } else {
                // Nothing stored: the device holds the same nothing only if it saw no record.
                holds = records[key] == nil && mutation.seen == nil
            }
            held[key] = holds
            return holds
        }

        /// Writes a record; `unlessStored` writes it only if the store has none with its key.
        /// `heldByDevice`: the device's own apply made this same state.
        mutating func put(_ record: UserRecord, unlessStored: Bool = false, heldByDevice: Bool = false) throws {
            let key = RecordKey(record.kind, record.id)
            records[key] = record
            held[key] = heldByDevice
            write(
                RecordWrite(
                    scope: scope, key: key, deleted: record.deleted, body: try json(record), ifAbsent: unlessStored,
                    origin: heldByDevice ? device : nil))
        }

        /// A conflict record: always written (a later resolution of the same conflict replaces it).
        mutating func put(_ conflict: ConflictRecord) throws {
            conflictsByRule[conflict.rule, default: 0] += 1
            write(RecordWrite(scope: scope, key: RecordKey(.conflict, conflict.id), deleted: false, body: try json(conflict)))
        }

        private mutating func write(_ write: RecordWrite) {
            if pending.updateValue(write, forKey: write.key) != nil { order.removeAll { $0 == write.key } }
            order.append(write.key)
        }

        var writes: [RecordWrite] { order.map { pending[$0]! } }
    }

    static func apply(
        _ mutation: Mutation, principal: Principal, snapshot: PushSnapshot, working: inout WorkingSet, clockLimit: Int64
    ) throws -> MutationResult {
        guard mutation.hlc.node == principal.deviceID else {
            throw MutationRejection(.invalidFields, "the mutation's clock belongs to another device")
        }
        guard mutation.hlc.wallMillis <= clockLimit else {
            throw MutationRejection(.clockSkew, "the mutation's clock is too far ahead of the server's; check the device clock")
        }
        let key = RecordKey(mutation.kind, mutation.id)
        // Highlights and notes have device-made random IDs, unique across users; bookmarks,
        // progress and tags have IDs derived from the briefing, scoped to their owner.
        if snapshot.foreign.contains(key) {
            // Same answer whether or not the record exists for someone else: IDs leak nothing.
            throw MutationRejection(.foreignID, "no \(mutation.kind.rawValue) \(mutation.id) belongs to this user")
        }
        let current = working.current(key)
        if current == nil || current!.fields.isEmpty, let briefingID = mutation.fields["briefingID"]?.string {
            guard snapshot.liveBriefings.contains(briefingID) else {
                throw MutationRejection(.invalidFields, "there is no briefing \(briefingID)")
            }
        }
        let holds = working.deviceHolds(key, before: mutation)
        let result = try MergeRules.apply(mutation, to: current)
        if result.record != current { try working.put(result.record, heldByDevice: holds) }
        // A conflict copy's ID comes from what it copies, so it is made once. One this batch
        // has not seen is written only if the store has none.
        for copy in result.copies {
            let copyKey = RecordKey(copy.kind, copy.id)
            if !working.isKnown(copyKey) {
                try working.put(copy, unlessStored: true)
            } else if working.current(copyKey) == nil {
                try working.put(copy)
            }
        }
        for conflict in result.conflicts {
            try working.put(conflict)
        }
        return MutationResult(mutationID: mutation.mutationID, status: result.status)
    }

    // MARK: Content

    /// The metadata of the `limit` live briefings published last that `principal`'s device
    /// receives, newest first: what a new device shows, and fetches bodies for, before its
    /// first sync has brought the whole library (see `GET /v1/briefings/newest`).
    public func newestBriefings(for principal: Principal, limit: Int) async throws -> [BriefingMetadata] {
        let topics = principal.receives.map { [""] + $0.sorted() }
        return try await storage.newestBriefings(topics: topics, limit: limit).map { try Self.decode(BriefingMetadata.self, $0) }
    }

    /// Publishes a briefing revision with its editorial layer, in one transaction.
    ///
    /// Writes the briefing, tombstones the machine-made annotations the new layer drops, and
    /// writes only the annotations that changed, so devices pull no more than the difference.
    /// Editors' own annotations are never dropped here, whatever `editorial` holds: one added
    /// while an import was reading the old layer must survive that import's publish.
    ///
    /// - Parameter replacing: with a source, the revision number the import started from (nil
    ///   for a new briefing). If another import published in between, nothing is written and
    ///   the import is refused, rather than one editor's revision silently replacing another's.
    public func publish(
        _ briefing: Briefing, editorial: [EditorialAnnotation], now: Date, source: (StoredSource, replacing: Int?)? = nil
    ) async throws {
        let briefingBody = try Self.json(briefing)
        let briefingMeta = try Self.json(briefing.metadata)
        let layer = try editorial.map { ($0.id, try Self.json($0)) }
        // The old scope's readers, when the briefing moved: they are woken to remove it.
        let departed = Mutex<[String]>([])
        try await storage.publish(briefingID: briefing.id, now: now) { snapshot in
            if let source, snapshot.currentRevision != source.replacing {
                throw ImportError(
                    "briefing \(briefing.id) changed while this import ran (it is now at revision \(snapshot.currentRevision.map(String.init) ?? "none")); import the file again"
                )
            }
            let scope = Scope.content(of: briefing.publication)
            var writes = [
                RecordWrite(scope: scope, key: RecordKey(.briefing, briefing.id), deleted: false, body: briefingBody, meta: briefingMeta)
            ]
            let current = Dictionary(snapshot.editorial.map { ($0.id, $0.body) }, uniquingKeysWith: { a, _ in a })
            let keep = Set(layer.map(\.0))
            // A briefing that moved to another publication takes its whole layer with it.
            let from = Scope.content(of: snapshot.currentPublication)
            let moved = snapshot.currentRevision != nil && from != scope
            if moved {
                // Readers of the old scope remove what left it (unless they read the new one).
                let mark = "{\"to\":\"\(scope.key)\"}"
                let left = [RecordKey(.briefing, briefing.id)] + snapshot.editorial.map { RecordKey(.editorialAnnotation, $0.id) }
                writes.insert(contentsOf: left.map { RecordWrite(scope: .departures(from: from), key: $0, deleted: true, body: mark) }, at: 0)
                departed.withLock { $0 = from.wakeKeys }
            }
            for annotation in snapshot.editorial where !keep.contains(annotation.id) {
                if !annotation.byEditor {
                    writes.append(RecordWrite(scope: scope, key: RecordKey(.editorialAnnotation, annotation.id), deleted: true, body: "{}"))
                } else if moved {
                    writes.append(RecordWrite(scope: scope, key: RecordKey(.editorialAnnotation, annotation.id), deleted: false, body: annotation.body))
                }
            }
            for (id, body) in layer where current[id] != body || moved {
                writes.append(RecordWrite(scope: scope, key: RecordKey(.editorialAnnotation, id), deleted: false, body: body))
            }
            return PublishPlan(writes: writes, source: source?.0)
        }
        signal.notify(scopes: Scope.content(of: briefing.publication).wakeKeys + departed.withLock { $0 })
    }

    /// Withdraws a briefing (or restores a withdrawn one): it leaves every device at its next
    /// sync, and comes back on restore; readers' highlights and notes on it stay throughout.
    /// False when there is no such briefing to withdraw (or to restore).
    public func setWithdrawn(briefingID: String, _ withdrawn: Bool, now: Date) async throws -> Bool {
        guard let writes = try await storage.setWithdrawn(briefingID: briefingID, withdrawn, now: now) else { return false }
        signal.notify(scopes: Self.scopes(of: writes))
        return true
    }

    /// Adds one annotation to a briefing's editorial layer, in the briefing's scope.
    public func addEditorial(_ annotation: EditorialAnnotation, now: Date) async throws {
        let scope = Scope.content(of: try await storage.publication(ofBriefing: annotation.briefingID))
        try await storage.append(
            [
                RecordWrite(
                    scope: scope, key: RecordKey(.editorialAnnotation, annotation.id), deleted: false,
                    body: try Self.json(annotation))
            ], now: now)
        signal.notify(scopes: scope.wakeKeys)
    }

    /// The scopes a set of writes touches, each once: what a commit notifies.
    public static func scopes(of writes: [RecordWrite]) -> [String] {
        var seen: Set<String> = []
        return writes.flatMap(\.scope.wakeKeys).filter { seen.insert($0).inserted }
    }

    // MARK: Reading records, for tools and tests

    /// Every record of one account (conflict records aside), by kind and ID.
    public func records(ofAccount accountID: String) async throws -> [UserRecord] {
        try await storage.rows(in: .account(accountID), kinds: Set(EntityKind.allCases).subtracting([.conflict]))
            .map { try Self.decode(UserRecord.self, $0.body) }
    }

    /// Every conflict record of one account, by ID.
    public func conflictRecords(ofAccount accountID: String) async throws -> [ConflictRecord] {
        try await storage.rows(in: .account(accountID), kinds: [.conflict]).map { try Self.decode(ConflictRecord.self, $0.body) }
    }

    static func json(_ value: some Encodable) throws -> String { try CanonicalJSON.text(value) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try CanonicalJSON.decode(type, text) }
}

