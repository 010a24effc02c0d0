"""The benchmark script runs end to end on a tiny corpus (not a performance test)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bench_prints_positive_figures_for_both_indexers() -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bench_index.py"), "--docs", "50"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rates = {
        name: float(rate)
        for name, rate in re.findall(r"^(naive|ours)\b.*?([\d.]+) docs/s", done.stdout, flags=re.MULTILINE)
    }
    assert set(rates) == {"naive", "ours"}
    assert all(rate > 0 for rate in rates.values())
    assert re.search(r"ratio ours/naive: [\d.]+x", done.stdout)
    assert "bench/bench_index.py --docs 50 --seed 1" in done.stdout


def test_bench_reports_cpu_seconds_peak_pss_and_segments_of_a_child_build() -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bench_index.py"), "--docs", "30", "--skip-naive",
                           "--rss-docs", "200"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    found = re.search(r"building 200 articles .*: ([\d.]+) CPU s .*peak PSS of the process tree (\d+) MB.*"
                      r"index \d+ MB, (\d+) segments", done.stdout)
    assert found, done.stdout
    cpu, pss, segments = float(found[1]), int(found[2]), int(found[3])
    assert cpu > 0 and pss > 20 and segments == 1  # a Python process with numpy and Whoosh holds > 20 MB
    assert re.search(r"^ours .*\(\s*[\d.]+ CPU s\).*1 segment", done.stdout, flags=re.MULTILINE)
