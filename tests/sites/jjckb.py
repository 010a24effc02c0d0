"""Render fixture data as a Founder classic e-paper with 经济参考报's own markup, and the records a crawl must yield.

The URL scheme is classic (tests/sites/founder_classic.py: html/YYYY-MM/DD/node_N.htm, content_K.htm). Documented
by public crawlers: pages listed in the second cell of each row of div#bmdh's table, titles in ul.ul02_l, the
article title in td.hei16b and the body in td.black14 > founder-content. Modelled (not seen live): the labels
"第01版：要闻", the photo table inside td.black14, no 引题 / 副题 / author field (the byline in the body names the
authors), no enpproperty comment. The articles are the 西海岸新闻 fixture's (the seed front page) without their
引题 / 副题 / author field. Usage: python -m tests.sites.jjckb OUT_DIR [--encoding gbk|utf-8]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from tests.sites import founder_classic as classic
from tests.sites import render
from tests.sites.derive import cli, write_site
from tests.sites.model import Article, Issue, Page, printed_paragraphs
from tests.sites.render import esc
from tests.sites.xihaian import data

PAPER = "jjckb"
PAPER_NAME = "经济参考报"
MISSING_DATES = data.MISSING_DATES
ISSUES = [
    replace(issue, enpproperty=False, pages=[
        replace(page, guide=[], articles=[replace(a, pretitle="", subtitle="", site_author="") for a in page.articles])
        for page in issue.pages])
    for issue in data.ISSUES
]


def render_page(issue: Issue, page: Page, charset: str, paper_name: str) -> str:
    """One 版面 file: the scan with its map, the #bmdh page table (number cell, link cell), ul.ul02_l titles."""
    rows = "\n".join(f'<tr><td class="bmnum">{p.page_no}</td><td><a href="{p.node}">{esc(classic.node_name(p))}</a>'
                     "</td></tr>" for p in issue.pages)
    titles = "\n".join(f'<li><a href="{classic.article_file(a)}">{esc(a.title)}</a></li>' for a in page.articles)
    pdf = classic.page_pdf_path(issue, page)
    return (
        classic.head(paper_name, charset)
        + "<BODY>\n" + classic.masthead(issue, paper_name)
        + '<table width="1000" align="center"><tr><td valign="top">\n' + classic.image_map(issue, page)
        + '</td><td valign="top">\n'
        + (f'<a href="../../../{pdf}">本版PDF</a>\n' if pdf else "")
        + f'<div id="bmdh"><table><tbody>\n{rows}\n</tbody></table></div>\n'
        + f'<ul class="ul02_l">\n{titles}\n</ul>\n</td></tr></table>\n</BODY>\n</HTML>\n'
    )


def render_article(issue: Issue, page: Page, article: Article, charset: str, paper_name: str) -> str:
    """One article: td.hei16b title, a source line, td.black14 holding the photos and <founder-content>."""
    paragraphs = "\n".join(classic.body_paragraph(p) for p in printed_paragraphs(article))
    return (
        classic.head(f"{article.title}--{paper_name}", charset)
        + "<BODY>\n" + classic.masthead(issue, paper_name)
        + f'<table width="760" align="center">\n<tr><td class="hei16b" align="center">{esc(article.title)}</td></tr>\n'
        + f'<tr><td class="black12" align="center">来源：{esc(paper_name)}</td></tr>\n'
        + '<tr><td class="black14">\n' + classic.picture_table(article)
        + f"<founder-content>{paragraphs}</founder-content>\n</td></tr>\n</table>\n</BODY>\n</HTML>\n"
    )


def build_site(out_dir: Path, issues: Sequence[Issue] = ISSUES, *, encoding: str = "gbk",
               paper_name: str = PAPER_NAME) -> Path:
    """Write the site of a paper whose base URL is out_dir, with robots.txt one level up (the host's root)."""
    return write_site(Path(out_dir), issues, encoding, paper_name, classic.LAYOUT, render_page, render_article,
                      "paperindex.htm", lambda newest: classic.page_path(newest, newest.pages[0]))


def expected_records(issues: Sequence[Issue], base_url: str, paper: str = PAPER,
                     paper_name: str = PAPER_NAME) -> list[dict]:
    """Archive records (each page, then its articles in markup order) computed from the data, not the HTML."""
    return render.expected_records(issues, base_url, paper, paper_name, classic.LAYOUT)


main = cli("Build the 经济参考报-style Founder classic fixture site.", build_site, PAPER, "gbk")


if __name__ == "__main__":
    raise SystemExit(main())
