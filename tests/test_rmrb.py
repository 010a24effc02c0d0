"""Founder new, template family i (人民日报 fixture): extractors per field on the built bytes, then a real crawl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from crawler.platforms import extract
from tests.conftest import COLLECTED, run_scrapy
from tests.platform_cases import PlatformCases, crawl_tests
from tests.sites.founder_new import build_site, expected_records
from tests.sites.rmrb.data import ENCODING, FAMILY, ISSUES, MISSING_DATES, PAPER, PAPER_NAME

BASE = "http://paper.example.test/"
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
    assert {"article", "ad"} <= kinds
    assert any(r["pretitle"] and r["subtitle"] for r in ARTICLES)
    assert any(source(r).byline and not source(r).site_author for r in ARTICLES)
    assert any(r["continued_on"] for r in ARTICLES) and any(r["continued_from"] for r in ARTICLES)
    assert any(p["pdf_url"] == "" for p in PAGES) and any(g for g in GUIDES.values())


def test_characters_outside_gb2312_survive(site):
    texts = [a.title + "".join(a.paragraphs) + "".join(i["caption"] for i in a.images)
             for a in (article(site, r) for r in ARTICLES)]
    assert all(any(ch in t for t in texts) for ch in "镕堃喆")
    assert not any("\ufffd" in t for t in texts)


@pytest.mark.parametrize(
    ("url", "key"),
    [("http://x/pc/content/202503/18/content_30061001.html", "30061001"),
     ("http://x/pc/con/202503/18/content_3265101.html", "3265101"),
     ("http://x/pc/layout/202503/18/node_01.html", "")],
)
def test_article_key_from_url(url, key):
    assert extract.article_key(url, CFG) == key


@pytest.mark.parametrize("node", ["node_01.html", "node_A01.html", "node_A1.html", "node_A10.html"])
def test_page_url_pattern_accepts_every_node_style(node):
    assert extract.date_from_url(f"http://x/pc/layout/202503/18/{node}", CFG) == "2025-03-18"


def test_issue_and_latest_urls():
    assert CFG.issue_url(BASE, dt.date(2025, 3, 9)) == BASE + "pc/layout/202503/09/node_01.html"
    assert CFG.latest_url(BASE) == BASE + "pc/layout/index.html"


# --- end to end: a real crawl over loopback HTTP ----------------------------------------------


def records_at(base: str) -> list[dict]:
    return expected_records(ISSUES, base, PAPER, PAPER_NAME, family=FAMILY)


# Crawl 2025-03-18..20 (the 20th has no issue).
globals().update(crawl_tests(platform="founder-new", paper=PAPER, paper_name=PAPER_NAME, issues=ISSUES,
                             missing_day=MISSING_DATES[0], build=build, expected=records_at, start="2025-03-18",
                             end="2025-03-20"))


def test_auto_detects_founder_new_from_a_page_url(served, tmp_path):
    page = served + "pc/layout/202503/18/node_02.html"
    result = run_scrapy("crawl", "epaper", "-a", "platform=auto", "-a", f"base_url={page}", "-a", f"paper={PAPER}",
                        "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode in COLLECTED, result.stderr[-3000:]
    assert f"auto: detected platform founder-new from the URL {page}" in result.stderr
    assert [p.name for p in tmp_path.rglob("*.jsonl")] == [f"{PAPER}-2025-03-18.jsonl"]
