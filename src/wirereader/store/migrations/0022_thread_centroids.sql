-- A thread's centroid is stored whole in one row (its strongest terms and their weights, as
-- JSON), and `thread_terms` keeps only the terms it is compared on: the candidate index. Placing
-- an item then rewrites one row and the few index rows whose terms entered or left the top,
-- instead of every term of the thread.
ALTER TABLE thread_state ADD COLUMN centroid TEXT NOT NULL DEFAULT '';
