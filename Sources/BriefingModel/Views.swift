/// A reader's highlight, read from its synced record.
public struct Highlight: Hashable, Sendable, Identifiable {
    public var id: String
    public var briefingID: String
    public var anchor: TextAnchor
    public var color: String

    /// The highlight a record holds, or nil if the record is not a live highlight.
    public init?(_ record: UserRecord) {
        guard record.kind == .highlight, !record.deleted, let briefingID = record.briefingID,
            let anchor = record.fields["anchor"]?.anchor
        else { return nil }
        self.id = record.id
        self.briefingID = briefingID
        self.anchor = anchor
        self.color = record.fields["color"]?.string ?? Self.defaultColor
    }

    /// The colour of a highlight made without one.
    public static let defaultColor = "yellow"
    /// The colours a reader can pick.
    public static let colors = ["yellow", "green", "blue", "pink", "purple", "orange"]
}

/// A reader's note, on a briefing or on one of their highlights.
public struct Note: Hashable, Sendable, Identifiable {
    public var id: String
    public var briefingID: String
    public var highlightID: String?
    public var text: String
    /// The note this one is a conflict copy of.
    public var conflictOf: String?
    /// Kept although it was deleted on another device (it was edited concurrently).
    public var flagged: Bool

    /// The note a record holds, or nil if the record is not a live note.
    public init?(_ record: UserRecord) {
        guard record.kind == .note, !record.deleted, let briefingID = record.briefingID,
            let text = record.fields["text"]?.string
        else { return nil }
        self.id = record.id
        self.briefingID = briefingID
        self.highlightID = record.fields["highlightID"]?.string
        self.text = text
        self.conflictOf = record.fields["conflictOf"]?.string
        self.flagged = record.flagged
    }
}

/// How far a reader got in a briefing.
public struct ReadingProgress: Hashable, Sendable {
    public var briefingID: String
    /// Where the reader is now, 0…1.
    public var position: Double
    /// The furthest the reader ever got, 0…1.
    public var furthest: Double

    /// The progress a record holds.
    public init?(_ record: UserRecord) {
        guard record.kind == .readingProgress, !record.deleted, let briefingID = record.briefingID else { return nil }
        self.briefingID = briefingID
        self.position = record.fields["position"]?.number ?? 0
        self.furthest = record.fields["furthest"]?.number ?? 0
    }
}

/// A tag on a briefing: an add-wins set element.
public struct Tag: Hashable, Sendable {
    public var briefingID: String
    public var name: String

    /// The tag a record holds, or nil if it is not (or no longer) present.
    public init?(_ record: UserRecord) {
        guard record.kind == .tag, let briefingID = record.briefingID, let name = record.fields["name"]?.string,
            Self.isPresent(record)
        else { return nil }
        self.briefingID = briefingID
        self.name = name
    }

    /// Present while some add has not been observed by a remove.
    public static func isPresent(_ record: UserRecord) -> Bool {
        !Set(record.fields["adds"]?.strings ?? []).subtracting(record.fields["removes"]?.strings ?? []).isEmpty
    }
}

/// Whether a briefing is bookmarked.
public struct Bookmark: Hashable, Sendable {
    public var briefingID: String

    /// The bookmark a record holds, or nil if it is not bookmarked.
    public init?(_ record: UserRecord) {
        guard record.kind == .bookmark, !record.deleted, let briefingID = record.briefingID,
            record.fields["bookmarked"]?.bool == true
        else { return nil }
        self.briefingID = briefingID
    }
}
