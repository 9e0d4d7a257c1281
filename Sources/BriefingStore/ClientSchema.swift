import BriefingModel
import Foundation
import GRDB

/// The client store's migrations. Append new ones; never edit a shipped one.
///
/// `Schemas/client.sql` is the schema these produce, and a test keeps the two in step.
enum ClientSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            for statement in v1 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v2-search") { db in
            for statement in v2 { try db.execute(sql: statement) }
            try SearchIndex.rebuild(db)
        }
        migrator.registerMigration("v3-bodies-on-demand") { db in
            for statement in v3 { try db.execute(sql: statement) }
            // Each stored briefing splits into its metadata and its body.
            for row in try Row.fetchAll(db, sql: "SELECT id, body FROM briefing") {
                let briefing = try BriefingStore.decode(Briefing.self, row["body"])
                let sections = try BriefingStore.json(briefing.sections)
                let metadata = briefing.metadata(bodySize: sections.utf8.count)
                try db.execute(
                    sql: "UPDATE briefing SET body = ?, bodySize = ? WHERE id = ?",
                    arguments: [try BriefingStore.json(metadata), metadata.bodySize, briefing.id])
                try BriefingStore.insertBody(
                    db, briefingID: briefing.id, revisionID: briefing.revision.id, sections: sections, fetchedAt: Timestamp.text(Date()))
            }
            try SearchIndex.rebuild(db)
        }
        return migrator
    }

    /// Bodies on demand: `briefing.body` holds a briefing's metadata (`BriefingMetadata`), and
    /// the bodies downloaded are kept by revision in `briefingBody`. `provisional` marks the
    /// newest briefings stored before the first sync is complete; `readAt`, when the reader
    /// last opened one (what the storage budget evicts by). The budget and how many of the
    /// newest to prefetch are the device's settings (NULL: the defaults).
    static let v3 = [
        "ALTER TABLE briefing ADD COLUMN bodySize INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE briefing ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE briefing ADD COLUMN readAt TEXT",
        """
        CREATE TABLE briefingBody (
          revisionID TEXT PRIMARY KEY NOT NULL,
          briefingID TEXT NOT NULL,
          sections TEXT NOT NULL,
          size INTEGER NOT NULL,
          fetchedAt TEXT NOT NULL
        )
        """,
        "CREATE INDEX briefingBody_briefingID ON briefingBody(briefingID)",
        // Every completed sync looks for provisional rows (there are none after the first): by index.
        "CREATE INDEX briefing_provisional ON briefing(id) WHERE provisional = 1",
        "ALTER TABLE syncState ADD COLUMN maxStorage INTEGER",
        "ALTER TABLE syncState ADD COLUMN prefetchNewest INTEGER",
    ]

    /// Offline full-text search: one document per briefing (title, headings, body) and one per
    /// highlight or note of the reader's (`mine`), indexed by an external-content FTS5 table
    /// that triggers keep in step.
    static let v2 = [
        """
        CREATE TABLE searchDocument (
          rowid INTEGER PRIMARY KEY,
          kind TEXT NOT NULL,
          ref TEXT NOT NULL,
          briefingID TEXT NOT NULL,
          title TEXT NOT NULL DEFAULT '',
          headings TEXT NOT NULL DEFAULT '',
          mine TEXT NOT NULL DEFAULT '',
          body TEXT NOT NULL DEFAULT '',
          UNIQUE (kind, ref)
        )
        """,
        """
        CREATE VIRTUAL TABLE search USING fts5(
          title, headings, mine, body,
          content = 'searchDocument', content_rowid = 'rowid',
          tokenize = 'porter unicode61 remove_diacritics 2'
        )
        """,
        """
        CREATE TRIGGER searchDocument_insert AFTER INSERT ON searchDocument BEGIN
          INSERT INTO search (rowid, title, headings, mine, body) VALUES (new.rowid, new.title, new.headings, new.mine, new.body);
        END
        """,
        """
        CREATE TRIGGER searchDocument_delete AFTER DELETE ON searchDocument BEGIN
          INSERT INTO search (search, rowid, title, headings, mine, body) VALUES ('delete', old.rowid, old.title, old.headings, old.mine, old.body);
        END
        """,
        """
        CREATE TRIGGER searchDocument_update AFTER UPDATE ON searchDocument BEGIN
          INSERT INTO search (search, rowid, title, headings, mine, body) VALUES ('delete', old.rowid, old.title, old.headings, old.mine, old.body);
          INSERT INTO search (rowid, title, headings, mine, body) VALUES (new.rowid, new.title, new.headings, new.mine, new.body);
        END
        """,
    ]

    static let v1 = [
        """
        CREATE TABLE briefing (
          id TEXT PRIMARY KEY NOT NULL,
          revisionID TEXT NOT NULL,
          revisionNumber INTEGER NOT NULL,
          title TEXT NOT NULL,
          publication TEXT,
          publishedAt TEXT,
          body TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE editorialAnnotation (
          id TEXT PRIMARY KEY NOT NULL,
          briefingID TEXT NOT NULL,
          kind TEXT NOT NULL,
          body TEXT NOT NULL
        )
        """,
        "CREATE INDEX editorialAnnotation_briefingID ON editorialAnnotation(briefingID)",
        """
        CREATE TABLE userRecord (
          kind TEXT NOT NULL,
          id TEXT NOT NULL,
          briefingID TEXT,
          deleted INTEGER NOT NULL DEFAULT 0,
          body TEXT NOT NULL,
          PRIMARY KEY (kind, id)
        )
        """,
        "CREATE INDEX userRecord_briefingID ON userRecord(briefingID, kind)",
        """
        CREATE TABLE outbox (
          mutationID INTEGER PRIMARY KEY AUTOINCREMENT,
          kind TEXT NOT NULL,
          recordID TEXT NOT NULL,
          body TEXT NOT NULL,
          createdAt TEXT NOT NULL
        )
        """,
        "CREATE INDEX outbox_record ON outbox(kind, recordID)",
        """
        CREATE TABLE conflict (
          id TEXT PRIMARY KEY NOT NULL,
          at TEXT NOT NULL,
          source TEXT NOT NULL,
          body TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE rejection (
          mutationID INTEGER PRIMARY KEY NOT NULL,
          kind TEXT NOT NULL,
          recordID TEXT NOT NULL,
          reason TEXT NOT NULL,
          message TEXT NOT NULL,
          at TEXT NOT NULL,
          mutation TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE syncState (
          id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
          serverURL TEXT,
          user TEXT,
          deviceID TEXT,
          deviceName TEXT,
          token TEXT,
          cursor TEXT,
          lastSyncAt TEXT,
          clock TEXT
        )
        """,
        "INSERT INTO syncState (id) VALUES (1)",
    ]
}
