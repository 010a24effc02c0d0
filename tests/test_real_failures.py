"""Regression fixtures for the failures issue #10 saw on real e-papers (numbered as in the issue): each a small
page made from our own fixture text that reproduces the markup feature as the issue describes it, parsed by the
pure extractors; failures 6 and 12 are about which pages get fetched, so they are real crawls of a generated
site served on loopback."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from crawler.platforms import extract, get_platform
from crawler.profiles import load_profile
from crawler.spiders.epaper import page_id
from crawler.text import normalize_inline
from tests.conftest import COLLECTED, read_archive, run_scrapy
from tests.platform_cases import E2E_FIELDS
from tests.sites import render
from tests.sites.heze.data import ISSUES as HEZE_ISSUES
from tests.sites.model import printed_paragraphs
from tests.sites.rmrb.data import ISSUES as RMRB_ISSUES
from tests.sites.server import serve
from tests.sites.variants import PAPER, PAPER_NAME, build_site, layout, make_issue, native, pooled, sample_issue
from tests.sites.xihaian.data import ISSUES as XIHAIAN_ISSUES

XIHAIAN_FRONT = next(i for i in XIHAIAN_ISSUES if i.date == "2025-03-19").pages[0]  # 第01版：要闻, 3 articles
RMRB_FRONT = RMRB_ISSUES[0].pages[0]  # 01版：要闻, 3 articles
HEZE_A3 = HEZE_ISSUES[0].pages[2]  # A3版：综合
CLASSIC = "http://paper.example.test/xihaian/"
NEW = "http://paper.example.test/rmrb/"


def respond(url: str, html: str, encoding: str = "utf-8") -> HtmlResponse:
    """A response with the page's bytes and no charset header (the page's meta decides)."""
    return HtmlResponse(url=url, body=html.encode(encoding), headers={"Content-Type": "text/html"})


def paragraphs_html(article) -> str:
    """The article's printed paragraphs as <p> elements, hard-wrapped like print columns."""
    return "\n".join(render.body_paragraph(p) for p in printed_paragraphs(article))


def head(charset: str = "utf-8", title: str = "") -> str:
    """Doctype, head with the charset declaration and title, and the opening body tag."""
    return (f'<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{title}</title></head>\n<body>\n")


# --- 1. links with a query string or fragment ----------------------------------------------------


def classic_page_with_suffixes() -> str:
    """Title list links ?div=-1 and #p1, the image map links the same articles again with ?div=0, the page
    list ?v=1."""
    a = XIHAIAN_FRONT.articles
    return (
        head("gb2312")
        + '<table id="bmdhTable">\n<tr><td class="default"><a id="pageLink" href="node_2.htm?v=1">第01版：要闻</a>'
        '</td></tr>\n<tr><td class="default"><a id="pageLink" href="node_3.htm?v=1">第02版：综合</a></td></tr>\n'
        '</table>\n<map name="PagePicMap">\n'
        + "".join(f'<area shape="rect" coords="20,{20 + 200 * n},460,{200 + 200 * n}" '
                  f'href="content_{x.key}.htm?div=0">\n' for n, x in enumerate(a))
        + '</map><img src="../../../page/2025-03/19/01/2025031901_brief.jpg" usemap="#PagePicMap">\n'
        '<div id="main-ed-articlenav-list"><table>\n'
        f'<tr><td class="default"><a href="content_{a[0].key}.htm?div=-1">{a[0].title}</a></td></tr>\n'
        f'<tr><td class="default"><a href="content_{a[1].key}.htm#p1">{a[1].title}</a></td></tr>\n'
        f'<tr><td class="default"><a href="content_{a[2].key}.htm?div=-1#p1">{a[2].title}</a></td></tr>\n'
        "</table></div>\n</body></html>\n"
    )


def new_page_with_suffixes() -> str:
    """The same on a Founder-new page: ../../../content/… links with ?div=-1, #p1 and ?div=0."""
    a = RMRB_FRONT.articles
    href = [f"../../../content/202503/18/content_{x.key}.html" for x in a]
    return (
        head()
        + '<div class="paper-top"><div class="pull-left">第<span id="layout">01版：要闻</span></div></div>\n'
        '<div class="paper"><img src="../../../pic/202503/18/page01.jpg" usemap="#PagePicMap">\n'
        '<map name="PagePicMap" id="PagePicMap">\n'
        + "".join(f'<area shape="poly" coords="30,{20 + 300 * n},660,{300 + 300 * n}" href="{h}?div=0">\n'
                  for n, h in enumerate(href))
        + '</map></div>\n<ul class="news-list">\n'
        f'<li><a href="{href[0]}?div=-1">{a[0].title}</a></li>\n<li><a href="{href[1]}#p1">{a[1].title}</a></li>\n'
        f'<li><a href="{href[2]}">{a[2].title}</a></li>\n</ul>\n'
        '<ul id="layoutlist">\n<li><a href="node_01.html?v=1">01版：要闻</a></li>\n'
        '<li><a href="node_02.html#top">02版：要闻</a></li>\n</ul>\n</body></html>\n'
    )


@pytest.mark.parametrize(
    ("platform", "url", "html", "articles", "pages"),
    [
        ("founder-classic", f"{CLASSIC}html/2025-03/19/node_2.htm", classic_page_with_suffixes(),
         [f"{CLASSIC}html/2025-03/19/content_{a.key}.htm" for a in XIHAIAN_FRONT.articles],
         [(f"{CLASSIC}html/2025-03/19/node_2.htm", "01", "要闻"),
          (f"{CLASSIC}html/2025-03/19/node_3.htm", "02", "综合")]),
        ("founder-new", f"{NEW}pc/layout/202503/18/node_01.html", new_page_with_suffixes(),
         [f"{NEW}pc/content/202503/18/content_{a.key}.html" for a in RMRB_FRONT.articles],
         [(f"{NEW}pc/layout/202503/18/node_01.html", "01", "要闻"),
          (f"{NEW}pc/layout/202503/18/node_02.html", "02", "要闻")]),
    ],
    ids=["founder-classic", "founder-new"],
)
def test_1_links_with_query_strings_or_fragments_are_kept_once_and_canonical(platform, url, html, articles, pages):
    cfg = get_platform(platform)
    parsed = extract.parse_page(respond(url, html, "gbk" if "gb2312" in html else "utf-8"), cfg)
    assert parsed.article_urls == articles
    assert [(p.url, p.page_no, p.page_name) for p in parsed.pages] == pages
    assert (parsed.page_no, parsed.page_name) == pages[0][1:]
    keys = [extract.article_key(u, cfg) for u in articles]
    assert all(keys) and [extract.article_key(u + "?div=-1", cfg) for u in articles] == keys


# --- 2. 人民日报's current pc/layout template ---------------------------------------------------------

RMRB_2026_NAMES = ["要闻", "要闻", "要闻", "要闻", "评论", "经济", "政治", "文化", "国际", "国际",
                   "社会", "体育", "视点", "理论", "副刊", "生态", "科技", "教育", "健康", "广告"]
RMRB_2026 = f"{NEW}pc/layout/202603/10/"
RMRB_2026_PDF = "attachement/202603/10/3f6b2a1c-8d4e-4f0a-9b7c-1e2d3c4b5a69.pdf"
RMRB_2026_SCAN = "pic/202603/10/5e1c0d9a7b3f4e2a8c6d1b0a9f8e7d6c.jpg.2"


def rmrb_2026_page() -> str:
    """A carousel page list ("01版：要闻", no 第), the label in p.left.ban, the PDF as an attachement/<uuid>.pdf
    download link, the scan's src ending .jpg.2."""
    a = RMRB_FRONT.articles
    slides = "\n".join(f'<div class="swiper-slide"><a id="pageLink" href="node_{n:02d}.html">{n:02d}版：{name}</a>'
                       "</div>" for n, name in enumerate(RMRB_2026_NAMES, 1))
    links = "\n".join(f'<li><a href="../../../content/202603/10/content_{x.key}.html">{x.title}</a></li>' for x in a)
    areas = "\n".join(f'<area shape="poly" coords="30,{20 + 300 * n},660,{300 + 300 * n}" '
                      f'href="../../../content/202603/10/content_{x.key}.html">' for n, x in enumerate(a))
    return (
        head(title="人民日报")
        + '<div class="paper-box">\n<div class="paper-bot clearfix">\n<p class="left ban">第01版：要闻</p>\n'
        f'<p class="right btn"><a href="../../../{RMRB_2026_PDF}" download>PDF下载</a></p>\n</div>\n'
        f'<div class="pic"><img src="../../../{RMRB_2026_SCAN}" usemap="#PagePicMap">\n'
        f'<map name="PagePicMap" id="PagePicMap">\n{areas}\n</map></div>\n</div>\n'
        f'<div class="news"><ul class="news-list">\n{links}\n</ul></div>\n'
        f'<div class="swiper-box"><div class="swiper-container"><div class="swiper-wrapper">\n{slides}\n'
        "</div></div></div>\n</body></html>\n"
    )


def test_2_rmrb_pc_layout_carousel_template_with_the_bundled_profile():
    cfg = load_profile("rmrb").platform_config()
    parsed = extract.parse_page(respond(f"{RMRB_2026}node_01.html", rmrb_2026_page()), cfg)
    want_pages = [(f"{RMRB_2026}node_{n:02d}.html", f"{n:02d}", name) for n, name in enumerate(RMRB_2026_NAMES, 1)]
    assert [(p.url, p.page_no, p.page_name) for p in parsed.pages] == want_pages
    assert (parsed.page_no, parsed.page_name) == ("01", "要闻")
    assert page_id("rmrb", parsed.date, parsed.page_no) == "rmrb-20260310-p01"
    assert parsed.pdf_url == f"{NEW}pc/{RMRB_2026_PDF}"
    assert parsed.image_url == f"{NEW}pc/{RMRB_2026_SCAN}"
    assert parsed.article_urls == [f"{NEW}pc/content/202603/10/content_{a.key}.html" for a in RMRB_FRONT.articles]


# --- 3. two headings with the same class on an nbs page ----------------------------------------------


def test_3_nbs_second_l_t_heading_is_not_part_of_the_page_name():
    nbs = "http://paper.example.test/rmrb-nbs/html/2017-11/20/"
    html = (
        head("gb2312")
        + '<div class="right_title"><div class="l_t">01版:要闻</div></div>\n'
        '<div id="titleList"><ul class="news-list">\n'
        '<li><a href="nw.D110000renmrb_20171120_1-01.htm">各地扎实做好冬季民生保障工作</a></li>\n</ul></div>\n'
        '<div class="l_t l_t1">版面目录</div>\n<div class="swiper-container"><div class="swiper-wrapper">\n'
        '<div class="swiper-slide"><a id="pageLink" href="nbs.D110000renmrb_01.htm">第01版：要闻</a></div>\n'
        '<div class="swiper-slide"><a id="pageLink" href="nbs.D110000renmrb_02.htm">第02版：要闻</a></div>\n'
        "</div></div>\n</body></html>\n"
    )
    parsed = extract.parse_page(respond(nbs + "nbs.D110000renmrb_01.htm", html, "gbk"), get_platform("nbs"))
    assert (parsed.page_no, parsed.page_name) == ("01", "要闻")
    assert [(p.page_no, p.page_name) for p in parsed.pages] == [("01", "要闻"), ("02", "要闻")]


# --- 4. a classic page list that appears twice, first hidden ----------------------------------------

JXRB_NAMES = ["头版", "要闻", "要闻", "综合", "经济", "民生", "文化", "评论", "理论", "法治", "体育", "副刊"]


def test_4_hidden_duplicate_page_menu_does_not_blank_the_page_numbers():
    day = "http://paper.example.test/jxrb/html/2017-11/20/"
    hidden = "".join(f"<li><a id=pageLink href=node_{187 + n}.htm>A{n + 1:02d}： {name}</a></li>"
                     for n, name in enumerate(JXRB_NAMES))
    visible = "\n".join(f'<tr><td class="default"><a id="pageLink" href="node_{187 + n}.htm">第A{n + 1:02d}版：{name}'
                        "</a></td></tr>" for n, name in enumerate(JXRB_NAMES))
    html = (head("gb2312") + f"<div id=pgn style=display:none><ul>{hidden}</ul></div>\n"
            + f'<table id="bmdhTable">\n{visible}\n</table>\n</body></html>\n')
    parsed = extract.parse_page(respond(day + "node_187.htm", html, "gbk"), get_platform("founder-classic"))
    want = [(f"{day}node_{187 + n}.htm", f"A{n + 1:02d}", name) for n, name in enumerate(JXRB_NAMES)]
    assert [(p.url, p.page_no, p.page_name) for p in parsed.pages] == want
    assert (parsed.page_no, parsed.page_name) == ("A01", "头版")
    assert len({page_id("jxrb", parsed.date, p.page_no) for p in parsed.pages}) == len(JXRB_NAMES)


# --- 5. page names with spaces inside ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "url", "html"),
    [
        ("founder-classic", f"{CLASSIC}html/2025-03/19/node_3.htm",
         head("gb2312") + '<table id="bmdhTable">\n'
         '<tr><td class="default"><a id="pageLink" href="node_2.htm">第01版：要 闻</a></td></tr>\n'
         '<tr><td class="default"><a id="pageLink" href="node_3.htm">第02版：综 合</a></td></tr>\n</table>\n'
         "</body></html>\n"),
        ("founder-new", f"{NEW}pc/layout/202503/18/node_02.html",
         head() + '<div class="pull-left">第<span id="layout">02版：综　合</span></div>\n<ul id="layoutlist">\n'
         '<li><a href="node_01.html">01版：要　闻</a></li>\n<li><a href="node_02.html">02版：综 合</a></li>\n'
         "</ul>\n</body></html>\n"),
    ],
    ids=["founder-classic", "founder-new"],
)
def test_5_spaces_inside_page_names_are_dropped(platform, url, html):
    parsed = extract.parse_page(respond(url, html, "gbk" if "gb2312" in html else "utf-8"), get_platform(platform))
    assert (parsed.page_no, parsed.page_name) == ("02", "综合")
    assert [p.page_name for p in parsed.pages] == ["要闻", "综合"]


# --- 7. <founder-author> in the row an older template uses for 副题 ------------------------------------


def test_7_author_in_the_subtitle_row_is_not_the_subtitle():
    article = XIHAIAN_FRONT.articles[0]  # no 引题, no 副题
    html = (
        head("gb2312", f"{article.title}--西海岸新闻") + '<table width="100%">\n'
        '<tr><td class="font02" align="center"><founder-introtitle></founder-introtitle></td></tr>\n'
        f'<tr><td class="font01" align="center"><founder-title>{article.title}</founder-title></td></tr>\n'
        f'<tr><td class="font02" align="center"><founder-author>{article.site_author}</founder-author></td></tr>\n'
        f'</table>\n<div id="ozoom"><founder-content>{paragraphs_html(article)}</founder-content></div>\n'
        "</body></html>\n"
    )
    url = f"{CLASSIC}html/2025-03/19/content_{article.key}.htm"
    parsed = extract.parse_article(respond(url, html, "gbk"), get_platform("founder-classic"))
    assert (parsed.pretitle, parsed.title, parsed.subtitle) == ("", article.title, "")
    assert parsed.author == article.site_author
    assert parsed.paragraphs == printed_paragraphs(article)


# --- 8. images and captions outside the content element ----------------------------------------------


def test_8_photo_and_caption_before_founder_content_are_an_image_not_body_text():
    article = next(a for a in HEZE_ISSUES[0].pages[1].articles if a.images)  # a photo with its caption
    caption = article.images[0][1].split("□")[0] + "（新华社发）"
    url = f"http://paper.example.test/hbrb/pc/content/202302/10/content_{article.key}.html"
    html = (
        head(title=article.title) + f"<h1><founder-title>{article.title}</founder-title></h1>\n"
        '<div id="content"><img src="../../../pic/202302/10/c7e1f0a2.tif.1">'
        f"<p>{caption}</p>\n<founder-content>{paragraphs_html(article)}</founder-content></div>\n</body></html>\n"
    )
    parsed = extract.parse_article(respond(url, html), get_platform("founder-new"))
    assert parsed.images == [{"url": "http://paper.example.test/hbrb/pc/pic/202302/10/c7e1f0a2.tif.1",
                              "caption": caption}]
    assert parsed.paragraphs == printed_paragraphs(article)
    assert parsed.title == article.title


# --- 11. the enpproperty comment with founder- prefixed tags ----------------------------------------


def test_11_prefixed_enpproperty_comment_gives_the_fields():
    article = XIHAIAN_FRONT.articles[2]  # 引题, 副题, author
    comment = (
        f"<!--enpproperty <founder-articleid>{article.key}</founder-articleid><founder-date>2025-03-19</founder-date>"
        f"<founder-author>{article.site_author}</founder-author><founder-pagenum>1</founder-pagenum>"
        f"<founder-introtitle>{article.pretitle}</founder-introtitle><founder-title>{article.title}</founder-title>"
        f"<founder-subtitle>{article.subtitle}</founder-subtitle><founder-nodename>第01版：要闻</founder-nodename>"
        "/enpproperty-->\n"
    )
    html = (comment + head("gb2312", f"{article.title}--西海岸新闻")
            + f'<div id="ozoom"><founder-content>{paragraphs_html(article)}</founder-content></div>\n</body></html>\n')
    url = f"{CLASSIC}html/2025-03/19/content_{article.key}.htm"
    parsed = extract.parse_article(respond(url, html, "gbk"), get_platform("founder-classic"))
    got = (parsed.pretitle, parsed.title, parsed.subtitle, parsed.author)
    assert got == (article.pretitle, article.title, article.subtitle, article.site_author)
    assert (parsed.date, parsed.page_no, parsed.page_name) == ("2025-03-19", "01", "要闻")
    assert parsed.paragraphs == printed_paragraphs(article)


# --- 14. the pad (mobile) edition's article pages ------------------------------------------------------


def test_14_pad_edition_article_page():
    article = HEZE_A3.articles[2]  # 引题, 副题, two authors
    html = (
        head(title=article.title) + '<div class="caption">'
        f'<font id="intro-title">{article.pretitle}</font><br><font id="main-title">{article.title}</font><br>'
        f'<font id="sub-title">{article.subtitle}</font><br><font id="author">{article.site_author}</font></div>\n'
        f'<div id="ozoom"><founder-content>{paragraphs_html(article)}</founder-content></div>\n</body></html>\n'
    )
    url = f"http://paper.example.test/heze/pad/content/202503/19/content_{article.key}.html"
    parsed = extract.parse_article(respond(url, html), get_platform("founder-new"))
    assert parsed.article_key == article.key
    got = (parsed.pretitle, parsed.title, parsed.subtitle, parsed.author)
    assert got == (article.pretitle, article.title, article.subtitle, normalize_inline(article.site_author))
    assert parsed.paragraphs == printed_paragraphs(article)


# --- 6 and 12: crawls ----------------------------------------------------------------------------------


def crawl_records(site, *args: str, archive) -> tuple:
    """Serve a site, crawl it with the given arguments; (result, records, base URL)."""
    with serve(site) as base:
        result = run_scrapy("crawl", "epaper", "-a", f"paper={PAPER}", "-a", f"name={PAPER_NAME}",
                            "-a", f"base_url={base}", *args, "-s", f"ARCHIVE_DIR={archive}")
    return result, read_archive(archive), base


def assert_records(result, got: list[dict], want: list[dict]) -> None:
    """The crawl succeeded and archived exactly the wanted records, every compared field right."""
    assert result.returncode in COLLECTED, result.stderr[-3000:]
    by_url = {r["url"]: r for r in want}
    assert sorted(r["url"] for r in got) == sorted(by_url)
    for record in got:
        fields = E2E_FIELDS[record["type"]]
        assert {k: record[k] for k in fields} == {k: by_url[record["url"]][k] for k in fields}


def test_6_a_day_whose_first_page_has_another_name_is_crawled(tmp_path):
    """node_01.html on 2025-03-18, node_A1.html on 2025-03-19, one crawl of both days with no first_node."""
    variant = native("founder-new")
    groups = [[pooled("rmrb", "30061001")], [pooled("rmrb", "30061004"), pooled("rmrb", "30061005")]]
    day1 = make_issue(variant, "2025-03-18", groups, ["要闻", "要闻"], [True, True])
    groups = [[pooled("heze", "3265101")], [pooled("heze", "3265106")]]
    day2 = make_issue(native("founder-new", first_node="node_A1.html", numbering="short-letters"), "2025-03-19",
                      groups, ["要闻", "综合"], [True, True])
    assert [p.node for p in day2.pages] == ["node_A1.html", "node_A2.html"]
    site = build_site(tmp_path / "site", variant, [day1, day2])
    result, got, base = crawl_records(site, "-a", "platform=founder-new", "-a", "start=2025-03-18",
                                      "-a", "end=2025-03-19", archive=tmp_path / "archive")
    assert_records(result, got, render.expected_records([day1, day2], base, PAPER, PAPER_NAME, layout(variant)))


LATEST_PAGES = {
    "noscript-refresh": '<html><head><noscript><meta http-equiv="refresh" content="0; url={first}"></noscript>'
                        '<script>window.location.href="{first}";</script></head><body></body></html>\n',
    "script-only": '<html><head><script type="text/javascript">window.location.href="{first}";</script></head>'
                   "<body></body></html>\n",
}


@pytest.mark.parametrize("kind", sorted(LATEST_PAGES))
def test_12_latest_issue_page_redirecting_without_a_plain_meta_refresh(kind, tmp_path):
    variant = native("founder-classic")
    issue = sample_issue(variant)
    latest_page = LATEST_PAGES[kind].format(first=f"html/2025-03/19/{issue.pages[0].node}")
    site = build_site(tmp_path / "site", variant, [issue], latest_page=latest_page)
    result, got, base = crawl_records(site, "-a", "platform=founder-classic", archive=tmp_path / "archive")
    assert_records(result, got, render.expected_records([issue], base, PAPER, PAPER_NAME, layout(variant)))
