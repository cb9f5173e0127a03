-- The folder a feed sits in (from OPML, "News/World"), so an OPML export gives back the folders
-- an import brought in.
ALTER TABLE feeds ADD COLUMN category TEXT NOT NULL DEFAULT '';
