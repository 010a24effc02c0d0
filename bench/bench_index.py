"""Indexing benchmark: naive Whoosh + jieba ChineseAnalyzer vs. our build_index.

Generates a deterministic synthetic corpus (seed-page sentences mixed with
jieba dictionary words drawn by frequency), indexes it both ways in one run
and prints docs/s (wall clock), CPU seconds (workers included), the ratios,
chars/s, index size per MB of text and the number of segments.
With --rss-docs N (BENCH_SCALE=full: 100,000) it also builds an index of N
articles in a child process and reports its CPU seconds, peak RSS (and its
workers') and the peak PSS summed over its process tree (sampled).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere

from indexer.build.writer import build_index  # noqa: E402
from indexer.synth import make_records  # noqa: E402


def dir_size(path: Path) -> int:
    """Return the total size in bytes of the files under path."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its reaped children so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def segment_count(index_dir: Path) -> int:
    """Segments of a Whoosh index (one compound .seg file each)."""
    return len(list(index_dir.glob("*.seg")))


def text_size(records: list[dict]) -> tuple[int, int]:
    """Return (characters, UTF-8 bytes) of the indexed text (title + body)."""
    texts = [r["title"] + r["body"] for r in records]
    return sum(map(len, texts)), sum(len(t.encode()) for t in texts)


def bench_naive(records: list[dict], index_dir: Path) -> tuple[float, float]:
    """Index title/body with jieba's ChineseAnalyzer, one writer, default settings; return (seconds, CPU s)."""
    import jieba
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema

    jieba.setLogLevel(60)
    jieba.initialize()  # dictionary load is not indexing time
    analyzer = ChineseAnalyzer()
    schema = Schema(id=ID(unique=True, stored=True), title=TEXT(stored=True, analyzer=analyzer),
                    body=TEXT(stored=True, analyzer=analyzer))
    index_dir.mkdir(parents=True)
    started, cpu = time.perf_counter(), cpu_seconds()
    writer = index.create_in(str(index_dir), schema).writer()
    for record in records:
        writer.add_document(id=record["id"], title=record["title"], body=record["body"])
    writer.commit()
    return time.perf_counter() - started, cpu_seconds() - cpu


def bench_ours(records: list[dict], work: Path) -> tuple[float, float]:
    """Write the records as a JSONL archive and index them with build_index; return (seconds, CPU s)."""
    import rjieba

    work.mkdir(parents=True)
    archive = work / "archive.jsonl"
    archive.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    rjieba.cut("预热词典")  # dictionary load is not indexing time
    started, cpu = time.perf_counter(), cpu_seconds()
    build_index(work / "index", [archive])
    return time.perf_counter() - started, cpu_seconds() - cpu


RSS_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from indexer.build.writer import build_index
started = time.perf_counter()
stats = build_index(sys.argv[2], [sys.argv[3]], rebuild=True)
own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - started, "docs": stats.docs,
                  "cpu": own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime,
                  "self_kb": own.ru_maxrss, "workers_kb": workers.ru_maxrss}))
"""


def _tree(pid: int) -> list[int]:
    """pid and its descendants (Linux /proc)."""
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                for child in handle.read().split():
                    found += _tree(int(child))
    except OSError:  # the process ended meanwhile
        pass
    return found


def _pss_kb(pid: int) -> int:
    """Proportional set size of one process in KB (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            return next((int(line.split()[1]) for line in handle if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def run_sampling_pss(command: list[str]) -> tuple[str, int]:
    """Run command; return its stdout and the peak PSS (KB) of its process tree, sampled every 0.2 s."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while child.poll() is None:
        peak = max(peak, sum(_pss_kb(pid) for pid in _tree(child.pid)))
        time.sleep(0.2)
    out, err = child.communicate()
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command, out, err)
    return out, peak



def bench_rss(docs: int, seed: int, work: Path) -> dict:
    """Build an index of docs articles in a child process; return its time and peak RSS figures (KB)."""
    work.mkdir(parents=True)
    archive = work / "archive.jsonl"
    with archive.open("w", encoding="utf-8") as handle:
        for start in range(0, docs, 10_000):  # generate in slices: the corpus itself is not the child's memory
            for record in make_records(min(10_000, docs - start), seed=seed * 1000 + start // 10_000):
                record["id"] = f"{record['id']}-{start}"
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    text_bytes = archive.stat().st_size
    out, peak_pss = run_sampling_pss([sys.executable, "-c", RSS_CHILD, str(REPO), str(work / "index"), str(archive)])
    result = json.loads(out.strip().splitlines()[-1])
    result["pss_kb"] = peak_pss
    result["segments"] = segment_count(work / "index")
    result["index_bytes"] = dir_size(work / "index")
    result["archive_bytes"] = text_bytes
    return result


def report(name: str, docs: int, chars: int, text_bytes: int, seconds: float, cpu: float, size: int,
           segments: int) -> str:
    """Return one result line."""
    return (f"{name:<37} {docs / seconds:8.1f} docs/s {chars / seconds:10,.0f} chars/s "
            f"{seconds:7.2f} s ({cpu:7.1f} CPU s)  index {size / 2**20:6.2f} MB = {size / text_bytes:5.2f} MB "
            f"per MB of text, {segments} segment(s)")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    full = os.environ.get("BENCH_SCALE") == "full"
    parser.add_argument("--docs", type=int, default=20_000 if full else 2000,
                        help="number of synthetic articles (default 2000; BENCH_SCALE=full: 20000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus random seed (default 1)")
    parser.add_argument("--rss-docs", type=int, default=100_000 if full else 0,
                        help="also build N articles in a child process and report peak RSS "
                             "(default 0 = skip; BENCH_SCALE=full: 100000)")
    parser.add_argument("--skip-naive", action="store_true", help="only time ours (no ratio)")
    args = parser.parse_args(argv)

    records = make_records(args.docs, seed=args.seed)
    chars, text_bytes = text_size(records)
    print(f"corpus: {args.docs} docs, {chars:,} chars of title+body ({text_bytes / 2**20:.2f} MB UTF-8), "
          f"seed {args.seed}")
    with tempfile.TemporaryDirectory(prefix="epaper-bench-") as tmp:
        work = Path(tmp)
        if not args.skip_naive:
            naive_s, naive_cpu = bench_naive(records, work / "naive")
            naive_size, naive_segments = dir_size(work / "naive"), segment_count(work / "naive")
        ours_s, ours_cpu = bench_ours(records, work / "ours")
        ours_size, ours_segments = dir_size(work / "ours" / "index"), segment_count(work / "ours" / "index")
        del records
        rss = bench_rss(args.rss_docs, args.seed, work / "rss") if args.rss_docs else None
    if not args.skip_naive:
        print(report("naive whoosh + jieba ChineseAnalyzer", args.docs, chars, text_bytes, naive_s, naive_cpu,
                     naive_size, naive_segments))
    print(report("ours (rjieba words + char phrases)", args.docs, chars, text_bytes, ours_s, ours_cpu, ours_size,
                 ours_segments))
    if not args.skip_naive:
        # Fixed costs (forking writers, sidecars, clustering) weigh more on a small corpus than on the target's.
        scope = "" if args.docs >= 20_000 else "; the target is for 20,000 articles: BENCH_SCALE=full"
        print(f"ratio ours/naive: {naive_s / ours_s:.2f}x docs/s (target >= 3x{scope}), "
              f"{naive_cpu / ours_cpu:.2f}x CPU seconds")
    if rss:
        total_kb = rss["self_kb"] + rss["workers_kb"]
        print(f"building {rss['docs']} articles ({rss['archive_bytes'] / 2**20:.0f} MB of JSONL): "
              f"{rss['cpu']:.0f} CPU s ({rss['cpu'] / rss['docs'] * 1000:.2f} ms per article), "
              f"{rss['docs'] / rss['seconds']:.0f} docs/s; peak PSS of the process tree {rss['pss_kb'] / 1024:.0f} MB "
              f"(target <= 1024 MB); peak RSS: build process {rss['self_kb'] / 1024:.0f} MB, "
              f"largest worker {rss['workers_kb'] / 1024:.0f} MB, sum {total_kb / 1024:.0f} MB; "
              f"index {rss['index_bytes'] / 2**20:.0f} MB, {rss['segments']} segments")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end")
    command = ["python", "bench/bench_index.py", "--docs", str(args.docs), "--seed", str(args.seed)]
    if args.rss_docs:
        command += ["--rss-docs", str(args.rss_docs)]
    if args.skip_naive:
        command.append("--skip-naive")
    print("reproduce: .venv/bin/" + shlex.join(command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
