-- Sources, entries, every version of every entry, and full-text search over titles and bodies.
-- Times: `published` keeps the source's own ISO 8601 text (with its offset) for display;
-- `published_at` is UTC epoch seconds for ordering and ranges.

CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,          -- absolute file path or normalised URL
    kind        TEXT NOT NULL,                 -- 'file', 'feed', 'page'
    name        TEXT NOT NULL DEFAULT '',      -- short name shown in the timeline
    title       TEXT NOT NULL DEFAULT '',      -- the source's own title
    url         TEXT NOT NULL DEFAULT '',      -- the source's home page
    added_at    INTEGER NOT NULL
);

CREATE TABLE entries (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    stable_id     TEXT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL DEFAULT '',
    html          TEXT NOT NULL DEFAULT '',
    author        TEXT NOT NULL DEFAULT '',
    published     TEXT,
    published_at  INTEGER NOT NULL,
    updated       TEXT,
    url           TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL DEFAULT 'post',
    embeds        TEXT NOT NULL DEFAULT '{}',  -- JSON {"quotes": [...], "links": [...]}
    content_hash  TEXT NOT NULL,
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    repost_of     INTEGER REFERENCES entries(id),  -- NULL: this entry is its own item
    thread_id     INTEGER,                         -- story thread, filled by analysis
    UNIQUE (source_id, stable_id)
);

-- The timeline reads items newest first; this partial index serves it without a sort.
CREATE INDEX entries_items_by_time ON entries (published_at DESC, id DESC) WHERE repost_of IS NULL;
CREATE INDEX entries_by_time ON entries (published_at DESC, id DESC);
CREATE INDEX entries_by_repost ON entries (repost_of) WHERE repost_of IS NOT NULL;
CREATE INDEX entries_by_thread ON entries (thread_id) WHERE thread_id IS NOT NULL;

CREATE TABLE entry_versions (
    id            INTEGER PRIMARY KEY,
    entry_id      INTEGER NOT NULL REFERENCES entries(id),
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    author        TEXT NOT NULL,
    published     TEXT,
    updated       TEXT,
    content_hash  TEXT NOT NULL,
    seen_at       INTEGER NOT NULL
);
CREATE INDEX entry_versions_by_entry ON entry_versions (entry_id, id);

CREATE VIRTUAL TABLE entries_fts USING fts5 (
    title, body, content='entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
END;
-- Only a change of text touches the index: marking read or re-threading must stay cheap.
CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, body ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO entries_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
