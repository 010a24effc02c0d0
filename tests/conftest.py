"""Shared fixtures: the Founder classic fixture site, built once per session and served on loopback; the
two-node OpenSearch cluster (`opensearch`, tests/opensearch_cluster.py), started once per session when a test asks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.platform_cases")  # its generated tests report like any test module's

from tests.opensearch_cluster import opensearch_fixture, opensearch_session_fixture  # noqa: E402, F401  (one cluster per session)
from tests.sites.founder_classic import build_site  # noqa: E402
from tests.sites.server import serve  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# The exit status of a crawl that fetched everything it planned: 0, or 4 when its health line warns, as the
# fixture sites' deliberate gaps make it (a page without the PDF its issue's other pages have, …).
COLLECTED = (0, 4)


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
    fast = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "LOG_LEVEL": "INFO"}
    argv = [sys.executable, "-m", "scrapy", *args]
    if args and args[0] == "crawl":
        given = {a.split("=", 1)[0] for a in args if "=" in a}
        argv += [part for name, value in fast.items() if name not in given for part in ("-s", f"{name}={value}")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def read_archive(archive: Path) -> list[dict]:
    """Every record of every day file under an archive folder, in file order."""
    paths = sorted(Path(archive).rglob("*.jsonl"))
    return [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()]


def stat(log: str, name: str) -> int | float:
    """A value from Scrapy's closing stats dump in a crawl's log (0 when absent): an int for a counter, a
    float for seconds and the like."""
    match = re.search(rf"'{re.escape(name)}': (\d+(?:\.\d+)?)", log)
    if not match:
        return 0
    return float(match.group(1)) if "." in match.group(1) else int(match.group(1))
