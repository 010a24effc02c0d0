"""A crawl that takes less than a site plainly holds says so: warnings naming what, a health line that is not ok,
the coverage report listing them."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.conftest import COLLECTED, ROOT, read_archive, run_scrapy
from tests.sites.founder_classic import build_site
from tests.sites.server import serve
from tests.sites.xihaian.data import ISSUES

DAY = "2025-03-19"


def _health(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip().startswith("health: ")]
    assert len(lines) == 1, stderr[-3000:]
    return lines[0]


def _crawl(site, tmp_path):
    with serve(site) as base:
        result = run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}", "-a", f"date={DAY}",
                            "-s", f"ARCHIVE_DIR={tmp_path / 'archive'}")
    assert result.returncode in COLLECTED and "Traceback" not in result.stderr, result.stderr[-3000:]
    return result


def _coverage(tmp_path) -> dict:
    result = subprocess.run([sys.executable, "-m", "crawler.coverage", "--paper", "xihaian", "--from", DAY, "--to",
                             DAY, "--archive", str(tmp_path / "archive"), "--format", "json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def site(tmp_path):
    """A fresh copy per test: each test damages it its own way."""
    return build_site(tmp_path / "site", ISSUES)


def test_the_fixture_site_crawls_with_a_health_line(site, tmp_path):
    """The reference: the same site unchanged ends with its one legitimate warning (a page printed without PDF)."""
    result = _crawl(site, tmp_path)
    assert _health(result.stderr) == "health: WARN field_missing 1"


def test_a_page_list_the_crawler_cannot_follow_is_reported_by_page(site, tmp_path):
    """Page links that only script follows (onclick): one page is crawled, and the crawl names the others."""
    day = site / "html/2025-03/19"
    for path in day.glob("node_*.htm"):
        html = path.read_bytes()
        html = re.sub(rb'<a id="(pageLink|prePageLink|nextPageLink)" href="(node_\d+\.htm)"',
                      rb'<a id="\1" href="javascript:void(0)" onclick="go(\'\2\')"', html)
        path.write_bytes(html)
    result = _crawl(site, tmp_path)
    pages = [r for r in read_archive(tmp_path / "archive") if r["type"] == "page"]
    assert len(pages) == 1
    others = [p.page_no for issue in ISSUES if issue.date == DAY for p in issue.pages][1:]
    health = _health(result.stderr)
    assert health.startswith("health: WARN") and "page_labels_unmatched 1" in health and "single_page_issue 1" in health
    assert f"labels of pages {', '.join(others)} but no link of page shape" in result.stderr
    reasons = [w["reason"] for w in _coverage(tmp_path)["warnings"]]
    assert any(r.startswith("page_labels_unmatched") for r in reasons)
    assert any(r.startswith("single_page_issue") for r in reasons)


def test_article_links_of_an_unknown_shape_are_reported(site, tmp_path):
    """Article files renamed (detail_N.html): nothing taken from the page, and the crawl says why on every page."""
    day = site / "html/2025-03/19"
    for path in day.glob("content_*.htm"):
        path.rename(path.with_name(path.name.replace("content_", "detail_").replace(".htm", ".html")))
    for path in day.glob("node_*.htm"):
        html = re.sub(rb'href="content_([\d_]+)\.htm"', rb'href="detail_\1.html"', path.read_bytes())
        path.write_bytes(html)
    result = _crawl(site, tmp_path)
    records = read_archive(tmp_path / "archive")
    assert [r for r in records if r["type"] == "article"] == []
    n_pages = len([r for r in records if r["type"] == "page"])
    assert n_pages == len(next(i for i in ISSUES if i.date == DAY).pages)
    assert f"article_links_unmatched {n_pages}" in _health(result.stderr)
    assert "match no article shape of founder-classic (e.g. http://" in result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [(["--archive", "{tmp}/nonexistent"], "no archive folder at"),
     (["--paper", "nope"], "holds no paper 'nope'; it holds: xihaian"),
     (["--from", "0001-01-01", "--to", "9999-12-31"], "at most 36600"),
     (["--from", "2025-02-30"], "--from '2025-02-30': day is out of range for month")],
)
def test_coverage_refuses_what_would_mislead(tmp_path, args, says):
    """A wrong archive or paper is no 'never crawled' report; a huge range no runaway; bad dates name the option."""
    (tmp_path / "archive" / "xihaian" / "2025").mkdir(parents=True)
    (tmp_path / "archive" / "xihaian" / "2025" / "xihaian-2025-03-19.jsonl").write_text("", encoding="utf-8")
    given = {"--paper": "xihaian", "--from": DAY, "--to": DAY, "--archive": str(tmp_path / "archive")}
    given.update(dict(zip(args[::2], [a.format(tmp=tmp_path) for a in args[1::2]], strict=True)))
    result = subprocess.run([sys.executable, "-m", "crawler.coverage", *[x for kv in given.items() for x in kv]],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and says in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
