"""Founder new's mobile (pad) edition (湖北日报-like fixture from the 菏泽日报 articles, GBK): pad/column/ pages,
pad/content/ articles whose 引题 / title / 副题 / author sit in font#intro-title / #main-title / #sub-title /
#author inside a caption div; field by field, then crawled through the bundled hbrb profile."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from crawler.platforms import extract
from tests.platform_cases import PlatformCases, crawl_tests
from tests.sites.founder_roots import build_site, expected_records
from tests.sites.heze.data import FIRST_NODE, ISSUES, MISSING_DATES

PAPER, PAPER_NAME, ROOT = "hbrb", "湖北日报", "pad/column/"
BASE = "http://epaper.example.test/"
CASES = PlatformCases("founder-new", BASE, ISSUES, expected_records(ISSUES, BASE, PAPER, PAPER_NAME, root=ROOT),
                      PAPER)
CFG, ARTICLES = CASES.cfg, CASES.articles
globals().update(CASES.field_tests())


def build_paper(folder: Path, encoding: str) -> Path:
    """The paper's folder (its base URL), robots.txt above it."""
    return build_site(folder / PAPER, ISSUES, root=ROOT, encoding=encoding, paper_name=PAPER_NAME)


site = CASES.site_fixture(build_paper, ["gbk", "utf-8"])


def test_fixture_has_what_the_platform_must_handle():
    assert any(r["pretitle"] and r["subtitle"] for r in ARTICLES)
    assert any(CASES.source(r).byline and not CASES.source(r).site_author for r in ARTICLES)
    assert all("/pad/content/" in r["url"] for r in ARTICLES)


def test_the_fields_come_from_the_caption_fonts(site):
    """Nothing else on the page carries them: the generic family i/ii elements are absent."""
    html = (site / ARTICLES[0]["url"][len(BASE):]).read_bytes()
    assert b'font id="main-title"' in html and b'id="Title"' not in html and b"founder-title" not in html
    assert CASES.article(site, ARTICLES[0]).title == ARTICLES[0]["title"]


def test_article_key_from_a_pad_url():
    assert extract.article_key("http://x/pad/content/202501/17/content_302648.html", CFG) == "302648"


# --- end to end: a real crawl over loopback HTTP -----------------------------------------------



# The bundled hbrb profile (pad/column/ root), 2025-03-19..21 (the 20th has no issue); this paper's first page
# is node_A1.html, not the profile's node_01.html.
globals().update(crawl_tests(platform="founder-new", paper=PAPER, paper_name=PAPER_NAME, issues=ISSUES,
                             missing_day=MISSING_DATES[0],
                             build=partial(build_site, issues=ISSUES, root=ROOT, encoding="gbk", paper_name=PAPER_NAME),
                             expected=partial(expected_records, ISSUES, paper=PAPER, paper_name=PAPER_NAME, root=ROOT),
                             start="2025-03-19",
                             end="2025-03-21", args=("-a", f"first_node={FIRST_NODE}"), site_dir=f"{PAPER}/",
                             profile=True))
