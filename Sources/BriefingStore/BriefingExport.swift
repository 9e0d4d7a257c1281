import BriefingModel
import Foundation

/// A briefing with its editorial layer and the reader's highlights and notes, ready to export
/// as Markdown or as W3C Web Annotations. Built from the local store: works offline.
public struct BriefingExport: Sendable {
    public var briefing: Briefing
    public var editorial: [PlacedEditorial]
    public var highlights: [PlacedHighlight]
    public var notes: [Note]

    /// Gathers a briefing (by ID or unique prefix) and everything on it.
    public static func load(_ idOrPrefix: String, from store: BriefingStore) async throws -> BriefingExport {
        let briefing = try await store.resolveBriefing(idOrPrefix)
        return BriefingExport(
            briefing: briefing, editorial: try await store.placedEditorial(on: briefing),
            highlights: try await store.placedHighlights(on: briefing),
            notes: try await store.records(.note, briefingID: briefing.id).compactMap(Note.init))
    }

    // MARK: Markdown

    /// Markdown: the text with the reader's highlights as `==…==` and their notes as footnotes,
    /// then the editorial layer by kind, unattached notes, orphaned highlights and contributors.
    public func markdown() -> String {
        var out = "# \(briefing.title)\n\n"
        var meta: [String] = []
        if let byline = briefing.byline { meta.append(byline) }
        if let publication = briefing.publication { meta.append(publication) }
        meta.append("revision \(briefing.revision.number)")
        if let date = briefing.revision.publishedAt { meta.append(String(Timestamp.text(date).prefix(10))) }
        out += "*" + meta.joined(separator: " · ") + "*\n"
        if let url = briefing.sourceURL { out += "\nSource: <\(url)>\n" }
        if let summary = briefing.summary { out += "\n> \(summary)\n" }
        let notesByHighlight = Dictionary(grouping: notes.filter { $0.highlightID != nil }, by: { $0.highlightID! })
        var footnotes: [String] = []
        for section in briefing.sections {
            if let heading = section.heading { out += "\n## \(heading)\n" }
            for paragraph in section.paragraphs {
                var marks: [(offset: Int, order: Int, text: String)] = []
                for placed in highlights where placed.resolution.current?.paragraphID == paragraph.id {
                    let anchor = placed.resolution.current!
                    let number = footnotes.count + 1
                    marks.append((anchor.start, 1, "=="))
                    marks.append((anchor.end, 0, "==[^\(number)]"))
                    var footnote = "[^\(number)]: Highlight (\(placed.highlight.color))"
                    if placed.resolution.status == .relocated { footnote += ", relocated after an edit: you highlighted “\(placed.resolution.original.exact)”" }
                    footnote += "."
                    for note in notesByHighlight[placed.id] ?? [] { footnote += " Note: \(note.text)" }
                    footnotes.append(footnote)
                }
                out += "\n" + MarkedText.insert(marks, into: paragraph.text, escaping: MarkedText.markdownSpecials) + "\n"
            }
        }
        if !footnotes.isEmpty { out += "\n" + footnotes.joined(separator: "\n") + "\n" }

        let placed = editorial.filter { $0.resolution.current != nil }
        if !placed.isEmpty {
            out += "\n## Editorial layer\n"
            let events = editorial.timeline
            if !events.isEmpty {
                out += "\n### Timeline\n\n"
                for event in events { out += "- **\(event.date)** — \(event.sentence)\n" }
            }
            let entities = editorial.entities
            if !entities.isEmpty {
                out += "\n### Entities\n\n"
                for entity in entities { out += "- \(entity.name) (\(entity.category)) ×\(entity.mentions)\n" }
            }
            for (kind, title) in [(EditorialKind.recommendation, "Recommendations"), (.quotation, "Quotations"), (.note, "Editors' notes")] {
                let items = placed.filter { $0.annotation.kind == kind }
                guard !items.isEmpty else { continue }
                out += "\n### \(title)\n\n"
                for item in items {
                    switch kind {
                    case .quotation: out += "- “\(item.resolution.text)”" + (item.annotation.label.map { " — \($0)" } ?? "") + "\n"
                    case .note: out += "- On “\(item.resolution.text)”: \(item.annotation.text ?? "")\n"
                    default: out += "- \(item.resolution.text)\n"
                    }
                }
            }
        }
        // Notes on a placed highlight are its footnote; on an orphaned one, listed with it.
        let highlightIDs = Set(highlights.map(\.id))
        let unattached = notes.filter { $0.highlightID.map { !highlightIDs.contains($0) } ?? true }
        if !unattached.isEmpty {
            out += "\n## Your notes\n\n"
            for note in unattached { out += "- \(note.text)\n" }
        }
        let orphaned = highlights.filter { $0.resolution.status == .orphaned }
        if !orphaned.isEmpty {
            out += "\n## Orphaned highlights\n\nThese passages are not in revision \(briefing.revision.number); they are kept as you made them.\n\n"
            for item in orphaned {
                out += "- “\(item.resolution.original.exact)” (\(item.highlight.color))"
                for note in notesByHighlight[item.id] ?? [] { out += " — note: \(note.text)" }
                out += "\n"
            }
        }
        if !briefing.contributors.isEmpty {
            out += "\n## Contributors\n\n"
            for contributor in briefing.contributors { out += "- **\(contributor.name)**" + (contributor.bio.isEmpty ? "" : ": \(contributor.bio)") + "\n" }
        }
        if let credit = briefing.imageCredit { out += "\n*Image: \(credit)*\n" }
        return out
    }
}

/// Text with marks (highlight brackets, footnote numbers) inserted at Unicode-scalar offsets.
public enum MarkedText {
    /// A mark: its text goes in at `offset`; at the same offset, lower `order` goes first (so a
    /// closing mark precedes an opening one).
    public typealias Mark = (offset: Int, order: Int, text: String)

    /// Markdown's significant characters, for `escaping`.
    public static let markdownSpecials: Set<Unicode.Scalar> = Set("\\`*_[]<>#|=".unicodeScalars)

    /// `text` with `marks` inserted, each scalar in `escaping` preceded by a backslash.
    public static func insert(_ marks: [Mark], into text: String, escaping: Set<Unicode.Scalar> = []) -> String {
        let scalars = Array(text.unicodeScalars)
        let sorted = marks.enumerated().sorted { a, b in
            (a.element.offset, a.element.order, a.offset) < (b.element.offset, b.element.order, b.offset)
        }.map(\.element)
        var result = ""
        var position = 0
        func copy(upTo end: Int) {
            for scalar in scalars[position..<end] {
                if escaping.contains(scalar) { result.unicodeScalars.append("\\") }
                result.unicodeScalars.append(scalar)
            }
            position = end
        }
        for mark in sorted {
            let offset = min(max(mark.offset, 0), scalars.count)
            if offset > position { copy(upTo: offset) }
            result += mark.text
        }
        copy(upTo: scalars.count)
        return result
    }
}
