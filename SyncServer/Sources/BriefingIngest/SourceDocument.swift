import BriefingModel
import Foundation

/// Why a file cannot be imported.
public struct ImportError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The kinds of file the importer reads.
public enum SourceFormat: String, Sendable, CaseIterable, Codable {
    case text, markdown, html

    /// The format a file name implies: `.md` and `.markdown` are Markdown, `.html` and `.htm` HTML.
    public static func of(fileName: String) -> SourceFormat {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".md") || lower.hasSuffix(".markdown") { return .markdown }
        if lower.hasSuffix(".html") || lower.hasSuffix(".htm") || lower.hasSuffix(".xhtml") { return .html }
        return .text
    }

    /// The format by the file's name, except that a text file holding an HTML page is HTML.
    public static func of(fileName: String, contents: String) -> SourceFormat {
        let format = of(fileName: fileName)
        guard format == .text else { return format }
        let head = contents.prefix(512).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if head.hasPrefix("<!doctype html") || head.hasPrefix("<html") { return .html }
        // Markdown saved as .txt (a clipper, a CMS's export): a "# Title" and more "##" headings.
        let headings = contents.split(separator: "\n", omittingEmptySubsequences: false).prefix(4000).filter {
            $0.hasPrefix("# ") || $0.hasPrefix("## ") || $0.hasPrefix("### ")
        }
        return headings.count >= 3 && headings.contains(where: { $0.hasPrefix("# ") }) ? .markdown : .text
    }
}

/// One unit of a source as the readers see it: a paragraph, a line, a heading, a list item.
///
/// Every reader (plain text, Markdown, HTML) turns its input into blocks, so the decision about
/// what each block is (``ArticleStructure``) is made the same way whatever the input.
public struct SourceBlock: Sendable, Hashable {
    /// How the source marked the block up, where it did.
    public enum Markup: Sendable, Hashable {
        case plain
        case heading(level: Int)
        case listItem
        case quote
        /// A figure caption or the line under an image.
        case caption
        case rule
        case image
        case preformatted
    }

    /// The normalized text.
    public var text: String
    /// The text as written (lines joined with newlines), for the list of what was left out.
    public var raw: String
    /// Where it starts: the 1-based line in a text or Markdown file, the element's line in HTML.
    public var line: Int
    public var markup: Markup = .plain
    /// Inside page chrome: `nav`, `aside`, `form`, a page-level `header`/`footer`, or a container
    /// whose class or role says share bar, related links, comments, newsletter or cookie notice.
    public var chrome = false
    /// Part of the link text in the block's text, 0…1.
    public var linkDensity = 0.0
    /// The block followed the previous one without a blank line between (plain text only).
    public var tight = false
    /// HTML: the page has an `article` or `main` element and this block is outside it.
    public var outsideArticle = false
    /// HTML: the element's class, id or itemprop names it a byline, author or date ("byline", "author-name").
    public var bylineHint = false
    /// Inside an element the page names as its writers' bios (`class="contributors"`, `"author-bio"`).
    public var bioBoxHint = false
    /// The whole block is set in bold (`<p><strong>…</strong></p>`, `**…**`): a heading where a
    /// page's editor had no heading style to hand, or a label.
    public var emphasized = false
    /// Why a reader already knew this block is not the article's (page furniture, a Markdown
    /// footnote, a table of contents); the structure decoder keeps it out of the body.
    public var furniture: String?
    /// Plain text with page breaks (form feeds): the 0-based page the block starts on.
    public var page: Int?

    public init(text: String, raw: String, line: Int, markup: Markup = .plain) {
        self.text = text
        self.raw = raw
        self.line = line
        self.markup = markup
    }

    var headingLevel: Int? {
        if case .heading(let level) = markup { return level }
        return nil
    }
}

/// What a page says about itself apart from its text: HTML metadata (JSON-LD, OpenGraph, meta
/// tags, `<title>`), Markdown front matter, e-mail headers.
public struct SourceMetadata: Sendable, Hashable, Codable {
    public var title: String?
    /// Where the title came from (`JSON-LD headline`, `og:title`, `<title>`, `front matter`).
    public var titleSource: String?
    /// The page's other titles (its `<title>` beside its `og:title`), which a line may match as well.
    public var otherTitles: [String] = []
    public var authors: [String] = []
    public var authorsSource: String?
    public var published: Date?
    public var publishedSource: String?
    /// The metadata's timestamp was written in the publisher's own zone, not UTC.
    public var publishedInLocalZone = false
    public var publication: String?
    public var publicationSource: String?
    public var imageCredit: String?
    public var imageCreditSource: String?
    /// The page's own URL (`og:url`, canonical link), used like `--source-url` when none is given.
    public var url: String?
    /// Contributors' bios the metadata gives (front matter `author.bio`, JSON-LD `author.description`), by name.
    public var bios: [String: String] = [:]
    /// An e-mail's subject: often close to the article's title, so a weak hint of it.
    public var subject: String?
    /// The newsletter a mail's subject names before its issue number ("The Rota #57 · …").
    public var newsletter: String?

    public init() {}

    var isEmpty: Bool { self == SourceMetadata() }
}

/// A source split into blocks, with its metadata.
public struct SourceDocument: Sendable {
    public var format: SourceFormat
    public var blocks: [SourceBlock]
    public var metadata: SourceMetadata

    public init(format: SourceFormat, blocks: [SourceBlock], metadata: SourceMetadata = .init()) {
        self.format = format
        self.blocks = blocks
        self.metadata = metadata
    }

    /// Reads a source in its format.
    public static func read(_ source: String, format: SourceFormat) throws(ImportError) -> SourceDocument {
        switch format {
        case .text: return PlainTextReader.read(source)
        case .markdown: return MarkdownReader.read(source)
        case .html: return try HTMLReader.read(source)
        }
    }
}

extension SourceDocument {
    /// Decodes bytes as UTF-8, refusing invalid sequences with the offset of the first bad byte.
    public static func decode(_ data: Data) throws(ImportError) -> String {
        var bytes = [UInt8](data)
        var offset = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes.removeFirst(3)
            offset = 3
        }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: break loop
            case .error: break loop
            }
        }
        throw ImportError(
            "the file is not valid UTF-8 (first invalid byte at offset \(offset)); save it as UTF-8 and import again")
    }
}
