"""DedupePipeline: the first record per id wins within a crawl."""

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.pipelines.dedupe import DedupePipeline
from crawler.spiders.epaper import EpaperSpider


def test_second_record_with_the_same_id_is_dropped_and_counted():
    crawler = get_crawler(EpaperSpider)
    crawler.stats.open_spider()
    pipeline = DedupePipeline(crawler)
    assert pipeline.process_item({"id": "a"}) == {"id": "a"}
    assert pipeline.process_item({"id": "b"}) == {"id": "b"}
    with pytest.raises(DropItem, match="duplicate record a"):
        pipeline.process_item({"id": "a", "title": "again"})
    assert crawler.stats.get_value("dedupe/dropped") == 1
