"""The reading room: a local, read-only web interface (pages and a JSON API) over the search API (`epaper serve`)."""
