"""End to end: a real `scrapy crawl epaper` over loopback HTTP against the xihaian fixture site."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.spiders.epaper import page_id
from tests.conftest import COLLECTED, ROOT, read_archive, run_scrapy, stat
from tests.sites.founder_classic import expected_records
from tests.sites.server import serve
from tests.sites.xihaian.data import ISSUES, PAPER, PAPER_NAME

VOLATILE = ("fetched_at", "content_hash", "position", "id")


@pytest.fixture(scope="module")
def crawl(xihaian_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Crawl 2025-03-17..19 (the 18th has no issue) with the xihaian profile pointed at the fixture server."""
    out = tmp_path_factory.mktemp("crawl")
    result = run_scrapy(
        "crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={xihaian_url}",
        "-a", "start=2025-03-17", "-a", "end=2025-03-19",
        "-s", f"ARCHIVE_DIR={out / 'archive'}", "-s", f"INDEX_DIR={out / 'index'}",
    )
    return {"result": result, "archive": out / "archive", "index": out / "index", "base": xihaian_url}


def test_crawl_succeeds(crawl):
    assert crawl["result"].returncode in COLLECTED, crawl["result"].stderr[-3000:]
    assert "Traceback" not in crawl["result"].stderr


def test_one_file_per_issue_day_and_none_for_the_missing_day(crawl):
    files = sorted(p.relative_to(crawl["archive"]).as_posix() for p in crawl["archive"].rglob("*.jsonl"))
    assert files == ["xihaian/2025/xihaian-2025-03-17.jsonl", "xihaian/2025/xihaian-2025-03-19.jsonl"]


def test_missing_day_is_logged_as_no_issue_not_an_error(crawl):
    log = crawl["result"].stderr
    assert "no issue: xihaian has no issue on 2025-03-18" in log
    assert stat(log, "epaper/no_issue_days") == 1
    assert stat(log, "epaper/failed_days") == 0
    assert stat(log, "log_count/ERROR") == 0


def test_archive_holds_exactly_the_expected_records(crawl):
    """Every field of every record as the site's data says, and no record more."""
    expected = {r["url"]: r for r in expected_records(ISSUES, crawl["base"], PAPER, PAPER_NAME)}
    got = read_archive(crawl["archive"])
    assert sorted(r["url"] for r in got) == sorted(expected)
    for record in got:
        want = expected[record["url"]]
        assert {k: record[k] for k in want} == want
        assert set(record) - set(want) <= set(VOLATILE) | {"paper_name", "article_urls", "issue_pages"}
    assert len(got) == len({r["id"] for r in got})


@pytest.mark.parametrize("field", ["fetched_at", "content_hash", "id"])
def test_every_record_has_its_bookkeeping_fields(crawl, field):
    patterns = {"fetched_at": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", "content_hash": r"^sha256:[0-9a-f]{32}$",
                "id": r"^xihaian-2025031[79]-(p\d\d|[\d_]+)$"}
    for record in read_archive(crawl["archive"]):
        if field == "content_hash" and record["type"] == "page":
            continue
        assert re.match(patterns[field], record[field]), record


def test_page_ids_and_article_positions(crawl):
    records = read_archive(crawl["archive"])
    pages = {r["id"]: r for r in records if r["type"] == "page"}
    for record in records:
        if record["type"] == "page":
            assert record["id"] == page_id(PAPER, record["date"], record["page_no"])
        else:
            owner = pages[page_id(PAPER, record["date"], record["page_no"])]
            assert owner["article_ids"][record["position"]] == record["id"]


def test_archive_is_utf8_not_escaped(crawl):
    text = (crawl["archive"] / "xihaian/2025/xihaian-2025-03-19.jsonl").read_text(encoding="utf-8")
    assert "高质量发展" in text and "\\u" not in text


def test_second_run_rereads_pages_but_not_unchanged_articles(crawl, tmp_path):
    """The seen-store: page lists are fetched again, archived articles are not, nothing is rewritten."""
    archive = tmp_path / "archive"
    shutil.copytree(crawl["archive"], archive)
    day = "xihaian/2025/xihaian-2025-03-19.jsonl"
    result = run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={crawl['base']}",
                        "-a", "date=2025-03-19", "-s", f"ARCHIVE_DIR={archive}")
    assert result.returncode in COLLECTED
    expected = [r for r in expected_records(ISSUES, crawl["base"], PAPER, PAPER_NAME) if r["date"] == "2025-03-19"]
    pages = [r for r in expected if r["type"] == "page"]
    assert stat(result.stderr, "downloader/request_count") == 1 + len(pages)  # robots.txt + the page lists
    assert stat(result.stderr, "seen/skipped") == len(expected) - len(pages)
    assert stat(result.stderr, "archive/records_new") == 0
    assert (archive / day).read_bytes() == (crawl["archive"] / day).read_bytes()


def test_revisit_records_a_corrected_article_as_a_revision(xihaian_site, crawl, tmp_path):
    site, archive = tmp_path / "site", tmp_path / "archive"
    shutil.copytree(xihaian_site, site)
    shutil.copytree(crawl["archive"], archive)
    page = site / "html/2025-03/19/content_1007.htm"
    page.write_bytes(page.read_bytes().replace("安全生产".encode("gbk"), "安全生产（更正）".encode("gbk"), 1))
    with serve(site) as base:
        result = run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}",
                            "-a", "date=2025-03-19", "-a", "revisit=1", "-s", f"ARCHIVE_DIR={archive}",
                            "-s", f"INDEX_DIR={tmp_path / 'index'}")
    assert result.returncode in COLLECTED
    assert stat(result.stderr, "archive/records_revised") == 1
    old = {r["id"]: r for r in read_archive(crawl["archive"])}
    for record in read_archive(archive):
        if record["id"] == "xihaian-20250319-1007":
            assert "（更正）" in record["title"] + record["body"]
            assert record["revisions"] == [old[record["id"]]["content_hash"]]
            assert record["revised_at"] == record["fetched_at"]
            assert record["versions"] == [old[record["id"]]]  # the original wording, whole, with its fetch time
        elif record["type"] == "article" and record["date"] == "2025-03-19":
            assert "revisions" not in record  # served from another port: replaced, but not revised
            assert record["content_hash"] == old[record["id"]]["content_hash"]
    # the CLI says the article was revised and shows the earlier text with a diff
    show = [sys.executable, str(ROOT / "search_cli.py"), "show", "xihaian-20250319-1007", "--index",
            str(tmp_path / "index")]
    done = subprocess.run(show, cwd=ROOT, capture_output=True, text=True, timeout=60)
    original = old["xihaian-20250319-1007"]
    assert done.returncode == 0 and "=== version" not in done.stdout
    assert re.search(r"^revised: +\S+ \(1 earlier version; see --versions\)$", done.stdout, re.M), done.stdout
    done = subprocess.run([*show, "--versions"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    earlier = done.stdout.split("=== version 1 of 2, fetched ", 1)[1]
    assert earlier.startswith(f"{original['fetched_at']} ({original['content_hash']})")
    changed = [line for line in earlier.splitlines() if line.startswith(("-", "+")) and line[:3] not in ("---", "+++")]
    assert changed and all("安全生产" in line for line in changed)
    assert [line[0] for line in changed] == ["-", "+"] and "（更正）" in changed[1] and "（更正）" not in changed[0]


def test_no_dates_crawls_the_latest_issue(crawl, tmp_path):
    result = run_scrapy("crawl", "epaper", "-a", "platform=founder-classic", "-a", f"base_url={crawl['base']}",
                        "-a", "paper=demo", "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode in COLLECTED
    assert [p.name for p in tmp_path.rglob("*.jsonl")] == ["demo-2025-03-19.jsonl"]
    assert {r["paper"] for r in read_archive(tmp_path)} == {"demo"}


def test_a_broken_article_is_logged_counted_and_the_crawl_goes_on(xihaian_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(xihaian_site, site)
    (site / "html/2025-03/19/content_1002.htm").write_bytes(b"\x00\xff\xfe garbage, not an article")
    with serve(site) as base:
        result = run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}",
                            "-a", "date=2025-03-19", "-s", f"ARCHIVE_DIR={tmp_path / 'archive'}")
    assert result.returncode in COLLECTED
    ids = {r["id"] for r in read_archive(tmp_path / "archive") if r["type"] == "article"}
    assert "xihaian-20250319-1002" not in ids
    expected = {r["id"] for r in expected_records(ISSUES, base, PAPER, PAPER_NAME)
                if r["type"] == "article" and r["date"] == "2025-03-19"}
    assert ids == expected - {"xihaian-20250319-1002"}
    assert stat(result.stderr, "validate/dropped") == 1
    assert "invalid article: neither title nor body: " + base + "html/2025-03/19/content_1002.htm" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-a", "paper=nosuch"], "unknown paper 'nosuch'; choose from: ahrb, demo, fzrb, gmrb, gmrb-nbs, grrb, "
                                  "hbrb, jjckb, jjrb, jxrb, kjrb, mrdx, nfrb, rmrb, rmrb-nbs, xihaian, zglyb"),
        (["-a", "platform=cms9", "-a", "base_url=http://127.0.0.1:9/"], "unknown platform 'cms9'; choose from"),
        (["-a", "paper=xihaian", "-a", "date=2025-02-30"], "invalid date '2025-02-30'"),
        (["-a", "paper=xihaian", "-a", "start=2025-03-19", "-a", "end=2025-03-17"], "end 2025-03-17 is before"),
        (["-a", "paper=../../etc"], "invalid paper key '../../etc'"),
    ],
)
def test_bad_arguments_get_one_line_and_exit_2(args, message):
    result = run_scrapy("crawl", "epaper", *args)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert "Traceback" not in result.stderr


# --- the index the crawl built, searched through the CLI ------------------------------------------

TEXT_FIELDS = ("pretitle", "title", "subtitle", "body")


def search_ids(index: Path, *args: str) -> list[str]:
    """Run search_cli.py --format jsonl --all and return the hit ids in rank order."""
    result = subprocess.run([sys.executable, "search_cli.py", "--index", str(index), "--format", "jsonl", "--all",
                             *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def articles(crawl) -> list[dict]:
    return [r for r in read_archive(crawl["archive"]) if r["type"] == "article"]


def containing(articles: list[dict], text: str, fields=TEXT_FIELDS) -> set[str]:
    """Brute force: ids of the articles whose fields contain text literally."""
    return {a["id"] for a in articles if any(text in a[f] for f in fields)}


@pytest.mark.parametrize("phrase", ["高质量发展", "新区工委", "人民共和", "董家口经济区", "镕", "金融“活水”"])
def test_phrase_hits_are_exactly_the_articles_containing_it(crawl, articles, phrase):
    expected = containing(articles, phrase)
    assert expected, f"fixture should contain {phrase}"
    assert set(search_ids(crawl["index"], f'"{phrase}"')) == expected


def test_word_query_ranks_literal_matches_first(crawl, articles):
    import jieba

    literal = containing(articles, "高质量发展")
    words = jieba.lcut("高质量发展")
    loose = {a["id"] for a in articles
             if all(any(w in a[f] for f in TEXT_FIELDS) for w in words)}
    ids = search_ids(crawl["index"], "高质量发展")
    assert set(ids) == literal | loose
    assert set(ids[: len(literal)]) == literal


def test_boolean_query(crawl, articles):
    expected = (containing(articles, "董家口") | containing(articles, "营商环境")) - containing(articles, "氢能")
    assert set(search_ids(crawl["index"], '("董家口" OR "营商环境") AND NOT "氢能"')) == expected


def test_field_prefixes(crawl, articles):
    assert set(search_ids(crawl["index"], 'title:"高质量发展"')) == containing(articles, "高质量发展", ("title",))
    assert set(search_ids(crawl["index"], "author:丁霞")) == containing(articles, "丁霞", ("author",))


def test_date_filter(crawl, articles):
    on_19 = {a["id"] for a in articles if a["date"] == "2025-03-19"}
    got = search_ids(crawl["index"], '"高质量发展"', "--from", "2025-03-19", "--to", "2025-03-19")
    assert set(got) == containing(articles, "高质量发展") & on_19


def test_rebuilding_from_the_same_archive_changes_nothing(crawl):
    result = subprocess.run([sys.executable, "-m", "indexer", "build", "--index", str(crawl["index"]),
                             str(crawl["archive"])], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert " 0 added, 0 updated" in result.stdout
