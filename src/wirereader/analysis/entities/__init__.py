"""People, places, organisations: extraction, gazetteers, alias resolution, recording."""
