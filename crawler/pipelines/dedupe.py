"""Drop a record whose id was already seen in this crawl (an article linked from two pages)."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

logger = logging.getLogger(__name__)


def url_suffix(url: str) -> str:
    """A short stable tag of a URL, to tell apart records that got the same id."""
    return hashlib.sha1(url.encode("utf-8", "surrogatepass")).hexdigest()[:8]


class DedupePipeline:
    """First record per id wins: a later record with the same id and URL is a duplicate, dropped and counted
    (dedupe/dropped, shown in the crawl summary).

    A record whose id is taken by a record of another URL is not a duplicate (ids built from a missing
    page number or a site's reused article key): it keeps its data under `id-<8 hex of its URL's SHA-1>`
    (stable across crawls, so re-crawls merge), with a warning, counted in dedupe/renamed.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.seen: dict[str, str] = {}  # id -> URL of the record that has it

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        record_id, url = adapter.get("id"), adapter.get("url") or ""
        if record_id in self.seen and self.seen[record_id] != url and url:
            renamed = f"{record_id}-{url_suffix(url)}"
            logger.warning("dedupe: %s already names %s; %s is kept as %s", record_id, self.seen[record_id], url,
                           renamed)
            self.stats.inc_value("dedupe/renamed")
            adapter["id"] = record_id = renamed
        if record_id in self.seen:
            self.stats.inc_value("dedupe/dropped")
            raise DropItem(f"duplicate record {record_id}")
        self.seen[record_id] = url
        return item
