"""ValidatePipeline: records that would corrupt the archive are dropped, counted and logged as events."""

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.coverage import EventLog
from crawler.pipelines.validate import ValidatePipeline
from crawler.spiders.epaper import EpaperSpider

GOOD = {"type": "article", "id": "xihaian-20250319-1001", "paper": "xihaian", "date": "2025-03-19", "title": "t",
        "body": "", "url": "http://e.test/a"}


@pytest.fixture
def crawler(tmp_path):
    crawler = get_crawler(EpaperSpider, {"ARCHIVE_DIR": str(tmp_path)})
    crawler.stats.open_spider()
    return crawler


def test_good_record_passes(crawler):
    assert ValidatePipeline(crawler).process_item(dict(GOOD)) == GOOD


@pytest.mark.parametrize(
    ("change", "reason"),
    [({"title": ""}, "neither title nor body"), ({"date": "19/03/2025"}, "date '19/03/2025'"),
     ({"id": "../x"}, "id '../x'"), ({"type": "junk"}, "type 'junk'")],
)
def test_bad_records_are_dropped_counted_and_recorded(crawler, tmp_path, change, reason):
    with pytest.raises(DropItem, match=reason.replace("(", r"\(")):
        ValidatePipeline(crawler).process_item({**GOOD, **change})
    assert crawler.stats.get_value("validate/dropped") == 1
    events = EventLog(tmp_path).read("xihaian")
    assert events[-1]["event"] == "invalid" and reason in events[-1]["reason"]
