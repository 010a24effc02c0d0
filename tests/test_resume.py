"""Stopped crawls: SIGINT with a JOBDIR resumes; after SIGKILL a plain re-run completes; never a torn file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import COLLECTED, ROOT, read_archive, run_scrapy

SLOW = ["-s", "DOWNLOAD_DELAY=0.25", "-s", "CONCURRENT_REQUESTS=1", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "RANDOMIZE_DOWNLOAD_DELAY=False", "-s", "LOG_LEVEL=DEBUG"]


def crawl_args(base: str, archive: Path, *extra: str) -> list[str]:
    return ["crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}", "-a", "start=2025-03-17",
            "-a", "end=2025-03-19", "-s", f"ARCHIVE_DIR={archive}", *extra]


def archive_state(archive: Path) -> dict[str, dict]:
    """Every record by id, fetch times aside; also proves every day file parses line by line."""
    state = {}
    for record in read_archive(archive):
        record.pop("fetched_at", None)
        assert record["id"] not in state
        state[record["id"]] = record
    return state


@pytest.fixture(scope="module")
def reference(xihaian_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """An uninterrupted crawl's archive."""
    archive = tmp_path_factory.mktemp("reference")
    assert run_scrapy(*crawl_args(xihaian_url, archive)).returncode in COLLECTED
    return archive_state(archive)


def start_crawl(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_articles(archive: Path, proc: subprocess.Popen, seen_at_least: int = 1, timeout: float = 30) -> None:
    """Wait until the crawl has fetched a few articles (its log says so), so the stop lands halfway."""
    deadline = time.monotonic() + timeout
    fetched = 0
    while time.monotonic() < deadline and fetched < seen_at_least:
        line = proc.stderr.readline()
        if "content_" in line and "Crawled (200)" in line:
            fetched += 1
    assert fetched >= seen_at_least


def test_sigint_then_resume_with_jobdir(xihaian_url, reference, tmp_path):
    archive, jobdir = tmp_path / "archive", tmp_path / "job"
    proc = start_crawl(crawl_args(xihaian_url, archive, "-s", f"JOBDIR={jobdir}", *SLOW))
    wait_for_articles(archive, proc, seen_at_least=4)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert "shutting down gracefully" in err
    partial = archive_state(archive)
    assert 0 < len(partial) < len(reference), "the stop should land halfway"
    resumed = run_scrapy(*crawl_args(xihaian_url, archive, "-s", f"JOBDIR={jobdir}"))
    assert resumed.returncode in COLLECTED
    assert archive_state(archive) == reference


def test_sigkill_then_plain_rerun(xihaian_url, reference, tmp_path):
    archive = tmp_path / "archive"
    proc = start_crawl(crawl_args(xihaian_url, archive, "-s", "ARCHIVE_FLUSH_ITEMS=3", *SLOW))
    wait_for_articles(archive, proc, seen_at_least=7)
    proc.kill()
    proc.communicate(timeout=30)
    partial = archive_state(archive)  # every day file parses: never a torn file (a killed write leaves a .tmp)
    assert 0 < len(partial) < len(reference)
    rerun = run_scrapy(*crawl_args(xihaian_url, archive))
    assert rerun.returncode in COLLECTED
    assert archive_state(archive) == reference
    assert not list(archive.rglob("*.tmp"))  # the re-run cleared what the killed write left
