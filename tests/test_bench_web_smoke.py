"""The reading-room benchmark runs end to end on a tiny index (not a performance test)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bench_web_prints_both_pages_and_the_command(tmp_path: Path) -> None:
    args = ["--docs", "300", "--requests", "3", "--cache", str(tmp_path)]
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bench_web.py"), *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for name in ("search page", "article page"):
        assert re.search(rf"^{name}\s+3\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$", done.stdout, flags=re.MULTILINE), name
    assert "bench/bench_web.py --docs 300 --requests 3 --seed 1" in done.stdout
