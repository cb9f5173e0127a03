"""Story threads: online clustering of items with TF-IDF, entities and time decay."""
