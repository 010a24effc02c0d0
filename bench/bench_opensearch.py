"""OpenSearch vs Whoosh: the same synthetic articles loaded into both backends in one run.

Prints, per backend: indexing docs/s, query p50/p95 per class (word, phrase-4, phrase-10, boolean + date,
count by month, KWIC top 100; the queries of bench/bench_query.py), disk per MB of article text (OpenSearch:
primary store after a force-merge to one segment per shard, replicas excluded) and memory (OpenSearch: JVM heap
used and RSS per node; Whoosh: this process's peak RSS), then the command that reproduces it. Starts its own
two-node cluster from services/opensearch (tests/opensearch_cluster.py) unless --url names one.
"""

from __future__ import annotations

import argparse
import json
import resource
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere

from bench.bench_query import make_queries, percentile  # noqa: E402
from indexer.schema import TEXT_FIELDS  # noqa: E402
from indexer.synth import make_records  # noqa: E402

CLASSES = ("one word", "phrase 4", "phrase 10", "boolean + date", "count by month", "kwic top 100")


def run_one(api, where, name: str, query: str, options: dict) -> int:
    """One query of a class through a backend's search API (indexer.search/count or the OpenSearch module)."""
    if name == "count by month":
        return api.count(where, query, "month").total_hits
    if name == "kwic top 100":
        return len(api.kwic(where, query, limit=100))
    return api.search(where, query, limit=20, **options).total


def time_queries(api, where, queries: dict) -> dict[str, tuple[float, float, float]]:
    """{class: (p50 ms, p95 ms, average results)}."""
    run_one(api, where, "one word", queries["one word"][0][0], {})  # warm up: imports, dictionary, connections
    figures = {}
    for name in CLASSES:
        times, results = [], 0
        for query, options in queries[name]:
            started = time.perf_counter()
            results += run_one(api, where, name, query, options)
            times.append((time.perf_counter() - started) * 1000)
        figures[name] = (percentile(times, 50), percentile(times, 95), results / len(times))
    return figures


def folder_mb(path: Path) -> float:
    """Size of the files under path in MB."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table and the reproducing command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5_000, help="synthetic articles (default 5,000)")
    parser.add_argument("--queries", type=int, default=30, help="queries per class (default 30)")
    parser.add_argument("--seed", type=int, default=1, help="corpus and query seed (default 1)")
    parser.add_argument("--shards", type=int, default=2, help="OpenSearch primary shards (default 2)")
    parser.add_argument("--heap", default="512m", help="heap of each node of the started cluster (default 512m)")
    parser.add_argument("--url", help="use this cluster instead of starting one")
    args = parser.parse_args(argv)

    from indexer.backends import opensearch as osb
    from indexer.build.writer import build_index
    from indexer.query import count as whoosh_count
    from indexer.query import search as whoosh_search
    from tests.opensearch_cluster import Cluster

    records = make_records(args.docs, seed=args.seed)
    text_mb = sum(len((r.get(name) or "").encode("utf-8")) for r in records for name in TEXT_FIELDS) / 1e6
    queries = make_queries(records, args.queries, args.seed)
    work = Path(tempfile.mkdtemp(prefix="bench-opensearch-"))
    archive = work / "archive.jsonl"
    archive.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    del records
    print(f"{args.docs:,} synthetic articles (seed {args.seed}), {text_mb:.1f} MB of text")

    started = time.perf_counter()
    build_index(work / "index", [archive], rebuild=True)
    whoosh_build = time.perf_counter() - started
    whoosh_api = type("W", (), {"search": staticmethod(whoosh_search.search), "kwic": staticmethod(whoosh_search.kwic),
                                "count": staticmethod(whoosh_count.count)})
    whoosh_q = time_queries(whoosh_api, work / "index", queries)
    whoosh_disk = folder_mb(work / "index")
    whoosh_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    cluster = None if args.url else Cluster(n=2, heap=args.heap)
    try:
        if cluster is not None:
            cluster.__enter__()
        target = osb.Target.parse(f"{args.url or ','.join(cluster.urls)}/bench")
        started = time.perf_counter()
        osb.build(target, [archive], rebuild=True, shards=args.shards, replicas=0)
        os_build = time.perf_counter() - started
        os_q = time_queries(osb, target, queries)
        client = osb.connect(target)
        client.indices.forcemerge(index=target.alias, max_num_segments=1)
        os_disk = client.indices.stats(index=target.alias, metric="store")["_all"]["primaries"]["store"][
            "size_in_bytes"] / 1e6
        nodes = client.nodes.stats(metric="jvm")["nodes"].values()
        heap = [node["jvm"]["mem"]["heap_used_in_bytes"] / 2**20 for node in nodes]
        rss = [cluster.rss_mb(i) for i in range(cluster.n)] if cluster is not None else []
        osb.drop(target)  # a cluster given by --url is left as it was found
    finally:
        if cluster is not None:
            cluster.__exit__(None)
        shutil.rmtree(work, ignore_errors=True)

    print(f"{'':<22} {'Whoosh':>22} {'OpenSearch':>22}")
    print(f"{'index docs/s':<22} {args.docs / whoosh_build:>22.0f} {args.docs / os_build:>22.0f}")
    for name in CLASSES:
        cells = [f"{q[name][1]:.1f} (p50 {q[name][0]:.1f})" for q in (whoosh_q, os_q)]
        print(f"{'p95 ms ' + name:<22} {cells[0]:>22} {cells[1]:>22}   avg results {whoosh_q[name][2]:.0f} / "
              f"{os_q[name][2]:.0f}")
    print(f"{'disk MB per MB text':<22} {whoosh_disk / text_mb:>22.2f} {os_disk / text_mb:>22.2f}")
    memory = f"heap {' + '.join(f'{h:.0f}' for h in heap)} MiB" + (
        f", RSS {' + '.join(f'{r:.0f}' for r in rss)} MiB" if rss else "")
    print(f"{'memory':<22} {f'peak RSS {whoosh_rss:.0f} MiB':>22} {memory:>22}")
    command = ["python", "bench/bench_opensearch.py", "--docs", str(args.docs), "--queries", str(args.queries),
               "--seed", str(args.seed), "--shards", str(args.shards), "--heap", args.heap]
    print("reproduce: .venv/bin/" + shlex.join(command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
