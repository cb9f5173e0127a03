-- A hash of the last feed body that was parsed and saved: a server that ignores conditional GET
-- and sends the same bytes again costs a hash, not a parse.
ALTER TABLE feeds ADD COLUMN body_hash TEXT NOT NULL DEFAULT '';
