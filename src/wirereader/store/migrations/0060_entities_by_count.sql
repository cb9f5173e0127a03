-- The entity pane's index (0059) holds only entities named by more than two entries. Most
-- entities are named once or twice, and each new one and each count change of one moved a row
-- of the index: at 200,000 news-like entries it was 99 MB of the analysis's 1.4 GB of WAL.
-- The first entities by count are the index's whenever it holds enough of them; the readers
-- (`query/entities.py`) read the rest, counts 1 and 2, by one sort of the small remainder.
DROP INDEX IF EXISTS entities_by_count;
CREATE INDEX entities_by_count ON entities (count DESC, name) WHERE count > 2;
