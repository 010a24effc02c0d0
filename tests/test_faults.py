"""Proven under faults (issue #5): a crawl of the xihaian fixture site served in chaos mode.

The server fails a fraction of paths' first attempts with 500, 503, 429 + Retry-After, stalls past the
download timeout, dropped connections and truncated bodies, and sends some pages with a lying charset
header on every attempt. Every article must still be collected, with zero duplicates; a path broken for
good must be reported by URL and reason, and the rest of the crawl must go on.
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.spiders.epaper import page_id
from tests.conftest import COLLECTED, ROOT, read_archive, run_scrapy, stat
from tests.sites.founder_classic import expected_records
from tests.sites.server import FAULTS, Chaos, serve
from tests.sites.xihaian.data import ISSUES, PAPER, PAPER_NAME

# Chosen (by trying seeds against the fixture's 20 HTML paths) so that with RATE 0.3 every fault kind in
# FAULTS is injected at least once, some pages and some articles lie about their charset, and only one
# path stalls (each stall costs a DOWNLOAD_TIMEOUT). The plan is pure hashing: the same on every run.
CHAOS = "s19:0.3"
STALL = 4  # seconds: longer than DOWNLOAD_TIMEOUT below
RETRY_TIMES = 5
FAST_FAILURES = ["-s", "DOWNLOAD_TIMEOUT=2", "-s", f"RETRY_TIMES={RETRY_TIMES}", "-s", "RETRY_AFTER_MAX=5"]
DAYS = ["-a", "start=2025-03-17", "-a", "end=2025-03-19"]
TEXT_FIELDS = ("pretitle", "title", "subtitle", "author", "body", "page_name", "guide")
BROKEN_ARTICLE = "/html/2025-03/19/content_1003.htm"
BROKEN_PAGE = "/html/2025-03/17/node_3.htm"  # not an issue's first page: its loss is a failed URL, not a failed day


def fetch_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def crawl_under_chaos(site: Path, out: Path, broken: list[str] = ()) -> dict:
    """Serve site in chaos mode, crawl 2025-03-17..19 into out, and return the result plus the server's ledger."""
    with serve(site, chaos=CHAOS, broken=broken, stall=STALL) as base:
        result = run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}", *DAYS,
                            "-s", f"ARCHIVE_DIR={out / 'archive'}", *FAST_FAILURES, timeout=60)
        ledger = fetch_json(base + "__attempts")
    expected = expected_records(ISSUES, base, PAPER, PAPER_NAME)
    for record in expected:
        record.setdefault("id", page_id(PAPER, record["date"], record["page_no"]))
    return {"result": result, "log": result.stderr, "archive": out / "archive", "base": base, "ledger": ledger,
            "expected": expected}


def path_of(url: str) -> str:
    return urlsplit(url).path


# --- the fault plan itself ----------------------------------------------------------------------------


def test_the_plan_is_deterministic_and_robots_is_never_faulted():
    paths = [f"/html/2025-03/19/content_{n}.htm" for n in range(200)]
    plan = [Chaos.parse(CHAOS).faults(p) for p in paths]
    assert plan == [Chaos.parse(CHAOS).faults(p) for p in paths]
    assert plan != [Chaos.parse("other:0.3").faults(p) for p in paths]
    assert 0.2 < sum(bool(f) for f in plan) / len(paths) < 0.4
    assert all(1 <= len(f) <= 2 and set(f) <= set(FAULTS) for f in plan if f)
    assert Chaos.parse("x:1.0").faults("/robots.txt") == ()
    assert not Chaos.parse("x:1.0").lies("/robots.txt") and not Chaos.parse("x:1.0").lies("/a.jpg")
    assert not any(Chaos.parse(None).faults(p) for p in paths)
    with pytest.raises(ValueError):
        Chaos.parse("seed-without-rate")


def outcome(base: str, path: str) -> str:
    """What one GET of path ends in: a status code, "dropped", "timeout" or "truncated"."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    conn = http.client.HTTPConnection(host, port, timeout=0.5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        if response.status == 429:
            assert response.getheader("Retry-After") == "1"
        try:
            response.read()
        except http.client.IncompleteRead:
            return "truncated"
        return str(response.status)
    except TimeoutError:
        return "timeout"
    except (http.client.RemoteDisconnected, ConnectionError):
        return "dropped"
    finally:
        conn.close()


def test_each_fault_kind_looks_like_the_real_thing_and_then_the_path_works(xihaian_site):
    """Rate 1: every path faults. Walk paths until each kind was seen, checking each attempt's outcome."""
    chaos = Chaos.parse("kinds:1.0")
    want = {"500": "500", "503": "503", "429": "429", "stall": "timeout", "drop": "dropped", "truncate": "truncated"}
    pages = sorted("/" + p.relative_to(xihaian_site).as_posix() for p in xihaian_site.rglob("*.htm"))
    seen: set[str] = set()
    with serve(xihaian_site, chaos="kinds:1.0", stall=1, broken=["/html/2025-03/19/node_2.htm"]) as base:
        for path in pages:
            faults = chaos.faults(path)
            if set(faults) <= seen or path == "/html/2025-03/19/node_2.htm":
                continue
            assert [outcome(base, path) for _ in faults] == [want[f] for f in faults], path
            assert outcome(base, path) == "200"
            seen |= set(faults)
            working = path
        with urllib.request.urlopen(base + working.lstrip("/"), timeout=10) as response:  # rate 1: all pages lie
            assert response.headers["Content-Type"] == "text/html; charset=utf-8"
            assert b"charset=gb2312" in response.read()  # while the bytes say (and are) otherwise
        assert [outcome(base, "/html/2025-03/19/node_2.htm") for _ in range(3)] == ["500"] * 3
        assert outcome(base, "/robots.txt") == "200"
        ledger = fetch_json(base + "__attempts")
    assert seen == set(FAULTS)
    assert ledger["attempts"]["/html/2025-03/19/node_2.htm"] == 3
    assert ledger["injected"]["/html/2025-03/19/node_2.htm"] == ["broken"] * 3
    assert "/robots.txt" not in ledger["injected"]


# --- a whole crawl under chaos ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chaos_crawl(xihaian_site, tmp_path_factory) -> dict:
    return crawl_under_chaos(xihaian_site, tmp_path_factory.mktemp("chaos"))


def test_crawl_succeeds_without_errors(chaos_crawl):
    log = chaos_crawl["log"]
    assert chaos_crawl["result"].returncode in COLLECTED, log[-3000:]
    assert "Traceback" not in log
    assert stat(log, "log_count/ERROR") == 0
    assert "Gave up retrying" not in log
    assert stat(log, "epaper/failed_urls") == 0 and stat(log, "epaper/failed_days") == 0


def test_faults_were_really_injected_and_each_retried_until_it_worked(chaos_crawl):
    ledger = chaos_crawl["ledger"]
    attempts, injected = ledger["attempts"], ledger["injected"]
    kinds = Counter(f for faults in injected.values() for f in faults)
    assert set(kinds) == set(FAULTS), kinds  # every kind of fault happened at least once
    assert len([p for p, n in attempts.items() if n > 1]) >= 5
    for path, n in attempts.items():
        # each fault cost exactly one retry, and a path that worked was never fetched again
        assert n == len(injected.get(path, [])) + 1, (path, n, injected.get(path))
    assert attempts["/robots.txt"] == 1 and "/robots.txt" not in injected
    log = chaos_crawl["log"]
    assert stat(log, "retry/count") == kinds.total()
    assert stat(log, "retry_after/waited") == kinds["429"]  # the 429s were waited out, not hammered
    assert stat(log, "retry_after/seconds") == kinds["429"] * 1.0
    # and each fault reached Scrapy as what it imitates
    reasons = {"500": "500 Internal Server Error", "503": "503 Service Unavailable",
               "stall": "scrapy.exceptions.DownloadTimeoutError", "truncate": "scrapy.exceptions.ResponseDataLossError"}
    for kind, reason in reasons.items():
        assert stat(log, f"retry/reason_count/{reason}") == kinds[kind], kind


def test_every_expected_record_is_collected_with_the_right_text(chaos_crawl):
    expected = {r["url"]: r for r in chaos_crawl["expected"]}
    got = read_archive(chaos_crawl["archive"])
    assert sorted(r["url"] for r in got) == sorted(expected)
    for record in got:
        want = expected[record["url"]]
        assert {k: record.get(k) for k in want} == want, record["url"]


def test_zero_duplicates(chaos_crawl):
    got = read_archive(chaos_crawl["archive"])
    ids = [r["id"] for r in got]
    assert len(ids) == len(set(ids)) == len(chaos_crawl["expected"])


def test_pages_with_a_lying_charset_header_still_decode_right(chaos_crawl):
    """Depends on the extractor's charset-lie recovery (crawler/encoding.py): header utf-8 over GBK bytes."""
    lies = set(chaos_crawl["ledger"]["lies"])
    assert any("/node_" in p for p in lies) and any("/content_" in p for p in lies)
    expected = {r["url"]: r for r in chaos_crawl["expected"]}
    lying = [r for r in read_archive(chaos_crawl["archive"]) if path_of(r["url"]) in lies]
    # the 18th has no issue: its first page and each usual first-page name tried after it answer 404
    no_issue = {p for p in lies if p.startswith("/html/2025-03/18/node_")}
    assert {path_of(r["url"]) for r in lying} == lies - no_issue
    for record in lying:
        fields = ("page_name", "guide") if record["type"] == "page" else ("pretitle", "title", "subtitle", "body")
        assert {f: record[f] for f in fields} == {f: expected[record["url"]][f] for f in fields}
        assert "\ufffd" not in json.dumps(record, ensure_ascii=False)
    assert stat(chaos_crawl["log"], "epaper/decode_errors") == 0


# --- paths broken for good ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def broken_crawl(xihaian_site, tmp_path_factory) -> dict:
    return crawl_under_chaos(xihaian_site, tmp_path_factory.mktemp("broken"), broken=[BROKEN_ARTICLE, BROKEN_PAGE])


def test_broken_urls_are_retried_to_the_limit_then_reported_and_the_crawl_goes_on(broken_crawl):
    log = broken_crawl["log"]
    assert broken_crawl["result"].returncode == 3, log[-3000:]
    assert "Traceback" not in log
    attempts = broken_crawl["ledger"]["attempts"]
    assert attempts[BROKEN_ARTICLE] == attempts[BROKEN_PAGE] == RETRY_TIMES + 1
    for path in (BROKEN_ARTICLE, BROKEN_PAGE):
        url = broken_crawl["base"].rstrip("/") + path
        lines = [line for line in log.splitlines() if re.search(rf"\bfailed: {re.escape(url)}: \S", line)]
        assert len(lines) == 1, (url, lines)
        assert "500" in lines[0].split(f"failed: {url}: ", 1)[1]
    assert stat(log, "epaper/failed_urls") == 2
    assert stat(log, "epaper/failed_days") == 0


def test_everything_not_broken_is_collected(broken_crawl):
    """All but the broken article, the broken page and the articles only that page links to."""
    base = broken_crawl["base"].rstrip("/")
    lost = {base + BROKEN_ARTICLE, base + BROKEN_PAGE}
    lost |= {r["url"] for r in broken_crawl["expected"] if r.get("page_url") == base + BROKEN_PAGE}
    expected = {r["url"]: r for r in broken_crawl["expected"] if r["url"] not in lost}
    got = read_archive(broken_crawl["archive"])
    assert sorted(r["url"] for r in got) == sorted(expected)
    for record in got:  # ids and text only: a continuation whose other half is lost is (rightly) not linked
        want = expected[record["url"]]
        fields = ["id", *(f for f in TEXT_FIELDS if f in want)]
        assert {f: record.get(f) for f in fields} == {f: want[f] for f in fields}
    assert len({r["id"] for r in got}) == len(got)


def test_broken_urls_are_in_the_summary_and_the_coverage_report(broken_crawl):
    """Depends on the crawl summary (crawler/summary.py) and the coverage report (crawler/coverage.py)."""
    base = broken_crawl["base"].rstrip("/")
    summary = broken_crawl["log"].split("epaper crawl summary:", 1)[1].split("Dumping Scrapy stats", 1)[0]
    for path in (BROKEN_ARTICLE, BROKEN_PAGE):
        assert re.search(rf"^\s+{re.escape(base + path)}\s+.*500", summary, re.M), summary
    result = subprocess.run([sys.executable, "-m", "crawler.coverage", "--paper", PAPER, "--from", "2025-03-17",
                             "--to", "2025-03-19", "--archive", str(broken_crawl["archive"]), "--format", "json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(p["url"], "500" in p["reason"]) for p in report["missing_pages"]] == [(base + BROKEN_PAGE, True)]
    assert [(a["url"], "500" in a["reason"]) for a in report["missing_articles"]] == [(base + BROKEN_ARTICLE, True)]
