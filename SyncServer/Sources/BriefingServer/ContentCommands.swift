import ArgumentParser
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
        abstract: "Import scraped articles (plain text or Markdown) as briefings, or as new revisions of them.",
        discussion: """
            Each file becomes a briefing with its editorial layer. A file whose source URL (or \
            publication and title) matches a published briefing becomes its next revision; readers' \
            highlights are re-anchored on their devices. Safe while the server runs.
            """)

    @Argument(help: ArgumentHelp("Files to import; .md and .markdown are read as Markdown.", valueName: "file"))
    var files: [String]
    @Option(help: ArgumentHelp("Where the article was published (one file only).", valueName: "url"))
    var sourceURL: String?
    @OptionGroup var options: DatabaseOptions
    @Flag(help: "Print the report as JSON (an object for one file, an array for several).") var json = false
    @Flag(help: "Parse and report; store nothing.") var dryRun = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file to import") }
        if sourceURL != nil && files.count > 1 { throw ValidationError("--source-url applies to one file; import the files one at a time") }
    }

    func run() async throws {
        let service = try options.openService(logger: Logger(label: "briefings.admin"))
        let importer = ArticleImporter(service: service, gazetteer: try Gazetteer.bundled())
        var reports: [ImportReport] = []
        var failures: [String] = []
        for (index, path) in files.enumerated() {
            if !json && files.count > 1 { FileHandle.standardError.write(Data("[\(index + 1)/\(files.count)] \(path)\n".utf8)) }
            do {
                let data = try readFile(path)
                let report = try await importer.importArticle(
                    data, fileName: URL(fileURLWithPath: path).lastPathComponent, sourceURL: sourceURL, dryRun: dryRun)
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
        let service = try options.openService(logger: Logger(label: "briefings.admin"))
        let annotation: EditorialAnnotation
        do {
            annotation = try await service.store.annotate(
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
