"""Building the index from the archive: segments, sidecars, the commit record, checks and repair."""
