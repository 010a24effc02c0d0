"""Render fixture data as a "PaperIndex" e-paper (法治日报, 新华每日电讯), and the records a crawl must yield.

Layout, as public crawlers document it (the site is built under its paper folder, {out} = base URL):

    {out}/content/PaperIndex.htm                     meta refresh to the latest issue's IssueIndex.htm
    {out}/content/YYYYMMDD/IssueIndex.htm            meta refresh to that day's first page
    {out}/content/YYYYMMDD/Page01NU.htm ...          版面 files: page number + two letters that change by day
    {out}/content/YYYYMMDD/Articel01001NU.htm ...    articles: page number, article number, the same letters
    {out}/IMAGE/YYYYMMDD/01.jpg, {out}/PDF/YYYYMMDD/01.pdf   page scans and PDFs

Documented markup: the page list `.banlist-li a` ("第01版：要闻"), the title list `.newslist a`, the article's
`.xha-view-title h1`, `.imagelist` and `#article_view_content`. Modelled (not seen live): this page's label and
PDF in div.ban-title, the image map, 引题 / 副题 / author as h3 / h2 / h4 beside the h1 (as nbs pages do), a
caption as the <p> after its photo. The articles are the 人民日报 nbs fixture's (tests/sites/rmrb_nbs/data.py),
re-keyed. Usage: python -m tests.sites.paperindex OUT_DIR [--encoding gbk|utf-8]
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tests.sites import render
from tests.sites.derive import cli, refresh, rekey, write_site
from tests.sites.model import Article, Issue, Page, printed_paragraphs
from tests.sites.render import esc, long_date, write
from tests.sites.rmrb_nbs import data

PAPER = "fzrb"
PAPER_NAME = "法治日报"
MISSING_DATES = data.MISSING_DATES
LETTERS = {"2024-11-29": "NU", "2024-11-30": "DK"}  # the file names' letters change between issues


def ymd(issue: Issue) -> str:
    """The issue folder: "20241129"."""
    return issue.date.replace("-", "")


ISSUES = rekey(
    data.ISSUES,
    lambda issue, _p, page, n, _a: f"{page.page_no}{n + 1:03d}{LETTERS[issue.date]}",
    node_of=lambda issue, _p, page: f"Page{page.page_no}{LETTERS[issue.date]}.htm",
    image_of=lambda issue, a, n, _src: f"IMAGE/{ymd(issue)}/{a.key}-{n + 1}.jpg",
    guides=False,
)


# --- paths (relative to the base URL) -----------------------------------------------------------


def article_file(article: Article) -> str:
    """File name of an article page: "Articel01002NU.htm" (sic)."""
    return f"Articel{article.key}.htm"


LAYOUT = render.Layout(
    lambda issue, page: f"content/{ymd(issue)}/{page.node}",
    lambda issue, _page, article: f"content/{ymd(issue)}/{article_file(article)}",
    lambda issue, page: f"IMAGE/{ymd(issue)}/{page.page_no}.jpg",
    lambda issue, page: f"PDF/{ymd(issue)}/{page.page_no}.pdf" if page.pdf else "",
)


def page_label(page: Page) -> str:
    """The label of a page: "第01版：要闻"."""
    return f"第{page.page_no}版：{page.page_name}"


# --- pages and articles -------------------------------------------------------------------------


def render_page(issue: Issue, page: Page, charset: str, paper_name: str) -> str:
    """One 版面 file: label + PDF, the scan with its map, the title list, then every page with its PDF."""
    pdf = LAYOUT.page_pdf_path(issue, page)
    areas = "\n".join(f'<area shape="rect" coords="10,{10 + i * 80},500,{80 + i * 80}" href="{article_file(a)}">'
                      for i, a in enumerate(page.articles))
    titles = "\n".join(f'<li><a href="{article_file(a)}">{esc(a.title)}</a></li>' for a in page.articles)
    banlist = "\n".join(
        f'<li class="banlist-li"><a href="{p.node}">{esc(page_label(p))}</a>'
        + (f' <a class="pdf" href="../../{LAYOUT.page_pdf_path(issue, p)}">PDF</a>' if p.pdf else "") + "</li>"
        for p in issue.pages
    )
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"<title>{esc(paper_name)}</title></head>\n<body>\n"
        f'<div class="header"><span class="date">{long_date(issue.date)}</span></div>\n'
        f'<div class="ban-title"><span>{esc(page_label(page))}</span>'
        + (f'<a href="../../{pdf}">本版PDF</a>' if pdf else "") + "</div>\n"
        f'<div class="banpic"><img src="../../{LAYOUT.page_image_path(issue, page)}" usemap="#PagePicMap">\n'
        f'<map name="PagePicMap">\n{areas}\n</map></div>\n'
        f'<div class="newslist"><ul>\n{titles}\n</ul></div>\n'
        f'<div class="banlist"><ul>\n{banlist}\n</ul></div>\n</body></html>\n'
    )


def render_article(issue: Issue, page: Page, article: Article, charset: str, paper_name: str) -> str:
    """One article: the title block, each photo in its own .imagelist with the caption below, the body."""
    photos = "".join(f'<div class="imagelist"><img src="../../{src}">'
                     + (f"<p>{esc(caption)}</p>" if caption else "") + "</div>\n"
                     for src, caption in article.images)
    body = "\n".join(render.body_paragraph(p) for p in printed_paragraphs(article))
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"<title>{esc(article.title)}-{esc(paper_name)}</title></head>\n<body>\n"
        f'<div class="crumb"><a href="{page.node}">{esc(page_label(page))}</a></div>\n'
        f'<div class="xha-view-title"><h3>{esc(article.pretitle)}</h3><h1>{esc(article.title)}</h1>'
        f"<h2>{esc(article.subtitle)}</h2><h4>{esc(article.site_author)}</h4></div>\n"
        + photos + f'<div id="article_view_content">\n{body}\n</div>\n</body></html>\n'
    )


def build_site(out_dir: Path, issues: Sequence[Issue] = ISSUES, *, encoding: str = "utf-8",
               paper_name: str = PAPER_NAME) -> Path:
    """Write the site of a paper whose base URL is out_dir, with robots.txt one level up (the host's root)."""
    out = write_site(Path(out_dir), issues, encoding, paper_name, LAYOUT, render_page, render_article,
                     "content/PaperIndex.htm", lambda newest: f"{ymd(newest)}/IssueIndex.htm")
    for issue in issues:  # each day's entry page, refreshing to its first page
        page = refresh(issue.pages[0].node, render.charset(encoding))
        write(out / f"content/{ymd(issue)}/IssueIndex.htm", page.encode(encoding))
    return out


def expected_records(issues: Sequence[Issue], base_url: str, paper: str = PAPER,
                     paper_name: str = PAPER_NAME) -> list[dict]:
    """Archive records (each page, then its articles in markup order) computed from the data, not the HTML."""
    return render.expected_records(issues, base_url, paper, paper_name, LAYOUT)


main = cli("Build the PaperIndex fixture e-paper site.", build_site, PAPER, "utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
