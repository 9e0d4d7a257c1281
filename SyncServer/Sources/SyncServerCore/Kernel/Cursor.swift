import BriefingModel
import Crypto
import Foundation
import Synchronization

/// One page of a pull.
public struct ChangesPage: Sendable {
    public var changes: [Change]
    /// Where the next page starts.
    public var cursor: Cursor
    public var hasMore: Bool
}

/// A position in the change log, opaque to clients:
/// `v2.<epoch>.<seq>.<horizon>.<full>.<scopes>.<signature>` in base64url
/// (`v1.<epoch>.<seq>.<horizon>[.full]` from servers before scoped content is still read).
///
/// A v2 cursor is signed (HMAC-SHA256 with the database's cursor secret): the scopes it
/// lists decide what a pull walks, and a forged list would walk content the caller may not
/// read (its removals name the records). The server refuses one whose signature is wrong.
///
/// It records the horizon it was issued under: a cursor below the current horizon is still
/// good if no compaction has happened since it was issued (a device part-way through a full
/// resync), and stale otherwise (it may have missed a compacted tombstone).
///
/// `.full` marks a pull that began from the start and has not yet caught up (a new store, a
/// resync): its store holds nothing beyond the cursor, not even what the device itself wrote
/// before it started over, so its pages carry the device's own writes too.
///
/// `scopes` are the content scopes the holder's store covers (besides open content and its
/// own account, which every device reads), each with where it stands. Most are at `seq`; a
/// scope the device has just been given is read from the start until it catches up with the
/// rest, and one it has lost is walked to send the removal of everything in it. So a change
/// of scopes moves only the content of the scopes that changed (see Schemas/README.md).
public struct Cursor: Hashable, Sendable {
    public static func == (a: Cursor, b: Cursor) -> Bool {
        a.epoch == b.epoch && a.seq == b.seq && a.horizon == b.horizon && a.full == b.full && a.scopes == b.scopes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(epoch)
        hasher.combine(seq)
        hasher.combine(horizon)
        hasher.combine(full)
        hasher.combine(scopes)
    }

    /// Where one content scope stands in a cursor.
    public enum ScopePosition: Hashable, Sendable {
        /// Read up to `seq`, or up to the given sequence number if it is behind (catching up).
        case reading(Int64?)
        /// No longer the holder's: its rows after this sequence number are still to be sent
        /// as removals.
        case removing(Int64)
    }

    /// The longest token a server issues or reads.
    public static let maxTokenLength = 4000

    /// The database the cursor belongs to.
    public var epoch: String
    /// The last sequence number the holder has applied.
    public var seq: Int64
    /// The compaction horizon when the cursor was issued.
    public var horizon: Int64
    /// Part of a pull from the start that has not caught up yet.
    public var full: Bool
    /// The content scopes the holder's store covers, by key; nil for a cursor from before
    /// scoped content, which covers whatever the holder may read now.
    public var scopes: [String: ScopePosition]?
    /// The key a token is signed with, when this server issues it.
    var secret: String?
    /// A parsed v2 token's signed text and signature, checked by `isSigned(with:)`.
    private var signed: (text: String, signature: String)?

    /// The opaque token sent to clients.
    public var token: String {
        let text: String
        if let scopes {
            let list = scopes.keys.sorted().map { key -> String in
                switch scopes[key]! {
                case .reading(nil): key
                case .reading(let position?): "\(key)@\(position)"
                case .removing(let position): "-\(key)@\(position)"
                }
            }
            let body = "v2.\(epoch).\(seq).\(horizon).\(full ? "full" : "").\(list.joined(separator: ","))"
            text = body + "." + Self.signature(of: body, secret: secret ?? "")
        } else {
            text = "v1.\(epoch).\(seq).\(horizon)\(full ? ".full" : "")"
        }
        return Base64URL.encode(text.utf8)
    }

    public init(
        epoch: String, seq: Int64, horizon: Int64 = 0, full: Bool = false, scopes: [String: ScopePosition]? = nil, secret: String? = nil
    ) {
        self.epoch = epoch
        self.seq = seq
        self.horizon = horizon
        self.full = full
        self.scopes = scopes
        self.secret = secret
    }

    /// The first 128 bits of HMAC-SHA256 of `text`, hex.
    static func signature(of text: String, secret: String) -> String {
        // Every page's cursor is signed, an idle long-poll's too.
        Hex.lowercase(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: signingKey(secret)).prefix(16))
    }

    /// The key for `secret`: a database has one cursor secret, so the last key made is kept.
    private static func signingKey(_ secret: String) -> SymmetricKey {
        if let last = lastKey.withLock({ $0 }), last.0 == secret { return last.1 }
        let key = SymmetricKey(data: Data(secret.utf8))
        lastKey.withLock { $0 = (secret, key) }
        return key
    }

    private static let lastKey = Mutex<(String, SymmetricKey)?>(nil)

    /// Whether a parsed token was signed with `secret` (a v1 token, which lists no scopes, is
    /// never signed and needs not be; a cursor this process made is its own).
    func isSigned(with secret: String) -> Bool {
        guard let signed else { return scopes == nil || self.secret == secret }
        let expected = Self.signature(of: signed.text, secret: secret)
        // In constant time: the signature is a secret's output.
        return expected.utf8.count == signed.signature.utf8.count
            && zip(expected.utf8, signed.signature.utf8).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Parses a token; throws `bad_cursor` when it is not one of ours.
    public init(token: String) throws(SyncError) {
        let refused = SyncError(.badCursor, "the cursor is not one this server issued")
        guard token.utf8.count <= Self.maxTokenLength, let bytes = Base64URL.decode(token), let text = String(validating: bytes, as: UTF8.self)
        else { throw refused }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 4, let seq = Int64(parts[2]), seq >= 0, let horizon = Int64(parts[3]), horizon >= 0 else { throw refused }
        switch parts[0] {
        case "v1":
            guard parts.count == 4 || (parts.count == 5 && parts[4] == "full") else { throw refused }
            self.init(epoch: String(parts[1]), seq: seq, horizon: horizon, full: parts.count == 5)
        case "v2":
            guard parts.count == 7, parts[4] == "full" || parts[4].isEmpty else { throw refused }
            var scopes: [String: ScopePosition] = [:]
            for entry in parts[5].split(separator: ",") {
                var entry = Substring(entry)
                let removing = entry.hasPrefix("-")
                if removing { entry = entry.dropFirst() }
                let pieces = entry.split(separator: "@", omittingEmptySubsequences: false)
                guard (1...2).contains(pieces.count), Scope.isContentKey(String(pieces[0])) else { throw refused }
                var position: Int64?
                if pieces.count == 2 {
                    guard let value = Int64(pieces[1]), value >= 0, value <= seq else { throw refused }
                    position = value
                }
                guard removing ? position != nil : true, scopes[String(pieces[0])] == nil else { throw refused }
                scopes[String(pieces[0])] = removing ? .removing(position!) : .reading(position)
            }
            self.init(epoch: String(parts[1]), seq: seq, horizon: horizon, full: parts[4] == "full", scopes: scopes)
            signed = (parts[0..<6].joined(separator: "."), String(parts[6]))
        default:
            throw refused
        }
    }
}
