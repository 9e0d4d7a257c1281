-- A device's local store (Sources/BriefingStore/ClientSchema.swift, migrated).
-- SQLite via GRDB, WAL. A test fails when this file and the migrations disagree.
-- A local write updates userRecord and appends to outbox in one transaction; a pulled page
-- is applied together with syncState.cursor in one transaction.

CREATE TABLE briefing (
  id TEXT PRIMARY KEY NOT NULL,
  revisionID TEXT NOT NULL,
  revisionNumber INTEGER NOT NULL,
  title TEXT NOT NULL,
  publication TEXT,
  publishedAt TEXT,
  body TEXT NOT NULL
, bodySize INTEGER NOT NULL DEFAULT 0, provisional INTEGER NOT NULL DEFAULT 0, readAt TEXT);

-- Bodies on demand: briefing.body holds a briefing's metadata; the bodies downloaded are kept
-- by revision here, within the device's storage budget (syncState.maxStorage).
CREATE TABLE briefingBody (
  revisionID TEXT PRIMARY KEY NOT NULL,
  briefingID TEXT NOT NULL,
  sections TEXT NOT NULL,
  size INTEGER NOT NULL,
  fetchedAt TEXT NOT NULL
);

CREATE TABLE conflict (
  id TEXT PRIMARY KEY NOT NULL,
  at TEXT NOT NULL,
  source TEXT NOT NULL,
  body TEXT NOT NULL
);

CREATE TABLE editorialAnnotation (
  id TEXT PRIMARY KEY NOT NULL,
  briefingID TEXT NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL
);

CREATE TABLE outbox (
  mutationID INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  recordID TEXT NOT NULL,
  body TEXT NOT NULL,
  createdAt TEXT NOT NULL
);

CREATE TABLE rejection (
  mutationID INTEGER PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,
  recordID TEXT NOT NULL,
  reason TEXT NOT NULL,
  message TEXT NOT NULL,
  at TEXT NOT NULL,
  mutation TEXT NOT NULL
);

-- Offline search: one document per briefing and one per highlight or note of the reader's;
-- search is an external-content FTS5 index over searchDocument, kept in step by triggers.
CREATE VIRTUAL TABLE search USING fts5(
  title, headings, mine, body,
  content = 'searchDocument', content_rowid = 'rowid',
  tokenize = 'porter unicode61 remove_diacritics 2'
);

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
);

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
, maxStorage INTEGER, prefetchNewest INTEGER);

CREATE TABLE userRecord (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  briefingID TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  body TEXT NOT NULL,
  PRIMARY KEY (kind, id)
);

CREATE INDEX briefingBody_briefingID ON briefingBody(briefingID);

CREATE INDEX briefing_provisional ON briefing(id) WHERE provisional = 1;

CREATE INDEX editorialAnnotation_briefingID ON editorialAnnotation(briefingID);

CREATE INDEX outbox_record ON outbox(kind, recordID);

CREATE TRIGGER searchDocument_delete AFTER DELETE ON searchDocument BEGIN
  INSERT INTO search (search, rowid, title, headings, mine, body) VALUES ('delete', old.rowid, old.title, old.headings, old.mine, old.body);
END;

CREATE TRIGGER searchDocument_insert AFTER INSERT ON searchDocument BEGIN
  INSERT INTO search (rowid, title, headings, mine, body) VALUES (new.rowid, new.title, new.headings, new.mine, new.body);
END;

CREATE TRIGGER searchDocument_update AFTER UPDATE ON searchDocument BEGIN
  INSERT INTO search (search, rowid, title, headings, mine, body) VALUES ('delete', old.rowid, old.title, old.headings, old.mine, old.body);
  INSERT INTO search (rowid, title, headings, mine, body) VALUES (new.rowid, new.title, new.headings, new.mine, new.body);
END;

CREATE INDEX userRecord_briefingID ON userRecord(briefingID, kind);

