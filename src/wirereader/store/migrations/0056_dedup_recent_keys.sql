-- Dedup's lookup keys in two levels (store/dedup.py): a batch's new keys go into the small
-- `dedup_recent_keys`, which is moved into `dedup_keys` in key order once it holds more than
-- `dedup.recent_limit` keys. Keys are hashes: a batch's ~24,000 keys inserted straight into the
-- large index land on as many pages, and each page a transaction changes is a 4 KB WAL frame
-- (1.35 frames per entry at 58,000 entries, growing with the index). Nothing to convert: the
-- keys stored so far stay where they are, as the older level.
CREATE TABLE dedup_recent_keys (
    key       INTEGER NOT NULL,
    entry_id  INTEGER NOT NULL REFERENCES entries(id),
    PRIMARY KEY (key, entry_id)
) WITHOUT ROWID;
