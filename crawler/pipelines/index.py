"""Update the search index from the day files this crawl wrote, once, when the crawl closes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.archive import day_file

logger = logging.getLogger(__name__)


class IndexPipeline:
    """With INDEX_DIR set, index the written day files in one writer (with OPENSEARCH_URL set, into that
    OpenSearch cluster too); items pass through untouched.

    Scrapy closes pipelines in reverse order, so this one must have a lower order number than the
    archive pipeline to run after it.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.index_dir = crawler.settings.get("INDEX_DIR") or ""
        self.opensearch_url = crawler.settings.get("OPENSEARCH_URL") or ""  # also (or instead) update OpenSearch
        self.archive_dir = Path(crawler.settings.get("ARCHIVE_DIR") or "data/archive")
        self.days: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IndexPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        self.days.add((adapter["paper"], adapter["date"]))
        return item

    def close_spider(self) -> None:
        files = [p for p in (day_file(self.archive_dir, *day) for day in sorted(self.days)) if p.exists()]
        if self.opensearch_url and files:
            from indexer.backends.opensearch import update_from_crawl

            update_from_crawl(self.opensearch_url, files, self.crawler.stats)
        if not self.index_dir or not files:
            return
        from indexer.build.writer import build_index  # only crawls that index pay for the import

        try:
            # one process (no fork from inside the reactor); wait for another crawl's update (paper=all)
            stats = build_index(Path(self.index_dir), files, procs=1, lock_timeout=600)
        except Exception as exc:  # the archive is safe on disk; the index can be rebuilt from it
            logger.error("index: update of %s failed: %s (run: python -m indexer build --index %s %s)",
                         self.index_dir, exc, self.index_dir, self.crawler.settings.get("ARCHIVE_DIR"))
            self.crawler.stats.inc_value("index/failed")
            return
        self.crawler.stats.set_value("index/added", stats.added)
        self.crawler.stats.set_value("index/updated", stats.updated)
        logger.info("index: %s updated (%d added, %d updated, %d unchanged)", self.index_dir,
                    stats.added, stats.updated, stats.unchanged)
