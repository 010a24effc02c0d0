"""Stopped crawls on every platform, platform=auto, a profile and paper=all: SIGINT then a JOBDIR resume, and
SIGKILL then a plain re-run, each end with an archive identical to an uninterrupted crawl (fetch times aside)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.profiles import PROFILE_DIR
from tests.conftest import ROOT
from tests.sites import founder_new, nbs
from tests.sites.rmrb import data as rmrb
from tests.sites.server import serve
from tests.test_resume import archive_state

SLOW = ["-s", "DOWNLOAD_DELAY=0.1", "-s", "CONCURRENT_REQUESTS=1", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "RANDOMIZE_DOWNLOAD_DELAY=False", "-s", "LOG_LEVEL=DEBUG"]
XIHAIAN_DAYS = ("-a", "start=2025-03-17", "-a", "end=2025-03-19")
# case -> (site, spider arguments after base_url); paper=all reads the profiles written by `profiles`
CASES = {
    "founder-classic": ("xihaian", ["-a", "platform=founder-classic", "-a", "paper=west", *XIHAIAN_DAYS]),
    "founder-new": ("rmrb", ["-a", "platform=founder-new", "-a", "paper=rmrb", "-a", "start=2025-03-18",
                             "-a", "end=2025-03-20"]),
    "nbs": ("nbs", ["-a", "platform=nbs", "-a", "paper=rmrb-nbs", "-a", "start=2024-11-28", "-a", "end=2024-11-30"]),
    "auto": ("xihaian", ["-a", "platform=auto", "-a", "paper=west", *XIHAIAN_DAYS]),
    "profile": ("xihaian", ["-a", "paper=xihaian", *XIHAIAN_DAYS]),
    "paper=all": ("", ["-a", "paper=all", *XIHAIAN_DAYS]),
}


@pytest.fixture(scope="module")
def sites(xihaian_site: Path, xihaian_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The Founder classic (twice: two papers), Founder new and nbs fixture sites, served on loopback."""
    rmrb_site = founder_new.build_site(tmp_path_factory.mktemp("rmrb"), rmrb.ISSUES, family=rmrb.FAMILY,
                                       encoding=rmrb.ENCODING, paper_name=rmrb.PAPER_NAME)
    nbs_site = nbs.build_site(tmp_path_factory.mktemp("nbs"))
    with serve(rmrb_site) as rmrb_url, serve(nbs_site) as nbs_url, serve(xihaian_site) as second_url:
        yield {"xihaian": xihaian_url, "second": second_url, "rmrb": rmrb_url, "nbs": nbs_url}


@pytest.fixture(scope="module")
def profiles(sites: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A profile folder where paper=all means two papers (the Founder classic site at two URLs: the seen-store
    knows articles by URL)."""
    folder = tmp_path_factory.mktemp("profiles")
    bundled = [(p.name[:-5], "xihaian", "false") for p in PROFILE_DIR.iterdir() if p.name.endswith(".toml")]
    for key, site, scheduled in (("west", "xihaian", "true"), ("east", "second", "true"), *bundled):
        (folder / f"{key}.toml").write_text(f'name = "{key}"\nplatform = "founder-classic"\nbase_url = '
                                            f'"{sites[site]}"\nscheduled = {scheduled}\n', encoding="utf-8")
    return folder


def crawl_args(case: str, sites: dict[str, str], archive: Path, *extra: str) -> list[str]:
    site, args = CASES[case]
    base = ["-a", f"base_url={sites[site]}"] if site else []
    return ["crawl", "epaper", *base, *args, "-s", f"ARCHIVE_DIR={archive}", *extra]


@pytest.fixture(scope="module")
def references(sites, profiles, tmp_path_factory) -> dict[str, dict[str, dict]]:
    """Each case's uninterrupted crawl (made when a test first needs it)."""
    made: dict[str, dict[str, dict]] = {}

    class Lazy(dict):
        def __missing__(self, case: str) -> dict[str, dict]:
            archive = tmp_path_factory.mktemp("reference")
            result = run(crawl_args(case, sites, archive), profiles)
            assert result.returncode == 0, result.stderr[-2000:]
            made[case] = archive_state(archive)
            assert made[case], "the reference crawl archived nothing"
            return made[case]

    return Lazy()


def environment(profiles: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "EPAPER_PROFILES": str(profiles)}


def run(args: list[str], profiles: Path) -> subprocess.CompletedProcess[str]:
    """A crawl to its end (politeness delays off, as run_scrapy does)."""
    fast = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
    return subprocess.run([sys.executable, "-m", "scrapy", *args, *fast], cwd=ROOT, env=environment(profiles),
                          capture_output=True, text=True, timeout=180)


def start(args: list[str], profiles: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=environment(profiles),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for_items(proc: subprocess.Popen, count: int, timeout: float = 60) -> None:
    """Wait until the crawl has scraped count records (its debug log says so), so the stop lands halfway."""
    deadline = time.monotonic() + timeout
    scraped = 0
    while time.monotonic() < deadline and scraped < count:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            break
        scraped += "Scraped from <200" in line
    assert scraped >= count, "the crawl ended before it could be stopped"


@pytest.mark.parametrize("case", list(CASES))
def test_sigint_then_jobdir_resume(case, sites, profiles, references, tmp_path):
    archive, jobdir = tmp_path / "archive", tmp_path / "job"
    proc = start(crawl_args(case, sites, archive, "-s", f"JOBDIR={jobdir}", *SLOW), profiles)
    wait_for_items(proc, 3 + len(case) % 4)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=90)
    assert "shutting down gracefully" in err
    partial = archive_state(archive)
    assert len(partial) < len(references[case]), "the stop should land halfway"
    resumed = run(crawl_args(case, sites, archive, "-s", f"JOBDIR={jobdir}"), profiles)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "parse error: " not in resumed.stderr and "Traceback" not in resumed.stderr
    assert archive_state(archive) == references[case]


@pytest.mark.parametrize("case", list(CASES))
def test_sigkill_then_plain_rerun(case, sites, profiles, references, tmp_path):
    archive = tmp_path / "archive"
    proc = start(crawl_args(case, sites, archive, "-s", "ARCHIVE_FLUSH_ITEMS=3", *SLOW), profiles)
    wait_for_items(proc, 5 + len(case) % 3)
    proc.kill()
    proc.communicate(timeout=30)
    partial = archive_state(archive)  # every day file parses: never a torn file
    assert 0 < len(partial) < len(references[case])
    rerun = run(crawl_args(case, sites, archive), profiles)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert archive_state(archive) == references[case]
    assert not list(archive.rglob("*.tmp"))
