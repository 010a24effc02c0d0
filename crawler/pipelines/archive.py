"""Write records to the JSONL archive: each issue day's file is replaced atomically when the crawl closes."""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.archive import day_file, merge_day, write_records
from crawler.continuations import link_continuations

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Buffer records per (paper, day); on close, merge each day with its file, link continued articles
    across the issue's pages, and write the day atomically.

    Writing whole days at the end means a killed crawl leaves the previous archive untouched, never
    a half-written file.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.archive_dir = Path(crawler.settings.get("ARCHIVE_DIR") or "data/archive")
        self.days: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        record = ItemAdapter(item).asdict()
        self.days[(record["paper"], record["date"])].append(record)
        return item

    def close_spider(self) -> None:
        for (paper, date), records in sorted(self.days.items()):
            path = day_file(self.archive_dir, paper, date)
            merged, new, replaced = merge_day(path, records)
            link_continuations(merged)
            write_records(path, merged)
            self.stats.inc_value("archive/days_written")
            self.stats.inc_value("archive/records_new", new)
            self.stats.inc_value("archive/records_replaced", replaced)
            logger.info("archive: wrote %s (%d records, %d new)", path, len(merged), new)
