-- Offline articles. The full text of a feed item is stored AS A VERSION OF THE ENTRY: a row of
-- entry_versions with origin 'article' (seen_at = fetch time, url = the final URL after redirects),
-- and entries.body / entries_fts carry it, so search, dedup, threads and entities read it like any
-- other text. The feed's teaser stays the earlier version (origin 'feed').
--
-- entries.content_hash keeps identifying the FEED's text, so a refresh that brings the same teaser
-- changes nothing; when the feed's text does change, store.save_entries puts the new teaser in
-- entries.body and the article becomes due again (articles.feed_hash no longer matches).

ALTER TABLE entry_versions ADD COLUMN origin TEXT NOT NULL DEFAULT 'feed';  -- 'feed' | 'article'
ALTER TABLE entry_versions ADD COLUMN url TEXT NOT NULL DEFAULT '';         -- article: final URL

-- One row per entry whose linked page we want (or decided not to want), with its fetch state.
CREATE TABLE articles (
    entry_id       INTEGER PRIMARY KEY REFERENCES entries(id),
    url            TEXT NOT NULL,                  -- the page asked for (the item's link)
    role           TEXT NOT NULL DEFAULT 'full-text',  -- 'full-text': replaces a teaser;
                                                   -- 'report': a live-blog post's full report
    status         TEXT NOT NULL DEFAULT 'pending',  -- pending | ok | failed | skipped
    reason         TEXT NOT NULL DEFAULT '',       -- why: 'teaser', 'always', 'full body', 'never'
    final_url      TEXT NOT NULL DEFAULT '',       -- where the page was, after redirects
    fetched_at     INTEGER,                        -- last successful fetch (200 or 304), epoch
    version_id     INTEGER REFERENCES entry_versions(id),  -- the version with the latest article
    report_entry   INTEGER REFERENCES entries(id), -- role 'report': the entry holding the report
    feed_hash      TEXT NOT NULL DEFAULT '',       -- entries.content_hash the article went with
    etag           TEXT NOT NULL DEFAULT '',
    last_modified  TEXT NOT NULL DEFAULT '',
    failures       INTEGER NOT NULL DEFAULT 0,     -- failed attempts in a row
    next_attempt   INTEGER NOT NULL DEFAULT 0,     -- epoch; not tried again before
    last_error     TEXT NOT NULL DEFAULT '',
    last_error_at  INTEGER
);
CREATE INDEX articles_due ON articles (next_attempt) WHERE status IN ('pending', 'failed');
CREATE INDEX entry_versions_articles ON entry_versions (entry_id, id) WHERE origin = 'article';
