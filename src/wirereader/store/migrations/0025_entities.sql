-- Internal state of entity extraction. The public tables (entities, entity_aliases,
-- entry_entities) are in 0020_analysis.sql.

-- Every folded spelling of an entity's name ('zelensky' for Zelensky / Zelenskyy / Zelenskiy),
-- so a new spelling joins the entity it belongs to.
CREATE TABLE entity_keys (
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    entity_id  INTEGER NOT NULL REFERENCES entities(id),
    PRIMARY KEY (key, kind)
) WITHOUT ROWID;

-- Short forms ('kim' for Mr Kim) explained by a full name within one scope: a thread ('t:12')
-- or a source ('s:3'). entity_id NULL: two people share the short form there, so neither gets it.
CREATE TABLE entity_scoped_keys (
    scope      TEXT NOT NULL,
    key        TEXT NOT NULL,
    entity_id  INTEGER REFERENCES entities(id),
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;

-- The text each entry's entities were extracted from, so extracting again is skipped when
-- nothing changed and replaces the entry's mentions when something did.
CREATE TABLE entity_extracted (
    entry_id   INTEGER PRIMARY KEY REFERENCES entries(id),
    text_hash  TEXT NOT NULL
);
