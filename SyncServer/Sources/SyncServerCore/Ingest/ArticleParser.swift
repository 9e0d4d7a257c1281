import BriefingModel
import Foundation

/// An article as extracted from a scraped page: its fields, its body, and what was left out.
public struct ParsedArticle: Sendable, Hashable {
    public struct Section: Sendable, Hashable {
        /// nil for the lead.
        public var heading: String?
        public var paragraphs: [String]
    }

    public var title: String
    public var byline: String?
    public var publication: String?
    public var imageCredit: String?
    public var publishedAt: Date?
    public var contributors: [Contributor]
    /// The lead (if any paragraphs precede the first heading) and the headed sections.
    public var sections: [Section]
    /// Lines kept out of the body, as written: banners, stray lines, comment notices, cookie
    /// banners, taglines, publication lines.
    public var excluded: [String]
}

/// Why a file cannot be imported.
public struct ImportError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Extracts an article from text as scraped off a publication's page, or from Markdown.
///
/// The rules, in order (each is documented with an example in `SyncServer/README.md`):
/// - The **title** is the Markdown `#` heading, else the line just before the byline, else the
///   first line shaped like a title. Lines before it are stray (a site banner, a skip link);
///   a banner of the form `Name | Section` names the publication.
/// - Right after the title, a **byline** (`By …`), a **date** line and an **image credit**
///   (`Image: …`, `Photo: …`) become fields.
/// - At the end, paragraphs that start with a contributor's name and a bio verb (`is`, `was`,
///   `received`, `holds`, …) become **contributor bios**; a `… published in Name.` line names the
///   **publication**; comment notices, cookie banners, taglines and other stray lines are excluded.
/// - In the body, a short line without terminal punctuation (or a Markdown `##`) starts a
///   **section**; paragraphs before the first heading form the lead; known boilerplate lines
///   (`Advertisement`, `Read more: …`, share and subscribe prompts) are excluded.
public enum ArticleParser {
    public enum Format: String, Sendable, CaseIterable {
        case text, markdown

        /// The format a file name implies: `.md` and `.markdown` are Markdown.
        public static func of(fileName: String) -> Format {
            let lower = fileName.lowercased()
            return lower.hasSuffix(".md") || lower.hasSuffix(".markdown") ? .markdown : .text
        }
    }

    /// One line or Markdown block: its plain text and how it was written.
    struct Unit {
        var text: String
        var raw: String
        /// The Markdown heading level (1 for `#`), if it was one.
        var headingLevel: Int?
        var isRule = false
        var isImage = false
        /// A Markdown list: body text even without punctuation.
        var isList = false
    }

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
        throw ImportError("the file is not valid UTF-8 (first invalid byte at offset \(offset)); save it as UTF-8 and import again")
    }

    /// Parses an article.
    public static func parse(_ source: String, format: Format) throws(ImportError) -> ParsedArticle {
        let units = format == .markdown ? markdownUnits(source) : textUnits(source)
        guard !units.isEmpty else { throw ImportError("the file has no text") }
        var excluded: [String] = []
        var publication: String?

        // The title, and the stray lines before it.
        guard let titleIndex = titleIndex(units) else {
            throw ImportError("no title found: expected a `# Title` line, a title line before a `By …` byline, or a title-shaped first line")
        }
        for unit in units[..<titleIndex] where !unit.isImage {
            excluded.append(unit.raw)
            if publication == nil, let banner = bannerPublication(unit.text) { publication = banner }
        }
        let title = units[titleIndex].text

        // Byline, date and image credit right after the title.
        var index = titleIndex + 1
        var byline: String?
        var publishedAt: Date?
        var imageCredit: String?
        while index < units.count {
            let unit = units[index]
            if unit.isImage {
            } else if byline == nil, isByline(unit.text) {
                byline = unit.text
            } else if publishedAt == nil, let date = dateLine(unit.text) {
                publishedAt = date
            } else if imageCredit == nil, let credit = imageCreditLine(unit.text) {
                imageCredit = credit
            } else {
                break
            }
            index += 1
        }
        let bylineNames = byline.map(names(inByline:)) ?? []

        // The closing matter, walking back from the end.
        var end = units.count
        var bios: [Contributor] = []
        var closing: [String] = []
        while end > index {
            let unit = units[end - 1]
            // A Markdown heading or list is the article's own structure: the closing matter is after it.
            if unit.headingLevel != nil || unit.isList { break }
            if let bio = bio(unit.text, knownNames: bylineNames) {
                bios.insert(bio, at: 0)
            } else if let named = publicationLine(unit.text) {
                publication = publication ?? named
                closing.insert(unit.raw, at: 0)
            } else if unit.isRule || unit.isImage || isBoilerplate(unit.text) || isTagline(unit.text, publication: publication)
                || (!endsSentence(unit.text) && wordCount(unit.text) <= 12)
            {
                if !unit.isImage { closing.insert(unit.raw, at: 0) }
            } else {
                break
            }
            end -= 1
        }
        // A tagline names the publication when nothing else did ("Name — slogan").
        if publication == nil {
            for line in closing { if let named = taglinePublication(line) { publication = named; break } }
        }

        // The body.
        var sections: [ParsedArticle.Section] = [.init(heading: nil, paragraphs: [])]
        for position in index..<end {
            let unit = units[position]
            if unit.isImage { continue }
            if unit.isRule || isBoilerplate(unit.text) {
                excluded.append(unit.raw)
            } else if (unit.headingLevel ?? 0) >= 2 || (unit.headingLevel == nil && isHeading(unit.text)) {
                sections.append(.init(heading: unit.text, paragraphs: []))
            } else if unit.headingLevel == 1 || wordCount(unit.text) <= 2 && !endsSentence(unit.text) {
                excluded.append(unit.raw)
            } else if let credit = imageCreditLine(unit.text), imageCredit == nil {
                imageCredit = credit
            } else {
                sections[sections.count - 1].paragraphs.append(unit.text)
            }
        }
        excluded += closing
        sections.removeAll { $0.heading == nil && $0.paragraphs.isEmpty }
        guard sections.contains(where: { !$0.paragraphs.isEmpty }) else {
            throw ImportError("no body paragraphs found after the title “\(title)”")
        }

        // Contributors: everyone in the byline, with the bio that names them.
        var contributors = bylineNames.map { name in
            Contributor(name: name, bio: bios.first { $0.name == name }?.bio ?? "")
        }
        for bio in bios where !contributors.contains(where: { $0.name == bio.name }) { contributors.append(bio) }

        return ParsedArticle(
            title: title, byline: byline, publication: publication, imageCredit: imageCredit, publishedAt: publishedAt,
            contributors: contributors, sections: sections, excluded: excluded)
    }

    // MARK: Units

    static func textUnits(_ source: String) -> [Unit] {
        source.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).compactMap { line in
            let raw = String(line).trimmingCharacters(in: .whitespaces)
            let text = TextNormalizer.normalize(raw)
            return text.isEmpty ? nil : Unit(text: text, raw: raw)
        }
    }

    static func markdownUnits(_ source: String) -> [Unit] {
        var units: [Unit] = []
        var block: [String] = []
        func flush() {
            guard !block.isEmpty else { return }
            let raw = block.joined(separator: "\n")
            // Quote and list markers belong to each line, not only the block's first.
            let lines = block.map { line in
                line.replacingOccurrences(of: #"^(>\s?)+|^([-*+]|\d{1,3}[.)])\s+"#, with: "", options: .regularExpression)
            }
            let text = TextNormalizer.normalize(stripMarkdown(lines.joined(separator: " ")))
            let isList = block.allSatisfy { $0.range(of: #"^([-*+]|\d{1,3}[.)])\s+"#, options: .regularExpression) != nil }
            block = []
            if !text.isEmpty { units.append(Unit(text: text, raw: raw, isList: isList)) }
        }
        for line in source.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                flush()
            } else if let level = headingLevel(trimmed) {
                flush()
                let heading = String(trimmed.drop { $0 == "#" }).replacingOccurrences(of: #"\s+#+\s*$"#, with: "", options: .regularExpression)
                let text = TextNormalizer.normalize(stripMarkdown(heading))
                units.append(Unit(text: text, raw: trimmed, headingLevel: level))
            } else if trimmed.allSatisfy({ "-*_ ".contains($0) }) && trimmed.filter({ $0 != " " }).count >= 3 {
                flush()
                units.append(Unit(text: "", raw: trimmed, isRule: true))
            } else if trimmed.hasPrefix("!["), trimmed.hasSuffix(")") {
                flush()
                units.append(Unit(text: "", raw: trimmed, isImage: true))
            } else {
                block.append(trimmed)
            }
        }
        flush()
        return units
    }

    static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }

    /// Plain text of Markdown inline syntax: links and images keep their text, emphasis marks,
    /// block quotes and backslash escapes go.
    static func stripMarkdown(_ text: String) -> String {
        var result = text
        if result.hasPrefix(">") { result = String(result.drop { $0 == ">" || $0 == " " }) }
        result = result.replacingOccurrences(of: #"!\[([^\]]*)\]\([^)]*\)"#, with: "$1", options: .regularExpression)
        result = result.replacingOccurrences(of: #"\[([^\]]*)\]\([^)]*\)"#, with: "$1", options: .regularExpression)
        result = result.replacingOccurrences(of: #"(\*\*|__)(.+?)\1"#, with: "$2", options: .regularExpression)
        result = result.replacingOccurrences(of: #"(?<![\p{L}\p{N}])([*_])(\S(?:.*?\S)?)\1(?![\p{L}\p{N}])"#, with: "$2", options: .regularExpression)
        result = result.replacingOccurrences(of: #"\\([\\`*_{}\[\]()#+\-.!])"#, with: "$1", options: .regularExpression)
        return result
    }

    // MARK: Line shapes

    static func wordCount(_ text: String) -> Int { text.split(separator: " ").count }

    static func endsSentence(_ text: String) -> Bool {
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.last, "”’\")]*".unicodeScalars.contains(last) { scalars.removeLast() }
        guard let last = scalars.last else { return false }
        return ".!?…:;".unicodeScalars.contains(last)
    }

    static func startsCapitalized(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        return first.properties.isUppercase || first.properties.numericType != nil || "“‘\"'".unicodeScalars.contains(first)
    }

    static func isHeading(_ text: String) -> Bool {
        let words = wordCount(text)
        return words >= 1 && words <= 12 && text.count <= 100 && !endsSentence(text) && !text.hasSuffix(",")
            && startsCapitalized(text) && !isBoilerplate(text)
    }

    static func isTitleShaped(_ text: String) -> Bool {
        let words = wordCount(text)
        let letters = text.unicodeScalars.filter(\.properties.isAlphabetic)
        let allCaps = !letters.isEmpty && letters.allSatisfy { !$0.properties.isLowercase }
        return (3...24).contains(words) && !text.hasSuffix(".") && !text.contains(" | ") && !allCaps
            && startsCapitalized(text) && !isBoilerplate(text) && !isByline(text)
    }

    static func titleIndex(_ units: [Unit]) -> Int? {
        if let markdown = units.firstIndex(where: { $0.headingLevel == 1 && !$0.text.isEmpty }) { return markdown }
        if let byline = units.prefix(12).firstIndex(where: { $0.headingLevel == nil && isByline($0.text) }), byline > 0,
            isTitleShaped(units[byline - 1].text)
        {
            return byline - 1
        }
        return units.prefix(12).firstIndex { $0.headingLevel == nil && !$0.isImage && isTitleShaped($0.text) }
    }

    static func isByline(_ text: String) -> Bool {
        text.range(of: #"^(By|BY|by)\s+\p{Lu}"#, options: .regularExpression) != nil && wordCount(text) <= 16 && !endsSentence(text)
    }

    static let honorifics = ["Dr.", "Dr", "Prof.", "Professor", "Mr.", "Ms.", "Mrs.", "Sir", "Dame"]

    /// The people a byline names, without honorifics: "By Dr. Ana Ruiz and Tom Berg" → [Ana Ruiz, Tom Berg].
    static func names(inByline byline: String) -> [String] {
        let body = byline.replacingOccurrences(of: #"^(By|BY|by)\s+"#, with: "", options: .regularExpression)
        return body.components(separatedBy: ",").flatMap { $0.components(separatedBy: " and ") }
            .flatMap { $0.components(separatedBy: " & ") }
            .map { stripHonorific($0.trimmingCharacters(in: .whitespaces)) }
            .filter { !$0.isEmpty }
    }

    static func stripHonorific(_ name: String) -> String {
        var words = name.split(separator: " ").map(String.init)
        while let first = words.first, honorifics.contains(first), words.count > 1 { words.removeFirst() }
        return words.joined(separator: " ")
    }

    /// A line that only dates the article ("14 March 2026", "Published March 14, 2026 · Updated
    /// April 2, 2026", "5 min read"): the first date on it.
    static func dateLine(_ text: String) -> Date? {
        let line = text.trimmingCharacters(in: CharacterSet(charactersIn: "*_ "))
        let mentions = DateMention.all(in: line).filter { $0.precision == .day }
        guard let first = mentions.first else { return nil }
        var rest = ""
        var previous = 0
        let scalars = Array(line.unicodeScalars)
        for mention in mentions {
            rest.unicodeScalars.append(contentsOf: scalars[previous..<mention.range.lowerBound])
            previous = mention.range.upperBound
        }
        rest.unicodeScalars.append(contentsOf: scalars[previous...])
        let filler: Set<String> = ["published", "updated", "posted", "last", "on", "at", "min", "minute", "minutes", "read", "utc", "gmt"]
        let leftover = rest.lowercased().split { !$0.isLetter }.filter { !filler.contains(String($0)) }
        return leftover.count <= 1 ? first.date : nil
    }

    static func imageCreditLine(_ text: String) -> String? {
        for prefix in ["Image credit:", "Image:", "Photo:", "Photograph:", "Picture:"] where text.hasPrefix(prefix) {
            let credit = text.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            return credit.isEmpty ? nil : credit
        }
        return nil
    }

    /// "Name | Section" banners name the publication.
    static func bannerPublication(_ text: String) -> String? {
        guard let bar = text.range(of: " | ") else { return nil }
        let name = text[..<bar.lowerBound].trimmingCharacters(in: .whitespaces)
        return name.isEmpty || wordCount(name) > 8 ? nil : name
    }

    /// "This article was originally published in Name." and its variants.
    static func publicationLine(_ text: String) -> String? {
        let pattern = #"^(?:This (?:article|piece|brief|essay) (?:was|is|first) (?:originally |first )?(?:published|appeared)|(?:Originally|First) (?:published|appeared)|Published) (?:in|by|on) (?:the website of )?(.+?)\.?$"#
        guard let match = text.range(of: pattern, options: [.regularExpression, .caseInsensitive]) else { return nil }
        let line = String(text[match])
        let name = line.replacingOccurrences(of: pattern, with: "$1", options: [.regularExpression, .caseInsensitive])
            .trimmingCharacters(in: CharacterSet(charactersIn: " *_."))
        return name.isEmpty || wordCount(name) > 10 ? nil : name
    }

    /// A line that starts with the publication's name and a dash, colon or bar.
    static func isTagline(_ text: String, publication: String?) -> Bool {
        guard let publication, text.hasPrefix(publication) else { return false }
        let rest = text.dropFirst(publication.count).trimmingCharacters(in: .whitespaces)
        return rest.first.map { "—–-:|".contains($0) } ?? false
    }

    static func taglinePublication(_ line: String) -> String? {
        guard let dash = line.range(of: " — ") ?? line.range(of: " – ") else { return nil }
        let name = String(line[..<dash.lowerBound]).trimmingCharacters(in: .whitespaces)
        return (1...8).contains(wordCount(name)) && startsCapitalized(name) ? name : nil
    }

    /// Capitalized words that open sentences rather than names ("The Commission has …").
    static let sentenceStarters: Set<String> = [
        "The", "A", "An", "This", "That", "These", "Those", "Its", "Our", "Their", "His", "Her", "In", "On", "At", "For",
        "But", "And", "Yet", "So", "If", "When", "While", "After", "Before", "Since", "Such", "Each", "Every", "Most", "Many",
    ]

    static let bioVerbs = [
        "is", "was", "has", "holds", "received", "leads", "led", "directs", "directed", "heads", "served", "serves",
        "works", "worked", "teaches", "taught", "writes", "wrote", "researches", "covers", "joined", "earned", "studied",
    ]

    /// A closing paragraph that introduces a contributor: "Name is a …", "Dr. Name received …".
    static func bio(_ text: String, knownNames: [String]) -> Contributor? {
        guard endsSentence(text) else { return nil }
        let words = text.split(separator: " ").map(String.init)
        var start = 0
        while start < words.count - 1, honorifics.contains(words[start]) { start += 1 }
        for known in knownNames {
            let nameWords = known.split(separator: " ").map(String.init)
            if words.count > start + nameWords.count, Array(words[start..<(start + nameWords.count)]) == nameWords,
                bioVerbs.contains(words[start + nameWords.count])
            {
                return Contributor(name: known, bio: text)
            }
        }
        // Someone the byline does not name: two to four capitalized words, then a bio verb.
        for length in 2...4 where words.count > start + length {
            let candidate = words[start..<(start + length)]
            guard candidate.allSatisfy(startsCapitalized), bioVerbs.contains(words[start + length]) else { continue }
            // Without a byline to go by, only an honorific makes a closing paragraph a bio.
            guard !knownNames.isEmpty || start > 0 else { continue }
            guard !sentenceStarters.contains(candidate.first!) else { continue }
            return Contributor(name: candidate.joined(separator: " "), bio: text)
        }
        return nil
    }

    /// Lines that belong to the page, not the article.
    static func isBoilerplate(_ text: String) -> Bool {
        let lower = text.lowercased()
        let exact: Set<String> = [
            "advertisement", "advert", "sponsored", "menu", "search", "home", "log in", "login", "sign in", "share", "tweet",
            "print", "email", "close", "subscribe", "skip to content", "skip to main content", "back to top", "comments",
        ]
        if exact.contains(lower.trimmingCharacters(in: CharacterSet(charactersIn: " .:"))) { return true }
        let prefixes = [
            "comments are closed", "leave a comment", "post a comment", "add a comment", "read more:", "read more ›",
            "related:", "related articles", "see also:", "recommended:", "share this", "share on ", "share via ",
            "subscribe to ", "sign up ", "sign up:", "follow us", "support our ", "donate ", "skip to ", "all rights reserved",
            "©", "copyright ©", "the views expressed", "listen to this article", "this article is part of",
        ]
        if prefixes.contains(where: lower.hasPrefix) { return true }
        if lower.contains("cookie"),
            ["accept", "consent", "continue", "settings", "privacy", "agree"].contains(where: lower.contains)
        {
            return true
        }
        return false
    }
}

extension ParsedArticle {
    /// The article as a briefing revision with stable paragraph IDs.
    public func briefing(id: String, revisionNumber: Int = 1, sourceURL: String? = nil) -> Briefing {
        Briefing.assemble(
            id: id, revisionNumber: revisionNumber, publishedAt: publishedAt, title: title, byline: byline,
            publication: publication, imageCredit: imageCredit, sourceURL: sourceURL, contributors: contributors,
            sections: sections.map { ($0.heading, $0.paragraphs) })
    }
}
