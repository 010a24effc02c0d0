"""Hostile links and redirects: nothing hangs, and every request not followed is an event with a reason.

One crawl of the xihaian fixture whose 2025-03-19 page 2 also links to: an ftp:// URL on a port that accepts
and never speaks, file: and data: URLs, an offsite host, a 3,000-digit URL, a self-redirect, a redirect
ping-pong, a redirect offsite and a redirect to ftp://. Each must be in the crawl summary and the coverage
report with its reason, the silent port must never be contacted, and every ordinary article is archived.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from urllib.parse import quote

import pytest

from tests.conftest import ROOT, read_archive, run_scrapy, stat
from tests.sites.founder_classic import expected_records
from tests.sites.server import serve, silent_listener
from tests.sites.xihaian.data import ISSUES, PAPER, PAPER_NAME

DAY = "2025-03-19"
FOLDER = "html/2025-03/19/"
LONG_KEY = "9" * 3000


def hostile_links(base: str, offsite: str, silent_port: int) -> dict[str, tuple[str, str]]:
    """href -> (URL the page record lists, what its reason must say)."""
    ftp = f"ftp://127.0.0.1:{silent_port}/{FOLDER}"
    links = {
        f"{ftp}content_5001.htm": "scheme ftp:",
        f"file:///srv/{FOLDER}content_5002.htm": "scheme file:",
        f"data:text/html,x/{FOLDER}content_5003.htm": "scheme data:",
        f"{offsite}{FOLDER}content_5004.htm": "host 'localhost'",
        f"content_{LONG_KEY}.htm": "URLLENGTH_LIMIT 2083",
        f"/__loop/{FOLDER}content_5005.htm": "redirect loop",
        f"/__ping/{FOLDER}content_5006.htm": "redirect loop",
        f"/__redirect/{quote(offsite + FOLDER + 'content_1003.htm', safe='')}/{FOLDER}content_5007.htm":
            "redirect to host 'localhost'",
        f"/__redirect/{quote(ftp + 'content_1003.htm', safe='')}/{FOLDER}content_5008.htm": "redirect to scheme ftp:",
    }
    absolute = {href: href if ":" in href.split("/")[0] else
                (base.rstrip("/") + href if href.startswith("/") else base + FOLDER + href) for href in links}
    return {href: (absolute[href], why) for href, why in links.items()}


@pytest.fixture(scope="module")
def hostile_crawl(xihaian_site, tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("hostile")
    site = tmp / "site"
    shutil.copytree(xihaian_site, site)
    with serve(site) as offsite_base, silent_listener() as (silent_port, contacted):
        offsite = offsite_base.replace("127.0.0.1", "localhost")  # the same server under another host name
        page = site / FOLDER / "node_2.htm"
        with serve(site) as base:
            links = hostile_links(base, offsite, silent_port)
            anchors = "".join(f'<a href="{href}">x</a>' for href in links)
            page.write_bytes(page.read_bytes().replace(
                b"</BODY>", f'<div id="main-ed-articlenav-list">{anchors}</div></BODY>'.encode()))
            result = run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}",
                                "-a", f"date={DAY}", "-s", f"ARCHIVE_DIR={tmp / 'archive'}",
                                "-s", "DOWNLOAD_TIMEOUT=5", timeout=90)
        connections = len(contacted)
    coverage = subprocess.run([sys.executable, "-m", "crawler.coverage", "--paper", PAPER, "--from", DAY, "--to", DAY,
                               "--archive", str(tmp / "archive"), "--format", "json"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    return {"result": result, "log": result.stderr, "links": links, "base": base, "archive": tmp / "archive",
            "coverage": coverage, "connections": connections}


def test_the_crawl_ends_on_its_own_without_a_traceback(hostile_crawl):
    log = hostile_crawl["log"]
    assert hostile_crawl["result"].returncode == 0, log[-3000:]
    assert "Traceback" not in log
    assert hostile_crawl["connections"] == 0  # the ftp:// link was never even dialled


def test_every_hostile_link_is_in_the_summary_with_its_reason(hostile_crawl):
    summary = hostile_crawl["log"].split("epaper crawl summary:", 1)[1].split("Dumping Scrapy stats", 1)[0]
    for url, why in hostile_crawl["links"].values():
        shown = url if len(url) <= 200 else url[:200]
        lines = [line for line in summary.splitlines() if line.strip().startswith(shown)]
        assert len(lines) == 1, (url[:80], summary)
        assert why in lines[0], lines[0][:400]
    log = hostile_crawl["log"]
    assert stat(log, "epaper/filtered") == 8  # all but the redirect to ftp://: the errback reports it
    assert stat(log, "epaper/filtered/redirect_loop") == 2 and stat(log, "epaper/filtered/scheme") == 3
    assert "not followed 8 (offsite 2, redirect loop 2, scheme 3, url length 1)" in log


def test_every_hostile_link_is_in_the_coverage_report_with_its_reason(hostile_crawl):
    assert hostile_crawl["coverage"].returncode == 0, hostile_crawl["coverage"].stderr
    missing = {a["url"]: a["reason"] for a in json.loads(hostile_crawl["coverage"].stdout)["missing_articles"]}
    assert set(missing) == {url for url, _ in hostile_crawl["links"].values()}
    for url, why in hostile_crawl["links"].values():
        assert why in missing[url], (url[:80], missing[url])


def test_every_ordinary_record_is_archived(hostile_crawl):
    base = hostile_crawl["base"]
    expected = {r["url"] for r in expected_records(ISSUES, base, PAPER, PAPER_NAME) if r["date"] == DAY}
    got = read_archive(hostile_crawl["archive"])
    assert {r["url"] for r in got} == expected
    assert all(r["url"].startswith(base) for r in got)

