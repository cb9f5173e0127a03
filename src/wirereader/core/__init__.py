"""The leaf of the package: the document model, text cleaning, config, paths, time zones and
worker processes. Imports nothing else of wirereader, so every other layer may use it."""
