"""Render fixture data as a static 人民日报 "nbs era" e-paper site, and the records a crawl must yield.

Layout, as on paper.people.com.cn/rmrb before Dec 2024 ({code} is e.g. D110000renmrb):

    {out}/index.htm                                        meta refresh to the latest issue's first page
    {out}/robots.txt
    {out}/html/{YYYY-MM}/{DD}/nbs.{code}_{NN}.htm          版面 (page) files, one per page
    {out}/html/{YYYY-MM}/{DD}/nw.{code}_{YYYYMMDD}_{K}-{NN}.htm  article K of page NN
    {out}/images/{YYYY-MM}/{DD}/{NN}/rmrb{YYYYMMDD}{NN}_b.jpg    page scan (with an image map)
    {out}/images/{YYYY-MM}/{DD}/{NN}/rmrb{YYYYMMDD}{NN}.pdf      page PDF (only when Page.pdf)
    {out}/pic/...jpg                                       article photos

Each issue is written in its own encoding: GBK declared as charset=gb2312 (the real-world lie) or
honest UTF-8 (see ENCODINGS in the data module). Article pages render `printed_paragraphs` (byline
paragraph, dateline, jump markers) hard-wrapped like print columns; the h4 author line shows
`site_author` with full-width spaces, as the real pages do.
Usage: python -m tests.sites.nbs OUT_DIR
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from datetime import date as Date
from pathlib import Path

from tests.sites import render
from tests.sites.model import Article, Issue, Page, printed_paragraphs
from tests.sites.render import ROBOTS, esc, issue_dir, latest, long_date, neighbours, picture_rows, write
from tests.sites.rmrb_nbs.data import ENCODINGS, FILE_PREFIX, ISSUES, PAPER, PAPER_NAME

WRAP_WIDTHS = (15, 13, 16, 14)  # the print-layout line lengths the paragraphs are hard-wrapped at
# The CMS writes curly quotes, the middle dot and dashes in bodies as named entities.
BODY_ENTITIES = (*render.NAMED_ENTITIES, ("—", "&mdash;"))
UP = "../../../"  # from html/YYYY-MM/DD/ back to the site root


# --- paths -------------------------------------------------------------------------------------


def site_code(page: Page) -> str:
    """The paper code in the file names: nbs.D110000renmrb_01.htm -> D110000renmrb."""
    return page.node.removeprefix("nbs.").rsplit("_", 1)[0]


def article_file(issue: Issue, page: Page, article: Article) -> str:
    """File name of an article page: nw.D110000renmrb_20241129_1-01.htm."""
    k, _, page_no = article.key.partition("-")
    if page_no != page.page_no or not k.isdigit():
        raise ValueError(f"article key {article.key!r} must be K-{page.page_no} (article K of page {page.page_no})")
    return f"nw.{site_code(page)}_{issue.date.replace('-', '')}_{article.key}.htm"


def page_path(issue: Issue, page: Page) -> str:
    """Site-relative path of a 版面 file."""
    return issue_dir(issue) + page.node


def article_path(issue: Issue, page: Page, article: Article) -> str:
    """Site-relative path of an article file."""
    return issue_dir(issue) + article_file(issue, page, article)


def page_asset_stem(issue: Issue, page: Page) -> str:
    """Site-relative path of a page's scan/PDF without suffix: "images/2024-11/29/01/rmrb2024112901"."""
    ymd = issue.date.replace("-", "")
    return f"images/{issue.date[:7]}/{issue.date[8:]}/{page.page_no}/{FILE_PREFIX}{ymd}{page.page_no}"


def page_image_path(issue: Issue, page: Page) -> str:
    """Site-relative path of the page scan."""
    return f"{page_asset_stem(issue, page)}_b.jpg"


def page_pdf_path(issue: Issue, page: Page) -> str:
    """Site-relative path of the page PDF ("" when the page has none)."""
    return f"{page_asset_stem(issue, page)}.pdf" if page.pdf else ""


LAYOUT = render.Layout(page_path, article_path, page_image_path, page_pdf_path)


def page_label(page: Page) -> str:
    """The page label, e.g. "第01版：要闻"."""
    return f"第{page.page_no}版：{page.page_name}"


# --- text rendering ----------------------------------------------------------------------------


def body_paragraph(text: str) -> str:
    """One <p> with the full-width indent, hard-wrapped at this paper's column widths."""
    return render.body_paragraph(text, entities=BODY_ENTITIES, widths=WRAP_WIDTHS)


def head(title: str, charset: str) -> str:
    """<head> of every page, with the (possibly lying) charset declaration."""
    return (
        "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
        "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" type="text/css" href="{UP}css/layout.css" />\n'
        f'<script type="text/javascript" src="{UP}js/jquery-1.8.3.min.js"></script>\n'
        "</head>\n"
    )


def masthead(issue: Issue, paper_name: str) -> str:
    """The banner with the paper's logo and the date, at the top of every page."""
    return (
        '<div class="head w1000">\n'
        f'<div class="logo"><a href="{UP}index.htm"><img src="{UP}img/logo.png" alt="{esc(paper_name)}" /></a></div>\n'
        f'<div class="date left">{long_date(issue.date)}</div>\n'
        f'<div class="right"><a href="{UP}index.htm">返回首页</a> | <a href="{UP}html/">往期回顾</a></div>\n'
        "</div>\n"
    )


# --- page (版面) files -------------------------------------------------------------------------


def page_list(issue: Issue) -> str:
    """Every page of the issue: a#pageLink with the label, and a small PDF link per page."""
    slides = []
    for p in issue.pages:
        pdf = page_pdf_path(issue, p)
        pdf_link = f'<a href="{UP}{pdf}"><img src="{UP}img/pdf.png" alt="PDF" /></a>' if pdf else ""
        slides.append(
            f'<div class="swiper-slide"><a id="pageLink" href="{p.node}">{esc(page_label(p))}</a>{pdf_link}</div>'
        )
    return (
        '<div class="swiper-box">\n<div class="swiper-container"><div class="swiper-wrapper">\n'
        + "\n".join(slides)
        + "\n</div></div>\n</div>\n"
    )


def image_map(issue: Issue, page: Page) -> str:
    """The page scan with one polygon hot-spot per article, in reading order."""
    band = 900 // max(len(page.articles), 1)
    areas = [
        f'<area shape="polygon" coords="12,{12 + i * band},588,{12 + i * band},588,{(i + 1) * band},'
        f'12,{(i + 1) * band}" href="{article_file(issue, page, a)}" />'
        for i, a in enumerate(page.articles)
    ]
    return (
        '<div class="ban">\n'
        f'<img src="{UP}{page_image_path(issue, page)}" border="0" width="600" height="920" usemap="#PagePicMap" />\n'
        '<map name="PagePicMap" id="PagePicMap">\n' + "\n".join(areas) + "\n</map>\n</div>\n"
    )


def page_tools(issue: Issue, page: Page) -> str:
    """Previous/next page links and this page's PDF, above the scan."""
    prev_node, next_node = neighbours(issue, page)
    pdf = page_pdf_path(issue, page)
    pdf_link = f' <a href="{UP}{pdf}" target="_blank">PDF下载</a>' if pdf else ""
    return (
        '<div class="ban_t">\n'
        f'<a id="prePageLink" href="{prev_node}">上一版</a> <a id="nextPageLink" href="{next_node}">下一版</a>'
        f"{pdf_link}\n</div>\n"
    )


def title_list(issue: Issue, page: Page) -> str:
    """The article list of the page, in reading order."""
    items = [
        f'<li><a href="{article_file(issue, page, a)}">{esc(a.title)}</a></li>'
        for a in page.articles
    ]
    return '<div class="news" id="titleList">\n<ul class="news-list">\n' + "\n".join(items) + "\n</ul>\n</div>\n"


def guide_box(page: Page) -> str:
    """The 今日导读 box: plain teasers, not links to articles."""
    if not page.guide:
        return ""
    items = "\n".join(f"<li>{esc(g)}</li>" for g in page.guide)
    return f'<div class="daodu">\n<h3>今日导读</h3>\n<ul>\n{items}\n</ul>\n</div>\n'


def render_page(issue: Issue, page: Page, charset: str, paper_name: str) -> str:
    """Whole HTML of one 版面 file."""
    return (
        head(f"{paper_name}-{page_label(page)}", charset)
        + "<body>\n"
        + masthead(issue, paper_name)
        + '<div class="main w1000">\n<div class="left paper-box">\n'
        + '<div class="right_title"><div class="l_t">'
        + esc(page_label(page))
        + "</div></div>\n"
        + page_tools(issue, page)
        + image_map(issue, page)
        + '</div>\n<div class="right right-main">\n'
        + page_list(issue)
        + title_list(issue, page)
        + guide_box(page)
        + "</div>\n</div>\n"
        + f'<div class="copyright">{esc(paper_name)}社概况 | 版权所有</div>\n</body>\n</html>\n'
    )


# --- article (nw.*.htm) files ------------------------------------------------------------------


def picture_table(article: Article) -> str:
    """Photos above the text, each caption in the row below its image (never a <p>)."""
    if not article.images:
        return ""
    rows = picture_rows(article.images, lambda src: f'<img src="{UP}{src}" border="0" />',
                        '<td class="pci_c" align="center">')
    return f'<table width="100%" border="0" cellspacing="0" cellpadding="0" align="center">\n{rows}</table>\n'


def render_article(issue: Issue, page: Page, article: Article, charset: str, paper_name: str) -> str:
    """Whole HTML of one article file."""
    d = Date.fromisoformat(issue.date)
    author = article.site_author.replace(" ", "\u3000")
    paragraphs = "\n".join(body_paragraph(p) for p in printed_paragraphs(article))
    return (
        head(f"{article.title}--{paper_name}", charset)
        + "<body>\n"
        + masthead(issue, paper_name)
        + '<div class="main w1000">\n<div class="left paper-box">\n'
        + '<div class="right_title"><div class="l_t">'
        + esc(page_label(page))
        + "</div>"
        + f'<div class="r_t"><a href="{page.node}">返回目录</a></div></div>\n'
        + '<div class="article-box">\n<div class="text_c">\n'
        + f"<h3>{esc(article.pretitle)}</h3>\n"
        + f"<h1>{esc(article.title)}</h1>\n"
        + f"<h2>{esc(article.subtitle)}</h2>\n"
        + f"<h4>{esc(author)}</h4>\n"
        + f'<div class="sha_left"><span>《 {esc(paper_name)} 》（ {d.year}年{d.month:02d}月{d.day:02d}日'
        + f"\u3000第 {page.page_no} 版）</span></div>\n"
        + '<div class="c_c" id="ozoom">\n'
        + picture_table(article)
        + "<!--enpcontent-->"
        + paragraphs
        + "<!--/enpcontent-->\n"
        + "</div>\n</div>\n</div>\n</div>\n</div>\n</body>\n</html>\n"
    )


# --- site --------------------------------------------------------------------------------------


def build_site(
    out_dir: Path,
    issues: Sequence[Issue] = ISSUES,
    *,
    paper_name: str = PAPER_NAME,
    encodings: Mapping[str, str] = ENCODINGS,
) -> Path:
    """Write the whole static site under out_dir and return out_dir; each issue in encodings[date] (default GBK)."""
    out = Path(out_dir)
    for issue in issues:
        encoding = encodings.get(issue.date, "gbk")
        render.write_issue(out, issue, encoding, paper_name, LAYOUT, render_page, render_article)
    if issues:
        newest = latest(issues)
        first = f"{issue_dir(newest)}{newest.pages[0].node}"
        index = (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
            f'<meta http-equiv="refresh" content="0; url={first}" />\n'
            f"<title>{esc(paper_name)}</title></head>\n"
            f'<body><a href="{first}">{esc(paper_name)} {long_date(newest.date)}</a></body></html>\n'
        )
        write(out / "index.htm", index.encode("utf-8"))
    write(out / "robots.txt", ROBOTS)
    return out


# --- what a perfect crawl yields ---------------------------------------------------------------


def expected_records(
    issues: Sequence[Issue] = ISSUES,
    base_url: str = "http://paper.example.test/rmrb/",
    paper: str = PAPER,
    paper_name: str = PAPER_NAME,
) -> list[dict]:
    """Archive records (each page, then its articles) computed from the data, not from the HTML."""
    return render.expected_records(issues, base_url, paper, paper_name, LAYOUT, page_ids=True)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: build the fixture site into OUT_DIR."""
    parser = argparse.ArgumentParser(description="Build the 人民日报 nbs fixture e-paper site.")
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    print(build_site(args.out_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
