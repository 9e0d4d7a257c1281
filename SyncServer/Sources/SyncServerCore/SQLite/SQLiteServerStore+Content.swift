import BriefingModel
import Foundation
import GRDB

extension SQLiteServerStore {
    public func briefingBody(id: String) async throws -> String? {
        try await database.read { db in
            try String.fetchOne(
                db, sql: "SELECT body FROM record WHERE owner = '' AND kind = 'briefing' AND id = ? AND deleted = 0", arguments: [id])
        }
    }

    public func briefing(revisionID: String) async throws -> (body: String, topic: String)? {
        try await database.read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT body, topic FROM record
                        WHERE json_extract(body, '$.revision.id') = ? AND kind = 'briefing' AND owner = '' AND deleted = 0
                        """), arguments: [revisionID]
            ).map { (body: $0["body"], topic: $0["topic"]) }
        }
    }

    public func briefingCount() async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM record WHERE owner = '' AND kind = 'briefing' AND deleted = 0") ?? 0
        }
    }

    public func briefingIDExists(_ id: String) async throws -> Bool {
        try await database.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM record WHERE owner = '' AND kind = 'briefing' AND id = ?", arguments: [id]) == true
        }
    }

    public func findBriefingBody(
        field: String, value: String, publication: String?, matchPublication: Bool, withoutSourceURL: Bool
    ) async throws -> String? {
        guard ["sourceURL", "title"].contains(field) else { throw SyncError(.storage, "briefings are not found by \(field)") }
        return try await database.read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT body FROM record WHERE owner = '' AND kind = 'briefing' AND deleted = 0
                    AND json_extract(body, '$.\(field)') = ?
                    AND (? = 0 OR json_extract(body, '$.publication') IS ?)
                    AND (? = 0 OR json_extract(body, '$.sourceURL') IS NULL)
                    ORDER BY seq DESC LIMIT 1
                    """,
                arguments: [value, matchPublication, publication, withoutSourceURL])
        }
    }

    public func briefingBody(foundTitle: String, sourceURL: String?) async throws -> String? {
        try await database.read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT record.body FROM source JOIN record
                    ON record.owner = '' AND record.kind = 'briefing' AND record.deleted = 0 AND record.id = source.briefingID
                    WHERE json_extract(source.report, '$.foundTitle') = ?
                    AND (? IS NULL OR json_extract(record.body, '$.sourceURL') IS NULL OR json_extract(record.body, '$.sourceURL') = ?)
                    ORDER BY source.importedAt DESC LIMIT 1
                    """,
                arguments: [foundTitle, sourceURL, sourceURL])
        }
    }

    public func editorialBodies(briefingID: String) async throws -> [String] {
        try await database.read { db in
            try Row.fetchAll(db, sql: Self.editorialLayerSQL + " ORDER BY id", arguments: [briefingID]).map { $0["body"] }
        }
    }

    public func highlightBodies(briefingID: String) async throws -> [String] {
        try await database.read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT body FROM record WHERE owner != '' AND kind = 'highlight' AND deleted = 0 AND json_extract(body, '$.fields.briefingID') = ?",
                arguments: [briefingID])
        }
    }

    public func source(briefingID: String, revision: Int?) async throws -> StoredSource? {
        try await database.read { db in
            let row: Row?
            if let revision {
                row = try Row.fetchOne(
                    db, sql: "SELECT * FROM source WHERE briefingID = ? AND revisionNumber = ?", arguments: [briefingID, revision])
            } else {
                row = try Row.fetchOne(
                    db, sql: "SELECT * FROM source WHERE briefingID = ? ORDER BY revisionNumber DESC LIMIT 1", arguments: [briefingID])
            }
            return row.map { row in
                StoredSource(
                    briefingID: row["briefingID"], revisionNumber: row["revisionNumber"], revisionID: row["revisionID"],
                    fileName: row["fileName"], sourceURL: row["sourceURL"], raw: row["raw"], report: row["report"],
                    importedAt: Timestamp.date(row["importedAt"]) ?? Date(timeIntervalSince1970: 0))
            }
        }
    }
}
