import BriefingModel
import Foundation

/// People's names as bylines and bios write them.
enum Names {
    /// Lower-case name particles: "Joost van der Berg", "María de la Torre", "Ali bin Said".
    static let particles: Set<String> = [
        "al", "el", "ad", "bin", "ibn", "bint", "van", "von", "der", "den", "de", "del", "della", "dei", "di", "da", "das", "do",
        "dos", "du", "la", "le", "ter", "ten", "zu", "y", "e", "af", "av", "op", "het", "st.", "mac", "lo", "ap", "ab", "nic",
        "ua", "i", "los", "las", "les", "des", "dem",
        "'t", "’t", "d'", "d’", "dalla", "degli", "zur", "vom", "auf", "im", "dal", "dall", "dell", "delle", "dello", "dai",
        "dagli", "te", "zum", "bat", "ben", "abu", "ould", "fitz",
    ]
    /// Short English words, which a name's particle is not ("Ports and Freight", "Policy at Home").
    static let shortEnglishWords: Set<String> = [
        "a", "an", "and", "as", "at", "be", "but", "by", "can", "did", "for", "had", "has", "he", "her", "him", "his", "how",
        "if", "in", "is", "it", "its", "may", "me", "my", "no", "nor", "not", "of", "on", "one", "or", "our", "out", "own", "per",
        "she", "so", "the", "to", "too", "two", "up", "us", "was", "we", "who", "why", "yet", "you", "all", "any", "are", "few",
        "get", "got", "new", "now", "off", "old", "see", "set", "say", "use", "way", "via", "vs", "etc", "its", "let", "put",
        "ask", "far", "low", "big", "end", "top", "day", "key", "war", "law", "tax", "pay", "job", "eu", "uk", "un", "am", "pm",
        "oh", "ok", "ie", "eg", "ago", "yes",
    ]

    /// A name's particle as written: a listed one ("van", "de la"), or an unlisted short word in lower
    /// case that is not an English one ("Tjalling te Velde", "Giulia dal Molin").
    static func isParticle(_ word: Substring) -> Bool {
        let lower = word.lowercased()
        if particles.contains(lower) { return true }
        guard word == lower, (1...3).contains(word.count), word.allSatisfy(\.isLetter) else { return false }
        return !shortEnglishWords.contains(lower)
    }
    static let honorifics: Set<String> = [
        "dr", "dr.", "prof", "prof.", "professor", "mr", "mr.", "ms", "ms.", "mrs", "mrs.", "sir", "dame", "rev", "rev.", "hon",
        "hon.",
        "lord", "lady", "dott.", "ing.",
    ]
    static let credentials: Set<String> = [
        "phd", "ph.d.", "md", "m.d.", "mba", "mp", "obe", "cbe", "jr.", "jr", "sr.", "ii", "iii",
    ]
    /// Words that make a capitalised phrase a role or an organisation, not a person.
    static let notNameWords: Set<String> = [
        "fellow", "director", "analyst", "editor", "correspondent", "professor", "researcher", "economist", "lead", "head",
        "chief",
        "senior", "associate", "staff", "writer", "reporter", "contributor", "manager", "officer", "adviser", "advisor",
        "programme", "program", "policy", "research", "institute", "center", "centre", "university", "department", "team", "desk",
        "board", "the", "and", "of", "for", "in", "on", "at", "news", "review", "journal", "times", "post", "daily", "weekly",
        "press", "media", "group", "council", "foundation", "association", "society", "network", "agency", "ministry", "office",
        "share", "print", "email", "download", "subscribe", "follow", "home", "menu", "search", "read", "more", "comments",
        "about", "authors", "author", "contact", "updated", "published", "minutes", "min", "reading", "time", "brief", "report",
        "analysis", "commentary", "opinion", "briefing", "newsletter", "issue", "vol", "no", "page", "photo", "image", "credit",
        "copyright", "all", "rights", "reserved", "by", "with", "from", "this", "that", "what", "why", "how", "when", "who",
        "is", "are", "was", "a", "an", "to", "it", "we", "our", "your", "my", "its", "their", "new", "policy", "energy", "water",
        "trade", "health", "housing", "climate", "transport", "labour", "labor", "economy", "world", "europe", "africa", "asia",
        "america", "today", "yesterday", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        // The parts of an organisation that sign a page: "Market Observation Unit", "Hydrology Division".
        "unit", "division", "directorate", "secretariat", "bureau", "observatory", "commission", "committee", "service",
        "services", "laboratory", "lab", "school", "college", "observation", "statistics",
        // A syndicate or paper named under a byline ("Crossline Features Syndicate").
        "syndicate", "syndication", "features", "wire", "newswire", "magazine", "gazette", "tribune", "herald", "chronicle",
        "bulletin", "digest",
        // A cookie banner's buttons ("I Accept", "Show Purposes", "Manage Settings").
        "accept", "reject", "allow", "purposes", "cookies", "cookie", "consent", "preferences", "settings", "manage", "show",
        "i", "continue", "agree",
    ]

    /// Whether one word can be part of a person's name.
    static func isNameWord(_ word: Substring, first: Bool) -> Bool {
        let lower = word.lowercased()
        if !first && isParticle(word) { return true }
        guard let head = word.unicodeScalars.first else { return false }
        if !head.properties.isUppercase {
            // "al-Hashimi", "d’Almeida", "el-Sayed": a lower-case prefix joined to a capital.
            guard !first || word.contains("-") || word.contains("’") || word.contains("'") else { return false }
            let parts = word.split(whereSeparator: { "-’'".contains($0) })
            guard parts.count >= 2, let capital = parts.last?.unicodeScalars.first, capital.properties.isUppercase,
                isParticle(parts[0]) || parts[0].count <= 2
            else { return false }
            return true
        }
        // Initials ("A.", "J.-P.") and words of letters, apostrophes and hyphens.
        let allowed = word.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || "'’-.".unicodeScalars.contains($0) }
        guard allowed else { return false }
        let letters = word.unicodeScalars.filter(\.properties.isAlphabetic)
        if letters.count > 1 && letters.allSatisfy(\.properties.isUppercase) && !word.hasSuffix(".") { return false }
        return !notNameWords.contains(lower.trimmingCharacters(in: CharacterSet(charactersIn: ".")))
    }

    /// A person's name: two to five name words, the first and last capitalised.
    static func isName(_ text: String) -> Bool {
        let words = text.split(separator: " ")
        guard (2...5).contains(words.count) else { return false }
        guard words.enumerated().allSatisfy({ isNameWord($0.element, first: $0.offset == 0) }) else { return false }
        guard let last = words.last, !isParticle(last) else { return false }
        // At least one word is more than an initial; four full capitalised words only with a particle
        // ("María del Carmen García López"), since a title-case phrase is not a name.
        let full = words.filter { $0.filter(\.isLetter).count >= 2 && !isParticle($0) }
        let hasParticle = words.contains { isParticle($0) || $0.first?.isLowercase == true }
        guard full.count <= 3 || (full.count == 4 && hasParticle) else { return false }
        return !full.isEmpty
    }

    /// A name without honorifics or credentials: "Dr. Ana Ruiz, PhD" → "Ana Ruiz".
    static func clean(_ name: String) -> String {
        var words = TextNormalizer.normalize(withoutAffiliationMarks(name)).trimmingCharacters(in: CharacterSet(charactersIn: " ,;:.")).split(
            separator: " "
        ).map(String.init)
        while let first = words.first, honorifics.contains(first.lowercased()), words.count > 1 { words.removeFirst() }
        while let last = words.last,
            credentials.contains(last.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ","))), words.count > 1
        {
            words.removeLast()
        }
        if let last = words.last, last.hasSuffix(",") { words[words.count - 1] = String(last.dropLast()) }
        return words.joined(separator: " ")
    }

    /// Marks that point a name at its affiliation note ("Ana Ruiz*", "Tom Berg†", "Li Wei¹", "Eva Kos2").
    static let affiliationMarkPattern = #"(?<=\p{L})(?:[*∗⁎†‡§¶]+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\d{1,2}(?:,\d{1,2})*){1,3}"#
    static let affiliationMark = LineShapes.regex(affiliationMarkPattern + #"(?=[\s,;]|$)"#)

    static func withoutAffiliationMarks(_ text: String) -> String {
        affiliationMark.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "")
    }

    /// Whether a byline marks its names with affiliation notes ("Ana Ruiz*, Tom Berg**").
    static func marksAffiliations(_ text: String) -> Bool {
        affiliationMark.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The names in a list: "A, B and C", "A & B", "A; B" (roles after a name are dropped).
    static func split(list: String) -> [String] {
        var text = TextNormalizer.normalize(list)
        for credential in [", PhD", ", Ph.D.", ", MD", ", MBA", ", Jr."] {
            text = text.replacingOccurrences(of: credential, with: "")
        }
        let pieces = text.replacingOccurrences(of: #"\s+(?:and|und|et|y|&)\s+"#, with: ",", options: .regularExpression)
            .split(whereSeparator: { ",;".contains($0) })
        return pieces.map { clean(String($0)) }.filter { !$0.isEmpty && isName($0) }
    }

    /// A name's key without a leading "the": "The Rota" and "THE ROTA" and "Rota" are one name.
    static func bareKey(_ name: String) -> String {
        key(name).replacingOccurrences(of: #"^the "#, with: "", options: .regularExpression)
    }

    /// Names compared loosely: case, diacritics and honorifics aside.
    static func key(_ name: String) -> String {
        // Letters that do not decompose into a base letter and a diacritic, as transliterated.
        let special: [Character: String] = [
            "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "þ": "th", "ı": "i", "’": "'", "ð": "d",
        ]
        let folded = clean(name).lowercased().flatMap { special[$0] ?? String($0) }
        return String(folded).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en"))
    }

    /// A line set in capitals as it would be written in mixed case: "BY DR ANA DE LA TORRE-O'NEILL"
    /// → "By Dr Ana de la Torre-O'Neill". (Each word capitalised, and each part after a hyphen or an
    /// apostrophe; a particle inside a name in lower case.)
    static func recased(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false).enumerated().map { offset, word in
            let lower = word.lowercased()
            if offset > 0 && particles.contains(lower) { return lower }
            var result = ""
            var capitalise = true
            for character in lower {
                result.append(capitalise ? Character(character.uppercased()) : character)
                capitalise = "-'’".contains(character)
            }
            return result
        }.joined(separator: " ")
    }

    /// Whether a text opens with a person's name and goes on in lower case: "Ingrid Solberg farms
    /// 140 hectares …", "Dr Samuel Okonkwo is …".
    static func opensWithName(_ text: String) -> Bool { openingName(text) != nil }

    /// The name a text opens with before it goes on in lower case (or a bracket): "Ngaio Parata
    /// (Ngāti Kahungunu) is …" → "Ngaio Parata".
    static func openingName(_ text: String) -> String? {
        let words = text.split(separator: " ")
        var start = 0
        while start < words.count - 1, honorifics.contains(words[start].lowercased()) { start += 1 }
        for length in 2...4 where words.count > start + length {
            let next = words[start + length]
            guard next.first?.isLowercase == true || next.first == "(" else { continue }
            let name = clean(words[start..<(start + length)].joined(separator: " "))
            if isName(name) { return name }
        }
        return nil
    }

    /// The name a text opens with, before a verb: "Dr. Ana Ruiz is …" → "Ana Ruiz".
    static func leadingName(_ text: String, verbs: Set<String>) -> (name: String, verb: String)? {
        let words = text.split(separator: " ")
        var start = 0
        while start < words.count - 1, honorifics.contains(words[start].lowercased()) { start += 1 }
        for length in (2...5).reversed() where words.count > start + length {
            let candidate = words[start..<(start + length)].joined(separator: " ").trimmingCharacters(
                in: CharacterSet(charactersIn: ","))
            let verb = words[start + length].lowercased()
            guard verbs.contains(verb) || (words[start + length - 1].hasSuffix(",") && verbs.contains(verb)) else { continue }
            let cleaned = clean(candidate)
            if isName(cleaned) { return (cleaned, verb) }
        }
        return nil
    }

    /// A page title without its site's name: "Title | Site", "Title – Site".
    static func withoutSiteSuffix(_ title: String, site: String?) -> String {
        for separator in [" | ", " – ", " — ", " - ", " :: ", " · ", " » "] {
            guard let range = title.range(of: separator, options: .backwards) else { continue }
            let tail = title[range.upperBound...].trimmingCharacters(in: .whitespaces)
            let head = title[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            if let site, key(tail) == key(site) || key(site).contains(key(tail)) || key(tail).contains(key(site)) { return head }
            if site == nil, separator == " | ", tail.split(separator: " ").count <= 5 { return head }
        }
        return title
    }
}

/// Dates as metadata writes them: ISO 8601 with or without a time, or as text.
enum MetadataDate {
    /// The calendar day written (in the offset written, not converted to UTC), as UTC midnight.
    static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let match = trimmed.range(of: #"^(\d{4})-(\d{2})-(\d{2})"#, options: .regularExpression) {
            return DateMention.all(in: String(trimmed[match])).first?.date
        }
        return DateMention.all(in: trimmed).first { $0.precision == .day }?.date
    }

    /// Whether a timestamp is written in a zone other than UTC ("2025-06-13T00:35:12+03:00"): its
    /// day is then the publisher's own, where a UTC one ("…T21:35:12Z") may fall a day off the page's.
    static func inLocalZone(_ text: String) -> Bool {
        text.trimmingCharacters(in: .whitespaces).range(
            of: #"T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?[+-](?!00:?00$)\d{2}:?\d{2}$"#, options: .regularExpression) != nil
    }
}
