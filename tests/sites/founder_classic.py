"""Render fixture data as a static Founder (方正) "classic" e-paper site, and the records a crawl must yield.

Layout, as on the real sites:

    {out}/paperindex.htm                                   meta refresh to the latest issue's first page
    {out}/robots.txt
    {out}/html/{YYYY-MM}/{DD}/node_2.htm, node_3.htm ...   版面 (page) files, one per page of the issue
    {out}/html/{YYYY-MM}/{DD}/content_{key}.htm            article files, next to the page files
    {out}/page/{YYYY-MM}/{DD}/{NN}/{YYYYMMDD}{NN}_brief.jpg  page scan used by the image map
    {out}/page/{YYYY-MM}/{DD}/{NN}/{YYYYMMDD}{NN}_pdf.pdf    page PDF (only when Page.pdf)
    {out}/res/...jpg                                       article photos

Pages are written in GBK but declare charset=gb2312 (the real-world lie), or in honest UTF-8.
Usage: python -m tests.sites.founder_classic OUT_DIR [--encoding gbk|utf-8]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from tests.sites import render
from tests.sites.model import Article, Issue, Page, printed_paragraphs
from tests.sites.render import CHARSETS, ROBOTS, esc, issue_dir, latest, long_date, neighbours, picture_rows, write
from tests.sites.xihaian.data import ISSUES, PAPER, PAPER_NAME

ENCODINGS = CHARSETS  # bytes codec -> charset the meta tag declares


# --- paths -------------------------------------------------------------------------------------


def page_asset_dir(issue: Issue, page: Page) -> str:
    """Site-relative folder of a page's scan and PDF: "page/2025-03/19/01/"."""
    return f"page/{issue.date[:7]}/{issue.date[8:]}/{page.page_no}/"


def page_image_path(issue: Issue, page: Page) -> str:
    """Site-relative path of the page scan."""
    return f"{page_asset_dir(issue, page)}{issue.date.replace('-', '')}{page.page_no}_brief.jpg"


def page_pdf_path(issue: Issue, page: Page) -> str:
    """Site-relative path of the page PDF ("" when the page has none)."""
    if not page.pdf:
        return ""
    return f"{page_asset_dir(issue, page)}{issue.date.replace('-', '')}{page.page_no}_pdf.pdf"


def article_file(article: Article) -> str:
    """File name of an article page: content_1001.htm or content_12_3.htm."""
    return f"content_{article.key}.htm"


def page_path(issue: Issue, page: Page) -> str:
    """Site-relative path of a 版面 file."""
    return issue_dir(issue) + page.node


def article_path(issue: Issue, _page: Page, article: Article) -> str:
    """Site-relative path of an article file."""
    return issue_dir(issue) + article_file(article)


LAYOUT = render.Layout(page_path, article_path, page_image_path, page_pdf_path)


def node_name(page: Page) -> str:
    """The Founder page label, e.g. "第01版：要闻"."""
    return f"第{page.page_no}版：{page.page_name}"


# --- text rendering ----------------------------------------------------------------------------


def body_paragraph(text: str) -> str:
    """One <P> with the full-width indent; Founder writes curly quotes and the middle dot as named entities."""
    return render.body_paragraph(text, start="<P>　　", end="</P>")


def head(title: str, charset: str, depth: str = "../../../") -> str:
    """<HEAD> of every Founder page, with the (possibly lying) charset declaration."""
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n'
        "<HTML>\n<HEAD>\n"
        f'<META http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"<TITLE>{esc(title)}</TITLE>\n"
        f'<LINK href="{depth}style/style.css" type="text/css" rel="stylesheet">\n'
        f'<SCRIPT language="javascript" src="{depth}script/prototype.js"></SCRIPT>\n'
        f'<SCRIPT language="javascript" src="{depth}script/page.js"></SCRIPT>\n'
        "</HEAD>\n"
    )


def masthead(issue: Issue, paper_name: str) -> str:
    """The banner table with paper name and date at the top of every page."""
    return (
        '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="header">\n'
        '<tr><td width="300" height="90"><img src="../../../images/logo.jpg" border="0" '
        f'alt="{esc(paper_name)}"></td>\n'
        f'<td class="date" align="right">{long_date(issue.date)}</td></tr>\n'
        "</table>\n"
    )


# --- page (版面) files -------------------------------------------------------------------------


def image_map(issue: Issue, page: Page) -> str:
    """The page scan with one rectangle hot-spot per article, in reading order."""
    band = 700 // max(len(page.articles), 1)
    areas = [
        f'<AREA shape="rect" coords="20,{20 + i * band},460,{10 + (i + 1) * band}" '
        f'href="{article_file(a)}" target="_self">'
        for i, a in enumerate(page.articles)
    ]
    return (
        '<MAP NAME="PagePicMap">\n' + "\n".join(areas) + "\n</MAP>\n"
        f'<img src="../../../{page_image_path(issue, page)}" border="0" width="480" height="730" '
        'USEMAP="#PagePicMap">\n'
    )


def page_nav(issue: Issue, page: Page) -> str:
    """The 版面导航 list linking every page of the issue, plus 上一版/下一版 and this page's PDF."""
    rows = [
        f'<tr><td class="default" height="25"><a id="pageLink" href="{p.node}">{esc(node_name(p))}</a>'
        "</td></tr>"
        for p in issue.pages
    ]
    prev_node, next_node = neighbours(issue, page)
    pdf = page_pdf_path(issue, page)
    pdf_cell = f'<a href="../../../{pdf}" target="_blank">PDF</a>' if pdf else "&nbsp;"
    return (
        '<table width="100%" border="0" cellspacing="0" cellpadding="0" class="bmdh">\n'
        f'<tr><td class="bmname"><strong>{esc(node_name(page))}</strong></td>'
        f'<td align="right">{pdf_cell}</td></tr>\n'
        f'<tr><td><a id="prePageLink" href="{prev_node}">上一版</a></td>'
        f'<td align="right"><a id="nextPageLink" href="{next_node}">下一版</a></td></tr>\n'
        "</table>\n"
        '<table width="100%" border="0" cellspacing="0" cellpadding="0" id="bmdhTable">\n'
        + "\n".join(rows)
        + "\n</table>\n"
    )


def title_list(page: Page) -> str:
    """The article title list (标题导航) in reading order."""
    rows = [
        f'<tr><td class="default"><div style="display:inline" id="mp{a.key}">'
        '<img src="../../../images/dot.gif" border="0"></div>'
        f'<a href="{article_file(a)}">{esc(a.title)}</a></td></tr>'
        for a in page.articles
    ]
    return (
        '<div id="main-ed-articlenav-list">\n'
        '<table width="100%" border="0" cellspacing="0" cellpadding="0">\n'
        + "\n".join(rows)
        + "\n</table>\n</div>\n"
    )


def guide_box(page: Page) -> str:
    """The 今日导读 box: plain text teasers, not links and not articles."""
    if not page.guide:
        return ""
    rows = "\n".join(f'<tr><td class="guide-item">{esc(g)}</td></tr>' for g in page.guide)
    return (
        '<div class="guide">\n<table width="100%" border="0" cellspacing="0" cellpadding="0">\n'
        f'<tr><td class="guide-title">今日导读</td></tr>\n{rows}\n</table>\n</div>\n'
    )


def render_page(issue: Issue, page: Page, charset: str, paper_name: str) -> str:
    """Whole HTML of one 版面 file."""
    return (
        head(paper_name, charset)
        + '<BODY leftmargin="0" topmargin="0">\n'
        + masthead(issue, paper_name)
        + '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">\n<tr>\n'
        + '<td width="500" valign="top" class="pagepic">\n'
        + image_map(issue, page)
        + '</td>\n<td width="500" valign="top">\n'
        + page_nav(issue, page)
        + title_list(page)
        + guide_box(page)
        + "</td>\n</tr>\n</table>\n"
        + '<table width="1000" align="center"><tr><td class="footer" align="center">'
        + f"{esc(paper_name)} 版权所有</td></tr></table>\n</BODY>\n</HTML>\n"
    )


# --- article (content_*.htm) files -------------------------------------------------------------


def enpproperty(issue: Issue, page: Page, article: Article) -> str:
    """The Founder metadata comment: the bare date, the page number without its leading zero."""
    return render.enpproperty(article, issue.date, int(page.page_no), node_name(page))


def picture_table(article: Article) -> str:
    """Photos above the text, each caption in the cell below its image (never a <P>)."""
    if not article.images:
        return ""
    rows = picture_rows(article.images, lambda src: f'<img src="../../../{src}" border="0">',
                        '<td class="pic-caption" align="center">', empty_captions=True)
    table = '<table width="100%" border="0" cellspacing="0" cellpadding="0" class="pic-table">\n'
    return f"{table}{rows}</table>\n"


def new_template_body(article: Article) -> str:
    """Current template: founder-* tags inside #ozoom, body wrapped in enpcontent markers."""
    paragraphs = "\n".join(body_paragraph(p) for p in printed_paragraphs(article))
    return (
        '<div id="ozoom" style="zoom:100%">\n'
        '<table width="100%" border="0" cellspacing="0" cellpadding="0">\n'
        f'<tr><td class="font02" align="center"><founder-introtitle>{esc(article.pretitle)}'
        "</founder-introtitle></td></tr>\n"
        f'<tr><td class="font01" align="center"><founder-title>{esc(article.title)}'
        "</founder-title></td></tr>\n"
        f'<tr><td class="font02" align="center"><founder-subtitle>{esc(article.subtitle)}'
        "</founder-subtitle></td></tr>\n"
        f'<tr><td class="font03" align="center"><founder-author>{esc(article.site_author)}'
        "</founder-author></td></tr>\n"
        "</table>\n"
        + picture_table(article)
        + f"<founder-content><!--enpcontent-->{paragraphs}<!--/enpcontent--></founder-content>\n"
        "</div>\n"
    )


def old_template_body(article: Article) -> str:
    """Older template: 引题/title/副题/author as plain table rows above #ozoom, no founder-* tags at all."""
    paragraphs = "\n".join(body_paragraph(p) for p in printed_paragraphs(article))
    author = f"作者：{esc(article.site_author)}" if article.site_author else ""
    return (
        '<table width="100%" border="0" cellspacing="0" cellpadding="0" class="article-head">\n'
        f'<tr><td class="font02" align="center">{esc(article.pretitle)}</td></tr>\n'
        f'<tr><td class="font01" align="center">{esc(article.title)}</td></tr>\n'
        f'<tr><td class="font02" align="center">{esc(article.subtitle)}</td></tr>\n'
        f'<tr><td class="font03" align="center">{author}</td></tr>\n'
        "</table>\n"
        '<div id="ozoom" style="zoom:100%">\n' + picture_table(article) + paragraphs + "\n</div>\n"
    )


def article_nav(page: Page, article: Article) -> str:
    """Back-link to the page and 上一篇/下一篇 links, as the article pages carry them."""
    idx = page.articles.index(article)
    links = [f'<a href="{page.node}">{esc(node_name(page))}</a>']
    if idx > 0:
        links.append(f'<a href="{article_file(page.articles[idx - 1])}">上一篇</a>')
    if idx + 1 < len(page.articles):
        links.append(f'<a href="{article_file(page.articles[idx + 1])}">下一篇</a>')
    return '<table width="100%"><tr><td class="article-nav">' + " | ".join(links) + "</td></tr></table>\n"


def render_article(issue: Issue, page: Page, article: Article, charset: str, paper_name: str) -> str:
    """Whole HTML of one content_*.htm file, in the template matching the issue's era."""
    body = new_template_body(article) if issue.enpproperty else old_template_body(article)
    return (
        (enpproperty(issue, page, article) if issue.enpproperty else "")
        + head(f"{article.title}--{paper_name}", charset)
        + '<BODY leftmargin="0" topmargin="0">\n'
        + masthead(issue, paper_name)
        + '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">\n'
        + '<tr><td width="760" valign="top" class="article">\n'
        + article_nav(page, article)
        + body
        + "</td>\n</tr>\n</table>\n</BODY>\n</HTML>\n"
    )


# --- site --------------------------------------------------------------------------------------


def build_site(
    out_dir: Path,
    issues: Sequence[Issue] = ISSUES,
    *,
    encoding: str = "gbk",
    paper_name: str = PAPER_NAME,
) -> Path:
    """Write the whole static site under out_dir and return out_dir."""
    charset = render.charset(encoding)
    out = Path(out_dir)
    for issue in issues:
        render.write_issue(out, issue, encoding, paper_name, LAYOUT, render_page, render_article)
    if issues:
        first = f"{issue_dir(latest(issues))}{latest(issues).pages[0].node}"
        index = (
            f'<HTML><HEAD><META http-equiv="Content-Type" content="text/html; charset={charset}">\n'
            f'<meta http-equiv="refresh" content="0; url={first}">\n'
            f"<TITLE>{esc(paper_name)}</TITLE></HEAD><BODY></BODY></HTML>\n"
        )
        write(out / "paperindex.htm", index.encode(encoding))
    write(out / "robots.txt", ROBOTS)
    return out


# --- what a perfect crawl yields ---------------------------------------------------------------


def expected_records(
    issues: Sequence[Issue],
    base_url: str,
    paper: str = PAPER,
    paper_name: str = PAPER_NAME,
) -> list[dict]:
    """Archive records (each page, then its articles) computed from the data, not from the HTML."""
    return render.expected_records(issues, base_url, paper, paper_name, LAYOUT, guides=True)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: build the fixture site into OUT_DIR."""
    parser = argparse.ArgumentParser(description="Build the Founder classic fixture e-paper site.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--encoding", choices=sorted(ENCODINGS), default="gbk")
    args = parser.parse_args(argv)
    out = build_site(args.out_dir, encoding=args.encoding)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
