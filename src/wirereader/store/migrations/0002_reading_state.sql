-- Reading state lives on entries and is written the moment the user acts.
ALTER TABLE entries ADD COLUMN read_at INTEGER;       -- NULL: unread
ALTER TABLE entries ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
CREATE INDEX entries_starred ON entries (starred) WHERE starred = 1;
