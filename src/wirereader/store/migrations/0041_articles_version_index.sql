-- articles.version_id references entry_versions: without an index, every insert of a version
-- (40,000 in a big first fetch) would scan `articles` for the foreign-key check.
CREATE INDEX IF NOT EXISTS articles_by_version ON articles (version_id) WHERE version_id IS NOT NULL;
