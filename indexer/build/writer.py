"""Build or incrementally update the index from a JSONL archive."""

from __future__ import annotations

import ctypes
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index
from whoosh.columns import EmptyColumnReader, TranslatingColumnReader
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.util.filelock import try_for
from whoosh.writing import MERGE_SMALL, SegmentWriter

from indexer.build import commit, neardup, sidecar
from indexer.analyzers import UserDict, read_userdict, use_userdict, userdict_text
from indexer.errors import (
    BuildInputError,
    IndexDamagedError,
    IndexLockedError,
    SchemaVersionError,
    UserDictMismatchError,
)
from indexer.build.codec import IndexWriter
from indexer.build.fastwrite import SegmentBuilder
from indexer.schema import (
    SCHEMA_VERSION,
    TEXT_FIELDS,
    build_schema,
    char_field,
    check_version,
    index_exists,
    index_userdict,
    normalize_page_no,
    write_meta,
)

log = logging.getLogger("indexer")

# Stored metadata copied from the record as is (text fields are handled separately).
META_FIELDS = ("paper", "paper_name", "date", "page_no", "page_name", "author", "url")
INDEXED_KINDS = ("", "article")
WRITER_LIMIT_MB = 64  # Whoosh's own pool: only merges of tiny segments go through it
SEGMENT_LIMIT_MB = 560  # estimated memory of the segments being built (split between the processes; see fastwrite)
MAX_PROCS = 2
PARALLEL_MIN_DOCS = 2000  # fewer new/changed articles are indexed in-process (forking costs more)
LOCK_TIMEOUT = 5.0
# progress(what, done, total): what the build is doing ("reading", "indexing", …), total None when unknown.
ProgressCallback = Callable[[str, int, "int | None"], None]


@dataclass
class BuildStats:
    """What one build run read and changed."""

    files: int = 0
    records: int = 0  # indexable article records read, duplicates included
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_kind: int = 0
    bad_lines: int = 0
    duplicates: int = 0  # article records superseded by a later record with the same id
    pages: int = 0  # page records read
    clusters: int = 0  # near-duplicate clusters with more than one article, after the run
    seconds: float = 0.0
    docs: int = 0  # documents in the index after the run

    @property
    def docs_per_second(self) -> float:
        """Indexable records processed per second of wall time."""
        return self.records / self.seconds if self.seconds > 0 else 0.0

    def summary(self, index_dir: Path | str) -> str:
        """One human line describing the run."""
        return (
            f"indexed {self.files} files into {index_dir}: {self.records} articles read, "
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.duplicates} duplicate ids, {self.skipped_kind} skipped (kind), "
            f"{self.bad_lines} bad lines, {self.pages} page records; {self.docs} docs in index, "
            f"{self.clusters} near-duplicate clusters; "
            f"{self.seconds:.2f} s ({self.docs_per_second:.0f} docs/s)"
        )


def find_sources(sources: Iterable[Path | str]) -> list[Path]:
    """Expand files and directories (recursively, sorted *.jsonl) into a list of files."""
    files: list[Path] = []
    for source in map(Path, sources):
        if source.is_dir():
            files.extend(sorted(p for p in source.rglob("*.jsonl") if p.is_file()))
        elif source.is_file():
            files.append(source)
        else:
            raise FileNotFoundError(f"no such file or directory: {source}")
    # The same file named twice (e.g. a file and its directory) is read once.
    return list(dict.fromkeys(files))


def _text(value: object) -> str:
    """Return a record value as text ("" for absent/null)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def record_hash(record: dict) -> str:
    """Return the record's content_hash, or a digest of its indexed fields if it has none."""
    given = _text(record.get("content_hash"))
    if given:
        return given
    payload = {key: _text(record.get(key)) for key in (*META_FIELDS, *TEXT_FIELDS)}
    return "sha1:" + hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def to_document(record: dict, content_hash: str) -> dict[str, str]:
    """Map an archive article record to Whoosh field values (empty values left out)."""
    doc = {"id": _text(record["id"]), "content_hash": content_hash}
    for key in META_FIELDS:
        doc[key] = _text(record.get(key)).strip()
    doc["page_no"] = normalize_page_no(doc["page_no"])
    doc["author_c"] = doc["author"]
    for name in TEXT_FIELDS:
        value = _text(record.get(name))
        doc[name] = value
        doc[char_field(name)] = value
    doc["record"] = json.dumps({k: v for k, v in record.items() if k != "body"}, ensure_ascii=False)
    return {key: value for key, value in doc.items() if value}


def page_key(record: dict) -> str:
    """Return the key of a page record: its id, or paper|date|page_no."""
    given = _text(record.get("id"))
    if given:
        return given
    return "|".join((_text(record.get("paper")), _text(record.get("date")),
                     normalize_page_no(_text(record.get("page_no")))))


def _read_lines(files: list[Path], only: set[int] | None = None) -> Iterator[tuple[int, int, str]]:
    """Yield (file index, 1-based line number, line) for every non-blank line of the chosen files."""
    for file_no, path in enumerate(files):
        if only is not None and file_no not in only:
            continue
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line_no, line in enumerate(handle, 1):
                if line.strip():
                    yield file_no, line_no, line


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # only a \u escape can put a surrogate into a str
_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value: object) -> object:
    """The value with every lone surrogate in its strings (keys included) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_surrogates(key): _without_surrogates(item) for key, item in value.items()}
    return value


def _parse(line: str) -> tuple[dict | None, str]:
    """Return (record, "") or (None, reason) for one JSONL line; lone surrogates (which no index file can hold)
    are replaced by U+FFFD, and reason then says so."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        return None, f"invalid JSON ({exc.msg})"
    if not isinstance(record, dict):
        return None, "not a JSON object"
    if _SURROGATE_ESCAPE.search(line):
        fixed = _without_surrogates(record)
        if fixed != record:
            return fixed, "lone surrogate replaced by U+FFFD"
    return record, ""


@dataclass
class _Winner:
    """The last occurrence of an id in this run and what to do with it."""

    file_no: int
    line_no: int
    content_hash: str


def _scan(files: list[Path], stats: BuildStats, pages: dict[str, dict],
          progress: ProgressCallback | None = None) -> dict[str, _Winner]:
    """First pass: validate every line, keep the last occurrence of each article id, collect pages."""
    winners: dict[str, _Winner] = {}
    current = -1
    for file_no, line_no, line in _read_lines(files):
        if progress is not None and file_no != current:
            current = file_no
            progress("reading archive files", file_no, len(files))
        record, problem = _parse(line)
        if record is not None and problem:
            log.warning("warning: %s:%d: %s", files[file_no], line_no, problem)
            problem = ""
        if record is not None and record.get("type") == "article":
            if _text(record.get("kind")) not in INDEXED_KINDS:
                stats.skipped_kind += 1
                continue
            if not isinstance(record.get("id"), str) or not record["id"]:
                problem = "article without a string id"
        if problem:
            stats.bad_lines += 1
            log.warning("warning: %s:%d: skipped bad line: %s", files[file_no], line_no, problem)
            continue
        if record.get("type") == "page":
            stats.pages += 1
            page = {k: v for k, v in record.items() if k != "article_ids"}
            page["articles"] = len(record.get("article_ids") or [])
            page["page_no"] = normalize_page_no(_text(record.get("page_no")))
            pages[page_key(record)] = page
        if record.get("type") != "article":
            continue
        stats.records += 1
        if record["id"] in winners:
            stats.duplicates += 1
        winners[record["id"]] = _Winner(file_no, line_no, record_hash(record))
    return winners


def column_values(storage, schema, segments: list, fieldnames: tuple[str, ...]) -> Iterator[tuple]:
    """Yield (segment, segment docnum, *values of the column fields) for every live document of the segments.

    Opens only each segment's column files, not a full reader: Whoosh's SegmentReader copies every
    segment's whole postings and terms files into memory (``BufferFile`` wraps the mmapped file in a
    ``BytesIO``), which for a large index costs about the index's size in anonymous memory.
    """
    for segment in segments:
        with sidecar.open_perdoc(storage, segment) as perdoc:
            readers = []
            for name in fieldnames:
                field = schema[name]
                if perdoc.has_column(name):
                    column = perdoc.column_reader(name, field.column_type)
                else:
                    column = EmptyColumnReader(field.column_type.default_value(), segment.doc_count_all())
                readers.append(TranslatingColumnReader(column, field.from_column_value))
            deleted = segment.deleted_docs() if segment.has_deletions() else ()
            deleted = set(deleted)
            for docnum in range(segment.doc_count_all()):
                if docnum not in deleted:
                    yield (segment, docnum, *(reader[docnum] for reader in readers))


def _indexed_hashes(writer: SegmentWriter) -> tuple[dict[str, str], dict[str, list]]:
    """Return {id: content_hash} for every live document already in the index, and {id: [(segment, docnum)]}."""
    hashes: dict[str, str] = {}
    where: dict[str, list] = {}
    for segment, docnum, doc_id, content_hash in column_values(writer.storage, writer.schema, writer.segments,
                                                               ("id", "content_hash")):
        hashes[doc_id] = content_hash
        where.setdefault(doc_id, []).append((segment, docnum))
    return hashes, where


def _index_records(files: list[Path], keys: list[tuple[int, int]], storage, schema, indexname: str,
                   limit_mb: float, on_doc: Callable[[], None] | None = None) -> tuple[list, neardup.SignatureTable]:
    """Index the records at keys ((file, line) pairs, sorted) into new segments; return them and the signatures.

    A segment is closed and a new one started whenever its estimated memory (SegmentBuilder.buffered_mb) reaches
    limit_mb.
    """
    wanted = set(keys)
    segments: list = []
    signatures = neardup.SignatureTable()
    builder = SegmentBuilder(storage, schema, indexname)
    try:
        for file_no, line_no, line in _read_lines(files, only={key[0] for key in keys}):
            if (file_no, line_no) not in wanted:
                continue
            record, _ = _parse(line)
            builder.add_document(**to_document(record, record_hash(record)))
            signatures.add(record["id"], neardup.signature_values(neardup.cluster_text(record)))
            if on_doc is not None:
                on_doc()
            if builder.buffered_mb >= limit_mb:
                segments.append(_finish(builder))
                builder = SegmentBuilder(storage, schema, indexname)
        segment = _finish(builder)
        if segment is not None:
            segments.append(segment)
    except BaseException:
        builder.cancel()
        _delete_segments(storage, segments)
        raise
    return segments, signatures


def _release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the OS (glibc's malloc_trim; no-op elsewhere)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _finish(builder: SegmentBuilder):
    """Write the builder's segment and its query arrays (here, so parallel builds make them in parallel)."""
    segment = builder.finish()
    folder = getattr(builder.storage, "folder", None)
    if segment is not None and folder is not None:
        _release_memory()  # the freed postings, before the sidecar's arrays are allocated
        sidecar.ensure_or_warn(folder, builder.storage, segment, builder.words)
    builder.words = None
    return segment


def _delete_segments(storage, segments: list) -> None:
    """Remove the files of segments that will not be committed (best effort)."""
    for segment in segments:
        for name in [*segment.list_files(storage), f"{segment.segment_id()}{sidecar.EXTENSION}"]:
            try:
                storage.delete_file(name)
            except OSError:  # best effort (a sidecar may not exist yet)
                pass


_JOB: tuple | None = None  # (files, storage, schema, indexname, limit_mb, done), inherited by forked workers


def _worker_init(parent: int) -> None:
    """Forked worker set-up: die with the build process (a killed build must not leave workers behind); leave
    Ctrl-C to the build process, which stops the workers itself (no traceback from each worker)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _index_job(keys: list[tuple[int, int]]) -> tuple[list, neardup.SignatureTable]:
    """Worker process entry point: index one chunk of records with the inherited job settings."""
    files, storage, schema, indexname, limit_mb, done = _JOB

    def on_doc() -> None:
        with done.get_lock():
            done.value += 1

    return _index_records(files, keys, storage, schema, indexname, limit_mb, on_doc)


def index_procs() -> int:
    """Worker processes for a build: $EPAPER_INDEX_PROCS, else the number of CPUs (at most MAX_PROCS)."""
    try:
        wanted = int(os.environ.get("EPAPER_INDEX_PROCS", "0"))
    except ValueError:
        wanted = 0
    return max(1, wanted or min(MAX_PROCS, os.cpu_count() or 1))


def _build_segments(files: list[Path], keys: list[tuple[int, int]], writer: SegmentWriter,
                    procs: int, progress: ProgressCallback | None = None) -> tuple[list, dict[str, object]]:
    """Index the records at keys into new segments, in `procs` forked processes when it pays."""
    global _JOB
    limit_mb = SEGMENT_LIMIT_MB
    if procs < 2 or len(keys) < PARALLEL_MIN_DOCS or "fork" not in multiprocessing.get_all_start_methods():
        count = iter(range(1, len(keys) + 1))
        on_doc = (lambda: progress("indexing articles", next(count), len(keys))) if progress else None
        segments, table = _index_records(files, keys, writer.storage, writer.schema, writer.indexname, limit_mb,
                                         on_doc)
        return segments, table.as_dict()
    size = -(-len(keys) // procs)
    chunks = [keys[start : start + size] for start in range(0, len(keys), size)]
    context = multiprocessing.get_context("fork")
    done = context.Value("q", 0)  # articles indexed by all workers, for the progress display
    _JOB = (files, writer.storage, writer.schema, writer.indexname, limit_mb / procs, done)
    neardup.signature_values("预热" * neardup.MIN_CHARS)  # import numpy/datasketch once, shared by the workers
    segments: list = []
    signatures: dict[str, object] = {}
    try:
        with ProcessPoolExecutor(max_workers=len(chunks), mp_context=context, initializer=_worker_init,
                                 initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(_index_job, chunk) for chunk in chunks]
            try:
                pending = set(futures)
                while pending:
                    _, pending = wait(pending, timeout=0.5, return_when=FIRST_EXCEPTION)
                    if progress is not None:
                        progress("indexing articles", done.value, len(keys))
                    if any(f.done() and f.exception() is not None for f in futures):
                        break
                for future in futures:
                    chunk_segments, chunk_signatures = future.result()
                    segments += chunk_segments
                    signatures.update(chunk_signatures.as_dict())
            except BaseException:
                for future in futures:
                    future.cancel()
                if not all(future.done() for future in futures):  # interrupted: don't wait for their chunks
                    for process in list(getattr(pool, "_processes", {}).values()):
                        process.terminate()
                for future in futures:
                    if future.done() and not future.cancelled() and future.exception() is None:
                        _delete_segments(writer.storage, future.result()[0])
                _delete_segments(writer.storage, segments)
                raise
    finally:
        _JOB = None
    return segments, signatures


def _write(files: list[Path], winners: dict[str, _Winner], existing: dict[str, str], where: dict[str, list],
           writer: SegmentWriter, stats: BuildStats, signatures: dict[str, object], procs: int,
           progress: ProgressCallback | None = None) -> list:
    """Second pass: index new ids and changed ones into new segments (with MinHash signatures), delete the
    old versions of changed ones (at their (segment, docnum) in where: deleting by term would open a full
    reader), leave the rest alone; return the new segments (not yet committed)."""
    todo: list[tuple[int, int]] = []
    for doc_id, winner in winners.items():
        old_hash = existing.get(doc_id)
        if old_hash == winner.content_hash:
            stats.unchanged += 1
            continue
        todo.append((winner.file_no, winner.line_no))
        if old_hash is not None:
            for segment, docnum in where[doc_id]:
                segment.delete_document(docnum)
            stats.updated += 1
        else:
            stats.added += 1
    if not todo:
        return []
    segments, found = _build_segments(files, sorted(todo), writer, procs, progress)
    signatures.update(found)
    return segments


def _check_userdict(index_dir: Path, requested: UserDict | None) -> UserDict | None:
    """Return the dictionary an update of an existing index uses; raise if another one is requested."""
    recorded = index_userdict(index_dir)
    if requested is None:
        return recorded
    if (recorded.digest if recorded else "") != (requested.digest if requested.entries else ""):
        built = f"user dictionary {recorded.source or recorded.digest}" if recorded else "no user dictionary"
        raise UserDictMismatchError(
            f"index {index_dir} was built with {built}, not {requested.source}; "
            f"run `python -m indexer build --rebuild --userdict {requested.source} --index {index_dir} ARCHIVE_DIR`"
        )
    return requested


def _check_index_path(index_dir: Path) -> None:
    """Refuse an index path that exists and is not a directory."""
    if index_dir.exists() and not index_dir.is_dir():
        raise BuildInputError(f"--index {index_dir} is not a directory")


@contextmanager
def _locked(index_dir: Path, timeout: float) -> Iterator[None]:
    """Hold the index's writer lock (Whoosh's own lock file) for a whole build, commit and clean-up included."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileStorage(str(index_dir)).lock(f"{commit.INDEXNAME}_WRITELOCK")
    if not try_for(lock.acquire, timeout=timeout, delay=0.1):
        raise IndexLockedError(
            f"index {index_dir} is locked by another writer (waited {timeout:g} s); try again when it finishes"
        )
    try:
        yield
    finally:
        lock.release()


def _open_for_build(index_dir: Path, rebuild: bool,
                    requested: UserDict | None) -> tuple[FileIndex, bool, UserDict | None]:
    """Open (or create) the index under the lock; return it, whether existing documents are kept, and the
    dictionary.  A damaged table of contents or record raises IndexDamagedError unless rebuilding."""
    if index_exists(index_dir):
        try:
            check_version(index_dir)
            commit.toc_segments(index_dir, commit.latest_generation(index_dir))
            commit.read_record(index_dir, commit.latest_generation(index_dir))
            ix = index.open_dir(str(index_dir))
            if not rebuild:
                return ix, True, _check_userdict(index_dir, requested)
            write_meta(index_dir, requested)
            return ix, False, requested
        except (SchemaVersionError, IndexDamagedError):
            if not rebuild:
                raise
    # The metadata first: a creation killed before its TOC leaves no index without a version.
    write_meta(index_dir, requested)
    ix = index.create_in(str(index_dir), build_schema())
    return ix, False, requested


def _stored_signatures(storage, schema, segments: list, ids: set[str]) -> dict[str, object]:
    """MinHash values of the given indexed articles, from their stored title and body (no full reader)."""
    found: dict[str, object] = {}
    for segment in segments:
        deleted = set(segment.deleted_docs()) if segment.has_deletions() else set()
        with sidecar.open_perdoc(storage, segment) as perdoc:
            for docnum in range(segment.doc_count_all()):
                if docnum in deleted:
                    continue
                stored = perdoc.stored_fields(docnum)
                if stored.get("id") in ids:
                    found[stored["id"]] = neardup.signature_values(neardup.cluster_text(stored))
    return found


@dataclass
class _Derived:
    """The derived files of the next generation: entries kept from the last one, and bytes to write."""

    kept: dict[str, dict]
    new: dict[str, bytes]
    userdict: dict | None = None  # source, digest, words of the dictionary
    pages_incomplete: bool = False  # page records were lost to damage (until restored from the archive)


def _verified_json(index_dir: Path, health: commit.Health, kind: str) -> dict | None:
    """A derived JSON file the start-of-build check passed (None if it did not or there is none)."""
    if kind not in health.files:
        return None
    try:
        return commit.read_json(index_dir, kind, health.generation)
    except IndexDamagedError:
        return None


def _derive(index_dir: Path, writer: SegmentWriter, segments: list, keep_existing: bool, health: commit.Health,
            signatures: dict[str, object], pages: dict[str, dict], userdict: UserDict | None,
            stats: BuildStats, pages_from_archive: bool = False) -> _Derived:
    """Page records, near-duplicate signatures and clusters, and the user dictionary of the next generation:
    what the last one holds if it is intact and still current, else recomputed (signatures of articles the
    last generation lacks are computed from their stored text).  pages_from_archive: this run's page
    records replace the index's (a repair from the whole archive)."""
    derived = _Derived({}, {})
    can_keep = health.record is not None  # an older index's files are rewritten under this layout's names
    order = {doc_id: (date or "", doc_id)
             for _, _, doc_id, date in column_values(writer.storage, writer.schema, segments, ("id", "date"))}
    old_pages = _verified_json(index_dir, health, "pages") if keep_existing and not pages_from_archive else None
    lost = keep_existing and not pages_from_archive and old_pages is None and health.record is not None \
        and "pages" in health.record["files"]
    if lost:
        log.warning("warning: the page records of %s were damaged; only this run's are kept "
                    "(`python -m indexer check --repair --archive DIR` restores them)", index_dir)
    was_incomplete = bool(health.files.get("pages", {}).get("incomplete"))
    derived.pages_incomplete = lost or (was_incomplete and not pages_from_archive)
    merged = {**(old_pages or {}), **pages}
    # Page records read again unchanged (every update re-reads its day files) keep the file: no new generation.
    unchanged = old_pages is not None and merged == old_pages and not pages_from_archive
    if (pages and not unchanged) or old_pages is None or not can_keep or pages_from_archive:
        derived.new["pages"] = _json_bytes(merged)
    else:
        derived.kept["pages"] = health.files["pages"]
    known: dict[str, object] | None = None
    if keep_existing and "minhash" in health.files:
        known = neardup.load_signatures(commit.read_derived(index_dir, "minhash", health.generation) or b"")
    old_ids = set(known or ())
    known = dict(known or {})
    known.update(signatures)
    known = {doc_id: values for doc_id, values in known.items() if doc_id in order}
    missing = set(order) - set(known)
    if missing:  # articles the last generation has no signature for (killed builds of older versions, damage)
        known.update(_stored_signatures(writer.storage, writer.schema, segments, missing))
    changed = bool(signatures) or bool(missing) or old_ids != set(known) or "minhash" not in health.files \
        or not can_keep
    if changed:
        derived.new["minhash"] = neardup.signatures_bytes(known)
    else:
        derived.kept["minhash"] = health.files["minhash"]
    clusters = None if changed else _verified_json(index_dir, health, "clusters")
    if clusters is None or set(clusters) != set(order):
        clusters = neardup.cluster(known, order)
        derived.new["clusters"] = _json_bytes(clusters)
    else:
        derived.kept["clusters"] = health.files["clusters"]
    stats.clusters = len({head for doc_id, head in clusters.items() if doc_id != head})
    if userdict is not None and userdict.entries:
        derived.userdict = {"source": userdict.source, "digest": userdict.digest, "words": len(userdict.entries)}
        if keep_existing and "userdict" in health.files and can_keep:
            derived.kept["userdict"] = health.files["userdict"]
        else:
            derived.new["userdict"] = userdict_text(userdict).encode("utf-8")
    return derived


def _json_bytes(data: object) -> bytes:
    """A derived JSON file's bytes."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _segment_entry(index_dir: Path, segment, health: commit.Health) -> dict:
    """The commit record's entry of a segment: document counts, files and sidecar with sizes and checksums."""
    known = health.segments.get(segment.segment_id())
    files = known["files"] if known else {name: commit.file_entry(index_dir / name)
                                          for name in commit.segment_files(index_dir, segment.segment_id())}
    path = sidecar.sidecar_path(index_dir, segment.segment_id())
    side = known.get("sidecar") if known else None
    if side is None and segment.doc_count_all() and sidecar.load(path, segment.doc_count_all()) is not None:
        side = commit.file_entry(path)
    return {"docs": segment.doc_count_all(), "live": segment.doc_count(), "files": files, "sidecar": side}


def _commit(index_dir: Path, writer: SegmentWriter, mergetype, derived: _Derived, health: commit.Health) -> list:
    """Publish the next generation: merge, sidecars, derived files, commit record, then the TOC (the commit
    point), then remove what no generation needs.  Whoosh's SegmentWriter.commit, with our files written
    before its TOC."""
    final = writer._merge_segments(mergetype, False, True)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    for segment in final:
        if segment.doc_count_all() and not health.segments.get(segment.segment_id(), {}).get("sidecar"):
            sidecar.ensure_or_warn(index_dir, writer.storage, segment)
    generation = writer.generation
    files = dict(derived.kept)
    for kind, data in derived.new.items():
        name = commit.DERIVED[kind].format(generation)
        commit.write_atomic(index_dir / name, data)
        files[kind] = {"name": name, "size": len(data), "crc32": commit.crc32_bytes(data)}
    if derived.userdict is not None:
        files["userdict"] = {**files["userdict"], **derived.userdict}
    if derived.pages_incomplete:
        files["pages"] = {**files["pages"], "incomplete": True}
    record = {"generation": generation, "schema_version": SCHEMA_VERSION,
              "segments": {segment.segment_id(): _segment_entry(index_dir, segment, health) for segment in final},
              "files": files}
    commit.write_record(index_dir, generation, record)
    writer._commit_toc(final)
    writer._finish()
    commit.remove_leftovers(index_dir, generation, final)
    return final


def build_index(index_dir: Path | str, sources: list[Path], rebuild: bool = False,
                lock_timeout: float = LOCK_TIMEOUT, userdict: Path | str | None = None,
                procs: int | None = None, pages_from_archive: bool = False,
                progress: ProgressCallback | None = None) -> BuildStats:
    """Index the article (and page) records of the JSONL files under sources into index_dir.

    userdict: a jieba user dictionary file; None keeps the one an existing index was built with.
    procs: processes that build segments in parallel (default index_procs()); builds of fewer than
    PARALLEL_MIN_DOCS new or changed articles run in this process.
    pages_from_archive: the page records read replace the index's (sources are the whole archive).
    progress: called as progress(what, done, total) while the build runs (total None when unknown).
    Everything happens under the index's writer lock (waiting up to lock_timeout seconds) and is published
    by one commit (see indexer.build.commit); derived data found missing, stale or damaged is recomputed. An
    interrupted build (KeyboardInterrupt) leaves the index as it was before it started.
    Raises BuildInputError, IndexLockedError, IndexDamagedError (segments: needs rebuild), OSError, ...
    """
    report = progress or (lambda what, done, total: None)
    started = time.perf_counter()
    index_dir = Path(index_dir)
    _check_index_path(index_dir)
    files = find_sources(sources)
    if sources and not files:
        raise BuildInputError(f"no archive files (*.jsonl) in {', '.join(map(str, sources))}; nothing to index")
    stats = BuildStats(files=len(files))
    requested = read_userdict(userdict) if userdict else None
    with _locked(index_dir, lock_timeout):
        ix, keep_existing, effective = _open_for_build(index_dir, rebuild, requested)
        use_userdict(effective)
        generation = commit.latest_generation(index_dir)
        old = ix._segments()
        commit.remove_leftovers(index_dir, generation, old)
        health = commit.verify(index_dir, generation, old) if keep_existing else commit.Health(generation)
        fatal = [problem for problem in health.problems if problem.fix == "rebuild"]
        if fatal:
            raise commit.damaged(index_dir, str(fatal[0]).split(" (")[0], rebuild=True)
        writer = IndexWriter(ix, _lk=False, limitmb=WRITER_LIMIT_MB)
        new_segments: list = []
        try:
            existing, where = _indexed_hashes(writer) if keep_existing else ({}, {})
            pages: dict[str, dict] = {}
            signatures: dict[str, object] = {}
            winners = _scan(files, stats, pages, progress)
            new_segments = _write(files, winners, existing, where, writer, stats, signatures, procs or index_procs(),
                                  progress)
            report("committing", 0, None)
            live = [*writer.segments, *new_segments] if keep_existing else list(new_segments)
            derived = _derive(index_dir, writer, live, keep_existing, health, signatures, pages, effective, stats,
                              pages_from_archive)
            if keep_existing and not (stats.added or stats.updated or derived.new or health.problems):
                writer.cancel()  # nothing changed and nothing to repair: the index files stay exactly as they were
                final = old
            elif keep_existing:
                # Whoosh's usual policy (merge only many tiny segments), with the new segments added.
                final = _commit(index_dir, writer, lambda w, segments: MERGE_SMALL(w, segments + new_segments),
                                derived, health)
            else:
                # A rebuild replaces every old segment in one commit.
                final = _commit(index_dir, writer, lambda w, segments: list(new_segments), derived, health)
        except BaseException:
            if not writer.is_closed:  # not committed: nothing of this run may stay
                try:
                    writer.cancel()
                except Exception:  # noqa: BLE001 - the original error is the one to report
                    pass
                _delete_segments(ix.storage, new_segments)
            raise
    stats.docs = sum(segment.doc_count() for segment in final)  # no reader (see column_values)
    stats.seconds = time.perf_counter() - started
    return stats
