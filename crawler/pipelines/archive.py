"""Write records to the JSONL archive: each issue day's file is merged and replaced atomically."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.archive import day_file, day_lock, merge_day, remove_stale_temp_files, write_records
from crawler.continuations import link_continuations
from crawler.seen import SeenStore

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Buffer records per (paper, day); every ARCHIVE_FLUSH_ITEMS records or ARCHIVE_FLUSH_SECONDS
    seconds, and at close, merge each day
    with its file under a lock, link continued articles across the issue's pages, write the day
    atomically, then mark its articles seen.

    A crawl killed between flushes loses only its unflushed records, and those are not marked seen,
    so a plain re-run fetches them again; a day file is never half-written.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.archive_dir = Path(crawler.settings.get("ARCHIVE_DIR") or "data/archive")
        self.flush_items = crawler.settings.getint("ARCHIVE_FLUSH_ITEMS", 5000)
        self.flush_seconds = crawler.settings.getfloat("ARCHIVE_FLUSH_SECONDS", 60)
        self.last_flush = time.monotonic()
        self.days: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.buffered = 0
        self.seen: SeenStore | None = None

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
        """Write every buffered day."""
        if not self.days:
            return
        if self.seen is None:
            self.seen = SeenStore(self.archive_dir)
        for (paper, date), records in sorted(self.days.items()):
            path = day_file(self.archive_dir, paper, date)
            with day_lock(path):
                remove_stale_temp_files(path)
                merged, counts = merge_day(path, records)
                link_continuations(merged)
                write_records(path, merged)
            self.seen.record(records)
            for name in ("new", "revised", "unchanged", "replaced"):
                self.stats.inc_value(f"archive/records_{name}", getattr(counts, name))
            self.stats.inc_value("archive/days_written")
            logger.info("archive: wrote %s (%d records: %d new, %d revised)", path, len(merged), counts.new,
                        counts.revised)
        self.days.clear()
        self.buffered = 0
        self.last_flush = time.monotonic()

    def close_spider(self) -> None:
        self.flush()
        if self.seen is not None:
            self.seen.close()
