-- The vectors of recent items, as their batch made them (store/item_vectors.py): a later run
-- that reads back an earlier run's thread takes its items' vectors from here instead of
-- weighing their text again (by its own document frequencies, not those of their batch).
-- Terms are stored as numbers: `term_df.id`, given to a term the first time a stored vector
-- holds it (NULL before), so a vector costs ~7 bytes a term instead of its strings.
-- Keyed by the item's time first: rows older than the story window go by one range delete
-- at the front, and new rows land at the end. Nothing to convert: items analysed before are
-- read back from their text, as before.
ALTER TABLE term_df ADD COLUMN id INTEGER;
CREATE UNIQUE INDEX term_df_by_id ON term_df (id) WHERE id IS NOT NULL;
CREATE TABLE thread_item_vectors (
    at        INTEGER NOT NULL,                          -- the item's published_at
    entry_id  INTEGER NOT NULL REFERENCES entries(id),
    vector    BLOB NOT NULL,
    PRIMARY KEY (at, entry_id)
) WITHOUT ROWID;
