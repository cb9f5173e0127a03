-- Internal state of the analysis (dedup keys, thread centroids, document frequencies) and the
-- mark that says which text of an entry was analysed, so each run handles only what is new.

-- content_hash of the text last analysed; differs from content_hash for new or changed entries.
ALTER TABLE entries ADD COLUMN analysed_hash TEXT;
CREATE INDEX entries_pending_analysis ON entries (published_at, id)
    WHERE analysed_hash IS NOT content_hash;

-- Lookup keys of an entry's text: exact normalised text, each paragraph, each MinHash LSH band.
-- Keys of an older text of a changed entry may stay: a key only proposes a candidate, which is
-- then compared on its current text.
CREATE TABLE dedup_keys (
    key       INTEGER NOT NULL,
    entry_id  INTEGER NOT NULL REFERENCES entries(id),
    PRIMARY KEY (key, entry_id)
) WITHOUT ROWID;

-- Each thread's centroid, reduced to its strongest terms; the (term, thread) order doubles as
-- the inverted index that finds candidate threads for a new item.
CREATE TABLE thread_terms (
    term       TEXT NOT NULL,
    thread_id  INTEGER NOT NULL REFERENCES threads(id),
    weight     REAL NOT NULL,
    PRIMARY KEY (term, thread_id)
) WITHOUT ROWID;
CREATE INDEX thread_terms_by_thread ON thread_terms (thread_id);

-- Headline choice: the item closest to the centroid when it joined.
CREATE TABLE thread_state (
    thread_id       INTEGER PRIMARY KEY REFERENCES threads(id),
    headline_entry  INTEGER REFERENCES entries(id),
    headline_score  REAL NOT NULL DEFAULT 0
);

-- Document frequency of each term over analysed items, for IDF.
CREATE TABLE term_df (
    term  TEXT PRIMARY KEY,
    df    INTEGER NOT NULL
) WITHOUT ROWID;

-- A text change that keeps content_hash (an offline article replacing a feed's teaser) must be
-- analysed again too.
CREATE TRIGGER entries_text_changed_reanalyse AFTER UPDATE OF title, body ON entries
WHEN new.analysed_hash IS NOT NULL AND (old.title IS NOT new.title OR old.body IS NOT new.body)
BEGIN
    UPDATE entries SET analysed_hash = NULL WHERE id = new.id;
END;
