-- Subscriptions and their fetch state. A feed's entries live under its source (sources.id), so
-- removing a feed (or deleting it from the config) only marks it removed: nothing cached is lost.
-- Times are UTC epoch seconds.

CREATE TABLE feeds (
    id             INTEGER PRIMARY KEY,
    url            TEXT NOT NULL UNIQUE,        -- where it is fetched; moves on 301/308 redirects
    name           TEXT NOT NULL,               -- short name: `fetch NAME`, the timeline column
    auto_name      INTEGER NOT NULL DEFAULT 0,  -- 1: name made up by us, replaced by the title
    title          TEXT NOT NULL DEFAULT '',    -- the feed's own title
    home_url       TEXT NOT NULL DEFAULT '',    -- the site the feed belongs to
    source_id      INTEGER NOT NULL REFERENCES sources(id),
    format         TEXT NOT NULL DEFAULT '',    -- 'rss', 'atom', 'json-feed', 'liveblog', ...
    etag           TEXT NOT NULL DEFAULT '',
    last_modified  TEXT NOT NULL DEFAULT '',
    interval       INTEGER,                     -- seconds between refreshes; NULL: [fetch] default
    timezone       TEXT NOT NULL DEFAULT '',    -- zone for times written without an offset
    full_text      TEXT NOT NULL DEFAULT 'auto',
    added_at       INTEGER NOT NULL,
    last_attempt   INTEGER,
    last_success   INTEGER,
    last_status    INTEGER,                     -- HTTP status of the last answer (200, 304, ...)
    last_new       INTEGER NOT NULL DEFAULT 0,  -- entries the last successful fetch added
    last_error     TEXT NOT NULL DEFAULT '',    -- one line; '' once a fetch succeeds again
    last_error_at  INTEGER,
    failures       INTEGER NOT NULL DEFAULT 0,  -- consecutive failed fetches (backoff)
    next_attempt   INTEGER,                     -- NULL: due now
    hold_until     INTEGER,                     -- the server's Retry-After: not before this
    from_config    INTEGER NOT NULL DEFAULT 0,  -- listed in the config's [[feeds]]
    by_user        INTEGER NOT NULL DEFAULT 0,  -- added with `wirereader add` or OPML import
    removed_at     INTEGER                      -- NULL: subscribed
);
CREATE UNIQUE INDEX feeds_by_name ON feeds (name COLLATE NOCASE) WHERE removed_at IS NULL;
CREATE INDEX feeds_by_source ON feeds (source_id);

-- Feed items that are live blogs (one item edited in place): each is read from its page into a
-- source of its own. item_hash is the item's content hash when the page was last read, so an
-- unchanged item costs no request.
CREATE TABLE liveblog_pages (
    id             INTEGER PRIMARY KEY,
    feed_id        INTEGER NOT NULL REFERENCES feeds(id),
    item_id        TEXT NOT NULL,               -- the feed item's stable id
    url            TEXT NOT NULL,
    source_id      INTEGER REFERENCES sources(id),  -- NULL until the page was read once
    item_hash      TEXT NOT NULL DEFAULT '',
    etag           TEXT NOT NULL DEFAULT '',
    last_modified  TEXT NOT NULL DEFAULT '',
    last_fetch     INTEGER,
    last_error     TEXT NOT NULL DEFAULT '',
    UNIQUE (feed_id, item_id)
);
