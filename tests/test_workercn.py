"""工人日报-style pages (fixture from the 西海岸新闻 seed articles, GBK): the extractors per field, then real
crawls through the bundled grrb profile."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from crawler.platforms import detect, extract
from tests.conftest import read_archive, run_scrapy
from tests.platform_cases import PlatformCases, crawl_tests
from tests.sites.workercn import ISSUES, MISSING_DATES, PAPER, PAPER_NAME, build_site, expected_records

BASE = "http://media.example.test/sites/media/grrb/"
CASES = PlatformCases("workercn", BASE, ISSUES, expected_records(ISSUES, BASE), PAPER)
CFG, ARTICLES, PAGES = CASES.cfg, CASES.articles, CASES.pages
globals().update(CASES.field_tests())


def build_paper(folder: Path, encoding: str) -> Path:
    """The paper's folder (its base URL), robots.txt above it."""
    return build_site(folder / PAPER, encoding=encoding)


site = CASES.site_fixture(build_paper, ["gbk", "utf-8"])


def test_fixture_has_what_the_platform_must_handle():
    assert any(r["pretitle"] for r in ARTICLES) and any(r["images"] for r in ARTICLES)
    assert any(r["continued_on"] for r in ARTICLES) and any(p["pdf_url"] == "" for p in PAGES)


@pytest.mark.parametrize(
    ("url", "key"),
    [("http://x/grrb/2025_03/19/GR0102.htm", "0102"), ("http://x/lnzgb/2013_12/06/GR0512.htm", "0512"),
     ("http://x/grrb/2025_03/19/GR0100.htm", ""), ("http://x/grrb/2025-03/19/GR0102.htm", "")],
)
def test_article_key_from_url(url, key):
    assert extract.article_key(url, CFG) == key


def test_detected_from_a_page_url():
    url = "http://media.workercn.cn/sites/media/grrb/2017_05/31/GR0100.htm"
    assert detect.from_url(url) == detect.Detection("workercn", "http://media.workercn.cn/sites/media/grrb/", url,
                                                    "2017-05-31")


# --- end to end: real crawls over loopback HTTP ------------------------------------------------------



# The bundled grrb profile, 2025-03-17..19; the 18th has no issue.
globals().update(crawl_tests(platform="workercn", paper=PAPER, paper_name=PAPER_NAME, issues=ISSUES,
                             missing_day=MISSING_DATES[0], build=build_site,
                             expected=partial(expected_records, ISSUES), start="2025-03-17",
                             end="2025-03-19", site_dir=f"{PAPER}/", profile=True))


def test_auto_from_a_page_url_crawls_that_issue(served, tmp_path):
    page = f"{served}2025_03/17/GR0200.htm"
    result = run_scrapy("crawl", "epaper", "-a", "platform=auto", "-a", f"base_url={page}", "-a", "paper=x",
                        "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"auto: detected platform workercn from the URL {page}" in result.stderr
    assert {(r["date"], r["page_no"]) for r in read_archive(tmp_path) if r["type"] == "page"} == {
        ("2025-03-17", "01"), ("2025-03-17", "02")}
