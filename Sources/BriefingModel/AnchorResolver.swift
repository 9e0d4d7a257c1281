/// Where an annotation made on one revision of a briefing sits in another.
public struct AnchorResolution: Hashable, Sendable {
    /// `anchored`: the quoted text is in this revision unchanged (its offsets may have moved).
    /// `relocated`: the quoted text was edited; the anchor covers the text that replaced it.
    /// `orphaned`: nothing in this revision can be said to be that passage.
    public var status: AnchorStatus
    /// The anchor in this revision (its `revisionID` is this revision's); nil when orphaned.
    public var current: TextAnchor?
    /// The anchor as it was made, with the revision it was made on.
    public var original: TextAnchor
    /// How closely the covered text matches the original quote, 0…1 (1 when unchanged):
    /// 1 − edit distance ÷ the longer of the two.
    public var similarity: Double

    /// The text the annotation covers now, or the original quote when orphaned.
    public var text: String { current?.exact ?? original.exact }
}

/// Re-anchors annotations in a new revision. Servers and devices run this same code, so every
/// replica shows an annotation at the same place.
///
/// The tiers, first match wins:
/// 1. **Unchanged paragraph**: paragraph IDs derive from their text, so if the anchor's paragraph
///    is still there, so is the quote, at the same offsets.
/// 2. **Exact quote**: the quote occurs in the revision; with more than one occurrence the one
///    whose surrounding text best matches the anchor's prefix and suffix wins. A short quote
///    must also have its surroundings roughly intact.
/// 3. **Context bracket**: the anchor's prefix and suffix are still there with a gap between
///    them that resembles the quote: the gap is the text that replaced it (a word changed,
///    a typo fixed). Two such places that fit about as well make it ambiguous.
/// 4. **Approximate quote**: the passage closest to the quote by edit distance, if it is at
///    least ``minimumFuzzySimilarity`` alike and clearly better than every other place (in any
///    paragraph), scored on quote, context and position; a short quote also needs its context.
/// 5. Otherwise the annotation is **orphaned**: kept with its quote, never moved to a guess.
public enum AnchorResolver {
    /// Tier 4 accepts a passage only this alike to the quote (1 − edit distance ÷ quote length).
    public static let minimumFuzzySimilarity = 0.8
    /// Tier 3 accepts a gap between intact context only this alike to the quote.
    public static let minimumBracketSimilarity = 0.35
    /// A quote this long found verbatim is taken as the passage wherever it is; a shorter one
    /// (“the river”) also needs its surroundings to match at least ``minimumContextScore``.
    static let distinctiveQuoteLength = 24
    static let minimumContextScore = 0.55
    /// A candidate must beat every other place by this much, or the anchor is orphaned.
    static let ambiguityMargin = 0.05
    /// How many scalars of prefix and suffix tier 3 looks for.
    static let bracketKeyLength = 24

    /// Resolves `anchor` in `briefing`'s current revision.
    public static func resolve(_ anchor: TextAnchor, in briefing: Briefing) -> AnchorResolution {
        let quote = Array(anchor.exact.unicodeScalars)
        let orphaned = AnchorResolution(status: .orphaned, current: nil, original: anchor, similarity: 0)
        guard !quote.isEmpty else { return orphaned }

        // 1. The paragraph is unchanged (its ID derives from its text), so the quote and its
        //    context are exactly where they were: no other paragraph needs looking at.
        if let text = briefing.text(at: anchor), text.unicodeScalars.elementsEqual(quote) {
            var current = anchor
            current.revisionID = briefing.revision.id
            current.status = .anchored
            return AnchorResolution(status: .anchored, current: current, original: anchor, similarity: 1)
        }

        let paragraphs = briefing.paragraphs.map { (id: $0.id, text: Array($0.text.unicodeScalars)) }
        func found(_ index: Int, _ range: Range<Int>, _ status: AnchorStatus, _ similarity: Double) -> AnchorResolution {
            let current = TextAnchor(
                revisionID: briefing.revision.id, paragraphID: paragraphs[index].id, scalars: paragraphs[index].text, range: range,
                status: status)
            return AnchorResolution(status: status, current: current, original: anchor, similarity: similarity)
        }

        // 2. The quote, unchanged, somewhere else.
        var exact: [(index: Int, range: Range<Int>)] = []
        for (index, paragraph) in paragraphs.enumerated() {
            for range in TextSearch.ranges(of: quote, in: paragraph.text) { exact.append((index, range)) }
        }
        let placed = exact.map { (match: $0, score: placeScore(anchor, paragraphs[$0.index].text, $0.range)) }
        if let best = placed.max(by: { $0.score < $1.score }),
            quote.count >= distinctiveQuoteLength || best.score >= minimumContextScore
        {
            return found(best.match.index, best.match.range, .anchored, 1)
        }

        // 3. The context is intact around text that changed.
        var bracketed: [Candidate] = []
        for (index, paragraph) in paragraphs.enumerated() {
            for range in brackets(anchor, quoteLength: quote.count, in: paragraph.text) {
                let similarity = Self.similarity(Array(paragraph.text[range]), quote)
                if similarity >= minimumBracketSimilarity {
                    bracketed.append(Candidate(index: index, range: range, similarity: similarity, score: similarity))
                }
            }
        }
        if let best = clearWinner(bracketed) {
            return found(best.index, best.range, .relocated, best.similarity)
        }

        // 4. The closest passage, if it is close and unambiguous.
        var candidates: [Candidate] = []
        let allowed = Int(Double(quote.count) * (1 - minimumFuzzySimilarity)) + 2
        for (index, paragraph) in paragraphs.enumerated() where paragraph.text.count >= quote.count / 2 {
            for match in closeSubstrings(to: quote, in: paragraph.text, maximumDistance: allowed) {
                let range = snapToWords(match, in: paragraph.text, like: anchor)
                let similarity = Self.similarity(Array(paragraph.text[range]), quote)
                guard similarity >= minimumFuzzySimilarity else { continue }
                let place = placeScore(anchor, paragraph.text, range)
                // A short quote needs its surroundings, as in tier 2: "the river" is everywhere.
                guard quote.count >= distinctiveQuoteLength || place >= minimumContextScore else { continue }
                candidates.append(Candidate(index: index, range: range, similarity: similarity, score: 0.7 * similarity + 0.3 * place))
            }
        }
        if let best = clearWinner(candidates) {
            return found(best.index, best.range, .relocated, best.similarity)
        }
        return orphaned
    }

    struct Candidate {
        var index: Int
        var range: Range<Int>
        var similarity: Double
        var score: Double
    }

    /// The best candidate, if no other place (a different paragraph, or a range that does not
    /// overlap it) scores within ``ambiguityMargin`` of it; nil when ambiguous or empty.
    static func clearWinner(_ candidates: [Candidate]) -> Candidate? {
        let sorted = candidates.sorted { $0.score > $1.score }
        guard let best = sorted.first else { return nil }
        let rival = sorted.dropFirst().first { $0.index != best.index || !$0.range.overlaps(best.range) }
        if let rival, best.score - rival.score < ambiguityMargin { return nil }
        return best
    }

    // MARK: Scoring

    /// How well the text around `range` matches the anchor's context and offset, 0…1: the
    /// similarity of the sides that have context (prefix, suffix, or both averaged) weighs 0.9,
    /// closeness of the start offset 0.1. A side with no context (the quote began or ended its
    /// paragraph) is no evidence either way and is left out.
    static func placeScore(_ anchor: TextAnchor, _ text: [Unicode.Scalar], _ range: Range<Int>) -> Double {
        let prefix = Array(anchor.prefix.unicodeScalars.suffix(bracketKeyLength * 2))
        let suffix = Array(anchor.suffix.unicodeScalars.prefix(bracketKeyLength * 2))
        let before = Array(text[max(0, range.lowerBound - prefix.count)..<range.lowerBound])
        let after = Array(text[range.upperBound..<min(text.count, range.upperBound + suffix.count)])
        var sides: [Double] = []
        if !prefix.isEmpty { sides.append(similarity(before, prefix)) }
        if !suffix.isEmpty { sides.append(similarity(after, suffix)) }
        // A quote that was a whole paragraph matches a whole paragraph best.
        let context = sides.isEmpty ? (before.isEmpty && after.isEmpty ? 1 : 0.5) : sides.reduce(0, +) / Double(sides.count)
        let drift = Double(abs(range.lowerBound - anchor.start)) / Double(max(text.count, anchor.start, 1))
        return 0.9 * context + 0.1 * (1 - min(1, drift))
    }

    /// 1 − Levenshtein distance ÷ the longer length; 1 for equal sequences.
    public static func similarity(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Double {
        let longer = max(a.count, b.count)
        guard longer > 0 else { return 1 }
        return 1 - Double(levenshtein(a, b)) / Double(longer)
    }

    static func levenshtein(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    // MARK: Matching

    /// Gaps in `text` that sit where the quote sat: after the end of the anchor's prefix and
    /// before the start of its suffix (or the paragraph's start or end, when the quote touched it).
    static func brackets(_ anchor: TextAnchor, quoteLength: Int, in text: [Unicode.Scalar]) -> [Range<Int>] {
        let prefix = Array(anchor.prefix.unicodeScalars.suffix(bracketKeyLength))
        let suffix = Array(anchor.suffix.unicodeScalars.prefix(bracketKeyLength))
        // A bracket needs some context to stand on: at least one side of real text.
        guard prefix.count >= 8 || suffix.count >= 8 else { return [] }
        let lowers = prefix.isEmpty ? [0] : TextSearch.ranges(of: prefix, in: text).map(\.upperBound)
        let uppers = suffix.isEmpty ? [text.count] : TextSearch.ranges(of: suffix, in: text).map(\.lowerBound)
        let shortest = quoteLength / 2, longest = quoteLength * 2 + 16
        var result: [Range<Int>] = []
        for lower in lowers {
            for upper in uppers where upper > lower && (shortest...longest).contains(upper - lower) {
                result.append(lower..<upper)
            }
        }
        return result
    }

    /// Substrings of `text` within `maximumDistance` edits of `pattern`, one per local minimum of
    /// the distance (Sellers' algorithm), so repeated passages in one paragraph are all seen.
    static func closeSubstrings(to pattern: [Unicode.Scalar], in text: [Unicode.Scalar], maximumDistance: Int) -> [Range<Int>] {
        guard !pattern.isEmpty, !text.isEmpty else { return [] }
        let n = text.count
        var previous = [Int](repeating: 0, count: n + 1)
        var previousStart = Array(0...n)
        var current = [Int](repeating: 0, count: n + 1)
        var currentStart = [Int](repeating: 0, count: n + 1)
        for i in 1...pattern.count {
            current[0] = i
            currentStart[0] = 0
            for j in 1...n {
                let diagonal = previous[j - 1] + (pattern[i - 1] == text[j - 1] ? 0 : 1)
                let up = previous[j] + 1
                let left = current[j - 1] + 1
                if diagonal <= up && diagonal <= left {
                    current[j] = diagonal
                    currentStart[j] = previousStart[j - 1]
                } else if up <= left {
                    current[j] = up
                    currentStart[j] = previousStart[j]
                } else {
                    current[j] = left
                    currentStart[j] = currentStart[j - 1]
                }
            }
            swap(&previous, &current)
            swap(&previousStart, &currentStart)
        }
        var result: [Range<Int>] = []
        for j in 1...n where previous[j] <= maximumDistance {
            let isMinimum = previous[j] <= previous[j - 1] && (j == n || previous[j] < previous[j + 1])
            if isMinimum { result.append(previousStart[j]..<j) }
        }
        return result
    }

    /// Widens or trims a fuzzy match to whole words where the original quote was whole words.
    static func snapToWords(_ range: Range<Int>, in text: [Unicode.Scalar], like anchor: TextAnchor) -> Range<Int> {
        func isWord(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isAlphabetic || scalar.properties.numericType != nil }
        var lower = range.lowerBound, upper = range.upperBound
        let quote = Array(anchor.exact.unicodeScalars)
        let startsAtWord = quote.first.map(isWord) == true && anchor.prefix.unicodeScalars.last.map(isWord) != true
        let endsAtWord = quote.last.map(isWord) == true && anchor.suffix.unicodeScalars.first.map(isWord) != true
        if startsAtWord {
            while lower < upper && !isWord(text[lower]) { lower += 1 }
            while lower > 0 && isWord(text[lower - 1]) { lower -= 1 }
        }
        if endsAtWord {
            while upper > lower && !isWord(text[upper - 1]) { upper -= 1 }
            while upper < text.count && isWord(text[upper]) { upper += 1 }
        }
        return lower < upper ? lower..<upper : range
    }
}

extension Briefing {
    /// Resolves an anchor made on any revision of this briefing against this revision.
    public func resolve(_ anchor: TextAnchor) -> AnchorResolution { AnchorResolver.resolve(anchor, in: self) }
}
