import BriefingModel
import Foundation
import GRDB

/// One search result: a briefing, or one of the reader's highlights or notes.
public struct SearchHit: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable { case briefing, highlight, note }

    public var kind: Kind
    /// The briefing's ID, or the highlight's or note's.
    public var id: String
    public var briefingID: String
    public var briefingTitle: String?
    /// The best-matching passage, each match between `«` and `»`.
    public var snippet: String
    /// bm25 with column weights; lower is better.
    public var score: Double
}

/// Keeps the FTS5 index (`searchDocument` + `search`) in step with briefings, highlights and notes.
enum SearchIndex {
    /// Column weights for bm25: title, headings, the reader's own highlights and notes, body.
    static let weights = (title: 10.0, headings: 5.0, mine: 3.0, body: 1.0)

    /// Indexes a briefing: its title, headings, and as body text its byline, contributors,
    /// standfirst and, when the body is downloaded, its paragraphs (else the lead's opening).
    static func index(_ db: Database, metadata: BriefingMetadata, sections: [Section]?) throws {
        var body = [metadata.byline, metadata.summary].compactMap { $0 } + metadata.contributors.map(\.name)
        if let sections {
            body += sections.flatMap(\.paragraphs).map(\.text)
        } else {
            body.append(metadata.excerpt)
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO searchDocument (kind, ref, briefingID, title, headings, body) VALUES ('briefing', ?, ?, ?, ?, ?)
                ON CONFLICT (kind, ref) DO UPDATE SET title = excluded.title, headings = excluded.headings, body = excluded.body
                WHERE title != excluded.title OR headings != excluded.headings OR body != excluded.body
                """
        ).execute(arguments: [
            metadata.id, metadata.id, metadata.title, metadata.headings.joined(separator: "\n"), body.joined(separator: "\n"),
        ])
    }

    static func removeBriefing(_ db: Database, id: String) throws {
        try db.execute(sql: "DELETE FROM searchDocument WHERE kind = 'briefing' AND ref = ?", arguments: [id])
    }

    /// Indexes a highlight's quote or a note's text, or drops it once deleted: a batch of one.
    static func index(_ db: Database, record: UserRecord) throws {
        var batch = SearchBatch()
        batch.add(record)
        try batch.flush(db)
    }

    /// The text a record is searched by: a note's text or a highlight's quote; nil when it is
    /// not searched (deleted, another kind, no briefing).
    static func entry(of record: UserRecord) -> (briefingID: String, text: String)? {
        guard record.kind == .highlight || record.kind == .note, !record.deleted, let briefingID = record.briefingID,
            let text = record.kind == .note ? record.fields["text"]?.string : record.fields["anchor"]?.anchor?.exact
        else { return nil }
        return (briefingID, text)
    }

    /// Drops a record's search entry, if it has one: a batch of one.
    static func remove(_ db: Database, kind: EntityKind, id: String) throws {
        var batch = SearchBatch()
        batch.remove(kind: kind, id: id)
        try batch.flush(db)
    }

    /// Rebuilds the index from the stored briefings and records.
    static func rebuild(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM searchDocument")
        let bodies = try db.tableExists("briefingBody")
        for row in try Row.fetchAll(db, sql: "SELECT revisionID, body FROM briefing") {
            // Before bodies were kept apart (migration v3), `body` held the whole briefing.
            guard bodies else {
                let briefing = try BriefingStore.decode(Briefing.self, row["body"])
                try index(db, metadata: briefing.metadata, sections: briefing.sections)
                continue
            }
            try index(
                db, metadata: try BriefingStore.decode(BriefingMetadata.self, row["body"]),
                sections: try BriefingStore.loadSections(db, revisionID: row["revisionID"]))
        }
        for body in try String.fetchAll(db, sql: "SELECT body FROM userRecord WHERE kind IN ('highlight', 'note') AND deleted = 0") {
            try index(db, record: try BriefingStore.decode(UserRecord.self, body))
        }
    }

    /// An FTS5 query from what a reader typed: each word must match (a trailing `*` matches a
    /// prefix); quotes and operators are taken literally, never as syntax.
    static func query(_ text: String) -> String? {
        let words = text.split(whereSeparator: { $0.isWhitespace }).compactMap { word -> String? in
            let prefix = word.hasSuffix("*")
            let bare = word.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "'" || $0 == "’" }
            guard bare.contains(where: { $0.isLetter || $0.isNumber }) else { return nil }
            return "\"" + bare.replacingOccurrences(of: "\"", with: "") + "\"" + (prefix ? "*" : "")
        }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }
}

/// Search-index writes gathered and made together: a pulled page's at its end, a local
/// change's as a batch of one.
///
/// FTS5 writes out its pending terms at the end of each statement that changed it, and once
/// it is part of a transaction, at the end of every later statement that keeps a statement
/// journal too. Indexed one record at a time, a page of new notes paid that once per note and
/// per later write; gathered, the page pays it once. Rows whose text and briefing are
/// unchanged are never rewritten, so recolours and records pulled back as they were leave
/// the index alone.
struct SearchBatch {
    private struct Key: Hashable {
        var kind: EntityKind
        var id: String
    }

    /// Each record's last state in the page: its briefing and text, or nil to drop it.
    private var entries: [Key: (briefingID: String, text: String)?] = [:]
    /// First-seen order, so the index is written the same way every time.
    private var order: [Key] = []

    mutating func add(_ record: UserRecord) {
        guard record.kind == .highlight || record.kind == .note else { return }
        set(Key(kind: record.kind, id: record.id), SearchIndex.entry(of: record))
    }

    mutating func remove(kind: EntityKind, id: String) {
        guard kind == .highlight || kind == .note else { return }
        set(Key(kind: kind, id: id), nil)
    }

    private mutating func set(_ key: Key, _ entry: (briefingID: String, text: String)?) {
        if entries.updateValue(entry, forKey: key) == nil { order.append(key) }
    }

    /// Writes the gathered changes: at most one statement for the removals and one for the
    /// rest per 200 records; rows whose text and briefing are unchanged are left alone.
    func flush(_ db: Database) throws {
        let removed = order.filter { entries[$0]! == nil }
        let kept = order.compactMap { key in entries[key]!.map { (key, $0) } }
        for chunk in Self.chunks(removed) {
            let rows = chunk.map { _ in "(?, ?)" }.joined(separator: ", ")
            try Self.statement(db, "DELETE FROM searchDocument WHERE (kind, ref) IN (VALUES \(rows))", rows: chunk.count)
                .execute(arguments: StatementArguments(chunk.flatMap { [$0.kind.rawValue, $0.id] }))
        }
        for chunk in Self.chunks(kept) {
            let rows = chunk.map { _ in "(?, ?, ?, ?)" }.joined(separator: ", ")
            let sql = """
                INSERT INTO searchDocument (kind, ref, briefingID, mine) VALUES \(rows)
                ON CONFLICT (kind, ref) DO UPDATE SET mine = excluded.mine, briefingID = excluded.briefingID
                WHERE mine != excluded.mine OR briefingID != excluded.briefingID
                """
            try Self.statement(db, sql, rows: chunk.count).execute(
                arguments: StatementArguments(
                    chunk.flatMap { key, entry in [key.kind.rawValue, key.id, entry.briefingID, entry.text] }))
        }
    }

    /// Runs of at most 200 rows: a statement then binds at most 800 parameters, under the 999
    /// that older SQLite builds allow.
    private static func chunks<T>(_ rows: [T]) -> [ArraySlice<T>] {
        stride(from: 0, to: rows.count, by: 200).map { rows[$0..<min($0 + 200, rows.count)] }
    }

    /// A one-row statement (every local change makes one) is kept compiled; larger ones vary
    /// in size from page to page and are compiled for the occasion.
    private static func statement(_ db: Database, _ sql: String, rows: Int) throws -> Statement {
        rows == 1 ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
    }
}

extension BriefingStore {
    /// Searches titles, headings, bodies and the reader's own highlights and notes, best first.
    ///
    /// Works offline on whatever the store has synced. Ranked first by the weightiest column
    /// that matches (title, then headings, then the reader's own highlights and notes, then
    /// body), then by bm25 with column weights title 10, headings 5, own 3, body 1. The tier is
    /// needed because FTS5's bm25 normalizes by the length of the whole row: without it a
    /// five-word note would outrank a briefing whose heading matches.
    public func search(_ text: String, limit: Int = 20) async throws -> [SearchHit] {
        guard let query = SearchIndex.query(text) else {
            throw StoreError(.invalid, "search for at least one word")
        }
        let weights = SearchIndex.weights
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.kind, d.ref, d.briefingID, b.title AS briefingTitle,
                           snippet(search, -1, '«', '»', '…', 16) AS snippet,
                           bm25(search, ?, ?, ?, ?) AS score
                    FROM search
                    JOIN searchDocument d ON d.rowid = search.rowid
                    LEFT JOIN briefing b ON b.id = d.briefingID
                    WHERE search MATCH ?
                    ORDER BY
                      CASE
                        WHEN instr(highlight(search, 0, char(1), char(2)), char(1)) THEN 0
                        WHEN instr(highlight(search, 1, char(1), char(2)), char(1)) THEN 1
                        WHEN instr(highlight(search, 2, char(1), char(2)), char(1)) THEN 2
                        ELSE 3
                      END,
                      score, d.kind, d.ref
                    LIMIT ?
                    """,
                arguments: [weights.title, weights.headings, weights.mine, weights.body, query, limit]
            ).map { row in
                SearchHit(
                    kind: SearchHit.Kind(rawValue: row["kind"]) ?? .briefing, id: row["ref"], briefingID: row["briefingID"],
                    briefingTitle: row["briefingTitle"], snippet: row["snippet"], score: row["score"])
            }
        }
    }
}
