"""Index schema, its version, and the metadata file that records the version."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex

from indexer.analyzers import UserDict, char_analyzer, parse_userdict, read_userdict, use_userdict, word_analyzer
from indexer.errors import BUILD_HINT, IndexNotFoundError, SchemaVersionError

# 2: t2s-folded analyzers, stored `record`, user dictionary, sidecars (pages, near-duplicate clusters).
# 3: variant forms folded too (衞/卫, 著/着, 靑/青, 硏/研: analyzers.FOLD_VERSION 2).
# 4: the word and char fields' postings only in the sidecars (indexer.build.codec); content_hash not indexed.
SCHEMA_VERSION = 4
# Why an index of an older version cannot be queried, for the one-line message.
_OLDER = {2: "its characters were folded before variant forms (衞/卫, 著/着, 靑/青) matched each other",
          3: "it keeps its text postings twice, in Whoosh's files and in the query arrays"}
META_FILE = "epaper-index.json"
USERDICT_FILE = "userdict.txt"  # the copy of the user dictionary the index was built with
PAGES_FILE = "pages.json"  # page records: {key: record}
CLUSTERS_FILE = "clusters.json"  # near-duplicate clusters: {id: cluster id}
MINHASH_FILE = "minhash.npz"  # MinHash signatures of the indexed articles

# Text fields that take part in plain-word and phrase search, in display order.
TEXT_FIELDS = ("pretitle", "title", "subtitle", "body")


class StoredColumn(ID):
    """A stored value with a column but no postings (content_hash: read by id, never searched)."""

    indexed = False

    def __init__(self) -> None:
        super().__init__(stored=True, sortable=True)
        self.format = None


def char_field(name: str) -> str:
    """Return the name of the exact-phrase (one token per char) twin of a text field."""
    return f"{name}_c"


def build_schema() -> Schema:
    """Return a fresh schema instance (analyzers are per-schema objects)."""
    words = word_analyzer()
    chars = char_analyzer()
    fields: dict = {
        # id/content_hash are columns too, so incremental builds read them without stored fields.
        "id": ID(unique=True, stored=True, sortable=True),
        "paper": ID(stored=True),
        "paper_name": ID(stored=True),
        "date": ID(stored=True, sortable=True),
        "page_no": ID(stored=True),
        "page_name": TEXT(analyzer=chars, stored=True, phrase=True),
        "author": STORED(),
        "author_c": TEXT(analyzer=chars, phrase=True),
        "url": STORED(),
        "content_hash": StoredColumn(),
        # The archive record as JSON, without `body` (stored in its own field): for show and CSV.
        "record": STORED(),
    }
    for name in TEXT_FIELDS:
        # Phrases go through the char twins, so word fields need frequencies only.
        fields[name] = TEXT(analyzer=words, stored=True, phrase=False)
        fields[char_field(name)] = TEXT(analyzer=chars, phrase=True)
    return Schema(**fields)


def normalize_page_no(page_no: str) -> str:
    """Zero-pad all-digit page numbers to two digits ("1" -> "01"); keep others ("A03")."""
    page_no = page_no.strip()
    return page_no.zfill(2) if page_no.isdigit() else page_no


def write_meta(index_dir: Path, userdict: UserDict | None = None) -> None:
    """Record the schema version, creation time and user dictionary next to the index files (atomically; the
    dictionary itself is part of each commit, see indexer.build.commit)."""
    from indexer.build.commit import write_atomic

    meta: dict = {"schema_version": SCHEMA_VERSION, "created": datetime.now(UTC).isoformat(timespec="seconds")}
    if userdict is not None and userdict.entries:
        meta["userdict"] = {"source": userdict.source, "digest": userdict.digest, "words": len(userdict.entries)}
    write_atomic(index_dir / META_FILE, (json.dumps(meta, ensure_ascii=False) + "\n").encode("utf-8"))


def read_meta(index_dir: Path) -> dict:
    """Return the index metadata ({} if unreadable)."""
    try:
        meta = json.loads((Path(index_dir) / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def index_userdict(index_dir: Path) -> UserDict | None:
    """Return the user dictionary the index was built with (None for none): the copy its newest commit holds
    (IndexDamagedError if that fails its checksum), or, in an index of an older version, userdict.txt."""
    from indexer.build import commit

    index_dir = Path(index_dir)
    record = commit.read_record(index_dir, commit.latest_generation(index_dir))
    if record is None:
        info = read_meta(index_dir).get("userdict")
        if not info:
            return None
        found = read_userdict(index_dir / USERDICT_FILE)
        return UserDict(found.entries, found.digest, info.get("source", ""))
    info = record["files"].get("userdict")
    if not info:
        return None
    data = commit.read_derived(index_dir, "userdict")
    found = parse_userdict(data.decode("utf-8").splitlines(), info.get("source", ""))
    if found.digest != info.get("digest"):
        raise commit.damaged(index_dir, f"{info['name']} is not the dictionary the index was built with")
    return found


def read_version(index_dir: Path) -> int | None:
    """Return the schema version recorded in index_dir, or None if unreadable."""
    try:
        meta = json.loads((index_dir / META_FILE).read_text(encoding="utf-8"))
        return int(meta["schema_version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def index_exists(index_dir: Path) -> bool:
    """True if index_dir holds a Whoosh index (a table of contents; whether it reads is open_index's business)."""
    from indexer.build.commit import latest_generation

    return Path(index_dir).is_dir() and latest_generation(Path(index_dir)) >= 0


def check_version(index_dir: Path) -> None:
    """Raise SchemaVersionError unless index_dir was written with SCHEMA_VERSION."""
    found = read_version(index_dir)
    if found != SCHEMA_VERSION:
        what = "an unknown schema version" if found is None else f"schema version {found}"
        why = f" ({_OLDER[found]})" if found in _OLDER else ""
        raise SchemaVersionError(
            f"index {index_dir} has {what}{why}, this program needs version {SCHEMA_VERSION}; "
            f"run `python -m indexer build --rebuild --index {index_dir} ARCHIVE_DIR`"
        )


def open_index(index_dir: Path | str) -> FileIndex:
    """Open an existing index after checking it exists and has our schema version."""
    index_dir = Path(index_dir)
    if not index_exists(index_dir):
        raise IndexNotFoundError(f"no index at {index_dir}; build one with `{BUILD_HINT}`")
    check_version(index_dir)
    from indexer.build.commit import quick_check

    quick_check(index_dir)  # a missing or truncated file is one clear error, not a traceback mid-query
    # Query-time words must be cut with the dictionary the index was built with.
    use_userdict(index_userdict(index_dir))
    # Without mmap, Whoosh reads segment files through file handles; with it, every SegmentReader copies
    # the segment's whole compound file into a BytesIO (≈ the index's size in memory and seconds at start).
    for attempt in range(5):
        try:
            return FileStorage(str(index_dir), supports_mmap=False).open_index()
        except FileNotFoundError:  # a build committed and removed the TOC just listed: read the new one
            if attempt == 4:
                raise
