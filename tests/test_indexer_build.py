"""Building and incrementally updating the index from a JSONL archive."""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from whoosh import index

from indexer.build.writer import build_index, column_values
from indexer.errors import IndexLockedError, SchemaVersionError
from indexer.query.search import search
from indexer.schema import META_FILE, SCHEMA_VERSION
from tests.corpus import (
    ARTICLE_RECORDS_IN_ARCHIVE,
    BAD_LINES_IN_ARCHIVE,
    SKIPPED_KINDS_IN_ARCHIVE,
    fixture_records,
    write_archive,
)

REPO = Path(__file__).resolve().parents[1]
N_DOCS = len(fixture_records())


def stored_digest(index_dir: Path) -> tuple[int, str]:
    """Return (doc count, digest of all stored fields) of an index."""
    with index.open_dir(str(index_dir)).searcher() as searcher:
        docs = sorted(json.dumps(fields, sort_keys=True, ensure_ascii=False)
                      for fields in searcher.all_stored_fields())
        return searcher.doc_count(), hashlib.sha1("\n".join(docs).encode()).hexdigest()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return write_archive(tmp_path / "archive")


def test_first_build_counts(archive: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="indexer"):
        stats = build_index(tmp_path / "index", [archive])
    assert (stats.files, stats.records, stats.added, stats.updated, stats.unchanged) == (
        3, ARTICLE_RECORDS_IN_ARCHIVE, N_DOCS, 0, 0)
    assert (stats.duplicates, stats.skipped_kind, stats.bad_lines, stats.docs) == (
        1, SKIPPED_KINDS_IN_ARCHIVE, BAD_LINES_IN_ARCHIVE, N_DOCS)
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == BAD_LINES_IN_ARCHIVE
    assert any("2025-03-19.jsonl:8:" in w and "invalid JSON" in w for w in warnings)
    assert any("2025-03-20.jsonl:2:" in w and "not a JSON object" in w for w in warnings)
    meta = json.loads((tmp_path / "index" / META_FILE).read_text(encoding="utf-8"))
    assert meta["schema_version"] == SCHEMA_VERSION and meta["created"]


def test_rerun_changes_nothing(archive: Path, tmp_path: Path) -> None:
    build_index(tmp_path / "index", [archive])
    before = stored_digest(tmp_path / "index")
    stats = build_index(tmp_path / "index", [archive])
    assert (stats.added, stats.updated, stats.unchanged) == (0, 0, N_DOCS)
    assert stored_digest(tmp_path / "index") == before
    assert before[0] == N_DOCS


def test_changed_hash_updates_the_document(archive: Path, tmp_path: Path) -> None:
    build_index(tmp_path / "index", [archive])
    path = archive / "others" / "misc.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    records[0].update(body="国庆假期全市接待游客人数创新高。", content_hash="v2")
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    stats = build_index(tmp_path / "index", [archive])
    assert (stats.added, stats.updated, stats.unchanged, stats.docs) == (0, 1, N_DOCS - 1, N_DOCS)
    assert {h["id"] for h in search(tmp_path / "index", '"接待游客"').hits} == {"qd-national-day"}
    assert search(tmp_path / "index", '"升旗仪式"').total == 0


def test_build_opens_no_full_reader(archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A SegmentReader copies a segment's whole postings file into memory: a build reads only columns.
    from whoosh import reading

    opened = []
    original = reading.SegmentReader.__init__

    def counting_init(self, *args, **kwargs):
        opened.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(reading.SegmentReader, "__init__", counting_init)
    stats = build_index(tmp_path / "index", [archive])
    assert stats.docs == N_DOCS and stats.clusters >= 0
    assert opened == []


def test_column_values_skip_deleted_documents(archive: Path, tmp_path: Path) -> None:
    build_index(tmp_path / "index", [archive])
    path = archive / "others" / "misc.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    records[0].update(body="国庆假期全市接待游客人数创新高。", content_hash="v2")
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    build_index(tmp_path / "index", [archive])
    ix = index.open_dir(str(tmp_path / "index"))
    rows = list(column_values(ix.storage, ix.schema, ix._segments(), ("id", "content_hash")))
    ids = [row[2] for row in rows]
    assert len(ids) == len(set(ids)) == N_DOCS
    assert dict(row[2:] for row in rows)[records[0]["id"]] == "v2"
    with ix.reader() as reader:
        assert sorted(ids) == sorted(stored["id"] for _, stored in reader.iter_docs())


def test_duplicate_ids_in_one_run_last_wins(archive: Path, tmp_path: Path) -> None:
    build_index(tmp_path / "index", [archive])
    (hit,) = search(tmp_path / "index", "退役军人专场招聘会").hits
    assert hit["title"] == "新区推动退役军人就业"
    assert search(tmp_path / "index", '"旧标题"').total == 0


def test_rebuild_starts_empty(archive: Path, tmp_path: Path) -> None:
    build_index(tmp_path / "index", [archive])
    only_one = tmp_path / "one.jsonl"
    only_one.write_text(json.dumps(fixture_records()[0], ensure_ascii=False) + "\n", encoding="utf-8")
    stats = build_index(tmp_path / "index", [only_one], rebuild=True)
    assert (stats.added, stats.docs) == (1, 1)
    assert {h["id"] for h in search(tmp_path / "index", "-不存在的词").hits} == {"xh-sun"}


def test_record_without_content_hash_is_stable(tmp_path: Path) -> None:
    record = dict(fixture_records()[0], content_hash="")
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert build_index(tmp_path / "index", [source]).added == 1
    assert build_index(tmp_path / "index", [source]).unchanged == 1


def test_locked_index_raises(archive: Path, tmp_path: Path) -> None:
    build_index(tmp_path / "index", [archive])
    holder = index.open_dir(str(tmp_path / "index")).writer()
    try:
        with pytest.raises(IndexLockedError, match="locked by another writer"):
            build_index(tmp_path / "index", [archive], lock_timeout=0.1)
    finally:
        holder.cancel()


def test_other_schema_version_needs_rebuild(archive: Path, tmp_path: Path) -> None:
    build_index(tmp_path / "index", [archive])
    (tmp_path / "index" / META_FILE).write_text('{"schema_version": 0}', encoding="utf-8")
    with pytest.raises(SchemaVersionError, match="--rebuild"):
        build_index(tmp_path / "index", [archive])
    assert build_index(tmp_path / "index", [archive], rebuild=True).docs == N_DOCS


def test_missing_source(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file or directory"):
        build_index(tmp_path / "index", [tmp_path / "missing"])


def run_build(*args: str) -> subprocess.CompletedProcess:
    """Run `python -m indexer build ...`."""
    return subprocess.run([sys.executable, "-m", "indexer", "build", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60)


def test_cli_build_prints_summary(archive: Path, tmp_path: Path) -> None:
    done = run_build("--index", str(tmp_path / "index"), str(archive))
    assert done.returncode == 0
    (line,) = done.stdout.splitlines()
    assert f"{N_DOCS} added, 0 updated, 0 unchanged" in line and "docs/s" in line
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("problem", ["missing", "locked"])
def test_cli_build_errors_are_one_line(archive: Path, tmp_path: Path, problem: str) -> None:
    holder = None
    if problem == "locked":
        build_index(tmp_path / "index", [archive])
        holder = index.open_dir(str(tmp_path / "index")).writer()
    source = tmp_path / "missing" if problem == "missing" else archive
    try:
        done = run_build("--index", str(tmp_path / "index"), "--lock-timeout", "0.2", str(source))
    finally:
        if holder is not None:
            holder.cancel()
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("python -m indexer: error: ")
    assert ("no such file or directory" if problem == "missing" else "locked") in line
