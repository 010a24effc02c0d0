"""The reading room's test data and helpers: the extended fixture index plus a hostile and a revised article, a
real `epaper serve` subprocess, and the `epaper` command's output for comparison."""

from __future__ import annotations

import logging
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.corpus import _record, build_extended_index

EPAPER = str(Path(sys.executable).parent / "epaper")  # the installed command (pyproject [project.scripts])
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
# Crawled text that would run as script or load things if a page put it into markup unescaped.
HOSTILE_BODY = ('董家口港区<script>alert("body")</script>今年将新开工一批重点项目。\n'
                '<img src=x onerror=alert("img")>同时加快港城融合发展。<a href="javascript:alert(\'link\')">详情</a>')


def hostile_record() -> dict:
    """An article whose every text field and link tries to inject markup or script."""
    record = _record("xss-1", "xihaian", "西海岸新闻", "2025-03-22", "03", "<i>综合</i>",
                     '港口<script>alert("title")</script>提速', HOSTILE_BODY,
                     pretitle='<b onmouseover=alert("pre")>引题</b>', subtitle="副题</title><script>alert(1)</script>",
                     author="丁霞")
    record.update(
        byline='记者 <img src=x onerror=alert("byline")>丁霞', dateline="本报讯<script>alert(2)</script>",
        url="javascript:alert('url')", page_url="file:///etc/passwd",
        pdf_url="data:text/html,<script>alert('pdf')</script>",
        images=[{"url": "javascript:alert('image')", "caption": '<script>alert("caption")</script>港口图片'},
                {"url": "https://example.invalid/port.jpg", "caption": "董家口港区"}])
    return record


def revised_record() -> dict:
    """An article revised by a re-crawl: its earlier wording kept in `versions`."""
    record = _record("rev-1", "xihaian", "西海岸新闻", "2025-03-22", "01", "要闻", "新区推动退役军人就业",
                     "新区举办退役军人专场招聘会，提供岗位一千二百余个。")
    earlier = dict(record, body="新区举办退役军人专场招聘会，提供岗位一千余个。", content_hash="sha1:earlier",
                   fetched_at="2025-03-22T06:00:00+08:00")
    record.update(fetched_at="2025-03-22T18:00:00+08:00", revised_at="2025-03-22T18:00:00+08:00",
                  revisions=["sha1:earlier"], versions=[earlier])
    return record


_built: dict[str, Path] = {}


def web_index(tmp_path_factory) -> Path:
    """The extended fixture index plus the hostile and the revised article, built once per test session (the
    reading room only reads it)."""
    if "index" not in _built:
        logging.getLogger("indexer").setLevel(logging.ERROR)
        root = tmp_path_factory.mktemp("web")
        _built["index"] = build_extended_index(root, more=[hostile_record(), revised_record()])
    return _built["index"]


def run_epaper(command: str, index: Path) -> bytes:
    """Stdout of an `epaper …` command line as a page shows it, run with --index (into a pipe, not a terminal)."""
    argv = shlex.split(command)
    assert argv[0] == "epaper", command
    done = subprocess.run([EPAPER, argv[1], "--index", str(index), *argv[2:]], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


@contextmanager
def serve(index: Path, *args: str) -> Iterator[str]:
    """Run `epaper serve --index INDEX --port 0` and yield its base URL (killed afterwards)."""
    server = subprocess.Popen([EPAPER, "serve", "--index", str(index), "--port", "0", *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        found = re.search(r"http://[\d.]+:\d+/", line)
        assert found, f"no URL in {line!r}; stderr: {server.stderr.read() if server.poll() is not None else ''}"
        yield found.group(0).rstrip("/")
    finally:
        server.kill()  # read-only: nothing to finish
        server.communicate()
