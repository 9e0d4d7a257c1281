/// Word-level three-way merge of note texts.
public enum TextMerge {
    /// The largest diff table (tokens × tokens) the merge computes; larger edits count as overlapping.
    public static let maxTableSize = 4_000_000

    /// Merges two concurrent edits of `base`, or returns `nil` when they touch the same words.
    ///
    /// Texts are split into words and the whitespace between them. Each edit becomes a set
    /// of replaced word ranges of the base; if no range of one edit overlaps or touches a
    /// range of the other (identical changes aside), both are applied.
    public static func merge(base: String, ours: String, theirs: String) -> String? {
        if ours == theirs { return ours }
        if base == ours { return theirs }
        if base == theirs { return ours }
        let baseTokens = tokens(base)
        guard let oursHunks = hunks(from: baseTokens, to: tokens(ours)),
            let theirsHunks = hunks(from: baseTokens, to: tokens(theirs))
        else { return nil }
        var all: [Hunk] = []
        for hunk in oursHunks + theirsHunks where !all.contains(hunk) { all.append(hunk) }
        all.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        for a in oursHunks {
            for b in theirsHunks where a != b {
                if a.range.lowerBound <= b.range.upperBound && b.range.lowerBound <= a.range.upperBound { return nil }
            }
        }
        var result: [Substring] = []
        var position = 0
        for hunk in all {
            result.append(contentsOf: baseTokens[position..<hunk.range.lowerBound])
            result.append(contentsOf: hunk.replacement)
            position = hunk.range.upperBound
        }
        result.append(contentsOf: baseTokens[position...])
        return result.joined()
    }

    /// A replacement of a range of base tokens.
    struct Hunk: Equatable {
        var range: Range<Int>
        var replacement: [Substring]
    }

    /// Splits text into alternating runs of whitespace and non-whitespace.
    static func tokens(_ text: String) -> [Substring] {
        var result: [Substring] = []
        var start = text.startIndex
        var current: Bool?
        for index in text.indices {
            let isSpace = text[index].isWhitespace
            if let current, current != isSpace {
                result.append(text[start..<index])
                start = index
            }
            current = isSpace
        }
        if start < text.endIndex { result.append(text[start...]) }
        return result
    }

    /// The hunks that turn `base` into `other`, from a longest common subsequence of tokens.
    static func hunks(from base: [Substring], to other: [Substring]) -> [Hunk]? {
        var prefix = 0
        while prefix < base.count, prefix < other.count, base[prefix] == other[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < base.count - prefix, suffix < other.count - prefix,
            base[base.count - 1 - suffix] == other[other.count - 1 - suffix]
        {
            suffix += 1
        }
        let a = Array(base[prefix..<(base.count - suffix)])
        let b = Array(other[prefix..<(other.count - suffix)])
        if a.isEmpty && b.isEmpty { return [] }
        guard (a.count + 1) * (b.count + 1) <= maxTableSize else { return nil }
        // lcs[i][j] = LCS length of a[i...] and b[j...], flattened.
        let width = b.count + 1
        var lcs = [Int32](repeating: 0, count: (a.count + 1) * width)
        if !a.isEmpty && !b.isEmpty {
            for i in stride(from: a.count - 1, through: 0, by: -1) {
                for j in stride(from: b.count - 1, through: 0, by: -1) {
                    lcs[i * width + j] =
                        a[i] == b[j] ? lcs[(i + 1) * width + j + 1] + 1 : max(lcs[(i + 1) * width + j], lcs[i * width + j + 1])
                }
            }
        }
        var hunks: [Hunk] = []
        var i = 0, j = 0
        var open: (start: Int, replacement: [Substring])?
        func close(at end: Int) {
            if let current = open {
                hunks.append(Hunk(range: (prefix + current.start)..<(prefix + end), replacement: current.replacement))
                open = nil
            }
        }
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                close(at: i)
                i += 1
                j += 1
            } else if j < b.count && (i == a.count || lcs[i * width + j + 1] >= lcs[(i + 1) * width + j]) {
                if open == nil { open = (i, []) }
                open!.replacement.append(b[j])
                j += 1
            } else {
                if open == nil { open = (i, []) }
                i += 1
            }
        }
        close(at: i)
        return hunks
    }
}
