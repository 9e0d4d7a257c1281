-- The server store's schema (SyncServer/Sources/SyncServerCore/SQLite/SQLiteSchema.swift, migrated).
-- SQLite, WAL, synchronous=FULL. A test fails when this file and the migrations disagree.
-- The change log is the record table: each write stores the record's new state at the next seq.
-- meta is a briefing's metadata (BriefingMetadata), served in place of body to devices
-- that fetch bodies on their own.
-- owner is the account ID, or '' for content (briefings, editorial annotations); topic is
-- content's publication key ('' for open content and for accounts' records).
-- entitlement lists the publications each account may read ('*': all of them).

CREATE TABLE account (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL UNIQUE,
  passwordHash TEXT NOT NULL,
  createdAt TEXT NOT NULL
);

CREATE TABLE device (
  id TEXT PRIMARY KEY NOT NULL,
  accountID TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  name TEXT,
  tokenHash TEXT NOT NULL UNIQUE,
  createdAt TEXT NOT NULL,
  revokedAt TEXT,
  lastMutationID INTEGER NOT NULL DEFAULT 0
, subscriptions TEXT);

CREATE TABLE entitlement (
  accountID TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  publication TEXT NOT NULL,
  PRIMARY KEY (accountID, publication)
) WITHOUT ROWID;

CREATE TABLE meta (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);

CREATE TABLE record (
  owner TEXT NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  body TEXT NOT NULL, changedAt INTEGER NOT NULL DEFAULT 0, origin TEXT, topic TEXT NOT NULL DEFAULT '', meta TEXT,
  PRIMARY KEY (owner, kind, id)
);

CREATE TABLE rejectedMutation (
  deviceID TEXT NOT NULL REFERENCES device(id) ON DELETE CASCADE,
  mutationID INTEGER NOT NULL,
  reason TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (deviceID, mutationID)
);

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
);

CREATE INDEX device_accountID ON device(accountID);

CREATE INDEX record_briefing_published ON record(json_extract(meta, '$.revision.publishedAt')) WHERE kind = 'briefing' AND owner = '';

CREATE INDEX record_briefing_revision ON record(json_extract(body, '$.revision.id')) WHERE kind = 'briefing';

CREATE INDEX record_deleted_changedAt ON record(deleted, changedAt);

CREATE INDEX record_editorial_briefing ON record(json_extract(body, '$.briefingID')) WHERE kind = 'editorialAnnotation';

CREATE INDEX record_kind_id ON record(kind, id);

CREATE INDEX record_owner_seq ON record(owner, seq);

CREATE INDEX record_owner_topic_seq ON record(owner, topic, seq);

CREATE UNIQUE INDEX record_seq ON record(seq);

CREATE INDEX source_sourceURL ON source(sourceURL);

