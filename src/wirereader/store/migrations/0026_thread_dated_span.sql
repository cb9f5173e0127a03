-- The span of a thread's items whose times the sources gave (NULL: none did). A dated item
-- joins a thread only near this span: two stories years apart must not meet on words alone.
ALTER TABLE thread_state ADD COLUMN dated_first INTEGER;
ALTER TABLE thread_state ADD COLUMN dated_last INTEGER;
UPDATE thread_state SET (dated_first, dated_last) = (
    SELECT min(published_at), max(published_at) FROM entries
    WHERE thread_id = thread_state.thread_id AND repost_of IS NULL AND time_guessed = 0
);
