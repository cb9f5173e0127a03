-- The full-text index merges its segments sixteen at a time, not four (FTS5's `automerge`, kept
-- in `entries_fts_config`, so every writer of this cache follows it). Each save writes a new
-- segment; with four to a merge every word's postings were rewritten once per level, about four
-- times over a 40,000-item first fetch, and the merges were a third of the index's cost.
-- Instructions inside SQLite to index the feeds benchmark's 40,000 items (callgrind): 9.42 G ->
-- 6.50 G (news-like text: 12.81 G -> 9.05 G). Searches look in more segments: at 200,000
-- news-like items, 60 word, prefix and phrase queries took 25.6 ms each against 26.0 ms.
-- Results and their order are the same (segments only change where the postings lie).
INSERT INTO entries_fts (entries_fts, rank) VALUES ('automerge', 16);
