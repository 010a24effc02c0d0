"""Founder classic extractors on the fixture site's saved bytes: one small test per field, every record."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Response

from crawler.platforms import extract as fc
from crawler.platforms import get_platform
from crawler.spiders.epaper import EpaperSpider, article_id
from crawler.text import normalize_inline
from tests.sites.founder_classic import build_site, expected_records
from tests.sites.model import printed_paragraphs
from tests.sites.xihaian.data import ISSUES, PAPER, PAPER_NAME

BASE = "http://epaper.example.test/"
CFG = get_platform("founder-classic")
EXPECTED = expected_records(ISSUES, BASE, PAPER, PAPER_NAME)
ARTICLES = [r for r in EXPECTED if r["type"] == "article"]
DATA = {f"{PAPER}-{i.date.replace('-', '')}-{a.key}": a for i in ISSUES for p in i.pages for a in p.articles}
PAGES = [r for r in EXPECTED if r["type"] == "page"]


@pytest.fixture(scope="module", params=["gbk", "utf-8"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site's files, in each encoding."""
    return build_site(tmp_path_factory.mktemp(request.param), encoding=request.param)


def response_for(site: Path, url: str) -> HtmlResponse:
    """A response carrying a saved file's original bytes (no charset header: the page's meta decides)."""
    return HtmlResponse(url=url, body=(site / url[len(BASE):]).read_bytes(), headers={"Content-Type": "text/html"})


def article(site: Path, expected: dict) -> fc.ArticleData:
    return fc.parse_article(response_for(site, expected["url"]), CFG)


def page(site: Path, expected: dict) -> fc.PageData:
    return fc.parse_page(response_for(site, expected["url"]), CFG)


ids = [r["id"] for r in ARTICLES]


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_title(site, expected):
    assert article(site, expected).title == expected["title"]


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_pretitle(site, expected):
    assert article(site, expected).pretitle == expected["pretitle"]


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_subtitle(site, expected):
    assert article(site, expected).subtitle == expected["subtitle"]


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_author_as_the_site_gives_it(site, expected):
    assert article(site, expected).author == normalize_inline(DATA[expected["id"]].site_author)


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_paragraphs_as_printed(site, expected):
    """Bylines, datelines and jump markers are still in; the fields pipeline splits them out."""
    assert article(site, expected).paragraphs == printed_paragraphs(DATA[expected["id"]])


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_images_with_captions(site, expected):
    assert article(site, expected).images == expected["images"]


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_article_key_and_date(site, expected):
    parsed = article(site, expected)
    assert parsed.article_key == expected["id"].rsplit("-", 1)[1]


page_ids = [f"{r['date']}-p{r['page_no']}" for r in PAGES]


@pytest.mark.parametrize("expected", PAGES, ids=page_ids)
def test_page_number_and_name(site, expected):
    parsed = page(site, expected)
    assert (parsed.page_no, parsed.page_name) == (expected["page_no"], expected["page_name"])


@pytest.mark.parametrize("expected", PAGES, ids=page_ids)
def test_page_pdf_url(site, expected):
    assert page(site, expected).pdf_url == expected["pdf_url"]


@pytest.mark.parametrize("expected", PAGES, ids=page_ids)
def test_page_image_url(site, expected):
    assert page(site, expected).image_url == expected["image_url"]


@pytest.mark.parametrize("expected", PAGES, ids=page_ids)
def test_page_articles_in_reading_order(site, expected):
    parsed = page(site, expected)
    ids = [article_id(PAPER, parsed.date, fc.article_key(u, CFG)) for u in parsed.article_urls]
    assert ids == expected["article_ids"]


@pytest.mark.parametrize("expected", PAGES, ids=page_ids)
def test_page_guide_box(site, expected):
    assert page(site, expected).guide == expected["guide"]


@pytest.mark.parametrize("expected", PAGES, ids=page_ids)
def test_page_lists_every_page_of_its_issue(site, expected):
    same_day = [p["url"] for p in PAGES if p["date"] == expected["date"]]
    assert [link.url for link in page(site, expected).pages] == same_day


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
def test_article_key(url, key):
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
