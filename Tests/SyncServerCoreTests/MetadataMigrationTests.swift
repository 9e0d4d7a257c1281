import BriefingModel
import BriefingTestSupport
import Foundation
import GRDB
import Testing

@testable import SyncServerCore

/// The SQLite store's migration to kept metadata (v9) on a database with content in every
/// state: a live briefing, a withdrawn one (its body kept), a departure mark and a tombstone.
@Suite("Server migration: briefing metadata")
struct MetadataMigrationTests {
    @Test("Live and withdrawn briefings get their metadata; marks, tombstones and other records get none")
    func backfill() throws {
        let queue = try DatabaseQueue()
        try SQLiteSchema.migrator.migrate(queue, upTo: "v8-bodies-by-revision")
        let live = Briefing.assemble(id: "live", title: "Live", sections: [(nil, ["A live paragraph."])])
        let withdrawn = Briefing.assemble(id: "gone", title: "Withdrawn", sections: [(nil, ["A withdrawn paragraph."])])
        try queue.write { db in
            let insert = "INSERT INTO record (owner, topic, kind, id, seq, deleted, body) VALUES (?, ?, ?, ?, ?, ?, ?)"
            try db.execute(sql: insert, arguments: ["", "", "briefing", "live", 1, false, try CanonicalJSON.text(live)])
            try db.execute(sql: insert, arguments: ["", "", "briefing", "gone", 2, true, try CanonicalJSON.text(withdrawn)])
            try db.execute(sql: insert, arguments: ["-", "", "briefing", "moved", 3, true, "{\"to\":\"pub:x\"}"])
            try db.execute(sql: insert, arguments: ["", "", "briefing", "deleted", 4, true, "{}"])
            try db.execute(sql: insert, arguments: ["acct", "", "note", "n1", 5, false, "{\"kind\":\"note\"}"])
        }
        try SQLiteSchema.migrator.migrate(queue)
        let metas = try queue.read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT owner || '/' || id AS key, meta FROM record").map {
                    ($0["key"] as String, $0["meta"] as String?)
                })
        }
        #expect(try metas["/live"]?.map { try CanonicalJSON.decode(BriefingMetadata.self, $0) } == live.metadata)
        #expect(try metas["/gone"]?.map { try CanonicalJSON.decode(BriefingMetadata.self, $0) } == withdrawn.metadata)
        #expect(metas["-/moved"] == .some(nil))
        #expect(metas["/deleted"] == .some(nil))
        #expect(metas["acct/n1"] == .some(nil))
    }
}
