"""Offline articles: the full text behind feed teasers and "full report" links, kept in the cache.

extract.py turns a page into an article (trafilatura plus our furniture filters); teaser.py
decides which feed items need one; state.py stores articles as entry versions; fetcher.py fetches
them in the background, politely. No module here imports Textual.
"""
