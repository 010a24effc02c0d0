"""IndexPipeline: with INDEX_DIR, the day files a crawl wrote are indexed once when it closes."""

from scrapy.utils.test import get_crawler

from crawler.archive import day_file, write_records
from crawler.pipelines.index import IndexPipeline
from crawler.spiders.epaper import EpaperSpider
from indexer.query.search import search

RECORD = {"type": "article", "kind": "article", "id": "p-20250319-1", "paper": "p", "paper_name": "报",
          "date": "2025-03-19", "page_no": "01", "page_name": "要闻", "title": "董家口经济区召开动员大会",
          "body": "加快打造全市高质量发展重要增长极。", "url": "http://e.test/1", "content_hash": "sha256:1"}


def test_close_indexes_the_days_seen(tmp_path):
    archive, index = tmp_path / "archive", tmp_path / "index"
    crawler = get_crawler(EpaperSpider, {"ARCHIVE_DIR": str(archive), "INDEX_DIR": str(index)})
    crawler.stats.open_spider()
    pipeline = IndexPipeline(crawler)
    assert pipeline.process_item(dict(RECORD)) == RECORD
    write_records(day_file(archive, "p", "2025-03-19"), [RECORD])  # what the archive pipeline does first
    pipeline.close_spider()
    assert [h["id"] for h in search(index, '"高质量发展"').hits] == ["p-20250319-1"]
    assert crawler.stats.get_value("index/added") == 1


def test_without_index_dir_nothing_is_built(tmp_path):
    crawler = get_crawler(EpaperSpider, {"ARCHIVE_DIR": str(tmp_path)})
    pipeline = IndexPipeline(crawler)
    pipeline.process_item(dict(RECORD))
    pipeline.close_spider()
    assert list(tmp_path.iterdir()) == []
