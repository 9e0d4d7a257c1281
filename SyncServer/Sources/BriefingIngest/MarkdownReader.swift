import BriefingModel
import Foundation

/// Markdown (a CMS or note tool's export) into blocks: one per paragraph, heading, list item,
/// quote, rule or image; YAML front matter becomes metadata; footnote definitions and lists of
/// in-page links (a table of contents) are marked as not the article's.
public enum MarkdownReader {
    public static func read(_ source: String) -> SourceDocument {
        var lines = source.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        var metadata = SourceMetadata()
        var offset = 0
        if let (front, count) = frontMatter(lines) {
            metadata = front
            lines.removeFirst(count)
            offset = count
        } else if let (properties, range) = pageProperties(lines) {
            // A note tool's export (Notion): the page's properties under its title are its metadata.
            metadata = properties
            for index in range { lines[index] = "" }
        }
        let references = referenceDefinitions(lines)

        var blocks: [SourceBlock] = []
        var block: [String] = []
        var blockStart = 0
        var blockIsList = false
        func flush() {
            guard !block.isEmpty else { return }
            defer { block = [] }
            let raw = block.joined(separator: "\n")
            let isList = blockIsList
            let isQuote = block.allSatisfy { $0.hasPrefix(">") }
            // "> [!note] Farid" / "> Can we get a number …": a note tool's callout, an editor's note beside the text.
            let callout = isQuote && block.first.map { $0.range(of: #"^>\s*\[![A-Za-z-]+\][+-]?"#, options: .regularExpression) != nil } == true
            // Each list item is a block of its own; quote and list markers belong to every line.
            let unquoted = block.map { $0.replacingOccurrences(of: #"^(\s*>\s?)+"#, with: "", options: .regularExpression) }
            // (A paragraph's raw "<br>" breaks it into lines, each a block: "**Maintained by** … <br>First published …".)
            let items: [String] =
                isList
                ? splitItems(unquoted)
                : unquoted.joined(separator: " ")
                    .replacingOccurrences(of: #"(?i)<br\s*/?>"#, with: "\u{1}", options: .regularExpression)
                    .components(separatedBy: "\u{1}").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            for item in items {
                let stripped = item.replacingOccurrences(
                    of: #"^(\s*>\s?)+|^\s*([-*+]|\d{1,3}[.)])\s+"#, with: "", options: .regularExpression
                )
                .replacingOccurrences(of: #"\n\s*>\s?"#, with: " ", options: .regularExpression)
                let plain = TextNormalizer.normalize(inline(stripped))
                guard !plain.isEmpty else { continue }
                var unit = SourceBlock(text: plain, raw: isList ? item : raw, line: blockStart + offset)
                unit.markup = isList ? .listItem : isQuote ? .quote : .plain
                unit.linkDensity = linkDensity(stripped)
                if callout {
                    unit.chrome = true
                    unit.furniture = "a callout beside the text"
                }
                let trimmed = stripped.trimmingCharacters(in: .whitespacesAndNewlines)
                unit.emphasized =
                    !isList && !isQuote
                    && (trimmed.range(of: #"^(\*\*|__)[^*_\n]+(\*\*|__)$"#, options: .regularExpression) != nil)
                if stripped.range(of: #"^\[\^[^\]]+\]:"#, options: .regularExpression) != nil {
                    unit.furniture = "a footnote"
                } else if isList, isInPageLink(stripped) {
                    unit.furniture = "a table of contents entry"
                } else if references.contains(where: { stripped.hasPrefix("[\($0)]:") }) {
                    unit.furniture = "a link reference"
                }
                blocks.append(unit)
            }
        }
        var inFence = false
        var asideStart: Int?
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                flush()
                inFence.toggle()
                continue
            }
            if inFence {
                blocks.append(
                    SourceBlock(text: TextNormalizer.normalize(line), raw: line, line: index + 1 + offset, markup: .preformatted))
                continue
            }
            let startsItem = trimmed.range(of: #"^([-*+]|\d{1,3}[.)])\s+"#, options: .regularExpression) != nil
            if trimmed.isEmpty {
                flush()
            } else if let level = headingLevel(trimmed) {
                flush()
                let heading = String(trimmed.drop { $0 == "#" }).replacingOccurrences(
                    of: #"\s+#+\s*$"#, with: "", options: .regularExpression
                )
                .replacingOccurrences(of: #"\s*\{[#.][^}]*\}\s*$"#, with: "", options: .regularExpression)
                var unit = SourceBlock(text: TextNormalizer.normalize(inline(heading)), raw: trimmed, line: index + 1 + offset)
                unit.markup = .heading(level: level)
                blocks.append(unit)
            } else if trimmed.allSatisfy({ "-*_ ".contains($0) }) && trimmed.filter({ $0 != " " }).count >= 3 {
                flush()
                blocks.append(SourceBlock(text: "", raw: trimmed, line: index + 1 + offset, markup: .rule))
            } else if let shortcode = figureShortcode(trimmed) {
                // `{{< figure src="…" caption="…" credit="…" >}}`: an image and its caption.
                flush()
                blocks.append(SourceBlock(text: "", raw: trimmed, line: index + 1 + offset, markup: .image))
                if !shortcode.isEmpty {
                    blocks.append(SourceBlock(text: shortcode, raw: trimmed, line: index + 1 + offset, markup: .caption))
                }
            } else if trimmed.hasPrefix("{{") || trimmed.hasPrefix("{%") {
                flush()  // another shortcode or template tag: not text
            } else if trimmed.range(of: #"^!\[[^\]]*\]\([^)]*\)$"#, options: .regularExpression) != nil {
                flush()
                blocks.append(SourceBlock(text: "", raw: trimmed, line: index + 1 + offset, markup: .image))
                // `![Photo: Towers at dusk (Ana Ruiz)](…)`: an export that keeps the caption and credit in the alt text.
                if let alt = trimmed.range(of: #"(?<=^!\[)[^\]]+(?=\])"#, options: .regularExpression).map({ String(trimmed[$0]) }),
                    LineShapes.credit(alt) != nil
                {
                    blocks.append(
                        SourceBlock(text: TextNormalizer.normalize(alt), raw: trimmed, line: index + 1 + offset, markup: .caption))
                }
            } else if trimmed.lowercased() == "<aside>" || trimmed.lowercased() == "</aside>" {
                // A note tool's callout (`<aside>` … `</aside>`): an editor's note beside the text.
                flush()
                if trimmed.lowercased() == "<aside>" {
                    asideStart = blocks.count
                } else if let start = asideStart {
                    for inside in start..<blocks.count { blocks[inside].chrome = true }
                    asideStart = nil
                }
            } else if trimmed.range(of: #"^\[[^\]^]+\]:\s*\S+"#, options: .regularExpression) != nil {
                flush()
                var unit = SourceBlock(text: TextNormalizer.normalize(trimmed), raw: trimmed, line: index + 1 + offset)
                unit.furniture = "a link reference"
                blocks.append(unit)
            } else {
                // A hard line break (two trailing spaces or a backslash) ends the block, like <br>.
                if let last = block.last, !blockIsList, last.hasSuffix("  ") || last.hasSuffix("\\") {
                    if last.hasSuffix("\\") { block[block.count - 1] = String(last.dropLast()) }
                    flush()
                }
                if block.isEmpty {
                    blockStart = index + 1
                    blockIsList = startsItem
                } else if startsItem != blockIsList && !line.hasPrefix(" ") {
                    // A list right after a paragraph line (or the other way round) is a new block.
                    flush()
                    blockStart = index + 1
                    blockIsList = startsItem
                }
                block.append(line)
            }
        }
        flush()
        // A clipped page's heading keeps its <title>'s site: "Should shops take cash? | Counterfoil",
        // when the page's address spells the site.
        if let first = blocks.firstIndex(where: { $0.headingLevel == 1 }),
            let (title, site) = LineShapes.siteAfterTitle(blocks[first].text, url: metadata.url)
        {
            blocks[first].text = title
            if metadata.publication == nil {
                metadata.publication = site
                metadata.publicationSource = "the site named after the title"
            }
        }
        // A line of emphasis right under an image is its caption.
        for index in blocks.indices.dropFirst() where blocks[index - 1].markup == .image && blocks[index].markup == .plain {
            if blocks[index].raw.range(of: #"^[*_].*[*_]$"#, options: .regularExpression) != nil || blocks[index].text.count < 160
            {
                blocks[index].markup = .caption
            }
        }
        return SourceDocument(format: .markdown, blocks: blocks, metadata: metadata)
    }

    /// The caption and credit of a Hugo-style figure shortcode, or nil for another line.
    static func figureShortcode(_ line: String) -> String? {
        guard line.range(of: #"^\{\{[<%]\s*figure\b"#, options: .regularExpression) != nil else { return nil }
        func attribute(_ name: String) -> String? {
            guard let range = line.range(of: name + #"\s*=\s*"[^"]*""#, options: .regularExpression) else { return nil }
            let value = line[range].drop { $0 != "\"" }.dropFirst().dropLast()
            return value.isEmpty ? nil : TextNormalizer.normalize(String(value))
        }
        // The credit, labelled, is what the caption block carries; else the caption itself.
        if let credit = attribute("credit") ?? attribute("attr") {
            return LineShapes.credit(credit) != nil ? credit : "Credit: \(credit)"
        }
        return attribute("caption") ?? attribute("title") ?? ""
    }

    static func splitItems(_ lines: [String]) -> [String] {
        var items: [String] = []
        for line in lines {
            if line.trimmingCharacters(in: .whitespaces).range(of: #"^([-*+]|\d{1,3}[.)])\s+"#, options: .regularExpression)
                != nil
                || items.isEmpty
            {
                items.append(line.trimmingCharacters(in: .whitespaces))
            } else {
                items[items.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            }
        }
        return items
    }

    static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }

    /// Plain text of Markdown inline syntax: links and images keep their text, emphasis marks,
    /// footnote references, inline code marks and backslash escapes go.
    static func inline(_ text: String) -> String {
        var result = text
        // A note tool's wiki links: "[[Additionality|additionality]]" reads "additionality", "[[Fieldwork Quarterly]]" its name.
        result = result.replacingOccurrences(of: #"\[\[[^\]|]+\|([^\]]+)\]\]"#, with: "$1", options: .regularExpression)
        result = result.replacingOccurrences(of: #"\[\[([^\]]+)\]\]"#, with: "$1", options: .regularExpression)
        result = result.replacingOccurrences(of: #"\[\^[^\]]+\]:?"#, with: "", options: .regularExpression)
        result = result.replacingOccurrences(of: #"!\[([^\]]*)\]\([^)]*\)"#, with: "$1", options: .regularExpression)
        result = result.replacingOccurrences(of: #"\[([^\]]*)\]\([^)]*\)"#, with: "$1", options: .regularExpression)
        result = result.replacingOccurrences(of: #"\[([^\]]+)\]\[[^\]]*\]"#, with: "$1", options: .regularExpression)
        result = result.replacingOccurrences(of: #"<(https?://[^>]+)>"#, with: "$1", options: .regularExpression)
        // Raw HTML in the Markdown: its tags go, its entities are decoded.
        if result.contains("<") || result.contains("&") {
            result = HTMLEntities.decode(
                result.replacingOccurrences(of: #"</?[a-zA-Z][^>]*>"#, with: "", options: .regularExpression))
        }
        result = result.replacingOccurrences(of: #"(\*\*|__)(.+?)\1"#, with: "$2", options: .regularExpression)
        result = result.replacingOccurrences(
            of: #"(?<![\p{L}\p{N}*_])([*_])(\S(?:.*?\S)?)\1(?![\p{L}\p{N}*_])"#, with: "$2", options: .regularExpression)
        result = result.replacingOccurrences(of: #"`([^`]*)`"#, with: "$1", options: .regularExpression)
        result = result.replacingOccurrences(of: #"\\([\\`*_{}\[\]()#+\-.!])"#, with: "$1", options: .regularExpression)
        return result
    }

    /// Part of the text that is link text.
    static func linkDensity(_ text: String) -> Double {
        let plain = TextNormalizer.normalize(inline(text))
        guard !plain.isEmpty else { return 0 }
        let regex = LineShapes.regex(#"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])"#)
        var linked = 0
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            if let range = Range(match.range(at: 1), in: text) {
                linked += TextNormalizer.normalize(inline(String(text[range]))).count
            }
        }
        return min(1, Double(linked) / Double(plain.count))
    }

    static func isInPageLink(_ item: String) -> Bool {
        item.range(of: #"^\s*\[[^\]]+\]\(#[^)]*\)\s*$"#, options: .regularExpression) != nil
    }

    static func referenceDefinitions(_ lines: [String]) -> [String] {
        lines.compactMap { line in
            guard let match = line.range(of: #"^\s*\[[^\]^]+\]:"#, options: .regularExpression) else { return nil }
            return String(line[match]).trimmingCharacters(in: CharacterSet(charactersIn: " []:"))
        }
    }

    // MARK: Front matter

    /// YAML front matter between `---` lines: the scalar keys and simple lists an export writes.
    /// "Author: Ana Ruiz", "Publish date: July 16, 2025", … : three or more property lines right
    /// under the page's `# Title`, as a note tool exports a database page.
    static func pageProperties(_ lines: [String]) -> (SourceMetadata, Range<Int>)? {
        guard let titleLine = lines.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }),
            headingLevel(lines[titleLine].trimmingCharacters(in: .whitespaces)) == 1
        else { return nil }
        var start = titleLine + 1
        while start < lines.count, lines[start].trimmingCharacters(in: .whitespaces).isEmpty { start += 1 }
        var end = start
        let property = LineShapes.regex(#"^\p{Lu}[\p{L}0-9 ()/-]{0,30}:\s+\S"#)
        while end < lines.count, property.firstMatch(in: lines[end], range: NSRange(lines[end].startIndex..., in: lines[end])) != nil {
            end += 1
        }
        // (Three "Brent: $82.10" lines are a table of prices: the block must use a note tool's own keys.)
        let known: Set<String> = [
            "status", "author", "authors", "created", "created time", "last edited time", "last edited", "tags", "date",
            "publish date", "published", "publication", "slug", "canonical url", "url", "category", "section", "type",
            "editor", "owner", "word count", "source", "assignee", "property",
        ]
        let keys = lines[start..<end].map { key -> String in
            let name = String(key[..<key.firstIndex(of: ":")!]).lowercased()
            return localisedPropertyKeys[name] ?? name
        }
        guard end - start >= 3, keys.filter(known.contains).count >= 2 else { return nil }
        let body = zip(keys, lines[start..<end]).map { key, line -> String in
            // "Publish date" → "publish_date", so the keys read like front matter's.
            key.replacingOccurrences(of: " ", with: "_") + line[line.firstIndex(of: ":")!...]
        }
        return (metadata(from: Array(body), source: "the page's properties"), start..<end)
    }

    /// A note tool's property names in its Spanish, French, Portuguese and German workspaces, as the
    /// English keys above: "Fecha de publicación" is "publish date", "Etiquetas" is "tags".
    static let localisedPropertyKeys: [String: String] = [
        "estado": "status", "autor": "author", "autores": "authors", "autora": "author", "fecha": "date",
        "fecha de publicación": "publish date", "publicado": "published", "tipo": "type", "etiquetas": "tags",
        "categoría": "category", "sección": "section", "última edición": "last edited", "creado": "created",
        "fuente": "source", "responsable": "owner", "idioma": "language",
        "statut": "status", "auteur": "author", "auteurs": "authors", "autrice": "author", "date de publication": "publish date",
        "publié": "published", "étiquettes": "tags", "catégorie": "category", "rubrique": "section",
        "dernière modification": "last edited", "créé": "created", "langue": "language",
        "data": "date", "data de publicação": "publish date", "categoria": "category",
        "seção": "section", "última edição": "last edited", "criado": "created", "fonte": "source",
        "datum": "date", "veröffentlicht": "published", "veröffentlichungsdatum": "publish date", "typ": "type",
        "schlagwörter": "tags", "kategorie": "category", "rubrik": "section", "zuletzt bearbeitet": "last edited",
        "erstellt": "created", "quelle": "source", "sprache": "language",
    ]

    static func frontMatter(_ lines: [String]) -> (SourceMetadata, Int)? {
        // YAML between `---` lines, or TOML between `+++` lines (`key = "value"`).
        let fence = lines.first?.trimmingCharacters(in: .whitespaces)
        guard fence == "---" || fence == "+++",
            let end = lines.dropFirst().firstIndex(where: {
                fence == "+++"
                    ? $0.trimmingCharacters(in: .whitespaces) == "+++"
                    : ["---", "..."].contains($0.trimmingCharacters(in: .whitespaces))
            })
        else { return nil }
        let body =
            fence == "+++"
            ? lines[1..<end].map {
                $0.replacingOccurrences(of: #"^(\s*[A-Za-z_][\w-]*)\s*=\s*"#, with: "$1: ", options: .regularExpression)
            }
            : Array(lines[1..<end])
        return (metadata(from: body, source: "front matter"), end + 1)
    }

    /// Metadata from `key: value` lines (YAML, TOML made YAML-like, or exported page properties).
    static func metadata(from body: [String], source: String) -> SourceMetadata {
        var values: [String: [String]] = [:]
        var key: String?
        var nestedBios: [(name: String?, bio: String)] = []
        for line in body {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            // TOML's `[cover]` table, YAML's `cover:` map: a picture's caption or credit under it.
            if trimmed.hasPrefix("["), trimmed.hasSuffix("]"), !trimmed.contains(",") {
                key = String(trimmed.dropFirst().dropLast()).lowercased()
                continue
            }
            if let key, ["cover", "image", "featured_image", "feature_image", "hero", "header", "thumbnail", "params.cover"]
                .contains(key),
                let colon = trimmed.firstIndex(of: ":"), line.hasPrefix(" ") || line.hasPrefix("\t") || body.contains("[\(key)]"),
                ["caption", "credit"].contains(trimmed[..<colon].trimmingCharacters(in: .whitespaces).lowercased())
            {
                values["cover_credit"] = [unquote(String(trimmed[trimmed.index(after: colon)...]))]
                continue
            }
            // (`- name: Ana Ruiz` under `authors:` is a map, read by the `name:` branch below.)
            if trimmed.hasPrefix("- "), let key, !trimmed.hasPrefix("- name:") {
                values[key, default: []].append(unquote(String(trimmed.dropFirst(2))))
            } else if let colon = line.firstIndex(of: ":"), !line.hasPrefix(" ") {
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                key = name
                if value.hasPrefix("{") && value.hasSuffix("}"),
                    let inner = value.range(of: #"name\s*[:=]\s*("[^"]*"|'[^']*'|[^,}]+)"#, options: .regularExpression)
                {
                    // `author: {name: Ana Ruiz, url: …}`
                    values[name] = [unquote(String(value[inner].drop(while: { $0 != ":" && $0 != "=" }).dropFirst()))]
                } else if value.hasPrefix("[") && value.hasSuffix("]") {
                    values[name] = value.dropFirst().dropLast().split(separator: ",").map { unquote(String($0)) }
                } else if !value.isEmpty {
                    values[name] = [unquote(value)]
                }
            } else if key != nil, line.hasPrefix(" "), trimmed.hasPrefix("bio:") || trimmed.hasPrefix("description:") {
                nestedBios.append((values[key!]?.last, unquote(String(trimmed.drop(while: { $0 != ":" }).dropFirst()))))
            } else if let key, line.hasPrefix(" "), trimmed.hasPrefix("name:") || trimmed.hasPrefix("- name:") {
                // `authors:` given as a list of maps: `- name: Ana Ruiz`.
                values[key, default: []].append(unquote(String(trimmed.drop(while: { $0 != ":" }).dropFirst())))
            }
        }
        var metadata = SourceMetadata()
        for (name, bio) in nestedBios {
            if let name, !bio.isEmpty { metadata.bios[name] = TextNormalizer.normalize(bio) }
        }
        for name in ["canonical_url", "canonical", "url", "source_url", "link", "source"] {
            if let value = values[name]?.first, value.hasPrefix("http") {
                metadata.url = value
                break
            }
        }
        // ("headline:", as some static-site themes name it after schema.org.)
        if var title = (values["title"] ?? values["headline"])?.first, !title.isEmpty {
            // A web clipper keeps the page's <title>: "Should shops take cash? | Counterfoil".
            if let (bare, site) = LineShapes.siteAfterTitle(title, url: metadata.url) {
                title = bare
                if values["site"] == nil && values["publication"] == nil { values["site_name"] = values["site_name"] ?? [site] }
            }
            metadata.title = title
            metadata.titleSource = source
        }
        for name in ["authors", "author", "byline", "contributors", "writers", "writer"] {
            if let authors = values[name]?.flatMap(Names.split(list:)), !authors.isEmpty {
                metadata.authors = authors
                metadata.authorsSource = "\(source) `\(name)`"
                break
            }
        }
        // A draft ("status: draft", "in-review") has no publication date, whatever it was created on.
        let draft = values["status"]?.first.map {
            LineShapes.matches(
                #"^(?i:draft|in[- ]?review|in[- ]?progress|todo|to do|wip|editing|unpublished|idea|borrador|brouillon|rascunho|entwurf)$"#,
                $0)
        } ?? false
        for name in [
            "date", "published", "published_at", "publishdate", "publish_date", "publication_date", "date_published",
            "pubdate", "created",
        ] where !draft || !["created", "date"].contains(name) {
            if let text = values[name]?.first, let date = MetadataDate.parse(text) {
                metadata.published = date
                metadata.publishedSource = "\(source) `\(name)`"
                break
            }
        }
        // (Then any key that names a blog or a journal by its last word: "group_blog", "journal_title".)
        let named = values.keys.filter {
            let parts = $0.lowercased().split { $0 == "_" || $0 == "-" }
            return parts.count >= 2 && ["blog", "publication", "newsletter", "journal", "magazine"].contains(String(parts.last!))
                || parts.count >= 2 && ["blog", "journal", "magazine", "publication"].contains(String(parts.first!))
                    && ["name", "title"].contains(String(parts.last!))
        }.sorted()
        for name in ["publication", "site", "site_name", "publisher", "source", "newsletter", "blog", "journal", "magazine"] + named {
            if let value = values[name]?.first, !value.isEmpty, !value.contains("://") {
                metadata.publication = value
                metadata.publicationSource = "\(source) `\(name)`"
                break
            }
        }
        for name in ["image_credit", "imagecredit", "image-credit", "credit", "photo_credit", "cover_credit"] {
            if let value = values[name]?.first, !value.isEmpty {
                metadata.imageCredit = value
                metadata.imageCreditSource = "\(source) `\(name)`"
                break
            }
        }
        return metadata
    }

    static func unquote(_ value: String) -> String {
        var text = value.trimmingCharacters(in: .whitespaces)
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
            text = String(text.dropFirst().dropLast())
        }
        return text
    }
}
