-- The PostgreSQL store's schema (SyncServer/Sources/SyncServerPostgres/PostgresSchema.swift, migrated).
-- A test fails when this file and the migrations disagree. The same tables as server.sql,
-- in PostgreSQL's idiom; see Schemas/README.md, "Several nodes", for how sequence numbers
-- are allocated so that no pull ever passes a change that commits later.
-- owner is the account ID, or '' for published content (briefings, editorial annotations).
-- body is the record's canonical JSON, kept as text so it compares byte for byte.

CREATE TABLE schema_migration (
  name text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE account (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  created_at text NOT NULL
);

CREATE TABLE device (
  id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  name text,
  token_hash text NOT NULL UNIQUE,
  created_at text NOT NULL,
  revoked_at text,
  last_mutation_id bigint NOT NULL DEFAULT 0,
  subscriptions text
);

CREATE INDEX device_account_id ON device (account_id);

CREATE TABLE record (
  owner text NOT NULL,
  kind text NOT NULL,
  id text NOT NULL,
  seq bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  body text NOT NULL,
  changed_at bigint NOT NULL DEFAULT 0,
  origin text,
  topic text NOT NULL DEFAULT '',
  meta text,
  PRIMARY KEY (owner, kind, id)
);

CREATE UNIQUE INDEX record_seq ON record (seq);

CREATE INDEX record_kind_id ON record (kind, id);

CREATE INDEX record_owner_seq ON record (owner, seq);

CREATE INDEX record_owner_topic_seq ON record (owner, topic, seq);

CREATE INDEX record_deleted_changed_at ON record (deleted, changed_at);

CREATE INDEX record_editorial_briefing ON record (((body::jsonb) ->> 'briefingID')) WHERE kind = 'editorialAnnotation';

CREATE INDEX record_briefing_revision ON record ((((body::jsonb) -> 'revision') ->> 'id')) WHERE kind = 'briefing';

CREATE INDEX record_briefing_published ON record ((((meta::jsonb) -> 'revision') ->> 'publishedAt') DESC NULLS LAST) WHERE kind = 'briefing' AND owner = '';

CREATE TABLE entitlement (
  account_id text NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  publication text NOT NULL,
  PRIMARY KEY (account_id, publication)
);

CREATE TABLE rejected_mutation (
  device_id text NOT NULL REFERENCES device(id) ON DELETE CASCADE,
  mutation_id bigint NOT NULL,
  reason text NOT NULL,
  message text NOT NULL,
  PRIMARY KEY (device_id, mutation_id)
);

CREATE TABLE meta (
  key text PRIMARY KEY,
  value text NOT NULL
);

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
);

CREATE INDEX source_source_url ON source (source_url);
