"""Render fixture data as a Founder "new" e-paper under another root than pc/layout/, or as its mobile (pad)
edition, and the records a crawl must yield.

The URL schemes are those public crawlers document for real papers (each site is built under its paper folder,
e.g. {out}/gmrb/ for base URL .../gmrb/):

    html/layout/YYYYMM/DD/node_01.html   html/content/YYYYMM/DD/content_ID.html   光明日报, 文摘报
    layout/YYYYMM/DD/node_01.html        content/YYYYMM/DD/content_ID.html        安徽日报
    html/YYYYMM/DD/node_A1.html          html/YYYYMM/DD/content_ID.html           南方日报 (articles beside pages)
    paper/YYYYMM/DD/node_01.html         paper/content/YYYYMM/DD/content_ID.html  中国旅游报
    pad/column/YYYYMM/DD/node_01.html    pad/content/YYYYMM/DD/content_ID.html    湖北日报's pad edition

plus {root}index.html refreshing to the latest issue's first page. The markup of those pages was not available
here: pages are modelled on template family "i" of tests/sites/founder_new.py (ul#layoutlist, span#layout,
div.pull-right PDF, ul.news-list + image map), articles on family i too, except the pad edition's, which carry
引题 / title / 副题 / author in font#intro-title / font#main-title / font#sub-title / font#author inside a caption
div, as issue #10 describes them. Usage: python -m tests.sites.founder_roots OUT_DIR --root html/layout/
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Sequence
from datetime import date as Date
from pathlib import Path
from typing import NamedTuple

from tests.sites import render
from tests.sites.derive import rel, write_site
from tests.sites.model import Article, Issue, Page, printed_paragraphs
from tests.sites.render import esc, long_date, neighbours, picture_rows


class Root(NamedTuple):
    """Where one Founder new site keeps its files, relative to its base URL."""

    pages: str  # folder before YYYYMM/DD/ of the page files
    articles: str  # folder before YYYYMM/DD/ of the article files
    assets: str  # folder of the scans (pic/) and PDFs (attachement/)
    pad: bool = False  # the mobile edition's article template


ROOTS = {
    "html/layout/": Root("html/layout/", "html/content/", "html/"),
    "layout/": Root("layout/", "content/", ""),
    "html/": Root("html/", "html/", "html/"),
    "paper/": Root("paper/", "paper/content/", "paper/"),
    "pad/column/": Root("pad/column/", "pad/content/", "pad/", pad=True),
}


# --- paths (relative to the site's base URL) ----------------------------------------------------


def ym_d(issue: Issue) -> str:
    """The date part of every path: "202503/18"."""
    return f"{issue.date[:4]}{issue.date[5:7]}/{issue.date[8:]}"


def _digest(*parts: str) -> str:
    """A stable hex name, like Founder's hashed scan and PDF names."""
    return hashlib.md5("|".join(parts).encode("utf-8")).hexdigest()


def layout(root: Root) -> render.Layout:
    """Where a site with this root puts its files."""
    return render.Layout(
        lambda issue, page: f"{root.pages}{ym_d(issue)}/{page.node}",
        lambda issue, _page, article: f"{root.articles}{ym_d(issue)}/content_{article.key}.html",
        lambda issue, page: f"{root.assets}pic/{ym_d(issue)}/{_digest(issue.date, page.node, 'jpg')}.jpg",
        lambda issue, page: (f"{root.assets}attachement/{ym_d(issue)}/{_digest(issue.date, page.node, 'pdf')}.pdf"
                             if page.pdf else ""),
    )


def page_label(page: Page) -> str:
    """The label the page list shows: "01版：要闻"."""
    return f"{page.page_no}版：{page.page_name}"


# --- page (版面) files --------------------------------------------------------------------------


def render_page(root: Root, issue: Issue, page: Page, charset: str, paper_name: str) -> str:
    """One page: the scan with its image map, this page's label and PDF, the title list and the page list."""
    where = layout(root)
    here = where.page_path(issue, page)
    prev_node, next_node = neighbours(issue, page)
    pdf = where.page_pdf_path(issue, page)
    pdf_link = f'<a href="{rel(here, pdf)}" target="_blank">PDF下载</a>' if pdf else ""
    areas = "\n".join(
        f'<area shape="rect" coords="20,{20 + i * 90},640,{100 + i * 90}" '
        f'href="{rel(here, where.article_path(issue, page, a))}">'
        for i, a in enumerate(page.articles)
    )
    news = "\n".join(f'<li><a href="{rel(here, where.article_path(issue, page, a))}">{esc(a.title)}</a></li>'
                     for a in page.articles)
    pages = "\n".join(f'<li><a href="{p.node}">{esc(page_label(p))}</a></li>' for p in issue.pages)
    guide = "".join(f"<li>{esc(g)}</li>" for g in page.guide)
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="{charset}">\n'
        f"<title>{esc(paper_name)}</title>\n</head>\n<body>\n"
        f'<header><div class="date">{long_date(issue.date)}</div></header>\n<main class="container">\n'
        f'<div class="paper-top"><div class="pull-left">第<span id="layout">{esc(page_label(page))}</span></div>'
        f'<div class="pull-right">{pdf_link}</div></div>\n'
        f'<div class="paper"><img src="{rel(here, where.page_image_path(issue, page))}" usemap="#PagePicMap">\n'
        f'<map name="PagePicMap">\n{areas}\n</map></div>\n'
        f'<div class="paper-bot"><a href="{prev_node}">上一版</a><a href="{next_node}">下一版</a></div>\n'
        f'<ul class="news-list">\n{news}\n</ul>\n'
        + (f'<div class="guide"><h3>今日导读</h3><ul>{guide}</ul></div>\n' if guide else "")
        + f'<ul id="layoutlist">\n{pages}\n</ul>\n</main>\n</body>\n</html>\n'
    )


# --- article files ------------------------------------------------------------------------------


def article_head(root: Root, article: Article) -> str:
    """引题 / title / 副题 / author: family i's elements, or the pad edition's caption fonts."""
    if root.pad:
        return (
            '<div class="caption">\n'
            f'<font id="intro-title">{esc(article.pretitle)}</font><br>\n'
            f'<font id="main-title">{esc(article.title)}</font><br>\n'
            f'<font id="sub-title">{esc(article.subtitle)}</font><br>\n'
            f'<font id="author">{esc(article.site_author)}</font>\n</div>\n'
        )
    return (
        f'<p id="PreTitle">{esc(article.pretitle)}</p>\n<h2 id="Title">{esc(article.title)}</h2>\n'
        f'<p id="SubTitle">{esc(article.subtitle)}</p>\n<p class="sec"><span id="Author">{esc(article.site_author)}'
        "</span></p>\n"
    )


def render_article(root: Root, issue: Issue, page: Page, article: Article, charset: str, paper_name: str) -> str:
    """One article: its head, photos in a table (caption in the row below), the body in div#ozoom."""
    here = layout(root).article_path(issue, page, article)
    pictures = ""
    if article.images:
        rows = picture_rows(article.images, lambda src: f'<img src="{rel(here, src)}">', '<td class="pic-caption">')
        pictures = f'<div class="attachment"><table>\n{rows}</table></div>\n'
    indent = '<p style="text-indent: 2em;">'
    body = "\n".join(render.body_paragraph(p, start=indent) for p in printed_paragraphs(article))
    d = Date.fromisoformat(issue.date)
    meta = render.enpproperty(article, f"{issue.date} 00:00:00:0", page.page_no, page_label(page))
    return (
        (meta if issue.enpproperty else "")
        + f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="{charset}">\n'
        f"<title>{esc(article.title)}_{esc(paper_name)}</title>\n</head>\n<body>\n"
        f'<div class="crumb"><a href="{rel(here, layout(root).page_path(issue, page))}">{esc(page_label(page))}</a>'
        f" {d.year}年{d.month:02d}月{d.day:02d}日</div>\n"
        '<div class="article">\n' + article_head(root, article) + pictures
        + f'<div id="ozoom">\n{body}\n</div>\n</div>\n</body>\n</html>\n'
    )


# --- site ---------------------------------------------------------------------------------------


def build_site(out_dir: Path, issues: Sequence[Issue], *, root: str, encoding: str, paper_name: str) -> Path:
    """Write the site of a paper whose base URL is out_dir, with robots.txt one level up (the host's root)."""
    where = ROOTS[root]
    return write_site(Path(out_dir), issues, encoding, paper_name, layout(where),
                      lambda i, p, c, n: render_page(where, i, p, c, n),
                      lambda i, p, a, c, n: render_article(where, i, p, a, c, n),
                      f"{where.pages}index.html", lambda newest: f"{ym_d(newest)}/{newest.pages[0].node}")


def expected_records(issues: Sequence[Issue], base_url: str, paper: str, paper_name: str, *, root: str) -> list[dict]:
    """Archive records (each page, then its articles in markup order) computed from the data, not the HTML."""
    return render.expected_records(issues, base_url, paper, paper_name, layout(ROOTS[root]))


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: build the 人民日报 fixture articles as a Founder new site under another root into OUT_DIR/paper/."""
    from tests.sites.rmrb.data import ISSUES

    parser = argparse.ArgumentParser(description="Build a Founder new fixture e-paper under another root.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--root", choices=sorted(ROOTS), default="html/layout/")
    parser.add_argument("--encoding", choices=sorted(render.CHARSETS), default="utf-8")
    args = parser.parse_args(argv)
    site = build_site(args.out_dir / "paper", ISSUES, root=args.root, encoding=args.encoding, paper_name="演示报")
    print(site)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
