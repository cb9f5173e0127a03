-- Why the last body parsed gave no item ('' when it gave some, or when nothing said why): kept
-- so that `feeds` tells a feed that is empty from one nothing could be read from after a later
-- fetch found the same bytes or a 304, which parse nothing and so say nothing.
ALTER TABLE feeds ADD COLUMN problem TEXT NOT NULL DEFAULT '';
