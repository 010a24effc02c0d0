"""The OpenSearch benchmark runs end to end on a tiny corpus against the session's cluster (not a performance
test)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.opensearch_cluster import Cluster

REPO = Path(__file__).resolve().parents[1]


def test_bench_opensearch_prints_both_backends_for_every_class(opensearch: Cluster) -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bench_opensearch.py"), "--docs", "200",
                           "--queries", "2", "--url", ",".join(opensearch.urls)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^index docs/s\s+\d+\s+\d+$", done.stdout, flags=re.MULTILINE)
    for name in ("one word", "phrase 4", "phrase 10", "boolean + date", "count by month", "kwic top 100"):
        # The same average number of results on both backends.
        found = re.search(rf"^p95 ms {re.escape(name)} .* avg results (\d+) / (\d+)$", done.stdout, re.MULTILINE)
        assert found and found.group(1) == found.group(2), name
    assert re.search(r"^disk MB per MB text\s+[\d.]+\s+[\d.]+$", done.stdout, flags=re.MULTILINE)
    assert "bench/bench_opensearch.py --docs 200 --queries 2 --seed 1" in done.stdout
