"""人民日报 "nbs era" platform: extractors on the fixture site's bytes (one small test per field, every
record), then a real `scrapy crawl epaper -a platform=nbs` over loopback HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.platforms import extract as ex
from tests.conftest import COLLECTED, read_archive, run_scrapy, stat
from tests.platform_cases import PlatformCases
from tests.sites.nbs import build_site, expected_records
from tests.sites.rmrb_nbs.data import ENCODINGS, ISSUES, MISSING_DATES, PAPER, PAPER_NAME
from tests.sites.server import serve

BASE = "http://paper.example.test/rmrb/"
CASES = PlatformCases("nbs", BASE, ISSUES, expected_records(ISSUES, BASE, PAPER, PAPER_NAME), PAPER)
CFG, ARTICLES, DATA = CASES.cfg, CASES.articles, CASES.data
article = CASES.article
globals().update(CASES.field_tests(order_by="urls"))

OUTSIDE_GB2312 = "镕堃喆"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site's files (2024-11-29 in GBK declared gb2312, 2024-11-30 in UTF-8)."""
    return build_site(tmp_path_factory.mktemp("rmrb-nbs"))


# --- paper-specific (the per-field tests come from tests/platform_cases.py) ---------------------


def test_fixture_covers_the_cases():
    """The data really holds what the tests are meant to exercise."""
    articles = list(DATA.values())
    assert any(a.pretitle and a.subtitle for a in articles)
    assert any(a.byline and not a.site_author for a in articles)
    assert any(a.site_author and not a.byline for a in articles)
    assert any(len(a.authors) > 1 for a in articles)
    assert {a.dateline.split("北京")[0] for a in articles if a.dateline} >= {"本报", "新华社", "本报讯"}
    assert any(a.images and a.images[0][1] for a in articles)
    assert any(a.jump_to for a in articles) and any(a.jump_from for a in articles)
    assert any(a.kind == "ad" and a.title == "广告" for a in articles)
    assert any(p.guide for issue in ISSUES for p in issue.pages)
    assert set(ENCODINGS.values()) == {"gbk", "utf-8"}


# --- encodings ------------------------------------------------------------------------------------


def test_characters_outside_gb2312_really_need_gbk():
    for char in OUTSIDE_GB2312:
        char.encode("gbk")
        with pytest.raises(UnicodeEncodeError):
            char.encode("gb2312")


@pytest.mark.parametrize("issue", ISSUES, ids=[i.date for i in ISSUES])
def test_each_issue_is_in_its_encoding(site, issue):
    folder = site / f"html/{issue.date[:7]}/{issue.date[8:]}"
    raw = (folder / issue.pages[0].node).read_bytes()
    declared = {"gbk": b"charset=gb2312", "utf-8": b"charset=utf-8"}[ENCODINGS[issue.date]]
    assert declared in raw
    assert raw.decode(ENCODINGS[issue.date])


def test_gbk_pages_declared_gb2312_decode_as_gb18030(site):
    """镕 堃 喆 are GBK bytes in pages that claim gb2312: they must come out intact."""
    gbk_day = next(d for d, e in ENCODINGS.items() if e == "gbk")
    texts = []
    for expected in (r for r in ARTICLES if r["date"] == gbk_day):
        parsed = article(site, expected)
        texts.append("\n".join([parsed.title, parsed.author, *parsed.paragraphs]))
    text = "\n".join(texts)
    assert all(char in text for char in OUTSIDE_GB2312)
    assert "\ufffd" not in text


# --- URL scheme -----------------------------------------------------------------------------------


def test_issue_and_latest_urls():
    assert CFG.issue_url(BASE, dt.date(2024, 11, 9)) == BASE + "html/2024-11/09/nbs.D110000renmrb_01.htm"
    assert CFG.latest_url(BASE) == BASE + "index.htm"


@pytest.mark.parametrize(
    ("url", "date"),
    [
        ("http://x/rmrb/html/2024-11/29/nbs.D110000renmrb_01.htm", "2024-11-29"),
        ("http://x/gmrb/html/2024-11/29/nbs.D110000gmrb_12.htm", "2024-11-29"),
        ("http://x/rmrb/html/2024-02/30/nbs.D110000renmrb_01.htm", ""),
        ("http://x/rmrb/html/2024-11/29/nw.D110000renmrb_20241129_1-01.htm", ""),
        ("http://x/html/2024-11/29/node_2.htm", ""),
    ],
)
def test_date_from_page_url(url, date):
    assert ex.date_from_url(url, CFG) == date


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://x/rmrb/html/2024-11/29/nw.D110000renmrb_20241129_1-01.htm", "1-01"),
        ("http://x/gmrb/html/2024-11/29/nw.D110000gmrb_20241129_12-16.htm", "12-16"),
        ("http://x/rmrb/html/2024-11/29/nw.D110000renmrb_20241129_3-04.htm#pic", "3-04"),
        ("http://x/rmrb/html/2024-11/29/nbs.D110000renmrb_01.htm", ""),
    ],
)
def test_article_key_from_url(url, key):
    assert ex.article_key(url, CFG) == key


# --- end to end -----------------------------------------------------------------------------------

COMMON = ("type", "id", "paper", "date", "page_no", "page_name", "url", "pdf_url")
FIELDS = {
    "page": (*COMMON, "image_url", "article_ids"),
    "article": (*COMMON, "paper_name", "position", "title", "pretitle", "subtitle", "images", "page_url",
                "author", "byline", "dateline", "body", "kind", "jump_to", "jump_from", "continued_on",
                "continued_from", "full_body"),
}


def assert_records(got: list[dict], expected: list[dict]) -> None:
    """Exactly the expected records (by URL), each with the fields this platform is responsible for."""
    by_url = {r["url"]: r for r in expected}
    assert sorted(r["url"] for r in got) == sorted(by_url)
    for record in got:
        want = by_url[record["url"]]
        keys = FIELDS[want["type"]]
        assert {k: record.get(k) for k in keys} == {k: want[k] for k in keys}, record["url"]
    assert len(got) == len({r["id"] for r in got})


def crawl_args(base: str, out: Path, *dates: str) -> list[str]:
    return ["crawl", "epaper", "-a", "platform=nbs", "-a", f"base_url={base}", "-a", f"paper={PAPER}",
            "-a", f"name={PAPER_NAME}", *dates, "-s", f"ARCHIVE_DIR={out}"]


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def crawl(served: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Crawl 2024-11-28..30 (the 28th has no issue)."""
    out = tmp_path_factory.mktemp("crawl") / "archive"
    result = run_scrapy(*crawl_args(served, out, "-a", "start=2024-11-28", "-a", "end=2024-11-30"))
    return {"result": result, "archive": out, "base": served}


def test_crawl_succeeds(crawl):
    assert crawl["result"].returncode in COLLECTED, crawl["result"].stderr[-3000:]
    assert "Traceback" not in crawl["result"].stderr
    assert stat(crawl["result"].stderr, "log_count/ERROR") == 0


def test_one_file_per_issue_day(crawl):
    files = sorted(p.relative_to(crawl["archive"]).as_posix() for p in crawl["archive"].rglob("*.jsonl"))
    assert files == [f"{PAPER}/2024/{PAPER}-{issue.date}.jsonl" for issue in ISSUES]


def test_missing_day_is_logged_as_no_issue(crawl):
    log = crawl["result"].stderr
    for day in MISSING_DATES:
        assert f"no issue: {PAPER} has no issue on {day}" in log
    assert stat(log, "epaper/no_issue_days") == len(MISSING_DATES)
    assert stat(log, "epaper/failed_days") == 0


def test_archive_holds_the_expected_records(crawl):
    assert_records(read_archive(crawl["archive"]), expected_records(ISSUES, crawl["base"], PAPER, PAPER_NAME))


def test_no_dates_crawls_the_latest_issue_only(served, tmp_path):
    result = run_scrapy(*crawl_args(served, tmp_path))
    assert result.returncode in COLLECTED, result.stderr[-3000:]
    newest = max(ISSUES, key=lambda i: i.date)
    assert [p.name for p in tmp_path.rglob("*.jsonl")] == [f"{PAPER}-{newest.date}.jsonl"]
    assert_records(read_archive(tmp_path), expected_records([newest], served, PAPER, PAPER_NAME))


def test_auto_detects_the_nbs_platform(served, tmp_path):
    result = run_scrapy("crawl", "epaper", "-a", "platform=auto", "-a", f"base_url={served}", "-a", f"paper={PAPER}",
                        "-a", f"name={PAPER_NAME}", "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode in COLLECTED, result.stderr[-3000:]
    assert "auto: detected platform nbs from a link on " in result.stderr
    newest = max(ISSUES, key=lambda i: i.date)
    assert_records(read_archive(tmp_path), expected_records([newest], served, PAPER, PAPER_NAME))
