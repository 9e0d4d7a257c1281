import BriefingModel
import Foundation
import Synchronization

/// What one line looks like, on its own: the evidence ``ArticleStructure`` weighs.
///
/// Nothing here decides a line's role; each function reports a shape (a byline, a credit, page
/// boilerplate, a counter), and the decoder weighs the shapes of every line together.
enum LineShapes {
    /// Compiled patterns, by pattern: the shapes are tested on every line, and compiling a
    /// regular expression costs far more than running it.
    private static let compiled = Mutex<[String: NSRegularExpression]>([:])

    static func regex(_ pattern: String) -> NSRegularExpression {
        compiled.withLock { cache in
            if let found = cache[pattern] { return found }
            let made = try! NSRegularExpression(pattern: pattern)
            cache[pattern] = made
            return made
        }
    }

    /// Whether `pattern` matches somewhere in `text`.
    static func matches(_ pattern: String, _ text: some StringProtocol) -> Bool {
        let string = String(text)
        return regex(pattern).firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) != nil
    }

    /// `text` with every match of `pattern` replaced by `template` (`$1` for a group).
    static func replacing(_ pattern: String, in text: String, with template: String) -> String {
        regex(pattern).stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }

    /// The range of a match of `regex` at the start of `text`.
    static func matches(_ regex: NSRegularExpression, _ text: String) -> Range<String.Index>? {
        guard let match = regex.firstMatch(in: text, options: [.anchored], range: NSRange(text.startIndex..., in: text)) else {
            return nil
        }
        return Range(match.range, in: text)
    }

    /// The first capture group of a match at the start of `text`.
    static func group(_ regex: NSRegularExpression, _ text: String) -> String? {
        guard let match = regex.firstMatch(in: text, options: [.anchored], range: NSRange(text.startIndex..., in: text)),
            match.numberOfRanges > 1, let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    static func words(_ text: String) -> Int { text.split(separator: " ").count }

    static func endsSentence(_ text: String) -> Bool {
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.last, "”’\")]*".unicodeScalars.contains(last) { scalars.removeLast() }
        guard let last = scalars.last else { return false }
        return ".!?…:;".unicodeScalars.contains(last)
    }

    static func endsWithPeriod(_ text: String) -> Bool {
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.last, "”’\")]*".unicodeScalars.contains(last) { scalars.removeLast() }
        guard let last = scalars.last else { return false }
        return ".;,".unicodeScalars.contains(last)
    }

    static func startsCapitalized(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        return first.properties.isUppercase || first.properties.numericType != nil || "“‘\"'¿¡«„".unicodeScalars.contains(first)
    }

    static func sentenceCount(_ text: String) -> Int {
        let marks = text.matches(of: /[.!?…]["”’)]?\s+\p{Lu}/).count
        return marks + (endsSentence(text) ? 1 : 0)
    }

    static let stopWords: Set<String> = [
        "the", "and", "that", "this", "with", "from", "have", "has", "had", "were", "was", "will", "would", "could", "should",
        "their", "there", "they", "them", "than", "then", "what", "when", "which", "while", "who", "whom", "whose", "into",
        "about", "over", "more", "most", "some", "such", "only", "also", "been", "being", "other", "each", "every", "these",
        "those", "your", "ours", "its", "it’s", "does", "did", "doing", "very", "much", "many", "after", "before", "under",
        "between", "because", "where", "here", "just", "like", "make", "made", "even", "still", "must", "upon", "within",
        "without", "across", "through", "against", "among",
    ]

    /// The words that carry meaning: four letters or more, not function words, folded.
    static func contentWords(_ text: String) -> [String] {
        text.lowercased().folding(options: .diacriticInsensitive, locale: nil)
            .split { !($0.isLetter || $0.isNumber) }
            .map(String.init)
            .filter { $0.count >= 4 && !stopWords.contains($0) && !$0.allSatisfy(\.isNumber) }
    }

    // MARK: Page boilerplate

    static let boilerplateLines: Set<String> = [
        "reuse this content", "remind me later", "remind me in may", "enter your email address", "enter your email",
        "advertisement", "advert", "ad", "sponsored", "sponsored content", "menu", "search", "home", "log in", "login", "sign in",
        "sign up", "register", "share", "share this", "share this article", "share this story", "share this post",
        "share article",
        "tweet", "print", "email", "e-mail", "close", "subscribe", "subscribe now", "skip to content", "skip to main content",
        "back to top", "comments", "comment", "reply", "leave a reply", "leave a comment", "like this", "like", "loading",
        "like loading", "related", "related posts", "related articles", "related research", "related content", "related reading",
        "more from this author", "more by this author", "most read", "most popular", "trending", "read next", "up next",
        "recommended", "recommended for you", "you may also like", "you might also like", "tags", "topics", "filed under",
        "categories", "copy link", "link copied", "copied", "download pdf", "download", "download the pdf", "print this page",
        "listen", "listen to this article", "save", "save article", "bookmark", "follow", "follow us", "newsletter",
        "get the app", "start writing", "privacy", "terms", "privacy policy", "terms of use", "terms of service", "cookie policy",
        "contact", "contact us", "about", "about us", "about the author", "about the authors", "about the contributors",
        "about the contributor", "the authors", "the author", "notes", "references", "endnotes", "footnotes", "sources",
        "bibliography", "further reading", "previous", "next", "previous post", "next post", "previous article", "next article",
        "top", "view this email in your browser", "view in browser", "view online", "unsubscribe", "manage preferences",
        "update your preferences", "forward to a friend", "accept", "accept all", "reject all", "manage cookies", "ok", "got it",
        "discussion about this post", "ready for more", "type your email", "facebook", "twitter", "linkedin", "whatsapp",
        "reddit", "x", "bluesky", "mastodon", "instagram", "youtube", "rss", "threads", "telegram", "pocket", "flipboard",
        "more", "show more", "load more", "see more", "read more", "continue reading", "keep reading", "donate", "support us",
        "join", "join now", "sign up free", "free trial", "open in app", "app", "listen now", "watch", "video", "podcast",
        "audio", "print article", "email article", "share on facebook", "share on x", "share on twitter", "share on linkedin",
        "share via email", "opens in new window", "restack", "like comment share", "home page", "sitemap", "careers", "jobs",
        "topics a-z", "newsroom", "our work", "who we are", "what we do", "get involved", "shop", "store", "account",
        "my account",
        "cookie settings", "cookie preferences", "accessibility", "legal", "imprint", "impressum", "disclaimer",
        "table of contents", "contents", "in this article", "on this page", "jump to",
        "listen to article", "audio version", "pdf", "print friendly", "comments closed", "all comments", "top comments",
        "newest", "oldest", "sort by", "cancel", "submit", "post comment", "send", "upvote", "downvote",
        "show content", "load content", "view content", "show embed", "load embed", "allow cookies", "enable cookies",
        "gift this article", "gift article", "this week's guests", "this episode's guests", "guests", "our guests",
        "in this episode",
        // A social network's article: its reactions and comment box.
        "be the first to like this", "be the first to comment", "write a comment", "add a comment", "no comments",
        "attachments", "most viewed", "most shared", "most commented", "most watched", "text size", "font size", "a a a",
        "find out how it works",
        // The same controls as a platform words them in French, Spanish, German and Portuguese
        // (WordPress.com, Blogger and the common themes localise their share, like and comment UI).
        "partager", "partagez", "partager cet article", "j'aime ça", "j'aime chargement", "j'aime", "commentaire",
        "commentaires", "laisser un commentaire", "laisser une réponse", "répondre", "rebloguer", "s'abonner", "abonné",
        "abonnez-vous", "adresse e-mail", "articles récents", "sur le même thème", "navigation des articles",
        "aller au contenu", "rechercher", "accueil", "imprimer", "télécharger", "télécharger le pdf", "lire la suite",
        "articles similaires", "à lire aussi", "voir aussi",
        "compartir", "compartir esto", "me gusta", "me gusta cargando", "cargando", "comentario", "comentarios",
        "deja un comentario", "dejar un comentario", "responder", "suscribirse", "suscríbete", "entradas recientes",
        "relacionado", "relacionados", "navegación de entradas", "ir al contenido", "buscar", "inicio", "imprimir",
        "descargar", "descargar pdf", "leer más", "noticias relacionadas", "te puede interesar",
        "teilen", "gefällt mir", "gefällt mir wird geladen", "wird geladen", "kommentar", "kommentare",
        "hinterlasse einen kommentar", "kommentar verfassen", "antworten", "abonnieren", "neueste beiträge",
        "ähnliche beiträge", "beitragsnavigation", "zum inhalt springen", "suche", "startseite", "drucken",
        "herunterladen", "weiterlesen", "mehr zum thema",
        "compartilhe", "compartilhar", "curtir", "curtir carregando", "carregando", "deixe um comentário",
        "deixe uma resposta", "assinar", "posts recentes", "navegação de posts", "ir para o conteúdo",
        "pesquisar", "página inicial", "baixar", "baixar pdf", "leia mais", "leia também", "veja também",
    ]

    static let boilerplatePrefixes = [
        "comments are closed", "leave a comment", "post a comment", "add a comment", "read more:", "read more ›", "read more »",
        "read more about", "related:", "see also:", "recommended:", "read next:", "up next:", "share this", "share on ", "share via ", "click to share",
        "click to email", "click to print", "subscribe to ", "subscribe for ", "sign up ", "sign up:", "follow us",
        "support our ",
        "donate ", "skip to ", "all rights reserved", "©", "(c) ", "copyright ©", "copyright (c)", "the views expressed",
        "listen to this article", "this article is part of", "your email address will not be published",
        "required fields are marked", "thanks for reading", "thank you for reading", "discover more from ",
        "story continues below", "article continues below", "continue reading below", "type your email", "you are receiving this",
        "you received this", "you’re receiving this", "you're receiving this", "to unsubscribe", "unsubscribe", "view this email",
        "view in browser", "if you were forwarded", "was this forwarded", "forwarded this email", "forwarded by a friend",
        "no spam", "we use cookies", "this site uses cookies", "this website uses cookies", "by continuing to", "save my name",
        "notify me of", "posted in ", "filed under", "tags:", "tagged ", "tagged:", "topics:", "categories:", "category:",
        "download the ", "get the app", "already a subscriber", "already have an account", "create an account",
        "sponsored by", "continue reading", "read the full", "download pdf", "download the pdf", "loading…",
        "loading...", "more from ", "most read", "popular now", "trending now", "you might also like",
        "you may also like", "editor’s picks", "editors’ picks", "print this", "email this", 
        "table of contents", "manage your", "update your", "manage preferences", "our privacy", "privacy policy",
        "terms of use", "terms of service", "cookie policy", "accept cookies", "accept all", "reject all", "discussion about",
        "ready for more", "start writing", "get the app", "share this:", "like this:", "like loading", "related posts",
        "related articles", "related research", "related reading", "more like this", "recommended reading", "in case you missed",
        "sign in to ", "log in to ", "login to ", "want to read more", "become a member", "become a paid subscriber",
        "upgrade to paid", "this post is for", "join the conversation", "join the discussion", 
        "contact us", "got a tip", "follow the author", "follow this author", 
        "all posts", "all articles", "previous post", "next post", "previous article", "next article", "© ",
        "get our newsletter", "get the newsletter", "get the latest", "stay informed", "stay up to date",
        "enter your email", "your email", "email address", "invite your friends", "refer a friend", "gift a subscription",
        "open in app", "reading time", "estimated reading", "words:", "word count",
        "media contact", "press contact", "for media inquiries", "photo gallery", "watch:", "listen:", 
        "find out more",
        "learn more", "more information", "click here", "tap here", "also on ", "more on ", "plus:", "also inside:", "inside:",
        "also:", "read next:",
        "read also:", "also read:", "read more:",
        "related reading:", "watch next:", "listen next:", "do you have a story", "got a story", "have a story", "subscribe from",
        "subscribe now", "subscribe today",
        "in this issue", "in today's issue", "in today’s issue",
        "inside this issue", "ad ·", "ad |", "sponsored ·", "promoted ·", "promoted by", "paid content", "paid post",
        "partner content", "reject ", "accept ", "allow all", "deny ", "manage settings",
        "customise", "customize", "necessary only", "essential only", "only necessary", "opens in a new", "(opens in new window)",
        "share:", "keyboard shortcuts", "mark as read", "open original", "highlighted on ", "exported from ", "tap to read", "tap to open", "shared from ",
        // A metered paywall's count and pitch.
        "get unlimited access", "unlock unlimited", "registered office:", "sponsored |", "sponsored:", "sponsor:",
        "this issue is supported by", "this issue is sponsored by", "this edition is supported by", "this edition is sponsored by",
        "we respect your privacy", "forwarded this by", "was this forwarded to you", "how useful was", "how did you like",
        "what did you think of today", "rate this issue", "comments are moderated", "click to tweet", "tweet this",
        // Localised platform text: "Catégories : Maghreb", "Blog à WordPress.com.", "Confidentialité & cookies : …".
        // (French sets a space before the colon: `boilerplate` reads "Catégories :" as "catégories:".)
        "catégories:", "catégorie:", "étiquettes:", "mots-clés:",
        "classé dans", "publié dans", "saisissez votre adresse", "entrez votre adresse", "entrez votre commentaire",
        "votre adresse e-mail ne sera pas publiée", "abonnez-vous ", "inscrivez-vous ", "blog à wordpress.com",
        "confidentialité & cookies", "confidentialité et cookies", "déjà inscrit", "pour en savoir davantage",
        "pour en savoir plus, y compris", "ce site utilise des cookies", "partager:", "partager sur ", "tous droits réservés",
        "categorías:", "categoría:", "etiquetas:", "archivado en", "publicado en ", "escribe tu comentario",
        "introduce tu correo", "tu dirección de correo electrónico no será publicada", "suscríbete ", "blog de wordpress.com",
        "privacidad y cookies", "este sitio usa cookies", "este sitio utiliza cookies", "¿ya tienes una cuenta",
        "todos los derechos reservados", "compartir en ", "compartir:", "ver también:", "lee también:",
        "kategorien:", "kategorie:", "schlagwörter:", "schlagworte:", "veröffentlicht in", "deine e-mail-adresse wird nicht",
        "ihre e-mail-adresse wird nicht", "gib deine e-mail-adresse", "bloggen auf wordpress.com", "datenschutz & cookies",
        "datenschutz und cookies", "diese website verwendet cookies", "alle rechte vorbehalten", "teilen mit:", "teilen:",
        "categorias:", "marcadores:", "publicado em ", "o seu endereço de email não será publicado",
        "seu endereço de e-mail não será publicado", "blog no wordpress.com", "privacidade e cookies",
        "este site utiliza cookies", "todos os direitos reservados", "compartilhe isso:", "compartilhar:",
    ]

    /// Openings that mark boilerplate only on a short line: "Latest: …", "Keywords: …", "Conflict of
    /// interest: none", where a sentence of the article may start the same way.
    static let shortBoilerplatePrefixes = [
        "trending:", "most read:", "popular:", "latest:", "breaking:", "don't miss:", "don’t miss:", "also read:",
        "read also:", "also read ", "read also ", "watch |", "watch:", "video:", "watch now", "subscribe:", "subscribe and ",
        "*corresponding author", "corresponding author", "disclosure statement", "conflict of interest", "competing interests",
        "data availability", "funding statement", "keywords:", "key words:", "jel classification", "jel codes", "(received ",
        // A cookie banner's heading: "Cookies on GOV.UK", "Cookies on the Assembly Research Library website".
        "cookies on ",
        // A page's links, which a sentence may open with too: "Back to the director's question. The levy …".
        "back to ", "jump to ", "more on ", "explore ", "keep reading", "want more", "see all ", "view all ", "show all ", "available on ", "listen on ", "watch on ", "have your say", "send us", "write to us",
    ]
    /// Phrases that mark boilerplate only on a short line: a newsletter's or a donation's pitch.
    static let shortBoilerplateFragments = [
        "no spam", "one email a week", "one email a month", "straight to your inbox", "in your inbox every",
        "support independent journalism", "funded by readers", "funded by our readers", "reader-funded journalism",
        "give from $", "give from £", "give from €", "donate now", "make a donation", "support our journalism",
        "fund independent journalism", "fund our journalism", "journalism that is open to everyone",
    ]
    /// A publication's disclaimer about itself: "This briefing … should not be relied on as legal advice".
    static let disclaimerFragments = [
        "impartial summaries prepared for", "not intended to address the circumstances", "should not be relied on as",
        "does not constitute legal", "does not constitute financial", "not a substitute for professional",
    ]

    static let boilerplateFragments = [
        "an official website of the", "an official website of", "official website of the european union",
        "get updates from this writer", "stories in your inbox", "get an email whenever", "a small favour to ask",
        "a small favor to ask", "please support us today", "no billionaire owner", "sign up free", "represents the views of the author",
        "please open an issue", "open an issue", "edit this page", "suggest an edit", "improve this page",
        "save my name, email", "save my name and email", "notify me of follow-up comments", "notify me of new posts",
        "(opens in new window)", "all rights reserved", "subscribe for free", "your email address will not be published",
        "required fields are marked", "this email was sent", "you are receiving this email", "unsubscribe from",
        "manage your subscription", "manage your preferences", "update your preferences", "view this email in your browser",
        "to receive new posts", "support my work", "cookies to ", "use of cookies", "cookie policy", "privacy policy",
        "forwarded this email", "sign up for our", "sign up to our", "sign up to receive", "subscribe to our",
        "newsletter sign", "also went out as", "this post also appeared", "republish this article", "may be republished",
        "republish our articles", "the views expressed",
        "do not necessarily reflect", "supported by a grant from", "straight to your inbox", "to your inbox", "in your inbox",
        "pieces from us by email", "download the full", "click to share", "share this article", "share this story",
        "forward this email", "forward this e-mail", "forward it to", "this email originated", "this e-mail originated",
        "save your spot", "why am i seeing this", "ad choices", "adchoices", "reader-supported", "support from our members",
        // An acknowledgement of country at the foot of an Australian page.
        "acknowledge the traditional custodians", "acknowledge the traditional owners", "pay our respects to elders",
    ]

    /// A mail's invitation to reply, boilerplate unless the writer makes it in the first person.
    static let replyFragments = ["reply to this email", "reply to this e-mail", "just hit reply", "replying to this email"]

    /// Fragments of boilerplate that a sentence of an article may also use ("hundreds of thousands
    /// of people … every weekday morning", "paid subscribers to the service"): counted only in a
    /// line short enough to be a prompt.
    static let promptFragments = [
        "every weekday morning", "every weekday", "by email, ",
        "download this", "register here", "book your place", "rsvp", "paying members", "paid subscribers",
        "paying subscribers", "become a member", "not the position of the", "is a living document",
        // A distribution notice: "This briefing has been approved for circulation to members. Please do not forward …".
        "please do not forward", "approved for circulation", "not for circulation", "not for distribution",
        "for internal use only", "internal use only",
        // The publisher's registration and regulator: "… is a registered charity in England and Wales (1093372)".
        "is a registered charity", "authorised and regulated by", "authorized and regulated by",
        // A newsletter's pitch at the foot of a post: "If you found this useful, the Ward Round newsletter goes out …".
        "newsletter goes out", "if you found this useful", "if you enjoyed this", "if you liked this", "is free and lands",
        "free to read because", "readers like you chip in", "donate today",
    ]

    static func key(_ text: String) -> String {
        text.lowercased().replacingOccurrences(of: "’", with: "'")
            .trimmingCharacters(in: CharacterSet(charactersIn: " .:!?…*_-–—|•·>›»→()[]"))
    }

    /// The prefixes with plain apostrophes, as the lines are compared (worked out once, not per line).
    static let plainBoilerplatePrefixes = boilerplatePrefixes.map { $0.replacingOccurrences(of: "’", with: "'") }
    static let plainShortBoilerplatePrefixes = shortBoilerplatePrefixes.map { $0.replacingOccurrences(of: "’", with: "'") }

    /// Why a line is page or platform boilerplate (share prompts, comment forms, cookie notices,
    /// subscribe prompts, footer links, copyright), or nil.
    static func boilerplate(_ text: String) -> String? {
        let lower = key(text)
        if boilerplateLines.contains(lower) { return "a page control (“\(text.prefix(40))”)" }
        var raw = text.lowercased().replacingOccurrences(of: "’", with: "'")
        // "Partager :", "Catégories : Maghreb": French typography's space before a colon.
        for space in [" ", "\u{00A0}", "\u{202F}"] where raw.contains(space + ":") {
            raw = raw.replacingOccurrences(of: space + ":", with: ":")
        }
        if let prefix = plainBoilerplatePrefixes.first(where: { raw.hasPrefix($0) }) {
            return "starts like page boilerplate (“\(prefix.trimmingCharacters(in: .whitespaces))”)"
        }
        if let fragment = boilerplateFragments.first(where: { raw.contains($0) }) { return "contains “\(fragment)”" }
        // "Reply to this email to leave a comment": the platform's; "If you have questions, reply to
        // this email and I will take as many as I can": the writer's own, in the first person.
        if let fragment = replyFragments.first(where: { raw.contains($0) }),
            !LineShapes.matches(#"\b(?:I|I'm|I've|I'll|I'd|I’m|I’ve|I’ll|I’d|me|my)\b"#, text)
        {
            return "contains “\(fragment)”"
        }
        if words(text) <= 40, let fragment = promptFragments.first(where: { raw.contains($0) }) { return "contains “\(fragment)”" }
        // "ENJOYING THE QUAYSIDE BRIEF?", "Enjoying this newsletter?": the mail asking to be passed on.
        if words(text) <= 8, LineShapes.matches(#"^(?:enjoying|like|liking|loving) (?:this|the|our) [^.!?]{1,50}\?$"#, raw) {
            return "a newsletter's prompt"
        }
        // "Was this article helpful?", "👍 Was this page useful?", "Spotted an error? Tell us.": the
        // page asking for feedback.
        if words(text) <= 12,
            LineShapes.matches(
                #"^\W*(?:was this (?:article|page|story|post|piece|briefing|information|answer) (?:helpful|useful)\b|(?:spotted|found|see|seen|notice|noticed) an? (?:error|mistake|typo)\b|is there (?:an error|a mistake|anything wrong) (?:on|in) this)"#,
                raw)
        {
            return "the page asking for feedback"
        }
        // "Translated from the French by Claire Dubois.": the translator's credit, not the text.
        if words(text) <= 14, LineShapes.matches(#"^(?:translated|translation)(?: from (?:the )?\p{L}+)? by \p{L}"#, raw) {
            return "the translator's credit"
        }
        // "You have 2 free articles left this month.", "You have read 3 of 4 free articles this month.".
        if words(text) <= 20,
            LineShapes.matches(#"^you(?:'ve| have) (?:read |used )?\d+ (?:of (?:your )?\d+ )?(?:free |remaining )?(?:articles?|stories|story|pieces?)\b"#, raw)
        {
            return "a paywall's meter"
        }
        if words(text) <= 25 {
            if let prefix = plainShortBoilerplatePrefixes.first(where: { raw.hasPrefix($0) }) {
                return "starts like page boilerplate (“\(prefix.trimmingCharacters(in: .whitespaces))”)"
            }
            if let fragment = shortBoilerplateFragments.first(where: { raw.contains($0) }) { return "contains “\(fragment)”" }
        }
        if let fragment = disclaimerFragments.first(where: { raw.contains($0) }),
            LineShapes.matches(
                #"\b(?:this|our|these) (?:briefing|brief|paper|report|publication|document|newsletter|site|website)s?\b|\bbriefings are\b"#,
                raw)
        {
            return "a disclaimer of the publication (“\(fragment)”)"
        }
        if publisherDescribed(text) { return "the publisher describing itself" }
        // "Get the full story, with photos and video, in the Pocket Ledger app.": the page selling its app.
        if words(text) <= 25,
            LineShapes.matches(
                #"^(?i:get|read|see|watch|listen to|download|open|continue reading|enjoy)\b.{0,80}\b(?i:in|on|with|via) (?i:the|our) (?:[\p{L}’'-]+ ){0,4}(?i:app)[.!]?$"#,
                text)
        {
            return "a prompt to read it in the publisher's app"
        }
        // "Each episode of The Commons Table comes with a written version …": the show or newsletter
        // describing its own format, not the piece.
        if words(text) <= 60,
            LineShapes.matches(
                #"^(?:Each|Every) (?:episode|issue|edition|instalment|installment|week|month|fortnight),? (?:of )?(?:the )?\p{Lu}[\p{L}’' -]{1,50}? (?:comes with|brings|includes|features|offers|pairs|has|is accompanied by|publishes)\b"#,
                text)
        {
            return "the publication describing its own format"
        }
        // "Version history: v4, circulated to the working group only. Tracked changes from v3 accepted …".
        if words(text) <= 60, LineShapes.matches(#"^(?i:version history|revision history|document history|change ?log|draft history)\s*:"#, text) {
            return "the document's revision note"
        }
        // "ARTICLE HISTORY Received 2 August 2024; Accepted 29 November 2024; Published online …".
        if words(text) <= 30,
            LineShapes.matches(#"^(?i:article history\b|(?:history:\s*)?received:?\s+(?:on\s+)?\d{1,2}\s+\p{L}+\s+\d{4}\s*[;,.]\s*(?:revised|accepted))"#, text)
        {
            return "a journal's article history"
        }
        // "Figure 1: …", "Table 2. …": a chart's or table's caption, not the text.
        if words(text) <= 30, figureCaption(text) {
            return "a figure's or table's caption"
        }
        // WordPress's related posts: `In "Category"`.
        if words(text) <= 8, LineShapes.matches(#"^In [“"].+[”"]$"#, text) {
            return "a related post's category"
        }
        if words(text) <= 30, LineShapes.matches(#"\b[\w.+-]+@[\w-]+\.[\w.]+\b"#, raw),
            ["contact", "email", "e-mail", "write to", "tips", "get in touch", "send"].contains(where: raw.contains)
        {
            return "a contact line"
        }
        if raw.contains("newsletter"),
            ["get our", "get the", "sign up", "subscribe", "join", "receive", "inbox", "delivered", "free"].contains(
                where: raw.contains)
        {
            return "a newsletter prompt"
        }
        if raw.contains("cookie"),
            ["accept", "consent", "continue", "settings", "privacy", "agree", "browse", "allow", "enable"].contains(
                where: raw.contains)
        {
            return "a cookie notice"
        }
        // "Related commentary: Title", "More analysis: Title": a link to another article.
        if LineShapes.matches(
            #"^(?:related|recommended|more|further|also|previous|earlier)\s+(?:[a-z]+\s+)?(?:commentary|analysis|reading|articles?|stories|story|research|coverage|posts?|briefings?|reports?|podcasts?|videos?|explainers?|pieces?|content|from [^:]{2,40})\s*:\s+\S"#,
            raw)
        {
            return "a link to another article"
        }
        return nil
    }

    static let counter = try! NSRegularExpression(
        pattern:
            #"^(?:\d[\d,.]*\s*[km]?\+?\s*(?:comments?|replies|reply|likes?|shares?|views?|reads?|min(?:ute)?s?(?: read)?|responses?|reactions?|restacks?|followers?|following|subscribers?|claps?|hearts?|people viewed|views so far)|\d+\s*(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\s+ago|(?:(?:last\s+)?(?:updated|posted|published))\s+\d+\s*(?:minutes?|hours?|days?|weeks?|months?)\s+ago|(?:reading time|read time)\s*:?\s*\d+\s*(?:min(?:ute)?s?)?|\d+\s*(?:min(?:ute)?s?|m)\s*(?:read|listen))\.?$"#,
        options: [.caseInsensitive])

    /// The names on a share bar's buttons.
    static let shareButtonWords: Set<String> = [
        "facebook", "x", "twitter", "linkedin", "email", "e-mail", "mail", "whatsapp", "print", "reddit", "bluesky", "mastodon",
        "threads", "telegram", "pinterest", "messenger", "sms", "copy", "link", "share", "flipboard", "pocket", "tumblr", "xing",
        // The article's own tools beside them: "Save   Print   Download PDF", "Cite  Listen  Share".
        "save", "download", "pdf", "bookmark", "cite", "listen", "gift", "comment", "comments",
    ]

    /// Why a line is a user-interface label or a counter ("12 comments", "5 min read", a menu
    /// of short items), or nil.
    static func uiLabel(_ text: String) -> String? {
        if matches(counter, text) != nil { return "a counter" }
        // "Angry (41)", "Comments (14)": a reaction or a link with its count.
        if matches(#"^[\p{L}’' ]{1,24}\s?\(\d[\d,.]*[kK]?\)$"#, text) { return "a counter" }
        if words(text) <= 8,
            LineShapes.matches(
                #"(?i)\b(?:policy brief|working paper|discussion paper|issue brief|briefing paper|research paper|occasional paper|report|brief|paper|issue|vol\.?|volume)\s+(?:no\.?|number|#)?\s*\d+(?:[/.-]\d+)?\b"#,
                text),
            !endsWithPeriod(text)
        {
            return "a series label"
        }
        // A row of page controls copied as one line: "Adelaide 14° Today's Paper Subscribe Log in".
        if words(text) <= 12, !endsWithPeriod(text) {
            let lower = " " + key(text) + " "
            let controls = ["subscribe", "log in", "login", "sign in", "sign up", "register", "menu", "search", "today's paper",
                "e-paper", "my account", "donate", "newsletters", "account"].filter { lower.contains(" " + $0 + " ") }
            let controlWords = controls.reduce(0) { $0 + words($1) }
            if controls.count >= 3 && controlWords * 2 >= words(text) { return "a row of page controls" }
        }
        // "Facebook X LinkedIn Email": a share bar's buttons run together.
        let tokens = key(text).split { $0 == " " || $0 == "|" || $0 == "·" || $0 == "•" || $0 == "," }.map(String.init)
        if tokens.count >= 2, tokens.allSatisfy(shareButtonWords.contains), tokens.contains(where: { $0.count > 1 }) {
            return "a share bar"
        }
        // A menu or footer copied as one line: three or more short items between separators.
        for separator in [" | ", " · ", " • ", " ∙ ", "  ", " / "] {
            let items = text.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            if items.count >= 3, items.allSatisfy({ words($0) <= 4 && !endsWithPeriod($0) }) { return "a menu of short items" }
        }
        let lower = text.lowercased()
        if LineShapes.matches(
            #"^(tags?|topics?|filed under|categories|category|keywords|related topics|subjects?|themes?)\s*[:：]"#, lower)
        {
            return "a tag list"
        }
        // "Courts, Criminal justice, Legal professions": three or more capitalised topics and nothing else.
        let topics = text.components(separatedBy: ", ").map { $0.trimmingCharacters(in: .whitespaces) }
        if topics.count >= 3, !LineShapes.matches(#"(?i)\b(?:and|or|but|the|is|are|was|of|to|in)\b"#, topics.dropFirst().joined(separator: " ")),
            topics.allSatisfy({ (1...3).contains(words($0)) && startsCapitalized($0) && !$0.contains(where: { ".!?:;".contains($0) }) }),
            // (Not a list of people: "Ana Ruiz, Tom Berg, Eva Kos" is a byline.)
            topics.filter({ Names.isName($0) }).count < 2
        {
            return "a tag list"
        }
        return nil
    }

    /// A figure standing alone on its line, as a callout prints it: "10%", "£4.2bn", "1 in 5", "38,000".
    static func bareFigure(_ text: String) -> Bool {
        // (A plain integer is as likely a section number or a year.)
        matches(
            #"^(?:[~≈<>+−-]\s?)?(?:[£$€¥]\d[\d,.]*|\d[\d,.]*\s?(?:%|per ?cent|percent|bn|m|k|billion|million|thousand|km|kg|t|MW|GW|TWh|GWh)|\d{1,3}(?:,\d{3})+|\d+\s(?:in|of|out of)\s\d[\d,.]*)$"#,
            text)
    }

    /// The kinds of piece a kicker names over a title ("ANALYSIS", "Labour markets · Opinion").
    static let genres: Set<String> = [
        "analysis", "opinion", "comment", "commentary", "explainer", "feature", "features", "interview", "report",
        "essay", "news", "insight", "insights", "review", "briefing", "long read", "podcast", "research", "policy brief",
        "exclusive", "investigation", "data", "column", "editorial", "perspective", "perspectives", "viewpoint", "q&a",
        "blog", "op-ed", "letter", "dispatch", "in depth", "deep dive", "factcheck", "fact check", "explained",
        // The kinds of document a cover names ("DEBATE PACK", "Research briefing").
        "debate pack", "research briefing", "briefing paper", "briefing note", "policy paper", "policy note",
        "working paper", "discussion paper", "research paper", "white paper", "technical report", "fact sheet",
        "factsheet", "evidence review", "consultation response", "issue brief",
    ]

    /// A section or genre label over a title, not a masthead: section names between separators
    /// ("LABOUR MARKETS · ANALYSIS", "Energy / Grid") or a kind of piece ("OPINION").
    static func kicker(_ text: String) -> Bool {
        let lower = key(text)
        if genres.contains(lower) { return true }
        for separator in [" · ", " | ", " / ", " • ", " — ", " – ", ": "] where text.contains(separator) {
            let parts = text.components(separatedBy: separator).map { key($0) }
            if parts.count >= 2 && parts.allSatisfy({ words($0) <= 3 && !$0.isEmpty }) { return true }
        }
        return false
    }

    /// "Health Regulation Review (2025), 11(1), 44–47", "doi:10.48217/hrr.2025.1104": where a journal printed the article.
    static func journalReference(_ text: String) -> Bool {
        matches(#"(?i)\bdoi:\s?10\.\d{4,}/|\bdoi\.org/10\.|\(\d{4}\),?\s+\d{1,4}\s?\(\d{1,3}\),?\s+\d{1,5}\s?[–-]\s?\d{1,5}|\bvol\.\s?\d+,?\s+(?:no|issue)\.?\s?\d+"#, text)
            && words(text) <= 24
    }

    /// The date after "first published", "published online" or "date of publication" anywhere in a line.
    static func labelledPublicationDate(_ text: String) -> DateMention? {
        guard text.range(of: "publi", options: .caseInsensitive) != nil else { return nil }
        let scalars = Array(text.unicodeScalars)
        for mention in DateMention.all(in: text) where mention.precision == .day {
            var before = ""
            before.unicodeScalars.append(contentsOf: scalars[max(0, mention.range.lowerBound - 40)..<mention.range.lowerBound])
            // ("Status: PUBLISHED 16 October 2025 - archive copy": a label's value that opens with the verb.)
            if matches(#"(?i)(?:first published(?: online)?|published online|date of publication|publication date|first posted)\s*(?:on\s*)?:?\s*$"#, before)
                || (mention.range.lowerBound <= 40
                    && matches(#"(?i)^[*_]*(?:[\p{L} ]{2,20}:[*_]*\s*)?published\s*(?:on\s*)?:?\s*$"#, before))
            {
                return mention
            }
        }
        return nil
    }

    /// "4. Would it travel?", "2.1 What the evaluation found": a section's number before a short heading.
    static func numberedHeading(_ text: String) -> Bool {
        words(text) <= 12 && !endsWithPeriod(text) && matches(#"^\d{1,2}(?:\.\d{1,2}){0,2}\.?\s+\p{Lu}"#, text)
    }

    /// How a page counts its sections: "4. …", "B. …", "IV. …".
    enum SectionCounting: CaseIterable { case digits, letters, roman }

    /// The ordinals a short heading-shaped line opens with, one per way of counting: "B. The deal" is
    /// 2 by letters, "IV. Costs" is 4 in Roman numerals, "I. Introduction" is 1 in Roman numerals
    /// and 9 by letters. Only a run of them in order (``ArticleStructure``) says they are sections:
    /// one alone may be an initial ("J. Smith replies").
    static func sectionOrdinals(_ text: String) -> [(counting: SectionCounting, number: Int)] {
        guard words(text) <= 12, !endsWithPeriod(text),
            let mark = group(regex(#"([A-Z]|[IVX]{1,5})[.)]\s+\p{Lu}"#), text)
        else { return [] }
        var found: [(counting: SectionCounting, number: Int)] = []
        if mark.count == 1, let scalar = mark.unicodeScalars.first {
            found.append((.letters, Int(scalar.value) - 64))
        }
        let values: [Character: Int] = ["I": 1, "V": 5, "X": 10]
        let digits = mark.compactMap { values[$0] }
        var roman = 0
        for (position, value) in digits.enumerated() {
            roman += position + 1 < digits.count && value < digits[position + 1] ? -value : value
        }
        // (Only the canonical spelling: "IIV" is no number.)
        if roman > 0, roman < 40, romanNumeral(roman) == mark { found.append((.roman, roman)) }
        return found
    }

    static func romanNumeral(_ number: Int) -> String {
        let tens = ["", "X", "XX", "XXX"]
        let ones = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]
        return tens[number / 10] + ones[number % 10]
    }

    /// Every letter a capital, with at least four letters ("NETWORK SUNSET", "ANALYSIS").
    static func allCapitals(_ text: String) -> Bool {
        let letters = text.unicodeScalars.filter(\.properties.isAlphabetic)
        return letters.count >= 4 && letters.allSatisfy { !$0.properties.isLowercase }
    }

    /// Pages every site links from its footer, whatever it publishes.
    static let sitePages: Set<String> = [
        "contact", "contact us", "imprint", "impressum", "privacy", "privacy policy", "privacy notice", "terms",
        "terms of use", "terms of service", "terms and conditions", "legal", "legal notice", "cookies", "cookie policy",
        "cookie settings", "accessibility", "sitemap", "careers", "jobs", "press", "about", "about us", "advertise",
        "data protection", "disclaimer", "masthead", "rss", "faq", "help", "imprint & privacy",
    ]

    /// Whether a line is a row of the site's own footer links ("Contact · Imprint · Privacy").
    static func siteLinks(_ text: String) -> Bool {
        for separator in [" | ", " · ", " • ", " ∙ ", "  ", " / "] {
            let items = text.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            if items.count >= 2, items.filter(sitePages.contains).count >= 2 { return true }
        }
        // Their separators lost in copying: "About Masthead Contact Privacy RSS".
        let words = text.lowercased().split(separator: " ").map(String.init)
        return words.count <= 10 && words.filter(sitePages.contains).count >= 3 && !endsWithPeriod(text)
    }

    /// Why a line is a breadcrumb trail ("Home › Policy › Energy"), or nil.
    static func breadcrumb(_ text: String) -> String? {
        for separator in ["›", "»", " > ", " / ", "→", "/", ">", "|"] {
            let items = text.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            // The last crumb may be the page itself, however long: "Home » Australia » Proving you're sixteen: …".
            guard items.count >= 2, items.dropLast().allSatisfy({ words($0) <= 5 && !endsWithPeriod($0) }),
                words(items.last!) <= 5 || (["›", "»", "→"].contains(separator) && items.count >= 3)
            else { continue }
            if ["›", "»", "→"].contains(separator) || items.count >= 3 || items[0].lowercased() == "home" {
                return "a breadcrumb trail"
            }
            // "Land use / Climate": two short section names.
            if separator == " / " && items.allSatisfy({ words($0) <= 3 && startsCapitalized($0) }) {
                return "a pair of section names"
            }
        }
        return nil
    }

    /// Phrases hardly ever written in an article, often in injected spam.
    static let spamPhrases = [
        "casino", "free spins", "jackpot", "viagra", "cialis", "payday loan", "crypto signal", "earn $", "earn money fast",
        "make money online", "work from home", "click here", "buy now", "order now", "limited time offer", "limited offer",
        "100% free", "act now", "promo code", "% off", "best price", "essay writing", "escort", "seo services", "backlinks",
        "replica watches", "slots", "poker", "airdrop", "risk-free", "weight loss", "belly fat", "doctors stunned",
        "doctors hate", "one weird trick", "this trick", "see the trick", "you won't believe", "you won’t believe",
        "results may vary", "anti-aging", "burns fat", "lose weight fast", "what happens next", "claim your", "claim 500",
        "bonus code", "sign-up bonus", "free bonus", "hot singles",
    ]
    /// Words spam leans on that articles use too: a cue only with others.
    static let promotionalWords = [
        "bonus", "betting", "discount", "cheap", "winner", "prize", "guaranteed", "miracle", "secret", "shocking", "melts",
    ]

    /// Why a line looks like injected spam (promotion, shouting, links), or nil; two cues needed,
    /// at least one of them a spam phrase or a shape (a link, exclamations, capitals, a click prompt).
    static func spam(_ text: String) -> String? {
        let lower = text.lowercased()
        var phrases = spamPhrases.filter(lower.contains)
        // "claim 500 free spins" names "free spins" once, not also "spins".
        phrases = phrases.filter { phrase in !phrases.contains { $0 != phrase && $0.contains(phrase) } }
        let words = promotionalWords.filter { matches("\\b\($0)\\b", lower) }
        var shapes: [String] = []
        if lower.contains("http") || lower.contains("www.")
            || LineShapes.matches(#"\b[a-z0-9-]+\.(com|net|io|xyz|biz|ru|top|info|bet|vip|win)\b"#, lower)
        {
            shapes.append("a link")
        }
        if text.filter({ $0 == "!" }).count >= 2 || text.contains("$$") { shapes.append("exclamations") }
        let tokens = text.split(separator: " ")
        let shouted = tokens.filter {
            $0.count >= 3 && $0.allSatisfy { !$0.isLetter || $0.isUppercase } && $0.contains(where: \.isLetter)
        }
        if tokens.count >= 3 && Double(shouted.count) >= 0.5 * Double(tokens.count) { shapes.append("capitals") }
        if text.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation }) { shapes.append("emoji") }
        if text.hasSuffix(">>") || text.hasSuffix("»") || text.contains("➜") || text.contains("★") {
            shapes.append("a click prompt")
        }
        let spam =
            phrases.count >= 2 || (phrases.count == 1 && !(shapes.isEmpty && words.isEmpty))
            || (!words.isEmpty && shapes.count >= 2)
        guard spam else { return nil }
        let cues = phrases.map { "“\($0)”" } + words.map { "“\($0)”" } + shapes
        return "spam-like: " + cues.joined(separator: ", ")
    }

    // MARK: Bylines, dates, credits

    struct Byline: Hashable {
        var names: [String]
        var date: Date?
        /// A picture credit written in the byline ("Words: A · Pictures: B").
        var credit: String?
        /// Written with a label ("By", "Written by", "Authors:").
        var labelled: Bool
    }

    /// The words an institution's or a unit's name ends or opens with ("… Hydrology Unit",
    /// "Universidad de Valdeoro"), as a pattern's alternation.
    static let organisationWords =
        #"(?:Unit|Division|Department|Departamento|Team|Directorate|Programme|Program|Centre|Center|Institute|Instituto|Institut|University|Universidad|Universidade|Universität|Office|Secretariat|Observatory|School|College|Laboratory|Lab|Desk|Ministry|Agency|Foundation|Bank)"#

    /// The text names an institution or a unit ("Centre for Digital Trade Research, University of Eastmoor").
    static func namesOrganisation(_ text: String) -> Bool {
        matches(#"\b"# + organisationWords + #"\b"#, text)
    }

    /// The label of the section a report opens with: its summary or abstract.
    static let openingSectionLabel = #"(?i)^(?:\d{1,2}\.?\s+)?(?:executive\s+summary|summary|abstract)$"#

    /// The guest a host's page names as the piece's writer: "Today's post is by guest author Dr Fiona
    /// MacAulay, …", "Guest post by Ana Ruiz".
    static func guestAuthor(_ text: String) -> String? {
        group(guestAuthorPattern, text).map(Names.clean).flatMap { Names.isName($0) ? $0 : nil }
    }

    static let guestAuthorPattern = regex(
        #"^.*?\b(?i:(?:is|was) (?:written )?by (?:our )?guest (?:author|writer|contributor|columnist|poster)|guest post by|guest (?:author|writer|contributor):?|this week's guest (?:author|writer) is)\s+"#
            + personNamePattern)

    /// A person's name written in running text, as a capture group: an honorific perhaps, two to
    /// four capitalised words, a particle among them ("Dr Fiona MacAulay", "Ana de la Torre").
    static let personNamePattern =
        #"((?:(?i:dr|prof|professor)\.?\s+)?\p{Lu}[\p{L}'’-]+(?:\s+(?:\p{Lu}[\p{L}'’-]+|de|la|van|von|da|di|al|el|bin|ní|ó|mac)){1,3})"#

    /// The dash that sets off an op-ed's closing line ("— Wanjiru Kamau is …").
    static let settingOffDash = #"^[—–-]\s*(?=\p{Lu})"#

    /// A line that says when the piece was updated, not when it appeared ("Updated 15 May 2025",
    /// "Sangrur/New Delhi | Updated: Oct 15, 2025").
    static let updateLabel = #"(?:^|[|·•]\s*)(?i:(?:last )?(?:updated|modified|revised|edited|amended))\b"#

    /// "This week's guests", "Speakers", "On the panel": a label over the people a page introduces.
    static let guestsLabel =
        #"^(?i:(?:this (?:week|episode|month)['’]s |today['’]s |our |the |with our |featured )?(?:guests?|speakers?|panell?ists?|interviewees?|on the panel|in this episode|featuring))\s*:?$"#

    /// "By" in the languages the importer reads: a byline's label, and the word between a date and
    /// its names ("30 mai 2025 par …").
    static let byWord = "by|par|por|von"

    static let bylineLabel = try! NSRegularExpression(
        pattern:
            #"^(?:(?:"# + byWord + #"|écrit par|escrito por|written by|words by|text by|story by|reporting by|reported by|posted by|authored by|analysis by|commentary by|maintained by|written and maintained by|compiled by|prepared by|an? (?:analysis|commentary|essay) by|(?:essay|column|interview|words and pictures) by|authors?|contributors?|byline|writers?|words|text|reporting)\s*[:：]?\s+)"#,
        options: [.caseInsensitive])

    /// "NEWS PROVIDED BY", "Written by:", "Press release from": a short label for the name on the
    /// line under it.
    static func nameLabel(_ text: String) -> Bool {
        words(text) <= 4
            && matches(#"(?i)\b(?:provided|written|issued|released|published|presented|edited)\s+by\s*:?$|^(?i:press release from)\s*:?$"#, text)
    }

    /// What sets a byline's parts apart ("Ana Ruiz | 12 June 2025", "Words: A · Pictures: B"); a
    /// slash too, inside a part ("A / B").
    static let bylinePartSeparators = CharacterSet(charactersIn: "|·•—–")

    /// The names (and a date) a byline gives: "By A and B", "Authors: A, B", "A and B | 12 June 2025".
    static func byline(_ text: String) -> Byline? {
        guard words(text) <= 30, text.count <= 240 else { return nil }
        // "Photo: Daniel Cárdenas/Norte Visual": a credit line whole, its agency after the slash no
        // writer (a byline that also credits its pictures sets the credit apart: "Words: A · Pictures: B").
        if credit(text) != nil, text.rangeOfCharacter(from: bylinePartSeparators) == nil { return nil }
        // "BY DR ROSALIND ACHTERBERG, HEAD OF EARLY YEARS POLICY": a byline set in capitals (a
        // style's text-transform, copied) reads as it would in mixed case.
        if allCapitals(text), matches(#"^(?i:by|words by|written by|authors?:?)\s"#, text) {
            return byline(Names.recased(text))
        }
        // "Yuki Tanabe1∗ Lucía de la Fuente2 Kwame Asante-Boateng1,3": a title block's names, set
        // apart by their affiliation marks alone.
        if Names.affiliationMark.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text)) >= 2 {
            let separated = replacing(Names.affiliationMarkPattern + #"\s+(?=\p{Lu})"#, in: text, with: ", ")
            if separated != text, let found = byline(Names.withoutAffiliationMarks(separated)), found.names.count >= 2 {
                return found
            }
        }
        // "Trade policy, one week at a time. By Beatriz Oliveira dos Santos.": a newsletter's tagline
        // that signs it.
        if words(text) <= 20,
            let name = group(regex(#"^[^.!?]{3,100}[.!?]\s+By\s+(\p{Lu}[^.!?]{2,60}?)\.?$"#), text),
            let found = byline("By " + name), found.names.count >= 1
        {
            return found
        }
        // "11 February 2025 by Ana Ruiz and Tom Berg 3 Comments": the date before the label, and the
        // comment counter after the names.
        let counter = #"\s+\d[\d,]*\s+(?i:comments?|responses?|replies)$"#
        if matches(counter, text) { return byline(replacing(counter, in: text, with: "")) }
        // ("Publié le 30 mai 2025 par Youssef El Amrani", "19 de mayo de 2025 por Ana Ruiz": the same in other languages.)
        if let match = regex(#"^(.{6,40}?)\s+(?i:"# + byWord + #")\s+(\p{Lu}.*)$"#).firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let dateRange = Range(match.range(at: 1), in: text), let namesRange = Range(match.range(at: 2), in: text),
            dateLine(String(text[dateRange])) != nil
        {
            return byline("By " + text[namesRange] + " | " + text[dateRange])
        }
        var body = text
        var labelled = false
        if let match = matches(bylineLabel, text) {
            let label = text[..<match.upperBound].lowercased().trimmingCharacters(in: .whitespaces)
            // "Words", "Text" and "Reporting" label a byline only with a colon ("Words: Ana Ruiz").
            if ["words", "text", "reporting"].contains(label) { return nil }
            let rest = text[match.upperBound...]
            // "By" must be followed by a name, not "By 2030 the grid …".
            guard let first = rest.unicodeScalars.first, first.properties.isUppercase || first.properties.isAlphabetic else {
                return nil
            }
            body = String(rest)
            labelled = true
        }
        guard labelled || !endsWithPeriod(text) else { return nil }
        // "Authors: Siddharth Rao (Open Ledger Policy Lab), Tiago Brandão (…)": each name's affiliation.
        body = replacing(#"\s*\([^()]{2,80}\)"#, in: body, with: "")
        var names: [String] = []
        var date: Date?
        var pictureCredit: String?
        var other = 0
        for segment in body.components(separatedBy: bylinePartSeparators.union(CharacterSet(charactersIn: "/"))).map({
            $0.trimmingCharacters(in: .whitespaces)
        })
        where !segment.isEmpty {
            if let mention = DateMention.all(in: segment).first(where: { $0.precision == .day }) {
                date = date ?? mention.date
                continue
            }
            if let found = credit(segment) {
                pictureCredit = pictureCredit ?? found
                continue
            }
            if uiLabel(segment) != nil || segment.lowercased().hasPrefix("updated") || segment.lowercased().hasPrefix("published")
            {
                continue
            }
            // ("07/05/2025 · 6:00am AEST", split at its slashes: numbers, a time and its zone.)
            if matches(#"^\d{1,4}(?:[:.]\d{2})?\s*(?i:[ap]\.?m\.?)?(?:\s+\p{Lu}{2,5})?$"#, segment) { continue }
            // "Ana Ruiz, Senior Fellow; Tom Berg, Analyst": roles after names are not names.
            // "and" before a piece marks it as a new person ("+"), not a department of the role before.
            // "Anke De Wilde-Mertens, Hydrology and Climate Unit": the unit a person works in is not a name.
            let segment = LineShapes.replacing(
                #"(?<=\p{L}),\s+\p{Lu}[^,;]*?\b"# + organisationWords + #"(?=\s*(?:[,;]|$))"#,
                in: segment, with: "")
            var pieces = LineShapes.replacing(#",?\s+(?:and|und|et|y|&)\s+"#, in: segment, with: ",+")
                .split(whereSeparator: { ",;".contains($0) }).map(String.init).filter {
                    !$0.trimmingCharacters(in: .whitespaces).isEmpty
                }
            // "By Ana Ruiz in Leeds and Tom Berg in York": where each filed from is not part of a name.
            if labelled {
                pieces = pieces.map {
                    LineShapes.replacing(
                        #"\s+(?:in|from|reporting from)\s+\p{Lu}[\p{L}.’'-]+(?:\s+\p{Lu}[\p{L}.’'-]+){0,2}$"#, in: $0, with: "")
                }
            }
            // "Liesbeth ter Horst Senior Fellow, Education and Skills": a name run into its role; the
            // pieces after a role (its department) are part of it.
            var found: [String] = []
            var unexplained: [String] = []
            var afterRole = false
            for raw in pieces {
                let joined = raw.hasPrefix("+")
                let piece = Names.clean(joined ? String(raw.dropFirst()) : raw)
                guard !piece.isEmpty else { continue }
                let department =
                    afterRole && words(piece) <= 4 && startsCapitalized(piece) && !isRole(piece) && nameAndRole(piece) == nil
                if department && (!joined || !Names.isName(piece)) {
                    continue  // the department of the role before: "Senior Fellow, Economic Security"
                }
                if Names.isName(piece) {
                    found.append(piece)
                    afterRole = false
                } else if let (name, _) = nameAndRole(piece) {
                    found.append(name)
                    afterRole = true
                } else if isRole(piece) {
                    afterRole = true
                } else {
                    unexplained.append(piece)
                }
            }
            if found.isEmpty && !unexplained.isEmpty { other += 1 }
            if !labelled { other += unexplained.count }
            names += found
        }
        guard !names.isEmpty else { return nil }
        if !labelled && other > 0 { return nil }
        return Byline(names: names, date: date, credit: pictureCredit, labelled: labelled)
    }

    static let roleWords: Set<String> = [
        "senior", "junior", "chief", "lead", "principal", "associate", "assistant", "deputy", "visiting", "non-resident",
        "nonresident", "adjunct", "research", "policy", "programme", "program", "fellow", "fellows", "director", "analyst",
        "economist", "editor", "correspondent", "reporter", "writer", "contributor", "researcher", "professor", "lecturer",
        "scientist", "adviser", "advisor", "consultant", "manager", "officer", "head", "staff", "intern", "partner", "founder",
        "of", "and", "at", "the", "for", "in", "contributing", "special", "political", "economics", "data", "investigations",
        "guest", "columnist", "photographer", "illustrator", "producer", "coordinator", "specialist",
    ]

    /// A name followed by its role in one piece: "Liesbeth ter Horst Senior Fellow".
    static func nameAndRole(_ piece: String) -> (String, String)? {
        let tokens = piece.split(separator: " ").map(String.init)
        guard tokens.count >= 3 else { return nil }
        for length in 2...min(5, tokens.count - 1) {
            let name = tokens[0..<length].joined(separator: " ")
            let role = tokens[length...].joined(separator: " ")
            if Names.isName(name) && isRole(role) { return (name, role) }
        }
        return nil
    }

    /// The words that make a role a person's: "Senior Fellow", not "Economic Security Programme".
    static let roleNouns: Set<String> = [
        "fellow", "fellows", "director", "analyst", "economist", "editor", "correspondent", "reporter", "writer", "contributor",
        "researcher", "professor", "lecturer", "scientist", "adviser", "advisor", "consultant", "manager", "officer", "head",
        "intern", "partner", "founder", "columnist", "photographer", "illustrator", "producer", "coordinator", "specialist",
        "associate", "chair", "staff",
    ]

    /// A role written after a name in a byline: "Senior Fellow", "Research Associate".
    static func isRole(_ text: String) -> Bool {
        let words = text.lowercased().split(separator: " ").map(String.init)
        guard !words.isEmpty, words.count <= 6 else { return false }
        if words.allSatisfy(roleWords.contains) && words.contains(where: roleNouns.contains) { return true }
        // "Transport correspondent", "Chief Health Editor": a beat before the role noun that ends it.
        return words.count <= 4 && ["correspondent", "editor", "reporter", "writer", "columnist", "producer"].contains(words.last!)
            && words.allSatisfy { $0.allSatisfy(\.isLetter) }
    }

    static let dateFiller: Set<String> = [
        "published", "updated", "posted", "last", "on", "at", "min", "minute", "minutes", "read", "utc", "gmt", "bst", "cet",
        "cest", "est", "edt", "pst", "pdt", "am", "pm", "date", "sent", "reading", "time", "mon", "tue", "wed", "thu", "fri",
        "sat", "sun", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "first", "originally",
        "released", "issued", "edition", "issue", "no", "vol", "modified", "revised", "ago", "hours", "hour", "of",
        // "Publié le 30 mai 2025", "Publicado el 19 de mayo de 2025", "Veröffentlicht am 13. Juni 2025".
        "publié", "publiée", "le", "mis", "à", "jour", "publicado", "publicada", "el", "actualizado", "em", "atualizado",
        "veröffentlicht", "aktualisiert", "um",
    ]

    /// A line that only dates the article ("14 March 2026", "Published March 14, 2026 · Updated
    /// April 2, 2026", "Date: Tue, 3 Jun 2025 09:12"): the first date on it.
    static func dateLine(_ text: String) -> Date? {
        // (The time of day aside: "Oct. 14, 2025 at 6:00 a.m. EDT".)
        // (And its zone: "7:45 PM CST", "09:00 SAST", "10:10 AEST".)
        let line = replacing(
            #"(?i)\b\d{1,2}:\d{2}(?:\s?[ap]\.?m\.?)?|\b\d{1,2}\.\d{2}\s?[ap]\.?m\.?|(?-i:\b[A-Z]{1,4}[ST]T\b)"#, in: text, with: "")
            .trimmingCharacters(in: CharacterSet(charactersIn: "*_ "))
        // "March 21, 2025 7:45 PM CST Updated March 22, 2025 10:10 AM CST": the date, then its update,
        // with no mark between them.
        if let head = group(regex(#"^(.+?\d{4})\s+(?i:(?:last )?updated|modified|edited|revised)\b:?\s+\S.*$"#), line),
            let date = dateLine(head)
        {
            return date
        }
        // "First posted 3 March 2025 · Updated 5 March 2025 to correct the year …": the date, with
        // an update note after it.
        for separator in [" · ", " | ", " • "] where line.contains(separator) {
            let parts = line.components(separatedBy: separator)
            // "Sangrur/New Delhi | Updated: Oct 15, 2025 11:20 IST": a dateline's places, then the date.
            if parts.count == 2, matches(#"^\p{Lu}[\p{L}.'’-]*(?:[ /,]+\p{Lu}[\p{L}.'’-]*){0,4}$"#, parts[0].trimmingCharacters(in: .whitespaces)),
                let date = dateLine(parts[1])
            {
                return date
            }
            if parts.count >= 2, let date = dateLine(parts[0]),
                parts.dropFirst().allSatisfy({
                    matches(#"^(?i:(?:last )?updated|corrected|correction|amended|edited|modified|revised)\b"#, $0)
                        || matches(counter, $0) != nil
                        // ("Mar 3, 2026 · Pensions & Savings": the date, then the topic it is filed under.)
                        || (parts.count == 2 && matches(#"^\p{Lu}[\p{L}’'-]*(?:\s+(?:&|and|\p{L}[\p{L}’'-]*)){0,3}$"#, $0.trimmingCharacters(in: .whitespaces)))
                })
            {
                return date
            }
            // "Issue #112 · January 22, 2026 · View in browser": a mail's issue number and its controls
            // around the date.
            let dated = parts.compactMap { dateLine($0) }
            if parts.count >= 2, dated.count == 1,
                parts.filter({ dateLine($0) == nil }).allSatisfy({
                    matches(#"^(?i:issue|no\.?|number|edition|vol\.?|volume)?\s*#?\s*\d{1,5}$"#, $0.trimmingCharacters(in: .whitespaces))
                        || ["view in browser", "view online", "read online", "view this email in your browser", "open in browser"]
                            .contains(key($0))
                })
            {
                return dated[0]
            }
        }
        // "Posted on 2 October 2024 in Schools, Pay and conditions": the date, then the topics it is
        // filed under.
        if let head = group(regex(#"^(.*?\d{4})\s+(?i:in|under|filed (?:in|under))\s+\p{Lu}[\p{L}’'&, -]*$"#), line),
            let date = dateLine(head)
        {
            return date
        }
        // "Posted on June 12, 2025 by llanosletters": a blog's date line, then the account that posted it.
        if let head = group(regex(#"^(.*?\d{4})\s+(?i:by)\s+\S+(?:\s+\S+){0,3}$"#), line), head != line, let date = dateLine(head) {
            return date
        }
        guard words(line) <= 16 else { return nil }
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
        let leftover = rest.lowercased().split { !$0.isLetter }.filter { !dateFiller.contains(String($0)) }
        return leftover.count <= 1 ? first.date : nil
    }

    /// A line that is only a month ("October 2025", "Spring 2025", "June 2025 | Policy Paper 3").
    static func monthLine(_ text: String) -> Bool {
        guard words(text) <= 4 else { return false }
        let mentions = DateMention.all(in: text).filter { $0.precision == .month }
        guard !mentions.isEmpty else { return false }
        let rest = text.lowercased().split { !$0.isLetter }.filter { word in
            !DateMention.monthNames.contains { $0.lowercased().hasPrefix(String(word)) && word.count >= 3 }
        }
        return rest.count <= 1
    }

    static let creditPattern = try! NSRegularExpression(
        pattern:
            #"^(?:(?:(?:cover|header|lead|featured|feature|top|hero|main|banner|title|article|episode|post|story)\s+)?(?:image|images|photo|photos|photograph|photography|picture|pictures|illustration|illustrations|artwork|graphic|graphics|art|visual)(?:\s+credits?)?|credits?|cover|image credits?|photo credits?|picture credits?|(?:crédits?|créditos?)(?:\s+(?:photo|image|photographique|fotos?|da imagem|de (?:la )?(?:imagen|foto)))?|fotos?|fotografía|fotografia|imagen|imagem|ilustración|ilustração|bild|bilder|bildnachweis|fotonachweis)\s*[:：]\s*"#,
        options: [.caseInsensitive])

    /// The credit a labelled credit line gives ("Photo credit: X" → "X"; "Foto: X", "Crédit photo : X",
    /// "Bild: X" as Spanish, French and German pages label it), or nil.
    static func credit(_ text: String) -> String? {
        // "[Image: Flooded farmland … Photo: Rowan Pike]": a reader app's stand-in for the picture.
        if text.hasPrefix("["), text.hasSuffix("]"), text.count > 2 { return credit(String(text.dropFirst().dropLast())) }
        guard let match = matches(creditPattern, text) else { return nil }
        let credit = text[match.upperBound...].trimmingCharacters(in: .whitespaces)
        return credit.isEmpty || words(credit) > 40 ? nil : credit
    }

    static let trailingCredit = try! NSRegularExpression(
        pattern:
            // ("Photo credit: Ruaridh MacIntyre (CC BY-SA 4.0)": a credit's own full stops are inside
            // a number or after an initial; "(Delphine Ravenscroft / The Courier)": spaced or not;
            // "PHOTO | JAMES KARIUKI", as some papers set it.)
            #"(?:[.!?)]\s+|\s\(|^)(?:(?:photo(?:graph)?|image|picture|illustration|credit|source|supplied|foto|crédit|crédito)s?(?:\s+credits?)?(?:\s+by|\s+via|\s+courtesy(?:\s+of)?|\s*:|\s+\|)|©)\s*(?:[^.]|\.(?=\S)|(?<=\b\p{Lu})\.\s){2,80}[.)]?\)?\s*$|(?-i:[.!?]\s+\(\p{Lu}[\p{L}.’' -]{2,50}\s?/\s?\p{Lu}[^()]{1,60}\)$)|(?-i:\s\((?:\p{Lu}[\p{L}.’'-]*\s){0,3}(?:Images|Photos|Pictures|Photography|Picture Agency)\)$|\s\((?:(?:AFP|AP|Reuters|EPA|ANP|PA|dpa|Xinhua|Getty)\s?/\s?\p{Lu}[^()]{1,50}|AP Photo(?:\s?/\s?\p{Lu}[^()]{1,50})?)\)$)"#,
        options: [.caseInsensitive])

    /// A caption that ends with its picture's credit: "Drained meadows near Gouda. Image: Sander Vos",
    /// "A crew at work in 2023. (Photo by D. Ruiz/Calloway Center)", "Queues at a filling station in
    /// Ikeja (Delta Press Images)", "… in Lagos (AFP/Ana Ruiz)" (not a wire's "… every concession (Reuters)").
    static func captionWithCredit(_ text: String) -> Bool {
        guard words(text) <= 60, words(text) >= 4 else { return false }
        return trailingCredit.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// "Street trees in Malmö, June 2025. Kwame Mensah-Lindholm": a caption with its photographer's
    /// bare name after it. (Only near an image or the top of the page: a letter's sign-off looks the same.)
    static func captionWithPhotographer(_ text: String) -> Bool {
        guard words(text) <= 60, words(text) >= 4, !valediction(text),
            !matches(#"(?i)\b(?:thanks|thank you|see you|until next|best wishes|regards|cheers)\b"#, text),
            let stop = text.range(of: #"[.!?]\s+(?=[^.!?]+$)"#, options: .regularExpression)
        else { return false }
        let name = String(text[stop.upperBound...])
        // (A caption of a few words at least before the name: "Prof. Tomasz Wierzbicki PhD" is a name with its title.)
        return (2...4).contains(words(name)) && Names.isName(name) && !endsWithPeriod(name)
            && words(String(text[..<stop.lowerBound])) >= 3
    }

    // MARK: Publication

    struct PublicationMention: Hashable {
        var name: String
        var evidence: String
        var weight: Double
    }

    static let copyright = try! NSRegularExpression(
        pattern:
            // ("© 2025 Name. CVR no. 41 27 38 90.", "… Registered charity 1092773", "… Pty Ltd. ABN 62 418 905
            // 731": its registration after it.)
            #"^(?:(?:(?:©|\(c\)|copyright(?=\s*(?:©|\(c\)|\d{4})))\s*)+(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*,?\s*)([^|·∙•]+?)\s*(?:[.,]?\s*(?:all rights reserved)\.?)?\s*(?:[.,]\s+(?:registered\b|(?:[\p{L}]+\s){0,3}(?:no|nr|number|reg)\b\.?\s*:?\s*[\dA-Z]|(?-i:ABN|ACN|ARBN|CVR|KvK|SIRET|SIREN|EIN|VAT|GST|UID|NZBN|BN)\b\.?\s*:?\s*\d).*)?\s*(?:[|·∙•].*)?$"#,
        options: [.caseInsensitive])
    static let originallyPublished = try! NSRegularExpression(
        pattern:
            #"^(?:(?:this (?:article|piece|brief|essay|post|commentary|analysis|report|story|column|briefing|text) (?:was |is |first )?(?:originally |first )?(?:published|appeared|posted|ran)|(?:originally|first) (?:published|appeared|posted|ran)|republished|published|reprinted))\s+(?:in|by|on|at|with|from)\s+(?:the (?:website|blog|pages) of\s+)?(.+?)\.?$"#,
        options: [.caseInsensitive])
    static let thanksForReading = try! NSRegularExpression(
        pattern: #"^(?:thanks?(?: you)? for reading)\s+([^!.?]+?)[!.?]"#, options: [.caseInsensitive])

    /// A line that names the publication, and how strongly.
    static func publication(_ text: String) -> PublicationMention? {
        // "First published 28 May 2025 by X": the date may stand between the verb and the name.
        var text = text
        if let mention = DateMention.all(in: text).first(where: { $0.precision == .day }),
            text.lowercased().contains("published") || text.lowercased().contains("appeared")
        {
            let scalars = Array(text.unicodeScalars)
            var without = ""
            without.unicodeScalars.append(contentsOf: scalars[..<mention.range.lowerBound])
            without.unicodeScalars.append(contentsOf: scalars[mention.range.upperBound...])
            text = TextNormalizer.normalize(
                LineShapes.replacing(#"\s+on\s+(by|in)\s+"#, in: without, with: " $1 "))
        }
        for (pattern, evidence, weight) in publicationPatterns {
            // (A sentence of the article may describe a site or a journal; the page describing its own does so briefly.)
            if pattern === selfDescribed && words(text) > 20 { continue }
            // ("© Crown copyright", "© Assembly copyright 2025": a class of copyright, not a publisher.)
            if pattern === copyright || pattern === copyrightAfter,
                matches(#"^(?i:©|\(c\))?\s*(?:\d{4}\s+)?(?:the\s+)?\p{L}+\s+copyright\b"#, text)
            {
                continue
            }
            if let name = group(pattern, text).flatMap(clean(publicationName:)) {
                return PublicationMention(name: name, evidence: evidence, weight: weight)
            }
        }
        return nil
    }

    /// The lines that name a publication, in the order tried, with how strongly each names it.
    static let publicationPatterns: [(NSRegularExpression, String, Double)] = [
        (copyright, "a copyright line", 5), (originallyPublished, "a “published in/by” line", 6),
        (thanksForReading, "a “thanks for reading” line", 4), (publishedBy, "an “X is published by” line", 6),
        (copyrightAfter, "a copyright line", 5), (readerSupported, "a “reader-supported publication” line", 4),
        (inYourInbox, "the sign-up box names the newsletter", 4),
        (subscribedTo, "a subscription notice", 3), (selfDescribed, "an “X is an independent magazine” line", 5),
        (journalName, "the journal's reference line", 5), (discoverMore, "a “discover more from” line", 4),
        (publisherDescriptions[0], "the publisher describing itself", 5), (publisherDescriptions[1], "the publisher describing itself", 5),
    ]

    /// "Sign up to get Council Counts in your inbox every Thursday", "Get Tidewater delivered to
    /// your inbox": a newsletter's sign-up box naming it.
    static let inYourInbox = try! NSRegularExpression(
        pattern:
            #"^(?i:(?:sign up|subscribe|join [\d,.]+k? (?:other )?(?:readers|subscribers))(?: now| for free| today)?(?: to| and)? )?(?i:get|receive|have) (?:the )?(\p{Lu}[\p{L}'’&-]*(?: (?:of|on|for|and|&|the|\p{Lu}[\p{L}'’&-]*)){0,5}) (?i:in|into|delivered to|sent to|straight to|to) your (?i:inbox|e-?mail)\b"#)

    /// "Discover more from Field Margins": a newsletter platform naming its publication.
    static let discoverMore = try! NSRegularExpression(
        // ("Subscribe to The Adaptation Brief · Unsubscribe from this feed": the feed reader's own links after it.)
        pattern: #"^(?i:discover more from|subscribe to)\s+(\p{Lu}[^.!?|·•]{1,60}?)\s*(?:[|·•].*)?$"#)

    /// "Health Regulation Review (2025), 11(1), 44–47": the journal that printed the article.
    static let journalName = try! NSRegularExpression(
        pattern: #"^(\p{Lu}[^()]{2,80}?)\s*\((?:19|20)\d{2}\),?\s+\d{1,4}\s?(?:\(\d{1,3}\))?,?\s+\d{1,5}\s?[–-]\s?\d{1,5}"#)

    /// "Floorwork is an independent magazine published by …": the page describing its publication.
    static let selfDescribed = try! NSRegularExpression(
        pattern:
            #"^(\p{Lu}[^,.;:]{1,60}?) is (?:an?|the) (?:[\p{L}-]+ ){0,4}(?:magazine|newsletter|publication|journal|website|site|blog|news service|news site|think[- ]tank|policy institute|research institute|policy centre|policy center|podcast|quarterly|weekly|digest|bulletin|newsroom)\b"#)

    /// "Name © 2025", "Name ©2025. All rights reserved."
    static let copyrightAfter = try! NSRegularExpression(
        pattern: #"^([^©|·∙•]{2,80}?)\s*(?:©|\(c\)|copyright)\s*\d{4}"#, options: [.caseInsensitive])
    /// "Interchange is published by the Halden Mobility Trust": the publication is the subject.
    static let publishedBy = try! NSRegularExpression(
        pattern:
            #"^[*_]?([^,.;:]{2,60}?) is (?:published|produced|edited|run|written|compiled|curated|put together)(?: (?:\w+ly|daily|weekly|monthly|fortnightly|quarterly|twice a \w+|every \w+))? by\b"#,
        options: [.caseInsensitive])
    /// "The Assembly Research Library provides impartial research and analysis for Members", "The
    /// Westmarch Assembly Library is a research and information service for Members": the publisher
    /// describing itself.
    static func publisherDescribed(_ text: String) -> Bool {
        let first = text.components(separatedBy: ". ").first ?? text
        return words(first) <= 30 && publisherDescriptions.contains { matches($0, first) != nil }
    }

    /// The two ways a publisher describes itself, each with its name as the first group.
    static let publisherDescriptions = [
        #"^(?:The )?(\p{Lu}[^,.;:]{1,60}?) (?:provides|produces|publishes|offers) (?:impartial|independent|nonpartisan|non-partisan|free|expert|trusted|objective)\b"#,
        #"^(?:The )?(\p{Lu}[^,.;:]{1,60}?) is (?:an?|the) (?:[\p{L}-]+ ){0,3}(?:research|information|library|advisory|briefing)(?: and (?:research|information|library|advisory|briefing))? service\b"#,
    ].map { regex($0) }

    /// "Eastmoor Gazette is regulated by IPSO": a paper naming its press regulator.
    static let pressRegulated = try! NSRegularExpression(
        pattern:
            #"^(?:.*?[.!?]\s+)?((?:The )?\p{Lu}[^.,;:]{1,60}?) (?:is|are) (?:regulated by|a member of|signed up to|subscribes? to) (?:the )?(?:IPSO|Impress|IMPRESS|Independent Press Standards Organisation|Press Council|[\p{L} ]{0,30}Press Council|Press Complaints Commission|Ombudsman)\b"#)

    /// "Name is a reader-supported publication."
    static let readerSupported = try! NSRegularExpression(
        pattern: #"^(.{2,80}?) is a reader-supported publication"#, options: [.caseInsensitive])
    /// "You are receiving this because you subscribed to Name."
    static let subscribedTo = try! NSRegularExpression(
        pattern:
            #"^.{0,80}?\b(?:subscribed to|signed up for|signed up to|a subscriber to|subscriber of|sign up for|sign up to)\s+(?:the\s+)?([^.,;!?()]{2,60}?)(?:\s+(?:at|on|from|newsletter|using|with|here)\b.*|\s*\(.*|[.,;!?].*)?$"#,
        options: [.caseInsensitive])

    /// A publication's name out of the words around it: no date, no "on …", no trailing punctuation.
    static func clean(publicationName raw: String) -> String? {
        var name = TextNormalizer.normalize(raw)
        // "Name. Registered charity no. 123": the name is the first sentence; "Name, 12 Grey Street": before the comma.
        // ("The Tolbooth Review. A Scottish Charitable Incorporated Organisation": "A" opens a sentence too.)
        if let stop = name.range(of: #"\.\s+(?:\p{Lu}\p{Ll}|(?:A|An)\s)"#, options: .regularExpression) {
            name = String(name[..<stop.lowerBound])
        }
        // "Halden Media Ltd, publishers of Transition Quarterly": the publication it names.
        if let title = group(regex(#"^.+?,?\s+(?i:the\s+)?(?i:publishers?|publishing house|home) of\s+(?:the\s+)?(\p{Lu}[^,;]{1,60})$"#), name) {
            name = title
        }
        if let comma = name.range(of: ", ") { name = String(name[..<comma.lowerBound]) }
        // "Centre for Energy and Public Finance (CEPF)": the name without its initials after it;
        // "The Prairie Dispatch for $2 a week": without the offer.
        name = replacing(#"\s+\((?:\p{Lu}[\p{Lu}&]{1,9})\)$|\s+for (?:just |only )?[$£€₹]\s?\d.*$"#, in: name, with: "")
        // "X on 3 May 2025", "X, 3 May 2025", "X in June 2025".
        if let mention = DateMention.all(in: name).first {
            let scalars = Array(name.unicodeScalars)
            var head = ""
            head.unicodeScalars.append(contentsOf: scalars[..<mention.range.lowerBound])
            name = head
        }
        name = LineShapes.replacing(#"(?i)\s+(?:on|in|at|,)\s*$"#, in: name, with: "")
        name = LineShapes.replacing(
            #"(?i),?\s+(?:and is|and has been|under|with permission|is republished|reproduced|(?:or|and) (?:its|their) (?:affiliated|affiliates|subsidiaries|licensors|group)).*$"#, in: name, with: "")
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: " .,;:*_–—-"))
        // "Published by the Rhine Navigation Observatory": the sentence's "the", not the name's "The".
        if name.hasPrefix("the ") { name = String(name.dropFirst(4)) }
        // "© 2025 a Moorland Media publication": the company; "© Assembly copyright 2025": the Assembly.
        if let company = group(regex(#"^(?i:an?) (\p{Lu}.{1,60}?) (?i:publication|company|title|brand|newspaper|website)$"#), name) {
            name = company + " Media"
            if company.hasSuffix(" Media") { name = company }
        }
        name = replacing(#"(?i)\s+copyright$"#, in: name, with: "")
        guard !name.isEmpty, words(name) <= 10, startsCapitalized(name) || name.first?.isNumber == false else { return nil }
        // "Sign up for our newsletter": a pronoun, not a name.
        let first = name.lowercased().split(separator: " ").first.map(String.init) ?? ""
        if ["our", "my", "your", "their", "his", "her", "its", "this", "these", "that", "free", "a", "an"].contains(first) { return nil }
        // "Published Oct. 14 at 6:00 a.m. EDT": a time, not a name.
        if LineShapes.matches(#"\d{1,2}[:.]\d{2}|(?i)\b(?:a\.m\.|p\.m\.|edt|est|utc|gmt|bst|cest?|pdt|pst)\b"#, name) { return nil }
        // "© The Author(s), 2025": the authors hold the copyright; they are not a publication.
        if ["the author(s)", "the authors", "the author", "author(s)", "authors", "the contributors"].contains(
            name.lowercased())
        {
            return nil
        }
        return name
    }

    /// A company's name without its legal form: "Commonplace Media Ltd" → "Commonplace Media".
    static func withoutLegalSuffix(_ name: String) -> String {
        var name = name
        while true {
            let shorter = strippedLegalSuffix(name)
            if shorter == name { return name }
            name = shorter
        }
    }

    static func strippedLegalSuffix(_ name: String) -> String {
        // ("Polder Post B.V", "Iberian Courier Media S.L": a dotted legal form whose last full stop
        // went with the sentence's.)
        if LineShapes.matches(#"\s(?:\p{L}\.)+\p{L}$"#, name) {
            let dotted = strippedLegalSuffix(name + ".")
            if dotted != name + "." { return dotted }
        }
        return LineShapes.replacing(
            #"(?i),?\s+(?:ltd\.?|limited|npc|scio|cio|clg|dac|\(rf\)|llc|l\.l\.c\.|inc\.?|incorporated|plc|gmbh|ggmbh|e\.\s?v\.|ag|s\.a\.|sa|s\.l\.|bv|b\.v\.|nv|pty|oy|ab|as|a/s|sas|srl|s\.r\.l\.|co\.|corp\.?|corporation|asbl|a\.s\.b\.l\.|vzw|v\.z\.w\.|aisbl|e\.u\.|cic|sarl|s\.à r\.l\.|s\.p\.a\.|kft|sp\. z o\.o\.|z\.s\.|o\.p\.s\.|pte\.?|pvt\.?|private|sdn\.? bhd\.?|bhd\.?|tbk\.?|ltda\.?|lda\.?|s\.a\. de c\.v\.|sa de cv|s\. de r\.l\.|k\.k\.|s\.a\.s\.|s\.c\.|eirl)$"#,
            in: name, with: "")
    }

    /// Whether `short` is the initials of `name`: "MRPC" of "Mediterranean Resource Policy Centre".
    static func isAcronym(_ short: String, of name: String) -> Bool {
        guard (2...8).contains(short.count), short.allSatisfy({ $0.isUppercase && $0.isLetter }) else { return false }
        return initials(of: name) == short
    }

    /// The small words a name's initials leave out, in the languages the pages come in: "IEHN" is
    /// the "Instituto de Estudios Hídricos del Noreste".
    static let initialsLeaveOut: Set<String> = [
        "of", "for", "the", "and", "on", "in", "&", "de", "del", "la", "las", "los", "el", "y", "e", "des", "du", "et",
        "der", "die", "das", "für", "und", "do", "da", "dos", "di", "della", "van", "voor", "en",
    ]

    /// The capital initials of a name's words, small words left out: "CEIP" of "Centre for
    /// Extractive Industries Policy".
    static func initials(of name: String) -> String {
        name.split(separator: " ").filter { !initialsLeaveOut.contains($0.lowercased()) }
            .compactMap(\.first).map { String($0).uppercased() }.joined()
    }

    /// The labels of a web address's host in front of its site's own ("ceip" of
    /// `ceip.kingsbridge.ac.uk`): a unit of the site, named by its initials or its name. Generic
    /// ones ("www", "blog", "news") are left out.
    static func subsiteLabels(_ url: String?) -> [String] {
        guard let url, let host = URL(string: url)?.host?.lowercased(), let site = siteLabel(url) else { return [] }
        let parts = host.split(separator: ".").map(String.init)
        guard let position = parts.lastIndex(of: site) else { return [] }
        let generic: Set<String> = ["www", "m", "amp", "blog", "blogs", "news", "en", "www2", "web", "mobile", "beta", "staging", "old"]
        return parts[..<position].filter { !generic.contains($0) && $0.count >= 2 && $0.allSatisfy(\.isLetter) }
    }

    /// A name in capitals as running text writes it: "Centre for Coastal Labour Studies" for
    /// "CENTRE FOR COASTAL LABOUR STUDIES" (the small words in lower case, after the first).
    static func titleCased(_ name: String) -> String {
        name.split(separator: " ").enumerated().map { position, word in
            let lower = word.lowercased()
            return position > 0 && initialsLeaveOut.contains(lower) ? lower : lower.prefix(1).uppercased() + lower.dropFirst()
        }.joined(separator: " ")
    }

    /// "The Centre for Extractive Industries Policy (CEIP) is an independent research centre …":
    /// an organisation's account of itself, as the foot of a brief or a release's notes give it.
    ///
    /// Wider than ``selfDescribed`` (any length of sentence, organisations of every kind) because
    /// it is read only as evidence for the publication, on lines already outside the body, late
    /// on the page; ``selfDescribed`` is also evidence against a line being text, so it stays narrow.
    /// (The body's own sentences about other organisations never reach this one.)
    static func selfDescription(_ text: String) -> String? {
        let pattern =
            #"^((?:The )?\p{Lu}[\p{L}'’-]+(?: (?:of|for|on|and|&|the|de|del|la|des|du|für|\p{Lu}[\p{L}'’-]*)){1,8})(?: \(\p{Lu}{2,8}\))? is (?:an?|the) (?:[\p{Ll}-]+,? ){0,5}(?:think[- ]tank|research (?:centre|center|institute|organi[sz]ation|group|unit|network)|centre|center|institute|organi[sz]ation|charity|foundation|non-?profit|not-for-profit|publication|magazine|newsletter|newsroom|news (?:site|outlet|organi[sz]ation)|journal|association|network|policy (?:institute|centre|center|unit|lab)|lab|observatory|consultancy)\b"#
        // (The sentence's "The" is grammar; "The Centre" alone is no name.)
        guard let found = group(regex(pattern), text) else { return nil }
        let name = found.hasPrefix("The ") ? String(found.dropFirst(4)) : found
        return words(name) >= 2 ? name : nil
    }

    /// The day a URL's path is dated with: `/2025/08/14/slug`, `/2025-08-14-slug`.
    static func urlDate(_ url: String?) -> Date? {
        guard let url, let path = URL(string: url)?.path else { return nil }
        for pattern in [#"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|$)"#, #"/((?:19|20)\d{2})-(\d{2})-(\d{2})(?:[-/]|$)"#] {
            let regex = LineShapes.regex(pattern)
            guard let match = regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)),
                let year = Range(match.range(at: 1), in: path).flatMap({ Int(path[$0]) }),
                let month = Range(match.range(at: 2), in: path).flatMap({ Int(path[$0]) }),
                let day = Range(match.range(at: 3), in: path).flatMap({ Int(path[$0]) }),
                (1...12).contains(month), (1...31).contains(day)
            else { continue }
            var components = DateComponents()
            (components.year, components.month, components.day) = (year, month, day)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day else { continue }
            return date
        }
        return nil
    }

    /// Hosts that serve many publications, each under its own subdomain or path.
    static let platformHosts: Set<String> = [
        "substack.com", "beehiiv.com", "medium.com", "wordpress.com", "blogspot.com", "ghost.io", "buttondown.email",
        "tumblr.com", "mailchi.mp", "linkedin.com", "github.io", "wixsite.com", "squarespace.com", "typepad.com",
    ]
    /// Two-part public suffixes: the site's label comes before them.
    /// A country's second-level domain of a common kind: "co.ke", "org.ng", "gov.in", "ac.nz".
    static func secondLevelSuffix(_ lastTwo: String) -> Bool {
        matches(#"^(?:co|com|org|net|ac|gov|edu|or|ne|go|gob|nic|ltd|plc|sch|mil|info|biz)\.[a-z]{2}$"#, lastTwo)
    }

    static let twoPartSuffixes: Set<String> = [
        "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "ltd.uk", "com.au", "org.au", "net.au", "co.nz", "org.nz", "co.za",
        "com.br", "co.jp", "co.in", "org.in", "com.sg", "com.mx", "gv.at", "or.at", "co.at",
    ]

    /// The site's own label in a URL, letters and digits only: "casenote" for `https://www.casenote.org.uk/…`,
    /// "coolingload" for `coolingload.substack.com`; nil for a platform's own pages.
    static func siteLabel(_ url: String?) -> String? {
        guard let url, let host = URL(string: url)?.host?.lowercased() else { return nil }
        var parts = host.split(separator: ".").map(String.init)
        if parts.first == "www" { parts.removeFirst() }
        guard parts.count >= 2 else { return nil }
        let lastTwo = parts.suffix(2).joined(separator: ".")
        let label: String
        if platformHosts.contains(lastTwo) {
            // A publication on a platform has its own subdomain ("coolingload.substack.com") or its
            // own path ("medium.com/terms-and-conditions-apply/…"; "/@name" is a person's page).
            if parts.count >= 3 {
                label = parts[parts.count - 3]
            } else if let first = URL(string: url)?.pathComponents.dropFirst().first, !first.hasPrefix("@"),
                !["p", "posts", "pulse", "post", "blog", "in", "pub"].contains(first.lowercased()), first.contains("-") || first.count >= 4,
                (URL(string: url)?.pathComponents.count ?? 0) >= 3
            {
                label = first
            } else {
                return nil
            }
        } else if twoPartSuffixes.contains(lastTwo) || secondLevelSuffix(lastTwo), parts.count >= 3 {
            label = parts[parts.count - 3]
        } else {
            label = parts[parts.count - 2]
        }
        let letters = label.filter { $0.isLetter || $0.isNumber }
        return letters.count >= 3 ? letters : nil
    }

    /// "Should shops take cash? | Counterfoil": a title with its site after it, split, when the
    /// page's address spells the site.
    static func siteAfterTitle(_ text: String, url: String?) -> (title: String, site: String)? {
        guard let bar = text.range(of: " | ", options: .backwards), let label = siteLabel(url) else { return nil }
        let site = text[bar.upperBound...].trimmingCharacters(in: .whitespaces)
        guard (1...4).contains(words(site)), spells(label, site) else { return nil }
        return (String(text[..<bar.lowerBound]).trimmingCharacters(in: .whitespaces), site)
    }

    /// Whether a site's label spells a name: all of it ("The Tamarack Herald" in `tamarackherald`),
    /// its opening words ("Nordhavn Institute for …" in `nordhavninstitute`), the label in its first
    /// words ("Headland" in `headlandfarmpolicy`), or its initials ("Mediterranean Resource Policy Centre" in `mrpc`).
    static func spells(_ label: String, _ name: String) -> Bool {
        // "Terms & Conditions Apply" at /terms-and-conditions-apply.
        if name.contains("&"), spells(label, name.replacingOccurrences(of: "&", with: " and ")) { return true }
        // (Web addresses spell "Hídricos" "hidricos".)
        let plain = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        let words = plain.split(separator: " ").map { $0.filter { $0.isLetter || $0.isNumber } }.filter {
            !$0.isEmpty
        }
        // ("Los Llanos Letters" at llanosletters.wordpress.com, "Le Petit Écho" at petitecho.fr.)
        let article = words.count >= 2 && leadingArticles.contains(words[0])
        let significant = article ? Array(words.dropFirst()) : words
        guard !significant.isEmpty else { return false }
        let joined = significant.joined()
        if joined == label || (label.hasPrefix(joined) && joined.count >= 4) { return true }
        if article, words[0] + joined == label { return true }  // "The Guardian" at theguardian.com
        // The opening words, two or more, or one long one: "nordhavninstitute", "headland".
        var opening = ""
        for (count, word) in significant.enumerated() {
            opening += word
            if opening == label && (count >= 1 || opening.count >= 6) { return true }
        }
        return label.count >= 3 && isAcronym(label.uppercased(), of: name)
    }

    /// The definite articles a publication's name may open with and its web address leave out.
    static let leadingArticles: Set<String> = ["the", "los", "las", "el", "la", "le", "les", "il", "lo", "der", "die", "das", "het", "os", "as"]

    /// Words a company adds to its publication's name: "Commonplace Media", "Ledger Group"; and
    /// the foundation or trust that owns a review ("© 2025 Odra Policy Review Foundation").
    static let companyWords: Set<String> = [
        "media", "group", "holdings", "publishing", "publications", "publishers", "communications", "company", "enterprises",
        "digital", "network", "networks", "ventures", "studios", "productions", "news", "&", "co", "newsroom",
        "foundation", "trust", "stiftung", "fundación", "fundacion", "fondation", "fundacja", "fundação", "stichting",
    ]

    /// What a publication calls its newsletters and shows: "The Casenote briefing", "Ledger Weekly".
    static let productWords: Set<String> = [
        "briefing", "newsletter", "weekly", "daily", "digest", "bulletin", "podcast", "edition", "update", "roundup",
        "morning", "evening", "monthly", "briefings", "events", "team", "mailing", "list", "press", "office", "updates",
        // A section's or a newsletter's name after the publication's: "Polder Post Analysis", "… Opinion".
        "analysis", "opinion", "commentary", "insights", "premium", "plus", "extra", "alerts",
    ]

    /// "Name | Section" banners at the top of a page.
    static func banner(_ text: String) -> String? {
        guard let bar = text.range(of: " | ") else { return nil }
        let name = text[..<bar.lowerBound].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, words(name) <= 6, startsCapitalized(name), DateMention.all(in: name).isEmpty, !Names.isName(name),
            boilerplate(name) == nil, uiLabel(name) == nil
        else { return nil }
        return name
    }

    /// "PARTY WALL - ISSUE 88 - LONG READ", "The Rota · Issue 57", "Key Money #27": a masthead with its issue number.
    static func issueMasthead(_ text: String) -> String? {
        let text = text.replacingOccurrences(of: "*", with: "")
        // "Metropolis Quarterly · Housing · Winter 2026": the name, its section, the issue's season.
        for separator in [" · ", " | ", " • "] where text.contains(separator) {
            let parts = text.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces) }
            // (A name like a person's too, "Metropolis Quarterly": nobody's byline ends in a season.)
            if parts.count >= 2, parts.count <= 4, let name = parts.first, (1...5).contains(words(name)), startsCapitalized(name),
                DateMention.all(in: name).isEmpty, boilerplate(name) == nil, uiLabel(name) == nil,
                matches(#"^(?i:(?:spring|summer|autumn|fall|winter)\s+(?:19|20)\d{2})$"#, parts.last!) || monthLine(parts.last!)
            {
                return name
            }
        }
        guard
            let name = group(
                regex(#"^((?:the |The |THE )?\p{Lu}[\p{L}'’&-]*(?: (?:of|for|on|and|&|\p{Lu}[\p{L}'’&-]*)){0,4})\s*(?:[-–—|·:,]\s*)?(?:#\s?\d{1,4}|(?i:issue|no\.|number|vol\.|volume|edition)\s*\d{1,4})\b"#),
                text)
        else { return nil }
        guard words(name) <= 6, !Names.isName(name), DateMention.all(in: name).isEmpty, boilerplate(name) == nil,
            !["issue", "no", "number", "volume", "edition"].contains(name.lowercased())
        else { return nil }
        return name
    }

    /// "Figure 1: Transfers by month", "Table 2. …": the caption of a chart or table, by its number.
    static func figureCaption(_ text: String) -> Bool {
        matches(#"^(?i:figure|fig\.|chart|table|graph|exhibit|map)\s*\d{1,2}[a-z]?\s*[:.]\s*\S"#, text)
    }

    /// "The Morning Courier - Back to home": a site's logo linking home, and the site's name in it.
    static func logoLink(_ text: String) -> String? {
        guard
            let name = group(
                regex(#"^(.{2,60}?)\s+[-–—|:]\s+(?i:back to (?:the )?home(?:\s?page)?|go to (?:the )?home(?:\s?page)?|home(?:\s?page)?)$"#), text),
            startsCapitalized(name), words(name) <= 6
        else { return nil }
        return name
    }

    /// "Photograph: Lê Quang Vinh for Tributary": the publication the picture was made for.
    static func creditCommission(_ text: String) -> String? {
        guard credit(text) != nil || matches(#"(?i)\b(?:photo(?:graph)?|image|illustration|picture|credit)s?\b"#, text),
            let name = group(
                regex(#"^.*\bfor ((?:the |The )?\p{Lu}[\p{L}'’&-]*(?: (?:of|for|on|and|&|\p{Lu}[\p{L}'’&-]*)){0,4})\s*[.)]?$"#), text)
        else { return nil }
        guard !Names.isName(name) || words(name) == 1 || name.hasPrefix("The ") else { return nil }
        return name
    }

    /// "Ana Ruiz / Tidewater Review", "Photo: Ana Ruiz for Tidewater Review": the publication in a
    /// picture's credit, after the photographer's name.
    static func creditPublication(_ text: String) -> String? {
        if let name = creditCommission(text) { return name }
        guard
            let name = group(
                regex(#"^.*?\p{L}\s*/\s*((?:the |The )?\p{Lu}[\p{L}'’&-]*(?: (?:of|for|on|and|&|\p{Lu}[\p{L}'’&-]*)){0,4})\s*\)?\.?$"#), text),
            !Names.isName(name) || name.hasPrefix("The ")
        else { return nil }
        return name
    }

    /// "… a senior editor at Party Wall, where she covers …": the publication a contributor writes for.
    static func staffOf(_ text: String) -> String? {
        group(
            regex(
                #"^.*?\b(?:editor|editor-at-large|correspondent|reporter|columnist|staff writer|writer|contributing editor|newsletter|contributor)\s+(?:at|of|for|to)\s+((?:the |The )?\p{Lu}[\p{L}'’&-]*(?: (?:of|for|on|and|&|\p{Lu}[\p{L}'’&-]*)){0,4})(?=[,.;]|\s+(?:where|and|since|who)\b)"#),
            text)
    }

    /// "Name — independent analysis of …" taglines.
    static func tagline(_ text: String) -> String? {
        guard let dash = text.range(of: " — ") ?? text.range(of: " – ") else { return nil }
        let name = String(text[..<dash.lowerBound]).trimmingCharacters(in: .whitespaces)
        return (1...6).contains(words(name)) && startsCapitalized(name) && !Names.isName(name)
            && !name.contains(where: \.isNumber)
            ? name : nil
    }

    /// A newsletter's greeting: "Hello again.", "Good morning,", "Dear readers,", "Welcome to issue 41".
    static func greeting(_ text: String) -> Bool {
        LineShapes.matches(
            #"^(?i:(?:hello|hi|hey|greetings|good (?:morning|afternoon|evening)|(?:morning|evening|afternoon) (?:all|everyone|folks)|dear (?:readers?|friends?|subscribers?|all|colleagues)|welcome (?:back|to)|happy (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|new year))\b)"#,
            text)
    }

    /// Whether a line is in title case: most of its longer words capitalised.
    static func titleCase(_ text: String) -> Bool {
        let long = text.split(separator: " ").filter { $0.count >= 4 && $0.first?.isLetter == true }
        guard long.count >= 3 else { return false }
        let capitalised = long.filter { $0.first!.isUppercase }.count
        return Double(capitalised) >= 0.8 * Double(long.count) && long.contains { $0.dropFirst().contains(where: \.isLowercase) }
    }

    /// "Until next time,", "Best wishes,", "Thanks for reading,": the line before a letter's signature.
    static func valediction(_ text: String) -> Bool {
        guard words(text) <= 6, text.hasSuffix(",") || text.hasSuffix("!") || text.hasSuffix("…") else { return false }
        let lower = text.lowercased()
        return [
            "until next", "best", "regards", "wishes", "thanks", "thank you", "cheers", "yours", "warmly", "sincerely",
            "take care", "see you", "all the best", "with thanks", "love", "speak soon", "till next", "onwards", "stay well",
        ]
        .contains(where: lower.contains)
    }

    /// The name a letter signs off with: "— Ana Ruiz, Senior Analyst", "Ana Ruiz | Editor".
    static func signOff(_ text: String) -> String? {
        guard words(text) <= 12, !endsWithPeriod(text) else { return nil }
        let body = text.trimmingCharacters(in: CharacterSet(charactersIn: "—–-~ "))
        let head =
            body.components(separatedBy: CharacterSet(charactersIn: ",|")).first.map { $0.components(separatedBy: " — ")[0] }
            ?? body
        let name = Names.clean(head)
        guard Names.isName(name) else { return nil }
        let rest = body.dropFirst(head.count).trimmingCharacters(in: CharacterSet(charactersIn: " ,|—–-"))
        return rest.isEmpty || isRole(rest) || words(rest) <= 8 ? name : nil
    }

    // MARK: Bios

    static let bioVerbs: Set<String> = [
        "is", "was", "has", "holds", "received", "leads", "led", "directs", "directed", "heads", "headed", "served", "serves",
        "works", "worked", "teaches", "taught", "writes", "wrote", "researches", "researched", "covers", "covered", "joined",
        "earned", "studied", "specialises", "specializes", "advises", "advised", "chairs", "chaired", "manages", "managed",
        "coordinates", "reports", "edits", "edited", "spent", "previously", "currently", "focuses", "runs", "ran", "founded",
        "co-founded", "cofounded", "lectures", "completed", "trained", "practised", "practiced", "lives", "divides", "splits",
        "began", "started", "oversees", "helped", "built", "brings", "contributes", "consults", "hosts", "co-leads", "co-directs",
    ]

    static let bioWords: Set<String> = [
        "fellow", "professor", "researcher", "director", "analyst", "economist", "editor", "journalist", "correspondent",
        "writer",
        "author", "lecturer", "scholar", "adviser", "advisor", "consultant", "engineer", "lawyer", "doctorate", "phd", "degree",
        "university", "institute", "centre", "center", "programme", "program", "previously", "formerly", "specialist", "expert",
        "senior", "associate", "founder", "head", "chair", "reporter", "scientist", "planner", "officer", "manager", "member",
    ]

    /// The person a paragraph introduces ("Jane Roe is a senior fellow …", "Dr. Ana Ruiz, an
    /// economist, leads …"), or nil.
    /// What a paragraph says its subject is, when that is not a person: "X is an independent blog …".
    static let notPersonNouns: Set<String> = [
        "blog", "newsletter", "publication", "magazine", "website", "site", "organisation", "organization", "charity",
        "institute",
        "network", "project", "initiative", "platform", "podcast", "company", "firm", "consultancy", "newspaper", "journal",
        "foundation", "programme", "program", "coalition", "alliance", "campaign", "series", "column", "think", "nonprofit",
        "non-profit", "ngo", "centre", "center", "association", "union", "agency", "body", "group", "collective", "cooperative",
        "co-operative", "service", "outlet", "weekly", "daily", "monthly", "fortnightly", "quarterly", "digest", "roundup",
        "briefing",
    ]

    /// "Priya Ramanathan and Callum Ostrowski are research fellows …": one bio for two people.
    static func jointBioNames(_ text: String) -> [String]? {
        let name = personNamePattern
        guard endsSentence(text),
            let match = regex("^" + name + #",?\s+(?:and|&)\s+"# + name + #"\s+(?:are|were|both|have|jointly|co-lead|lead|write|work)\b"#)
                .firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let first = Range(match.range(at: 1), in: text), let second = Range(match.range(at: 2), in: text)
        else { return nil }
        let names = [String(text[first]), String(text[second])].map(Names.clean)
        return names.allSatisfy(Names.isName) ? names : nil
    }

    static func bioName(_ text: String) -> String? {
        // "*Hemi Rangitoto-Walsh is a former adviser …*": a text mail's italics round the bio.
        if let inner = group(regex(#"^([*_])(?!\1)(.+[^*_])\1$"#), text).map({ _ in String(text.dropFirst().dropLast()) }) {
            return bioName(inner)
        }
        if let names = jointBioNames(text) { return names[0] }
        // "— Wanjiru Kamau is a senior fellow …": an op-ed's closing line, set off by a dash.
        if let dash = text.range(of: settingOffDash, options: .regularExpression) {
            return bioName(String(text[dash.upperBound...]))
        }
        // "X is an independent blog about …" introduces a publication, not a person.
        let opening = text.lowercased().split(separator: " ").prefix(12).map(String.init)
        if let verb = opening.firstIndex(where: { ["is", "was"].contains($0) }), verb + 1 < opening.count,
            ["a", "an", "the"].contains(opening[verb + 1])
        {
            // The head of the noun phrase: its last word before a preposition or clause.
            let stops: Set<String> = [
                "about", "of", "for", "in", "at", "on", "that", "which", "who", "with", "and", "based", "from", "by", "to",
            ]
            var phrase: [String] = []
            for word in opening.dropFirst(verb + 2) {
                let bare = word.trimmingCharacters(in: .punctuationCharacters)
                if stops.contains(bare) { break }
                phrase.append(bare)
                if word.hasSuffix(",") || word.hasSuffix(".") { break }
            }
            if let head = phrase.last, notPersonNouns.contains(head) { return nil }
        }
        // A bio may close on a handle, an address or a link: "… across the north. @gosia".
        // ("… Got a story? Email priya@gazette.example": the address with its prompt.)
        let sentence = LineShapes.replacing(
            #"(?:\s+(?i:e-?mail|contact|write to|follow|tweet|dm)(?: (?:her|him|them|me))?(?: at| on)?\s*:?)?(\s+(@\w+|\S+@\S+|https?://\S+|[\w.-]+\.(com|org|net|eu|uk|example)\S*))+$"#, in: text, with: "")
        guard endsSentence(sentence), words(text) >= 6 else { return nil }
        // "Ana Ruiz (@anaruiz) is …": a handle or a pronoun in brackets after the name.
        let plain = LineShapes.replacing(#"^([^()]{3,60}?)\s+\([^)]{1,40}\)\s+"#, in: text, with: "$1 ")
        if let (name, _) = Names.leadingName(plain, verbs: bioVerbs) { return name }
        // "A former deputy director at the ministry, Tomasz Grabowski now writes on …": the role first.
        if let match = regex(#"^(?:An?|The|As an?) [^,]{3,90}, ((?:\p{Lu}[\p{L}.’'-]*\s){1,3}\p{Lu}[\p{L}’'-]+) (?:now |also |currently )?([a-z]+)\b"#)
            .firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let nameRange = Range(match.range(at: 1), in: text), let verbRange = Range(match.range(at: 2), in: text),
            bioVerbs.contains(String(text[verbRange])) || ["writes", "is", "leads", "works", "runs"].contains(String(text[verbRange]))
        {
            let name = Names.clean(String(text[nameRange]))
            if Names.isName(name) { return name }
        }
        // "Name, a senior fellow at …, writes …"
        let head = text.split(separator: ",", maxSplits: 1)
        if head.count == 2, let second = head[1].split(separator: " ").first?.lowercased(),
            ["a", "an", "the", "who", "formerly", "previously", "currently"].contains(second)
        {
            let name = Names.clean(String(head[0]))
            if Names.isName(name) { return name }
        }
        return nil
    }

    /// A bio that names its person only by pronoun: "She is a senior fellow …" (after a name line).
    static func pronounBio(_ text: String) -> Bool {
        guard endsSentence(text), words(text) >= 6 else { return false }
        let words = text.split(separator: " ").prefix(2).map { $0.lowercased() }
        return words.count == 2 && ["she", "he", "they"].contains(words[0]) && bioVerbs.contains(words[1])
            && bioVocabulary(text) > 0
    }

    /// Verbs that quote a person rather than introduce them.
    static let reportingVerbs: Set<String> = [
        "said", "says", "told", "tells", "added", "adds", "argued", "argues", "noted", "notes", "explained", "explains", "warned",
        "warns", "asked", "asks", "suggested", "suggests", "believes", "thinks", "claimed", "claims", "insisted", "insists",
        "replied", "agreed", "agrees", "disagreed", "recalled", "recalls", "admitted", "admits", "conceded", "concedes",
    ]

    static func bioVocabulary(_ text: String) -> Int {
        Set(text.lowercased().split { !$0.isLetter }.map(String.init)).intersection(bioWords).count
    }

    /// Labels over a list of other articles' headlines: "Related", "Trending now", "Most read".
    static func headlineListLabel(_ text: String) -> Bool {
        // "Most read this week", "Trending on Floorwork", "Popular in Wages": the label with its qualifier.
        let whole = key(text)
        // (Only for the labels that take one: "Elsewhere in Europe" heads a section.)
        let lower = replacing(
            #"^(most read|trending|most popular|latest|top stories|recommended|up next)\s+(?:this (?:week|month|year)|today|right now|now|on [\p{L}' ]{2,30}|in [\p{L}' ]{2,30})$"#,
            in: whole, with: "$1")
        // "Related commentary", "More analysis", "Further reading from us".
        if LineShapes.matches(
            #"^(?:related|more|other|recent|latest|further)\s+(?:commentary|analysis|research|reading|articles?|stories|posts|content|reports|publications|insights|briefings|news|pieces|essays|opinion)$"#,
            whole)
        {
            return true
        }
        return lower != whole && headlineListLabel(lower) || [
            "related", "related posts", "related articles", "related research", "related reading", "related content",
            "related stories", "trending", "trending now", "most read", "most popular", "popular", "popular now", "read next",
            "also this week", "also this month", "elsewhere this week", "elsewhere this fortnight", "elsewhere this month",
            "in other news", "this week's links", "links",
            "up next", "next article", "previous article", "next post", "previous post", "next story", "recommended", "recommended for you", "recommended reading", "you may also like", "you might also like",
            "more from this author", "more by this author", "more like this", "worth reading", "see also",
            "in case you missed it",
            "latest", "latest news", "top stories", "more stories", "editor's picks", "editors' picks", "more to read",
            "read more",
            "more on this topic", "elsewhere", "also worth reading", "what we're reading", "further reading", "more from",
            "sponsored", "sponsor", "our sponsor", "a word from our sponsor", "partner content", "paid partnership",
        ].contains(whole) || whole.hasPrefix("more from ") || whole.hasPrefix("more on ") || sponsorLabel(whole)
    }

    /// "Together with Tallyroster", "Presented by X", "A message from X": the sponsor's block follows.
    static func sponsorLabel(_ lower: String) -> Bool {
        // (The label alone, "In partnership with", over the sponsor's name in bold.)
        words(lower) <= 6
            && [
                "together with ", "presented by ", "brought to you by ", "in partnership with ", "a message from ",
                "sponsored by ", "supported by ", "this issue is sponsored", "today's sponsor", "today’s sponsor",
            ].contains { lower.hasPrefix($0) || lower == $0.trimmingCharacters(in: .whitespaces) }
    }

    /// "Suggested citation: …", "How to cite: …": a label with its citation on the same line.
    static func citationLabel(_ text: String) -> Bool {
        let lower = key(text)
        return ["suggested citation", "how to cite", "cite as", "citation:", "cite this"].contains(where: lower.hasPrefix)
            || LineShapes.matches(#"^\d+ (thoughts|comments|responses|replies|reactions) (on|to)\b"#, lower)
    }

    /// Labels that open the closing matter: notes, references, "About the authors".
    /// "41 Comments", "Comments (14)", "Reader comments", "14 thoughts on “Title”": a comment thread starts.
    static func commentThreadLabel(_ text: String) -> Bool {
        let lower = key(text)
        // ("Responses" alone may head a consultation's section; with its count it is a thread.)
        // (`key` has trimmed a closing bracket: "Responses (17)" is "responses (17".)
        return LineShapes.matches(#"^(?:\d[\d,.]*k?\s+)?(?:reader )?comments(?:\s*\(\d[\d,.]*k?\)?)?$"#, lower)
            || LineShapes.matches(#"^\d[\d,.]*k?\s+responses$|^responses\s*\(\d[\d,.]*k?\)?$"#, lower)
            || LineShapes.matches(#"^\d+ (thoughts|comments|responses|replies) (on|to)\b"#, lower)
            // (A platform's own heading over its thread: "Discussion about this post", "Join the discussion".)
            || ["discussion about this post", "join the discussion", "join the conversation", "comments and replies", "conversation"]
                .contains(lower)
    }

    /// "Media contacts", "Press contact": a press office's names and numbers follow, not the authors.
    static func contactsLabel(_ text: String) -> Bool {
        matches(#"^(?i:(?:media|press)\s+(?:contacts?|enquiries|inquiries)|for (?:media|press) (?:enquiries|inquiries)|contacts?)\s*:?$"#, text)
    }

    static func closingLabel(_ text: String) -> Bool {
        let lower = key(text)
        // "14 thoughts on “Title”", "3 responses to …", "Suggested citation: …": what follows is not the article.
        if LineShapes.matches(#"^\d+ (thoughts|comments|responses|replies|reactions) (on|to)\b"#, lower) {
            return true
        }
        if commentThreadLabel(text) { return true }
        if ["suggested citation", "how to cite", "cite as", "citation:", "cite this"].contains(where: lower.hasPrefix) {
            return true
        }
        return [
            "notes", "references", "endnotes", "footnotes", "sources", "bibliography", "further reading", "about the author",
            "about the authors", "about the contributors", "about the contributor", "the authors", "the author", "authors",
            "contributors", "about this brief", "about this report", "about the series", "acknowledgements", "acknowledgments",
            "citation", "how to cite", "suggested citation", "cite this", "disclosure", "disclosures", "funding", "end notes",
            "disclaimer", "legal disclaimer", "important information", "notes to editors", "notes for editors",
            "editor's notes", "editors' notes", "note to editors", "media contacts", "media contact", "press contacts",
            "press contact", "for media enquiries", "media enquiries", "for more information", "contacts",
            "how to contribute", "contributing", "changelog", "revision history", "version history", "formal minutes",
            "minutes of proceedings", "about the hosts", "about the host", "about the podcast", "about the show",
            "transcript", "full transcript", "read the transcript", "highlights", "my highlights", "your highlights", "annotations", "my notes",
            "your notes", "highlights and notes",
        ].contains(lower) || lower.hasPrefix("about the author") || aboutOrganisation(text)
            || LineShapes.matches(
                #"^about (?:this|the|our) (?:brief|briefing|report|paper|series|publication|newsletter|policy brief|working paper)s?$"#,
                lower)
    }

    /// "About the Institute for European Trade Studies", "About Us": the publisher's description
    /// at the foot of a release or page.
    static func aboutOrganisation(_ text: String) -> Bool {
        ["about us", "who we are"].contains(key(text)) || aboutName(text) != nil
    }

    /// The organisation an "About …" label names ("Institute for European Trade Studies").
    static func aboutName(_ text: String) -> String? {
        guard words(text) <= 10,
            let name = group(
                regex(#"^About (?:the |The )?(\p{Lu}[\p{L}&'’-]*(?: (?:of|for|on|and|&|the|\p{Lu}[\p{L}&'’-]*)){1,8})$"#), text),
            !Names.isName(name), !["Author", "Authors", "Contributor", "Contributors"].contains(name)
        else { return nil }
        return name
    }

    /// A footnote or reference entry: a number, then a citation; or "Surname, A., … (2025). Title."
    static func citation(_ text: String) -> Bool {
        if LineShapes.matches(#"^\p{Lu}[\p{L}'’-]+,\s+\p{Lu}\.(?:\s?\p{Lu}\.)*[,;]?.*\((?:19|20)\d{2}\)"#, text) {
            return true
        }
        guard LineShapes.matches(#"^\[?\d{1,3}[\].):]?\s+\S"#, text) || text.hasPrefix("^") else {
            return false
        }
        let lower = text.lowercased()
        return lower.contains("http") || lower.contains("www.")
            || LineShapes.matches(
                #"\((19|20)\d{2}\)|(19|20)\d{2}[.,]|pp\.|p\.\s*\d|ibid|op\. cit|accessed|retrieved|vol\.|no\.\s*\d|et al"#, lower)
    }
}
