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
import html
import importlib
from collections.abc import Sequence
from datetime import date as Date
from pathlib import Path

from tests.sites.model import Article, Issue, Page, article_fields, article_id, printed_paragraphs

FAMILIES = ("i", "ii")
ENCODINGS = {"gbk": "gb2312", "utf-8": "utf-8"}  # bytes codec -> charset the page declares
CONTENT_DIRS = {"i": "content", "ii": "con"}  # article folder under pc/
WRAP_WIDTHS = (14, 16, 13, 15)  # print-column line lengths the paragraphs are hard-wrapped at
WEEKDAYS = "一二三四五六日"

# Smallest JPEG-shaped file and an empty PDF: crawlers record these URLs, never decode the files.
FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
FAKE_PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


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


def page_label(page: Page) -> str:
    """The label the page list shows: "01版：要闻"."""
    return f"{page.page_no}版：{page.page_name}"


def long_date(iso: str) -> str:
    """The masthead date: "2025年03月18日 星期二"."""
    d = Date.fromisoformat(iso)
    return f"{d.year}年{d.month:02d}月{d.day:02d}日 星期{WEEKDAYS[d.weekday()]}"


# --- text rendering -----------------------------------------------------------------------------


def esc(text: str) -> str:
    """Plain HTML escaping for titles, captions and attributes."""
    return html.escape(text, quote=True)


def esc_body(text: str, family: str) -> str:
    """Body escaping: family i writes curly quotes as named entities, family ii as numeric ones."""
    out = html.escape(text, quote=False)
    if family == "i":
        return out.replace("“", "&ldquo;").replace("”", "&rdquo;").replace("·", "&middot;")
    return out.replace("“", "&#8220;").replace("”", "&#8221;")


def hard_wrap(text: str) -> list[str]:
    """Cut text into print-column lines of 13-16 chars, never next to a space (joining must lose nothing)."""
    lines: list[str] = []
    start, n = 0, 0
    while len(text) - start > WRAP_WIDTHS[n % len(WRAP_WIDTHS)]:
        cut = start + WRAP_WIDTHS[n % len(WRAP_WIDTHS)]
        while cut < len(text) and (text[cut] == " " or text[cut - 1] == " "):
            cut += 1
        lines.append(text[start:cut])
        start, n = cut, n + 1
    lines.append(text[start:])
    return [line for line in lines if line]


def body_paragraph(text: str, family: str) -> str:
    """One <p>, hard-wrapped; each line escaped on its own so no entity is cut."""
    lines = "\n".join(esc_body(line, family) for line in hard_wrap(text))
    if family == "i":
        return f'<p style="text-indent: 2em;">{lines}</p>'
    return f"<p>　　{lines}</p>"


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
    idx = issue.pages.index(page)
    prev_node = issue.pages[max(idx - 1, 0)].node
    next_node = issue.pages[min(idx + 1, len(issue.pages) - 1)].node
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
    idx = issue.pages.index(page)
    prev_node = issue.pages[max(idx - 1, 0)].node
    next_node = issue.pages[min(idx + 1, len(issue.pages) - 1)].node
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
    """The Founder metadata comment; raw characters, because entities are not decoded inside comments."""
    return (
        f"<!--enpproperty <articleid>{article.key}</articleid><date>{issue.date} 00:00:00:0</date>"
        f"<author>{article.site_author}</author><page>{page.page_no}</page>"
        f"<introtitle>{article.pretitle}</introtitle><title>{article.title}</title>"
        f"<subtitle>{article.subtitle}</subtitle><nodename>{page_label(page)}</nodename>"
        "<keyword></keyword><siteid>1</siteid>/enpproperty-->\n"
    )


def render_article_i(issue: Issue, page: Page, article: Article, charset: str, paper_name: str) -> str:
    """Family i article: HTML5; photos in div.attachment tables above div#ozoom."""
    pictures = ""
    if article.images:
        rows = "".join(
            f'<tr><td align="center"><img src="{up(src)}" alt=""></td></tr>\n'
            + (f'<tr><td align="center" class="pic-caption">{esc(caption)}</td></tr>\n' if caption else "")
            for src, caption in article.images
        )
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


def write(path: Path, data: bytes) -> None:
    """Write bytes, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def latest(issues: Sequence[Issue]) -> Issue:
    """The newest issue, which pc/layout/index.html refreshes to."""
    return max(issues, key=lambda i: i.date)


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
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {sorted(ENCODINGS)}, not {encoding!r}")
    charset = ENCODINGS[encoding]
    out = Path(out_dir)
    for issue in issues:
        for page in issue.pages:
            # strict: a character the codec cannot hold must fail the build, not turn into "?".
            text = RENDER_PAGE[family](issue, page, charset, paper_name)
            write(out / layout_dir(issue) / page.node, text.encode(encoding))
            write(out / page_image_path(issue, page), FAKE_JPEG)
            if page.pdf:
                write(out / page_pdf_path(issue, page), FAKE_PDF)
            for article in page.articles:
                text = RENDER_ARTICLE[family](issue, page, article, charset, paper_name)
                write(out / content_dir(issue, family) / article_file(article), text.encode(encoding))
                for src, _caption in article.images:
                    write(out / src, FAKE_JPEG)
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
    write(out / "robots.txt", b"User-agent: *\nDisallow:\n")
    return out


# --- what a perfect crawl yields ----------------------------------------------------------------


def expected_records(issues: Sequence[Issue], base_url: str, paper: str, paper_name: str, *,
                     family: str) -> list[dict]:
    """Archive records (each page, then its articles in markup order) computed from the data, not the HTML."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    records: list[dict] = []
    for issue in issues:
        for page in issue.pages:
            page_url = f"{base}{layout_dir(issue)}{page.node}"
            pdf = page_pdf_path(issue, page)
            pdf_url = f"{base}{pdf}" if pdf else ""
            records.append({
                "type": "page",
                "paper": paper,
                "date": issue.date,
                "page_no": page.page_no,
                "page_name": page.page_name,
                "url": page_url,
                "pdf_url": pdf_url,
                "image_url": f"{base}{page_image_path(issue, page)}",
                "article_ids": [article_id(paper, issue.date, a.key) for a in page.articles],
            })
            for position, a in enumerate(page.articles):
                records.append({
                    "type": "article",
                    "id": article_id(paper, issue.date, a.key),
                    "paper": paper,
                    "paper_name": paper_name,
                    "date": issue.date,
                    "page_no": page.page_no,
                    "page_name": page.page_name,
                    "position": position,
                    **article_fields(a, issue, paper),
                    "images": [{"url": f"{base}{src}", "caption": cap} for src, cap in a.images],
                    "url": f"{base}{content_dir(issue, family)}{article_file(a)}",
                    "page_url": page_url,
                    "pdf_url": pdf_url,
                })
    return records


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
