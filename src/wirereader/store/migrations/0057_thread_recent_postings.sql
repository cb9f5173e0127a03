-- The thread candidate index in two levels (store/threads.py), as dedup's keys (0056): a
-- batch's changed (term, block) rows go into the small `thread_recent_postings`, which is
-- moved into `thread_postings` in key order once it holds more rows than
-- `threads.recent_postings_limit` allows. A row here replaces the row of the same term and
-- block there; an empty `threads` blob says the block holds none of the term's threads any more
-- (removed from `thread_postings` by the move). A batch changes ~10,000 rows, one per term of
-- its threads, all over the large index: each such page is a 4 KB WAL frame per batch.
-- Nothing to convert: the rows stored so far stay where they are, as the older level.
CREATE TABLE thread_recent_postings (
    term     TEXT NOT NULL,
    block    INTEGER NOT NULL,
    threads  BLOB NOT NULL,
    PRIMARY KEY (term, block)
) WITHOUT ROWID;
