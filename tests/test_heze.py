"""Founder new, template family ii (菏泽日报 fixture, GBK): the extractors per field, then a real crawl."""

from __future__ import annotations

from pathlib import Path

from crawler.platforms import extract
from tests.conftest import COLLECTED, run_scrapy
from tests.platform_cases import PlatformCases, crawl_tests
from tests.sites.founder_new import build_site, expected_records
from tests.sites.heze.data import ENCODING, FAMILY, FIRST_NODE, ISSUES, MISSING_DATES, PAPER, PAPER_NAME
from tests.sites.model import printed_paragraphs

BASE = "http://epaper.example.test/heze/"
CASES = PlatformCases("founder-new", BASE, ISSUES, expected_records(ISSUES, BASE, PAPER, PAPER_NAME, family=FAMILY),
                      PAPER)
CFG, ARTICLES, PAGES, GUIDES = CASES.cfg, CASES.articles, CASES.pages, CASES.guides
article, page, source = CASES.article, CASES.page, CASES.source
globals().update(CASES.field_tests())


def build(folder: Path, encoding: str = ENCODING) -> Path:
    """The site, in the paper's own encoding unless told otherwise."""
    return build_site(folder, ISSUES, family=FAMILY, encoding=encoding, paper_name=PAPER_NAME)


site = CASES.site_fixture(build, [ENCODING, "gbk" if ENCODING == "utf-8" else "utf-8"])


# --- paper-specific (the per-field tests come from tests/platform_cases.py) ------------------


def test_fixture_has_what_the_platform_must_handle():
    kinds = {source(r).kind for r in ARTICLES}
    assert {"article", "notice"} <= kinds
    assert any(source(r).kind == "notice" and not printed_paragraphs(source(r)) for r in ARTICLES)
    assert any(r["pretitle"] and r["subtitle"] for r in ARTICLES)
    assert any(source(r).byline and not source(r).site_author for r in ARTICLES)
    assert any(r["continued_on"] for r in ARTICLES) and any(r["continued_from"] for r in ARTICLES)
    assert any(p["pdf_url"] == "" for p in PAGES) and any(g for g in GUIDES.values())


def test_page_numbers_sort_naturally_in_the_page_list(site):
    """A1 < A2 < A3 < A10 as the site lists them (a string sort would put A10 second)."""
    first = next(p for p in PAGES if p["page_no"] == "A10")
    assert [link.page_no for link in page(site, first).pages] == ["A1", "A2", "A3", "A10"]


def test_position_follows_markup_even_where_the_list_runs_bottom_up(site):
    """A3版 lists its articles in reverse reading order; positions keep the markup order."""
    a3 = next(p for p in PAGES if p["date"] == "2025-03-19" and p["page_no"] == "A3")
    parsed = page(site, a3)
    assert [extract.article_key(u, CFG) for u in parsed.article_urls] == ["3265109", "3265108", "3265107"]
    assert [r["position"] for r in ARTICLES if r["page_url"] == a3["url"]] == [0, 1, 2]


def test_articles_live_under_con(site):
    assert all("/pc/con/" in r["url"] for r in ARTICLES)


def test_characters_outside_gb2312_survive(site):
    texts = [a.title + "".join(a.paragraphs) + "".join(i["caption"] for i in a.images)
             for a in (article(site, r) for r in ARTICLES)]
    assert all(any(ch in t for t in texts) for ch in "镕堃喆")
    assert not any("\ufffd" in t for t in texts)


# --- end to end: a real crawl over loopback HTTP ----------------------------------------------


def records_at(base: str) -> list[dict]:
    return expected_records(ISSUES, base, PAPER, PAPER_NAME, family=FAMILY)


# Crawl 2025-03-19..21 (the 20th has no issue); the first page is node_A1.html, not node_01.html.
globals().update(crawl_tests(platform="founder-new", paper=PAPER, paper_name=PAPER_NAME, issues=ISSUES,
                             missing_day=MISSING_DATES[0], build=build, expected=records_at, start="2025-03-19",
                             end="2025-03-21", args=("-a", f"first_node={FIRST_NODE}")))


def test_auto_with_dates_finds_the_first_page_name_itself(served, tmp_path):
    """No first_node given: auto-detection learns node_A1.html from the latest-issue page's link."""
    result = run_scrapy("crawl", "epaper", "-a", "platform=auto", "-a", f"base_url={served}", "-a", f"paper={PAPER}",
                        "-a", "start=2025-03-19", "-a", "end=2025-03-21", "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode in COLLECTED, result.stderr[-3000:]
    assert "auto: detected platform founder-new from a link on " in result.stderr
    assert sorted(p.name for p in tmp_path.rglob("*.jsonl")) == [f"{PAPER}-{issue.date}.jsonl" for issue in ISSUES]
