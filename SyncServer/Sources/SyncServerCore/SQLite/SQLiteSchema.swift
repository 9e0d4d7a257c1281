import BriefingModel
import GRDB

/// The server store's migrations. Append new ones; never edit a shipped one.
///
/// `Schemas/server.sql` is the schema these produce, and a test keeps the two in step.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            for statement in v1 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v2-record-changedAt") { db in
            for statement in v2 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v3-source") { db in
            for statement in v3 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v4-pull-indexes") { db in
            for statement in v4 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v5-record-origin") { db in
            for statement in v5 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v6-publications") { db in
            for statement in v6 { try db.execute(sql: statement) }
            // Content moves into its publication's scope; every account there is entitled to
            // all of it, so no reader loses anything by the upgrade.
            let briefings = try Row.fetchAll(
                db, sql: "SELECT id, json_extract(body, '$.publication') AS publication FROM record WHERE owner = '' AND kind = 'briefing'")
            for briefing in briefings {
                let key = Publication.key(for: briefing["publication"])
                guard !key.isEmpty else { continue }
                try db.execute(sql: "UPDATE record SET topic = ? WHERE owner = '' AND kind = 'briefing' AND id = ?", arguments: [key, briefing["id"]])
                try db.execute(
                    sql: "UPDATE record SET topic = ? WHERE owner = '' AND kind = 'editorialAnnotation' AND json_extract(body, '$.briefingID') = ?",
                    arguments: [key, briefing["id"]])
            }
            try db.execute(sql: "INSERT INTO entitlement (accountID, publication) SELECT id, '*' FROM account")
        }
        migrator.registerMigration("v7-device-subscriptions") { db in
            for statement in v7 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v8-bodies-by-revision") { db in
            for statement in v8 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v9-briefing-metadata") { db in
            for statement in v9 { try db.execute(sql: statement) }
            // Every briefing's metadata, live or withdrawn (a restore brings it back).
            let rows = try Row.fetchAll(db, sql: "SELECT owner, id, body FROM record WHERE kind = 'briefing' AND body <> '{}' AND owner NOT LIKE '-%'")
            for row in rows {
                let briefing = try CanonicalJSON.decode(Briefing.self, row["body"])
                try db.execute(
                    sql: "UPDATE record SET meta = ? WHERE owner = ? AND kind = 'briefing' AND id = ?",
                    arguments: [try CanonicalJSON.text(briefing.metadata), row["owner"], row["id"]])
            }
        }
        return migrator
    }

    /// Bodies on demand: each briefing row keeps its metadata (`BriefingMetadata`) beside the
    /// whole briefing, so a page for a device that fetches bodies on their own reads only
    /// that; the newest briefings are found by publication date through an index.
    static let v9 = [
        "ALTER TABLE record ADD COLUMN meta TEXT",
        "CREATE INDEX record_briefing_published ON record(json_extract(meta, '$.revision.publishedAt')) WHERE kind = 'briefing' AND owner = ''",
    ]

    /// Bodies are fetched by their revision's ID (`GET /v1/bodies/{hash}`).
    static let v8 = [
        "CREATE INDEX record_briefing_revision ON record(json_extract(body, '$.revision.id')) WHERE kind = 'briefing'"
    ]

    /// What each device chose to receive: publication keys, comma-separated; NULL follows the
    /// account's entitlements (every device until it chooses).
    static let v7 = [
        "ALTER TABLE device ADD COLUMN subscriptions TEXT"
    ]

    /// Publications: content rows carry their publication's key (`topic`, empty for open
    /// content and for accounts' records), and accounts their entitlements (`*` for all).
    static let v6 = [
        "ALTER TABLE record ADD COLUMN topic TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX record_owner_topic_seq ON record(owner, topic, seq)",
        """
        CREATE TABLE entitlement (
          accountID TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
          publication TEXT NOT NULL,
          PRIMARY KEY (accountID, publication)
        ) WITHOUT ROWID
        """,
    ]

    /// The device that wrote a record's state and holds it already (no echo in its pulls);
    /// NULL, as every existing row gets, sends the row to every reader.
    static let v5 = [
        "ALTER TABLE record ADD COLUMN origin TEXT"
    ]

    /// Indexes that keep a pull and a publish proportional to what they return, not to the log.
    ///
    /// - `record_owner_seq`: a page is the next changes of two owners (content and the reader),
    ///   each read in seq order from here; without it every page sorted the whole log.
    /// - `record_editorial_briefing`: a publish finds the briefing's current editorial layer
    ///   without reading every annotation's body.
    static let v4 = [
        "CREATE INDEX record_owner_seq ON record(owner, seq)",
        "CREATE INDEX record_editorial_briefing ON record(json_extract(body, '$.briefingID')) WHERE kind = 'editorialAnnotation'",
    ]

    /// The raw text of every imported revision, with its import report: what the body kept
    /// and what it left out stays inspectable.
    static let v3 = [
        """
        CREATE TABLE source (
          briefingID TEXT NOT NULL,
          revisionNumber INTEGER NOT NULL,
          revisionID TEXT NOT NULL,
          fileName TEXT NOT NULL,
          sourceURL TEXT,
          raw TEXT NOT NULL,
          report TEXT NOT NULL,
          importedAt TEXT NOT NULL,
          PRIMARY KEY (briefingID, revisionNumber)
        )
        """,
        "CREATE INDEX source_sourceURL ON source(sourceURL)",
    ]

    /// When each record last changed (server wall time, ms), so tombstones can be compacted by age.
    static let v2 = [
        "ALTER TABLE record ADD COLUMN changedAt INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX record_deleted_changedAt ON record(deleted, changedAt)",
    ]

    static let v1 = [
        """
        CREATE TABLE account (
          id TEXT PRIMARY KEY NOT NULL,
          name TEXT NOT NULL UNIQUE,
          passwordHash TEXT NOT NULL,
          createdAt TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE device (
          id TEXT PRIMARY KEY NOT NULL,
          accountID TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
          name TEXT,
          tokenHash TEXT NOT NULL UNIQUE,
          createdAt TEXT NOT NULL,
          revokedAt TEXT,
          lastMutationID INTEGER NOT NULL DEFAULT 0
        )
        """,
        "CREATE INDEX device_accountID ON device(accountID)",
        """
        CREATE TABLE record (
          owner TEXT NOT NULL,
          kind TEXT NOT NULL,
          id TEXT NOT NULL,
          seq INTEGER NOT NULL,
          deleted INTEGER NOT NULL DEFAULT 0,
          body TEXT NOT NULL,
          PRIMARY KEY (owner, kind, id)
        )
        """,
        "CREATE UNIQUE INDEX record_seq ON record(seq)",
        "CREATE INDEX record_kind_id ON record(kind, id)",
        """
        CREATE TABLE rejectedMutation (
          deviceID TEXT NOT NULL REFERENCES device(id) ON DELETE CASCADE,
          mutationID INTEGER NOT NULL,
          reason TEXT NOT NULL,
          message TEXT NOT NULL,
          PRIMARY KEY (deviceID, mutationID)
        )
        """,
        """
        CREATE TABLE meta (
          key TEXT PRIMARY KEY NOT NULL,
          value TEXT NOT NULL
        )
        """,
    ]
}
