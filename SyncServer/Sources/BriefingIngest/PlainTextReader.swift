import BriefingModel
import Foundation

/// Plain text (a page copied as text, an e-mail, a PDF's text) into blocks.
///
/// Before anything is decided about what a line is, the reader undoes what exports do to text:
/// - **page furniture** (page numbers, "Page 3 of 9", form feeds, a running header or footer that
///   repeats at every page break) is taken out of the flow, so a paragraph a page break cut in two
///   is one paragraph again; the furniture stays as blocks marked ``SourceBlock/furniture``;
/// - **hard wrapping**: when most lines fill a fixed width, lines broken only because the next
///   word did not fit are rejoined, and a word split by a line-end hyphen is made whole (the hyphen
///   stays where the page uses the hyphenated word elsewhere, or for prefixes like `cross-`; only
///   typeset text with page breaks is un-hyphenated, since mail and editors wrap after real hyphens).
///
/// A run of lines set in a column of its own (a PDF's narrow body under a full-width cover page)
/// is rejoined at its own width. Typeset ligatures ("ﬁ") are letters again.
///
/// Otherwise every non-empty line is a block, as copy-and-paste from a browser gives them.
public enum PlainTextReader {
    struct Line {
        var text: String
        var number: Int
        /// Blank lines (or a page break) came before it.
        var blankBefore: Bool
        var furniture: String?
        /// Form feeds before it: the page it is on.
        var page = 0
    }

    public static func read(_ source: String) -> SourceDocument {
        let source = quotedPrintableDecoded(source)
        let (lines, digestSubject) = digestMarked(
            linkListMarked(quoteLifted(forwardsMarked(emailHeadersMarked(furnitureMarked(documentCommentsMarked(splitLines(source))))))))
        let content = lines.filter { $0.furniture == nil }
        let width = wrapWidth(content)
        let runWidths = Self.runWidths(content)
        var blocks: [SourceBlock] = []
        let vocabulary = width == nil && runWidths.isEmpty ? [:] : Self.vocabulary(content)
        // Only typeset text (a PDF, with its page breaks) splits words with soft hyphens; a mail
        // client or an editor wraps at spaces and after real hyphens, so a line-end hyphen is real.
        // (A running header carrying its page's number, "42      POLAR POLICY REVIEW, VOL. 9", marks pages too.)
        let typeset =
            lines.contains {
                $0.furniture == "a page number"
                    || ($0.furniture?.contains("running header") == true && LineShapes.matches(#"^\d{1,4}\s{2,}\S|\S\s{2,}\d{1,4}$"#, $0.text))
            } || source.contains("\u{0C}")
        let paged = source.contains("\u{0C}")

        var pending: [Line] = []
        var furniture: [SourceBlock] = []
        // Pairs of words written side by side within a line, to tell a phrase broken across lines.
        var pairs: Set<String> = []
        if typeset {
            for line in content {
                let words = line.text.split(separator: " ")
                for (a, b) in zip(words, words.dropFirst()) { pairs.insert(Self.pairKey(a, b)) }
            }
        }
        // A mailing tool's plain text marks headings "** Heading"; one such line alone is more likely a note's asterisks.
        let markedHeadings = content.filter {
            $0.blankBefore && LineShapes.matches(#"^(\*\*|#{1,3}) \S"#, $0.text)
        }.count
        func flush() {
            guard !pending.isEmpty else { return }
            let quoted = pending.allSatisfy { $0.text.hasPrefix(">") }
            let parts =
                quoted
                ? pending.map {
                    Line(text: String($0.text.drop { $0 == ">" || $0 == " " }), number: $0.number, blankBefore: $0.blankBefore, page: $0.page)
                } : pending
            let text = parts.count == 1 ? parts[0].text : joined(parts, vocabulary: vocabulary, typeset: typeset)
            var block = SourceBlock(
                text: TextNormalizer.normalize(Self.unspaced(text)), raw: pending.map(\.text).joined(separator: "\n"),
                line: pending[0].number)
            block.tight = !pending[0].blankBefore
            if paged { block.page = pending[0].page }
            block.linkDensity = urlShare(block.text)
            if quoted { block.markup = .quote }
            if isRule(block.text) {
                block.markup = .rule
            } else if markedHeadings >= 2,
                let marker = block.text.range(of: #"^(\*\*|#{1,3}) (?=\S)"#, options: .regularExpression),
                !block.text.hasSuffix("**")
            {
                // "** Heading" (a mailing tool's plain text), "## Heading": a heading marked as such.
                block.text = String(block.text[marker.upperBound...])
                block.markup = .heading(level: 2)
            } else if let marker = listMarker(block.text) {
                block.markup = .listItem
                block.text = TextNormalizer.normalize(String(block.text.dropFirst(marker)))
            }
            if !block.text.isEmpty { blocks.append(block) }
            blocks += furniture
            furniture = []
            pending = []
        }

        for line in lines {
            // A quoted block ("> …" lines of a mail) is one block, in any text.
            if let last = pending.last, last.text.hasPrefix(">"), line.text.hasPrefix(">"), !line.blankBefore,
                line.furniture == nil
            {
                pending.append(line)
                continue
            }
            if let reason = line.furniture {
                // A note mark opens the note under it.
                if reason == "a note mark" { flush() }
                var block = SourceBlock(text: TextNormalizer.normalize(line.text), raw: line.text, line: line.number)
                block.furniture = reason
                if paged { block.page = line.page }
                if pending.isEmpty { blocks.append(block) } else { furniture.append(block) }
                continue
            }
            if let last = pending.last, let width = runWidths[last.number] ?? width {
                if continues(last, with: line, width: width) {
                    pending.append(line)
                    continue
                }
            } else if let last = pending.last, typeset, !line.blankBefore, last.text.count >= 60,
                !LineShapes.endsSentence(last.text), listMarker(line.text) == nil,
                let lastWord = last.text.split(separator: " ").last, let firstWord = line.text.split(separator: " ").first,
                pairs.contains(Self.pairKey(lastWord, firstWord))
            {
                // A typeset line broken inside a phrase the text writes whole elsewhere
                // ("… the International Centre for Migrant" / "Remittances, Geneva.").
                pending.append(line)
                continue
            }
            flush()
            pending = [line]
            if width == nil && runWidths[line.number] == nil && !typeset && !line.text.hasPrefix(">") { flush() }
        }
        flush()
        var metadata = SourceMetadata()
        if let subject = digestSubject.map({ Line(text: $0, number: 0, blankBefore: true) })
            ?? lines.first(where: { $0.furniture == "an e-mail header" && $0.text.lowercased().hasPrefix("subject") })
            ?? lines.first(where: { $0.furniture == "an e-mail header" && $0.text.hasPrefix("[") })
        {
            // "Subject: [List] The Meter #41 — the disconnections nobody counts": without the list tag and issue number.
            var text = subject.text.hasPrefix("[") ? ":" + subject.text : subject.text
            // "Subject: The Rota #57 · Four days, same work?": the newsletter's name and issue, then the piece's title.
            let named = LineShapes.regex(
                #"^[^:]*:\s*(?:\[[^\]]*\]\s*)?([^·|:]{2,40}?)\s*(?:#\s?\d{1,4}|(?i:issue|no\.)\s*\d{1,4})\s*[·|:–—-]\s+(?=\S)"#)
            if let match = named.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                let whole = Range(match.range, in: text), let name = Range(match.range(at: 1), in: text)
            {
                metadata.newsletter = text[name].trimmingCharacters(in: CharacterSet(charactersIn: " ,-–—·|"))
                text = ":" + text[whole.upperBound...]
            }
            metadata.subject = String(text.drop { $0 != ":" }.dropFirst())
                .replacingOccurrences(of: #"\[[^\]]*\]|#\d+|(?i:issue|no\.)\s*\d+"#, with: " ", options: .regularExpression)
                .trimmingCharacters(in: .whitespaces)
        }
        return SourceDocument(
            format: .text, blocks: footnotesMarked(blocks.filter { !$0.text.isEmpty || $0.furniture != nil }), metadata: metadata)
    }

    /// A mail saved with its quoted-printable encoding left in ("children=E2=80=99s"): the
    /// encoded UTF-8 characters decoded, when the text has at least three of them.
    static func quotedPrintableDecoded(_ source: String) -> String {
        let encoded = LineShapes.regex(#"=(?:C[2-9A-F]|D[0-9A-F]|E[0-9A-F]|F[0-4])(?:=[89AB][0-9A-F]){1,3}"#)
        let matches = encoded.matches(in: source, range: NSRange(source.startIndex..., in: source))
        guard matches.count >= 3 else { return source }
        var result = ""
        var last = source.startIndex
        for match in matches {
            guard let range = Range(match.range, in: source) else { continue }
            let bytes = source[range].split(separator: "=").compactMap { UInt8($0, radix: 16) }
            guard let character = String(bytes: bytes, encoding: .utf8) else { continue }
            result += source[last..<range.lowerBound] + character
            last = range.upperBound
        }
        return result + source[last...]
    }

    // MARK: Lines

    static func splitLines(_ source: String) -> [Line] {
        // A text-mode browser's dump (lynx, w3m) numbers every link ("[12]News") and marks images
        // and buttons ("[IMG]", "(BUTTON)"): the marks are not the page's text.
        let linkMark = LineShapes.regex(#"\[\d{1,4}\]"#)
        let dumped = linkMark.numberOfMatches(in: source, range: NSRange(source.startIndex..., in: source)) >= 8
        var result: [Line] = []
        var blank = true
        var number = 0
        var page = 0
        for piece in source.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        {
            number += 1
            var text = String(piece)
            if text.contains("\u{0C}") {
                // A form feed is a page break: what follows starts a new block.
                blank = true
                page += text.filter { $0 == "\u{0C}" }.count
                text = text.replacingOccurrences(of: "\u{0C}", with: "")
            }
            if dumped {
                text = LineShapes.replacing(#"^\s*#(?=\[\d)|\[\d{1,4}\]|\(BUTTON\)|\[(?:IMG|INLINE|image)\]"#, in: text, with: "")
            }
            if text.unicodeScalars.contains(where: { (0xFB00...0xFB06).contains($0.value) }) {
                // A PDF's typeset ligatures ("ﬁnance") are letters again ("finance").
                text = text.decomposedLigatures
            }
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                blank = true
                continue
            }
            result.append(Line(text: trimmed, number: number, blankBefore: blank, furniture: nil, page: page))
            blank = false
        }
        return result
    }

    static let pageNumber = try! NSRegularExpression(
        pattern: #"^(?:[-–—]\s*)?(?:page|p\.|pg\.?|seite|página)?\s*\d{1,4}(?:\s*(?:of|/|von|de)\s*\d{1,4})?(?:\s*[-–—])?$"#,
        options: [.caseInsensitive])

    /// A document exported with its comments (Google Docs' text download): "… become standard.[a]"
    /// in the text, "[a]Should we say which countries?" at the end. The markers come out of the
    /// text, and the comments are left out as the document's margin.
    static func documentCommentsMarked(_ lines: [Line]) -> [Line] {
        let comment = LineShapes.regex(#"^\[([a-z]{1,2})\]\s*\S"#)
        let labels = Set(lines.compactMap { line -> String? in
            let text = line.text
            guard let match = comment.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                let range = Range(match.range(at: 1), in: text)
            else { return nil }
            return String(text[range])
        })
        // (Two comments at least, the first of them "[a]": a list's "[a]" alone is no comment.)
        guard labels.count >= 2, labels.contains("a") else { return lines }
        let alternatives = labels.sorted { $0.count > $1.count }.joined(separator: "|")
        let marker = "(?<=\\S)\\[(?:" + alternatives + ")\\]"
        var marked = lines
        for index in marked.indices {
            if comment.firstMatch(in: marked[index].text, range: NSRange(marked[index].text.startIndex..., in: marked[index].text)) != nil {
                marked[index].furniture = "a comment in the document's margin"
            } else {
                marked[index].text = LineShapes.replacing(marker, in: marked[index].text, with: "")
            }
        }
        return marked
    }

    /// Page numbers, and lines repeated at page breaks (running headers and footers).
    static func furnitureMarked(_ lines: [Line]) -> [Line] {
        var marked = lines
        var pageMarks = 0
        for index in marked.indices {
            let text = marked[index].text
            // "1" / "Centre for Digital Trade Research, University of Eastmoor": on the first page, a
            // lone small number over an institution is an affiliation's mark, not a page number.
            let affiliationMark =
                marked[index].page == 0 && LineShapes.matches(#"^[1-9]$"#, text)
                && marked[(index + 1)...].first(where: { !$0.text.isEmpty }).map({
                    LineShapes.namesOrganisation($0.text)
                }) == true
            if affiliationMark {
                marked[index].furniture = "a note mark"
            } else if pageNumber.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil {
                marked[index].furniture = "a page number"
                pageMarks += 1
            } else if LineShapes.matches(#"^\d{1,4}\s+.{2,80}\bet al\.?$|^.{2,80}\bet al\.?\s+\d{1,4}$"#, text) {
                // "46      Inés Ramírez-Oyarzún et al.": a journal's running header.
                marked[index].furniture = "a running header"
            } else if LineShapes.matches(#"^[*∗⁎†‡§¶]{1,3}$"#, text) {
                // "∗" on a line of its own over the note it marks (a PDF's notes on a byline).
                marked[index].furniture = "a note mark"
            } else if LineShapes.matches(#"(\.\s?){4,}\s*\d{1,4}$|…{2,}\s*\d{1,4}$"#, text) {
                marked[index].furniture = "a table of contents entry"
            }
        }
        // A contents list set with space for leaders ("1.  Background          3"), three entries
        // or more in a row: one stretch of words, a wide gap, a page number. (A table's row has
        // gaps between its columns too, and more than one number.)
        let spacedEntry = #"^[^\s\d][^\d]*?\p{L}[^\d]*?\S\s{3,}\d{1,4}$|^\d{1,2}(?:\.\d{1,2})*\.?\s+\p{L}[^\d]*?\S\s{3,}\d{1,4}$"#
        func spacedContentsEntry(_ index: Int) -> Bool {
            let text = marked[index].text
            return marked[index].furniture == nil && LineShapes.matches(spacedEntry, text)
                && !LineShapes.matches(#"\S\s{3,}\S.*\s{3,}"#, text)
        }
        // Under a "Contents" label, one space before the page number is enough ("1. Background 3").
        let contentsLabel = #"^(?i:contents|table of contents|in this (?:brief|briefing|paper|report|issue)|inhalt|sommaire|índice)$"#
        for label in marked.indices where LineShapes.matches(contentsLabel, marked[label].text) {
            var end = label + 1
            while end < marked.count, end - label <= 40, marked[end].furniture == nil,
                LineShapes.matches(#"^\S.*\p{L}.*\S\s+\d{1,4}$"#, marked[end].text), marked[end].text.split(separator: " ").count <= 14
            {
                end += 1
            }
            guard end - label - 1 >= 3 else { continue }
            for entry in (label + 1)..<end { marked[entry].furniture = "a table of contents entry" }
        }
        var run: [Int] = []
        for index in marked.indices {
            if spacedContentsEntry(index), run.last.map({ $0 == index - 1 }) ?? true {
                run.append(index)
                if index + 1 < marked.count { continue }
            }
            if run.count >= 3 { for entry in run { marked[entry].furniture = "a table of contents entry" } }
            run = spacedContentsEntry(index) && !run.contains(index) ? [index] : []
        }
        // A running header is a short line repeated on several pages; its page number (if it has
        // one) differs each time, so compare without digits.
        var counts: [String: Int] = [:]
        for line in marked where line.furniture == nil { counts[repetitionKey(line.text), default: 0] += 1 }
        let threshold = pageMarks >= 2 ? 2 : 3
        // The cover page (before the first page number or break) names the title or publication
        // a running header repeats: its line is kept.
        let firstBreak = marked.firstIndex { $0.furniture == "a page number" || $0.page > 0 } ?? 0
        var seen: Set<String> = []
        for index in marked.indices where marked[index].furniture == nil {
            let key = repetitionKey(marked[index].text)
            if index < firstBreak && !seen.contains(key) && marked[index].text.split(separator: " ").count >= 3 {
                seen.insert(key)
                continue
            }
            let line = marked[index]
            // Running headers are short labels, not sentences. (A browser's print header, the date,
            // the time, the page's title and the site's, runs longer: "14/01/2026, 16:32 GP waits are
            // a workforce problem, not a booking problem | Healthwise Policy Review".)
            let printHeader = LineShapes.matches(#"^\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}(?:\s?[AaPp][Mm])?\s+\S"#, line.text)
            guard counts[key, default: 0] >= threshold, line.text.split(separator: " ").count <= (printHeader ? 30 : 12), key.count >= 4,
                !line.text.hasSuffix("."), !line.text.hasSuffix(",")
            else { continue }
            marked[index].furniture = "repeated \(counts[key]!) times, like a running header or footer"
        }
        // Notes at a page's foot under a short rule ("____" / "3 Retail prices for …"), down to the
        // page break: out of the flow, so a sentence the notes interrupt is one sentence again.
        for index in marked.indices where marked[index].furniture == nil && LineShapes.matches(#"^[_—–-]{8,40}$"#, marked[index].text) {
            var end = index + 1
            while end < marked.count, marked[end].page == marked[index].page, marked[end].furniture == nil, end - index <= 12 { end += 1 }
            let notes = (index + 1)..<end
            guard !notes.isEmpty, LineShapes.matches(#"^(?:\d{1,2}|[*∗†‡])\s+\S"#, marked[index + 1].text),
                end == marked.count || marked[end].page > marked[index].page || marked[end].furniture == "a page number"
            else { continue }
            marked[index].furniture = "a footnote"
            for note in notes { marked[note].furniture = "a footnote" }
        }
        // A running header alternates (the title on one page, the authors on the next), so a line
        // seen once is furniture too when it is set in the header itself: at a page break, after
        // its furniture and before the blank line where the page's text begins. A numbered
        // heading ("2 How the levies work") opens the page's text instead.
        for index in marked.indices.dropFirst() where marked[index].furniture == nil && !marked[index].blankBefore {
            let line = marked[index]
            guard marked[index - 1].furniture != nil, marked[index - 1].furniture != "a table of contents entry",
                index + 1 == marked.count || marked[index + 1].blankBefore,
                line.text.split(separator: " ").count <= 8, !LineShapes.endsSentence(line.text), !line.text.hasSuffix(","),
                !LineShapes.matches(#"^\d{1,2}(\.\d{1,2})*\.?\s+\p{Lu}"#, line.text)
            else { continue }
            // The header block itself starts at the page break.
            var start = index - 1
            while start > 0, marked[start].furniture != nil, !marked[start].blankBefore, marked[start].page == line.page { start -= 1 }
            guard marked[start].furniture != nil, marked[start].blankBefore, marked[start].page > 0 || pageMarks >= 2 else { continue }
            marked[index].furniture = "in the running header at a page break"
        }
        return marked
    }

    /// A text-mode browser's list of the page's links at the end of its dump ("References" /
    /// "Visible links:" / "1. https://…"): not the page's text.
    static func linkListMarked(_ lines: [Line]) -> [Line] {
        var marked = lines
        guard
            let start = marked.indices.last(where: { index in
                ["references", "visible links:", "visible links"].contains(marked[index].text.lowercased())
                    && marked.indices.contains(index + 1)
                    && marked[(index + 1)...].prefix(3).contains { LineShapes.matches(#"^\d+\.\s+(?:https?|file|mailto):"#, $0.text) }
            })
        else { return marked }
        let links = marked[start...].filter { LineShapes.matches(#"^\d+\.\s+(?:https?|file|mailto):\S+$"#, $0.text) }.count
        guard links * 2 >= marked.count - start - 2 else { return marked }
        for index in start..<marked.count where marked[index].furniture == nil {
            marked[index].furniture = "the text browser's list of links"
        }
        return marked
    }

    /// Raw mail's own header names beside its From and To, not any "Word:" line ("Photo: Ana Ruiz" is a credit).
    static let mailKeys: Set<String> = [
        "received:", "return-path:", "message-id:", "importance:", "priority:", "sender:", "envelope-to:", "precedence:",
        "organisation:", "organization:", "user-agent:", "thread-topic:", "in-reply-to:", "references:",
    ]

    static let emailHeader = try! NSRegularExpression(
        pattern:
            #"^(?:from|to|cc|bcc|sent|date|subject|reply-to|organization|attachments|importance|follow up flag|flag status|x-[a-z-]+)\s*:\s*\S"#,
        options: [.caseInsensitive])

    /// A mail's header lines ("From:", "Sent:", "Subject:" …) at the top, when there are two or more.
    static func emailHeadersMarked(_ lines: [Line]) -> [Line] {
        var marked = lines
        let top = marked.indices.prefix(40).filter {
            emailHeader.firstMatch(in: marked[$0].text, range: NSRange(marked[$0].text.startIndex..., in: marked[$0].text)) != nil
        }
        guard top.count >= 2 else { return marked }
        for index in top where marked[index].furniture == nil { marked[index].furniture = "an e-mail header" }
        // A webmail's printout: the browser's header ("06/10/2025, 08:52  Gmail - [list] Subject"),
        // the account line, the "[list] Subject" line, "1 message", and the sender as "Name <address>".
        let printed = [
            #"^\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}(?:\s?[AaPp][Mm])?\s{2,}\S"#,
            #"^\[[^\]]{2,40}\]\s+\S"#, #"^\d+\s+messages?$"#,
            #"^[^<>:]{2,60}<[\w.+-]+@[\w-]+(?:\.[\w-]+)+>(?:\s|$)"#,
        ].map { LineShapes.regex($0) }
        for index in marked.indices.prefix((top.last ?? 0) + 2) where marked[index].furniture == nil {
            let text = marked[index].text
            if printed.contains(where: { $0.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil }) {
                marked[index].furniture = "an e-mail header"
            }
        }
        // The other header lines of a raw mail ("Delivered-To:", "Content-Transfer-Encoding:", "MIME-Version:") next to them.
        let anyHeader = LineShapes.regex(#"^[A-Za-z][A-Za-z0-9-]{1,40}:\s+\S"#)
        for index in marked.indices.prefix((top.last ?? 0) + 4) where marked[index].furniture == nil {
            let text = marked[index].text
            let nearHeader = top.contains { abs($0 - index) <= 3 }
            if nearHeader,
                text.split(separator: " ").first.map({ $0.contains("-") || mailKeys.contains($0.lowercased()) }) == true,
                anyHeader.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil, !text.contains(". ")
            {
                marked[index].furniture = "an e-mail header"
            }
        }
        return marked
    }

    /// A forwarded chain ("---------- Forwarded message ---------" / its headers / …): the article
    /// is in the innermost message, so the mails forwarding it (their notes, signatures and
    /// headers) are furniture, and so is the covering note that opens the innermost one when it
    /// closes with a sign-off ("Best," / "Marta") before the article.
    static func forwardsMarked(_ lines: [Line]) -> [Line] {
        let marker = #"(?i)^(?:-{2,}\s*(?:forwarded message|original message)\s*-{2,}|begin forwarded message:?)$"#
        guard let last = lines.indices.last(where: { LineShapes.matches(marker, lines[$0].text) }) else { return lines }
        func words(_ range: Range<Int>) -> Int {
            range.reduce(0) { $0 + (lines[$1].furniture == nil ? lines[$1].text.split(separator: " ").count : 0) }
        }
        // (A reply quoting a short original keeps its own text: only an article-length original is the article.)
        guard words((last + 1)..<lines.count) >= 150 else { return lines }
        var marked = lines
        if words(0..<last) > 0 {
            for index in 0..<last where marked[index].furniture == nil { marked[index].furniture = "in the mail forwarding it" }
        }
        marked[last].furniture = "a forwarded message's marker"
        // The innermost message's headers, to its first blank line.
        var start = last + 1
        while start < marked.count, !(start > last + 1 && marked[start].blankBefore) {
            if emailHeader.firstMatch(in: marked[start].text, range: NSRange(marked[start].text.startIndex..., in: marked[start].text)) != nil {
                marked[start].furniture = "an e-mail header"
            }
            start += 1
        }
        // Its covering note: a greeting or a few lines, a sign-off, a name, then the article.
        let window = start..<min(marked.count, start + 16)
        if let closing = window.first(where: { LineShapes.valediction(marked[$0].text) }), closing + 1 < marked.count,
            (1...4).contains(marked[closing + 1].text.split(separator: " ").count), !LineShapes.endsSentence(marked[closing + 1].text),
            words((closing + 2)..<marked.count) >= 150
        {
            for index in start...(closing + 1) where marked[index].furniture == nil { marked[index].furniture = "the forwarder's covering note" }
        }
        return marked
    }

    /// A mail that quotes the article ("> There are now more people …" / ">" / "> HOW WE GOT
    /// HERE"): when quoted lines carry most of the text, or a run of them is longer than any pull
    /// quote (120 words or more), the quoting is the mail's, not the article's, and comes off; a
    /// line of a bare ">" is the blank line between its paragraphs.
    static func quoteLifted(_ lines: [Line]) -> [Line] {
        // (Words of text, the quoting aside: "> Remand is" is two.)
        func words(_ lines: ArraySlice<Line>) -> Int {
            lines.reduce(0) { $0 + $1.text.split(separator: " ").filter { $0 != ">" }.count }
        }
        func isQuoted(_ line: Line) -> Bool { line.furniture == nil && line.text.hasPrefix(">") }
        let text = lines.filter { $0.furniture == nil }
        let quoted = text.filter { $0.text.hasPrefix(">") }
        guard quoted.count >= 5 else { return lines }
        let whole = words(quoted[...]) * 2 >= words(text[...])
        var lift = Set<Int>()
        var start = 0
        while start < lines.count {
            guard isQuoted(lines[start]) else {
                start += 1
                continue
            }
            var end = start
            while end < lines.count, isQuoted(lines[end]) { end += 1 }
            if whole || words(lines[start..<end]) >= 120 { lift.formUnion(start..<end) }
            start = end
        }
        guard !lift.isEmpty else { return lines }
        var lifted: [Line] = []
        var blank = false
        for (index, original) in lines.enumerated() {
            var line = original
            if lift.contains(index) {
                line.text = String(line.text.dropFirst()).trimmingCharacters(in: .whitespaces)
                if line.text.isEmpty {
                    blank = true
                    continue
                }
            }
            line.blankBefore = line.blankBefore || blank
            blank = false
            lifted.append(line)
        }
        return lifted
    }

    /// A mailing list's digest ("Message: 1" / its headers / its text / a rule / "Message: 2" …):
    /// the longest message is the article; the digest's own head, the other messages and its
    /// footer are furniture. Returns the article message's subject, its folded lines joined.
    static func digestMarked(_ lines: [Line]) -> (lines: [Line], subject: String?) {
        let starts = lines.indices.filter { LineShapes.matches(#"^Message:\s*\d{1,3}$"#, lines[$0].text) }
        guard starts.count >= 2 else { return (lines, nil) }
        var marked = lines
        // Each message runs to the next one or to the digest's footer.
        let footer = lines.indices.first {
            $0 > starts.last! && LineShapes.matches(#"^(?:Subject:\s*Digest Footer|End of .{2,80} Digest\b.*)$"#, lines[$0].text)
        } ?? lines.count
        let ends = starts.dropFirst().map { $0 } + [footer]
        func letters(_ range: Range<Int>) -> Int {
            range.reduce(0) { $0 + (lines[$1].furniture == nil ? lines[$1].text.unicodeScalars.filter(\.properties.isAlphabetic).count : 0) }
        }
        let chosen = zip(starts, ends).max { letters($0.0..<$0.1) < letters($1.0..<$1.1) }!
        for index in marked.indices where !(chosen.0..<chosen.1).contains(index) && marked[index].furniture == nil {
            marked[index].furniture = "another part of the mail digest"
        }
        // The message's own headers: from "Message: N" to the first blank line, folded lines included.
        var subject: String?
        var index = chosen.0
        var inSubject = false
        while index < chosen.1, index == chosen.0 || !marked[index].blankBefore {
            let text = marked[index].text
            marked[index].furniture = "an e-mail header"
            if text.lowercased().hasPrefix("subject:") {
                subject = text
                inSubject = true
            } else if inSubject, !LineShapes.matches(#"^[A-Za-z][A-Za-z0-9-]{1,40}:\s"#, text) {
                subject! += " " + text
            } else {
                inSubject = false
            }
            index += 1
        }
        return (marked, subject)
    }

    /// Part of a line's characters that are a URL ("Title<https://…>", "https://…").
    static func urlShare(_ text: String) -> Double {
        guard text.contains("http") || text.contains("www.") else { return 0 }
        let regex = LineShapes.regex(#"<?(?:https?://|www\.)\S+>?"#)
        let linked = regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).reduce(0) { $0 + $1.range.length }
        return min(1, Double(linked) / Double(max(1, (text as NSString).length)))
    }

    /// Notes at the foot of a page: a block opening with a number the text uses as a note marker
    /// ("… the work.1 The result …" and later "1 Survey of …").
    static func footnotesMarked(_ blocks: [SourceBlock]) -> [SourceBlock] {
        // "… the work.1 The result", and after a year or figure "… in May 2025.2 For each".
        let markerPattern = try! NSRegularExpression(pattern: #"\p{Ll}[.,;:)”’"]?(\d{1,2})(?=\s|$)|\d[.;:)”’"](\d{1,2})(?=\s+\p{Lu})"#)
        var markers: Set<String> = []
        for block in blocks where block.furniture == nil && block.text.split(separator: " ").count >= 12 {
            for match in markerPattern.matches(in: block.text, range: NSRange(block.text.startIndex..., in: block.text)) {
                for group in 1...2 {
                    if let range = Range(match.range(at: group), in: block.text) { markers.insert(String(block.text[range])) }
                }
            }
        }
        guard !markers.isEmpty else { return blocks }
        var noted: Set<String> = []
        var marked = blocks
        var index = 0
        while index < marked.count {
            let block = marked[index]
            let words = block.text.split(separator: " ")
            guard block.furniture == nil, let first = words.first, markers.contains(String(first)), words.count >= 6 else {
                index += 1
                continue
            }
            // A note set line by line goes on over the next lines until its sentence ends.
            var end = index
            while !LineShapes.endsSentence(marked[end].text), end + 1 < marked.count, end - index < 3,
                marked[end + 1].tight, marked[end + 1].furniture == nil
            {
                end += 1
            }
            guard LineShapes.endsSentence(marked[end].text) else {
                index += 1
                continue
            }
            for note in index...end { marked[note].furniture = "a footnote" }
            noted.insert(String(first))
            index = end + 1
        }
        // The markers of notes found come out of the text ("… without childcare.4" → "… without childcare.").
        guard !noted.isEmpty else { return marked }
        let alternatives = noted.sorted { $0.count > $1.count }.joined(separator: "|")
        // (Not from a byline whose names carry their affiliations' marks: "Yuki Tanabe1∗ Lucía de la Fuente2".)
        for index in marked.indices where marked[index].furniture == nil
            && !(Names.marksAffiliations(marked[index].text) && (LineShapes.byline(marked[index].text)?.names.count ?? 0) >= 2)
        {
            marked[index].text = marked[index].text.replacingOccurrences(
                of: #"(\p{Ll}[.,;:)”’"]?)(?:"# + alternatives + #")(?=\s|$)"#, with: "$1", options: .regularExpression)
        }
        return marked
    }

    static func repetitionKey(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic }.map(Character.init))
    }

    // MARK: Hard wrapping

    /// The column lines are wrapped at, if the text is hard-wrapped.
    /// Lines with a link run past the column a mail was wrapped at, and rules are drawn to any width:
    /// neither measures it.
    static func measuring(_ line: Line) -> Bool {
        !line.text.contains("http") && !line.text.contains("www.") && !isRule(line.text)
    }

    static func wrapWidth(_ all: [Line]) -> Int? {
        let lines = all.filter(measuring)
        guard lines.count >= 8 else { return nil }
        let lengths = lines.map(\.text.count).sorted()
        let width = lengths[min(lengths.count - 1, Int(Double(lengths.count) * 0.95))]
        guard width >= 40, width <= 120 else { return nil }
        // Wrapped text has paragraphs of several lines, most of them filling the width.
        let continued = zip(lines, lines.dropFirst()).filter { !$1.blankBefore }.count
        // Most lines stop just short of the width; copied paragraphs, one per line, vary widely.
        // (Column widths of mail and PDF text are rarely over 100; a ragged right needs more lines
        // near the width to tell it from copied paragraphs.)
        let nearlyFull = lines.filter { Double($0.text.count) >= 0.8 * Double(width) }.count
        let fairlyFull = lines.filter { Double($0.text.count) >= 0.6 * Double(width) }.count
        let filled =
            Double(nearlyFull) >= 0.45 * Double(lines.count) || (width <= 100 && Double(fairlyFull) >= 0.4 * Double(lines.count))
        guard Double(continued) >= 0.3 * Double(lines.count), filled else { return nil }
        return width
    }

    /// The column each run of lines (lines with no blank between them) is wrapped at, when it is
    /// wrapped at a column of its own: a PDF's body set in a narrow column under a cover page and
    /// notes set full width, or a mail's quoted part. A run is wrapped when it has three lines or
    /// more, most of them filling its widest line, and most of its lines go on with the sentence of
    /// the line above (a lower-case start): a list of headlines of even length is not prose.
    static func runWidths(_ lines: [Line]) -> [Int: Int] {
        var widths: [Int: Int] = [:]
        var start = 0
        while start < lines.count {
            var end = start + 1
            while end < lines.count, !lines[end].blankBefore { end += 1 }
            let run = lines[start..<end].filter(measuring)
            if run.count >= 3, let width = run.map(\.text.count).max(), width >= 30, width <= 120 {
                let filling = run.dropLast().filter { Double($0.text.count) >= 0.7 * Double(width) }.count
                let goingOn = zip(run, run.dropFirst()).filter {
                    !LineShapes.endsSentence($0.text) && (startsLowercase($1.text) || Double($0.text.count) >= 0.85 * Double(width))
                }.count
                // (Prose wraps mid-sentence somewhere: an address or a list of names never does.)
                let midSentence = zip(run, run.dropFirst()).contains { startsLowercase($1.text) && !LineShapes.endsSentence($0.text) }
                if Double(filling) >= 0.6 * Double(run.count - 1), Double(goingOn) >= 0.4 * Double(run.count - 1), midSentence {
                    for line in lines[start..<end] { widths[line.number] = width }
                }
            }
            start = end
        }
        return widths
    }

    static func pairKey(_ first: Substring, _ second: Substring) -> String {
        first.lowercased().filter(\.isLetter) + " " + second.lowercased().filter(\.isLetter)
    }

    static func startsLowercase(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        return first.properties.isLowercase || "(,;–—".unicodeScalars.contains(first)
    }

    /// Whether `next` continues the paragraph `last` belongs to.
    static func continues(_ last: Line, with next: Line, width: Int) -> Bool {
        if listMarker(next.text) != nil || isRule(next.text) || isRule(last.text) { return false }
        // After a full stop, "Tom Berg is a …" opens the next person's bio, however full the line was.
        if LineShapes.endsSentence(last.text), Names.leadingName(next.text, verbs: LineShapes.bioVerbs) != nil { return false }
        // "Ana Ruiz1*, Tom Berg2": a byline marked for its affiliation notes ends where it ends.
        if Names.marksAffiliations(last.text), LineShapes.byline(last.text) != nil { return false }
        // "Date: …", "Authors: …", "Photo: …": a labelled line starts afresh. (Not after "… targets
        // in" / "Europe: half a million …": no line ends on "in", so the sentence goes on.)
        if LineShapes.matches(#"^[\p{Lu}][\p{L}-]{1,20}( [\p{L}-]{1,12})?:\s"#, next.text) {
            guard !next.blankBefore, !LineShapes.endsSentence(last.text), last.text.count * 2 >= width,
                let lastWord = last.text.split(separator: " ").last?.lowercased(), ArticleStructure.joiningWords.contains(lastWord)
            else { return false }
            return true
        }
        let nextWord = next.text.prefix { $0 != " " }.count
        let full = last.text.count + 1 + nextWord > width - max(3, width / 8)
        if next.blankBefore {
            // Across a blank line or page break only a sentence cut mid-way continues.
            return full && !LineShapes.endsSentence(last.text) && startsLowercase(next.text)
        }
        if startsLowercase(next.text) && !LineShapes.endsSentence(last.text) { return true }
        // No paragraph ends on "at", "of" or "the": the sentence goes on on the next line. (A title's
        // short lines are left to the title's own rules.)
        if let lastWord = last.text.split(separator: " ").last?.lowercased(), last.text.count * 2 >= width,
            ArticleStructure.joiningWords.contains(lastWord)
        {
            return true
        }
        return full || Double(last.text.count) >= 0.75 * Double(width)
    }

    /// Every word of the text, lowercased, with how often it occurs (to undo hyphenation).
    static func vocabulary(_ lines: [Line]) -> [String: Int] {
        var words: [String: Int] = [:]
        for line in lines {
            for word in line.text.lowercased().split(whereSeparator: { !($0.isLetter || $0 == "-") }) {
                words[String(word), default: 0] += 1
            }
        }
        return words
    }

    /// Prefixes English keeps hyphenated.
    static let hyphenPrefixes: Set<String> = [
        "self", "ex", "all", "cross", "well", "half", "quasi", "non", "co", "anti", "post", "pre", "long", "short", "high", "low",
        "full", "part", "mid", "semi", "multi", "sub", "cost", "data", "rule", "state", "city", "land", "end", "year", "time",
    ]

    static func joined(_ lines: [Line], vocabulary: [String: Int], typeset: Bool) -> String {
        var text = lines[0].text
        for line in lines.dropFirst() {
            let next = line.text
            if text.hasSuffix("—") || text.hasSuffix("/") {
                text += next
            } else if text.hasSuffix("-"), let before = text.dropLast().last, before.isLetter, let first = next.first,
                first.isLowercase
            {
                let head = String(text.dropLast().reversed().prefix { $0.isLetter }.reversed()).lowercased()
                let tail = String(next.prefix { $0.isLetter }).lowercased()
                // Keep the hyphen where the page writes the compound with one, or where both halves
                // are words of their own ("minor-ailment") and the joined form is not.
                let joinedKnown = vocabulary[head + tail, default: 0] > 0
                // (The tail itself opens the next line, so it counts only if it is written elsewhere too.)
                let tailElsewhere =
                    vocabulary[tail, default: 0] >= 2
                    || vocabulary.keys.contains { $0 != tail && $0.hasPrefix(tail) && tail.count >= 4 }
                let halvesKnown = head.count >= 3 && tail.count >= 4 && vocabulary[head, default: 0] > 0 && tailElsewhere
                let tailKnown = tailElsewhere
                let keep =
                    !typeset || vocabulary[head + "-" + tail, default: 0] > 0
                    || (!joinedKnown && ((hyphenPrefixes.contains(head) && tailKnown) || halvesKnown))
                text = keep ? text + next : String(text.dropLast()) + next
            } else {
                text += " " + next
            }
        }
        return text
    }

    /// Letter-spaced capitals made words again: "C L E A R A N C E" → "CLEARANCE", "T H E  M E T E R" → "THE METER".
    static func unspaced(_ text: String) -> String {
        guard LineShapes.matches(#"^(\S {1,3}){3,}\S$"#, text),
            text.split(separator: " ").allSatisfy({ $0.count == 1 })
        else { return text }
        return text.replacingOccurrences(of: #"\s{2,}"#, with: "\u{1}", options: .regularExpression)
            .components(separatedBy: "\u{1}").map { $0.replacingOccurrences(of: " ", with: "") }.joined(separator: " ")
    }

    /// A line of dashes, equals signs or stars: a separator.
    static func isRule(_ text: String) -> Bool {
        text.count >= 3 && text.allSatisfy { "-=_*~#–—·•. ".contains($0) } && Set(text.filter { $0 != " " }).count <= 2
    }

    /// The length of a list bullet at the start ("- ", "• ", "* "), if the line has one.
    static func listMarker(_ text: String) -> Int? {
        // "(c)  extend the pilot …", "(iv) publish …": a lettered item of a report's list.
        if let range = text.range(of: #"^\((?:[a-h]|i{1,3}|iv|v|vi{1,3})\)\s+(?=\S)"#, options: .regularExpression) {
            return text.distance(from: text.startIndex, to: range.upperBound)
        }
        guard let first = text.first, "-•*–·▪◦".contains(first), text.dropFirst().first == " " else { return nil }
        return 2
    }
}

extension String {
    /// The Latin typographic ligatures (U+FB00–FB06) written out as their letters.
    var decomposedLigatures: String {
        var result = ""
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0xFB00: result += "ff"
            case 0xFB01: result += "fi"
            case 0xFB02: result += "fl"
            case 0xFB03: result += "ffi"
            case 0xFB04: result += "ffl"
            case 0xFB05, 0xFB06: result += "st"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
