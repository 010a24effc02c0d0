"""Reading-room benchmark: server-side p50/p95 of a search page and an article page at N synthetic articles.

Reuses (or builds) the query benchmark's cached index under build/bench/ (bench/bench_query.py), starts a real
`epaper serve` on a free loopback port, requests search pages (`/?q=WORD`, 20 hits with snippets and bylines) and
article pages (`/article/ID?q=WORD`, highlights, near-duplicates) and reads the server's own time of each answer
from its Server-Timing header (routing, validation, the search API, templates; no network). Prints the figures
and the command that reproduces them.
"""

from __future__ import annotations

import argparse
import random
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere
sys.path.insert(0, str(REPO / "bench"))

from bench_query import SCALES, add_index_arguments, build_or_reuse, make_queries, percentile  # noqa: E402

EPAPER = str(Path(sys.executable).parent / "epaper")


def fetch(url: str) -> tuple[float, float]:
    """(server ms from Server-Timing, wall ms) of one GET answered 200."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
        timing = response.headers.get("Server-Timing", "")
    wall = (time.perf_counter() - started) * 1000
    found = re.search(r"dur=([\d.]+)", timing)
    if not found:
        raise SystemExit(f"no Server-Timing header from {url}")
    return float(found.group(1)), wall


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_index_arguments(parser)
    parser.add_argument("--requests", type=int, default=50, help="requests per page kind (default 50)")
    args = parser.parse_args(argv)
    docs = args.docs or SCALES[args.scale]

    index_dir, records, build_s = build_or_reuse(docs, args.seed, args.cache, rebuild=False)
    built = f"built in {build_s:.1f} s" if build_s is not None else "reused"
    print(f"index: {docs} synthetic articles (seed {args.seed}) at {index_dir} ({built})")
    words = [query for query, _ in make_queries(records, args.requests, args.seed)["one word"]]
    rng = random.Random(args.seed)
    ids = [record["id"] for record in rng.sample(records, min(args.requests, len(records)))]
    del records
    server = subprocess.Popen([EPAPER, "serve", "--index", str(index_dir), "--port", "0"], stdout=subprocess.PIPE,
                              text=True)
    try:
        found = re.search(r"http://[\d.]+:\d+", server.stdout.readline())
        if not found:
            raise SystemExit("epaper serve did not start")
        base = found.group(0)
        fetch(f"{base}/?q={quote(words[0])}")  # warm: imports, dictionary, first open of the index
        fetch(f"{base}/article/{quote(ids[0])}")
        pages = {"search page": [f"{base}/?q={quote(word)}" for word in words],
                 "article page": [f"{base}/article/{quote(doc_id)}?q={quote(word)}"
                                  for doc_id, word in zip(ids, words, strict=False)]}
        print(f"{'page':<14} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'wall p95 ms':>12}")
        for name, urls in pages.items():
            server_ms, wall_ms = zip(*(fetch(url) for url in urls), strict=True)
            print(f"{name:<14} {len(urls):>4} {percentile(server_ms, 50):>9.1f} {percentile(server_ms, 95):>9.1f} "
                  f"{max(server_ms):>9.1f} {percentile(wall_ms, 95):>12.1f}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    command = ["python", "bench/bench_web.py", "--docs", str(docs), "--requests", str(args.requests), "--seed",
               str(args.seed)]
    print("reproduce: .venv/bin/" + shlex.join(command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
