"""Founder classic extractors on the fixture site's saved bytes: one small test per field, every record."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Response

from crawler.platforms import extract as fc
from crawler.spiders.epaper import EpaperSpider
from tests.platform_cases import PlatformCases
from tests.sites.founder_classic import build_site, expected_records
from tests.sites.xihaian.data import ISSUES, PAPER, PAPER_NAME

BASE = "http://epaper.example.test/"
CASES = PlatformCases("founder-classic", BASE, ISSUES, expected_records(ISSUES, BASE, PAPER, PAPER_NAME), PAPER)
CFG, ARTICLES = CASES.cfg, CASES.articles
article = CASES.article
globals().update(CASES.field_tests(captions=False, page_dates=False, page_links="urls"))


site = CASES.site_fixture(lambda folder, encoding: build_site(folder, encoding=encoding), ["gbk", "utf-8"])


def test_gbk_characters_outside_gb2312_decode(site):
    """Pages declare gb2312 but are GBK: 镕 (outside GB2312) must survive."""
    texts = [article(site, a).title + "\n".join(article(site, a).paragraphs) for a in ARTICLES]
    assert any("镕" in t for t in texts)
    assert not any("\ufffd" in t for t in texts)


@pytest.mark.parametrize(
    ("label", "parsed"),
    [("第01版：要闻", ("01", "要闻")), ("第A03版:经济", ("A03", "经济")), ("第 2 版 综合", ("2", "综合")),
     ("要闻", ("", "要闻"))],
)
def test_parse_page_label(label, parsed):
    assert fc.parse_page_label(label) == parsed


def test_enpproperty_fields():
    html = "<!--enpproperty <articleid>7</articleid><title>标题</title><nodename>第02版：综合</nodename>/enpproperty-->"
    assert fc.parse_enpproperty(html) == {"articleid": "7", "title": "标题", "nodename": "第02版：综合"}


@pytest.mark.parametrize(
    ("url", "key"),
    [("http://x/html/2025-03/19/content_1001.htm", "1001"), ("http://x/html/2025-03/19/content_12_3.htm", "12_3"),
     ("http://x/html/2025-03/19/node_2.htm", "")],
)
def test_article_key_from_url(url, key):
    assert fc.article_key(url, CFG) == key


def test_date_from_url_rejects_impossible_dates():
    assert fc.date_from_url("http://x/html/2025-02/30/node_2.htm", CFG) == ""
    assert fc.date_from_url("http://x/html/2025-03/19/node_2.htm", CFG) == "2025-03-19"


def test_issue_url():
    import datetime as dt

    assert CFG.issue_url(BASE, dt.date(2025, 3, 9)) == BASE + "html/2025-03/09/node_2.htm"


def test_article_without_markup_parses_to_empty_fields():
    parsed = fc.parse_article(HtmlResponse(url=BASE + "html/2025-03/19/content_1.htm", body=b"<html>\x00</html>"), CFG)
    assert (parsed.title, parsed.paragraphs, parsed.images) == ("", [], [])


def test_spider_counts_a_page_that_cannot_be_parsed(caplog):
    """A binary response where an article should be is logged and counted; the spider yields nothing."""
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(EpaperSpider, {})
    spider = EpaperSpider.from_crawler(crawler, paper="xihaian", base_url=BASE, date="2025-03-19")
    crawler.stats.open_spider()
    binary = Response(url=BASE + "html/2025-03/19/content_1001.htm", body=b"\x89PNG\r\n")
    page_data = fc.PageData(BASE, "2025-03-19", "01", "要闻", "", "", [], [])
    assert list(spider.parse_article(binary, page=page_data, date="2025-03-19", position=0)) == []
    assert crawler.stats.get_value("epaper/parse_errors/article") == 1
    assert "parse error: article " + binary.url in caplog.text
