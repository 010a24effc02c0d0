"""The seen-store: which article URLs are safely in the archive, and with what content.

One SQLite table in ARCHIVE_DIR/seen.sqlite3 (schema below). A URL is recorded only after its
record's day file has been written, so a crawl killed before writing never marks anything seen.

    python -m crawler.seen ARCHIVE_DIR              check it (exit 1 with one line if locked or damaged)
    python -m crawler.seen --rebuild ARCHIVE_DIR    move it aside and rebuild it from the day files
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

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
DEFAULT_TIMEOUT = 30.0  # seconds to wait for another process's lock


class SeenStoreError(Exception):
    """The seen-store cannot be opened, read or written (locked, damaged, disk full); the message is one line."""


def damaged(path: Path, why: str) -> str:
    """The one line for a damaged store, with the command that rebuilds it."""
    return (f"seen-store {path} is damaged ({why}): rebuild it from the archive with "
            f"`python -m crawler.seen --rebuild {path.parent}`")


def describe(exc: sqlite3.Error, path: Path, timeout: float) -> str:
    """One line saying what is wrong with the store at path, and what to do about it."""
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED"):
        return f"seen-store {path} is locked by another process (waited {timeout:g} s)"
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        return damaged(path, str(exc))
    if name.startswith("SQLITE_FULL"):
        return f"seen-store {path}: the disk is full"
    return f"seen-store {path}: {exc}"


class SeenStore:
    """URLs already archived; safe for several processes (SQLite locking, short transactions).

    Opening raises SeenStoreError (one line) for a store that is locked longer than timeout seconds,
    damaged or on a full disk; so does `record`. `has` never raises: a store it cannot read answers
    "not seen" (the article is fetched again, which loses nothing) and logs one warning.
    """

    def __init__(self, archive_dir: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = Path(archive_dir) / FILE_NAME
        self.timeout = timeout
        self.read_errors = 0
        try:
            Path(archive_dir).mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=timeout)
        except (OSError, sqlite3.Error) as exc:
            raise SeenStoreError(f"seen-store {self.path}: {exc}") from None
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(SCHEMA)
            self.db.commit()
        except sqlite3.Error as exc:
            self.db.close()
            raise SeenStoreError(describe(exc, self.path, timeout)) from None

    @classmethod
    def check(cls, archive_dir: Path, timeout: float = DEFAULT_TIMEOUT) -> int:
        """Open the store, check its pages and take its write lock once; returns its URL count.

        Raises SeenStoreError (one line) if it is locked, damaged or cannot be written.
        """
        store = cls(archive_dir, timeout)
        try:
            problems = [row[0] for row in store.db.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise SeenStoreError(damaged(store.path, "; ".join(problems)[:200]))
            store.db.execute("BEGIN IMMEDIATE")
            store.db.execute("ROLLBACK")
            return store.db.execute("SELECT count(*) FROM seen").fetchone()[0]
        except sqlite3.Error as exc:
            raise SeenStoreError(describe(exc, store.path, timeout)) from None
        finally:
            store.close()

    def has(self, url: str) -> bool:
        """Whether an article URL is already in the archive (False when the store cannot be read)."""
        try:
            return self.db.execute("SELECT 1 FROM seen WHERE url = ?", (url,)).fetchone() is not None
        except sqlite3.Error as exc:
            self.read_errors += 1
            if self.read_errors == 1:
                logger.warning("%s; articles are fetched again", describe(exc, self.path, self.timeout))
            return False

    def record(self, records: Iterable[dict[str, Any]]) -> int:
        """Mark archived article records seen (insert or refresh); returns how many. Raises SeenStoreError."""
        rows = [(r["url"], r["paper"], r["date"], r["id"], r.get("content_hash", ""), r.get("fetched_at", ""),
                 r.get("fetched_at", "")) for r in records if r.get("type") == "article" and r.get("url")]
        try:
            with self.db:
                self.db.executemany(
                    "INSERT INTO seen VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                    "article_id = excluded.article_id, content_hash = excluded.content_hash, "
                    "last_seen = excluded.last_seen",
                    rows,
                )
        except sqlite3.Error as exc:
            raise SeenStoreError(describe(exc, self.path, self.timeout)) from None
        return len(rows)

    def forget(self, paper: str, date: str, keep_ids: Iterable[str], urls: Iterable[str] = ()) -> int:
        """Un-mark a day's articles that are not in its day file (kept: keep_ids), and the given URLs, so
        the next crawl fetches them again; returns how many. Raises SeenStoreError."""
        keep = set(keep_ids)
        try:
            with self.db:
                rows = self.db.execute("SELECT url, article_id FROM seen WHERE paper = ? AND date = ?",
                                       (paper, date)).fetchall()
                gone = {url for url, article_id in rows if article_id not in keep} | set(urls)
                self.db.executemany("DELETE FROM seen WHERE url = ?", [(url,) for url in gone])
        except sqlite3.Error as exc:
            raise SeenStoreError(describe(exc, self.path, self.timeout)) from None
        return len(gone)

    def close(self) -> None:
        """Close the database."""
        self.db.close()


def rebuild(archive_dir: Path) -> tuple[int, Path | None]:
    """Move the store aside (if any) and rebuild it from the archive's day files.

    Returns (URLs recorded, where the old store went). Run it while no crawl uses the archive.
    """
    from crawler.archive import read_day

    path = Path(archive_dir) / FILE_NAME
    moved = None
    if path.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        moved = path.with_name(f"{FILE_NAME}.damaged-{stamp}")
        path.rename(moved)
        for suffix in ("-wal", "-shm"):  # they belong to the old file; SQLite would apply them to the new one
            side = path.with_name(FILE_NAME + suffix)
            if side.exists():
                side.rename(moved.with_name(moved.name + suffix))
    store = SeenStore(archive_dir)
    total = 0
    try:
        for day in sorted(Path(archive_dir).glob("*/[0-9][0-9][0-9][0-9]/*.jsonl")):
            total += store.record(read_day(day)[0])
    finally:
        store.close()
    return total, moved


def main(argv: list[str] | None = None) -> int:
    """Check or rebuild a seen-store; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m crawler.seen", description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", type=Path, metavar="ARCHIVE_DIR")
    parser.add_argument("--rebuild", action="store_true", help="move the store aside and rebuild it from the archive")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds to wait for a lock")
    args = parser.parse_args(argv)
    if not args.archive.is_dir():
        parser.exit(2, f"python -m crawler.seen: error: {args.archive} is not a directory\n")
    try:
        if args.rebuild:
            total, moved = rebuild(args.archive)
            print(f"seen-store {args.archive / FILE_NAME} rebuilt from the archive: {total} article URLs"
                  + (f" (the old one is {moved})" if moved else ""))
        else:
            print(f"seen-store {args.archive / FILE_NAME}: ok, {SeenStore.check(args.archive, args.timeout)} URLs")
    except (SeenStoreError, OSError) as exc:
        print(f"python -m crawler.seen: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
