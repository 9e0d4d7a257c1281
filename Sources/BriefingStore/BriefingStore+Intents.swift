import BriefingModel
import Foundation

/// What a reader does, as typed calls: each checks its input, then makes one local
/// transaction that updates the record and queues its mutation (see `change`). The CLI, the
/// lab and the benchmarks make their edits through these, so the protocols behind them (the
/// add-wins tag set, the fields a new record needs) are written once, here.
///
/// Records are named by their exact IDs; resolving a prefix the reader typed is the caller's
/// (`resolveRecord`, `resolveBriefing`). Every intent throws `StoreError` for bad input
/// (`invalid`, `notFound`) and leaves the store as it was.
extension BriefingStore {
    // MARK: Highlights

    /// Highlights the `occurrence`-th (1-based) appearance of `quote` in a briefing.
    ///
    /// - Throws: `AnchorError` when the quote is not in the briefing, is empty, or is
    ///   ambiguous without an occurrence.
    @discardableResult
    public func highlight(
        briefing briefingID: String, quote: String, occurrence: Int? = nil, color: String = Highlight.defaultColor, id: String? = nil
    ) async throws -> Highlight {
        let briefing = try await requireBody(briefingID)
        return try await highlight(briefing: briefingID, anchor: try briefing.anchor(quote: quote, occurrence: occurrence), color: color, id: id)
    }

    /// Highlights the passage `anchor` names (already resolved against the briefing).
    @discardableResult
    public func highlight(briefing briefingID: String, anchor: TextAnchor, color: String = Highlight.defaultColor, id: String? = nil)
        async throws -> Highlight
    {
        try Self.checkColor(color)
        _ = try await requireBriefing(briefingID)
        let record = try await change(
            .highlight, id: id, fields: ["briefingID": .string(briefingID), "anchor": .anchor(anchor), "color": .string(color)])
        return Highlight(record)!
    }

    /// Gives a highlight another colour.
    @discardableResult
    public func recolor(highlight id: String, to color: String) async throws -> Highlight {
        try Self.checkColor(color)
        _ = try await requireLive(.highlight, id)
        return Highlight(try await change(.highlight, id: id, fields: ["color": .string(color)]))!
    }

    /// Removes a highlight (its notes stay, on the briefing).
    public func removeHighlight(_ id: String) async throws {
        _ = try await requireLive(.highlight, id)
        try await change(.highlight, id: id, op: .delete)
    }

    // MARK: Notes

    /// Writes a note on a briefing, or on one of the reader's highlights on it.
    @discardableResult
    public func note(briefing briefingID: String, text: String, highlight highlightID: String? = nil, id: String? = nil) async throws
        -> Note
    {
        _ = try await requireBriefing(briefingID)
        var fields: [String: FieldValue] = ["briefingID": .string(briefingID), "text": .string(text)]
        if let highlightID { fields["highlightID"] = .string(try await requireHighlight(highlightID, on: briefingID)) }
        return Note(try await change(.note, id: id, fields: fields))!
    }

    /// Replaces a note's text.
    @discardableResult
    public func editNote(_ id: String, text: String) async throws -> Note {
        _ = try await requireLive(.note, id)
        return Note(try await change(.note, id: id, fields: ["text": .string(text)]))!
    }

    /// Moves a note to another of the reader's highlights on its briefing, or (nil) off its
    /// highlight, onto the briefing.
    @discardableResult
    public func moveNote(_ id: String, toHighlight highlightID: String?) async throws -> Note {
        let current = try await requireLive(.note, id)
        guard let highlightID else {
            guard current.fields["highlightID"]?.string != nil else {
                throw StoreError(.invalid, "note \(id) is not attached to a highlight")
            }
            return Note(try await change(.note, id: id, fields: ["highlightID": .null]))!
        }
        guard let briefingID = current.briefingID else { throw StoreError(.invalid, "note \(id) is on no briefing") }
        let target = try await requireHighlight(highlightID, on: briefingID)
        return Note(try await change(.note, id: id, fields: ["highlightID": .string(target)]))!
    }

    /// Removes a note.
    public func removeNote(_ id: String) async throws {
        _ = try await requireLive(.note, id)
        try await change(.note, id: id, op: .delete)
    }

    // MARK: Bookmarks, progress, tags

    /// Bookmarks a briefing, or (false) removes its bookmark.
    public func bookmark(briefing briefingID: String, _ on: Bool = true) async throws {
        _ = try await requireBriefing(briefingID)
        try await change(
            .bookmark, id: EntitySchema.singletonID(briefingID: briefingID),
            fields: ["briefingID": .string(briefingID), "bookmarked": .bool(on)])
    }

    /// Records where the reader is in a briefing, as a fraction 0–1 of it. The furthest point
    /// read only grows, on every device.
    @discardableResult
    public func setProgress(briefing briefingID: String, fraction: Double) async throws -> ReadingProgress {
        guard fraction.isFinite, (0...1).contains(fraction) else {
            throw StoreError(.invalid, "reading progress is a fraction from 0 to 1, not \(fraction)")
        }
        _ = try await requireBriefing(briefingID)
        let record = try await change(
            .readingProgress, id: EntitySchema.singletonID(briefingID: briefingID),
            fields: ["briefingID": .string(briefingID), "position": .number(fraction), "furthest": .number(fraction)])
        return ReadingProgress(record)!
    }

    /// A tag as stored: trimmed and lower-cased, 1–64 characters.
    public static func tagName(_ name: String) throws -> String {
        let normalized = name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !normalized.isEmpty, normalized.count <= 64 else { throw StoreError(.invalid, "a tag is 1–64 characters") }
        return normalized
    }

    /// Tags a briefing; returns the tag's record ID.
    ///
    /// A tag is an add-wins set: each add is a new unique element (`dot`, a fresh ID unless
    /// given), and a remove lists the adds it saw, so an add made concurrently with a remove
    /// survives it.
    @discardableResult
    public func tag(briefing briefingID: String, _ name: String, dot: String? = nil) async throws -> String {
        let name = try Self.tagName(name)
        _ = try await requireBriefing(briefingID)
        let id = EntitySchema.tagID(briefingID: briefingID, name: name)
        try await change(
            .tag, id: id, fields: ["briefingID": .string(briefingID), "name": .string(name), "adds": .strings([dot ?? newID()])])
        return id
    }

    /// Removes a tag from a briefing: every add this device has seen.
    public func untag(briefing briefingID: String, _ name: String) async throws {
        let name = try Self.tagName(name)
        let id = EntitySchema.tagID(briefingID: briefingID, name: name)
        guard let record = try await record(.tag, id: id), Tag.isPresent(record) else {
            throw StoreError(.notFound, "\(briefingID) has no tag “\(name)”")
        }
        try await change(
            .tag, id: id,
            fields: ["briefingID": .string(briefingID), "name": .string(name), "removes": .strings(record.fields["adds"]?.strings ?? [])])
    }

    // MARK: Checks

    static func checkColor(_ color: String) throws {
        guard Highlight.colors.contains(color) else {
            throw StoreError(.invalid, "unknown colour \(color); use one of \(Highlight.colors.joined(separator: ", "))")
        }
    }

    /// The briefing's metadata: what an intent on it needs (the body need not be downloaded).
    @discardableResult
    func requireBriefing(_ id: String) async throws -> BriefingMetadata {
        guard let metadata = try await metadata(id: id) else {
            throw StoreError(.notFound, "no briefing \(id) in this store; run `briefing sync` first")
        }
        return metadata
    }

    /// The briefing with its body, which a quote is looked for in.
    func requireBody(_ id: String) async throws -> Briefing {
        let metadata = try await requireBriefing(id)
        guard let briefing = try await briefing(id: id) else {
            throw StoreError(.notDownloaded, "the body of \(id) (“\(metadata.title)”) is not downloaded; open it with `briefing read \(id)` first")
        }
        return briefing
    }

    func requireLive(_ kind: EntityKind, _ id: String) async throws -> UserRecord {
        guard let record = try await record(kind, id: id), !record.deleted else {
            throw StoreError(.notFound, "no \(kind.rawValue) \(id)")
        }
        return record
    }

    func requireHighlight(_ id: String, on briefingID: String) async throws -> String {
        let record = try await requireLive(.highlight, id)
        guard record.briefingID == briefingID else {
            throw StoreError(.invalid, "highlight \(id) is on another briefing than the note")
        }
        return id
    }
}
