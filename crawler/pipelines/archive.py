"""Write records to the JSONL archive: each issue day's file is merged and replaced atomically."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.archive import (
    DamagedLine,
    day_file,
    day_lock,
    merge_day,
    quarantine,
    remove_stale_temp_files,
    write_records,
)
from crawler.continuations import link_continuations
from crawler.coverage import EventLog
from crawler.seen import DEFAULT_TIMEOUT, SeenStore, SeenStoreError

logger = logging.getLogger(__name__)

STORAGE_ERROR = "epaper/storage_error"  # stats key: the first storage failure, one line (the crawl exits 1)


class ArchivePipeline:
    """Buffer records per (paper, day); every ARCHIVE_FLUSH_ITEMS records or ARCHIVE_FLUSH_SECONDS
    seconds, and at close, merge each day
    with its file under a lock, link continued articles across the issue's pages, write the day
    atomically, then mark its articles seen.

    A crawl killed between flushes loses only its unflushed records, and those are not marked seen,
    so a plain re-run fetches them again; a day file is never half-written.

    Damaged lines of a day file (torn, not UTF-8, not JSON, fields of the wrong type) are appended byte for
    byte to `<day file>.quarantine`, reported (warning, event "quarantined", archive/quarantined_lines) and
    their articles un-marked in the seen-store, so the next crawl fetches them again; the rest is written.
    A day that cannot be written (full disk, …) stays buffered and is tried again at the next flush; a
    seen-store that cannot be written leaves its records to be marked at the next flush. What is still
    unwritten or unmarked at close is one error line and the stats key STORAGE_ERROR (the crawl exits 1).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.archive_dir = Path(crawler.settings.get("ARCHIVE_DIR") or "data/archive")
        self.flush_items = crawler.settings.getint("ARCHIVE_FLUSH_ITEMS", 5000)
        self.flush_seconds = crawler.settings.getfloat("ARCHIVE_FLUSH_SECONDS", 60)
        self.seen_timeout = crawler.settings.getfloat("SEEN_TIMEOUT", DEFAULT_TIMEOUT)
        self.last_flush = time.monotonic()
        self.days: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.buffered = 0
        self.seen: SeenStore | None = None
        self.unmarked: list[dict[str, Any]] = []  # written, but not yet marked seen
        self.events = EventLog(self.archive_dir)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        record = dict(ItemAdapter(item))
        self.days[(record["paper"], record["date"])].append(record)
        self.buffered += 1
        if self.buffered >= self.flush_items or time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()
        return item

    def flush(self) -> None:
        """Write every buffered day; keep the days that could not be written for the next flush."""
        if not self.days and not self.unmarked:
            return
        kept: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for (paper, date), records in sorted(self.days.items()):
            try:
                self._write_day(paper, date, records)
            except Exception as exc:  # a full disk, a read-only folder: the other days are still written
                kept[(paper, date)] = records
                self._failed(f"archive: cannot write {paper} {date} ({len(records)} records): "
                             f"{type(exc).__name__}: {exc}")
                self.stats.inc_value("archive/write_errors")
            else:
                self.unmarked += records
        self._mark_seen()
        self.days = kept
        self.buffered = sum(len(records) for records in kept.values())
        self.last_flush = time.monotonic()

    def _write_day(self, paper: str, date: str, records: list[dict[str, Any]]) -> None:
        """Merge one day's records into its file, quarantining the file's damaged lines."""
        path = day_file(self.archive_dir, paper, date)
        with day_lock(path):
            remove_stale_temp_files(path)
            damaged: list[DamagedLine] = []
            merged, counts = merge_day(path, records, damaged)
            link_continuations(merged)
            if damaged:
                kept_aside = quarantine(path, damaged)  # before the file that still holds them is replaced
            write_records(path, merged)
            if damaged:
                self._report_damage(path, kept_aside, paper, date, damaged, merged)
        for name in ("new", "revised", "unchanged", "replaced"):
            self.stats.inc_value(f"archive/records_{name}", getattr(counts, name))
        self.stats.inc_value("archive/days_written")
        logger.info("archive: wrote %s (%d records: %d new, %d revised)", path, len(merged), counts.new,
                    counts.revised)

    def _report_damage(self, path: Path, kept_aside: Path, paper: str, date: str, damaged: list[DamagedLine],
                       merged: list[dict[str, Any]]) -> None:
        """Report quarantined lines and un-mark their articles (called with the day's lock held)."""
        self.stats.inc_value("archive/quarantined_lines", len(damaged))
        reasons = "; ".join(f"line {line.number}: {line.reason}" for line in damaged[:3])
        logger.warning("archive: %d damaged line(s) in %s kept aside in %s (%s%s); their articles will be "
                       "fetched again", len(damaged), path, kept_aside, reasons, "; …" if len(damaged) > 3 else "")
        for line in damaged:
            self.events.add(paper, "quarantined", date=date, url=line.url,
                            reason=f"damaged archive line {line.number} ({line.reason}) kept aside in {kept_aside}")
        keep = {r["id"] for r in merged if r.get("type") == "article"}
        try:
            self._store().forget(paper, date, keep, [line.url for line in damaged if line.url])
        except SeenStoreError as exc:
            self._failed(f"{exc}; the damaged lines' articles stay marked seen: re-crawl {paper} {date} with "
                         f"-a revisit=1")
            self.stats.inc_value("seen/errors")

    def _store(self) -> SeenStore:
        """The seen-store, opened on first use (raises SeenStoreError)."""
        if self.seen is None:
            self.seen = SeenStore(self.archive_dir, self.seen_timeout)
        return self.seen

    def _mark_seen(self) -> None:
        """Mark written records seen; on failure keep them for the next flush (they are safe in the archive)."""
        if not self.unmarked:
            return
        try:
            self._store().record(self.unmarked)
        except SeenStoreError as exc:
            self._failed(f"{exc}; {len(self.unmarked)} written records are not marked seen")
            self.stats.inc_value("seen/errors")
        else:
            self.unmarked = []

    def _failed(self, message: str) -> None:
        """Log one storage failure; the first becomes the crawl's error line."""
        logger.error("%s", message)
        if not self.stats.get_value(STORAGE_ERROR):
            self.stats.set_value(STORAGE_ERROR, message)

    def close_spider(self) -> None:
        self.flush()
        if self.days or self.unmarked:
            unwritten = sum(len(records) for records in self.days.values())
            self.stats.set_value("archive/unwritten_records", unwritten)
            lost = [f"{unwritten} records of {len(self.days)} days could not be written"] if unwritten else []
            lost += [f"{len(self.unmarked)} written records could not be marked seen"] if self.unmarked else []
            message = (f"{' and '.join(lost)} ({self.stats.get_value(STORAGE_ERROR)}); nothing already archived "
                       f"was lost, and the next run fetches what is missing")
            logger.error("archive: %s", message)
            self.stats.set_value(STORAGE_ERROR, message)
        if self.seen is not None:
            self.seen.close()
