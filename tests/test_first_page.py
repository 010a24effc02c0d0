"""The day's first page is found, not assumed: another first-page name on some days, and latest-issue entry pages
that redirect only by a <noscript> meta refresh or by script."""

from __future__ import annotations

import copy
import re

import pytest

from crawler.spiders.epaper import first_node_alternatives
from tests.conftest import COLLECTED, read_archive, run_scrapy, stat
from tests.sites.founder_classic import build_site, expected_records
from tests.sites.server import serve
from tests.sites.xihaian.data import ISSUES, PAPER, PAPER_NAME

FIELDS = ("type", "url", "page_no", "page_name", "title", "body", "pdf_url")


@pytest.mark.parametrize(
    ("first_node", "learnt", "tried"),
    [
        ("node_2.htm", [], ["node_01.htm", "node_A1.htm", "node_A01.htm", "node_1.htm"]),
        ("node_01.html", ["node_A1.html"], ["node_A1.html", "node_A01.html", "node_1.html", "node_2.html"]),
        ("nbs.D110000renmrb_01.htm", [], []),
    ],
)
def test_first_node_alternatives(first_node, learnt, tried):
    assert first_node_alternatives(first_node, learnt) == tried


def _renamed_issues() -> list:
    """The fixture issues with the 19th's first page named node_A1.htm instead of node_2.htm."""
    issues = copy.deepcopy(list(ISSUES))
    day = next(i for i in issues if i.date == "2025-03-19")
    day.pages[0].node = "node_A1.htm"
    return issues


def _site(tmp_path, index_html: str | None = None):
    issues = _renamed_issues()
    site = build_site(tmp_path / "site", issues)
    if index_html is not None:
        (site / "paperindex.htm").write_bytes(index_html.encode("gbk"))
    return site, issues


def _records(records):
    return sorted(({k: r.get(k) for k in FIELDS} for r in records), key=lambda r: r["url"])


def test_a_day_whose_first_page_has_another_name_is_crawled_whole(tmp_path):
    site, issues = _site(tmp_path)
    with serve(site) as base:
        result = run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}",
                            "-a", "start=2025-03-17", "-a", "end=2025-03-19", "-s", f"ARCHIVE_DIR={tmp_path / 'a'}")
    assert result.returncode in COLLECTED, result.stderr[-2000:]
    want = [r for r in expected_records(issues, base, PAPER, PAPER_NAME)]
    assert _records(read_archive(tmp_path / "a")) == _records(want)
    assert "names an issue's first page node_A1.htm" in result.stderr
    assert "no issue: xihaian has no issue on 2025-03-18" in result.stderr  # the 18th: still no issue


@pytest.mark.parametrize(
    "index_html",
    [
        '<html><head><meta charset="gb2312"><script>window.location.href="html/2025-03/19/node_A1.htm";</script>'
        "</head><body>正在跳转</body></html>",
        '<html><head><meta charset="gb2312"></head><body><noscript><meta http-equiv="refresh" '
        "content=\"0;URL='html/2025-03/19/node_A1.htm'\"></noscript>正在跳转</body></html>",
        "<html><head><script language=javascript>location.replace('html/2025-03/19/node_A1.htm')</script></head>"
        "<body></body></html>",
    ],
    ids=["script-href", "noscript-refresh", "location-replace"],
)
def test_latest_issue_entry_that_redirects_on_the_client(tmp_path, index_html):
    site, issues = _site(tmp_path, index_html)
    with serve(site) as base:
        result = run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}",
                            "-s", f"ARCHIVE_DIR={tmp_path / 'a'}")
    assert result.returncode in COLLECTED, result.stderr[-2000:]
    want = [r for r in expected_records(issues, base, PAPER, PAPER_NAME) if r["date"] == "2025-03-19"]
    assert _records(read_archive(tmp_path / "a")) == _records(want)
    assert stat(result.stderr, "validate/dropped") == 0
    assert re.search(r"redirect: .*paperindex\.htm leads to .*node_A1\.htm", result.stderr)
