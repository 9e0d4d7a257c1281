import ArgumentParser
import BriefingModel
import BriefingStore
import Foundation

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the briefings in this store.")
    @OptionGroup var global: GlobalOptions

    struct Item: Encodable {
        var id: String
        var title: String
        var publication: String?
        var revision: Int
        var bookmarked: Bool
        /// How far it has been read, in percent.
        var percent: Double?
        var tags: [String]
        var highlights: Int
        var notes: Int
        /// Whether the body is on this device (readable offline).
        var downloaded: Bool
    }

    func run() async throws {
        let store = try global.openStore()
        let bookmarks = Set(try await store.records(.bookmark).compactMap(Bookmark.init).map(\.briefingID))
        let progress = Dictionary(
            try await store.records(.readingProgress).compactMap(ReadingProgress.init).map { ($0.briefingID, $0) },
            uniquingKeysWith: { a, _ in a })
        let tags = Dictionary(grouping: try await store.records(.tag).compactMap(Tag.init), by: \.briefingID)
        let highlights = Dictionary(grouping: try await store.records(.highlight).compactMap(Highlight.init), by: \.briefingID)
        let notes = Dictionary(grouping: try await store.records(.note).compactMap(Note.init), by: \.briefingID)
        let items = try await store.briefings().map { summary in
            Item(
                id: summary.id, title: summary.title, publication: summary.publication, revision: summary.revisionNumber,
                bookmarked: bookmarks.contains(summary.id), percent: progress[summary.id].map { Percent.value($0.position) },
                tags: (tags[summary.id] ?? []).map(\.name).sorted(), highlights: highlights[summary.id]?.count ?? 0,
                notes: notes[summary.id]?.count ?? 0, downloaded: summary.downloaded)
        }
        if global.json { return try Console.json(items) }
        if items.isEmpty {
            let state = try await store.syncState()
            if !state.isLoggedIn {
                Console.line("No briefings yet. Log in and run `briefing sync`.")
            } else if state.lastSyncAt == nil {
                Console.line("No briefings yet. Run `briefing sync`.")
            } else {
                Console.line("No briefings on this device: none in the publications it receives (see `briefing subscriptions`).")
            }
            return
        }
        for item in items {
            var marks: [String] = []
            if item.bookmarked { marks.append("bookmarked") }
            if let percent = item.percent { marks.append("\(Percent.text(percent: percent)) read") }
            if item.highlights > 0 { marks.append("\(item.highlights) highlight(s)") }
            if item.notes > 0 { marks.append("\(item.notes) note(s)") }
            if !item.tags.isEmpty { marks.append("tags: " + item.tags.joined(separator: ", ")) }
            if !item.downloaded { marks.append("not downloaded") }
            Console.line("\(item.id)  \(item.title)")
            Console.line("    \(item.publication ?? "")\(marks.isEmpty ? "" : " · " + marks.joined(separator: " · "))")
        }
    }
}

struct Read: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a briefing with your highlights and notes and the editorial layer marked.")
    @Argument(help: "The briefing's ID (or a unique prefix).") var id: String
    @Option(help: "Which layers to mark: editorial, mine, or both (comma-separated).") var layers = "editorial,mine"
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        let known: Set = ["editorial", "mine"]
        for layer in layers.split(separator: ",") where !known.contains(String(layer)) {
            throw ValidationError("unknown layer \(layer); use editorial, mine or both")
        }
    }

    func run() async throws {
        let store = try global.openStore()
        let briefing = try await global.readableBriefing(id, in: store)
        try await store.markRead(briefingID: briefing.id)
        let wanted = Set(layers.split(separator: ",").map(String.init))
        let editorial = wanted.contains("editorial") ? try await store.placedEditorial(on: briefing) : []
        let highlights = wanted.contains("mine") ? try await store.placedHighlights(on: briefing) : []
        let notes = wanted.contains("mine") ? try await store.records(.note, briefingID: briefing.id).compactMap(Note.init) : []
        if global.json {
            try Console.json(ReadJSON(briefing: briefing, editorial: editorial, highlights: highlights, notes: notes))
            return
        }
        Console.current.out(BriefingRenderer.render(briefing, editorial: editorial, highlights: highlights, notes: notes))
    }
}

/// The JSON form of `briefing read`.
struct ReadJSON: Encodable {
    var briefing: Briefing
    var editorial: [EditorialJSON]
    var highlights: [HighlightJSON]
    var notes: [NoteJSON]

    init(briefing: Briefing, editorial: [PlacedEditorial], highlights: [PlacedHighlight], notes: [Note]) {
        self.briefing = briefing
        self.editorial = editorial.map(EditorialJSON.init)
        self.highlights = highlights.map(HighlightJSON.init)
        self.notes = notes.map(NoteJSON.init)
    }
}

/// An anchor as made and as resolved in the current revision.
struct PlacementJSON: Encodable {
    /// anchored, relocated or orphaned.
    var status: AnchorStatus
    /// The revision the anchor was made on.
    var madeOnRevision: String
    /// Where it sits in the current revision; absent when orphaned.
    var current: TextAnchor?
    /// The text it covers now (the original quote when orphaned).
    var text: String

    init(_ resolution: AnchorResolution) {
        status = resolution.status
        madeOnRevision = resolution.original.revisionID
        current = resolution.current
        text = resolution.text
    }
}

struct EditorialJSON: Encodable {
    var id: String
    var kind: EditorialKind
    var label: String?
    var text: String?
    var origin: EditorialOrigin
    var quote: String
    var anchor: TextAnchor
    var placement: PlacementJSON

    init(_ placed: PlacedEditorial) {
        id = placed.annotation.id
        kind = placed.annotation.kind
        label = placed.annotation.label
        text = placed.annotation.text
        origin = placed.annotation.origin ?? .automatic
        quote = placed.resolution.text
        anchor = placed.annotation.anchor
        placement = PlacementJSON(placed.resolution)
    }
}

struct HighlightJSON: Encodable {
    var id: String
    var briefingID: String
    var color: String
    /// The text the highlight covers now.
    var quote: String
    /// The anchor as made.
    var anchor: TextAnchor
    var placement: PlacementJSON?

    init(_ highlight: Highlight, resolution: AnchorResolution? = nil) {
        id = highlight.id
        briefingID = highlight.briefingID
        color = highlight.color
        quote = resolution?.text ?? highlight.anchor.exact
        anchor = highlight.anchor
        placement = resolution.map(PlacementJSON.init)
    }

    init(_ placed: PlacedHighlight) { self.init(placed.highlight, resolution: placed.resolution) }
}

struct NoteJSON: Encodable {
    var id: String
    var briefingID: String
    var highlightID: String?
    var text: String
    var conflictOf: String?
    var flagged: Bool

    init(_ note: Note) {
        id = note.id
        briefingID = note.briefingID
        highlightID = note.highlightID
        text = note.text
        conflictOf = note.conflictOf
        flagged = note.flagged
    }
}

/// Renders a briefing as text with its layers marked.
///
/// Highlights are `[[…]]` followed by a footnote number, editorial annotations `{…}` followed
/// by `E` and a number; the footnotes follow each paragraph.
enum BriefingRenderer {
    static func render(_ briefing: Briefing, editorial: [PlacedEditorial], highlights: [PlacedHighlight], notes: [Note]) -> String {
        var out = ""
        out += briefing.title + "\n"
        var meta: [String] = []
        if let byline = briefing.byline { meta.append(byline) }
        if let publication = briefing.publication { meta.append(publication) }
        meta.append("revision \(briefing.revision.number)")
        out += meta.joined(separator: " · ") + "\n"
        if let summary = briefing.summary { out += "\n" + summary + "\n" }
        let notesByHighlight = Dictionary(grouping: notes.filter { $0.highlightID != nil }, by: { $0.highlightID! })
        var highlightNumbers: [String: Int] = [:]
        var editorialNumber = 0
        func noteLines(_ highlightID: String) -> String {
            (notesByHighlight[highlightID] ?? []).map {
                "\n       note \($0.id.prefix(8)): \($0.text)\($0.flagged ? "  [kept after a delete on another device]" : "")"
            }.joined()
        }
        for section in briefing.sections {
            if let heading = section.heading { out += "\n## " + heading + "\n" }
            for paragraph in section.paragraphs {
                var marks: [(offset: Int, order: Int, text: String)] = []
                var footnotes: [String] = []
                for placed in highlights where placed.resolution.current?.paragraphID == paragraph.id {
                    let anchor = placed.resolution.current!
                    let number = highlightNumbers.count + 1
                    highlightNumbers[placed.id] = number
                    marks.append((anchor.start, 1, "[["))
                    marks.append((anchor.end, 0, "]][\(number)]"))
                    var footnote = "  [\(number)] highlight \(placed.id.prefix(8)) (\(placed.highlight.color))"
                    if placed.resolution.status == .relocated {
                        footnote += " — relocated: the passage was edited; you highlighted “\(placed.resolution.original.exact)”"
                    }
                    footnotes.append(footnote + noteLines(placed.id))
                }
                for placed in editorial where placed.resolution.current?.paragraphID == paragraph.id {
                    let anchor = placed.resolution.current!
                    editorialNumber += 1
                    marks.append((anchor.start, 1, "{"))
                    marks.append((anchor.end, 0, "}E\(editorialNumber)"))
                    var footnote = "  E\(editorialNumber) \(placed.annotation.kind.rawValue)"
                    if let label = placed.annotation.label { footnote += ": \(label)" }
                    if let text = placed.annotation.text { footnote += " — \(text)" }
                    if placed.annotation.origin == .editor { footnote += " (editor)" }
                    footnotes.append(footnote)
                }
                out += "\n" + MarkedText.insert(marks, into: paragraph.text) + "\n"
                if !footnotes.isEmpty { out += footnotes.joined(separator: "\n") + "\n" }
            }
        }
        let orphaned = highlights.filter { $0.resolution.status == .orphaned }
        let orphanedEditorial = editorial.filter { $0.resolution.status == .orphaned }
        if !orphaned.isEmpty || !orphanedEditorial.isEmpty {
            out += "\n## Orphaned — no longer in this revision\n"
            for placed in orphaned {
                highlightNumbers[placed.id] = highlightNumbers.count + 1
                out += "- highlight \(placed.id.prefix(8)) (\(placed.highlight.color)): “\(placed.resolution.original.exact)”"
                out += "  [made on \(placed.resolution.original.revisionID); reattach with `briefing highlight reattach \(placed.id.prefix(8)) --quote …`]"
                out += noteLines(placed.id) + "\n"
            }
            for placed in orphanedEditorial {
                out += "- editor's \(placed.annotation.kind.rawValue) on “\(placed.resolution.original.exact)”"
                out += (placed.annotation.text.map { ": \($0)" } ?? "") + "\n"
            }
        }
        let loose = notes.filter { $0.highlightID == nil || highlightNumbers[$0.highlightID!] == nil }
        if !loose.isEmpty {
            out += "\n## Your notes\n"
            for note in loose {
                var line = "- \(note.id.prefix(8)): \(note.text)"
                if let original = note.conflictOf { line += "  [conflict copy of \(original.prefix(8))]" }
                if note.flagged { line += "  [kept after a delete on another device]" }
                out += line + "\n"
            }
        }
        if !briefing.contributors.isEmpty {
            out += "\n## Contributors\n"
            for contributor in briefing.contributors { out += "- \(contributor.bio)\n" }
        }
        if let credit = briefing.imageCredit { out += "\nImage: \(credit)\n" }
        return out
    }
}
