import BriefingModel
import Foundation
import GRDB

/// A highlight with where it sits in the briefing's current revision.
public struct PlacedHighlight: Hashable, Sendable, Identifiable {
    public var highlight: Highlight
    public var resolution: AnchorResolution
    public var id: String { highlight.id }
}

/// An editorial annotation with where it sits in the briefing's current revision.
public struct PlacedEditorial: Hashable, Sendable, Identifiable {
    public var annotation: EditorialAnnotation
    public var resolution: AnchorResolution
    public var id: String { annotation.id }
}

/// A highlight with its briefing and where it sits in the briefing's current revision; both
/// nil when this store does not have the briefing (yet).
public struct ResolvedHighlight: Hashable, Sendable, Identifiable {
    public var highlight: Highlight
    public var briefing: Briefing?
    public var resolution: AnchorResolution?
    /// The store has the briefing, but not its body: where the highlight sits is not known
    /// here until the body is downloaded (it is not an orphan for want of it).
    public var notDownloaded = false
    public var id: String { highlight.id }
}

/// A highlight that no longer has a place in its briefing, with what identifies it.
public struct Orphan: Hashable, Sendable, Identifiable {
    public var highlight: Highlight
    public var briefingTitle: String?
    /// The revision number the briefing is at now.
    public var currentRevision: Int?
    public var notes: [Note]
    public var id: String { highlight.id }
}

/// A dated event of a briefing's editorial layer.
public struct TimelineEvent: Hashable, Sendable, Encodable {
    /// The event's sortable date label ("2026-03", "2026-03-14").
    public var date: String
    public var sentence: String
    public var id: String
}

/// A person, organisation or country a briefing mentions.
public struct EntityMentions: Hashable, Sendable, Encodable {
    public var name: String
    public var category: String
    public var mentions: Int
    /// The forms the text uses ("ICES", "the International Council for the Exploration of the Sea").
    public var forms: [String]
}

extension [PlacedEditorial] {
    /// The events placed in the current revision, in date order; events of one date keep the
    /// order of this array (reading order, from ``BriefingStore/placedEditorial(on:)``).
    public var timeline: [TimelineEvent] {
        filter { $0.annotation.kind == .event && $0.resolution.current != nil }.enumerated()
            .sorted { ($0.element.annotation.label ?? "", $0.offset) < ($1.element.annotation.label ?? "", $1.offset) }
            .map { TimelineEvent(date: $0.element.annotation.label ?? "", sentence: $0.element.resolution.text, id: $0.element.id) }
    }

    /// The entities placed in the current revision, one per name: by category, then most
    /// mentioned, then first mentioned.
    public var entities: [EntityMentions] {
        var items: [String: EntityMentions] = [:]
        var order: [String] = []
        for placed in self where placed.annotation.kind == .entity && placed.resolution.current != nil {
            let name = placed.annotation.label ?? placed.resolution.text
            if items[name] == nil {
                order.append(name)
                items[name] = EntityMentions(name: name, category: placed.annotation.text ?? "entity", mentions: 0, forms: [])
            }
            items[name]!.mentions += 1
            if !items[name]!.forms.contains(placed.resolution.text) { items[name]!.forms.append(placed.resolution.text) }
        }
        return order.compactMap { items[$0] }.enumerated()
            .sorted { ($0.element.category, -$0.element.mentions, $0.offset) < ($1.element.category, -$1.element.mentions, $1.offset) }
            .map(\.element)
    }
}

extension BriefingStore {
    /// Every live highlight on a briefing, resolved against its current revision with the
    /// shared ``AnchorResolver`` (the same code the server uses), in reading order; orphans last.
    public func placedHighlights(on briefing: Briefing) async throws -> [PlacedHighlight] {
        let highlights = try await records(.highlight, briefingID: briefing.id).compactMap(Highlight.init)
        return Self.readingOrder(
            highlights.map { PlacedHighlight(highlight: $0, resolution: briefing.resolve($0.anchor)) }, in: briefing
        ) { $0.resolution }
    }

    /// A briefing's editorial layer resolved against its current revision, in reading order.
    public func placedEditorial(on briefing: Briefing) async throws -> [PlacedEditorial] {
        let layer = try await editorialAnnotations(briefingID: briefing.id)
        return Self.readingOrder(
            layer.map { PlacedEditorial(annotation: $0, resolution: briefing.resolve($0.anchor)) }, in: briefing
        ) { $0.resolution }
    }

    static func readingOrder<T>(_ items: [T], in briefing: Briefing, _ resolution: (T) -> AnchorResolution) -> [T] {
        let order = Dictionary(briefing.paragraphs.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        func key(_ item: T, _ offset: Int) -> (Int, Int, Int) {
            guard let current = resolution(item).current else { return (Int.max, 0, offset) }
            return (order[current.paragraphID] ?? Int.max, current.start, offset)
        }
        return items.enumerated().sorted { key($0.element, $0.offset) < key($1.element, $1.offset) }.map(\.element)
    }

    /// The reader's live highlights (on one briefing, or all), each resolved against its
    /// briefing's current revision, in one read that loads each briefing once.
    public func resolvedHighlights(briefingID: String? = nil) async throws -> [ResolvedHighlight] {
        try await read { db in
            let highlights = try Self.loadRecords(db, .highlight, briefingID: briefingID).compactMap(Highlight.init)
            var briefings: [String: Briefing] = [:]
            var withoutBody: Set<String> = []
            for id in Set(highlights.map(\.briefingID)) {
                if let briefing = try Self.loadBriefing(db, id: id) {
                    briefings[id] = briefing
                } else if try Self.loadMetadata(db, id: id) != nil {
                    withoutBody.insert(id)
                }
            }
            return highlights.map { highlight in
                let briefing = briefings[highlight.briefingID]
                return ResolvedHighlight(
                    highlight: highlight, briefing: briefing, resolution: briefing?.resolve(highlight.anchor),
                    notDownloaded: withoutBody.contains(highlight.briefingID))
            }
        }
    }

    /// The reader's highlights that no current revision has a place for.
    public func orphans() async throws -> [Orphan] { try await orphanCheck().orphans }

    /// The orphans, and how many highlights could not be checked because their briefing's
    /// body is not downloaded (they are not orphans for want of it), from one read of them.
    public func orphanCheck() async throws -> (orphans: [Orphan], unchecked: Int) {
        let notes = Dictionary(grouping: try await records(.note).compactMap(Note.init)) { $0.highlightID }
        let resolved = try await resolvedHighlights()
        // A highlight on a briefing this store does not have (yet) is not placed anywhere either.
        let orphans = resolved.filter { !$0.notDownloaded && ($0.resolution?.status ?? .orphaned) == .orphaned }.map { item in
            Orphan(
                highlight: item.highlight, briefingTitle: item.briefing?.title, currentRevision: item.briefing?.revision.number,
                notes: notes[item.highlight.id] ?? [])
        }
        return (orphans, resolved.filter(\.notDownloaded).count)
    }

    /// Re-attaches a highlight by hand to a passage of the briefing's current revision; syncs as an edit.
    @discardableResult
    public func reattach(highlightID: String, quote: String, occurrence: Int? = nil) async throws -> Highlight {
        let record = try await resolveRecord(.highlight, highlightID)
        guard let highlight = Highlight(record) else { throw StoreError(.notFound, "no highlight \(highlightID)") }
        guard try await metadata(id: highlight.briefingID) != nil else {
            throw StoreError(.notFound, "briefing \(highlight.briefingID) is not in this store; run `briefing sync`")
        }
        let briefing = try await requireBody(highlight.briefingID)
        let anchor: TextAnchor
        do {
            anchor = try briefing.anchor(quote: quote, occurrence: occurrence)
        } catch {
            throw StoreError(.invalid, error.message)
        }
        let updated = try await change(.highlight, id: record.id, fields: ["anchor": .anchor(anchor)])
        guard let result = Highlight(updated) else { throw StoreError(.notFound, "highlight \(highlightID) was deleted") }
        return result
    }
}
