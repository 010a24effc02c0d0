"""Hostile links and redirects: nothing hangs, and every request not followed is an event with a reason.

One crawl of the xihaian fixture whose 2025-03-19 page 2 also links to: an ftp:// URL on a port that accepts
and never speaks, file: and data: URLs, an offsite host, a 3,000-digit URL, a self-redirect, a redirect
ping-pong, a redirect offsite and a redirect to ftp://. The extractor lists every article-shaped link whatever
its scheme; each one not followed must be in the crawl summary and the coverage report with its reason, the
silent port must never be contacted, and every ordinary article is archived. RequestGuard's own checks are
also tested on requests made here, whatever the extractor lets through.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from urllib.parse import quote

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawler.middlewares import RequestGuard
from tests.conftest import ROOT, read_archive, run_scrapy, stat
from tests.sites.founder_classic import expected_records
from tests.sites.server import serve, silent_listener
from tests.sites.xihaian.data import ISSUES, PAPER, PAPER_NAME

DAY = "2025-03-19"
FOLDER = "html/2025-03/19/"
LONG_KEY = "9" * 3000


def not_http_links(silent_port: int) -> list[str]:
    """Article-shaped links on other schemes than http(s): listed on the page, never fetched, reported."""
    return [f"ftp://127.0.0.1:{silent_port}/{FOLDER}content_5001.htm", f"file:///srv/{FOLDER}content_5002.htm",
            f"data:text/html,x/{FOLDER}content_5003.htm"]


def hostile_links(base: str, offsite: str, silent_port: int) -> dict[str, tuple[str, str]]:
    """href -> (URL the page record lists, what its reason must say)."""
    ftp = f"ftp://127.0.0.1:{silent_port}/{FOLDER}"
    links = {
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
            anchors = "".join(f'<a href="{href}">x</a>' for href in [*links, *not_http_links(silent_port)])
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
            "coverage": coverage, "connections": connections, "not_http": not_http_links(silent_port)}


def test_the_crawl_ends_on_its_own_without_a_traceback(hostile_crawl):
    log = hostile_crawl["log"]
    assert hostile_crawl["result"].returncode == 3, log[-3000:]
    assert "Traceback" not in log
    assert hostile_crawl["connections"] == 0  # the ftp:// link and redirect were never even dialled
    assert not any(f"<GET {url}>" in log for url in hostile_crawl["not_http"])


def test_every_hostile_link_is_in_the_summary_with_its_reason(hostile_crawl):
    summary = hostile_crawl["log"].split("epaper crawl summary:", 1)[1].split("Dumping Scrapy stats", 1)[0]
    for url, why in hostile_crawl["links"].values():
        shown = url if len(url) <= 200 else url[:200]
        lines = [line for line in summary.splitlines() if line.strip().startswith(shown)]
        assert len(lines) == 1, (url[:80], summary)
        assert why in lines[0], lines[0][:400]
    log = hostile_crawl["log"]
    for url in hostile_crawl["not_http"]:
        lines = [line for line in summary.splitlines() if line.strip().startswith(url)]
        assert len(lines) == 1 and f"scheme {url.split(':')[0]}:" in lines[0], (url, summary)
    # all but the redirect to ftp://, which the errback reports
    assert stat(log, "epaper/filtered") == 8
    assert stat(log, "epaper/filtered/redirect_loop") == 2 and stat(log, "epaper/filtered/offsite") == 2
    assert stat(log, "epaper/filtered/scheme") == 3


def test_every_hostile_link_is_in_the_coverage_report_with_its_reason(hostile_crawl):
    assert hostile_crawl["coverage"].returncode == 0, hostile_crawl["coverage"].stderr
    missing = {a["url"]: a["reason"] for a in json.loads(hostile_crawl["coverage"].stdout)["missing_articles"]}
    assert set(missing) == {url for url, _ in hostile_crawl["links"].values()} | set(hostile_crawl["not_http"])
    for url in hostile_crawl["not_http"]:
        assert f"scheme {url.split(':')[0]}:" in missing[url]
    for url, why in hostile_crawl["links"].values():
        assert why in missing[url], (url[:80], missing[url])


def test_every_ordinary_record_is_archived(hostile_crawl):
    base = hostile_crawl["base"]
    expected = {r["url"] for r in expected_records(ISSUES, base, PAPER, PAPER_NAME) if r["date"] == DAY}
    got = read_archive(hostile_crawl["archive"])
    assert {r["url"] for r in got} == expected
    assert all(r["url"].startswith(base) for r in got)



# --- RequestGuard on requests the extractor may or may not let through ------------------------------------


@pytest.fixture
def guard():
    crawler = get_crawler(Spider)
    crawler.spider = Spider.from_crawler(crawler, name="t")
    crawler.spider.allowed_domains = ["e.test"]
    crawler.spider.failed = []
    crawler.stats.open_spider()
    return RequestGuard(crawler)


@pytest.mark.parametrize(("url", "meta", "kind", "why"), [
    ("ftp://e.test/a.htm", {}, "scheme", "scheme ftp: (only http and https are fetched)"),
    ("file:///etc/passwd", {}, "scheme", "scheme file:"),
    ("data:text/html,x", {}, "scheme", "scheme data:"),
    ("http://e.test/" + "9" * 3000, {}, "url_length", "a URL of 3014 characters (URLLENGTH_LIMIT 2083)"),
    ("http://x.e.test.evil/a", {}, "offsite", "host 'x.e.test.evil', outside allowed_domains ['e.test']"),
    ("http://e.test/a", {"redirect_urls": ["http://e.test/a"]}, "redirect_loop",
     "redirect loop: http://e.test/a → http://e.test/a"),
    ("ftp://e.test/b", {"redirect_urls": ["http://e.test/a"]}, "scheme", "redirect to scheme ftp:"),
])
def test_the_guard_drops_and_reports_each_refused_request(guard, url, meta, kind, why):
    with pytest.raises(IgnoreRequest, match=re.escape(why)):
        guard.request_scheduled(Request(url, meta=meta))
    stats = guard.crawler.stats.get_stats()
    assert stats["epaper/filtered"] == 1 and stats[f"epaper/filtered/{kind}"] == 1
    [(shown, reason)] = guard.crawler.spider.failed
    assert shown.startswith((meta.get("redirect_urls") or [url])[0][:150]) and why in reason


def test_the_guard_lets_ordinary_requests_through(guard):
    for request in (Request("http://e.test/a"), Request("https://news.e.test/b"),
                    Request("http://other.test/c", dont_filter=True),
                    Request("http://e.test/b", meta={"redirect_urls": ["http://e.test/a"]})):
        assert guard.request_scheduled(request) is None
    assert guard.crawler.stats.get_value("epaper/filtered") is None
