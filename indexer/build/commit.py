"""The commit record: what one generation of the index consists of, with sizes and checksums.

A build writes everything of a new generation N under the writer lock, each file under a unique
temporary name renamed into place: the new segments and their query sidecars, then the files derived
from the whole index (``pages.N.json``, ``clusters.N.json``, ``minhash.N.npz``, ``userdict.N.txt``;
unchanged ones are not rewritten, the record names the older file), then ``commit.N.json`` listing
every file with its size and CRC-32, and only then Whoosh's table of contents ``_MAIN_N.toc``, whose
rename is the commit point.  A killed build leaves generation N-1 whole (its leftovers are removed by
the next build); a reader that opened generation N reads N's files; N-1's are kept for readers still
on it.  Checks: ``quick_check`` (file sizes, on every open), ``verify`` (checksums: every build and
``python -m indexer check``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from indexer.errors import IndexDamagedError
from indexer.schema import CLUSTERS_FILE, MINHASH_FILE, PAGES_FILE, USERDICT_FILE

INDEXNAME = "MAIN"
RECORD = "commit.{}.json"
DERIVED = {"pages": "pages.{}.json", "clusters": "clusters.{}.json", "minhash": "minhash.{}.npz",
           "userdict": "userdict.{}.txt"}
LEGACY = {"pages": PAGES_FILE, "clusters": CLUSTERS_FILE, "minhash": MINHASH_FILE, "userdict": USERDICT_FILE}
SIDECAR_EXT = ".epx"  # indexer.build.sidecar.EXTENSION (not imported: sidecar imports numpy)
_GENERATIONAL = re.compile(r"(?:commit|pages|clusters|minhash|userdict)\.(\d+)\.(?:json|npz|txt)")
_TOC = re.compile(r"_MAIN_(\d+)\.toc")
_CHUNK = 1 << 22
REPAIR_HINT = "run `python -m indexer check --repair --index {}`"
REBUILD_HINT = "rebuild it: `python -m indexer build --rebuild --index {} ARCHIVE_DIR`"


def crc32_bytes(data: bytes | memoryview) -> str:
    """CRC-32 of data as 8 hex digits."""
    return f"{zlib.crc32(data) & 0xFFFFFFFF:08x}"


def file_entry(path: Path) -> dict:
    """{"size": bytes, "crc32": hex} of a file (read in chunks)."""
    crc, size = 0, 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return {"size": size, "crc32": f"{crc & 0xFFFFFFFF:08x}"}


def temporary_name(path: Path) -> Path:
    """A unique hidden temporary name beside path (a dot: Whoosh's file cleanup ignores it)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def write_atomic(path: Path, write: Callable[[Path], None] | bytes) -> None:
    """Write a file under a unique temporary name, flush it to disk and rename it into place.

    write: the bytes, or a function writing the temporary path it is given.
    """
    temporary = temporary_name(path)
    try:
        if isinstance(write, bytes | bytearray):
            temporary.write_bytes(write)
        else:
            write(temporary)
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def generations(index_dir: Path) -> list[int]:
    """The generations whose table of contents exists, oldest first."""
    try:
        names = os.listdir(index_dir)
    except OSError:
        return []
    return sorted(int(found.group(1)) for name in names if (found := _TOC.fullmatch(name)))


def latest_generation(index_dir: Path) -> int:
    """The newest committed generation (-1 for none)."""
    found = generations(index_dir)
    return found[-1] if found else -1


def damaged(index_dir: Path, what: str, rebuild: bool = False) -> IndexDamagedError:
    """The one-line error for a damaged index file, with how to fix it."""
    hint = (REBUILD_HINT if rebuild else REPAIR_HINT).format(index_dir)
    return IndexDamagedError(f"index {index_dir} is damaged: {what}; {hint}")


def read_record(index_dir: Path, generation: int) -> dict | None:
    """The commit record of a generation; None if it has none (an index of an older version).

    Raises IndexDamagedError if the record is unreadable or fails its own checksum.
    """
    path = index_dir / RECORD.format(generation)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        wrapper = json.loads(raw)
        body = wrapper["record"]
        if crc32_bytes(_canonical(body)) != wrapper["crc32"]:
            raise ValueError("checksum")
    except (ValueError, KeyError, TypeError):
        raise damaged(index_dir, f"{path.name} is unreadable or fails its checksum", rebuild=True) from None
    return body


def _canonical(body: dict) -> bytes:
    """The bytes a record's checksum covers."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def write_record(index_dir: Path, generation: int, body: dict) -> None:
    """Write the commit record of a generation (atomically, with its own checksum)."""
    wrapper = {"crc32": crc32_bytes(_canonical(body)), "record": body}
    write_atomic(index_dir / RECORD.format(generation), json.dumps(wrapper, ensure_ascii=False).encode("utf-8"))


def toc_segments(index_dir: Path, generation: int) -> list:
    """The segments the table of contents of a generation lists; IndexDamagedError if it is unreadable."""
    storage = FileStorage(str(index_dir), supports_mmap=False, readonly=True)
    try:
        return TOC.read(storage, INDEXNAME, generation).segments
    except FileNotFoundError:
        raise
    except Exception as exc:  # a truncated or scribbled TOC fails in struct, pickle or Whoosh's own checks
        raise damaged(index_dir, f"_MAIN_{generation}.toc is unreadable ({type(exc).__name__})", rebuild=True) \
            from None


def segment_files(index_dir: Path, segment_id: str) -> list[str]:
    """The Whoosh files of a segment (its sidecar aside)."""
    prefix = f"{segment_id}."
    return sorted(name for name in os.listdir(index_dir)
                  if name.startswith(prefix) and not name.endswith(SIDECAR_EXT))


def _recorded_segments(index_dir: Path, record: dict, segments: list) -> None:
    """Raise IndexDamagedError unless the TOC lists exactly the record's segments with its doc counts."""
    listed = {segment.segment_id(): segment.doc_count_all() for segment in segments}
    recorded = {name: entry["docs"] for name, entry in record["segments"].items()}
    if listed != recorded:
        raise damaged(index_dir, f"_MAIN_{record['generation']}.toc does not list the segments its commit "
                                 "record names", rebuild=True)


def quick_check(index_dir: Path | str, attempts: int = 5) -> None:
    """The checks an open makes: the newest TOC reads, its commit record is whole and every segment file has
    the size recorded at commit.  Raises IndexDamagedError; cheap (no file is read beyond the TOC and record).

    A file that vanished because a build committed meanwhile (and removed what the new generation no longer
    needs) is not damage: the check starts again on the new generation.
    """
    index_dir = Path(index_dir)
    for _ in range(attempts):
        generation = latest_generation(index_dir)
        if generation < 0:
            return
        try:
            segments = toc_segments(index_dir, generation)
            record = read_record(index_dir, generation)
            if record is None:
                return
            _recorded_segments(index_dir, record, segments)
            for entry in record["segments"].values():
                for name, expected in entry["files"].items():
                    size = (index_dir / name).stat().st_size
                    if size != expected["size"]:
                        raise damaged(index_dir, f"{name} is truncated or altered ({size} bytes, "
                                                 f"{expected['size']} at commit)", rebuild=True)
            return
        except (FileNotFoundError, IndexDamagedError) as exc:
            if latest_generation(index_dir) == generation:
                if isinstance(exc, FileNotFoundError):
                    raise damaged(index_dir, f"{Path(exc.filename or '?').name} is missing", rebuild=True) from None
                raise
    return


def read_derived(index_dir: Path | str, kind: str, generation: int | None = None) -> bytes | None:
    """The verified bytes of one derived file (pages, clusters, minhash, userdict) of a generation (default:
    the newest); None if the generation has none.  Raises IndexDamagedError if it is missing or fails the
    checksum its commit record holds.  An index without commit records reads the file of the older layout.
    """
    index_dir = Path(index_dir)
    latest = latest_generation(index_dir)
    record = read_record(index_dir, generation) if generation is not None else None
    if record is None:  # the newest, or a generation a later build has removed
        record = read_record(index_dir, latest) if latest >= 0 else None
    if record is None:
        try:
            return (index_dir / LEGACY[kind]).read_bytes()
        except FileNotFoundError:
            return None
    entry = record["files"].get(kind)
    if entry is None:
        return None
    try:
        data = (index_dir / entry["name"]).read_bytes()
    except FileNotFoundError:
        raise damaged(index_dir, f"{entry['name']} is missing") from None
    if len(data) != entry["size"] or crc32_bytes(data) != entry["crc32"]:
        raise damaged(index_dir, f"{entry['name']} fails its checksum")
    return data


def read_json(index_dir: Path | str, kind: str, generation: int | None = None) -> dict:
    """A derived JSON object (pages, clusters) of a generation ({} if it has none); IndexDamagedError if bad."""
    data = read_derived(index_dir, kind, generation)
    if data is None:
        return {}
    try:
        found = json.loads(data.decode("utf-8"))
    except ValueError:
        raise damaged(Path(index_dir), f"{kind} file is not valid JSON") from None
    if not isinstance(found, dict):
        raise damaged(Path(index_dir), f"{kind} file does not hold a JSON object")
    return found


@dataclass
class Problem:
    """One thing wrong with an index: the file, what is wrong, and what fixes it."""

    file: str
    what: str
    fix: str  # "recompute" (derived from the index), "archive" (needs the archive) or "rebuild"

    def __str__(self) -> str:
        hint = {"recompute": "check --repair recomputes it", "archive": "check --repair --archive DIR restores it",
                "rebuild": "needs `python -m indexer build --rebuild`"}[self.fix]
        return f"{self.file}: {self.what} ({hint})"


def check_file(index_dir: Path, name: str, expected: dict | None) -> str:
    """What is wrong with one file against its recorded size and checksum ("" if nothing)."""
    path = index_dir / name
    if not path.exists():
        return "missing"
    if expected is None:
        return ""
    found = file_entry(path)
    if found["size"] != expected["size"]:
        return f"truncated or altered ({found['size']} bytes, {expected['size']} at commit)"
    if found["crc32"] != expected["crc32"]:
        return "fails its checksum"
    return ""


def remove_leftovers(index_dir: Path, generation: int, segments: list) -> None:
    """Remove what killed builds left (unreferenced segment files, temporary files, records and derived files of
    uncommitted generations) and the files no record of the two newest generations names.  Call under the lock.
    """
    from whoosh.index import clean_files

    storage = FileStorage(str(index_dir), supports_mmap=False)
    clean_files(storage, INDEXNAME, generation, segments)
    keep: set[str] = set()
    for kept in (generation - 1, generation):
        try:
            record = read_record(index_dir, kept)
        except IndexDamagedError:
            record = None
        if record is not None:
            keep.add(RECORD.format(kept))
            keep.update(entry["name"] for entry in record["files"].values())
    current = read_record_quietly(index_dir, generation)
    for name in os.listdir(index_dir):
        path = index_dir / name
        found = _GENERATIONAL.fullmatch(name)
        if name.endswith(".tmp") and name.startswith(("_MAIN_", ".")) or name == f"{INDEXNAME}.tmp" \
                or ".toc." in name:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        elif found and name not in keep and (int(found.group(1)) > generation or current is not None):
            path.unlink(missing_ok=True)
        elif name in LEGACY.values() and current is not None:
            path.unlink(missing_ok=True)


def read_record_quietly(index_dir: Path, generation: int) -> dict | None:
    """read_record, None for a damaged record too."""
    try:
        return read_record(index_dir, generation)
    except IndexDamagedError:
        return None


@dataclass
class Health:
    """What the start-of-build check found in one generation."""

    generation: int
    record: dict | None = None
    problems: list[Problem] = field(default_factory=list)
    segments: dict[str, dict] = field(default_factory=dict)  # intact segments: {"files": ..., "sidecar": ... | None}
    files: dict[str, dict] = field(default_factory=dict)  # intact derived files by kind (record entries)


def verify(index_dir: Path, generation: int, segments: list) -> Health:
    """Check every file of a generation against its commit record (sizes and CRC-32s), sidecars also by loading
    them; without a record (an older index) what can be checked without one.  Reads the whole index."""
    from indexer.build import sidecar

    health = Health(generation)
    try:
        health.record = read_record(index_dir, generation)
        if health.record is None and segments:
            health.problems.append(Problem(RECORD.format(generation), "missing (written by an older version)",
                                           "recompute"))
    except IndexDamagedError:
        health.problems.append(Problem(RECORD.format(generation), "unreadable or fails its checksum", "rebuild"))
    recorded = health.record["segments"] if health.record else {}
    for segment in segments:
        _verify_segment(index_dir, segment, recorded.get(segment.segment_id()), health, sidecar)
    for name in sorted(set(recorded) - {segment.segment_id() for segment in segments}):
        health.problems.append(Problem(f"_MAIN_{generation}.toc", f"does not list segment {name} of its record",
                                       "rebuild"))
    if health.record is None:
        for kind, name in LEGACY.items():
            if (index_dir / name).exists():
                health.files[kind] = {"name": name, **file_entry(index_dir / name)}
        return health
    for kind, entry in health.record["files"].items():
        what = check_file(index_dir, entry["name"], entry)
        if what:
            health.problems.append(Problem(entry["name"], what, "archive" if kind == "pages" else "recompute"))
        else:
            health.files[kind] = entry
    return health


def _verify_segment(index_dir: Path, segment, entry: dict | None, health: Health, sidecar) -> None:
    """Check one segment's files and sidecar; record it in health.segments if its files are intact."""
    name = segment.segment_id()
    files = entry["files"] if entry else {found: None for found in segment_files(index_dir, name)}
    intact = bool(files)
    if not files:
        health.problems.append(Problem(f"{name}.seg", "missing", "rebuild"))
    for file_name, expected in files.items():
        what = check_file(index_dir, file_name, expected)
        if what:
            health.problems.append(Problem(file_name, what, "rebuild"))
            intact = False
    if entry and entry["docs"] != segment.doc_count_all():
        health.problems.append(Problem(f"_MAIN_{health.generation}.toc", f"segment {name} has "
                                       f"{segment.doc_count_all()} documents, {entry['docs']} at commit", "rebuild"))
        intact = False
    if not intact:
        return
    files = {file_name: expected or file_entry(index_dir / file_name) for file_name, expected in files.items()}
    side_name = f"{name}{SIDECAR_EXT}"
    expected = entry.get("sidecar") if entry else None
    side = None
    if segment.doc_count_all():
        if expected is not None:
            what = check_file(index_dir, side_name, expected)
        else:
            what = "" if sidecar.intact(index_dir / side_name, segment.doc_count_all()) else "missing or stale"
        if what:
            health.problems.append(Problem(side_name, what, "recompute"))
        else:
            side = expected or file_entry(index_dir / side_name)
    health.segments[name] = {"files": files, "sidecar": side}
