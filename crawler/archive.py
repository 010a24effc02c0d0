"""The JSONL archive on disk: one file per paper per issue day, replaced atomically."""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.profiles import check_key

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_PAGE_NO = re.compile(r"^([A-Za-z]*)(\d*)(.*)$")


def day_file(archive_dir: Path, paper: str, date: str) -> Path:
    """Where one paper's issue of one day lives: ARCHIVE_DIR/paper/YYYY/paper-YYYY-MM-DD.jsonl."""
    match = _DATE.match(date)
    if not match:
        raise ValueError(f"invalid issue date {date!r}")
    return Path(archive_dir) / check_key(paper) / match.group(1) / f"{paper}-{date}.jsonl"


def page_sort_key(page_no: str) -> tuple[str, int, str]:
    """Natural order of printed page numbers: A2 < A10, 02 < 10."""
    prefix, number, rest = _PAGE_NO.match(page_no or "").groups()
    return prefix.upper(), int(number) if number else -1, rest


def record_sort_key(record: dict[str, Any]) -> tuple[Any, ...]:
    """Reading order within a day: page by page, the page record first, then its articles."""
    return (
        page_sort_key(record.get("page_no", "")),
        0 if record.get("type") == "page" else 1,
        record.get("position", 0) if isinstance(record.get("position"), int) else 0,
        record.get("id", ""),
    )


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of one JSONL file (malformed lines are skipped)."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                yield record


def write_records(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Write a day file atomically: a temp file in the same folder, fsynced, then renamed over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class MergeCounts:
    """What a merge did to a day file."""

    new: int = 0
    revised: int = 0
    unchanged: int = 0
    replaced: int = 0


def _same(old: dict[str, Any], fresh: dict[str, Any]) -> bool:
    """Whether a fresh record says nothing the old one didn't (fetch time aside)."""
    ignore = {"fetched_at", "revised_at", "revisions", "continued_on", "continued_from", "full_body"}
    return {k: v for k, v in old.items() if k not in ignore} == {k: v for k, v in fresh.items() if k not in ignore}


def merge_day(path: Path, fresh: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], MergeCounts]:
    """A day's records after a re-crawl, in reading order.

    Fresh records replace old ones by id and old ones not seen again stay (a partial re-crawl loses
    nothing). A fresh record identical to the archived one keeps the archived one (so an unchanged
    re-crawl rewrites nothing); an article whose content_hash changed keeps the old hash in
    `revisions` and gets `revised_at`.
    """
    merged: dict[str, dict[str, Any]] = {}
    if path.exists():
        for record in read_records(path):
            merged[record.get("id", "")] = record
    counts = MergeCounts()
    for record in fresh:
        old = merged.get(record["id"])
        if old is None:
            counts.new += 1
        elif _same(old, record):
            counts.unchanged += 1
            continue
        elif record.get("type") == "article" and old.get("content_hash") != record.get("content_hash"):
            counts.revised += 1
            record = {**record, "revised_at": record.get("fetched_at", ""),
                      "revisions": [*old.get("revisions", []), old.get("content_hash", "")]}
        else:
            counts.replaced += 1
            if old.get("revisions"):
                record = {**record, "revised_at": old.get("revised_at", ""), "revisions": old["revisions"]}
        merged[record["id"]] = record
    return sorted(merged.values(), key=record_sort_key), counts


def remove_stale_temp_files(path: Path) -> None:
    """Delete temp files a killed writer left beside a day file (call with the day's lock held)."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)


@contextmanager
def day_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on a day file while it is read, merged and replaced (several workers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
