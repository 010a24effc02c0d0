"""Shared fixtures: the Founder classic fixture site, built once per session and served on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sites.founder_classic import build_site
from tests.sites.server import serve

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def xihaian_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The xihaian fixture site in GBK (declared gb2312, as real sites do)."""
    return build_site(tmp_path_factory.mktemp("xihaian-gbk"), encoding="gbk")


@pytest.fixture(scope="session")
def xihaian_site_utf8(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same site in UTF-8."""
    return build_site(tmp_path_factory.mktemp("xihaian-utf8"), encoding="utf-8")


@pytest.fixture(scope="session")
def xihaian_url(xihaian_site: Path) -> Iterator[str]:
    """Base URL of the GBK site served by a loopback server subprocess."""
    with serve(xihaian_site) as url:
        yield url


def run_scrapy(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `scrapy ARGS` as a subprocess of this interpreter, politeness delays off for loopback."""
    fast = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"]
    argv = [sys.executable, "-m", "scrapy", *args]
    if args and args[0] == "crawl":
        argv += fast
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
