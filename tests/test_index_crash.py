"""Crash consistency: index builds killed at seeded moments (at the N-th file operation, or after a random
delay), overlapping builders started in random order, a full disk. After each, a re-run (or the second
builder) must leave exactly what an uninterrupted build leaves: the same hits for a fixed query list, the
same near-duplicate clusters, the same `count --by month`, and `indexer check` finds nothing wrong.
A separate process searches the index in a loop all along: every search answers, none raises."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.build import writer as index_writer
from indexer.build.check import check_index
from indexer.build.writer import build_index
from indexer.query.count import count
from indexer.query.search import clear_searcher_cache, read_clusters, search
from indexer.synth import make_records
from tests.conftest import ROOT

QUERIES = ('"发展"', "新区 OR 项目", '"高质量发展"', "服务 -企业", "氢能*", 'title:"新区"', "经济 AND 建设")
SEED = 20250319
MUTATIONS = ("replace", "rename", "remove", "unlink", "fsync")  # the file operations a kill point is counted in
KILLS = {"update": 10, "update, parallel": 3, "first build": 2, "rebuild": 2}  # op-count kill points per scenario
TIMED_KILLS = 4  # kills after a random delay (update scenario)
OVERLAPS = 4


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Day 1; day 2 (new articles, 5 verbatim reprints of day-1 articles, 2 corrected ones); one extra article;
    the day-1 index; the reference index (day 1 then day 2, uninterrupted) and its snapshot."""
    folder = tmp_path_factory.mktemp("crash")
    day1 = make_records(40, seed=31, body_chars=250)
    reprints = [dict(day1[i], id=f"reprint-{i}", date="2024-12-30", content_hash=f"reprint-{i}")
                for i in (3, 17, 22, 30, 37)]
    corrected = [dict(day1[i], body=day1[i]["body"] + "本报记者补充报道。", content_hash=f"v2-{i}") for i in (5, 6)]
    first = write_jsonl(folder / "day1.jsonl", day1)
    second = write_jsonl(folder / "day2.jsonl", make_records(20, seed=32, body_chars=250) + reprints + corrected)
    extra = write_jsonl(folder / "extra.jsonl", [dict(make_records(1, seed=33, body_chars=300)[0], id="extra-1")])
    pristine = folder / "day1-index"
    build_index(pristine, [first], procs=1)
    reference = folder / "reference"
    build_index(reference, [first], procs=1)
    build_index(reference, [first, second], procs=1)
    both = folder / "reference-extra"
    shutil.copytree(reference, both)
    build_index(both, [first, second, extra], procs=1)
    return {"first": first, "second": second, "extra": extra, "pristine": pristine, "reference": snapshot(reference),
            "with_extra": snapshot(both), "day1": snapshot(pristine)}


def snapshot(index_dir: Path) -> dict:
    """What a researcher sees: hit sets, near-duplicate clusters, counts by month."""
    clear_searcher_cache()
    groups: dict[str, set[str]] = {}
    for doc_id, head in read_clusters(index_dir).items():
        groups.setdefault(head, set()).add(doc_id)
    return {
        "hits": {query: sorted(hit["id"] for hit in search(index_dir, query, limit=None).hits) for query in QUERIES},
        "clusters": sorted(sorted(group) for group in groups.values() if len(group) > 1),
        "months": count(index_dir, '"发展"', by="month").to_dict()["buckets"],
    }


def assert_converged(index_dir: Path, expected: dict) -> None:
    assert snapshot(index_dir) == expected
    report = check_index(index_dir)
    assert report.healthy, report.lines()


SEARCHER = """
import json, sys, time
from pathlib import Path
from indexer.errors import IndexNotFoundError
from indexer.query.search import search
index, pause, ack, stop, out = map(Path, sys.argv[1:6])
queries = json.loads(sys.argv[6])
done, errors = 0, []
while not stop.exists():
    if pause.exists():
        ack.touch()
        time.sleep(0.01)
        continue
    ack.unlink(missing_ok=True)
    try:
        search(index, queries[done % len(queries)], limit=5, collapse=bool(done % 2))
        done += 1
    except IndexNotFoundError:  # the answer while a first build has not committed yet
        done += 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
out.write_text(json.dumps({"searches": done, "errors": errors[:10]}))
"""


class Searcher:
    """A process searching one index path in a loop; paused while the test replaces the index folder."""

    def __init__(self, index_dir: Path, folder: Path) -> None:
        self.pause, self.ack, self.stop_file, self.out = (folder / name for name in ("pause", "ack", "stop", "out"))
        self.pause.touch()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-c", SEARCHER, str(index_dir), str(self.pause), str(self.ack),
                                      str(self.stop_file), str(self.out), json.dumps(QUERIES)], cwd=ROOT, env=env)

    def paused(self) -> None:
        """Stop searching (returns once no search is running)."""
        self.pause.touch()
        deadline = time.monotonic() + 60
        while not self.ack.exists():
            assert time.monotonic() < deadline and self.proc.poll() is None, "the searcher does not answer"
            time.sleep(0.01)

    def resume(self) -> None:
        self.pause.unlink()

    def finish(self) -> dict:
        self.stop_file.touch()
        self.pause.unlink(missing_ok=True)
        self.proc.wait(timeout=60)
        return json.loads(self.out.read_text())


@pytest.fixture
def searching(tmp_path: Path) -> Iterator[tuple[Path, Searcher]]:
    """The work index path and a searcher on it; asserts at the end that every search answered."""
    work = tmp_path / "index"
    searcher = Searcher(work, tmp_path)
    yield work, searcher
    result = searcher.finish()
    assert result["errors"] == []
    assert result["searches"] > 0


def reset(work: Path, source: Path | None, searcher: Searcher) -> None:
    """Put a copy of source (None: nothing) at work, with the searcher paused."""
    searcher.paused()
    shutil.rmtree(work, ignore_errors=True)
    if source is not None:
        shutil.copytree(source, work)
    searcher.resume()


def fork_build(index_dir: Path, sources: list[Path], *, kill_at: int | None = None, rebuild: bool = False,
               procs: int = 1, parallel_min: int | None = None, lock_timeout: float = 60) -> tuple[int, int]:
    """Build in a forked child that SIGKILLs itself just before its kill_at-th file operation (None: never);
    return (pid, read end of a pipe the child writes its number of file operations to)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        status = 1
        try:
            os.close(read_end)
            me, done = os.getpid(), [0]

            def counting(original):
                def counted(*args, **kwargs):
                    if os.getpid() == me:  # not in the build's own forked workers
                        done[0] += 1
                        if done[0] == kill_at:
                            os.kill(me, signal.SIGKILL)
                    return original(*args, **kwargs)
                return counted

            for name in MUTATIONS:
                setattr(os, name, counting(getattr(os, name)))
            if parallel_min is not None:
                index_writer.PARALLEL_MIN_DOCS = parallel_min
            build_index(index_dir, sources, rebuild=rebuild, procs=procs, lock_timeout=lock_timeout)
            os.write(write_end, str(done[0]).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def wait_child(pid: int, read_end: int) -> tuple[int, int]:
    """(wait status, file operations reported) of a forked build."""
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read_end) as pipe:
        reported = pipe.read()
    return status, int(reported or 0)


def operations(index_dir: Path, source: Path | None, sources: list[Path], searcher: Searcher, **options) -> int:
    """How many counted file operations an uninterrupted build of this scenario makes."""
    reset(index_dir, source, searcher)
    status, done = wait_child(*fork_build(index_dir, sources, **options))
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    return done


def test_builds_killed_at_seeded_moments_converge_on_a_rerun(corpus, searching):
    work, searcher = searching
    rng = random.Random(SEED)
    both = [corpus["first"], corpus["second"]]
    scenarios = {  # name: (starting index, options of the killed build)
        "update": (corpus["pristine"], {}),
        "update, parallel": (corpus["pristine"], {"procs": 2, "parallel_min": 20}),
        "first build": (None, {}),
        "rebuild": ("reference", {"rebuild": True}),
    }
    reference_copy = work.parent / "reference-copy"
    build_index(reference_copy, both, procs=1)
    killed = 0
    for name, (start, options) in scenarios.items():
        source = reference_copy if start == "reference" else start
        total = operations(work, source, both, searcher, **options)
        assert total > KILLS[name]
        for kill_at in sorted(rng.sample(range(1, total + 1), KILLS[name])):
            reset(work, source, searcher)
            status, _ = wait_child(*fork_build(work, both, kill_at=kill_at, **options))
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (name, kill_at)
            killed += 1
            build_index(work, both, procs=1)  # the re-run
            assert_converged(work, corpus["reference"])
    started = time.monotonic()
    reset(work, corpus["pristine"], searcher)
    wait_child(*fork_build(work, both))
    duration = time.monotonic() - started
    timed = 0
    for _ in range(2 * TIMED_KILLS):  # a delay may outlast the build: try again, up to twice as often
        reset(work, corpus["pristine"], searcher)
        pid, read_end = fork_build(work, both)
        time.sleep(rng.uniform(0.02, 0.8 * duration))
        os.kill(pid, signal.SIGKILL)
        status, _ = wait_child(pid, read_end)
        timed += os.WIFSIGNALED(status)
        build_index(work, both, procs=1)
        assert_converged(work, corpus["reference"])
        if timed == TIMED_KILLS:
            break
    assert killed + timed >= 20


def test_overlapping_builders_both_succeed_and_the_second_sees_the_first(corpus, searching):
    work, searcher = searching
    rng = random.Random(SEED + 1)
    everything = [corpus["first"], corpus["second"], corpus["extra"]]
    for _ in range(OVERLAPS):
        reset(work, corpus["pristine"], searcher)
        jobs = [[corpus["first"], corpus["second"]], everything]
        rng.shuffle(jobs)
        children = []
        for sources in jobs:
            children.append(fork_build(work, sources))
            time.sleep(rng.uniform(0, 0.4))
        for pid, read_end in children:
            status, _ = wait_child(pid, read_end)
            assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        assert_converged(work, corpus["with_extra"])


def test_a_second_builder_with_lock_timeout_0_fails_in_one_line(corpus, tmp_path):
    shutil.copytree(corpus["pristine"], tmp_path / "index")
    from whoosh import index

    holder = index.open_dir(str(tmp_path / "index")).writer()
    try:
        done = subprocess.run([sys.executable, "-m", "indexer", "build", "--lock-timeout", "0", "--index",
                               str(tmp_path / "index"), str(corpus["second"])], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
    finally:
        holder.cancel()
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert "locked by another writer (waited 0 s)" in line
    assert snapshot(tmp_path / "index") == corpus["day1"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (mounted when root; skipped otherwise)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        clear_searcher_cache()  # cached searchers hold the index files open
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_fails_the_build_in_one_line_and_the_index_still_answers(corpus, small_disk, tmp_path):
    index_dir = small_disk / "index"
    shutil.copytree(corpus["pristine"], index_dir)
    # Enough text that its index (about 4 MB per MB of text) cannot fit in the 2 MB disk.
    bigger = write_jsonl(tmp_path / "big.jsonl", make_records(1000, seed=34, body_chars=600))
    done = subprocess.run([sys.executable, "-m", "indexer", "build", "--index", str(index_dir), str(corpus["first"]),
                           str(bigger)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert "No space left on device" in line and "Traceback" not in done.stderr
    assert snapshot(index_dir) == corpus["day1"]
    assert check_index(index_dir).healthy
