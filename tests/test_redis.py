"""Distributed crawling: two `scrapy crawl epaper` workers share one Redis queue (-s REDIS_URL=...).

Needs Debian's redis-server binary (`make test` installs it as root). Skipped with a reason when it is
missing on a developer machine; in CI (the CI environment variable set) a missing binary is a failure.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import COLLECTED, ROOT, read_archive

IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def need(module: str) -> Any:
    """Import a module the test needs: skip without it on a developer machine, fail in CI."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if IN_CI:
            raise
        pytest.skip(f"{module} is not installed (pip install scrapy-redis)", allow_module_level=True)


need("scrapy_redis")
redis = need("redis")

DAYS = ["-a", "start=2025-03-17", "-a", "end=2025-03-19"]
# Slow enough that the two workers interleave (each takes requests from the shared queue), fast enough for CI.
PACE = ["-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.25", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "LOG_LEVEL=INFO"]
IDLE = 3  # SCHEDULER_IDLE_BEFORE_CLOSE: an idle worker waits this long for the other's work before closing
# Linked across an issue's pages by the archive pipeline, which sees only its own worker's records.
CROSS_WORKER = ("fetched_at", "continued_on", "continued_from", "full_body")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on a free loopback port, no persistence, stopped afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not on PATH (Debian: apt-get install redis-server; `make test` does it as root)"
        if IN_CI:
            pytest.fail(f"{message}; CI must run this test, not skip it")
        pytest.skip(message)
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                               "no", "--dir", str(workdir)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None:
                    pytest.fail(f"redis-server exited: {server.stdout.read().decode(errors='replace')}")
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not answer PING within 5 s")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def crawl_argv(base: str, archive: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}",
            *DAYS, "-s", f"ARCHIVE_DIR={archive}", *PACE, *extra]


@pytest.fixture(scope="module")
def crawls(xihaian_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two Redis workers started together, each with its own archive, and one crawl without Redis."""
    out = tmp_path_factory.mktemp("distributed")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    redis_args = ["-s", f"REDIS_URL={redis_url}", "-s", f"SCHEDULER_IDLE_BEFORE_CLOSE={IDLE}"]
    started = time.monotonic()
    workers = [subprocess.Popen(crawl_argv(xihaian_url, out / f"worker{i}", *redis_args), cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in (1, 2)]
    single = subprocess.run(crawl_argv(xihaian_url, out / "single"), cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=180)
    logs = []
    for worker in workers:
        try:
            logs.append(worker.communicate(timeout=180))
        except subprocess.TimeoutExpired:
            for w in workers:
                w.kill()
            raise
    return {"workers": workers, "logs": [err for _, err in logs], "single": single, "out": out,
            "seconds": time.monotonic() - started, "redis": redis.Redis.from_url(redis_url)}


def records(crawls: dict, name: str) -> dict[str, dict]:
    return {r["id"]: r for r in read_archive(crawls["out"] / name)}


def test_both_workers_and_the_single_crawl_succeed(crawls):
    assert crawls["single"].returncode in COLLECTED, crawls["single"].stderr[-3000:]
    for worker, log in zip(crawls["workers"], crawls["logs"], strict=True):
        assert worker.returncode in COLLECTED, log[-3000:]
        assert "Traceback" not in log, log[-3000:]
        assert "DeprecationWarning" not in log, log[-3000:]  # RedisScheduler avoids scrapy-redis's deprecated calls
        assert "sharing queue epaper:xihaian:requests" in log


def test_union_of_workers_is_the_single_crawl_with_each_url_fetched_once(crawls):
    one, two, single = records(crawls, "worker1"), records(crawls, "worker2"), records(crawls, "single")
    assert single, "the single crawl archived nothing"
    # Pages and articles alike: every request (issue first pages, other pages, articles) passes the shared
    # fingerprint set once, so each record comes from exactly one worker.
    assert not set(one) & set(two), f"fetched by both workers: {sorted(set(one) & set(two))}"
    assert set(one) | set(two) == set(single)


def test_union_has_the_same_records_as_the_single_crawl(crawls):
    single = records(crawls, "single")
    union = {**records(crawls, "worker1"), **records(crawls, "worker2")}
    # An article continued on another page is linked to its other half (continued_on/continued_from,
    # full_body) by the archive pipeline of the worker that holds both halves; halves that landed in
    # different workers are not linked here (merging the workers' archives is a separate step).
    def strip(record: dict) -> dict:
        return {k: v for k, v in record.items() if k not in CROSS_WORKER}

    assert {i: strip(r) for i, r in union.items()} == {i: strip(r) for i, r in single.items()}


def test_both_workers_did_real_work(crawls):
    for name in ("worker1", "worker2"):
        articles = [r for r in records(crawls, name).values() if r["type"] == "article"]
        assert articles, f"{name} archived no article: the workers did not share the work"


def test_the_last_worker_cleaned_up_redis(crawls):
    """SCHEDULER_PERSIST is on (a finishing worker must not wipe the others' queue); the last one out deletes."""
    assert crawls["redis"].keys("epaper:*") == []


def test_the_workers_ran_together(crawls):
    # The second worker to open its scheduler found the first one registered in Redis.
    assert any("2 live worker(s))" in log for log in crawls["logs"]), [log[-2000:] for log in crawls["logs"]]


def test_the_add_on_does_nothing_without_redis_url():
    from scrapy.settings import Settings

    from crawler.distributed import RedisAddon

    settings = Settings()
    RedisAddon().update_settings(settings)
    assert settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    settings = Settings({"REDIS_URL": "redis://127.0.0.1:1/0", "SCHEDULER_IDLE_BEFORE_CLOSE": 5}, priority="cmdline")
    RedisAddon().update_settings(settings)
    assert settings["SCHEDULER"] == "crawler.distributed.RedisScheduler"
    assert settings.getbool("SCHEDULER_PERSIST") is True
    assert settings.getint("SCHEDULER_IDLE_BEFORE_CLOSE") == 5  # -s wins over the add-on
