import ArgumentParser
import BriefingModel
import BriefingStore
import Foundation

extension HighlightCommand {
    struct Reattach: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attach a highlight (an orphaned one, say) to a passage of the briefing's current revision.")
        @Argument(help: "The highlight's ID (or a unique prefix).") var id: String
        @Option(help: "The exact text to attach it to (within one paragraph).") var quote: String
        @Option(help: "Which occurrence, when the quote appears more than once (1 = first).") var occurrence: Int?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = try global.openStore()
            // The passage is looked for in the body, fetched first when it is not downloaded.
            if let briefingID = try await store.resolveRecord(.highlight, id).briefingID,
                try await store.metadata(id: briefingID) != nil
            {
                _ = try await global.readableBriefing(briefingID, in: store)
            }
            let highlight = try await store.reattach(highlightID: id, quote: quote, occurrence: occurrence)
            if global.json { return try Console.json(HighlightJSON(highlight, resolution: try await resolution(of: highlight, in: store))) }
            Console.line("Reattached highlight \(highlight.id) to “\(highlight.anchor.exact)”; it syncs with your next `briefing sync`.")
        }

        func resolution(of highlight: Highlight, in store: BriefingStore) async throws -> AnchorResolution? {
            try await store.briefing(id: highlight.briefingID)?.resolve(highlight.anchor)
        }
    }
}

struct Orphans: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "List highlights with no place to show: their passage is gone from the current revision, or the briefing is no longer on this device (withdrawn, or a publication you no longer receive). Kept, never deleted.")
    @OptionGroup var global: GlobalOptions

    struct Item: Encodable {
        var id: String
        var briefingID: String
        var briefingTitle: String?
        var currentRevision: Int?
        var madeOnRevision: String
        var color: String
        var quote: String
        var prefix: String
        var suffix: String
        var notes: [NoteJSON]
    }

    func run() async throws {
        let (orphans, unchecked) = try await global.openStore().orphanCheck()
        let items = orphans.map {
            Item(
                id: $0.highlight.id, briefingID: $0.highlight.briefingID, briefingTitle: $0.briefingTitle,
                currentRevision: $0.currentRevision, madeOnRevision: $0.highlight.anchor.revisionID, color: $0.highlight.color,
                quote: $0.highlight.anchor.exact, prefix: $0.highlight.anchor.prefix, suffix: $0.highlight.anchor.suffix,
                notes: $0.notes.map(NoteJSON.init))
        }
        if global.json { return try Console.json(items) }
        let uncheckedLine =
            "\(unchecked) highlight(s) on briefings whose bodies are not downloaded are not checked here; `briefing read ID` fetches a body (a sync fetches those you highlighted, within the storage budget)."
        if items.isEmpty {
            Console.line("No orphaned highlights.")
            if unchecked > 0 { Console.line(uncheckedLine) }
            return
        }
        for item in items {
            let place =
                item.briefingTitle.map { title in "\(title)\(item.currentRevision.map { " (now revision \($0))" } ?? "")" }
                ?? "\(item.briefingID) (not on this device: withdrawn, or no longer in your publications; it shows again if it comes back)"
            Console.line("\(item.id)  \(place)")
            Console.line("    “\(item.quote)”")
            for note in item.notes { Console.line("    note: \(note.text)") }
        }
        if unchecked > 0 { Console.line(uncheckedLine) }
        Console.line("Reattach one with: briefing highlight reattach ID --quote \"text as it reads now\"")
    }
}

struct Timeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The dated events of a briefing's editorial layer, in date order.")
    @Argument(help: "The briefing's ID (or a unique prefix).") var id: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let store = try global.openStore()
        let briefing = try await global.readableBriefing(id, in: store)
        let items = try await store.placedEditorial(on: briefing).timeline
        if global.json { return try Console.json(items) }
        if items.isEmpty { return Console.line("No dated events in \(briefing.id).") }
        Console.line(briefing.title)
        for item in items { Console.line("\(item.date.padding(toLength: 10, withPad: " ", startingAt: 0))  \(item.sentence)") }
    }
}

struct Entities: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The people, organisations and countries a briefing mentions, with how often.")
    @Argument(help: "The briefing's ID (or a unique prefix).") var id: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let store = try global.openStore()
        let briefing = try await global.readableBriefing(id, in: store)
        let sorted = try await store.placedEditorial(on: briefing).entities
        if global.json { return try Console.json(sorted) }
        if sorted.isEmpty { return Console.line("No entities in \(briefing.id).") }
        var category = ""
        for item in sorted {
            if item.category != category {
                category = item.category
                Console.line("\(category):")
            }
            let forms = item.forms.filter { $0 != item.name }
            Console.line("  \(item.name) ×\(item.mentions)" + (forms.isEmpty ? "" : "  (as \(forms.joined(separator: ", ")))"))
        }
    }
}

struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search synced briefings and your own highlights and notes, offline.",
        discussion: "Every word must match; end a word with * to match its prefix. Titles weigh most, then headings, then your highlights and notes, then body text.")
    @Argument(help: "What to look for.") var query: [String]
    @Option(help: "At most this many results (1–1000).") var limit = 20
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1…1000, not \(limit)") }
    }

    func run() async throws {
        let store = try global.openStore()
        let hits = try await store.search(query.joined(separator: " "), limit: limit)
        if global.json { return try Console.json(hits) }
        if hits.isEmpty { Console.line("No matches for “\(query.joined(separator: " "))”.") }
        for hit in hits {
            let what = hit.kind == .briefing ? "" : "your \(hit.kind.rawValue) \(hit.id.prefix(8)) in "
            Console.line("\(what)\(hit.briefingTitle ?? hit.briefingID)  [\(hit.briefingID)]")
            Console.line("    \(hit.snippet)")
        }
        // Bodies on demand: say what the search could not look into.
        let usage = try await store.storageUsage()
        if usage.downloaded < usage.briefings {
            Console.line(
                "Searched the titles, headings, bylines and summaries of all \(usage.briefings) briefing(s), your highlights and notes, and the full text of the \(usage.downloaded) downloaded; the other bodies are not on this device (`briefing read ID` fetches one).")
        }
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a briefing with its editorial layer and your highlights and notes, offline.",
        discussion: "markdown: the text with your highlights marked ==like this== and notes as footnotes. json: W3C Web Annotations (TextQuoteSelector with prefix/suffix, TextPositionSelector, the revision).")
    @Argument(help: "The briefing's ID (or a unique prefix).") var id: String
    @Option(help: "markdown or json.") var format = "markdown"
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "path")) var output: String?
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard ["markdown", "json"].contains(format) else { throw ValidationError("--format must be markdown or json") }
    }

    func run() async throws {
        let store = try global.openStore()
        // The body is fetched first when it is not downloaded (or the reason it cannot be is said).
        let briefing = try await global.readableBriefing(id, in: store)
        let export = try await BriefingExport.load(briefing.id, from: store)
        let text: String
        if format == "json" || global.json {
            text = try Console.jsonText(export.webAnnotations())
        } else {
            text = export.markdown()
        }
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CLIError("cannot write \(output): \(error.localizedDescription)")
            }
            Console.current.err("wrote \(export.briefing.id) (\(format)) to \(output)\n")
        } else {
            Console.current.out(text)
        }
    }
}
