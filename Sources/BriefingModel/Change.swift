/// One entry of a pull: the latest state of one record the caller may see.
public struct Change: Hashable, Sendable {
    /// What the change carries.
    public enum Payload: Hashable, Sendable {
        case briefing(Briefing)
        /// A briefing without its body, which the device fetches on its own (see `BodyDelivery`).
        case briefingMetadata(BriefingMetadata)
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

/// How a pull carries briefings' bodies.
public enum BodyDelivery: String, Sendable, Hashable, CaseIterable, Codable {
    /// Each briefing whole, its paragraphs in the change.
    case inline
    /// Each briefing's metadata (`BriefingMetadata`); its body is fetched by hash when wanted.
    case separate
}

/// The version of the sync protocol this code speaks.
public enum SyncProtocol {
    /// Sent in every response body and in the path (`/v1/`).
    public static let version = 1
}
