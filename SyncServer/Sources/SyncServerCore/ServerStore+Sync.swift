import BriefingModel
import Foundation
import GRDB

/// One page of a pull.
public struct ChangesPage: Sendable {
    public var changes: [Change]
    /// Where the next page starts.
    public var cursor: Cursor
    public var hasMore: Bool
}

/// A position in the change log, opaque to clients: `v1.<epoch>.<seq>.<horizon>` in base64url.
///
/// It records the horizon it was issued under: a cursor below the current horizon is still
/// good if no compaction has happened since it was issued (a device part-way through a full
/// resync), and stale otherwise (it may have missed a compacted tombstone).
public struct Cursor: Hashable, Sendable {
    /// The database the cursor belongs to.
    public var epoch: String
    /// The last sequence number the holder has applied.
    public var seq: Int64
    /// The compaction horizon when the cursor was issued.
    public var horizon: Int64

    /// The opaque token sent to clients.
    public var token: String {
        Data("v1.\(epoch).\(seq).\(horizon)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public init(epoch: String, seq: Int64, horizon: Int64 = 0) {
        self.epoch = epoch
        self.seq = seq
        self.horizon = horizon
    }

    /// Parses a token; throws `bad_cursor` when it is not one of ours.
    public init(token: String) throws(SyncError) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard token.count <= 200, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8)
        else {
            throw SyncError(.badCursor, "the cursor is not one this server issued")
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "v1", let seq = Int64(parts[2]), seq >= 0, let horizon = Int64(parts[3]), horizon >= 0
        else {
            throw SyncError(.badCursor, "the cursor is not one this server issued")
        }
        self.init(epoch: String(parts[1]), seq: seq, horizon: horizon)
    }
}

extension ServerStore {
    /// The stored bytes a page carries by default (see `changes(for:after:limit:maxBytes:)`).
    public static let defaultPageBytes = 2 << 20

    /// The changes `principal` may see after `cursor`, in order: at most `limit` of them, and
    /// no more than `maxBytes` of stored record bodies, except that a record larger than that
    /// travels alone. A page's memory is bounded however large the records are.
    public func changes(
        for principal: Principal, after cursor: Cursor?, limit: Int, maxBytes: Int = ServerStore.defaultPageBytes
    ) async throws -> ChangesPage {
        try await database.read { db in try self.changes(db, for: principal, after: cursor, limit: limit, maxBytes: maxBytes) }
    }

    func changes(_ db: Database, for principal: Principal, after cursor: Cursor?, limit: Int, maxBytes: Int) throws -> ChangesPage {
        let (epoch, horizon) = try meta(db)
        let after = cursor?.seq ?? 0
        if let cursor {
            guard cursor.epoch == epoch else {
                throw SyncError(.resyncRequired, "the cursor belongs to another database; resync from the start")
            }
            guard cursor.seq >= horizon || cursor.horizon == horizon else {
                throw SyncError(.resyncRequired, "the cursor is older than the tombstone horizon; resync from the start")
            }
            // The high-water mark, as `newestSeq` computes it, with the horizon already read.
            let newest = max(try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM record")) ?? 0, horizon)
            guard cursor.seq <= newest else {
                throw SyncError(.resyncRequired, "the cursor is ahead of this server's log; resync from the start")
            }
        }
        // The next changes of the two owners a reader sees, each read in seq order from the
        // cursor through record_owner_seq, then merged: a page reads at most 2 × (limit + 1)
        // rows however long the log is and however many other readers write to it. The rows
        // are stepped through one at a time, and the page stops at its byte budget: the body
        // of the first row over it is read (to measure it) but not kept.
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT * FROM (SELECT kind, id, seq, deleted, body FROM record WHERE owner = '' AND seq > ?1 ORDER BY seq LIMIT ?3)
                    UNION ALL
                    SELECT * FROM (SELECT kind, id, seq, deleted, body FROM record WHERE owner = ?2 AND seq > ?1 ORDER BY seq LIMIT ?3)
                    ORDER BY seq LIMIT ?3
                    """),
            arguments: [after, principal.accountID, limit + 1])
        var changes: [Change] = []
        var bytes = 0
        var last = after
        var hasMore = false
        while let row = try rows.next() {
            let body: String = row["body"]
            if changes.count == limit || (!changes.isEmpty && bytes + body.utf8.count > maxBytes) {
                hasMore = true
                break
            }
            changes.append(try Self.change(row, body: body))
            bytes += body.utf8.count
            last = row["seq"]
        }
        return ChangesPage(changes: changes, cursor: Cursor(epoch: epoch, seq: last, horizon: horizon), hasMore: hasMore)
    }

    /// The change a log row holds; `body` is the row's body, already read.
    static func change(_ row: Row, body: String) throws -> Change {
        let kindText: String = row["kind"]
        guard let kind = EntityKind(rawValue: kindText) else {
            throw SyncError(.storage, "unknown kind \(kindText) in the change log")
        }
        let id: String = row["id"]
        let deleted: Bool = row["deleted"]
        switch kind {
        case .briefing:
            return Change(kind: kind, id: id, payload: deleted ? .removed : .briefing(try decode(Briefing.self, body)))
        case .editorialAnnotation:
            return Change(
                kind: kind, id: id, payload: deleted ? .removed : .editorialAnnotation(try decode(EditorialAnnotation.self, body)))
        case .conflict:
            return Change(kind: kind, id: id, payload: deleted ? .removed : .conflict(try decode(ConflictRecord.self, body)))
        case .highlight, .note, .bookmark, .readingProgress, .tag:
            return Change(kind: kind, id: id, payload: .record(try decode(UserRecord.self, body)))
        }
    }

    /// Applies a device's batch in one transaction and answers each mutation.
    ///
    /// A mutation ID at or below the device's last one is a repeat: acknowledged with its
    /// original answer and not applied again. When this returns, every answer is durable.
    public func push(
        _ mutations: [Mutation], from principal: Principal, now: Date, maxClockSkew: TimeInterval
    ) async throws -> [MutationResult] {
        try await push(mutations, from: principal, now: now, maxClockSkew: maxClockSkew, thenPull: nil).results
    }

    /// Applies a batch as above, then reads the page after `thenPull`'s cursor in the same
    /// transaction, so it includes the batch. A cursor that must resync (behind the horizon,
    /// from another database) gives no page, and the batch still commits; any other failure
    /// fails the push as a whole.
    public func push(
        _ mutations: [Mutation], from principal: Principal, now: Date, maxClockSkew: TimeInterval,
        thenPull pull: (cursor: Cursor?, limit: Int)?, maxPageBytes: Int = ServerStore.defaultPageBytes
    ) async throws -> (results: [MutationResult], page: ChangesPage?) {
        try await database.write { db in
            let results = try Self.apply(db, mutations, from: principal, now: now, maxClockSkew: maxClockSkew)
            guard let pull else { return (results, nil) }
            do {
                return (results, try self.changes(db, for: principal, after: pull.cursor, limit: pull.limit, maxBytes: maxPageBytes))
            } catch let error as SyncError where error.code == .resyncRequired {
                return (results, nil)
            }
        }
    }

    static func apply(
        _ db: Database, _ mutations: [Mutation], from principal: Principal, now: Date, maxClockSkew: TimeInterval
    ) throws -> [MutationResult] {
        let limit = Int64((now.timeIntervalSince1970 + maxClockSkew) * 1000)
        // The token was checked before the transaction began; the device (and its account) may
        // have gone since. Checked again here, where no removal can interleave, so a push from a
        // revoked device or a removed account stores nothing.
        guard
            var last = try Int64.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT d.lastMutationID FROM device d JOIN account a ON a.id = d.accountID
                        WHERE d.id = ? AND a.id = ? AND d.revokedAt IS NULL
                        """), arguments: [principal.deviceID, principal.accountID])
        else {
            throw SyncError(.unauthorized, "the token is unknown or revoked; log in again")
        }
        var results: [MutationResult] = []
        results.reserveCapacity(mutations.count)
        for mutation in mutations {
            if mutation.mutationID <= last {
                if let row = try Row.fetchOne(
                    db, sql: "SELECT reason, message FROM rejectedMutation WHERE deviceID = ? AND mutationID = ?",
                    arguments: [principal.deviceID, mutation.mutationID])
                {
                    results.append(
                        MutationResult(mutationID: mutation.mutationID, status: .rejected, reason: row["reason"], message: row["message"]))
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
                results.append(try Self.apply(db, mutation, principal: principal, clockLimit: limit, now: now))
            } catch let rejection as MutationRejection {
                try db.execute(
                    sql: "INSERT INTO rejectedMutation (deviceID, mutationID, reason, message) VALUES (?, ?, ?, ?)",
                    arguments: [principal.deviceID, mutation.mutationID, rejection.code.rawValue, rejection.message])
                results.append(
                    MutationResult(
                        mutationID: mutation.mutationID, status: .rejected, reason: rejection.code.rawValue,
                        message: rejection.message))
            }
        }
        try db.cachedStatement(sql: "UPDATE device SET lastMutationID = ? WHERE id = ?").execute(arguments: [last, principal.deviceID])
        // A refusal carries the record as it now stands, so the device can undo its optimistic
        // edit; only the reader's own record (none for a foreign ID), so it leaks nothing.
        for (index, mutation) in mutations.enumerated() where results[index].status == .rejected {
            results[index].current = try userRecord(db, owner: principal.accountID, kind: mutation.kind, id: mutation.id)
        }
        return results
    }

    static func apply(
        _ db: Database, _ mutation: Mutation, principal: Principal, clockLimit: Int64, now: Date
    ) throws -> MutationResult {
        guard mutation.hlc.node == principal.deviceID else {
            throw MutationRejection(.invalidFields, "the mutation's clock belongs to another device")
        }
        guard mutation.hlc.wallMillis <= clockLimit else {
            throw MutationRejection(.clockSkew, "the mutation's clock is too far ahead of the server's; check the device clock")
        }
        // Highlights and notes have device-made random IDs, unique across users; bookmarks,
        // progress and tags have IDs derived from the briefing, scoped to their owner.
        if mutation.kind == .highlight || mutation.kind == .note,
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM record WHERE kind = ? AND id = ? AND owner != ? LIMIT 1"),
                arguments: [mutation.kind.rawValue, mutation.id, principal.accountID]) == true
        {
            // Same answer whether or not the record exists for someone else: IDs leak nothing.
            throw MutationRejection(.foreignID, "no \(mutation.kind.rawValue) \(mutation.id) belongs to this user")
        }
        let current = try userRecord(db, owner: principal.accountID, kind: mutation.kind, id: mutation.id)
        if current == nil || current!.fields.isEmpty, let briefingID = mutation.fields["briefingID"]?.string {
            let exists = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM record WHERE owner = '' AND kind = 'briefing' AND id = ? AND deleted = 0"),
                arguments: [briefingID]) ?? false
            guard exists else { throw MutationRejection(.invalidFields, "there is no briefing \(briefingID)") }
        }
        let result = try MergeRules.apply(mutation, to: current)
        if result.record != current {
            try put(
                db, owner: principal.accountID, kind: mutation.kind, id: mutation.id, deleted: result.record.deleted,
                body: try json(result.record), at: now)
        }
        for copy in result.copies where try userRecord(db, owner: principal.accountID, kind: copy.kind, id: copy.id) == nil {
            try put(db, owner: principal.accountID, kind: copy.kind, id: copy.id, deleted: false, body: try json(copy), at: now)
        }
        for conflict in result.conflicts {
            try put(
                db, owner: principal.accountID, kind: .conflict, id: conflict.id, deleted: false, body: try json(conflict), at: now)
        }
        return MutationResult(mutationID: mutation.mutationID, status: result.status)
    }

    /// Every record of one account, for comparing replicas in tests and tools.
    public func records(ofAccount accountID: String) async throws -> [UserRecord] {
        try await database.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT body FROM record WHERE owner = ? AND kind NOT IN ('conflict') ORDER BY kind, id",
                arguments: [accountID]
            ).map { try Self.decode(UserRecord.self, $0) }
        }
    }
}

extension ServerStore {
    /// Every conflict record of one account.
    public func conflictRecords(ofAccount accountID: String) async throws -> [ConflictRecord] {
        try await database.read { db in
            try String.fetchAll(
                db, sql: "SELECT body FROM record WHERE owner = ? AND kind = 'conflict' ORDER BY id", arguments: [accountID]
            ).map { try Self.decode(ConflictRecord.self, $0) }
        }
    }
}
