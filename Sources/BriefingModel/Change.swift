/// One entry of a pull: the latest state of one record the caller may see.
public struct Change: Hashable, Sendable {
    /// What the change carries.
    public enum Payload: Hashable, Sendable {
        case briefing(Briefing)
        case editorialAnnotation(EditorialAnnotation)
        case record(UserRecord)
        case conflict(ConflictRecord)
        /// A content record that was withdrawn.
        case removed
    }

    public var kind: EntityKind
    public var id: String
    public var payload: Payload

    public init(kind: EntityKind, id: String, payload: Payload) {
        self.kind = kind
        self.id = id
        self.payload = payload
    }

    /// Upsert, or delete for withdrawn content and tombstoned records.
    public var op: Operation {
        switch payload {
        case .removed: .delete
        case .record(let record): record.deleted ? .delete : .upsert
        default: .upsert
        }
    }
}

/// The version of the sync protocol this code speaks.
public enum SyncProtocol {
    /// Sent in every response body and in the path (`/v1/`).
    public static let version = 1
}
