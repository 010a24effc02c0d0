"""Render fixture data as a 工人日报-style e-paper (中工网), and the records a crawl must yield.

Layout, as public crawlers document it (the site is built under its paper folder, {out} = base URL):

    {out}/YYYY_MM/DD/GR0100.htm, GR0200.htm ...   版面 files: GR + page number + 00
    {out}/YYYY_MM/DD/GR0101.htm, GR0102.htm ...   articles of page 01, beside the pages
    {out}/YYYY_MM/DD/page/GR01.jpg, pdf/GR01.pdf  page scans and PDFs (modelled)
    {out}/index.htm                               meta refresh to the latest issue's GR0100.htm (modelled)

Documented markup: page links in a table in div#page_content, the image map's area[shape=poly], the title
div.text_c h1 and the body #ozoom div span p. Modelled on the nbs family (not seen live): the labels "第01版：要闻",
the #titleList, 引题 / 副题 / author as h3 / h2 / h4, photos in a table (caption in the row below) inside #ozoom.
The articles are the 西海岸新闻 fixture's (the seed front page; tests/sites/xihaian/data.py), re-keyed.
Usage: python -m tests.sites.workercn OUT_DIR [--encoding gbk|utf-8]
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tests.sites import render
from tests.sites.derive import cli, rekey, write_site
from tests.sites.model import Article, Issue, Page, printed_paragraphs
from tests.sites.render import esc, long_date, neighbours, picture_rows
from tests.sites.xihaian import data

PAPER = "grrb"
PAPER_NAME = "工人日报"
MISSING_DATES = data.MISSING_DATES
ISSUES = rekey(data.ISSUES, lambda _i, _p, page, n, _a: f"{page.page_no}{n + 1:02d}",
               node_of=lambda _i, _p, page: f"GR{page.page_no}00.htm", guides=False)


def day_dir(issue: Issue) -> str:
    """An issue's folder: "2025_03/19/"."""
    return f"{issue.date[:4]}_{issue.date[5:7]}/{issue.date[8:]}/"


def article_file(article: Article) -> str:
    """File name of an article: "GR0102.htm"."""
    return f"GR{article.key}.htm"


LAYOUT = render.Layout(
    lambda issue, page: day_dir(issue) + page.node,
    lambda issue, _page, article: day_dir(issue) + article_file(article),
    lambda issue, page: f"{day_dir(issue)}page/GR{page.page_no}.jpg",
    lambda issue, page: f"{day_dir(issue)}pdf/GR{page.page_no}.pdf" if page.pdf else "",
)


def page_label(page: Page) -> str:
    """The label of a page: "第01版：要闻"."""
    return f"第{page.page_no}版：{page.page_name}"


def render_page(issue: Issue, page: Page, charset: str, paper_name: str) -> str:
    """One 版面 file: the scan with its polygon map, the page list table, the title list, the PDF."""
    prev_node, next_node = neighbours(issue, page)
    areas = "\n".join(f'<area shape="poly" coords="10,{10 + i * 90},480,{10 + i * 90},480,{90 + i * 90},'
                      f'10,{90 + i * 90}" href="{article_file(a)}">' for i, a in enumerate(page.articles))
    cells = "".join(f'<td><a href="{p.node}">{esc(page_label(p))}</a></td>' for p in issue.pages)
    titles = "\n".join(f'<li><a href="{article_file(a)}">{esc(a.title)}</a></li>' for a in page.articles)
    pdf = LAYOUT.page_pdf_path(issue, page)
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"<title>{esc(paper_name)}</title></head>\n<body>\n"
        f'<div class="top">{esc(paper_name)} {long_date(issue.date)}</div>\n'
        f'<div class="pic"><img src="page/GR{page.page_no}.jpg" usemap="#PagePicMap">\n'
        f'<map name="PagePicMap">\n{areas}\n</map></div>\n'
        f'<div id="page_content"><table><tr>{cells}</tr></table></div>\n'
        f'<div class="btn"><a href="{prev_node}">上一版</a> <a href="{next_node}">下一版</a>'
        + (f' <a href="pdf/GR{page.page_no}.pdf">PDF</a>' if pdf else "") + "</div>\n"
        f'<div id="titleList"><ul>\n{titles}\n</ul></div>\n</body></html>\n'
    )


def render_article(issue: Issue, page: Page, article: Article, charset: str, paper_name: str) -> str:
    """One article: div.text_c's heads, then #ozoom with the photo table and the paragraphs in div > span."""
    up = "../../"  # from YYYY_MM/DD/ back to the base URL, where the photos' paths start
    photos = ""
    if article.images:
        rows = picture_rows(article.images, lambda src: f'<img src="{up}{src}">', "<td>")
        photos = f"<table>\n{rows}</table>\n"
    body = "\n".join(render.body_paragraph(p) for p in printed_paragraphs(article))
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"<title>{esc(article.title)}</title></head>\n<body>\n"
        f'<div class="nav"><a href="{page.node}">{esc(page_label(page))}</a></div>\n'
        f'<div class="text_c"><h3>{esc(article.pretitle)}</h3><h1>{esc(article.title)}</h1>'
        f"<h2>{esc(article.subtitle)}</h2><h4>{esc(article.site_author)}</h4></div>\n"
        f'<div id="ozoom">\n{photos}<div><span>\n{body}\n</span></div>\n</div>\n</body></html>\n'
    )


def build_site(out_dir: Path, issues: Sequence[Issue] = ISSUES, *, encoding: str = "gbk",
               paper_name: str = PAPER_NAME) -> Path:
    """Write the site of a paper whose base URL is out_dir, with robots.txt one level up (the host's root)."""
    return write_site(Path(out_dir), issues, encoding, paper_name, LAYOUT, render_page, render_article, "index.htm",
                      lambda newest: LAYOUT.page_path(newest, newest.pages[0]))


def expected_records(issues: Sequence[Issue], base_url: str, paper: str = PAPER,
                     paper_name: str = PAPER_NAME) -> list[dict]:
    """Archive records (each page, then its articles in markup order) computed from the data, not the HTML."""
    return render.expected_records(issues, base_url, paper, paper_name, LAYOUT)


main = cli("Build the 工人日报-style fixture e-paper site.", build_site, PAPER, "gbk")


if __name__ == "__main__":
    raise SystemExit(main())
