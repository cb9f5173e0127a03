"""Reposts into items: same text, containment, MinHash near-duplicates across sources."""
