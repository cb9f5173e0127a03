-- The analysis layer's public tables (dedup writes entries.repost_of, threads write
-- entries.thread_id). Internal indexes of the analysis live in later 002x migrations.

CREATE TABLE threads (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL DEFAULT '',   -- a readable headline
    first_at   INTEGER NOT NULL,           -- UTC epoch of the earliest item
    last_at    INTEGER NOT NULL,           -- UTC epoch of the latest item
    size       INTEGER NOT NULL DEFAULT 0  -- items (not raw entries) in the thread
);
CREATE INDEX threads_by_last ON threads (last_at DESC);

CREATE TABLE entities (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,                 -- canonical name, e.g. 'Volodymyr Zelensky'
    kind    TEXT NOT NULL,                 -- 'person', 'place', 'org'
    count   INTEGER NOT NULL DEFAULT 0,    -- entries mentioning it
    UNIQUE (name, kind)
);

CREATE TABLE entity_aliases (
    alias      TEXT NOT NULL COLLATE NOCASE,   -- 'Zelenskyy', 'Mr Zelensky'
    entity_id  INTEGER NOT NULL REFERENCES entities(id),
    PRIMARY KEY (alias, entity_id)
) WITHOUT ROWID;

CREATE TABLE entry_entities (
    entity_id  INTEGER NOT NULL REFERENCES entities(id),
    entry_id   INTEGER NOT NULL REFERENCES entries(id),
    mentions   INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (entity_id, entry_id)
) WITHOUT ROWID;
CREATE INDEX entry_entities_by_entry ON entry_entities (entry_id, entity_id);
