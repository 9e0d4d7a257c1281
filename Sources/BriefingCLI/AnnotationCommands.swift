import ArgumentParser
import BriefingModel
import BriefingStore
import Foundation

struct HighlightCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "highlight", abstract: "Make, list, recolor and remove highlights.",
        subcommands: [Add.self, ListHighlights.self, Recolor.self, Remove.self, Reattach.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Highlight a passage, given by its exact text.")
        @Argument(help: "The briefing's ID (or a unique prefix).") var briefing: String
        @Option(help: "The exact text to highlight (within one paragraph).") var quote: String
        @Option(help: "Which occurrence, when the quote appears more than once (1 = first).") var occurrence: Int?
        @Option(help: "yellow, green, blue, pink, purple or orange.") var color = Highlight.defaultColor
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard Highlight.colors.contains(color) else {
                throw ValidationError("unknown colour \(color); use one of \(Highlight.colors.joined(separator: ", "))")
            }
        }

        func run() async throws {
            let store = try global.openStore()
            let target = try await global.readableBriefing(briefing, in: store)
            let highlight = try await store.highlight(briefing: target.id, quote: quote, occurrence: occurrence, color: color)
            if global.json { return try Console.json(HighlightJSON(highlight)) }
            Console.line("Highlighted “\(highlight.anchor.exact)” (\(color)) — id \(highlight.id)")
        }
    }

    struct ListHighlights: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List your highlights.")
        @Argument(help: "Only this briefing's.") var briefing: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = try global.openStore()
            let briefingID = try await briefing.asyncMap { try await store.resolveMetadata($0).id }
            let resolved = try await store.resolvedHighlights(briefingID: briefingID)
            let items = resolved.map { HighlightJSON($0.highlight, resolution: $0.resolution) }
            let withoutBody = Set(resolved.filter(\.notDownloaded).map(\.id))
            if global.json { return try Console.json(items) }
            if items.isEmpty { Console.line("No highlights.") }
            for item in items {
                let missing = withoutBody.contains(item.id) ? " [body not downloaded]" : " [briefing not on this device]"
                let status = item.placement.map { $0.status == .anchored ? "" : " [\($0.status.rawValue)]" } ?? missing
                Console.line("\(item.id)  \(item.briefingID)  \(item.color)\(status)  “\(item.quote)”")
            }
        }
    }

    struct Recolor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a highlight's colour.")
        @Argument(help: "The highlight's ID (or a unique prefix).") var id: String
        @Argument(help: "The new colour.") var color: String
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard Highlight.colors.contains(color) else {
                throw ValidationError("unknown colour \(color); use one of \(Highlight.colors.joined(separator: ", "))")
            }
        }

        func run() async throws {
            let store = try global.openStore()
            let current = try await store.resolveRecord(.highlight, id)
            let highlight = try await store.recolor(highlight: current.id, to: color)
            if global.json { return try Console.json(HighlightJSON(highlight)) }
            Console.line("Highlight \(highlight.id) is now \(color).")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a highlight.")
        @Argument(help: "The highlight's ID (or a unique prefix).") var id: String
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = try global.openStore()
            let current = try await store.resolveRecord(.highlight, id)
            try await store.removeHighlight(current.id)
            if global.json { return try Console.json(["id": current.id, "removed": "true"]) }
            Console.line("Removed highlight \(current.id).")
        }
    }
}

struct NoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note", abstract: "Write, list, edit and remove notes.",
        subcommands: [Add.self, ListNotes.self, Edit.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a note to a briefing or to one of your highlights.")
        @Argument(help: "The briefing's ID (or a unique prefix).") var briefing: String
        @Option(help: "Attach the note to this highlight.") var highlight: String?
        @Option(help: "The note's text.") var text: String
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = try global.openStore()
            let target = try await store.resolveMetadata(briefing)
            let highlightID = try await highlight.asyncMap { try await store.resolveRecord(.highlight, $0).id }
            let note = try await store.note(briefing: target.id, text: text, highlight: highlightID)
            if global.json { return try Console.json(NoteJSON(note)) }
            Console.line("Added note \(note.id).")
        }
    }

    struct ListNotes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List your notes.")
        @Argument(help: "Only this briefing's.") var briefing: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = try global.openStore()
            let briefingID = try await briefing.asyncMap { try await store.resolveMetadata($0).id }
            let notes = try await store.records(.note, briefingID: briefingID).compactMap(Note.init)
            if global.json { return try Console.json(notes.map(NoteJSON.init)) }
            if notes.isEmpty { Console.line("No notes.") }
            for note in notes {
                var flags: [String] = []
                if let original = note.conflictOf { flags.append("conflict copy of \(original)") }
                if note.flagged { flags.append("kept after a delete on another device") }
                Console.line("\(note.id)  \(note.briefingID)\(flags.isEmpty ? "" : "  [" + flags.joined(separator: "; ") + "]")")
                Console.line("    \(note.text)")
            }
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a note's text, or move it to another highlight or off its highlight.")
        @Argument(help: "The note's ID (or a unique prefix).") var id: String
        @Option(help: "The new text.") var text: String?
        @Option(help: "Attach the note to this highlight, on the note's briefing.") var highlight: String?
        @Flag(help: "Detach the note from its highlight; it stays on the briefing.") var detach = false
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard text != nil || highlight != nil || detach else {
                throw ValidationError("say what to change: --text, --highlight or --detach")
            }
            guard highlight == nil || !detach else { throw ValidationError("--highlight and --detach exclude each other") }
        }

        func run() async throws {
            let store = try global.openStore()
            let current = try await store.resolveRecord(.note, id)
            var note = Note(current)
            if let text { note = try await store.editNote(current.id, text: text) }
            if let highlight {
                note = try await store.moveNote(current.id, toHighlight: try await store.resolveRecord(.highlight, highlight).id)
            }
            if detach { note = try await store.moveNote(current.id, toHighlight: nil) }
            guard let note else { throw CLIError("note \(current.id) is gone") }
            if global.json { return try Console.json(NoteJSON(note)) }
            Console.line("Edited note \(note.id)\(note.highlightID.map { " (on highlight \($0))" } ?? "").")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a note.")
        @Argument(help: "The note's ID (or a unique prefix).") var id: String
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = try global.openStore()
            let current = try await store.resolveRecord(.note, id)
            try await store.removeNote(current.id)
            if global.json { return try Console.json(["id": current.id, "removed": "true"]) }
            Console.line("Removed note \(current.id).")
        }
    }
}

struct BookmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bookmark", abstract: "Bookmark a briefing, or remove the bookmark.", subcommands: [Add.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bookmark a briefing.")
        @Argument(help: "The briefing's ID (or a unique prefix).") var briefing: String
        @OptionGroup var global: GlobalOptions

        func run() async throws { try await setBookmark(briefing, true, global) }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a briefing's bookmark.")
        @Argument(help: "The briefing's ID (or a unique prefix).") var briefing: String
        @OptionGroup var global: GlobalOptions

        func run() async throws { try await setBookmark(briefing, false, global) }
    }
}

private func setBookmark(_ briefing: String, _ on: Bool, _ global: GlobalOptions) async throws {
    let store = try global.openStore()
    let target = try await store.resolveMetadata(briefing)
    let id = EntitySchema.singletonID(briefingID: target.id)
    try await store.bookmark(briefing: target.id, on)
    if global.json { return try Console.json(["id": AnyCodable(id), "bookmarked": AnyCodable(on)]) }
    Console.line(on ? "Bookmarked \(target.id)." : "Removed the bookmark on \(target.id).")
}

struct Progress: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record how far you have read a briefing.")
    @Argument(help: "The briefing's ID (or a unique prefix).") var briefing: String
    @Argument(help: "How far, in percent: 0–100 (75 or 12.5; not a fraction).") var percent: Double
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard percent.isFinite, (0...100).contains(percent) else {
            throw ValidationError("PERCENT must be a number from 0 to 100, not \(percent)")
        }
    }

    func run() async throws {
        let store = try global.openStore()
        let target = try await store.resolveMetadata(briefing)
        let id = EntitySchema.singletonID(briefingID: target.id)
        let progress = try await store.setProgress(briefing: target.id, fraction: percent / 100)
        if global.json {
            return try Console.json([
                "id": AnyCodable(id), "percent": AnyCodable(Percent.value(progress.position)),
                "furthestPercent": AnyCodable(Percent.value(progress.furthest)),
            ])
        }
        let (at, furthest) = (Percent.value(progress.position), Percent.value(progress.furthest))
        Console.line("\(target.id): at \(Percent.text(percent: at)), furthest \(Percent.text(percent: furthest)).")
    }
}

struct TagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag", abstract: "Tag briefings (a tag added on one device survives a concurrent removal).",
        subcommands: [Add.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a tag to a briefing.")
        @Argument(help: "The briefing's ID (or a unique prefix).") var briefing: String
        @Argument(help: "The tag.") var tag: String
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = try global.openStore()
            let target = try await store.resolveMetadata(briefing)
            let name = try BriefingStore.tagName(tag)
            let id = try await store.tag(briefing: target.id, name)
            if global.json { return try Console.json(["id": id, "tag": name]) }
            Console.line("Tagged \(target.id) “\(name)”.")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a tag from a briefing.")
        @Argument(help: "The briefing's ID (or a unique prefix).") var briefing: String
        @Argument(help: "The tag.") var tag: String
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = try global.openStore()
            let target = try await store.resolveMetadata(briefing)
            let name = try BriefingStore.tagName(tag)
            let id = EntitySchema.tagID(briefingID: target.id, name: name)
            try await store.untag(briefing: target.id, name)
            if global.json { return try Console.json(["id": id, "removed": name]) }
            Console.line("Removed tag “\(name)” from \(target.id).")
        }
    }
}

struct Conflicts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how conflicting edits were resolved, and overturn an outcome.",
        subcommands: [ListConflicts.self, Resolve.self], defaultSubcommand: ListConflicts.self)

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Overturn an automatic resolution; the choice syncs as a normal edit.")
        @Argument(help: "The conflict's ID (or a unique prefix), from `briefing conflicts`.") var id: String
        @Option(help: "mine, theirs, both, kept or dropped.") var keep: String
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard ConflictChoice(rawValue: keep) != nil else {
                throw ValidationError("--keep takes \(ConflictChoice.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            let store = try global.openStore()
            let outcome = try await store.resolveConflict(id, keep: ConflictChoice(rawValue: keep)!)
            if global.json { return try Console.json(["id": id, "outcome": outcome]) }
            Console.line(outcome.prefix(1).uppercased() + outcome.dropFirst() + ". Run `briefing sync` to share it.")
        }
    }
}

struct ListConflicts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Show how conflicting edits were resolved, and changes the server refused.")
    @Option(help: "Only resolutions at or after this date (YYYY-MM-DD or ISO 8601).") var since: String?
    @OptionGroup var global: GlobalOptions

    /// The wall time of a competing value's clock, to the millisecond: two devices' edits are
    /// often within the same second. (A device whose clock runs ahead writes times ahead.)
    static let writtenStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    struct Item: Encodable {
        var id: String
        var entity: String
        var recordID: String
        var field: String
        var rule: String
        var values: [ConflictValue]
        var outcome: String
        var at: String
    }

    func run() async throws {
        let store = try global.openStore()
        var date: Date?
        if let since {
            date = Timestamp.date(since) ?? Timestamp.date(since + "T00:00:00Z")
            guard date != nil else { throw CLIError("--since takes a date like 2026-11-24") }
        }
        let conflicts = try await store.conflicts(since: date)
        let rejections = try await store.rejections()
        if global.json {
            let items = conflicts.map {
                Item(
                    id: $0.id, entity: $0.kind.rawValue, recordID: $0.recordID, field: $0.field, rule: $0.rule.rawValue,
                    values: $0.values, outcome: $0.outcome, at: $0.at.description)
            }
            let refused = rejections.map {
                ["mutationID": AnyCodable($0.mutation.mutationID), "entity": AnyCodable($0.mutation.kind.rawValue),
                 "recordID": AnyCodable($0.mutation.id), "reason": AnyCodable($0.reason), "message": AnyCodable($0.message)]
            }
            return try Console.json(["conflicts": AnyCodable(items), "rejected": AnyCodable(refused)])
        }
        if conflicts.isEmpty && rejections.isEmpty {
            Console.line("No conflicts.")
            return
        }
        for conflict in conflicts {
            Console.line("\(conflict.id.prefix(8))  \(conflict.kind.rawValue) \(conflict.recordID) · \(conflict.field) · rule: \(conflict.rule.rawValue) · \(Timestamp.text(conflict.at.wallTime))")
            for value in conflict.values {
                Console.line(
                    "    \(value.kept ? "kept   " : "dropped") \(value.display)  (device \(value.deviceID.prefix(8)), clock \(value.hlc.wallTime.formatted(Self.writtenStyle)))")
            }
            Console.line("    → \(conflict.outcome)")
        }
        for rejection in rejections {
            Console.line("refused: \(rejection.mutation.op.rawValue) \(rejection.mutation.kind.rawValue) \(rejection.mutation.id) — \(rejection.reason): \(rejection.message)")
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

/// Reading progress as the CLI shows it: in percent, everywhere (the store and the wire keep a
/// fraction 0–1).
enum Percent {
    /// The percentage of a fraction, to a tenth.
    static func value(_ fraction: Double) -> Double { (fraction * 1000).rounded() / 10 }

    /// `75%`, `12.5%`, `0.3%`, for a percentage as `value` gives it.
    static func text(percent: Double) -> String {
        (percent == percent.rounded() ? String(Int(percent)) : String(percent)) + "%"
    }
}
