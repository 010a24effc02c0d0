"""Scheduled runs: since=last, paper=all, the closing summary and the coverage report."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from crawler.profiles import PROFILE_DIR
from tests.conftest import COLLECTED, ROOT, run_scrapy
from tests.sites.server import serve


def files(archive) -> list[str]:
    return sorted(p.name for p in archive.rglob("*.jsonl"))


def test_since_last_continues_after_the_newest_archived_issue(xihaian_url, tmp_path):
    base = ["crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={xihaian_url}", "-s", f"ARCHIVE_DIR={tmp_path}"]
    assert run_scrapy(*base, "-a", "date=2025-03-17").returncode == 0
    result = run_scrapy(*base, "-a", "since=last", "-a", "end=2025-03-19")
    assert result.returncode in COLLECTED
    assert "xihaian (西海岸新闻), 2025-03-18 … 2025-03-19, finished" in result.stderr
    assert files(tmp_path) == ["xihaian-2025-03-17.jsonl", "xihaian-2025-03-19.jsonl"]
    again = run_scrapy(*base, "-a", "since=last", "-a", "end=2025-03-19")
    assert again.returncode == 0
    assert again.stderr.strip().splitlines()[-1] == (
        "scrapy crawl epaper: xihaian: nothing new to crawl (the archive is up to date)")
    assert "Spider opened" not in again.stderr


def test_since_last_without_an_archive_says_how_to_start(tmp_path):
    result = run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", "since=last", "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode == 2
    assert "since=last: no archived issue of xihaian" in result.stderr and "give start=YYYY-MM-DD" in result.stderr


def test_paper_all_crawls_every_scheduled_profile_in_one_process(xihaian_url, tmp_path, monkeypatch):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    for key in ("west", "east"):
        (profiles / f"{key}.toml").write_text(
            f'name = "{key}"\nplatform = "founder-classic"\nbase_url = "{xihaian_url}"\n', encoding="utf-8")
    off = f'name = "off"\nplatform = "founder-classic"\nbase_url = "{xihaian_url}"\nscheduled = false\n'
    (profiles / "off.toml").write_text(off, encoding="utf-8")
    monkeypatch.setenv("EPAPER_PROFILES", str(profiles))
    # the bundled profiles point at the internet: keep only ours scheduled by overriding them as unscheduled
    for key in (p.name[:-5] for p in PROFILE_DIR.iterdir() if p.name.endswith(".toml")):
        (profiles / f"{key}.toml").write_text(
            f'name = "{key}"\nplatform = "founder-classic"\nbase_url = "{xihaian_url}"\nscheduled = false\n',
            encoding="utf-8")
    archive = tmp_path / "archive"
    result = run_scrapy("crawl", "epaper", "-a", "paper=all", "-a", "date=2025-03-19", "-s", f"ARCHIVE_DIR={archive}")
    assert result.returncode in COLLECTED, result.stderr[-2000:]
    assert files(archive) == ["east-2025-03-19.jsonl", "west-2025-03-19.jsonl"]
    assert result.stderr.count("epaper crawl summary: ") == 2


def test_summary_and_coverage_name_what_is_missing_and_why(xihaian_site, tmp_path):
    site, archive = tmp_path / "site", tmp_path / "archive"
    shutil.copytree(xihaian_site, site)
    (site / "html/2025-03/19/node_4.htm").unlink()  # a page listed on the issue but gone: 404
    (site / "html/2025-03/19/content_1002.htm").write_bytes(b"<html>\xff\xfe</html>")  # parses to nothing
    with serve(site) as base:
        result = run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}", "-a",
                            "start=2025-03-17", "-a", "end=2025-03-19", "-s", f"ARCHIVE_DIR={archive}")
    assert result.returncode == 3
    summary = result.stderr[result.stderr.index("epaper crawl summary: "):]
    assert "no-issue days 1 (2025-03-18)" in summary
    assert f"{base}html/2025-03/19/node_4.htm  HTTP 404" in summary
    report = subprocess.run([sys.executable, "-m", "crawler.coverage", "--paper", "xihaian", "--from", "2025-03-16",
                             "--to", "2025-03-19", "--archive", str(archive), "--format", "json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert data["issue_days"] == ["2025-03-17", "2025-03-19"]
    assert data["no_issue_days"] == ["2025-03-18"]
    assert data["never_crawled_days"] == ["2025-03-16"]
    assert data["missing_pages"] == [{"date": "2025-03-19", "url": f"{base}html/2025-03/19/node_4.htm",
                                      "reason": "HTTP 404"}]
    assert data["missing_articles"] == [{"date": "2025-03-19", "id": "xihaian-20250319-1002",
                                         "url": f"{base}html/2025-03/19/content_1002.htm",
                                         "reason": "invalid article: neither title nor body"}]
    table = subprocess.run([sys.executable, "-m", "crawler.coverage", "--paper", "xihaian", "--from", "2025-03-16",
                            "--to", "2025-03-19", "--archive", str(archive)], cwd=ROOT, capture_output=True, text=True,
                           timeout=60)
    assert "missing page" in table.stdout and "HTTP 404" in table.stdout


def test_coverage_bad_input_is_one_line():
    for args in (["--paper", "../x", "--from", "2025-03-01", "--to", "2025-03-02"],
                 ["--paper", "xihaian", "--from", "2025-03-09", "--to", "2025-03-01"],
                 ["--paper", "xihaian", "--from", "March", "--to", "2025-03-01"]):
        result = subprocess.run([sys.executable, "-m", "crawler.coverage", *args], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1 and "error:" in result.stderr
