"""Pages declared gb2312 that are GBK/GB18030, undeclared UTF-8 pages, and bytes that don't decode."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.encoding import decode_page, response_decoding, response_text
from crawler.platforms import extract, get_platform
from crawler.spiders.epaper import EpaperSpider

CFG = get_platform("founder-classic")
URL = "http://e.test/html/2025-03/19/content_1.htm"


def article_html(title: str, charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}</head><body><founder-title>{title}</founder-title>" \
           f"<founder-content><p>　　正文{title}。</p></founder-content></body></html>"


def crawl_article(response: HtmlResponse) -> tuple:
    """(crawler, items) of the spider's parse_article on one article page of 2025-03-19 (stats open)."""
    crawler = get_crawler(EpaperSpider, {})
    spider = EpaperSpider.from_crawler(crawler, paper="xihaian", base_url="http://e.test/", date="2025-03-19")
    crawler.stats.open_spider()
    page = extract.PageData("http://e.test/html/2025-03/19/node_2.htm", "2025-03-19", "01", "要闻", "", "", [], [])
    return crawler, list(spider.parse_article(response, page=page, date="2025-03-19", position=0))


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
    crawler, items = crawl_article(response)
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


# Runs of an even number of CJK characters only: as UTF-8 every run is 3k·2 bytes, which GB18030 reads as
# k·3 valid double-byte characters, so under a gbk header the mojibake has no U+FFFD to give it away.
EVEN_RUNS = "<p>海岸新区 青岛分行 金融规模总量持续扩大 新区 孙永红会 发展态势 服务模式</p>"
HEADER = "text/html; charset={}"


def page(charset: str | None, text: str = EVEN_RUNS) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}<title>t</title></head><body>{text}</body></html>"


def response(body: bytes, header: str | None) -> HtmlResponse:
    headers = {"Content-Type": HEADER.format(header)} if header else {}
    return HtmlResponse(URL, body=body, headers=headers)


def test_even_runs_fixture_decodes_cleanly_as_gb18030():
    """The fixture is the hard case: its UTF-8 bytes are valid GB18030 too."""
    mojibake = page("utf-8").encode("utf-8").decode("gb18030")
    assert "\ufffd" not in mojibake and "交通银行" not in mojibake


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (page("utf-8").encode("utf-8"), "the page declares utf-8"),
        (b"\xef\xbb\xbf" + page(None).encode("utf-8"), "byte-order mark"),
        (page("gbk").encode("utf-8"), "the bytes are valid UTF-8"),  # 24 CJK characters: no accident
        (page(None).encode("utf-8"), "the bytes are valid UTF-8"),
    ],
    ids=["utf8-meta", "bom", "lying-meta-too", "no-meta"],
)
def test_valid_utf8_wins_over_a_gbk_header(body, why):
    text, encoding, note = response_decoding(response(body, "gbk"))
    assert EVEN_RUNS in text and encoding == "utf-8"
    assert note.startswith("header charset gbk overridden by utf-8: ") and why in note


def test_few_utf8_characters_under_two_gbk_declarations_stay_gbk():
    """Two CJK characters that happen to be valid UTF-8 are no evidence against header and meta agreeing."""
    body = page("gbk", "<p>新区</p>").encode("utf-8")
    text, encoding, note = response_decoding(response(body, "gbk"))
    assert (encoding, note) == ("gb18030", "") and "新区" not in text


@pytest.mark.parametrize("meta", ["gb2312", None])
def test_lying_utf16_header_over_gbk_bytes_keeps_the_article(meta):
    body = article_html("孙永红会见交通银行青岛分行客人", meta).encode("gbk")
    lying = response(body, "utf-16")
    assert "founder-title" not in lying.text  # what Scrapy alone reads: no markup left, the article was lost
    assert extract.parse_article(lying, CFG).title == "孙永红会见交通银行青岛分行客人"
    text, encoding, note = response_decoding(lying)
    assert encoding == "gb18030" and note == "header charset utf-16 overridden by gb18030: the bytes are not UTF-16"


def test_real_utf16_page_under_a_utf16_header_is_read_as_utf16():
    body = page(None).encode("utf-16-le")
    assert response_decoding(response(body, "utf-16-le")) == (page(None), "utf-16-le", "")


@pytest.mark.parametrize("header", ["latin-1", "iso-8859-1", "ISO-8859-1", "windows-1252"])
@pytest.mark.parametrize(("meta", "encode"), [("gb2312", "gbk"), (None, "gbk"), ("utf-8", "utf-8"), (None, "utf-8")])
def test_lying_single_byte_header_is_overridden_and_said(header, meta, encode):
    body = page(meta).encode(encode)
    text, encoding, note = response_decoding(response(body, header))
    assert EVEN_RUNS in text
    assert encoding == ("gb18030" if encode == "gbk" else "utf-8")
    assert note.startswith(f"header charset {header} overridden by {encoding}: {header} is single-byte")


def test_real_latin1_page_stays_latin1():
    body = page(None, "<p>Café au lait, déjà vu à Paris.</p>").encode("latin-1")
    text, encoding, note = response_decoding(response(body, "iso-8859-1"))
    assert ("Café au lait, déjà vu à Paris." in text, note) == (True, "")


@pytest.mark.parametrize(
    ("header", "meta", "encode", "expected"),
    [("gbk", "gbk", "gbk", "gb18030"), ("gb2312", None, "gb18030", "gb18030"), ("utf-8", "utf-8", "utf-8", "utf-8"),
     (None, "gb2312", "gbk", "gb18030"), (None, None, "gbk", "gb18030"), (None, None, "utf-8", "utf-8")],
)
def test_header_that_tells_the_truth_gives_no_note(header, meta, encode, expected):
    body = page(meta).encode(encode)
    assert response_decoding(response(body, header)) == (page(meta), expected, "")
    assert response_text(response(body, header)) == page(meta)


def test_unknown_header_charset_is_said():
    text, encoding, note = response_decoding(response(page("gb2312").encode("gbk"), "x-no-such-charset"))
    assert (EVEN_RUNS in text, encoding) == (True, "gb18030")
    assert note == "header charset x-no-such-charset overridden by gb18030: unknown charset"


def test_decode_page_reports_what_it_overrode():
    assert decode_page("西海岸".encode("gbk"), "utf-8") == (
        "西海岸", "gb18030", "charset utf-8 overridden by gb18030: it decodes cleanly as gb18030")
    assert decode_page("西海岸".encode(), None) == ("西海岸", "utf-8", "")


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=64) | st.text(max_size=24).map(str.encode),
       name=st.sampled_from([None, "", "gbk", "utf-8", "utf-16", "utf-32-be", "latin-1", "x-nope", "ascii", "big5"]))
def test_decode_page_takes_any_bytes_and_name(body, name):
    text, encoding, note = decode_page(body, name)
    assert isinstance(text, str) and codecs.lookup(encoding).name == encoding
    assert (note == "") == (not name or _same_codec(name, encoding))
    if not body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            valid = body.decode("utf-8")
        except UnicodeDecodeError:
            return
        if name in (None, "", "utf-8") and b"\x00" not in body:
            assert (text, encoding) == (valid, "utf-8")  # valid UTF-8 never gets worse than what it says


def _same_codec(name: str, encoding: str) -> bool:
    """Whether a charset name decodes with the codec decode_page reports."""
    try:
        return codecs.lookup({"gbk": "gb18030", "latin-1": "cp1252", "ascii": "cp1252", "big5": "big5hkscs"}.get(
            name, name)).name == encoding
    except LookupError:
        return False


def test_a_page_is_decoded_once_for_the_spider_check_and_the_extractor(monkeypatch):
    """The spider's decoding check and the extractor read one decoding of the page, not two."""
    import crawler.encoding as encoding

    calls = []
    real = encoding.decode_page
    monkeypatch.setattr(encoding, "decode_page", lambda *a, **k: calls.append(1) or real(*a, **k))
    body = article_html("朱镕基在西海岸", "gb2312").encode("gbk")
    response = HtmlResponse(URL, body=body, headers={"Content-Type": "text/html; charset=utf-8"})
    crawler, items = crawl_article(response)
    assert items[0]["title"] == "朱镕基在西海岸"
    assert crawler.stats.get_value("epaper/charset_overrides") == 1
    assert len(calls) == 1
    other = HtmlResponse(URL, body=body, headers={"Content-Type": "text/html; charset=utf-8"})
    assert response_text(other) == response_text(response) and len(calls) == 2  # a new response is decoded anew
