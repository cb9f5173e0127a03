-- The reader's timeline: a narrow covering index over what its filters and order read, so a
-- text filter sorts the matching ids from this index instead of loading every matching row
-- (bodies included) only to keep the newest hundred. Measured on 40,000 items, a filter
-- matching 2,760: 9 ms for the page before, 1.2 ms for its ids with the index.
CREATE INDEX entries_timeline_cover
    ON entries (id, repost_of, published_at, source_id, kind, thread_id, read_at, starred);
