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

/// A highlight that no longer has a place in its briefing, with what identifies it.
public struct Orphan: Hashable, Sendable, Identifiable {
    public var highlight: Highlight
    public var briefingTitle: String?
    /// The revision number the briefing is at now.
    public var currentRevision: Int?
    public var notes: [Note]
    public var id: String { highlight.id }
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

    /// The reader's highlights that no current revision has a place for, newest briefing first.
    public func orphans() async throws -> [Orphan] {
        let highlights = try await records(.highlight).compactMap(Highlight.init)
        let notes = try await records(.note).compactMap(Note.init)
        var briefings: [String: Briefing?] = [:]
        var result: [Orphan] = []
        for highlight in highlights {
            if briefings[highlight.briefingID] == nil { briefings[highlight.briefingID] = try await briefing(id: highlight.briefingID) }
            let briefing = briefings[highlight.briefingID] ?? nil
            // A highlight on a briefing this store does not have (yet) is not placed anywhere either.
            guard briefing?.resolve(highlight.anchor).status ?? .orphaned == .orphaned else { continue }
            result.append(
                Orphan(
                    highlight: highlight, briefingTitle: briefing?.title, currentRevision: briefing?.revision.number,
                    notes: notes.filter { $0.highlightID == highlight.id }))
        }
        return result
    }

    /// Re-attaches a highlight by hand to a passage of the briefing's current revision; syncs as an edit.
    @discardableResult
    public func reattach(highlightID: String, quote: String, occurrence: Int? = nil) async throws -> Highlight {
        let record = try await resolveRecord(.highlight, highlightID)
        guard let highlight = Highlight(record) else { throw StoreError(.notFound, "no highlight \(highlightID)") }
        guard let briefing = try await briefing(id: highlight.briefingID) else {
            throw StoreError(.notFound, "briefing \(highlight.briefingID) is not in this store; run `briefing sync`")
        }
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
