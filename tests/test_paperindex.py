"""The PaperIndex system (法治日报 fixture): the extractors per field on the built bytes, then real crawls through
the bundled fzrb profile, entered by PaperIndex.htm / IssueIndex.htm meta refreshes."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from crawler.platforms import detect, extract
from tests.conftest import COLLECTED, read_archive, run_scrapy
from tests.platform_cases import PlatformCases, crawl_tests
from tests.sites.paperindex import ISSUES, MISSING_DATES, PAPER, PAPER_NAME, build_site, expected_records

BASE = "http://epaper.example.test/fzrb/"
CASES = PlatformCases("paperindex", BASE, ISSUES, expected_records(ISSUES, BASE), PAPER)
CFG, ARTICLES, PAGES = CASES.cfg, CASES.articles, CASES.pages
article, page, source = CASES.article, CASES.page, CASES.source
globals().update(CASES.field_tests())


def build_paper(folder: Path, encoding: str) -> Path:
    """The paper's folder (its base URL), robots.txt above it."""
    return build_site(folder / PAPER, encoding=encoding)


site = CASES.site_fixture(build_paper, ["utf-8", "gbk"])


def test_fixture_has_what_the_platform_must_handle():
    assert len({p.node[-6:] for i in ISSUES for p in i.pages[:1]}) == 2  # the first page's name changes by day
    assert any(r["pretitle"] and r["subtitle"] for r in ARTICLES)
    assert any(r["images"] and r["images"][0]["caption"] for r in ARTICLES)
    assert any(p["pdf_url"] == "" for p in PAGES)
    assert any(r["continued_on"] for r in ARTICLES)


@pytest.mark.parametrize(
    ("url", "key"),
    [("http://x/fzrb/content/20241129/Articel01002NU.htm", "01002NU"),
     ("http://x/content/20241130/Articel03001DK.htm", "03001DK"),
     ("http://x/fzrb/content/20241129/Page01NU.htm", "")],
)
def test_article_key_from_url(url, key):
    assert extract.article_key(url, CFG) == key


def test_the_page_list_drops_the_pdf_links_beside_each_page(site):
    first = PAGES[0]
    assert [link.url for link in page(site, first).pages] == [p["url"] for p in PAGES if p["date"] == first["date"]]


def test_detected_from_a_page_url():
    url = "http://epaper.legaldaily.com.cn/fzrb/content/20241129/Page01NU.htm"
    assert detect.from_url(url) == detect.Detection("paperindex", "http://epaper.legaldaily.com.cn/fzrb/", url,
                                                    "2024-11-29")


# --- end to end: real crawls over loopback HTTP ------------------------------------------------------



# The bundled profile (IssueIndex.htm as each day's entry), 2024-11-28..30; the 28th has no issue.
globals().update(crawl_tests(platform="paperindex", paper=PAPER, paper_name=PAPER_NAME, issues=ISSUES,
                             missing_day=MISSING_DATES[0], build=build_site,
                             expected=partial(expected_records, ISSUES), start="2024-11-28",
                             end="2024-11-30", site_dir=f"{PAPER}/", profile=True))


def test_auto_from_the_paper_folder_finds_the_latest_issue(served, tmp_path):
    """No platform given: PaperIndex.htm is among the probed pages, and its refreshes lead to a page."""
    result = run_scrapy("crawl", "epaper", "-a", "platform=auto", "-a", f"base_url={served}", "-a", "paper=x",
                        "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode in COLLECTED, result.stderr[-3000:]
    assert "auto: detected platform paperindex from a link on " in result.stderr
    assert {r["date"] for r in read_archive(tmp_path)} == {"2024-11-30"}


def test_auto_with_dates_enters_each_day_by_its_index(served, tmp_path):
    """Detected from a page URL, a dated crawl still enters every day by IssueIndex.htm: the first page's own
    name changes by day and must not become the first_node."""
    first = next(r for r in expected_records(ISSUES, served) if r["type"] == "page")
    result = run_scrapy("crawl", "epaper", "-a", "platform=auto", "-a", f"base_url={first['url']}", "-a", "paper=x",
                        "-a", "start=2024-11-28", "-a", "end=2024-11-30", "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode in COLLECTED, result.stderr[-3000:]
    want = {r["url"] for r in expected_records(ISSUES, served)}
    assert {r["url"] for r in read_archive(tmp_path)} == want
