"""Index schema, its version, and the metadata file that records the version."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.index import FileIndex

from indexer.analyzers import char_analyzer, word_analyzer
from indexer.errors import BUILD_HINT, IndexNotFoundError, SchemaVersionError

SCHEMA_VERSION = 1
META_FILE = "epaper-index.json"

# Text fields that take part in plain-word and phrase search, in display order.
TEXT_FIELDS = ("pretitle", "title", "subtitle", "body")


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
        "content_hash": ID(stored=True, sortable=True),
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


def write_meta(index_dir: Path) -> None:
    """Record the schema version and creation time next to the index files."""
    meta = {"schema_version": SCHEMA_VERSION, "created": datetime.now(UTC).isoformat(timespec="seconds")}
    (index_dir / META_FILE).write_text(json.dumps(meta) + "\n", encoding="utf-8")


def read_version(index_dir: Path) -> int | None:
    """Return the schema version recorded in index_dir, or None if unreadable."""
    try:
        meta = json.loads((index_dir / META_FILE).read_text(encoding="utf-8"))
        return int(meta["schema_version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def index_exists(index_dir: Path) -> bool:
    """True if index_dir holds a Whoosh index."""
    return index_dir.is_dir() and index.exists_in(str(index_dir))


def check_version(index_dir: Path) -> None:
    """Raise SchemaVersionError unless index_dir was written with SCHEMA_VERSION."""
    found = read_version(index_dir)
    if found != SCHEMA_VERSION:
        what = "an unknown schema version" if found is None else f"schema version {found}"
        raise SchemaVersionError(
            f"index {index_dir} has {what}, this program needs version {SCHEMA_VERSION}; "
            f"run `python -m indexer build --rebuild --index {index_dir} ARCHIVE_DIR`"
        )


def open_index(index_dir: Path | str) -> FileIndex:
    """Open an existing index after checking it exists and has our schema version."""
    index_dir = Path(index_dir)
    if not index_exists(index_dir):
        raise IndexNotFoundError(f"no index at {index_dir}; build one with `{BUILD_HINT}`")
    check_version(index_dir)
    return index.open_dir(str(index_dir))
