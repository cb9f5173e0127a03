-- Whether a followed live blog's item was in its feed when the feed was last parsed: while it is,
-- the page is re-read (conditional GET) at every refresh of the feed, even when the feed itself
-- is unchanged (a live blog gains updates while its feed item stays the same).
ALTER TABLE liveblog_pages ADD COLUMN in_feed INTEGER NOT NULL DEFAULT 1;
