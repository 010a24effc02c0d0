"""The index under stress: a build killed halfway, searches during a build, two writers at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from indexer.build.writer import build_index
from indexer.errors import EpaperIndexError
from indexer.query.search import search
from indexer.schema import open_index
from indexer.synth import make_records
from tests.conftest import ROOT


def write_archive(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def doc_count(index_dir: Path) -> int:
    with open_index(index_dir).searcher() as searcher:
        return searcher.doc_count()


def start_build(index_dir: Path, *paths: Path, lock_timeout: float = 5) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "indexer", "build", "--index", str(index_dir), "--lock-timeout",
                             str(lock_timeout), *map(str, paths)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small first archive and a large second one (big enough that its build can be interrupted)."""
    folder = tmp_path_factory.mktemp("archives")
    first = write_archive(folder / "first.jsonl", make_records(40, seed=11))
    second = write_archive(folder / "second.jsonl", make_records(3000, seed=12))
    return first, second


def test_sigkill_mid_build_leaves_the_previous_index_and_a_rerun_completes(archives, tmp_path):
    first, second = archives
    index = tmp_path / "index"
    build_index(index, [first])
    proc = start_build(index, first, second)
    time.sleep(0.8)
    assert proc.poll() is None, "the build finished before it could be interrupted: make the archive bigger"
    proc.kill()
    proc.communicate(timeout=30)
    assert doc_count(index) == 40
    assert search(index, "发展", limit=1).total >= 0  # opens and answers
    rerun = start_build(index, first, second)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert doc_count(index) == 3040


def test_searches_during_a_build_answer_without_error(archives, tmp_path):
    first, second = archives
    index = tmp_path / "index"
    build_index(index, [first])
    before = search(index, "发展", limit=None).total
    lines = second.read_text(encoding="utf-8").splitlines()[:800]
    part = write_archive(tmp_path / "part.jsonl", [json.loads(line) for line in lines])
    proc = start_build(index, first, part)
    totals, errors = [], []
    while proc.poll() is None:
        try:
            totals.append(search(index, "发展", limit=3).total)
        except EpaperIndexError as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)
        time.sleep(0.05)
    assert proc.returncode == 0
    assert errors == []
    assert len(totals) >= 3 and totals[0] == before
    assert search(index, "发展", limit=None).total >= before


def test_a_second_writer_waits_then_gives_up_with_a_clear_message(archives, tmp_path):
    first, _ = archives
    index = tmp_path / "index"
    build_index(index, [first])
    writer = open_index(index).writer()
    try:
        started = time.monotonic()
        blocked = start_build(index, first, lock_timeout=1)
        _, err = blocked.communicate(timeout=60)
        assert blocked.returncode == 2
        assert time.monotonic() - started >= 1
        assert err.strip().count("\n") == 0 and "locked by another writer (waited 1 s)" in err
        assert "Traceback" not in err
    finally:
        writer.cancel()


def test_a_second_writer_proceeds_once_the_first_finishes(archives, tmp_path):
    first, _ = archives
    index = tmp_path / "index"
    build_index(index, [first])
    writer = open_index(index).writer()
    release = threading.Timer(1.0, writer.cancel)
    release.start()
    waiting = start_build(index, first, lock_timeout=20)
    _, err = waiting.communicate(timeout=60)
    release.join()
    assert waiting.returncode == 0, err
    assert doc_count(index) == 40
