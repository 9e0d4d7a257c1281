import ArgumentParser
import BriefingIngest
import BriefingModel
import Foundation
import Logging
import SyncServerCore

/// An admin command's failure: printed as `Error: message`, without the usage text.
struct AdminError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import articles (a saved HTML page, a text scrape or export, Markdown) as briefings, or as new revisions of them.",
        discussion: """
            Each file becomes a briefing with its editorial layer. A file whose source URL (or \
            publication and title) matches a published briefing becomes its next revision; readers' \
            highlights are re-anchored on their devices. The report lists every decision with its \
            reason. The field options override what the importer finds; a later import of the same \
            briefing keeps them unless it gives the option again. Safe while the server runs.
            """)

    @Argument(help: ArgumentHelp("Files to import; .md and .markdown are read as Markdown, .html and .htm as HTML.", valueName: "file"))
    var files: [String]
    @Option(help: ArgumentHelp("Where the article was published (one file only).", valueName: "url"))
    var sourceURL: String?
    @Option(help: ArgumentHelp("The title, whatever the file says (one file only).", valueName: "title")) var title: String?
    @Option(
        name: .customLong("contributor"),
        help: ArgumentHelp("A contributor, in byline order; repeat for each (one file only).", valueName: "name"))
    var contributors: [String] = []
    @Option(help: ArgumentHelp("The publication's name (one file only).", valueName: "name")) var publication: String?
    @Option(help: ArgumentHelp("The image credit (one file only).", valueName: "credit")) var imageCredit: String?
    @Option(help: ArgumentHelp("The date of first publication, YYYY-MM-DD (one file only).", valueName: "date")) var published: String?
    @OptionGroup var options: DatabaseOptions
    @Flag(help: "Print the report as JSON (an object for one file, an array for several).") var json = false
    @Flag(help: "Parse and report; store nothing.") var dryRun = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file to import") }
        if sourceURL != nil && files.count > 1 { throw ValidationError("--source-url applies to one file; import the files one at a time") }
        if !overrides.isEmpty && files.count > 1 {
            throw ValidationError("--title, --contributor, --publication, --image-credit and --published apply to one file; import the files one at a time")
        }
        for (option, value) in [("--title", title), ("--publication", publication), ("--image-credit", imageCredit)] {
            if let value, TextNormalizer.normalize(value).isEmpty { throw ValidationError("\(option) must not be empty") }
            if let value, value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw ValidationError("\(option) must not contain control characters")
            }
        }
        for name in contributors where TextNormalizer.normalize(name).isEmpty || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ValidationError("--contributor must be a name, not “\(name)”")
        }
        if let published, Self.day(published) == nil {
            throw ValidationError("--published must be a date written YYYY-MM-DD, not “\(published)”")
        }
    }

    var overrides: ImportOverrides {
        ImportOverrides(
            title: title.map(TextNormalizer.normalize), contributors: contributors.isEmpty ? nil : contributors.map(TextNormalizer.normalize),
            publication: publication.map(TextNormalizer.normalize), imageCredit: imageCredit.map(TextNormalizer.normalize),
            published: published.flatMap(Self.day))
    }

    /// A `YYYY-MM-DD` day as UTC midnight, or nil when it is not a real day.
    static func day(_ text: String) -> Date? {
        guard text.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil, let mention = DateMention.all(in: text).first, mention.label == text else { return nil }
        return mention.date
    }

    func run() async throws {
        let logger = Logger(label: "briefings.admin")
        let service: SyncService
        if dryRun && !ServerDatabase.isPostgres(options.database) && !FileManager.default.fileExists(atPath: options.database) {
            // A dry run needs no server yet: with no database each file is reported as a new briefing.
            if !json { FileHandle.standardError.write(Data("(no database at \(options.database): each file is reported as a new briefing)\n".utf8)) }
            service = SyncService(store: try SQLiteServerStore.inMemory(), logger: logger)
        } else {
            service = try await options.openService(logger: logger)
        }
        let importer = ArticleImporter(service: service, gazetteer: try Gazetteer.bundled())
        var reports: [ImportReport] = []
        var failures: [String] = []
        for (index, path) in files.enumerated() {
            if !json && files.count > 1 { FileHandle.standardError.write(Data("[\(index + 1)/\(files.count)] \(path)\n".utf8)) }
            do {
                let data = try readFile(path)
                let report = try await importer.importArticle(
                    data, fileName: URL(fileURLWithPath: path).lastPathComponent, sourceURL: sourceURL, overrides: overrides,
                    dryRun: dryRun)
                reports.append(report)
                if !json { print(Self.text(report)) }
            } catch {
                failures.append("\(path): \(error)")
                FileHandle.standardError.write(Data("error: \(path): \(error)\n".utf8))
            }
        }
        if json {
            // One file prints its report; several print the list.
            if files.count != 1 {
                print(try CanonicalJSON.pretty(reports))
            } else if let report = reports.first {
                print(try CanonicalJSON.pretty(report))
            }
        }
        if !failures.isEmpty {
            throw AdminError("\(failures.count) of \(files.count) file(s) not imported")
        }
    }

    func readFile(_ path: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else { throw AdminError("no such file") }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count <= 4 << 20 else { throw AdminError("the file is \(data.count) bytes; articles up to 4 MiB are imported") }
        return data
    }

    static func text(_ report: ImportReport) -> String {
        func counts(_ values: [String: Int]) -> String {
            values.isEmpty ? "none" : values.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        var lines = [
            "\(report.dryRun ? "would be " : "")\(report.outcome.rawValue): \(report.id) revision \(report.revision) (\(report.revisionID)) from \(report.file)",
            "  title: \(report.title)",
        ]
        if let byline = report.byline { lines.append("  byline: \(byline)") }
        if let publication = report.publication { lines.append("  publication: \(publication)") }
        if let date = report.publishedAt { lines.append("  published: \(Timestamp.text(date))") }
        if let credit = report.imageCredit { lines.append("  image credit: \(credit)") }
        if let url = report.sourceURL { lines.append("  source: \(url)") }
        lines.append("  sections (\(report.sections.count)): \(report.sections.joined(separator: " · "))")
        lines.append("  paragraphs: \(report.paragraphs)")
        for contributor in report.contributors {
            lines.append("  contributor: \(contributor.name)" + (contributor.bio.isEmpty ? " (no bio found)" : " — \(contributor.bio)"))
        }
        lines.append("  excluded (\(report.excluded.count) line(s), kept in the stored source):")
        lines += report.excluded.map { "    - \($0)" }
        lines.append("  editorial layer: \(counts(report.annotations))")
        if !report.editorAnchors.isEmpty { lines.append("  editors' annotations: \(counts(report.editorAnchors))") }
        lines.append("  readers' highlights: \(counts(report.readerAnchors))")
        if let overrides = report.overrides, !overrides.isEmpty {
            var given: [String] = []
            if let title = overrides.title { given.append("title “\(title)”") }
            if let names = overrides.contributors { given.append("contributors \(names.joined(separator: ", "))") }
            if let publication = overrides.publication { given.append("publication “\(publication)”") }
            if let credit = overrides.imageCredit { given.append("image credit “\(credit)”") }
            if let date = overrides.published { given.append("published \(Timestamp.text(date).prefix(10))") }
            lines.append("  editor's overrides (kept for later imports): " + given.joined(separator: "; "))
        }
        if let decisions = report.decisions, !decisions.isEmpty {
            lines.append("  decisions:")
            for decision in decisions {
                let at = decision.line.map { "line \($0) " } ?? ""
                lines.append("    \(decision.subject): \(at)“\(decision.value.prefix(90))” — \(decision.reason)")
            }
        }
        if report.dryRun { lines.append("  (dry run: nothing stored)") }
        return lines.joined(separator: "\n")
    }
}

struct Annotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add an editor's annotation to a briefing; it syncs to readers and survives new revisions.")

    @Argument(help: "The briefing ID.") var id: String
    @Option(help: "The passage to annotate, as it reads in the briefing.") var quote: String
    @Option(help: "Which occurrence, when the passage occurs more than once (1 = first).") var occurrence: Int?
    @Option(help: "note, entity, event, recommendation or quotation.") var kind: String = "note"
    @Option(help: "The note's text.") var text: String?
    @Option(help: "An entity's name, an event's date, a quotation's speaker.") var label: String?
    @OptionGroup var options: DatabaseOptions
    @Flag(help: "Print the annotation as JSON.") var json = false

    func run() async throws {
        guard let kind = EditorialKind(rawValue: kind) else {
            throw ValidationError("--kind must be one of \(EditorialKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if kind == .note && (text ?? "").isEmpty { throw ValidationError("a note needs --text") }
        let service = try await options.openService(logger: Logger(label: "briefings.admin"))
        let annotation: EditorialAnnotation
        do {
            annotation = try await service.kernel.annotate(
                briefingID: id, quote: quote, occurrence: occurrence, kind: kind, text: text, label: label)
        } catch let error as ImportError {
            throw AdminError(error.message)
        } catch let error as SyncError {
            throw AdminError(error.message)
        }
        if json {
            print(try CanonicalJSON.pretty(annotation))
        } else {
            print("added \(annotation.kind.rawValue) \(annotation.id) on “\(annotation.anchor.exact)” in \(id)")
        }
    }
}

struct EvalImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-import",
        abstract: "Score the importer on a folder of articles with truth files (NAME.truth.json beside NAME.txt, .md or .html).",
        discussion: """
            Prints, per article, the fields found right and a line per miss (a wrong field, a \
            boilerplate line left in the body, a sentence lost from it), then per-field accuracy, \
            heading and contributor precision and recall, leaks and losses for the folder. Stores \
            nothing. The truth format is described in Tests/Fixtures/ImportCorpus/README.md.
            """)

    @Argument(help: ArgumentHelp("The folder of articles and truth files.", valueName: "dir")) var folder: String
    @Flag(help: "Print the report as JSON.") var json = false
    @Flag(help: "Print only the totals, not each article's misses (for a held-out set that is not to be read while tuning).")
    var summary = false

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw AdminError("no such folder: \(folder)")
        }
        let report: EvaluationReport
        do {
            report = try ImportEvaluation.evaluate(folder: URL(fileURLWithPath: folder))
        } catch {
            throw AdminError(error.message)
        }
        if json {
            var shown = report
            if summary { shown.articles = [] }
            print(try CanonicalJSON.pretty(shown))
        } else {
            print(summary ? report.summary : report.text)
        }
    }
}
