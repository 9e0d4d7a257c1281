/// The PostgreSQL store's migrations, by name, in order. Append new ones; never edit a shipped one.
///
/// `Schemas/server.postgres.sql` is the schema these produce, and a test keeps the two in step.
/// Each is applied once, in its own transaction with its row in `schema_migration`, under an
/// advisory lock, so nodes starting together migrate once between them.
enum PostgresSchema {
    static let migrations: [(name: String, statements: [String])] = [
        ("v1", v1),
        ("v2-record-origin", v2),
        ("v3-publications", v3),
        ("v4-device-subscriptions", v4),
        ("v5-bodies-by-revision", v5),
        ("v6-briefing-metadata", v6),
    ]

    /// Bodies are fetched by their revision's ID (`GET /v1/bodies/{hash}`).
    /// Bodies on demand: each briefing row keeps its metadata (`BriefingMetadata`) beside the
    /// whole briefing (filled in by a second step, `PostgresServerStore.storeBriefingMetadata`),
    /// so a page for a device that fetches bodies on their own reads only that; the newest
    /// briefings are found by publication date through an index.
    static let v6 = [
        "ALTER TABLE record ADD COLUMN meta text",
        "CREATE INDEX record_briefing_published ON record ((((meta::jsonb) -> 'revision') ->> 'publishedAt') DESC NULLS LAST) WHERE kind = 'briefing' AND owner = ''",
    ]

    static let v5 = [
        "CREATE INDEX record_briefing_revision ON record ((((body::jsonb) -> 'revision') ->> 'id')) WHERE kind = 'briefing'"
    ]

    /// What each device chose to receive: publication keys, comma-separated; NULL follows the
    /// account's entitlements (every device until it chooses).
    static let v4 = [
        "ALTER TABLE device ADD COLUMN subscriptions text"
    ]

    /// Publications: content rows carry their publication's key (`topic`, empty for open
    /// content and for accounts' records; filled in from each briefing by the migration's
    /// second step, `PostgresServerStore.moveContentIntoPublications`), and accounts their
    /// entitlements (`*` for all: every account there is entitled to everything, so no
    /// reader loses anything by the upgrade).
    static let v3 = [
        "ALTER TABLE record ADD COLUMN topic text NOT NULL DEFAULT ''",
        "CREATE INDEX record_owner_topic_seq ON record (owner, topic, seq)",
        """
        CREATE TABLE entitlement (
          account_id text NOT NULL REFERENCES account(id) ON DELETE CASCADE,
          publication text NOT NULL,
          PRIMARY KEY (account_id, publication)
        )
        """,
        "INSERT INTO entitlement (account_id, publication) SELECT id, '*' FROM account",
    ]

    /// The device that wrote a record's state and holds it already: its pulls skip the row
    /// (no echo). NULL, as every existing row gets, sends the row to every reader.
    static let v2 = [
        "ALTER TABLE record ADD COLUMN origin text"
    ]

    /// The same tables as the SQLite store, in PostgreSQL's idiom (snake_case names, `boolean`,
    /// `bigint`). Bodies stay `text`: the canonical JSON is compared byte for byte when a
    /// publish decides which annotations changed, and `jsonb` would reorder its keys.
    static let v1 = [
        """
        CREATE TABLE account (
          id text PRIMARY KEY,
          name text NOT NULL UNIQUE,
          password_hash text NOT NULL,
          created_at text NOT NULL
        )
        """,
        """
        CREATE TABLE device (
          id text PRIMARY KEY,
          account_id text NOT NULL REFERENCES account(id) ON DELETE CASCADE,
          name text,
          token_hash text NOT NULL UNIQUE,
          created_at text NOT NULL,
          revoked_at text,
          last_mutation_id bigint NOT NULL DEFAULT 0
        )
        """,
        "CREATE INDEX device_account_id ON device (account_id)",
        """
        CREATE TABLE record (
          owner text NOT NULL,
          kind text NOT NULL,
          id text NOT NULL,
          seq bigint NOT NULL,
          deleted boolean NOT NULL DEFAULT false,
          body text NOT NULL,
          changed_at bigint NOT NULL DEFAULT 0,
          PRIMARY KEY (owner, kind, id)
        )
        """,
        "CREATE UNIQUE INDEX record_seq ON record (seq)",
        "CREATE INDEX record_kind_id ON record (kind, id)",
        "CREATE INDEX record_owner_seq ON record (owner, seq)",
        "CREATE INDEX record_deleted_changed_at ON record (deleted, changed_at)",
        "CREATE INDEX record_editorial_briefing ON record (((body::jsonb) ->> 'briefingID')) WHERE kind = 'editorialAnnotation'",
        """
        CREATE TABLE rejected_mutation (
          device_id text NOT NULL REFERENCES device(id) ON DELETE CASCADE,
          mutation_id bigint NOT NULL,
          reason text NOT NULL,
          message text NOT NULL,
          PRIMARY KEY (device_id, mutation_id)
        )
        """,
        """
        CREATE TABLE meta (
          key text PRIMARY KEY,
          value text NOT NULL
        )
        """,
        """
        CREATE TABLE source (
          briefing_id text NOT NULL,
          revision_number integer NOT NULL,
          revision_id text NOT NULL,
          file_name text NOT NULL,
          source_url text,
          raw text NOT NULL,
          report text NOT NULL,
          imported_at text NOT NULL,
          PRIMARY KEY (briefing_id, revision_number)
        )
        """,
        "CREATE INDEX source_source_url ON source (source_url)",
    ]
}
