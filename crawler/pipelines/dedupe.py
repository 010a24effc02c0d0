"""Drop a record whose id was already seen in this crawl (an article linked from two pages)."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem


class DedupePipeline:
    """First record per id wins."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        record_id = ItemAdapter(item).get("id")
        if record_id in self.seen:
            self.stats.inc_value("dedupe/dropped")
            raise DropItem(f"duplicate record {record_id}")
        self.seen.add(record_id)
        return item
