/// Where an annotation sits in a briefing, in a form that survives new revisions.
///
/// Offsets count Unicode scalars into the paragraph's normalized text. The W3C-style
/// quote (`exact` with a sentence of `prefix` and `suffix` context) lets a later revision
/// find the passage again when offsets and paragraph IDs have moved.
public struct TextAnchor: Codable, Hashable, Sendable {
    /// The revision the anchor was last resolved against.
    public var revisionID: String
    public var paragraphID: String
    /// Start offset in Unicode scalars into the paragraph's text.
    public var start: Int
    /// End offset (exclusive).
    public var end: Int
    public var exact: String
    public var prefix: String
    public var suffix: String
    /// How the anchor was last resolved; `nil` means as made.
    public var status: AnchorStatus?

    public init(
        revisionID: String, paragraphID: String, start: Int, end: Int, exact: String, prefix: String,
        suffix: String, status: AnchorStatus? = nil
    ) {
        self.revisionID = revisionID
        self.paragraphID = paragraphID
        self.start = start
        self.end = end
        self.exact = exact
        self.prefix = prefix
        self.suffix = suffix
        self.status = status
    }

    /// The anchor on `range` of a paragraph's scalars: its quote and its sentence of context.
    public init(
        revisionID: String, paragraphID: String, scalars: [Unicode.Scalar], range: Range<Int>, status: AnchorStatus? = nil
    ) {
        var exact = ""
        exact.unicodeScalars.append(contentsOf: scalars[range])
        let context = TextSearch.context(in: scalars, around: range)
        self.init(
            revisionID: revisionID, paragraphID: paragraphID, start: range.lowerBound, end: range.upperBound, exact: exact,
            prefix: context.prefix, suffix: context.suffix, status: status)
    }
}

/// How an anchor was resolved against the current revision.
public enum AnchorStatus: String, Codable, Sendable, CaseIterable {
    /// Found exactly where it was made.
    case anchored
    /// Found in a new revision at a different place.
    case relocated
    /// Not found in the current revision; kept with its quote.
    case orphaned
}

/// Why a quote cannot be anchored.
public struct AnchorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        case emptyQuote = "empty_quote"
        case notFound = "quote_not_found"
        case ambiguous = "quote_ambiguous"
        case occurrenceOutOfRange = "occurrence_out_of_range"
    }

    public var code: Code
    public var message: String
    /// How many times the quote occurs.
    public var occurrences: Int

    public var description: String { message }
}

extension Briefing {
    /// Anchors `quote` (normalized like the body) in this revision.
    ///
    /// The quote must sit inside one paragraph. When it occurs more than once, `occurrence`
    /// (1-based, in reading order) picks one; without it the quote is ambiguous.
    public func anchor(quote: String, occurrence: Int? = nil) throws(AnchorError) -> TextAnchor {
        let needle = TextNormalizer.normalize(quote)
        guard !needle.isEmpty else {
            throw AnchorError(code: .emptyQuote, message: "the quote is empty", occurrences: 0)
        }
        var matches: [(paragraph: Paragraph, range: Range<Int>)] = []
        for paragraph in paragraphs {
            for range in TextSearch.ranges(of: needle, in: paragraph.text) {
                matches.append((paragraph, range))
            }
        }
        if matches.isEmpty {
            throw AnchorError(
                code: .notFound, message: "the quote “\(Self.clip(needle))” is not in briefing \(id)", occurrences: 0)
        }
        let chosen: (paragraph: Paragraph, range: Range<Int>)
        if let occurrence {
            guard (1...matches.count).contains(occurrence) else {
                throw AnchorError(
                    code: .occurrenceOutOfRange,
                    message: "the quote occurs \(matches.count) time(s); --occurrence \(occurrence) is out of range",
                    occurrences: matches.count)
            }
            chosen = matches[occurrence - 1]
        } else if matches.count > 1 {
            throw AnchorError(
                code: .ambiguous,
                message: "the quote “\(Self.clip(needle))” occurs \(matches.count) times; pick one with --occurrence 1…\(matches.count)",
                occurrences: matches.count)
        } else {
            chosen = matches[0]
        }
        return TextAnchor(
            revisionID: revision.id, paragraphID: chosen.paragraph.id, scalars: Array(chosen.paragraph.text.unicodeScalars),
            range: chosen.range, status: .anchored)
    }

    /// The text an anchor covers in this revision, if its paragraph and offsets still fit.
    public func text(at anchor: TextAnchor) -> String? {
        guard let paragraph = paragraph(id: anchor.paragraphID) else { return nil }
        let scalars = Array(paragraph.text.unicodeScalars)
        guard anchor.start >= 0, anchor.start <= anchor.end, anchor.end <= scalars.count else { return nil }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars[anchor.start..<anchor.end])
        return result
    }

    private static func clip(_ text: String) -> String {
        text.count > 60 ? String(text.prefix(57)) + "…" : text
    }
}

/// Substring search and context extraction over Unicode scalars.
public enum TextSearch {
    /// Every (possibly overlapping) range of `needle` in `haystack`, in scalar offsets.
    public static func ranges(of needle: String, in haystack: String) -> [Range<Int>] {
        ranges(of: Array(needle.unicodeScalars), in: Array(haystack.unicodeScalars))
    }

    /// Every (possibly overlapping) range of `needle` in `haystack`.
    public static func ranges(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> [Range<Int>] {
        guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
        var result: [Range<Int>] = []
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { result.append(start..<(start + needle.count)) }
        }
        return result
    }

    /// The quote's context: back to the start of the sentence before it and on to the end of
    /// the sentence after it, at least 32 and at most 160 scalars each way, clipped to the paragraph.
    public static func context(in scalars: [Unicode.Scalar], around range: Range<Int>) -> (prefix: String, suffix: String) {
        let minimum = 32, maximum = 160
        var lower = range.lowerBound
        while lower > 0 && range.lowerBound - lower < maximum {
            let reached = range.lowerBound - lower
            if reached >= minimum, isSentenceEnd(scalars[lower - 1]) { break }
            lower -= 1
        }
        var upper = range.upperBound
        while upper < scalars.count && upper - range.upperBound < maximum {
            upper += 1
            if upper - range.upperBound >= minimum, isSentenceEnd(scalars[upper - 1]) { break }
        }
        var prefix = "", suffix = ""
        prefix.unicodeScalars.append(contentsOf: scalars[lower..<range.lowerBound])
        suffix.unicodeScalars.append(contentsOf: scalars[range.upperBound..<upper])
        return (prefix, suffix)
    }

    private static func isSentenceEnd(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "." || scalar == "!" || scalar == "?" || scalar == "…"
    }
}
