"""Crawl benchmark: our `scrapy crawl epaper` vs. a bare Scrapy spider over one synthetic Founder site.

Builds (or reuses, cached by parameters under build/bench/) a synthetic Founder "classic" site of N days x P
pages x A articles (bench/synth_site.py), serves it on loopback (bench/static_server.py), then in one run
crawls it with a bare Scrapy spider that follows the same links and parses nothing (bench/bare_spider.py)
and with our spider, both with the same settings (no delays, no AutoThrottle, same concurrency); prints
responses/s for both, the ratio (target: ours >= 0.7x bare), peak RSS and CPU of each crawl process, the
server's CPU share (is it the bottleneck?), the records our crawl archived, and the command to reproduce.

    .venv/bin/python bench/bench_crawl.py                 # small: 30 days x 12 pages x 6 articles
    BENCH_SCALE=full .venv/bin/python bench/bench_crawl.py  # full: 365 x 12 x 6 (about 30k responses)
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import queue
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere

from bench.synth_site import SiteSpec, build, expected_article_ids  # noqa: E402

SCALES = {"small": (30, 12, 6), "full": (365, 12, 6)}
TARGET = 0.7
PAPER = "bench"
SERVERS = {
    "fast": [sys.executable, str(REPO / "bench" / "static_server.py"), "--port", "0", "--root"],
    "fixture": [sys.executable, "-m", "tests.sites.server", "--port", "0", "--root"],  # the tests' server
}
SERVER_NAMES = {"fast": "bench/static_server.py (asyncio, keep-alive)",
                "fixture": "tests/sites/server.py (ThreadingHTTPServer, HTTP/1.0)"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class CrawlResult:
    """What one crawl subprocess did and cost."""

    name: str
    argv: list[str]
    wall: float
    returncode: int
    stats: dict
    cpu: float  # user + system seconds of the crawl process
    peak_rss_mb: float
    server_cpu: float | None  # CPU seconds the server used meanwhile (None: unknown)
    stderr_tail: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def responses(self) -> int:
        return int(self.stats.get("downloader/response_count", 0))

    @property
    def crawl_seconds(self) -> float:
        """Spider open to close (Scrapy's elapsed_time_seconds; includes the pipelines' closing flush)."""
        return float(self.stats.get("elapsed_time_seconds") or self.wall)

    @property
    def rate(self) -> float:
        return self.responses / self.crawl_seconds if self.crawl_seconds > 0 else 0.0


def proc_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a running process, from /proc (None where there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def start_server(kind: str, root: Path, timeout: float = 15.0) -> tuple[subprocess.Popen, str]:
    """Start the static server on a free loopback port; return the process and its base URL."""
    proc = subprocess.Popen([*SERVERS[kind], str(root)], cwd=REPO, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        proc.kill()
        raise RuntimeError(f"server did not start within {timeout}s") from None
    if not line.startswith("LISTENING "):
        proc.kill()
        raise RuntimeError(f"server failed to start: {line!r}")
    return proc, line.split(" ", 1)[1].strip()


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    if proc.stdout:
        proc.stdout.close()


def run_crawl(name: str, argv: list[str], stats_file: Path, log_file: Path, server_pid: int) -> CrawlResult:
    """Run one crawl subprocess; measure wall time, and CPU and peak RSS of that process alone (wait4)."""
    server_before = proc_cpu_seconds(server_pid)
    started = time.perf_counter()
    with open(log_file, "wb") as log:
        proc = subprocess.Popen(argv, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    server_after = proc_cpu_seconds(server_pid)
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
    tail = "\n".join(log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-30:])
    server_cpu = server_after - server_before if server_before is not None and server_after is not None else None
    return CrawlResult(name=name, argv=argv, wall=wall, returncode=proc.returncode, stats=stats,
                       cpu=usage.ru_utime + usage.ru_stime, peak_rss_mb=usage.ru_maxrss / 1024,
                       server_cpu=server_cpu, stderr_tail=tail)


def common_settings(concurrency: int, work: Path, name: str, extra: list[str]) -> list[str]:
    """The -s settings both crawls share (only the archive and stats file names differ)."""
    settings = {
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS": str(concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
        "ROBOTSTXT_OBEY": "True",
        "ARCHIVE_DIR": str(work / f"{name}-archive"),
        "LOG_LEVEL": "WARNING",
        "STATS_CLASS": "bench.crawl_stats.JsonFileStatsCollector",
        "BENCH_STATS_FILE": str(work / f"{name}-stats.json"),
    }
    settings.update(item.split("=", 1) for item in extra)
    return [part for key, value in settings.items() for part in ("-s", f"{key}={value}")]


def archived(archive: Path) -> tuple[set[str], int, int]:
    """(article ids, article records, page records) in an archive folder."""
    ids: set[str] = set()
    articles = pages = 0
    for path in archive.rglob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("type") == "article":
                articles += 1
                ids.add(record["id"])
            elif record.get("type") == "page":
                pages += 1
    return ids, articles, pages


def warm_page_cache(root: Path) -> int:
    """Read every site file once, so neither crawl pays for a cold disk (returns bytes read)."""
    return sum(len(p.read_bytes()) for p in root.rglob("*.htm"))


PROFILE_FOCUS = r"(crawler/|bench/|itemadapter/|parsel/|scrapy/core/scraper|scrapy/utils/asyncio|asyncio/base_events)"


def print_profile(path: Path, limit: int = 30) -> None:
    """The top of a cProfile dump: our code, item adapters, parsing and Scrapy's output processing by cumulative
    time, then everything by own time."""
    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative").print_stats(PROFILE_FOCUS, limit)
    stats.sort_stats("tottime").print_stats(limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default=os.environ.get("BENCH_SCALE") or "small",
                        help="small: 30 days x 12 pages x 6 articles; full: 365 x 12 x 6 (default: $BENCH_SCALE "
                             "or small); --days/--pages/--articles override")
    parser.add_argument("--days", type=int)
    parser.add_argument("--pages", type=int)
    parser.add_argument("--articles", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=32,
                        help="CONCURRENT_REQUESTS and CONCURRENT_REQUESTS_PER_DOMAIN (default 32)")
    parser.add_argument("--server", choices=sorted(SERVERS), default="fast",
                        help="fast: bench/static_server.py (default); fixture: tests/sites/server.py")
    parser.add_argument("--only", choices=("both", "bare", "ours"), default="both")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run both crawls N times, alternating, and compare the best of each (noisy machines)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra Scrapy setting for both crawls (repeatable), e.g. CONCURRENT_ITEMS=8")
    parser.add_argument("--profile", action="store_true",
                        help="run the crawls under cProfile (much slower; figures not comparable to normal runs), "
                             "print where the time goes and keep the .prof files")
    parser.add_argument("--site-dir", type=Path, help="where the site is built (default build/bench/<params>)")
    parser.add_argument("--keep", action="store_true", help="keep the run folder (archive, stats, logs)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if any("=" not in item for item in args.set):
        parser.error("--set wants NAME=VALUE")
    if args.scale not in SCALES:
        parser.error(f"BENCH_SCALE must be one of {sorted(SCALES)}, not {args.scale!r}")
    days, pages, articles = (given if given is not None else default
                             for given, default in zip((args.days, args.pages, args.articles), SCALES[args.scale],
                                                       strict=True))
    if min(days, pages, articles) < 1:
        parser.error("--days, --pages and --articles must be at least 1")
    spec = SiteSpec(days, pages, articles, args.seed)
    bench_dir = REPO / "build" / "bench"
    site = args.site_dir or bench_dir / spec.key

    manifest = build(site, spec)
    how = "reused" if manifest["reused"] else f"built in {manifest['build_seconds']} s"
    print(f"site: {site} ({how}): {spec.start} … {spec.end}, {days} days x {pages} pages x {articles} articles = "
          f"{spec.total_pages} pages + {spec.total_articles} articles, {manifest['bytes'] / 2**20:.1f} MB GBK")
    warm_page_cache(site)

    bench_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=bench_dir))
    server, base_url = start_server(args.server, site)
    results: list[CrawlResult] = []
    failed = False
    expected = expected_article_ids(spec, PAPER)
    try:
        py = [sys.executable]
        dates = ["-a", f"start={spec.start}", "-a", f"end={spec.end}"]
        names = [name for name in ("bare", "ours") if args.only in ("both", name)]
        for round_no in range(1, args.repeat + 1):
            for name in names:  # alternate, so drifting machine load hits both alike
                tag = name if args.repeat == 1 else f"{name}.{round_no}"
                prof = ["-m", "cProfile", "-o", str(work / f"{tag}.prof")] if args.profile else []
                if name == "bare":
                    crawl_argv = [*py, *prof, "-m", "scrapy", "runspider", "bench/bare_spider.py",
                                  "-a", f"base_url={base_url}", *dates]
                else:
                    crawl_argv = [*py, *prof, "-m", "scrapy", "crawl", "epaper", "-a", "platform=founder-classic",
                                  "-a", f"base_url={base_url}", "-a", f"paper={PAPER}", *dates]
                crawl_argv += common_settings(args.concurrency, work, tag, args.set)
                result = run_crawl(tag, crawl_argv, work / f"{tag}-stats.json", work / f"{tag}.log", server.pid)
                results.append(result)
                if result.returncode != 0 or not result.stats:
                    failed = True
                    print(f"{tag} crawl failed (exit {result.returncode}); last lines of its log:\n"
                          f"{result.stderr_tail}", file=sys.stderr)
                if name == "ours" and result.stats:
                    ids, article_records, page_records = archived(work / f"{tag}-archive")
                    result.extra = {"articles": article_records, "pages": page_records,
                                    "missing": len(expected - ids), "unexpected": len(ids - expected)}
    finally:
        stop_server(server)

    expected_responses = spec.total_pages + spec.total_articles + 1  # + robots.txt
    print(f"server: {SERVER_NAMES[args.server]} on {base_url}; concurrency {args.concurrency}; "
          f"expected responses {expected_responses} (pages + articles + robots.txt)")
    print(f"{'crawl':<7} {'responses':>9} {'crawl s':>8} {'wall s':>7} {'responses/s':>12} {'CPU s':>7} "
          f"{'CPU%':>5} {'resp/CPU s':>10} {'server CPU%':>11} {'peak RSS MB':>11}")
    best: dict[str, CrawlResult] = {}
    for r in results:
        name = r.name.split(".")[0]
        if name not in best or r.rate > best[name].rate:
            best[name] = r
    rows = results + (list(best.values()) if args.repeat > 1 else [])
    for index, r in enumerate(rows):
        label = r.name if index < len(results) else r.name.split(".")[0]  # best-of-N rows: plain names
        if index == len(results):
            print(f"best of {args.repeat} (highest responses/s):")
        server_share = f"{100 * r.server_cpu / r.crawl_seconds:10.0f}%" if r.server_cpu is not None else f"{'?':>11}"
        print(f"{label:<7} {r.responses:>9} {r.crawl_seconds:8.2f} {r.wall:7.2f} {r.rate:12.1f} {r.cpu:7.2f} "
              f"{100 * r.cpu / r.wall:4.0f}% {r.responses / r.cpu if r.cpu else 0:10.1f} {server_share} "
              f"{r.peak_rss_mb:11.1f}")
    if "bare" in best and "ours" in best and best["bare"].rate > 0:
        ours, bare = best["ours"], best["bare"]
        ratio = ours.rate / bare.rate
        verdict = "meets" if ratio >= TARGET else "BELOW"
        cpu_ratio = (ours.responses / ours.cpu) / (bare.responses / bare.cpu) if ours.cpu and bare.cpu else 0.0
        print(f"ratio ours/bare: {ratio:.2f}x responses/s ({verdict} the {TARGET}x target); "
              f"{cpu_ratio:.2f}x responses per CPU second")
    for r in results:
        problems = {k: v for k, v in r.stats.items()
                    if k.startswith(("log_count/ERROR", "downloader/exception_count", "retry/count"))
                    or (k.startswith("downloader/response_status_count/") and not k.endswith("/200"))}
        if problems:
            print(f"{r.name}: {problems}")
    for r in results:
        if r.name.startswith("ours") and r.extra:
            x = r.extra
            complete = x["missing"] == 0 and x["unexpected"] == 0 and x["articles"] == len(expected)
            print(f"{r.name} archived: {x['articles']} article records of {len(expected)} expected (missing "
                  f"{x['missing']}, unexpected {x['unexpected']}), {x['pages']} page records of {spec.total_pages}: "
                  f"{'complete' if complete else 'INCOMPLETE'}")
            failed = failed or not complete
    command = ["python", "bench/bench_crawl.py", "--days", str(days), "--pages", str(pages),
               "--articles", str(articles), "--seed", str(args.seed)]
    if args.concurrency != 32:
        command += ["--concurrency", str(args.concurrency)]
    if args.server != "fast":
        command += ["--server", args.server]
    if args.only != "both":
        command += ["--only", args.only]
    if args.repeat != 1:
        command += ["--repeat", str(args.repeat)]
    command += [part for item in args.set for part in ("--set", item)]
    print("reproduce: .venv/bin/" + shlex.join(command))
    for r in results[:len(names)]:
        shown = [a if not a.startswith(str(work)) else a.replace(str(work), "RUN") for a in r.argv]
        print(f"  {r.name} crawl: " + shlex.join(["python" if a == sys.executable else a for a in shown])
              .replace(str(work), "RUN").replace(str(REPO) + "/", ""))
    for r in results:
        if args.profile and (work / f"{r.name}.prof").exists():
            print(f"--- profile of the {r.name} crawl ({work / f'{r.name}.prof'}) ---")
            print_profile(work / f"{r.name}.prof")
    if args.profile:
        args.keep = True
    if args.keep:
        print(f"run folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
