"""The read models both front ends use: timeline and filters, the filter language, the panes
(threads, entities, topics), item detail. Textual-free, so the CLI prints what the reader shows."""
