import BriefingModel
import CLibXML2
import Foundation

/// A saved HTML page into blocks and metadata, with libxml2's forgiving HTML parser.
///
/// - **Metadata**: schema.org JSON-LD (`headline`, `author`, `datePublished`, `publisher`, `image`,
///   also inside `@graph` and by `@id` reference), OpenGraph (`og:title`, `og:site_name`,
///   `article:published_time`), `meta name=author`, `<title>` without the site's suffix, the
///   canonical URL.
/// - **Blocks**: one per paragraph, heading, list item, quote, caption; a `<br>` splits a block.
/// - **Dropped**: scripts, styles, forms and controls, hidden elements; and page chrome —
///   `nav`, `aside`, `dialog`, a `header` without the page's `h1`, a `footer` outside the
///   article, landmark roles for navigation and banners, and containers whose class or id names
///   share bars, related links, comments, newsletter prompts, cookie notices, ads, menus or
///   breadcrumbs. What was dropped is returned as blocks marked chrome, so a report can list it.
public enum HTMLReader {
    public static func read(_ source: String) throws(ImportError) -> SourceDocument {
        guard
            source.range(of: #"<\s*(html|body|head|p|div|article|h1|title)\b"#, options: [.regularExpression, .caseInsensitive])
                != nil
        else {
            throw ImportError("the file does not look like HTML (no <html>, <body> or block elements); import it as .txt or .md")
        }
        // A saved page ends with its closing tags; one that starts as a page and lacks them was cut short.
        let head = source.prefix(1024).lowercased()
        if head.contains("<!doctype html") || head.contains("<html"),
            source.range(of: "</html>", options: [.caseInsensitive, .backwards]) == nil,
            source.range(of: "</body>", options: [.caseInsensitive, .backwards]) == nil
        {
            throw ImportError("the page looks cut short: it has neither </body> nor </html>; save the whole page again")
        }
        let options = Int32(
            HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
        let count = source.utf8.count
        guard let document = source.withCString({ htmlReadMemory($0, Int32(count), nil, "UTF-8", options) }) else {
            throw ImportError("the HTML could not be parsed")
        }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { throw ImportError("the HTML has no root element") }

        var walker = Walker()
        walker.hasArticle = contains(root, element: "article") || contains(root, element: "main")
        walker.collectMetadata(root)
        walker.walk(root, Context())
        walker.flush()
        // `article` elements that are only teaser cards ("related posts" in a grid), or a `main`
        // that misses the text: when most of the page's prose is outside them, they do not mark the article.
        func prose(_ inside: Bool) -> Int {
            walker.blocks.filter { $0.outsideArticle != inside && !$0.chrome && $0.text.split(separator: " ").count >= 15 }
                .reduce(0) { $0 + $1.text.count }
        }
        if walker.hasArticle, prose(true) * 2 < prose(false) {
            for index in walker.blocks.indices { walker.blocks[index].outsideArticle = false }
        }
        var metadata = walker.metadata()
        if metadata.published == nil, let time = walker.firstTime {
            metadata.published = time
            metadata.publishedSource = "the page's first <time datetime>"
        }
        return SourceDocument(format: .html, blocks: walker.blocks, metadata: metadata)
    }

    struct Context {
        var markup: SourceBlock.Markup = .plain
        var chrome: String?
        var inLink = false
        var inArticle = false
        var bylineHint = false
        var bioBox = false
        var inBold = false
    }

    static let skipped: Set<String> = [
        "script", "style", "noscript", "template", "svg", "iframe", "button", "input", "select", "textarea", "option", "canvas",
        "video", "audio", "object", "embed", "map", "head", "link", "meta", "img", "picture", "source", "math", "label",
    ]
    static let blockElements: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote", "figcaption", "pre", "address", "td", "th",
        "caption", "summary", "div", "section", "article", "main", "header", "footer", "figure", "ul", "ol", "dl", "table", "tr",
        "hr", "body", "html", "nav", "aside", "form", "fieldset", "legend", "details", "center", "hgroup",
    ]
    /// Class and id words of page chrome (the split words of `share-buttons`, `jp-relatedposts`, …).
    static let chromeWords: Set<String> = [
        "share", "sharing", "sharedaddy", "sharethis", "social", "related", "relatedposts", "comment", "comments", "respond",
        "newsletter", "subscribe", "subscription", "signup", "cookie", "cookies", "consent", "gdpr", "advert", "advertisement",
        "ad", "ads", "adslot", "promo", "sponsor", "sponsored", "breadcrumb", "breadcrumbs", "menu", "navbar", "nav",
        "navigation",
        "sidebar", "widget", "widgets", "popup", "modal", "skip", "toolbar", "pagination", "pager", "outbrain", "taboola",
        "trending", "popular", "mostread", "paywall", "donate", "footnotes", "cta",
        "tags", "tagcloud", "subnav", "dropdown", "search", "login", "print", "actions", "reactions", "likes", "like",
    ]
    /// Classes that hide an element from view (screen-reader text among them).
    static let hiddenClasses: Set<String> = [
        "hidden", "is-hidden", "u-hidden", "visually-hidden", "visuallyhidden", "sr-only", "screen-reader-text",
        "screen-reader-only", "offscreen", "d-none", "hide", "invisible", "element-invisible",
    ]

    /// Chrome words that outweigh a class's `content` or `body` (not `paywall`: "paywall-content" is
    /// the metered article itself, where "paywall-prompt" is chrome).
    static let strongChromeWords: Set<String> = [
        "share", "sharing", "sharedaddy", "sharethis", "social", "related", "relatedposts", "comment", "comments", "respond",
        "newsletter", "subscribe", "subscription", "signup", "cookie", "cookies", "consent", "gdpr", "advert", "advertisement",
        "ad", "ads", "adslot", "promo", "sponsor", "sponsored", "breadcrumb", "breadcrumbs", "menu", "navbar", "nav",
        "navigation",
        "sidebar", "widget", "widgets", "popup", "modal", "outbrain", "taboola", "mostread", "cta",
    ]
    static let chromeRoles: Set<String> = [
        "navigation", "contentinfo", "complementary", "dialog", "alertdialog", "search", "menu", "menubar", "toolbar", "banner",
    ]

    struct Walker {
        var blocks: [SourceBlock] = []
        var buffer = ""
        var linked = 0
        /// Characters of the buffer set in bold.
        var bold = 0
        var bufferContext = Context()
        var bufferLine = 0
        var meta: [String: String] = [:]
        /// Every value of a meta key that may repeat (`citation_author`, `article:author`).
        var metaAll: [String: [String]] = [:]
        /// Microdata in the page (`itemprop="headline"`, `"author"`, `"datePublished"`).
        var microdata: [String: [String]] = [:]
        var titleText: String?
        var canonical: String?
        /// The titles of the page's news feeds ("Workbench Notes - Atom", "Ledger » Feed").
        var feedTitles: [String] = []
        var jsonLD: [[String: Any]] = []
        var firstTime: Date?
        /// The page marks its content with `article` or `main`.
        var hasArticle = false
        /// Where the last link ended in the buffer, to tell adjacent links apart.
        var lastLinkEnd: Int?
        /// Where the last inline element ended in the buffer, to tell adjacent ones apart.
        var lastInlineEnd: Int?

        mutating func flush() {
            let text = TextNormalizer.normalize(buffer)
            defer {
                buffer = ""
                linked = 0
                bold = 0
            }
            guard !text.isEmpty else { return }
            var block = SourceBlock(text: text, raw: text, line: bufferLine, markup: bufferContext.markup)
            block.emphasized = bold >= text.count && text.contains(where: \.isLetter)
            block.linkDensity = min(1, Double(linked) / Double(max(1, text.count)))
            block.outsideArticle = hasArticle && !bufferContext.inArticle
            block.bylineHint = bufferContext.bylineHint
            block.bioBoxHint = bufferContext.bioBox
            if let chrome = bufferContext.chrome {
                block.chrome = true
                block.furniture = chrome
            }
            blocks.append(block)
        }

        mutating func append(_ text: String, _ context: Context, line: Int) {
            if TextNormalizer.normalize(buffer).isEmpty {
                bufferContext = context
                bufferLine = line
                buffer = ""
                linked = 0
            }
            buffer += text
            if context.inLink { linked += TextNormalizer.normalize(text).count }
            if context.inBold {
                bold += TextNormalizer.normalize(text).count + (text.first?.isWhitespace == true ? 1 : 0) + (text.last?.isWhitespace == true ? 1 : 0)
            }
        }

        mutating func walk(_ node: xmlNodePtr, _ inherited: Context) {
            var child = node.pointee.children
            while let current = child {
                visit(current, inherited)
                child = current.pointee.next
            }
        }

        mutating func visit(_ node: xmlNodePtr, _ inherited: Context) {
            switch node.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = node.pointee.content {
                    append(String(cString: content), inherited, line: Int(xmlGetLineNo(node)))
                }
                return
            case XML_ELEMENT_NODE:
                break
            default:
                return
            }
            let name = HTMLReader.name(of: node)
            if HTMLReader.skipped.contains(name) { return }
            if name == "br" {
                flush()
                return
            }
            if name == "time", firstTime == nil, inherited.chrome == nil, let value = HTMLReader.attribute(node, "datetime") {
                firstTime = MetadataDate.parse(value)
            }
            if name == "sup", let text = HTMLReader.text(of: node), text.count <= 4,
                text.allSatisfy({ $0.isNumber || "[]()*†‡".contains($0) })
            {
                return  // a footnote marker
            }
            var context = inherited
            if context.chrome == nil, let reason = HTMLReader.chromeReason(node, name: name, inArticle: inherited.inArticle) {
                context.chrome = reason
            }
            if name == "article" || name == "main" || HTMLReader.attribute(node, "role") == "main" { context.inArticle = true }
            // A blog platform that wraps the whole page in widgets (Blogger's "widget Blog") marks
            // the post itself with microdata: inside it, only the post's own chrome is chrome.
            if inherited.chrome != nil, HTMLReader.marksArticle(node) {
                context.chrome = HTMLReader.chromeReason(node, name: name, inArticle: true)
                context.inArticle = true
            }
            if !context.bioBox, context.inArticle || inherited.inArticle, HTMLReader.namesBioBox(node) { context.bioBox = true }
            if !context.bylineHint {
                let names = [
                    HTMLReader.attribute(node, "class"), HTMLReader.attribute(node, "id"), HTMLReader.attribute(node, "itemprop"),
                    HTMLReader.attribute(node, "rel"),
                ]
                .compactMap { $0?.lowercased() }.joined(separator: " ")
                let words = names.split { !$0.isLetter }.map(String.init)
                if words.contains(where: {
                    ["byline", "author", "authors", "contributor", "contributors", "writer", "byl"].contains($0)
                })
                    && !words.contains(where: {
                        ["bio", "biography", "description", "box", "about", "avatar", "profile"].contains($0)
                    })
                {
                    context.bylineHint = true
                }
            }
            // (An anchor without an address is a target, not a link: Word's `<a name="_Toc…">` round a heading.)
            if name == "a", let href = HTMLReader.attribute(node, "href") {
                context.inLink = true
                // A name linking to its writer's page ("/author/ana-ruiz/", "substack.com/@anaruiz") is a byline's.
                if context.chrome == nil,
                    href.range(of: #"(?i)/(?:@[\w.-]+|(?:author|authors|people|profile|profiles|staff|contributor|contributors|writer|writers|experts?)/[\w.%-]+)/?(?:[?#].*)?$"#, options: .regularExpression) != nil
                {
                    context.bylineHint = true
                }
                // Authors listed as adjacent links ("<a>Ana Ruiz</a> <a>Tom Berg</a>") are separate names.
                if context.bylineHint, let end = lastLinkEnd, end <= buffer.count,
                    buffer.dropFirst(end).allSatisfy(\.isWhitespace), !TextNormalizer.normalize(buffer).isEmpty
                {
                    while buffer.last?.isWhitespace == true { buffer.removeLast() }
                    buffer += ", "
                }
            }
            if name == "strong" || name == "b" { context.inBold = true }
            switch name {
            case "h1", "h2", "h3", "h4", "h5", "h6": context.markup = .heading(level: Int(String(name.last!))!)
            case "li", "dd", "dt": if case .plain = context.markup { context.markup = .listItem }
            case "blockquote":
                context.markup = .quote
                // A quotation set as a figure of its own ("<figure class="block--quote"><blockquote>") is a pull quote.
                // (With a caption naming who said it, it is a quotation of the text's: "— Finance director at …".)
                if context.chrome == nil, let parent = node.pointee.parent, HTMLReader.name(of: parent) == "figure",
                    !HTMLReader.contains(parent, element: "figcaption")
                {
                    context.chrome = "a pull quote"
                }
            case "figcaption", "caption": context.markup = .caption
            case "pre": context.markup = .preformatted
            case "hr":
                flush()
                blocks.append(SourceBlock(text: "", raw: "<hr>", line: Int(xmlGetLineNo(node)), markup: .rule))
                return
            default: break
            }
            let isBlock = HTMLReader.blockElements.contains(name)
            if isBlock { flush() }
            // Inline elements side by side with no space between ("<time>June 13, 2025</time><time>June
            // 14, 2025</time>", "<span>7:45 PM CST</span><span>Updated …</span>") are set apart on the page
            // by its style sheet: a space keeps their words apart ("CSTUpdated"). (Not inside a word:
            // "<span>Wo</span><span>rd</span>" goes on in lower case.)
            if !isBlock, let end = lastInlineEnd, end == buffer.count, let last = buffer.last,
                last.isLetter || last.isNumber || ".!?)".contains(last),
                let first = HTMLReader.text(of: node)?.first, first.isUppercase || first.isNumber
            {
                buffer += " "
            }
            walk(node, context)
            if isBlock { flush() }
            lastLinkEnd = name == "a" ? buffer.count : (isBlock ? nil : lastLinkEnd)
            lastInlineEnd = isBlock ? nil : buffer.count
        }

        // MARK: Metadata

        /// (`inComments`: inside a comment thread or a list of other articles, whose authors are not the article's.)
        mutating func collectMetadata(_ node: xmlNodePtr, inComments: Bool = false) {
            var child: xmlNodePtr? = node
            while let current = child {
                if current.pointee.type == XML_ELEMENT_NODE {
                    let name = HTMLReader.name(of: current)
                    switch name {
                    case "meta":
                        let key =
                            (HTMLReader.attribute(current, "property") ?? HTMLReader.attribute(current, "name")
                            ?? HTMLReader.attribute(current, "itemprop"))?.lowercased()
                        if let key, let content = HTMLReader.attribute(current, "content") {
                            if meta[key] == nil { meta[key] = TextNormalizer.normalize(content) }
                            metaAll[key, default: []].append(TextNormalizer.normalize(content))
                        }
                    case "title":
                        if titleText == nil { titleText = HTMLReader.text(of: current).map(TextNormalizer.normalize) }
                    case "link":
                        let rel = HTMLReader.attribute(current, "rel")?.lowercased()
                        if rel == "canonical" {
                            canonical = HTMLReader.attribute(current, "href")
                        }
                        if rel == "alternate", let type = HTMLReader.attribute(current, "type")?.lowercased(),
                            type.contains("rss") || type.contains("atom"), let title = HTMLReader.attribute(current, "title")
                        {
                            feedTitles.append(TextNormalizer.normalize(title))
                        }
                    case "script":
                        if HTMLReader.attribute(current, "type")?.lowercased().contains("ld+json") == true,
                            let text = HTMLReader.text(of: current),
                            let json = try? JSONSerialization.jsonObject(with: Data(text.utf8))
                        {
                            jsonLD += JSONLD.objects(json)
                        }
                    default:
                        let names = [HTMLReader.attribute(current, "class"), HTMLReader.attribute(current, "id")]
                            .compactMap { $0?.lowercased() }.joined(separator: " ")
                        // (Whole words of the class: "commentary-page" is not a comment.)
                        let tokens = Set(names.split { !$0.isLetter }.map(String.init))
                        let comments =
                            inComments || name == "aside"
                            || !tokens.isDisjoint(with: ["comment", "comments", "commentlist", "respond", "related", "teaser", "replies"])
                        if let property = HTMLReader.attribute(current, "itemprop")?.lowercased(),
                            ["headline", "author", "datepublished", "publisher", "creator"].contains(property),
                            !comments
                        {
                            // An author's itemprop="author" often wraps itemprop="name".
                            let value =
                                HTMLReader.attribute(current, "content") ?? HTMLReader.attribute(current, "datetime")
                                ?? HTMLReader.namedText(current) ?? HTMLReader.text(of: current)
                            if let value { microdata[property, default: []].append(TextNormalizer.normalize(value)) }
                        }
                        if let children = current.pointee.children { collectMetadata(children, inComments: comments) }
                    }
                }
                child = current.pointee.next
            }
        }

        func metadata() -> SourceMetadata {
            var metadata = SourceMetadata()
            let article = JSONLD.article(in: jsonLD)
            // On a publishing platform og:site_name names the platform ("Medium"); the JSON-LD
            // publisher names the publication the post appeared in.
            let platformSite = meta["og:site_name"].map { site in
                LineShapes.platformHosts.contains { $0.split(separator: ".")[0] == site.lowercased().filter(\.isLetter) }
            } ?? false
            let publisherName = article.flatMap { JSONLD.publisherName($0, in: jsonLD) }
            let declaredSite =
                (platformSite ? publisherName : nil) ?? meta["og:site_name"] ?? publisherName
                ?? microdata["publisher"]?.first ?? meta["dc.publisher"] ?? meta["dcterms.publisher"] ?? meta[
                    "citation_publisher"]
                ?? meta["citation_journal_title"]
            if let article, let headline = JSONLD.string(article["headline"]) ?? JSONLD.string(article["name"]) {
                metadata.title = headline
                metadata.titleSource = "JSON-LD headline"
            } else if let title = meta["og:title"] ?? meta["twitter:title"] ?? microdata["headline"]?.first
                ?? meta["dc.title"] ?? meta["dcterms.title"] ?? meta["citation_title"]
            {
                metadata.title = Names.withoutSiteSuffix(title, site: declaredSite)
                metadata.titleSource =
                    meta["og:title"] != nil
                    ? "og:title"
                    : meta["twitter:title"] != nil
                        ? "twitter:title"
                        : microdata["headline"] != nil ? "microdata headline" : "Dublin Core or citation title"
            } else if let title = titleText, !title.isEmpty {
                metadata.title = Names.withoutSiteSuffix(title, site: declaredSite)
                metadata.titleSource = "<title>"
            }
            // ("The Balance Sheet #58: Councils on the brink" in og:title, the headline whole in <title>.)
            if metadata.titleSource != "<title>", let title = titleText, !title.isEmpty {
                metadata.otherTitles.append(Names.withoutSiteSuffix(title, site: declaredSite))
            }
            if let article {
                let authors = JSONLD.authorNames(article, in: jsonLD)
                metadata.bios = JSONLD.authorBios(article, in: jsonLD)
                if !authors.isEmpty {
                    metadata.authors = authors
                    metadata.authorsSource = "JSON-LD author"
                }
                if let text = JSONLD.string(article["datePublished"]), let date = MetadataDate.parse(text) {
                    metadata.published = date
                    metadata.publishedInLocalZone = MetadataDate.inLocalZone(text)
                    metadata.publishedSource = "JSON-LD datePublished"
                }
                if let credit = JSONLD.imageCredit(article, in: jsonLD) {
                    metadata.imageCredit = credit
                    metadata.imageCreditSource = "JSON-LD image"
                }
            }
            if metadata.authors.isEmpty {
                if let names = microdata["author"]?.flatMap(Names.split(list:)), !names.isEmpty {
                    metadata.authors = names
                    metadata.authorsSource = "microdata author"
                }
                for key in [
                    "author", "article:author", "dc.creator", "dcterms.creator", "citation_author", "parsely-author",
                    "sailthru.author",
                ]
                where metadata.authors.isEmpty {
                    let values = (metaAll[key] ?? []).filter { !$0.contains("://") }
                    let names = values.flatMap(Names.split(list:))
                    if !names.isEmpty {
                        metadata.authors = names
                        metadata.authorsSource = "meta \(key)"
                        break
                    }
                }
            }
            if metadata.published == nil {
                if let text = microdata["datepublished"]?.first, let date = MetadataDate.parse(text) {
                    metadata.published = date
                    metadata.publishedInLocalZone = MetadataDate.inLocalZone(text)
                    metadata.publishedSource = "microdata datePublished"
                }
                for key in [
                    "article:published_time", "datepublished", "date", "dc.date", "dcterms.date", "dc.date.issued",
                    "dcterms.issued",
                    "citation_publication_date", "citation_date", "pubdate", "publish-date", "sailthru.date",
                ]
                where metadata.published == nil {
                    if let text = meta[key], let date = MetadataDate.parse(text) {
                        metadata.published = date
                        metadata.publishedInLocalZone = MetadataDate.inLocalZone(text)
                        metadata.publishedSource = key == "article:published_time" ? "article:published_time" : "meta \(key)"
                        break
                    }
                }
            }
            var siteName = declaredSite
            var fromTitle = false
            // "GOV.UK" publishing "author": {"@type": "Organization", "name": "Department for …"}: a
            // portal named by its domain hosts the body that wrote the page; the body is the publication.
            var fromAuthor = false
            if let site = siteName, !site.contains(" "), site.contains("."),
                let body = article.flatMap({ JSONLD.authorOrganization($0, in: jsonLD) }), body.lowercased() != site.lowercased()
            {
                siteName = body
                fromAuthor = true
            }
            // Else the site's name as the page's <title> carries it: "Title | Site".
            // Either side of the separator may be the site ("Title | Site", "Site – Title"): the short side
            // that is not the article's title, and not a bare domain name.
            if siteName == nil, let title = titleText ?? meta["og:title"] {
                let headline = metadata.title.map(ArticleStructure.wordList) ?? []
                for separator in [" | ", " – ", " — ", " - ", " · ", " :: "] {
                    guard let bar = title.range(of: separator, options: .backwards) else { continue }
                    let sides = [title[bar.upperBound...], title[..<bar.lowerBound]].map {
                        $0.trimmingCharacters(in: .whitespaces)
                    }
                    if let site = sides.first(where: { side in
                        (1...6).contains(side.split(separator: " ").count) && !(side.contains(".") && !side.contains(" "))
                            && LineShapes.byline(side)?.labelled != true && LineShapes.boilerplate(side) == nil
                            && !side.lowercased().hasPrefix("by ")
                            && ArticleStructure.similarity(side, headline) < 0.5
                    }) {
                        // "Title | India News - The Daily Current": the section, then the site; but "Leeds
                        // Ledger - Local news, daily": the site, then its tagline.
                        let parts = [" - ", " – ", " — ", " · "].lazy.compactMap { inner -> [String]? in
                            site.contains(inner) ? site.components(separatedBy: inner).map { $0.trimmingCharacters(in: .whitespaces) } : nil
                        }.first
                        if let parts, parts.count >= 2 {
                            siteName = parts.last(where: { !$0.contains(",") && !$0.isEmpty && LineShapes.startsCapitalized($0) }) ?? site
                        } else {
                            siteName = site
                        }
                        fromTitle = true
                    }
                    break
                }
            }
            if siteName == nil, let name = meta["application-name"] ?? meta["apple-mobile-web-app-title"], !name.isEmpty {
                siteName = name
            }
            // "Workbench Notes - Atom", "Workbench Notes - RSS" (Blogger), "Ledger » Feed" (WordPress):
            // the site's feeds carry its name; counted when two feeds agree or the <title> has it too.
            var fromFeeds = false
            if siteName == nil {
                let names = feedTitles.compactMap { title -> String? in
                    guard !title.lowercased().contains("comments") else { return nil }
                    let name = LineShapes.replacing(
                        #"\s*[-–—»|:]\s*(?i:(?:rss|atom)(?:\s+feed)?|feed)\s*$"#, in: title, with: "")
                    return name.isEmpty || name == title ? nil : name
                }
                if let name = names.first, names.filter({ $0 == name }).count >= 2
                    || (titleText?.lowercased().contains(name.lowercased()) ?? false)
                {
                    siteName = name
                    fromFeeds = true
                }
            }
            // "ICDH – Intergovernmental Council for Digital Health": the initials, then the name they stand for.
            if let site = siteName, let dash = site.range(of: #"\s[–—-]\s"#, options: .regularExpression) {
                let head = site[..<dash.lowerBound].trimmingCharacters(in: .whitespaces)
                let tail = site[dash.upperBound...].trimmingCharacters(in: .whitespaces)
                if LineShapes.isAcronym(head, of: tail) { siteName = tail } else if LineShapes.isAcronym(tail, of: head) { siteName = head }
            }
            if let siteName, siteName.contains(where: \.isLetter) {
                metadata.publication = siteName
                metadata.publicationSource =
                    fromAuthor
                    ? "JSON-LD author, an organisation on a portal named by its domain"
                    : fromFeeds
                    ? "the page's feed titles"
                    : fromTitle
                    ? "<title> suffix"
                    : meta["og:site_name"] != nil && !(platformSite && publisherName != nil) ? "og:site_name"
                    : article != nil ? "JSON-LD publisher" : "publisher metadata"
            }
            metadata.url = canonical ?? meta["og:url"]
            return metadata
        }
    }

    // MARK: libxml2 access

    static func name(of node: xmlNodePtr) -> String {
        guard let name = node.pointee.name else { return "" }
        return String(cString: name).lowercased()
    }

    /// An attribute's value, read from the node's attribute list (no allocation to free).
    static func attribute(_ node: xmlNodePtr, _ wanted: String) -> String? {
        var attribute = node.pointee.properties
        while let current = attribute {
            if let name = current.pointee.name, String(cString: name).lowercased() == wanted {
                var value = ""
                var child = current.pointee.children
                while let text = child {
                    if let content = text.pointee.content { value += String(cString: content) }
                    child = text.pointee.next
                }
                return value
            }
            attribute = current.pointee.next
        }
        return nil
    }

    /// The text of the first descendant marked `itemprop="name"`.
    static func namedText(_ node: xmlNodePtr) -> String? {
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE {
                if attribute(current, "itemprop")?.lowercased() == "name" {
                    return attribute(current, "content") ?? text(of: current)
                }
                if let found = namedText(current) { return found }
            }
            child = current.pointee.next
        }
        return nil
    }

    /// All text under a node.
    static func text(of node: xmlNodePtr) -> String? {
        var result = ""
        func collect(_ node: xmlNodePtr) {
            var child = node.pointee.children
            while let current = child {
                if current.pointee.type == XML_TEXT_NODE || current.pointee.type == XML_CDATA_SECTION_NODE,
                    let content = current.pointee.content
                {
                    result += String(cString: content)
                } else if current.pointee.type == XML_ELEMENT_NODE {
                    collect(current)
                }
                child = current.pointee.next
            }
        }
        collect(node)
        return result.isEmpty ? nil : result
    }

    static func contains(_ node: xmlNodePtr, element: String) -> Bool {
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE && (name(of: current) == element || contains(current, element: element)) {
                return true
            }
            child = current.pointee.next
        }
        return false
    }

    /// The element is the article or its text by the page's microdata (`itemprop="articleBody"`,
    /// `itemtype="…/BlogPosting"`).
    static func marksArticle(_ node: xmlNodePtr) -> Bool {
        let props = (attribute(node, "itemprop") ?? "").lowercased().split(separator: " ")
        if props.contains("articlebody") || props.contains("blogpost") { return true }
        guard let type = attribute(node, "itemtype")?.lowercased(), let last = type.split(separator: "/").last else { return false }
        return JSONLD.articleTypes.contains(String(last)) && last != "creativework"
    }

    /// Whether an element's class or ID names it the box of the writers' bios: "contributors",
    /// "author-bio", "about-the-authors" (not "related-authors" or "more-by-author").
    static func namesBioBox(_ node: xmlNodePtr) -> Bool {
        let names = [attribute(node, "class"), attribute(node, "id")].compactMap { $0?.lowercased() }.joined(separator: " ")
        guard !names.isEmpty, !names.contains("related"), !names.contains("more"), !names.contains("comment") else { return false }
        return names.range(
            of: #"(?:^|[\s_-])(?:contributors?|authors?[-_]?bios?|author[-_]?box|about[-_]the[-_]authors?|bios?|contributor[-_]?bios?)(?:$|[\s_-])"#,
            options: .regularExpression) != nil
    }

    /// Why an element is page chrome, or nil.
    static func chromeReason(_ node: xmlNodePtr, name: String, inArticle: Bool) -> String? {
        switch name {
        // A page's body classes describe the page ("single-post has-sidebar comments-open"), not chrome.
        case "html", "body": return nil
        case "nav": return "navigation"
        case "aside":
            // (A box of the article's key points set as an aside in its text is the article's; a box
            // that updates itself, "live-box" with its aria-live, is the page's widget.)
            let names = [attribute(node, "class"), attribute(node, "id")].compactMap { $0?.lowercased() }.joined(separator: " ")
            let live = attribute(node, "aria-live") != nil || attribute(node, "data-live-updating") != nil
                || names.split(separator: " ").contains { $0 == "live" || $0.hasPrefix("live-") || $0.hasSuffix("-live") }
            if inArticle, !live,
                names.range(
                    of: #"key[-_]?(?:points|findings|takeaways|messages|facts)|takeaways|at[-_]a[-_]glance|in[-_]brief|summary[-_]box"#,
                    options: .regularExpression) != nil
            {
                return nil
            }
            // (Nor is the article's own box of its writers' bios: `<aside class="contributors">`.)
            if inArticle, !live, namesBioBox(node) { return nil }
            return "an aside"
        case "form": return "a form"
        case "dialog": return "a dialog"
        case "footer" where !inArticle: return "the page footer"
        case "header" where !inArticle && !contains(node, element: "h1"): return "the page header"
        default: break
        }
        if attribute(node, "hidden") != nil || attribute(node, "aria-hidden")?.lowercased() == "true" { return "hidden" }
        if let style = attribute(node, "style")?.lowercased().replacingOccurrences(of: " ", with: ""),
            style.contains("display:none") || style.contains("visibility:hidden")
        {
            return "hidden"
        }
        if let role = attribute(node, "role")?.lowercased(), chromeRoles.contains(role) {
            if role == "banner" && contains(node, element: "h1") { return nil }
            return "role \(role)"
        }
        // Page builders call every element a widget ("elementor-widget elementor-widget-text-editor"):
        // the kind after it says what it is ("…-share-buttons"), the word itself nothing.
        // (A heading's id is its anchor, a slug of its own words: "what-a-better-pot-would-look-like" is no "like" button.)
        let id = attribute(node, "id").flatMap { id in
            name.count == 2 && name.hasPrefix("h") || id.filter({ $0 == "-" }).count >= 3 ? nil : id
        }
        let names = [attribute(node, "class"), id].compactMap { $0?.lowercased() }.joined(separator: " ")
            .replacingOccurrences(of: "elementor-widget", with: "elementor")
        guard !names.isEmpty else { return nil }
        // Hidden by a whole class ("visually-hidden", "sr-only"), not by a part of one ("field--label-hidden").
        let classes = Set(names.split(separator: " ").map(String.init))
        if !classes.isDisjoint(with: hiddenClasses) { return "hidden" }
        // A pull quote repeats the text in large type ("wp-block-pullquote", "pull-quote").
        if names.range(of: #"pull[-_]?quote"#, options: .regularExpression) != nil { return "a pull quote" }
        // An article's own container is never chrome for a weak word ("post-content hidden-print").
        let words = names.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        // An `article` or `main` element is the page's content unless it is a comment, a teaser or an ad.
        if name == "article" || name == "main" {
            let teaser: Set<String> = [
                "comment", "comments", "related", "promo", "ad", "ads", "advert", "advertisement", "sponsored", "teaser", "card",
            ]
            if let word = words.first(where: teaser.contains) { return "a “\(word)” block" }
            return nil
        }
        let isContent = words.contains("content") || words.contains("body")
        if isContent && !words.contains(where: strongChromeWords.contains) { return nil }
        if let word = words.first(where: chromeWords.contains) { return "a “\(word)” block" }
        if names.contains("most-read") || names.contains("mostread") || names.contains("read-next") || names.contains("more-from")
        {
            return "a “more to read” block"
        }
        return nil
    }
}

/// schema.org JSON-LD as pages embed it.
enum JSONLD {
    static let articleTypes: Set<String> = [
        "article", "newsarticle", "blogposting", "report", "scholarlyarticle", "analysisnewsarticle", "opinionnewsarticle",
        "reportagenewsarticle", "backgroundnewsarticle", "techarticle", "socialmediaposting", "posting", "creativework",
    ]

    /// Every object in a JSON-LD value: top-level arrays and `@graph` are flattened.
    static func objects(_ json: Any) -> [[String: Any]] {
        if let array = json as? [Any] { return array.flatMap(objects) }
        guard let object = json as? [String: Any] else { return [] }
        var result = [object]
        if let graph = object["@graph"] { result += objects(graph) }
        return result
    }

    static func types(_ object: [String: Any]) -> [String] {
        if let type = object["@type"] as? String { return [type.lowercased()] }
        return (object["@type"] as? [String])?.map { $0.lowercased() } ?? []
    }

    static func article(in objects: [[String: Any]]) -> [String: Any]? {
        objects.first { !Set(types($0)).isDisjoint(with: articleTypes) && ($0["headline"] != nil || $0["author"] != nil) }
    }

    static func resolve(_ value: Any?, in objects: [[String: Any]]) -> [String: Any]? {
        guard let object = value as? [String: Any] else { return nil }
        if object["name"] == nil, let id = object["@id"] as? String {
            return objects.first { ($0["@id"] as? String) == id } ?? object
        }
        return object
    }

    static func string(_ value: Any?) -> String? {
        if let text = value as? String {
            let normalized = TextNormalizer.normalize(HTMLEntities.decode(text))
            return normalized.isEmpty ? nil : normalized
        }
        if let array = value as? [Any] { return array.lazy.compactMap(string).first }
        return nil
    }

    /// The article's `author` (or `creator`) entries, one or a list.
    static func authorEntries(_ article: [String: Any]) -> [Any] {
        let value = article["author"] ?? article["creator"]
        return (value as? [Any]) ?? (value.map { [$0] } ?? [])
    }

    static func authorNames(_ article: [String: Any], in objects: [[String: Any]]) -> [String] {
        let list = authorEntries(article)
        return list.flatMap { item -> [String] in
            if let name = item as? String { return Names.split(list: name) }
            guard let object = resolve(item, in: objects), !isOrganization(object), let name = string(object["name"]) else { return [] }
            return [name]
        }
    }

    /// An object of an organisation type ("Organization", "GovernmentOrganization", "NewsMediaOrganization").
    static func isOrganization(_ object: [String: Any]) -> Bool {
        types(object).contains { $0.hasSuffix("organization") || $0 == "corporation" }
    }

    /// The organisation the article names as its author ("author": {"@type": "Organization", …}):
    /// the body that wrote it, not a person.
    static func authorOrganization(_ article: [String: Any], in objects: [[String: Any]]) -> String? {
        let list = authorEntries(article)
        return list.lazy.compactMap { resolve($0, in: objects) }.first(where: isOrganization).flatMap { string($0["name"]) }
    }

    static func authorBios(_ article: [String: Any], in objects: [[String: Any]]) -> [String: String] {
        let list = authorEntries(article)
        var bios: [String: String] = [:]
        for item in list {
            if let object = resolve(item, in: objects), let name = string(object["name"]), let bio = string(object["description"])
            {
                bios[name] = bio
            }
        }
        return bios
    }

    static func publisherName(_ article: [String: Any], in objects: [[String: Any]]) -> String? {
        if let publisher = resolve(article["publisher"], in: objects), let name = string(publisher["name"]) { return name }
        if let site = resolve(article["isPartOf"], in: objects), let name = string(site["name"]), types(site).contains("website")
        {
            return name
        }
        return objects.first { types($0).contains("website") }.flatMap { string($0["name"]) }
    }

    static func imageCredit(_ article: [String: Any], in objects: [[String: Any]]) -> String? {
        let value = article["image"]
        let image = (value as? [Any])?.first.flatMap { resolve($0, in: objects) } ?? resolve(value, in: objects)
        guard let image else { return nil }
        if let credit = string(image["creditText"]) { return credit }
        if let holder = resolve(image["copyrightHolder"], in: objects), let name = string(holder["name"]) { return name }
        if let holder = string(image["copyrightHolder"]) { return holder }
        return nil
    }

}

/// HTML entities, decoded: `&amp;`, `&#8217;`, `&#x2014;`, `&ndash;` (the named ones by libxml2's table).
enum HTMLEntities {
    /// Text with its HTML entities decoded: JSON-LD written by templates, a Markdown file's raw HTML.
    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let pattern = LineShapes.regex(#"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});"#)
        var result = ""
        var last = text.startIndex
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let range = Range(match.range, in: text), let name = Range(match.range(at: 1), in: text) else { continue }
            let body = String(text[name])
            var value: String?
            if body.hasPrefix("#x") || body.hasPrefix("#X") {
                value = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if body.hasPrefix("#") {
                value = UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else {
                // libxml2's table of HTML 4's named entities (it is case-sensitive: "&Eacute;" is not "&eacute;").
                value = body.withCString { name in
                    name.withMemoryRebound(to: xmlChar.self, capacity: body.utf8.count + 1) { htmlEntityLookup($0) }
                }.flatMap { Unicode.Scalar($0.pointee.value) }.map { String(Character($0)) }
            }
            guard let value else { continue }
            result += text[last..<range.lowerBound] + value
            last = range.upperBound
        }
        return result + text[last...]
    }
}
