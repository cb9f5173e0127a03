-- The reader's unfiltered view counted by the writer, and its entity pane read off an index.
--
-- `item_totals` holds the number of items (entries that are not reposts) and of unread items,
-- kept exact by the three triggers below on every insert, delete and change of `repost_of` or
-- `read_at`, whichever code writes. Counting them instead reads a whole index: 0.10 s of CPU
-- and 0.23-0.31 s of wall at 1,000,000 items, which the reader paid at every start (beside the
-- side panes' first fill) and every time its filters were cleared. One row: its size does not
-- grow with the cache. In the 0050 range because 0050 rebuilds `entries` (dropping its
-- triggers) on a new cache: these must be created after it. A later migration that rebuilds
-- `entries` must create them again (the reader checks that all three exist before it trusts
-- the row, and counts otherwise).
CREATE TABLE item_totals (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    items INTEGER NOT NULL,
    unread INTEGER NOT NULL
);

INSERT INTO item_totals (id, items, unread)
SELECT 1, count(*), count(*) - count(read_at) FROM entries WHERE repost_of IS NULL;

CREATE TRIGGER item_totals_insert AFTER INSERT ON entries WHEN new.repost_of IS NULL BEGIN
    UPDATE item_totals SET items = items + 1, unread = unread + (new.read_at IS NULL)
    WHERE id = 1;
END;

CREATE TRIGGER item_totals_delete AFTER DELETE ON entries WHEN old.repost_of IS NULL BEGIN
    UPDATE item_totals SET items = items - 1, unread = unread - (old.read_at IS NULL)
    WHERE id = 1;
END;

CREATE TRIGGER item_totals_update AFTER UPDATE OF repost_of, read_at ON entries
WHEN (old.repost_of IS NULL) != (new.repost_of IS NULL)
    OR (old.repost_of IS NULL AND (old.read_at IS NULL) != (new.read_at IS NULL)) BEGIN
    UPDATE item_totals SET
        items = items - (old.repost_of IS NULL) + (new.repost_of IS NULL),
        unread = unread - (old.repost_of IS NULL AND old.read_at IS NULL)
            + (new.repost_of IS NULL AND new.read_at IS NULL)
    WHERE id = 1;
END;

-- The entity pane of the unfiltered view and `wirereader entities` list entities most
-- mentioned first: without this index SQLite sorted every entity for the first 150 (a year of
-- news holds 10^4-10^5 of them). Entities only, never items: bytes per item barely move.
CREATE INDEX entities_by_count ON entities (count DESC, name) WHERE count > 0;
