"""The body fallback benchmark runs end to end on one variant in one encoding (not a performance test)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXTRACTORS = ("trafilatura text", "trafilatura + crawler.text", "trafilatura + fallback rules", "gne text",
              "gne + crawler.text", "fallback.main_paragraphs")


def test_bench_body_fallback_prints_every_extractor_and_the_command() -> None:
    args = ["--variants", "renamed", "--encodings", "utf-8", "--repeat", "1"]
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bench_body_fallback.py"), *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "on 55 article pages" in done.stdout
    for name in EXTRACTORS:
        row = re.search(rf"^{re.escape(name)}\s+([\d.]+)\s+([\d.]+)\s+(\d+)/55\s+\d+\s+[\d.]+$", done.stdout,
                        flags=re.MULTILINE)
        assert row, name
        assert 0 <= float(row[1]) <= 1 and 0 <= float(row[2]) <= 1
    shipped = re.search(r"^fallback\.main_paragraphs\s+1\.000\s+1\.000\s+55/55\s+0\s", done.stdout, re.MULTILINE)
    assert shipped, done.stdout
    assert re.search(r"^fallback\.main_title\s+55/55$", done.stdout, re.MULTILINE)
    assert "bench/bench_body_fallback.py --variants renamed --encodings utf-8 --repeat 1" in done.stdout
