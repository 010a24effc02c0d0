"""The template-independent layer of extraction: rules that hold whatever the template."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from crawler.platforms import extract, get_platform

CLASSIC = get_platform("founder-classic")
PAGE = "http://e.test/html/2025-03/19/node_2.htm"


def _page(html: str, url: str = PAGE, cfg=CLASSIC) -> extract.PageData:
    return extract.parse_page(HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8"), cfg)


@pytest.mark.parametrize(
    ("label", "parsed"),
    [("第01版：要闻", ("01", "要闻")), ("01版:要闻", ("01", "要闻")), ("A01： 头版", ("A01", "头版")),
     ("第A01版：头版", ("A01", "头版")), ("第05版：综 合", ("05", "综合")), ("b2版：体育", ("B2", "体育")),
     ("第 2 版 综合", ("2", "综合")), ("第08版", ("08", "")), ("要闻", ("", "要闻")), ("版面目录", ("", "版面目录"))],
)
def test_page_label_forms(label, parsed):
    assert extract.parse_page_label(label) == parsed


@pytest.mark.parametrize("depth", [10, 2100, 4000])
def test_links_under_deep_nesting_are_not_lost(depth):
    """libxml2 stops building the tree past ~2,000 open elements: the links come from the raw HTML, loudly."""
    links = "".join(f'<a href="content_{i}.htm?div=-1">标题{i}</a><a href="node_{i + 2}.htm">第0{i + 1}版：版{i}</a>'
                    for i in range(3))
    page = _page("<html><body>" + "<div>" * depth + links + "</div>" * depth + "</body></html>")
    assert page.article_urls == [f"http://e.test/html/2025-03/19/content_{i}.htm" for i in range(3)]
    assert [p.url for p in page.pages] == [f"http://e.test/html/2025-03/19/node_{i + 2}.htm" for i in range(3)]
    assert any("parser kept" in note for note in page.notes) == (depth > 2000)


def test_many_links_all_taken_once():
    """A page of 5,000 article links (each twice, as title list and image map): every one once, in order."""
    n = 5000
    items = "".join(f'<li><a href="content_{i}.htm?div=-1">标题</a></li>' for i in range(n))
    areas = "".join(f'<area href="content_{i}.htm?div=0">' for i in range(n))
    page = _page(f'<html><body><ul class="x">{items}</ul><map name="m">{areas}</map></body></html>')
    assert page.article_urls == [f"http://e.test/html/2025-03/19/content_{i}.htm" for i in range(n)]


def test_links_to_other_days_pages_are_not_this_issue():
    html = ('<a href="node_3.htm">第02版：综合</a><a href="../18/node_2.htm">上一期</a>'
            '<a href="../../2025-04/01/node_2.htm">下月</a><a href="content_1.htm">标题</a>')
    assert [p.url for p in _page(html).pages] == ["http://e.test/html/2025-03/19/node_3.htm"]


def test_pdf_of_another_pages_list_entry_is_not_this_pages():
    """A carousel page list with each page's PDF: only this page's entry holds this page's PDF."""
    url, cfg = "http://e.test/pc/layout/202503/19/node_01.html", get_platform("founder-new")
    html = ('<div class="swiper-slide"><a id="pageLink" href="node_02.html">02版：综合</a>'
            '<a href="../../../attachement/202503/19/b2.pdf" download>PDF</a></div>')
    assert _page(html, url, cfg).pdf_url == ""
    own = ('<div class="swiper-slide"><a id="pageLink" href="node_01.html">01版：要闻</a>'
           '<a href="../../../attachement/202503/19/a1.pdf" download>PDF</a></div>')
    assert _page(html + own, url, cfg).pdf_url == "http://e.test/pc/attachement/202503/19/a1.pdf"
    assert _page(html + own, url, cfg).rules["pdf_url"] == "generic:pdf-link"


def test_guide_box_links_are_not_this_pages_articles():
    html = ('<table class="guide"><tr><td class="guide-item"><a href="content_9.htm">导读</a></td></tr></table>'
            '<div id="main-ed-articlenav-list"><a href="content_1.htm">标题</a></div>')
    assert _page(html).article_urls == ["http://e.test/html/2025-03/19/content_1.htm"]


def test_article_like_links_of_no_known_shape_are_a_note():
    page = _page('<a href="../../../art/2025/03/19/detail_3344.html">一篇文章的标题</a>')
    assert page.article_urls == [] and "match no article shape" in page.notes[0]


@pytest.mark.parametrize(
    ("html", "target"),
    [
        ('<noscript><meta http-equiv="refresh" content="0;URL=\'html/2025-03/19/node_2.htm\'"></noscript>',
         "http://e.test/html/2025-03/19/node_2.htm"),
        ('<META HTTP-EQUIV=Refresh CONTENT="0; url=html/2025-03/19/node_2.htm">',
         "http://e.test/html/2025-03/19/node_2.htm"),
        ('<script>window.location.href = "html/2025-03/19/node_2.htm";</script>',
         "http://e.test/html/2025-03/19/node_2.htm"),
        ("<script>location.replace('pc/layout/202503/19/node_01.html')</script>",
         "http://e.test/pc/layout/202503/19/node_01.html"),
        ("<p>没有跳转</p>", ""),
    ],
)
def test_client_redirect(html, target):
    assert extract.client_redirect(html, "http://e.test/index.htm")[0] == target


def test_article_links_of_other_days_are_not_this_pages():
    """A 往期 box links articles of other issues: the URL-shape rule takes only this issue's."""
    html = ('<div class="x"><a href="content_1.htm">今天的文章</a></div><div class="past">'
            '<a href="../18/content_7.htm">昨天的文章</a><a href="../../2025-02/19/content_8.htm">上月的文章</a></div>')
    assert _page(html).article_urls == ["http://e.test/html/2025-03/19/content_1.htm"]


def test_text_links_give_the_reading_order_before_the_image_map():
    html = ('<map name="m"><area href="content_3.htm?div=0"><area href="content_2.htm"><area href="content_1.htm">'
            '</map><div class="list"><a href="content_1.htm?div=-1">一</a><a href="content_2.htm#p1">二</a>'
            '<a href="content_3.htm">三</a></div>')
    assert [u[-13:] for u in _page(html).article_urls] == ["content_1.htm", "content_2.htm", "content_3.htm"]
