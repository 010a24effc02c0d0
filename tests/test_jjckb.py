"""Founder classic URLs with 经济参考报's article markup (td.hei16b title, td.black14 > founder-content body, #bmdh
page table, ul.ul02_l titles), from the 西海岸新闻 seed articles in GBK: the extractors per field, then a real
crawl through the bundled jjckb profile."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from tests.platform_cases import PlatformCases, crawl_tests
from tests.sites.jjckb import ISSUES, MISSING_DATES, PAPER, PAPER_NAME, build_site, expected_records

BASE = "http://dz.example.test/www/pages/webpage2009/"
CASES = PlatformCases("founder-classic", BASE, ISSUES, expected_records(ISSUES, BASE), PAPER)
ARTICLES = CASES.articles
globals().update(CASES.field_tests())


def build_paper(folder: Path, encoding: str) -> Path:
    """The paper's folder (its base URL), robots.txt above it."""
    return build_site(folder / PAPER, encoding=encoding)


site = CASES.site_fixture(build_paper, ["gbk", "utf-8"])


def test_the_article_has_no_founder_title_or_font01_row(site):
    html = (site / ARTICLES[0]["url"][len(BASE):]).read_bytes()
    assert b"founder-title" not in html and b"font01" not in html and b'class="hei16b"' in html
    assert CASES.article(site, ARTICLES[0]).title == ARTICLES[0]["title"]



# The bundled jjckb profile, 2025-03-17..19; the 18th has no issue.
globals().update(crawl_tests(platform="founder-classic", paper=PAPER, paper_name=PAPER_NAME, issues=ISSUES,
                             missing_day=MISSING_DATES[0], build=build_site,
                             expected=partial(expected_records, ISSUES), start="2025-03-17",
                             end="2025-03-19", site_dir=f"{PAPER}/", profile=True))
