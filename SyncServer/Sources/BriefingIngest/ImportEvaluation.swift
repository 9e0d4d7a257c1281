import BriefingModel
import Foundation

/// What an article really is, as a person reading the page would record it: the truth an
/// import is scored against (`NAME.truth.json` beside `NAME.txt`, `.md` or `.html`).
public struct ImportTruth: Codable, Sendable, Hashable {
    public struct Person: Codable, Sendable, Hashable {
        public var name: String
        /// The opening of the person's bio, or nil when the page has none.
        public var bio: String?

        public init(name: String, bio: String?) {
            self.name = name
            self.bio = bio
        }
    }

    /// The kind of page (`wordpress-html`, `pdf-export`, …), for the report.
    public var shape: String
    public var sourceURL: String?
    public var title: String
    public var contributors: [Person]
    public var headings: [String]
    public var publication: String?
    public var imageCredit: String?
    /// `YYYY-MM-DD`.
    public var published: String?
    /// Lines of chrome and boilerplate that must not be in the body.
    public var excluded: [String]
    /// Body sentences that must be in the body.
    public var kept: [String]

    public init(
        shape: String, sourceURL: String?, title: String, contributors: [Person], headings: [String], publication: String?,
        imageCredit: String?, published: String?, excluded: [String], kept: [String]
    ) {
        self.shape = shape
        self.sourceURL = sourceURL
        self.title = title
        self.contributors = contributors
        self.headings = headings
        self.publication = publication
        self.imageCredit = imageCredit
        self.published = published
        self.excluded = excluded
        self.kept = kept
    }
}

/// How one import compares with its truth.
public struct ArticleEvaluation: Codable, Sendable, Hashable {
    public static let fields = ["title", "contributors", "bios", "headings", "publication", "imageCredit", "published"]

    public var file: String
    public var shape: String
    /// The refusal, if the import failed (then every field is wrong).
    public var error: String?
    /// Per field: right or not.
    public var fields: [String: Bool]
    public var headingsFound: Int
    public var headingsRight: Int
    public var headingsExpected: Int
    public var contributorsFound: Int
    public var contributorsRight: Int
    public var contributorsExpected: Int
    /// Boilerplate, title or bio lines that ended up in the body.
    public var leaks: [String]
    /// Kept sentences missing from the body.
    public var lost: [String]
    public var keptExpected: Int
    /// One line per miss, for a person.
    public var misses: [String]
}

/// A folder's scores.
public struct EvaluationReport: Codable, Sendable, Hashable {
    public var folder: String
    public var articles: [ArticleEvaluation]
    /// Per field: the share of articles where it is right.
    public var fieldAccuracy: [String: Double]
    public var fieldsRight: Int
    public var fieldsTotal: Int
    public var headingPrecision: Double
    public var headingRecall: Double
    public var contributorPrecision: Double
    public var contributorRecall: Double
    public var leaks: Int
    public var lost: Int
    public var keptTotal: Int
    public var errors: Int

    /// The lowest per-field accuracy.
    public var worstField: Double { fieldAccuracy.values.min() ?? 0 }
}

/// Scores the importer on a folder of articles with truth files.
public enum ImportEvaluation {
    /// Scores every `*.truth.json` in `folder` (not its subfolders) against the import of its article.
    public static func evaluate(folder: URL) throws(ImportError) -> EvaluationReport {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".truth.json") }
                .sorted()
        } catch {
            throw ImportError("cannot read the folder \(folder.path): \(error.localizedDescription)")
        }
        guard !names.isEmpty else { throw ImportError("\(folder.path) has no *.truth.json files to score against") }
        var articles: [ArticleEvaluation] = []
        for name in names {
            let stem = String(name.dropLast(".truth.json".count))
            let truthData: Data
            let truth: ImportTruth
            do {
                truthData = try Data(contentsOf: folder.appendingPathComponent(name))
                truth = try JSONDecoder().decode(ImportTruth.self, from: truthData)
            } catch {
                throw ImportError("\(name) is not a valid truth file: \(error)")
            }
            guard
                let source = ["html", "htm", "md", "markdown", "txt"].map({ "\(stem).\($0)" })
                    .first(where: { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) })
            else {
                throw ImportError("\(name) has no article beside it (\(stem).txt, .md or .html)")
            }
            articles.append(evaluate(file: folder.appendingPathComponent(source), truth: truth))
        }
        return summarize(folder: folder.path, articles)
    }

    /// Scores one article file against its truth.
    public static func evaluate(file: URL, truth: ImportTruth) -> ArticleEvaluation {
        let name = file.lastPathComponent
        do {
            guard let data = FileManager.default.contents(atPath: file.path) else { throw ImportError("cannot read \(name)") }
            let text = try ArticleParser.decode(data)
            let article = try ArticleParser.parse(text, format: .of(fileName: name, contents: text), sourceURL: truth.sourceURL)
            return compare(article, truth, file: name)
        } catch {
            var failed = ArticleEvaluation(
                file: name, shape: truth.shape, error: "\(error)", fields: [:], headingsFound: 0, headingsRight: 0,
                headingsExpected: truth.headings.count, contributorsFound: 0, contributorsRight: 0,
                contributorsExpected: truth.contributors.count, leaks: [], lost: truth.kept, keptExpected: truth.kept.count,
                misses: ["refused: \(error)"])
            for field in ArticleEvaluation.fields { failed.fields[field] = false }
            return failed
        }
    }

    /// Text compared loosely: whitespace, case, straight or curly quotes and end punctuation aside.
    static func loose(_ text: String) -> String {
        var result = TextNormalizer.normalize(text).lowercased()
        for (curly, straight) in [("’", "'"), ("‘", "'"), ("“", "\""), ("”", "\""), ("–", "-"), ("—", "-"), ("\u{00A0}", " ")] {
            result = result.replacingOccurrences(of: curly, with: straight)
        }
        return result.trimmingCharacters(in: CharacterSet(charactersIn: " .:;,"))
    }

    static func looseName(_ text: String) -> String {
        loose(text).replacingOccurrences(of: #"^the "#, with: "", options: .regularExpression)
    }

    static func compare(_ article: ParsedArticle, _ truth: ImportTruth, file: String) -> ArticleEvaluation {
        var misses: [String] = []
        var fields: [String: Bool] = [:]
        func check(_ field: String, _ right: Bool, _ miss: @autoclosure () -> String) {
            fields[field] = right
            if !right { misses.append("\(field): \(miss())") }
        }
        func show(_ value: String?) -> String { value.map { "“\($0)”" } ?? "none" }

        check("title", loose(article.title) == loose(truth.title), "found \(show(article.title)), expected \(show(truth.title))")

        let found = article.contributors.map { Names.key($0.name) }
        let expected = truth.contributors.map { Names.key($0.name) }
        let rightNames = Set(found).intersection(expected).count
        check(
            "contributors", Set(found) == Set(expected),
            "found \(article.contributors.map(\.name)), expected \(truth.contributors.map(\.name))")
        var bioMisses: [String] = []
        for person in truth.contributors {
            let bio = article.contributors.first { Names.key($0.name) == Names.key(person.name) }?.bio ?? ""
            if let opening = person.bio {
                if !loose(bio).hasPrefix(loose(opening)) {
                    bioMisses.append("\(person.name): found \(show(bio.isEmpty ? nil : String(bio.prefix(60))))")
                }
            } else if !bio.isEmpty {
                bioMisses.append("\(person.name): the page has no bio, found \(show(String(bio.prefix(60))))")
            }
        }
        check("bios", bioMisses.isEmpty, bioMisses.joined(separator: "; "))

        let headings = article.sections.compactMap(\.heading)
        var unmatched = truth.headings.map(loose)
        var headingsRight = 0
        for heading in headings.map(loose) {
            if let index = unmatched.firstIndex(of: heading) {
                unmatched.remove(at: index)
                headingsRight += 1
            }
        }
        let extra = headings.filter { !truth.headings.map(loose).contains(loose($0)) }
        check(
            "headings", headings.map(loose) == truth.headings.map(loose),
            (unmatched.isEmpty ? "" : "missed \(unmatched.map { "“\($0)”" }.joined(separator: ", ")) ")
                + (extra.isEmpty ? "" : "extra \(extra.map { "“\($0)”" }.joined(separator: ", ")) ")
                + (unmatched.isEmpty && extra.isEmpty ? "out of order" : ""))

        check(
            "publication", article.publication.map(looseName) == truth.publication.map(looseName),
            "found \(show(article.publication)), expected \(show(truth.publication))")
        check(
            "imageCredit", article.imageCredit.map(loose) == truth.imageCredit.map(loose),
            "found \(show(article.imageCredit)), expected \(show(truth.imageCredit))")
        let day = article.publishedAt.map(Timestamp.day)
        check("published", day == truth.published, "found \(day ?? "none"), expected \(truth.published ?? "none")")

        // The body: no boilerplate, no title or bio, every kept sentence.
        let paragraphs = article.sections.flatMap(\.paragraphs).map(loose)
        let bodyLines = paragraphs + headings.map(loose)
        var leaks: [String] = []
        for line in truth.excluded {
            let key = loose(line)
            guard !key.isEmpty else { continue }
            let leaked = bodyLines.contains { $0 == key || (LineShapes.words(key) >= 4 && $0.contains(key)) }
            if leaked { leaks.append(line) }
        }
        if paragraphs.contains(loose(truth.title)) { leaks.append("the title: \(truth.title)") }
        for person in truth.contributors {
            if let opening = person.bio, paragraphs.contains(where: { $0.hasPrefix(loose(opening)) }) {
                leaks.append("the bio of \(person.name)")
            }
        }
        for leak in leaks { misses.append("leaked into the body: “\(leak)”") }
        let body = " " + paragraphs.joined(separator: " ") + " "
        var lost: [String] = []
        for sentence in truth.kept {
            let key = loose(sentence.replacingOccurrences(of: #"^\s*[-•*·▪–]\s+"#, with: "", options: .regularExpression))
            if !body.contains(key) { lost.append(sentence) }
        }
        for sentence in lost { misses.append("lost from the body: “\(sentence)”") }

        return ArticleEvaluation(
            file: file, shape: truth.shape, error: nil, fields: fields, headingsFound: headings.count,
            headingsRight: headingsRight,
            headingsExpected: truth.headings.count, contributorsFound: found.count, contributorsRight: rightNames,
            contributorsExpected: expected.count, leaks: leaks, lost: lost, keptExpected: truth.kept.count, misses: misses)
    }

    static func summarize(folder: String, _ articles: [ArticleEvaluation]) -> EvaluationReport {
        var accuracy: [String: Double] = [:]
        var right = 0
        for field in ArticleEvaluation.fields {
            let count = articles.filter { $0.fields[field] == true }.count
            right += count
            accuracy[field] = articles.isEmpty ? 0 : Double(count) / Double(articles.count)
        }
        func ratio(_ numerator: Int, _ denominator: Int) -> Double {
            denominator == 0 ? 1 : Double(numerator) / Double(denominator)
        }
        return EvaluationReport(
            folder: folder, articles: articles, fieldAccuracy: accuracy, fieldsRight: right,
            fieldsTotal: articles.count * ArticleEvaluation.fields.count,
            headingPrecision: ratio(articles.map(\.headingsRight).reduce(0, +), articles.map(\.headingsFound).reduce(0, +)),
            headingRecall: ratio(articles.map(\.headingsRight).reduce(0, +), articles.map(\.headingsExpected).reduce(0, +)),
            contributorPrecision: ratio(
                articles.map(\.contributorsRight).reduce(0, +), articles.map(\.contributorsFound).reduce(0, +)),
            contributorRecall: ratio(
                articles.map(\.contributorsRight).reduce(0, +), articles.map(\.contributorsExpected).reduce(0, +)),
            leaks: articles.map(\.leaks.count).reduce(0, +), lost: articles.map(\.lost.count).reduce(0, +),
            keptTotal: articles.map(\.keptExpected).reduce(0, +), errors: articles.filter { $0.error != nil }.count)
    }
}

extension EvaluationReport {
    /// The report for a person: a line per article, a line per miss, then the totals.
    public var text: String {
        var lines: [String] = []
        for article in articles {
            let right = ArticleEvaluation.fields.filter { article.fields[$0] == true }.count
            lines.append(
                "\(article.file) [\(article.shape)]: \(right)/\(ArticleEvaluation.fields.count) fields, \(article.leaks.count) leaked, \(article.lost.count) lost"
            )
            lines += article.misses.map { "    - \($0)" }
        }
        return (lines + ["", summary]).joined(separator: "\n")
    }

    /// The totals alone, without any article's misses.
    public var summary: String {
        var lines: [String] = []
        lines.append("\(articles.count) articles in \(folder)")
        lines.append(
            "fields right: \(fieldsRight) of \(fieldsTotal) (\(percent(Double(fieldsRight) / Double(max(1, fieldsTotal)))))")
        for field in ArticleEvaluation.fields { lines.append("  \(field): \(percent(fieldAccuracy[field] ?? 0))") }
        lines.append(String(format: "headings: precision %.3f, recall %.3f", headingPrecision, headingRecall))
        lines.append(String(format: "contributors: precision %.3f, recall %.3f", contributorPrecision, contributorRecall))
        lines.append("boilerplate lines in bodies: \(leaks)")
        lines.append("kept sentences lost: \(lost) of \(keptTotal)")
        if errors > 0 { lines.append("articles refused: \(errors)") }
        return lines.joined(separator: "\n")
    }

    func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
}
