"""The query benchmark runs end to end on a tiny index (not a performance test)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLASSES = ("one word", "two words", "phrase 4", "phrase 10", "phrase 4 + dates", "boolean + date", "count by month",
           "top 20 + snippets", "kwic top 100")


def test_bench_query_prints_every_class_and_the_cold_start(tmp_path: Path) -> None:
    args = ["--docs", "300", "--queries", "3", "--cold-runs", "1", "--cache", str(tmp_path)]
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bench_query.py"), *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for name in CLASSES:
        assert re.search(rf"^{re.escape(name)}\s+3\s+[\d.]+\s+[\d.]+", done.stdout, flags=re.MULTILINE), name
    assert re.search(r"^cold search_cli\.py \(a quoted phrase\): median [\d.]+ s, max [\d.]+ s over 1 runs, "
                     r"CPU median [\d.]+ s", done.stdout, re.MULTILINE)
    assert "bench/bench_query.py --docs 300 --queries 3 --cold-runs 1 --seed 1" in done.stdout
    again = subprocess.run([sys.executable, str(REPO / "bench" / "bench_query.py"), *args],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "(reused)" in again.stdout
