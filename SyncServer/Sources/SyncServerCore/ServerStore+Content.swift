import BriefingModel
import Foundation
import GRDB

extension ServerStore {
    /// Publishes a briefing revision and replaces its editorial layer, in one transaction.
    public func publish(_ briefing: Briefing, editorial: [EditorialAnnotation]) async throws {
        try await database.write { db in
            try Self.put(db, owner: contentOwner, kind: .briefing, id: briefing.id, deleted: false, body: try Self.json(briefing))
            let keep = Set(editorial.map(\.id))
            let existing = try String.fetchAll(
                db,
                sql: "SELECT id FROM record WHERE owner = '' AND kind = 'editorialAnnotation' AND deleted = 0 AND json_extract(body, '$.briefingID') = ?",
                arguments: [briefing.id])
            for id in existing where !keep.contains(id) {
                try Self.put(db, owner: contentOwner, kind: .editorialAnnotation, id: id, deleted: true, body: "{}")
            }
            for annotation in editorial {
                try Self.put(
                    db, owner: contentOwner, kind: .editorialAnnotation, id: annotation.id, deleted: false,
                    body: try Self.json(annotation))
            }
        }
    }

    /// The published briefing with `id`.
    public func briefing(id: String) async throws -> Briefing? {
        try await database.read { db in
            try String.fetchOne(
                db, sql: "SELECT body FROM record WHERE owner = '' AND kind = 'briefing' AND id = ? AND deleted = 0",
                arguments: [id]
            ).map { try Self.decode(Briefing.self, $0) }
        }
    }

    /// How many briefings are published.
    public func briefingCount() async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM record WHERE owner = '' AND kind = 'briefing' AND deleted = 0") ?? 0
        }
    }
}
