-- Whether an entry's time is the source's own or a guess (the first time it was seen, a file's
-- modification day). Both are shown; only the source's own times tell two stories apart.
ALTER TABLE entries ADD COLUMN time_guessed INTEGER NOT NULL DEFAULT 0;
UPDATE entries SET time_guessed = 1 WHERE published IS NULL;
