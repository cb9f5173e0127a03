"""Helpers the tests share: paths and seeds, a real HTTP feed server, the app on a demo cache."""
