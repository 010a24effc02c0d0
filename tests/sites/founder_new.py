"""Render fixture data as a static Founder (方正) "new" e-paper site, and the records a crawl must yield.

Layout, as on the real sites (人民日报 since Dec 2024, many city papers):

    {out}/pc/layout/index.html                          meta refresh to the latest issue's first page
    {out}/pc/layout/{YYYYMM}/{DD}/node_01.html ...      版面 (page) files (node_A1.html, node_A10.html ...)
    {out}/pc/content/{YYYYMM}/{DD}/content_{key}.html   article files (family "ii" sites use pc/con/)
    {out}/pc/pic/{YYYYMM}/{DD}/{hash}.jpg               page scans
    {out}/pc/attachement/{YYYYMM}/{DD}/{hash}.pdf       page PDFs (sic: Founder spells it so; only when Page.pdf)
    {out}/robots.txt                                    allows everything

Two template families:
  "i"  (人民日报-like, HTML5): page list ul#layoutlist, this page span#layout, PDF in div.pull-right, title
       list ul.news-list plus an image map; article p#PreTitle / h2#Title / p#SubTitle / #Author, photos
       in div.attachment tables, body div#ozoom.
  "ii" (city papers, XHTML): page list div.Therestlist, this page div.newslisttit em (PDF next to it),
       title list div.newslist; article div.intro / div.newsdetatit h3 / div.sub / span.author, body
       div.newsdetatext wrapping <founder-content>, photos in div.picbox with a p.pic-txt caption.

Bodies are `printed_paragraphs` (byline, dateline and jump markers included), hard-wrapped like print
columns, with curly quotes as entities. Usage:
    python -m tests.sites.founder_new OUT_DIR --paper rmrb|heze
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
from collections.abc import Sequence
from datetime import date as Date
from functools import partial
from pathlib import Path

from tests.sites import render
from tests.sites.model import Article, Issue, Page, printed_paragraphs
from tests.sites.render import ROBOTS, esc, latest, long_date, neighbours, picture_rows, write

FAMILIES = ("i", "ii")
CONTENT_DIRS = {"i": "content", "ii": "con"}  # article folder under pc/
# Family i writes curly quotes and the middle dot as named entities, family ii the quotes as numeric ones.
BODY_ENTITIES = {"i": render.NAMED_ENTITIES, "ii": (("“", "&#8220;"), ("”", "&#8221;"))}


# --- paths (all relative to the site root) ------------------------------------------------------


def ym_d(issue: Issue) -> str:
    """The date part of every path: "202503/18"."""
    return f"{issue.date[:4]}{issue.date[5:7]}/{issue.date[8:]}"


def layout_dir(issue: Issue) -> str:
    """Folder of an issue's page files: "pc/layout/202503/18/"."""
    return f"pc/layout/{ym_d(issue)}/"


def content_dir(issue: Issue, family: str) -> str:
    """Folder of an issue's article files: "pc/content/202503/18/" (family ii: "pc/con/...")."""
    return f"pc/{CONTENT_DIRS[family]}/{ym_d(issue)}/"


def _digest(*parts: str) -> str:
    """A stable hex name, like the hashed file names Founder gives scans and PDFs."""
    return hashlib.md5("|".join(parts).encode("utf-8")).hexdigest()


def page_image_path(issue: Issue, page: Page) -> str:
    """The page scan."""
    return f"pc/pic/{ym_d(issue)}/{_digest(issue.date, page.node, 'jpg')}.jpg"


def page_pdf_path(issue: Issue, page: Page) -> str:
    """The page PDF ("" when the page has none)."""
    return f"pc/attachement/{ym_d(issue)}/{_digest(issue.date, page.node, 'pdf')}.pdf" if page.pdf else ""


def up(path: str) -> str:
    """A site-root path as a link from a page or article file: "pc/pic/x.jpg" -> "../../../pic/x.jpg"."""
    return "../../../" + path.removeprefix("pc/") if path.startswith("pc/") else "../../../../" + path


def article_file(article: Article) -> str:
    """File name of an article page."""
    return f"content_{article.key}.html"


def page_path(issue: Issue, page: Page) -> str:
    """A 版面 file."""
    return layout_dir(issue) + page.node


def article_path(issue: Issue, _page: Page, article: Article, *, family: str) -> str:
    """An article file."""
    return content_dir(issue, family) + article_file(article)


def layout(family: str) -> render.Layout:
    """Where a site of this template family puts its files."""
    return render.Layout(page_path, partial(article_path, family=family), page_image_path, page_pdf_path)


def page_label(page: Page) -> str:
    """The label the page list shows: "01版：要闻"."""
    return f"{page.page_no}版：{page.page_name}"


# --- text rendering -----------------------------------------------------------------------------


def body_paragraph(text: str, family: str) -> str:
    """One <p>, hard-wrapped, with the family's indent and entities."""
    start = '<p style="text-indent: 2em;">' if family == "i" else "<p>　　"
    return render.body_paragraph(text, start=start, entities=BODY_ENTITIES[family])


def split_title(title: str) -> str:
    """Family ii breaks long Chinese titles in two lines with <br> (as the print headline is set)."""
    if len(title) <= 14 or not all("\u4e00" <= c <= "\u9fff" for c in title):
        return esc(title)
    half = len(title) // 2
    return f"{esc(title[:half])}<br/>{esc(title[half:])}"


# --- page (版面) files ---------------------------------------------------------------------------


def content_href(issue: Issue, family: str, article: Article) -> str:
    """Link from a page file to an article file."""
    return f"../../../{CONTENT_DIRS[family]}/{ym_d(issue)}/{article_file(article)}"


def image_map(issue: Issue, page: Page, family: str) -> str:
    """Family i: the page scan with one polygon hot-spot per article, in markup order."""
    band = 1000 // max(len(page.articles), 1)
    areas = "\n".join(
        f'          <area shape="poly" coords="30,{20 + i * band},660,{20 + i * band},660,{10 + (i + 1) * band},'
        f'30,{10 + (i + 1) * band}" href="{content_href(issue, family, a)}">'
        for i, a in enumerate(page.articles)
    )
    return (
        '      <div class="paper">\n'
        f'        <img src="{up(page_image_path(issue, page))}" usemap="#PagePicMap" '
        f'alt="{esc(page_label(page))}">\n'
        f'        <map name="PagePicMap" id="PagePicMap">\n{areas}\n        </map>\n'
        "      </div>\n"
    )


def render_page_i(issue: Issue, page: Page, charset: str, paper_name: str) -> str:
    """Family i page: HTML5, Bootstrap-ish; every page's PDF icon sits in the page list too."""
    prev_node, next_node = neighbours(issue, page)
    pdf = page_pdf_path(issue, page)
    pdf_link = f'<a href="{up(pdf)}" target="_blank"><i class="icon-pdf"></i>PDF下载</a>' if pdf else ""
    layout_items = "\n".join(
        f'          <li class="posRelative"><a href="{p.node}">{esc(page_label(p))}</a>'
        + (f'<a class="pdf" href="{up(page_pdf_path(issue, p))}"><i class="icon-pdf"></i></a>'
           if p.pdf else "")
        + "</li>"
        for p in issue.pages
    )
    news = "\n".join(
        f'          <li><i class="icon-ti"></i><a href="{content_href(issue, "i", a)}">{esc(a.title)}</a></li>'
        for a in page.articles
    )
    guide = ""
    if page.guide:
        items = "\n".join(f"          <li>{esc(g)}</li>" for g in page.guide)
        guide = (
            '      <div class="guide">\n        <h3 class="title">今日导读</h3>\n'
            f"        <ul>\n{items}\n        </ul>\n      </div>\n"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n'
        f'<meta charset="{charset}">\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(paper_name)}</title>\n"
        '<link rel="stylesheet" href="../../../../static/css/bootstrap.min.css">\n'
        '<link rel="stylesheet" href="../../../../static/css/layout.css">\n'
        "</head>\n<body>\n"
        '<header class="header">\n  <div class="container">\n'
        f'    <div class="logo pull-left"><img src="../../../../static/images/logo.png" alt="{esc(paper_name)}">'
        "</div>\n"
        f'    <div class="date pull-left">{long_date(issue.date)}</div>\n'
        '    <div class="search pull-right"><input type="text" placeholder="站内搜索"></div>\n'
        "  </div>\n</header>\n"
        '<main class="container">\n  <div class="row">\n'
        '    <section class="col-md-7 paper-box">\n'
        '      <div class="paper-top clearfix">\n'
        f'        <div class="pull-left">第<span id="layout">{esc(page_label(page))}</span></div>\n'
        f'        <div class="pull-right">{pdf_link}</div>\n'
        "      </div>\n"
        + image_map(issue, page, "i")
        + '      <div class="paper-bot">\n'
        f'        <a class="btn" href="{prev_node}">上一版</a>\n'
        f'        <a class="btn" href="{next_node}">下一版</a>\n'
        "      </div>\n"
        "    </section>\n"
        '    <section class="col-md-5 list-box">\n'
        '      <div class="news">\n        <h3 class="title">本版新闻</h3>\n'
        f'        <ul class="news-list">\n{news}\n        </ul>\n      </div>\n'
        + guide
        + '      <div class="layout-list">\n        <h3 class="title">版面导航</h3>\n'
        f'        <ul id="layoutlist" class="list">\n{layout_items}\n        </ul>\n      </div>\n'
        "    </section>\n  </div>\n</main>\n"
        f'<footer class="footer"><p>{esc(paper_name)}社 版权所有</p></footer>\n'
        "</body>\n</html>\n"
    )


def render_page_ii(issue: Issue, page: Page, charset: str, paper_name: str) -> str:
    """Family ii page: XHTML transitional, the classic city-paper look."""
    prev_node, next_node = neighbours(issue, page)
    pdf = page_pdf_path(issue, page)
    pdf_link = f'<span class="pdf"><a href="{up(pdf)}" target="_blank">下载本版PDF</a></span>' if pdf else ""
    news = "\n".join(
        f'<li><span class="dot"></span><a href="{content_href(issue, "ii", a)}" title="{esc(a.title)}">'
        f"{esc(a.title)}</a></li>"
        for a in page.articles
    )
    rest = "\n".join(f'<li><a href="{p.node}">{esc(page_label(p))}</a></li>' for p in issue.pages)
    guide = ""
    if page.guide:
        items = "\n".join(f"<li>{esc(g)}</li>" for g in page.guide)
        guide = f'<div class="jrdd"><div class="tit">今日导读</div>\n<ul>\n{items}\n</ul>\n</div>\n'
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
        f"<title>{esc(paper_name)}</title>\n"
        '<link type="text/css" rel="stylesheet" href="../../../../static/css/style.css" />\n'
        '<script type="text/javascript" src="../../../../static/js/jquery.min.js"></script>\n'
        "</head>\n<body>\n"
        '<div class="top"><div class="w1200">'
        f'<div class="logo"><img src="../../../../static/images/logo.png" alt="{esc(paper_name)}" /></div>'
        f'<div class="time">{long_date(issue.date)}</div></div></div>\n'
        '<div class="w1200 main clearfix">\n'
        '<div class="main-left">\n'
        f'<div class="bmimg"><img src="{up(page_image_path(issue, page))}" width="560" '
        f'alt="{esc(page_label(page))}" /></div>\n'
        f'<div class="bmbtn"><a href="{prev_node}">上一版</a><a href="{next_node}">下一版</a></div>\n'
        "</div>\n"
        '<div class="main-right">\n'
        f'<div class="newslisttit"><em>{esc(page_label(page))}</em>{pdf_link}</div>\n'
        f'<div class="newslist">\n<ul>\n{news}\n</ul>\n</div>\n'
        + guide
        + f'<div class="Therestlist"><div class="tit">版面导航</div>\n<ul>\n{rest}\n</ul>\n</div>\n'
        "</div>\n</div>\n"
        f'<div class="footer">{esc(paper_name)} 版权所有 未经授权不得转载</div>\n'
        "</body>\n</html>\n"
    )


# --- article (content_*.html) files -------------------------------------------------------------


def enpproperty(issue: Issue, page: Page, article: Article) -> str:
    """The Founder metadata comment: a timestamped date, the page number as printed."""
    return render.enpproperty(article, f"{issue.date} 00:00:00:0", page.page_no, page_label(page))


def render_article_i(issue: Issue, page: Page, article: Article, charset: str, paper_name: str) -> str:
    """Family i article: HTML5; photos in div.attachment tables above div#ozoom."""
    pictures = ""
    if article.images:
        rows = picture_rows(article.images, lambda src: f'<img src="{up(src)}" alt="">',
                            '<td align="center" class="pic-caption">')
        pictures = (
            '      <div class="attachment">\n'
            f'<table width="100%" border="0" cellspacing="0" cellpadding="0"><tbody>\n{rows}</tbody></table>\n'
            "      </div>\n"
        )
    body = "\n".join(body_paragraph(p, "i") for p in printed_paragraphs(article))
    d = Date.fromisoformat(issue.date)
    return (
        (enpproperty(issue, page, article) if issue.enpproperty else "")
        + "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n'
        f'<meta charset="{charset}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(article.title)}_{esc(paper_name)}</title>\n"
        '<link rel="stylesheet" href="../../../../static/css/content.css">\n'
        "</head>\n<body>\n"
        f'<header class="header"><div class="container"><div class="date pull-left">{long_date(issue.date)}'
        "</div></div></header>\n"
        '<main class="container">\n  <div class="row">\n    <section class="col-md-8 article-box">\n'
        f'      <div class="article-nav"><a href="../../../layout/{ym_d(issue)}/{page.node}">'
        f"{esc(page_label(page))}</a></div>\n"
        '      <div class="article">\n'
        f'        <p id="PreTitle">{esc(article.pretitle)}</p>\n'
        f'        <h2 id="Title">{esc(article.title)}</h2>\n'
        f'        <p id="SubTitle">{esc(article.subtitle)}</p>\n'
        f'        <p class="sec"><span id="Author">{esc(article.site_author)}</span>'
        f'<span class="date">《 {esc(paper_name)} 》（ {d.year}年{d.month:02d}月{d.day:02d}日 第 {page.page_no} 版）'
        "</span></p>\n"
        + pictures
        + '      <div id="ozoom" data-fontsize="16">\n<!--enpcontent-->'
        + body
        + "<!--/enpcontent-->\n      </div>\n"
        "      </div>\n    </section>\n  </div>\n</main>\n"
        f'<footer class="footer"><p>{esc(paper_name)}社 版权所有</p></footer>\n'
        "</body>\n</html>\n"
    )


def render_article_ii(issue: Issue, page: Page, article: Article, charset: str, paper_name: str) -> str:
    """Family ii article: XHTML; photos in div.picbox, text in <founder-content> inside div.newsdetatext."""
    pictures = "".join(
        f'<div class="picbox"><img src="{up(src)}" />'
        + (f'<p class="pic-txt">{esc(caption)}</p>' if caption else "")
        + "</div>\n"
        for src, caption in article.images
    )
    body = "\n".join(body_paragraph(p, "ii") for p in printed_paragraphs(article))
    return (
        (enpproperty(issue, page, article) if issue.enpproperty else "")
        + '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
        f"<title>{esc(article.title)}--{esc(paper_name)}</title>\n"
        '<link type="text/css" rel="stylesheet" href="../../../../static/css/style.css" />\n'
        "</head>\n<body>\n"
        f'<div class="top"><div class="w1200"><div class="time">{long_date(issue.date)}</div></div></div>\n'
        '<div class="w1200 main clearfix">\n'
        f'<div class="crumb"><a href="../../../layout/{ym_d(issue)}/{page.node}">{esc(page_label(page))}</a>'
        "</div>\n"
        '<div class="newsdetail">\n'
        '<div class="newsdetatit">\n'
        f'<div class="intro">{esc(article.pretitle)}</div>\n'
        f"<h3>{split_title(article.title)}</h3>\n"
        f'<div class="sub">{esc(article.subtitle)}</div>\n'
        f'<div class="newsdetainfo"><span>{esc(paper_name)}</span>'
        f'<span class="author">作者：{esc(article.site_author)}</span>'
        f"<span>{issue.date}</span></div>\n"
        "</div>\n"
        '<div class="newsdetatext">\n'
        + pictures
        + f"<founder-content>{body}</founder-content>\n"
        "</div>\n</div>\n</div>\n"
        f'<div class="footer">{esc(paper_name)} 版权所有 未经授权不得转载</div>\n'
        "</body>\n</html>\n"
    )


RENDER_PAGE = {"i": render_page_i, "ii": render_page_ii}
RENDER_ARTICLE = {"i": render_article_i, "ii": render_article_ii}


# --- site ---------------------------------------------------------------------------------------


def build_site(
    out_dir: Path,
    issues: Sequence[Issue],
    *,
    family: str,
    encoding: str,
    paper_name: str,
) -> Path:
    """Write the whole static site under out_dir and return out_dir."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, not {family!r}")
    charset = render.charset(encoding)
    out = Path(out_dir)
    for issue in issues:
        render.write_issue(out, issue, encoding, paper_name, layout(family), RENDER_PAGE[family],
                           RENDER_ARTICLE[family])
    if issues:
        newest = latest(issues)
        target = f"{ym_d(newest)}/{newest.pages[0].node}"
        index = (
            "<!DOCTYPE html>\n<html>\n<head>\n"
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
            f'<meta http-equiv="refresh" content="0; url={target}">\n'
            f"<title>{esc(paper_name)}</title>\n</head>\n<body></body>\n</html>\n"
        )
        write(out / "pc/layout/index.html", index.encode(encoding))
    write(out / "robots.txt", ROBOTS)
    return out


# --- what a perfect crawl yields ----------------------------------------------------------------


def expected_records(issues: Sequence[Issue], base_url: str, paper: str, paper_name: str, *,
                     family: str) -> list[dict]:
    """Archive records (each page, then its articles in markup order) computed from the data, not the HTML."""
    return render.expected_records(issues, base_url, paper, paper_name, layout(family))


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: build one of the Founder new fixture papers into OUT_DIR."""
    parser = argparse.ArgumentParser(description="Build a Founder new fixture e-paper site.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--paper", choices=["rmrb", "heze"], default="rmrb")
    args = parser.parse_args(argv)
    data = importlib.import_module(f"tests.sites.{args.paper}.data")
    out = build_site(args.out_dir, data.ISSUES, family=data.FAMILY, encoding=data.ENCODING,
                     paper_name=data.PAPER_NAME)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
