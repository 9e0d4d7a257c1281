import BriefingModel
import Foundation
import GRDB

/// Observable queries: a screen subscribes to the data it shows and gets a new value each time
/// that data changes, whether by a local write or a pulled page.
///
/// Built on GRDB's `ValueObservation`: the first value comes at once, later ones after each
/// commit that touched the tables the query read, with repeats of the same value left out.
/// Writes made through this store object are seen (an app's, and its sync engine's); another
/// process writing the same file is not, which is what `SyncEngine`'s outbox polling is for.
/// Each call gives a sequence for one loop: for another loop, call again.
///
/// ```swift
/// for try await highlights in store.observeHighlights(briefingID: id) {
///     screen.show(highlights)
/// }
/// ```
extension BriefingStore {
    /// Every value of `fetch` as the store changes; the sequence ends when the task iterating
    /// it is cancelled.
    public func observe<Value: Sendable & Equatable>(
        _ fetch: @escaping @Sendable (Database) throws -> Value
    ) -> AsyncValueObservation<Value> {
        ValueObservation.tracking(fetch).removeDuplicates().values(in: database)
    }

    /// The live records of `kind`, optionally on one briefing, in ID order.
    public func observeRecords(_ kind: EntityKind, briefingID: String? = nil) -> AsyncValueObservation<[UserRecord]> {
        observe { db in try Self.loadRecords(db, kind, briefingID: briefingID) }
    }

    /// The reader's highlights, optionally on one briefing.
    public func observeHighlights(briefingID: String? = nil) -> AsyncValueObservation<[Highlight]> {
        observe { db in try Self.loadRecords(db, .highlight, briefingID: briefingID).compactMap(Highlight.init) }
    }

    /// The reader's notes, optionally on one briefing.
    public func observeNotes(briefingID: String? = nil) -> AsyncValueObservation<[Note]> {
        observe { db in try Self.loadRecords(db, .note, briefingID: briefingID).compactMap(Note.init) }
    }

    /// The tags present on a briefing, by name.
    public func observeTags(briefingID: String) -> AsyncValueObservation<[String]> {
        observe { db in
            try Self.loadRecords(db, .tag, briefingID: briefingID).compactMap(Tag.init).map(\.name).sorted()
        }
    }

    /// Whether a briefing is bookmarked.
    public func observeBookmark(briefingID: String) -> AsyncValueObservation<Bool> {
        observe { db in
            try Self.loadRecord(db, .bookmark, EntitySchema.singletonID(briefingID: briefingID)).flatMap(Bookmark.init) != nil
        }
    }

    /// Whether the body of a briefing's current revision is on this device: a reading screen
    /// can wait on it while the body downloads.
    public func observeDownloaded(briefingID: String) -> AsyncValueObservation<Bool> {
        observe { db in try Self.isDownloaded(db, briefingID: briefingID) }
    }

    /// How many local changes wait for the server.
    public func observePendingCount() -> AsyncValueObservation<Int> {
        observe { db in try Self.pendingCount(db) }
    }

    /// The synced briefings, as a list shows them.
    public func observeBriefings() -> AsyncValueObservation<[BriefingSummary]> {
        observe { db in try Self.loadBriefings(db) }
    }
}
