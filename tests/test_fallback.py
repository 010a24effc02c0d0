"""The body fallback (crawler/platforms/fallback.py) on article pages whose body element no selector finds.

Corpus: tests/sites/body_variants.py, every article page of the four fixture papers with the body element renamed,
wrapped, flanked by a side column and a footer, or written as <br> lines; UTF-8 and GBK (440 pages). Accuracy
reached and asserted page by page: 440/440 exact bodies and 440/440 exact titles (bench/bench_body_fallback.py
prints the same numbers next to trafilatura's).
"""

from __future__ import annotations

from functools import cache

import pytest
from lxml import etree
from scrapy.http import HtmlResponse

from crawler.encoding import response_text
from crawler.platforms import extract, get_platform
from crawler.platforms.fallback import NAME, main_body, main_paragraphs, main_title, page_tree
from crawler.text import normalize_paragraphs
from tests.sites.body_variants import VariantPage, platform_of, variant_pages

PAGES = variant_pages()
ORIGINALS = variant_pages(["original"], ["utf-8"])
URL = "http://paper.example.test/html/2025-03/19/content_1.htm"


def response(page: VariantPage) -> HtmlResponse:
    """The page's bytes as the crawler receives them (no charset header: the page's meta decides)."""
    return HtmlResponse(url=page.url, body=page.body, headers={"Content-Type": "text/html"})


def fallback_body(page: VariantPage) -> list[str]:
    """main_paragraphs of a page, once per page for all the tests that look at it."""
    return list(_fallback_body(page.name, page.url, page.body))


@cache
def _fallback_body(_name: str, url: str, body: bytes) -> tuple[str, ...]:
    html = response_text(HtmlResponse(url=url, body=body, headers={"Content-Type": "text/html"}))
    return tuple(main_paragraphs(html, url))


def ids(pages: list[VariantPage]) -> list[str]:
    return [p.name for p in pages]


def test_corpus_covers_every_family_variant_and_encoding():
    assert len(PAGES) == 440
    assert {(p.family, p.variant, p.encoding) for p in PAGES} == {
        (f, v, e) for f in ("classic", "new-i", "new-ii", "nbs")
        for v in ("renamed", "wrapped", "sidebox", "lines") for e in ("utf-8", "gbk")
    }
    # pages without a body (ads, a notice) must come back empty, not with whatever text is nearest
    assert sum(not p.paragraphs for p in PAGES) == 3 * 8


@pytest.mark.parametrize("page", PAGES, ids=ids(PAGES))
def test_selectors_find_no_body_and_extraction_falls_back(page):
    """The variants really need the fallback: no selector finds their body, and parse_article's body comes from
    the fallback (none where the page has no body)."""
    parsed = extract.parse_article(response(page), get_platform(platform_of(page)))
    assert parsed.rules.get("body", "") == (f"fallback:{NAME}" if page.paragraphs else "")
    assert parsed.paragraphs == page.paragraphs


@pytest.mark.parametrize("page", PAGES, ids=ids(PAGES))
def test_fallback_body_is_exact(page):
    """Exactly the printed paragraphs, in order, hard-wrapped lines joined as the selectors join them."""
    assert fallback_body(page) == page.paragraphs


@pytest.mark.parametrize("page", [p for p in PAGES if p.variant == "sidebox" or p.noise - {p.title}],
                         ids=ids([p for p in PAGES if p.variant == "sidebox" or p.noise - {p.title}]))
def test_fallback_leaves_out_navigation_page_lists_and_captions(page):
    """Page list, other titles, 今日导读, footer, page label, title and photo captions never come out as body."""
    assert not set(fallback_body(page)) & page.noise


@pytest.mark.parametrize("page", PAGES, ids=ids(PAGES))
def test_fallback_title_is_exact(page):
    assert main_title(response_text(response(page)), page.url) == page.title


@pytest.mark.parametrize("page", ORIGINALS, ids=ids(ORIGINALS))
def test_fallback_agrees_with_the_selectors_where_they_work(page):
    """On the pages as the builders wrote them, the fallback gives what the platform's selectors give."""
    parsed = extract.parse_article(response(page), get_platform(platform_of(page)))
    assert parsed.rules.get("body", "").startswith("platform:") or not page.paragraphs
    assert parsed.paragraphs == page.paragraphs
    assert fallback_body(page) == parsed.paragraphs


def test_wrapped_lines_join_as_the_normalizer_joins_them():
    """CJK lines join with nothing between them, Latin words with one space; entities decoded."""
    paragraphs = (
        "<p>　　新区召开2025年优化营商环境大\n会，总结去年营商环境建设成\n效，部署今年重点任务。</p>\n"
        "<p>　　会上发布了&ldquo;5G\nIndustrial Internet&rdquo; platform\nfor small firms。</p>\n"
        "<p>　　会议强调，要坚持以企业和群众\n满意为导向。</p>"
    )
    html = (
        "<html><body><div class='top'><a href='node_2.htm'>第01版：要闻</a></div>"
        f"<div class='text-box'>{paragraphs}</div></body></html>"
    )
    got = main_paragraphs(html, URL)
    assert got == normalize_paragraphs(paragraphs)
    assert got[0] == "新区召开2025年优化营商环境大会，总结去年营商环境建设成效，部署今年重点任务。"
    assert got[1] == "会上发布了“5G Industrial Internet” platform for small firms。"


def test_a_page_of_navigation_only_has_no_body():
    html = (
        "<html><body><div class='bmdh'><ul>"
        + "".join(f"<li><a href='node_{n}.htm'>第0{n}版：要闻</a></li>" for n in range(1, 9))
        + "</ul></div><div class='date'>2025年03月19日 星期三</div></body></html>"
    )
    assert main_paragraphs(html, URL) == []


@pytest.mark.parametrize("html", [
    "",
    "   ",
    "<<<>>>&&&<p",
    "<!-- only a comment -->",
    "<html><frameset><frame src='a.htm'></frameset></html>",
    "<div>" * 5000 + "<p>正文。</p>" + "</div>" * 5000,
], ids=["empty", "blank", "garbage", "comment", "frameset", "deep"])
def test_bad_html_gives_nothing_and_never_raises(html):
    assert main_paragraphs(html, URL) == []
    assert main_title(html, URL) == ""


@pytest.mark.parametrize("page", [p for p in PAGES if p.variant == "sidebox" and p.encoding == "utf-8"],
                         ids=ids([p for p in PAGES if p.variant == "sidebox" and p.encoding == "utf-8"]))
def test_main_body_gives_an_element_of_the_page_and_leaves_the_page_alone(page):
    """main_body's element is the page's own (so photos beside it can be found) and holds the whole body."""
    root = page_tree(response_text(response(page)))
    before = etree.tostring(root, encoding="unicode")
    node, paragraphs = main_body(root)
    assert etree.tostring(root, encoding="unicode") == before
    assert paragraphs == page.paragraphs
    assert node.getroottree().getroot() is root
    assert all("".join(p.split()) in "".join("".join(node.itertext()).split()) for p in paragraphs)
