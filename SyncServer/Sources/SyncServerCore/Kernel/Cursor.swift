import BriefingModel
import Foundation

/// One page of a pull.
public struct ChangesPage: Sendable {
    public var changes: [Change]
    /// Where the next page starts.
    public var cursor: Cursor
    public var hasMore: Bool
}

/// A position in the change log, opaque to clients: `v1.<epoch>.<seq>.<horizon>[.full]` in
/// base64url.
///
/// It records the horizon it was issued under: a cursor below the current horizon is still
/// good if no compaction has happened since it was issued (a device part-way through a full
/// resync), and stale otherwise (it may have missed a compacted tombstone).
///
/// `.full` marks a pull that began from the start and has not yet caught up (a new store, a
/// resync): its store holds nothing beyond the cursor, not even what the device itself wrote
/// before it started over, so its pages carry the device's own writes too.
public struct Cursor: Hashable, Sendable {
    /// The database the cursor belongs to.
    public var epoch: String
    /// The last sequence number the holder has applied.
    public var seq: Int64
    /// The compaction horizon when the cursor was issued.
    public var horizon: Int64
    /// Part of a pull from the start that has not caught up yet.
    public var full: Bool

    /// The opaque token sent to clients.
    public var token: String {
        Data("v1.\(epoch).\(seq).\(horizon)\(full ? ".full" : "")".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public init(epoch: String, seq: Int64, horizon: Int64 = 0, full: Bool = false) {
        self.epoch = epoch
        self.seq = seq
        self.horizon = horizon
        self.full = full
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
        guard parts.count == 4 || (parts.count == 5 && parts[4] == "full"), parts[0] == "v1", let seq = Int64(parts[2]), seq >= 0,
            let horizon = Int64(parts[3]), horizon >= 0
        else {
            throw SyncError(.badCursor, "the cursor is not one this server issued")
        }
        self.init(epoch: String(parts[1]), seq: seq, horizon: horizon, full: parts.count == 5)
    }
}
