"""NormalizePipeline: clean strings everywhere, '' for absent fields, a content hash for articles."""

from crawler import settings as project_settings
from crawler.items import ArticleItem, PageItem
from crawler.pipelines.normalize import NormalizePipeline, content_hash


def pipeline() -> NormalizePipeline:
    return NormalizePipeline()


def test_article_fields_are_cleaned_and_filled():
    item = ArticleItem(type="article", title="  孙永红会见\n交通银行 ", body="第一段&nbsp;。\n\n　第二段", images=[])
    out = pipeline().process_item(item)
    assert out["title"] == "孙永红会见交通银行"
    assert out["body"] == "第一段 。\n第二段"
    assert out["pretitle"] == "" and out["subtitle"] == "" and out["author"] == "" and out["pdf_url"] == ""
    assert out["content_hash"].startswith("sha256:")


def test_page_records_get_no_hash():
    out = pipeline().process_item(PageItem(type="page", page_name=" 要闻 "))
    assert out["page_name"] == "要闻" and "content_hash" not in out


def test_hash_ignores_fetch_time_and_image_host_but_not_text():
    base = {"title": "t", "body": "b", "images": [{"url": "http://a.test/x.jpg", "caption": "c"}]}
    moved = {**base, "fetched_at": "later", "images": [{"url": "https://b.test/x.jpg", "caption": "c"}]}
    assert content_hash(base) == content_hash(moved)
    assert content_hash(base) != content_hash({**base, "body": "b2"})


def test_pipeline_runs_first():
    pipelines = project_settings.ITEM_PIPELINES
    assert min(pipelines, key=pipelines.get) == "crawler.pipelines.normalize.NormalizePipeline"
