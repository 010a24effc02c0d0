"""ArchivePipeline: day files written on flush and close, continuations linked, articles marked seen."""

import json

from scrapy.utils.test import get_crawler

from crawler.pipelines.archive import ArchivePipeline
from crawler.seen import SeenStore
from crawler.spiders.epaper import EpaperSpider


def article(id_, page_no, position, **extra):
    return {"type": "article", "id": id_, "paper": "p", "date": "2025-03-19", "page_no": page_no,
            "position": position, "title": "同一标题", "body": "正文", "url": f"http://e.test/{id_}",
            "content_hash": f"sha256:{id_}", "fetched_at": "2025-03-19T06:00:00Z", **extra}


def test_flush_every_n_records_links_continuations_and_marks_seen(tmp_path):
    crawler = get_crawler(EpaperSpider, {"ARCHIVE_DIR": str(tmp_path), "ARCHIVE_FLUSH_ITEMS": 2})
    crawler.stats.open_spider()
    pipeline = ArchivePipeline(crawler)
    pipeline.process_item(article("p-20250319-1", "01", 0, jump_to="第二版", jump_from=""))
    day = tmp_path / "p/2025/p-2025-03-19.jsonl"
    assert not day.exists()
    pipeline.process_item(article("p-20250319-2", "02", 0, jump_to="", jump_from="第一版"))
    assert day.exists()  # flushed after two records
    pipeline.process_item(article("p-20250319-3", "03", 0, jump_to="", jump_from=""))
    pipeline.close_spider()
    records = [json.loads(line) for line in day.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["p-20250319-1", "p-20250319-2", "p-20250319-3"]
    assert records[0]["continued_on"] == "p-20250319-2" and records[1]["continued_from"] == "p-20250319-1"
    store = SeenStore(tmp_path)
    assert all(store.has(f"http://e.test/p-20250319-{n}") for n in (1, 2, 3))
    assert crawler.stats.get_value("archive/records_new") == 3


def test_nothing_buffered_writes_nothing(tmp_path):
    crawler = get_crawler(EpaperSpider, {"ARCHIVE_DIR": str(tmp_path / "a")})
    crawler.stats.open_spider()
    ArchivePipeline(crawler).close_spider()
    assert not (tmp_path / "a").exists()
