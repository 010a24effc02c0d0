"""The crawl benchmark runs end to end on a tiny synthetic site (not a performance test)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bench_crawl_prints_positive_figures_and_ours_archives_every_article(tmp_path: Path) -> None:
    argv = [sys.executable, str(REPO / "bench" / "bench_crawl.py"), "--days", "2", "--pages", "2", "--articles", "2",
            "--site-dir", str(tmp_path / "site")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {
        name: (int(responses), float(rate), float(rss))
        for name, responses, rate, rss in re.findall(
            r"^(bare|ours)\s+(\d+)\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s.*?([\d.]+)$", done.stdout, flags=re.MULTILINE)
    }
    assert set(rows) == {"bare", "ours"}, done.stdout
    for responses, rate, rss in rows.values():
        assert responses == 2 * 2 + 2 * 2 * 2 + 1  # pages + articles + robots.txt
        assert rate > 0 and rss > 0
    assert re.search(r"^ratio ours/bare: [\d.]+x responses/s", done.stdout, flags=re.MULTILINE)
    assert "ours archived: 8 article records of 8 expected (missing 0, unexpected 0), 4 page records of 4: complete" \
        in done.stdout
    assert ".venv/bin/python bench/bench_crawl.py --days 2 --pages 2 --articles 2 --seed 1" in done.stdout
    assert (tmp_path / "site" / "manifest.json").exists()
