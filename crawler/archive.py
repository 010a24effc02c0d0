"""The JSONL archive on disk: one file per paper per issue day, replaced atomically."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
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


def merge_day(path: Path, fresh: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], int, int]:
    """A day's records after a re-crawl: fresh records replace old ones by id, old ones not seen stay.

    Returns the merged records in reading order, how many ids are new and how many were replaced.
    """
    merged: dict[str, dict[str, Any]] = {}
    if path.exists():
        for record in read_records(path):
            merged[record.get("id", "")] = record
    new = replaced = 0
    for record in fresh:
        if record["id"] in merged:
            replaced += 1
        else:
            new += 1
        merged[record["id"]] = record
    return sorted(merged.values(), key=record_sort_key), new, replaced
