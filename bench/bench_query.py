"""Query benchmark: p50/p95 latency per query class on an index of N synthetic articles, and cold start.

Builds (or reuses, under build/bench/) an index of N synthetic articles (indexer/synth.py), then
times, through the search API, 50 queries of each class of issue #15 (each answered once before it is
timed, as bench/bench_engines.py times every engine; the first answers are reported too): one word, two words,
a 4-character and a 10-character phrase (hit counts, as a user paging through totals sees them), a
4-character phrase within dates, a boolean query with a date filter, `count --by month`, the top 20
hits of a word with their snippets, and KWIC over the top 100 hits; then the wall and CPU time of
fresh `search_cli.py` processes answering a quoted phrase. Prints a table with the targets and
pass/fail, the CPU time per query (what the wall time is when the machine is idle: compare it when
the load average is high), the load average, and the command that reproduces it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere

from indexer.synth import make_records  # noqa: E402

SCALES = {"small": 5_000, "full": 100_000}
# (class, target p95 in ms or None)
TARGETS = {"one word": 50, "two words": 50, "phrase 4": 50, "phrase 10": 50, "phrase 4 + dates": 50,
           "boolean + date": 50, "count by month": 50, "top 20 + snippets": 50, "kwic top 100": None}
COLD_TARGET_S = 0.35  # median, a fresh process answering a quoted phrase


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def build_or_reuse(docs: int, seed: int, cache: Path, rebuild: bool) -> tuple[Path, list[dict], float | None]:
    """Return (index dir, records, build seconds or None if reused)."""
    records = make_records(docs, seed=seed)
    where = cache / f"query-index-{docs}-s{seed}"
    index_dir, marker = where / "index", where / "built.json"
    from indexer.schema import SCHEMA_VERSION

    if not rebuild and marker.exists():
        info = json.loads(marker.read_text(encoding="utf-8"))
        if info.get("schema_version") == SCHEMA_VERSION and info.get("docs") == docs:
            from indexer.build import sidecar
            from indexer.schema import open_index

            sidecar.ensure_all(index_dir, open_index(index_dir))  # an index cached before sidecars existed
            return index_dir, records, None
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    archive = where / "archive.jsonl"
    with archive.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    from indexer.build.writer import build_index

    started = time.perf_counter()
    build_index(index_dir, [archive], rebuild=True)
    seconds = time.perf_counter() - started
    archive.unlink()
    marker.write_text(json.dumps({"schema_version": SCHEMA_VERSION, "docs": docs, "seed": seed}), encoding="utf-8")
    return index_dir, records, seconds


def cjk_piece(rng: random.Random, records: list[dict], length: int) -> str:
    """A run of length CJK characters cut from the body of a random record."""
    while True:
        body = rng.choice(records)["body"]
        start = rng.randrange(max(1, len(body) - length))
        piece = body[start : start + length]
        if len(piece) == length and all("\u4e00" <= ch <= "\u9fff" for ch in piece):
            return piece


def make_queries(records: list[dict], count: int, seed: int) -> dict[str, list[tuple[str, dict]]]:
    """Return {class: [(query, options)]}: words from titles, phrases cut from bodies."""
    from indexer.analyzers import cut_words

    rng = random.Random(seed)
    words = sorted({w for r in records[:2000] for w in cut_words(r["title"]) if len(w) >= 2})
    dates = sorted({r["date"] for r in records})

    def phrase(length: int) -> str:
        return f'"{cjk_piece(rng, records, length)}"'

    def date_range() -> dict:
        first = rng.randrange(len(dates) - 60)
        return {"date_from": dates[first], "date_to": dates[first + rng.randrange(7, 60)]}

    return {
        "one word": [(rng.choice(words), {}) for _ in range(count)],
        "two words": [(f"{rng.choice(words)} {rng.choice(words)}", {}) for _ in range(count)],
        "phrase 4": [(phrase(4), {}) for _ in range(count)],
        "phrase 10": [(phrase(10), {}) for _ in range(count)],
        "phrase 4 + dates": [(phrase(4), date_range()) for _ in range(count)],
        "boolean + date": [(f"({rng.choice(words)} OR {rng.choice(words)}) NOT {rng.choice(words)}", date_range())
                           for _ in range(count)],
        "count by month": [(rng.choice(words), {}) for _ in range(count)],
        "top 20 + snippets": [(rng.choice(words), {}) for _ in range(count)],
        "kwic top 100": [(rng.choice(words), {}) for _ in range(count)],
    }


def run_one(index_dir: Path, name: str, query: str, options: dict) -> int:
    """Run one query of a class the way the CLI does; return the number of results."""
    from indexer.query.count import count
    from indexer.query.search import kwic, search

    if name == "count by month":
        return count(index_dir, query, "month").total_hits
    if name == "kwic top 100":
        return len(kwic(index_dir, query, limit=100))
    if name == "top 20 + snippets":
        return sum(1 for hit in search(index_dir, query, limit=20, **options).hits if hit["snippet"])
    return search(index_dir, query, limit=0, **options).total


def cold_start(index_dir: Path, query: str, runs: int) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds) of `search_cli.py QUERY --index DIR` in fresh processes."""
    import resource

    times, cpu = [], []
    env = {**os.environ, "COLUMNS": "160"}
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(REPO / "search_cli.py"), query, "--index", str(index_dir)],
                              capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"search_cli.py failed: {done.stderr.strip()}")
    return times, cpu


def add_index_arguments(parser: argparse.ArgumentParser) -> None:
    """--scale, --docs, --seed and --cache: which cached synthetic index a benchmark runs on."""
    parser.add_argument("--scale", choices=sorted(SCALES), default=os.environ.get("BENCH_SCALE") or "small",
                        help="small (5,000 articles) or full (100,000); default $BENCH_SCALE or small")
    parser.add_argument("--docs", type=int, help="number of synthetic articles (overrides --scale)")
    parser.add_argument("--seed", type=int, default=1, help="corpus and query random seed (default 1)")
    parser.add_argument("--cache", type=Path, default=REPO / "build" / "bench", help="where the index is kept")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_index_arguments(parser)
    parser.add_argument("--queries", type=int, default=50, help="queries per class (default 50)")
    parser.add_argument("--cold-runs", type=int, default=5, help="cold search_cli.py runs (default 5)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index even if a cached one exists")
    args = parser.parse_args(argv)
    docs = args.docs or SCALES[args.scale]

    index_dir, records, build_s = build_or_reuse(docs, args.seed, args.cache, args.rebuild)
    built = f"built in {build_s:.1f} s" if build_s is not None else "reused"
    print(f"index: {docs} synthetic articles (seed {args.seed}) at {index_dir} ({built})")
    queries = make_queries(records, args.queries, args.seed)
    del records
    run_one(index_dir, "one word", queries["one word"][0][0], {})  # warm: imports, dictionary, first open
    print(f"load average before: {' '.join(f'{load:.2f}' for load in os.getloadavg())} ({os.cpu_count()} CPUs)")
    print("warm: each query answered once before it is timed (as bench/bench_engines.py times every engine); "
          "first: its first answer in this process (its terms not yet gathered from the segments)")
    print(f"{'class':<18} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'cpu p50':>8} {'cpu p95':>8} "
          f"{'first p50':>10} {'first p95':>10} {'target p95':>11}  result")
    for name, items in queries.items():
        first, times, cpu, results = [], [], [], 0
        for query, options in items:
            started = time.perf_counter()
            run_one(index_dir, name, query, options)
            first.append((time.perf_counter() - started) * 1000)
        for query, options in items:
            started, cpu_started = time.perf_counter(), time.process_time()
            results += run_one(index_dir, name, query, options)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        target = TARGETS[name]
        p95 = percentile(times, 95)
        verdict = "-" if target is None else ("pass" if p95 <= target else "FAIL")
        print(f"{name:<18} {len(times):>4} {percentile(times, 50):>9.1f} {p95:>9.1f} {max(times):>9.1f} "
              f"{percentile(cpu, 50):>8.1f} {percentile(cpu, 95):>8.1f} {percentile(first, 50):>10.1f} "
              f"{percentile(first, 95):>10.1f} {'≤ ' + str(target) if target else '-':>11}  "
              f"{verdict}  (avg {results / len(items):.0f} results)")
    cold, cold_cpu = cold_start(index_dir, queries["phrase 4"][0][0], args.cold_runs)
    verdict = "pass" if statistics.median(cold) <= COLD_TARGET_S else "FAIL"
    print(f"cold search_cli.py (a quoted phrase): median {statistics.median(cold):.2f} s, max {max(cold):.2f} s "
          f"over {len(cold)} runs, CPU median {statistics.median(cold_cpu):.2f} s "
          f"(target: median ≤ {COLD_TARGET_S:.2f} s)  {verdict}")
    print(f"load average after: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    command = ["python", "bench/bench_query.py", "--docs", str(docs), "--queries", str(args.queries),
               "--cold-runs", str(args.cold_runs), "--seed", str(args.seed)]
    print("reproduce: .venv/bin/" + shlex.join(command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
