"""The seen-store: which article URLs are safely in the archive, and with what content.

One SQLite table in ARCHIVE_DIR/seen.sqlite3 (schema below). A URL is recorded only after its
record's day file has been written, so a crawl killed before writing never marks anything seen.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    url          TEXT PRIMARY KEY,  -- the article URL as requested
    paper        TEXT NOT NULL,     -- profile key
    date         TEXT NOT NULL,     -- issue date, YYYY-MM-DD
    article_id   TEXT NOT NULL,     -- the archive record's id
    content_hash TEXT NOT NULL,     -- content_hash of the archived record
    first_seen   TEXT NOT NULL,     -- fetched_at of the first archived version (ISO-8601 UTC)
    last_seen    TEXT NOT NULL      -- fetched_at of the latest archived version
)
"""
FILE_NAME = "seen.sqlite3"


class SeenStore:
    """URLs already archived; safe for several processes (SQLite locking, short transactions)."""

    def __init__(self, archive_dir: Path) -> None:
        Path(archive_dir).mkdir(parents=True, exist_ok=True)
        self.path = Path(archive_dir) / FILE_NAME
        self.db = sqlite3.connect(self.path, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(SCHEMA)
        self.db.commit()

    def has(self, url: str) -> bool:
        """Whether an article URL is already in the archive."""
        return self.db.execute("SELECT 1 FROM seen WHERE url = ?", (url,)).fetchone() is not None

    def record(self, records: Iterable[dict[str, Any]]) -> int:
        """Mark archived article records seen (insert or refresh); returns how many."""
        rows = [(r["url"], r["paper"], r["date"], r["id"], r.get("content_hash", ""), r.get("fetched_at", ""),
                 r.get("fetched_at", "")) for r in records if r.get("type") == "article" and r.get("url")]
        with self.db:
            self.db.executemany(
                "INSERT INTO seen VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                "article_id = excluded.article_id, content_hash = excluded.content_hash, "
                "last_seen = excluded.last_seen",
                rows,
            )
        return len(rows)

    def close(self) -> None:
        """Close the database."""
        self.db.close()
