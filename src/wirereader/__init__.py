"""wirereader: live blogs and news feeds as one calm, deduplicated view in the terminal."""

__version__ = "0.1.0"
