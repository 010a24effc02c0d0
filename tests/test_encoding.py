"""Pages declared gb2312 that are GBK/GB18030, undeclared UTF-8 pages, and bytes that don't decode."""

from __future__ import annotations

from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.platforms import extract, get_platform
from crawler.spiders.epaper import EpaperSpider

CFG = get_platform("founder-classic")
URL = "http://e.test/html/2025-03/19/content_1.htm"


def article_html(title: str, charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}</head><body><founder-title>{title}</founder-title>" \
           f"<founder-content><p>　　正文{title}。</p></founder-content></body></html>"


def test_gb2312_declared_page_with_gbk_only_characters():
    body = article_html("朱镕基与李堃、王喆", "gb2312").encode("gbk")
    parsed = extract.parse_article(HtmlResponse(URL, body=body), CFG)
    assert parsed.title == "朱镕基与李堃、王喆"


def test_gb18030_four_byte_characters_under_a_gbk_declaration():
    body = article_html("䶮", "gbk").encode("gb18030")  # outside GBK: a four-byte GB18030 sequence
    assert extract.parse_article(HtmlResponse(URL, body=body), CFG).title == "䶮"


def test_undeclared_utf8_page():
    body = article_html("西海岸新区", None).encode("utf-8")
    assert extract.parse_article(HtmlResponse(URL, body=body), CFG).title == "西海岸新区"


def test_undecodable_bytes_keep_the_rest_and_are_logged(caplog):
    body = article_html("标题", "gb2312").encode("gbk").replace("正文".encode("gbk"), b"\x81\x20\xff")
    response = HtmlResponse(URL, body=body)
    crawler = get_crawler(EpaperSpider, {})
    spider = EpaperSpider.from_crawler(crawler, paper="xihaian", base_url="http://e.test/", date="2025-03-19")
    crawler.stats.open_spider()
    page = extract.PageData("http://e.test/html/2025-03/19/node_2.htm", "2025-03-19", "01", "要闻", "", "", [], [])
    items = list(spider.parse_article(response, page=page, date="2025-03-19", position=0))
    assert items[0]["title"] == "标题"
    assert "标题。" in items[0]["body"]
    assert crawler.stats.get_value("epaper/decode_errors") == 1
    assert f"undecodable byte sequence(s) in {URL}" in caplog.text


def test_lying_charset_header_is_caught():
    """The header says utf-8, the page says gb2312, the bytes are GBK: the page's own word wins."""
    body = article_html("朱镕基在西海岸", "gb2312").encode("gbk")
    response = HtmlResponse(URL, body=body, headers={"Content-Type": "text/html; charset=utf-8"})
    assert "\ufffd" in response.text
    assert extract.parse_article(response, CFG).title == "朱镕基在西海岸"


def test_decode_html_prefers_the_first_choice_when_it_is_clean():
    from crawler.encoding import decode_html

    assert decode_html("西海岸".encode(), "utf-8") == ("西海岸", "utf-8")
    assert decode_html("西海岸".encode("gbk"), "utf-8") == ("西海岸", "gb18030")


def test_undeclared_gbk_page():
    body = article_html("西海岸新区高质量发展", None).encode("gbk")
    assert extract.parse_article(HtmlResponse(URL, body=body), CFG).title == "西海岸新区高质量发展"
