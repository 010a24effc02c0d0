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
_URL_IN_LINE = re.compile(rb'"url":\s*"((?:[^"\\]|\\.)*)"')
QUARANTINE_SUFFIX = ".quarantine"
# Fields a merge reads (sorting, linking continuations, revisions) and the type each must have.
_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "id": str, "type": str, "paper": str, "date": str, "page_no": str, "url": str, "content_hash": str,
    "title": str, "body": str, "jump_to": str, "jump_from": str, "revised_at": str, "fetched_at": str,
    "revisions": list, "versions": list,
}
# Bookkeeping of a record's history: never copied into an earlier version's snapshot.
_HISTORY = ("revised_at", "revisions", "versions")


def _read_umask() -> int:
    """The process's umask (reading it means setting it: done once, at import)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


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


def record_problem(record: Any) -> str:
    """Why a decoded archive line is not a usable record ("" if it is): not an object, no id, a field of the
    wrong type (an integer page_no, a list title, …)."""
    if not isinstance(record, dict):
        return f"a JSON {type(record).__name__}, not an object"
    if not record.get("id") or not isinstance(record["id"], str):
        return "no string id"
    for name, kind in _FIELD_TYPES.items():
        value = record.get(name)
        if value is not None and not isinstance(value, kind):
            return f"{name} is a {type(value).__name__}"
    if "position" in record and (isinstance(record["position"], bool) or not isinstance(record["position"], int)):
        return f"position is a {type(record['position']).__name__}"
    return ""


@dataclass
class DamagedLine:
    """One archive line that could not be used: its number (1-based), bytes as found, why, and its URL if legible."""

    number: int
    raw: bytes
    reason: str
    url: str = ""


def parse_line(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """(record, "") for a usable JSONL line, else (None, why not)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 (byte {exc.start})"
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"not JSON ({exc.msg} at column {exc.colno})"
    problem = record_problem(record)
    return (None, problem) if problem else (record, "")


def _legible_url(raw: bytes) -> str:
    """The "url" a damaged line still shows, if any (to un-mark and re-fetch its article)."""
    match = _URL_IN_LINE.search(raw)
    if not match:
        return ""
    try:
        url = json.loads(b'"' + match.group(1) + b'"')
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ""
    return url if url.startswith(("http://", "https://")) else ""


def read_day(path: Path) -> tuple[list[dict[str, Any]], list[DamagedLine]]:
    """A JSONL file's usable records, and its damaged lines (torn, not UTF-8, not JSON, wrong field types)."""
    records: list[dict[str, Any]] = []
    damaged: list[DamagedLine] = []
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            line = raw.strip()
            if not line:
                continue
            record, problem = parse_line(line)
            if record is None:
                damaged.append(DamagedLine(number, raw if raw.endswith(b"\n") else raw + b"\n", problem,
                                           _legible_url(line)))
            else:
                records.append(record)
    return records, damaged


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """Every JSON object of a JSONL file, line by line (lines that are not UTF-8 JSON are skipped; for a
    day file, read_day also checks the fields and reports what it leaves out)."""
    with open(path, "rb") as handle:
        for raw in handle:
            try:
                record = json.loads(raw.decode("utf-8")) if raw.strip() else None
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(record, dict):
                yield record


def quarantine_file(path: Path) -> Path:
    """Where a day file's damaged lines are kept aside: next to it, never read as a day file."""
    return path.with_name(path.name + QUARANTINE_SUFFIX)


def quarantine(path: Path, damaged: list[DamagedLine]) -> Path:
    """Append damaged lines, byte for byte, to the day's quarantine file (fsynced); returns its path."""
    target = quarantine_file(path)
    with open(target, "ab") as handle:
        handle.write(b"".join(line.raw for line in damaged))
        handle.flush()
        os.fsync(handle.fileno())
    return target


def write_records(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Write a day file atomically: a temp file in the same folder, fsynced, then renamed over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes it 0600; a day file is as readable as any other file
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
    ignore = {"fetched_at", *_HISTORY, "continued_on", "continued_from", "full_body"}
    return {k: v for k, v in old.items() if k not in ignore} == {k: v for k, v in fresh.items() if k not in ignore}


def earlier_version(record: dict[str, Any]) -> dict[str, Any]:
    """What a revision keeps of the record it replaces: every field but the history bookkeeping."""
    return {name: value for name, value in record.items() if name not in _HISTORY}


def merge_day(path: Path, fresh: Iterable[dict[str, Any]],
              damaged: list[DamagedLine] | None = None) -> tuple[list[dict[str, Any]], MergeCounts]:
    """A day's records after a re-crawl, in reading order.

    Fresh records replace old ones by id and old ones not seen again stay (a partial re-crawl loses
    nothing). A fresh record identical to the archived one keeps the archived one (so an unchanged
    re-crawl rewrites nothing); an article whose content_hash changed keeps the old hash in
    `revisions`, the whole earlier record (text, fetched_at, content_hash, …) in `versions` (oldest
    first) and gets `revised_at`. The file's damaged lines are left out and appended to `damaged`
    when given (the caller quarantines them before replacing the file).
    """
    merged: dict[str, dict[str, Any]] = {}
    if path.exists():
        records, bad = read_day(path)
        if damaged is not None:
            damaged += bad
        for record in records:
            merged[record["id"]] = record
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
                      "revisions": [*old.get("revisions", []), old.get("content_hash", "")],
                      "versions": [*old.get("versions", []), earlier_version(old)]}
        else:
            counts.replaced += 1
            record = {**record, **{name: old[name] for name in _HISTORY if old.get(name)}}
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
