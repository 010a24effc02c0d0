"""Per-segment numpy arrays ("sidecars") that let queries run as vectorized set operations.

Whoosh keeps char positions as one pickled list per posting, so a phrase that occurs in tens of
thousands of documents costs a Python call per document and character.  Next to each segment
file ``MAIN_<id>.seg`` we write ``MAIN_<id>.epx`` holding, as flat arrays:

* for every char field (the text fields' twins, author, page name): each character's positions as one
  sorted array of *segment-global* positions (document d's field text occupies ``starts[d] ..
  starts[d+1] - 2``, one unused position between documents so no phrase spans two), its documents
  and per-document frequencies;
* for every word field: each word's documents and frequencies, the words ordered by a 64-bit hash
  and stored as UTF-8 to confirm a hash match;
* the Whoosh field lengths BM25 uses, each document's date, and its paper, paper name and page
  number as codes into lists of values.

A phrase is then a few ``searchsorted`` calls over these arrays (see ``indexer.query.engine``).

The file name matches Whoosh's segment-file pattern, so Whoosh deletes it with its segment.  A
sidecar is derived data: it is built from the segment's stored fields (``build``), written
atomically, checked against the segment's document count on load, and rebuilt by any
``python -m indexer build`` that finds it missing, stale or damaged.  The header carries its own
CRC-32 and each array's: a header that fails is not loaded (the general path answers), an array that
fails raises IndexDamagedError the first time a query touches it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import struct
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.filedb.filestore import FileStorage, OverlayStorage
from whoosh.util.numeric import byte_to_length

from indexer.build import textcodes
from indexer.errors import IndexDamagedError
from indexer.schema import TEXT_FIELDS, char_field, normalize_page_no

if TYPE_CHECKING:
    from indexer.build.fastwrite import WordPostingsBuilder

log = logging.getLogger(__name__)
# 2: word fields; 3: author, page name and page number; 4: CRC-32 of the header and arrays; 5: the header after
# the arrays (written as they are made), the only copy of the text postings (indexer.build.codec), CRC-32s per
# 4 KiB block (a query checks only the blocks it reads)
VERSION = 5
EXTENSION = ".epx"
MAGIC = b"EPX2"
_ALIGN = 64
CRC_BLOCK = 1 << 12  # bytes per checksummed block of an array (older sidecars have one CRC-32 per array)
# Stored field -> the char field indexed from it (page_name is itself a char field).
CHAR_FIELDS = {**{name: char_field(name) for name in TEXT_FIELDS}, "author": "author_c", "page_name": "page_name"}
# Fields whose Whoosh lengths BM25 needs: the word fields and every char field.
LENGTH_FIELDS = tuple(TEXT_FIELDS) + tuple(CHAR_FIELDS.values())
# Fields whose postings only the sidecar holds (indexer.build.codec): word fields and char fields.
WORD_FIELDS = tuple(TEXT_FIELDS)
POSTING_FIELDS = (*WORD_FIELDS, *CHAR_FIELDS.values())
# ID fields kept as per-document codes into a list of their values (header "labels").
CODE_FIELDS = ("paper", "paper_name", "page_no")


def sidecar_path(index_dir: Path | str, segment_id: str) -> Path:
    """Where the sidecar of a segment (``segment.segment_id()``) lives."""
    return Path(index_dir) / f"{segment_id}{EXTENSION}"


def date_number(value: str) -> int:
    """YYYY-MM-DD as the integer YYYYMMDD (0 for a missing or malformed date)."""
    digits = value[:4] + value[5:7] + value[8:10]
    return int(digits) if len(value) == 10 and digits.isdigit() else 0


_CHUNK = 1 << 19  # characters per step (whole documents): bounds the temporaries of a segment's char pass


def _doc_chunks(starts: np.ndarray) -> list[tuple[int, int]]:
    """Split the documents into consecutive runs of about _CHUNK characters: [(first doc, end doc)]."""
    cuts = np.searchsorted(starts, np.arange(_CHUNK, int(starts[-1]), _CHUNK), side="right") - 1
    edges = sorted({0, len(starts) - 1, *cuts.tolist()})
    return [(first, end) for first, end in zip(edges, edges[1:], strict=False) if end > first]


def _chunk_codes(texts: list[str], first: int, end: int) -> np.ndarray:
    """The normalized characters (analyzers.normalize) of documents first..end-1, end to end, as code points."""
    codes = textcodes.codes_of("".join(texts[first:end]))
    return textcodes.fold_codes(codes[textcodes.not_space(codes)])


def _chunk_keys(texts: list[str], starts: np.ndarray, first: int, end: int) -> np.ndarray:
    """The (char << 32 | position) keys of documents first..end-1, sorted (positions skip the gaps between them)."""
    base = int(starts[first])
    slots = np.ones(int(starts[end]) - base, dtype=bool)
    slots[starts[first + 1 : end + 1] - 1 - base] = False
    keys = _chunk_codes(texts, first, end).astype(np.uint64)
    keys <<= np.uint64(32)
    keys |= np.flatnonzero(slots).astype(np.uint64) + np.uint64(base)
    keys.sort()
    return keys


def _scatter(target: np.ndarray, cursor: np.ndarray, terms: np.ndarray, values: np.ndarray) -> None:
    """Append values (grouped by term, terms ascending) to each term's slice of target at cursor[term]."""
    count = len(terms)
    if not count:
        return
    new_term = np.ones(count, dtype=bool)
    new_term[1:] = terms[1:] != terms[:-1]
    run_first = np.flatnonzero(new_term)
    run_length = np.diff(np.append(run_first, count))
    run_term = terms[run_first]
    destination = cursor[run_term]
    cursor[run_term] += run_length
    target[np.repeat(destination - run_first, run_length) + np.arange(count)] = values


def _char_arrays(texts: list[str]) -> dict[str, np.ndarray]:
    """Positions, documents and frequencies of every char of the texts, normalized as the char fields are.

    Works a chunk of documents at a time (this runs in the build's worker processes, next to the
    segment builder's memory): a first pass counts each char's positions and documents, a second sorts
    each chunk's (char, position) keys and scatters the positions, documents and frequencies to their
    char's slices of the output arrays (chunks come in document order), so nothing but the outputs
    grows with the segment.
    """
    # str.split() splits on exactly the characters normalize drops (str.isspace).
    lengths = np.fromiter((len("".join(text.split())) for text in texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths + 1, out=starts[1:])
    if starts[-1] >= 2**32:
        raise ValueError(f"segment too large for a sidecar ({int(starts[-1])} characters in one field)")
    chunks = _doc_chunks(starts)
    found_codes, found_chars, found_docs = [], [], []
    for first, end in chunks:
        keys = _chunk_codes(texts, first, end).astype(np.uint64)
        keys <<= np.uint64(32)
        keys |= np.repeat(np.arange(first, end, dtype=np.uint64), lengths[first:end])
        pairs, chars = np.unique(keys, return_counts=True)
        del keys
        codes, inverse = np.unique((pairs >> np.uint64(32)).astype(np.uint32), return_inverse=True)
        found_codes.append(codes)
        found_chars.append(np.bincount(inverse, weights=chars, minlength=len(codes)))
        found_docs.append(np.bincount(inverse, minlength=len(codes)))
    all_codes = np.concatenate(found_codes) if found_codes else np.zeros(0, dtype=np.uint32)
    codes, inverse = np.unique(all_codes, return_inverse=True)
    pointers = []
    for found in (found_chars, found_docs):
        totals = np.bincount(inverse, weights=np.concatenate(found) if found else None, minlength=len(codes))
        pointer = np.zeros(len(codes) + 1, dtype=np.int64)
        np.cumsum(totals.astype(np.int64), out=pointer[1:])
        pointers.append(pointer)
    pos_ptr, doc_ptr = pointers
    positions = np.empty(int(pos_ptr[-1]), dtype=np.uint32)
    docs = np.empty(int(doc_ptr[-1]), dtype=np.int32)
    freqs = np.empty(int(doc_ptr[-1]), dtype=np.uint32)
    position_cursor, doc_cursor = pos_ptr[:-1].copy(), doc_ptr[:-1].copy()
    for first, end in chunks:
        keys = _chunk_keys(texts, starts, first, end)
        terms = np.searchsorted(codes, (keys >> np.uint64(32)).astype(np.uint32)).astype(np.int32)
        chunk_positions = (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        del keys
        _scatter(positions, position_cursor, terms, chunk_positions)
        docs_of = (np.searchsorted(starts, chunk_positions, side="right") - 1).astype(np.int32)
        count = len(terms)
        new_pair = np.ones(count, dtype=bool)
        new_pair[1:] = (terms[1:] != terms[:-1]) | (docs_of[1:] != docs_of[:-1])
        pair_first = np.flatnonzero(new_pair)
        pair_terms = terms[pair_first]
        _scatter(docs, doc_cursor, pair_terms, docs_of[pair_first])
        _scatter(freqs, doc_cursor - np.bincount(pair_terms, minlength=len(codes)), pair_terms,
                 np.diff(np.append(pair_first, count)).astype(np.uint32))
    return {
        "codes": codes.astype(np.uint32),
        "pos_ptr": pos_ptr,
        "positions": positions,
        "doc_ptr": doc_ptr,
        "docs": docs,
        "tf": freqs.astype(tf_dtype(int(freqs.max()) if len(freqs) else 0)),
        "starts": starts,
    }


_BYTE_LENGTHS = np.array([byte_to_length(code) for code in range(256)], dtype=np.float64)


def _lengths(perdoc, doccount: int, fieldname: str) -> np.ndarray:
    """The field's length per document as BM25 sees it: Whoosh's one-byte approximation, decoded."""
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    codes = np.zeros(doccount, dtype=np.uint8)
    raw = getattr(column, "_dbfile", None)
    if column is not None and raw is not None and getattr(column, "_fixedlen", 0) == 1:
        count = min(column._count, doccount)  # documents past the column's end have length byte 0
        codes[:count] = np.frombuffer(raw.get(column._basepos, count), dtype=np.uint8)
    elif column is not None:
        codes[:] = [column[docnum] for docnum in range(doccount)]
    lengths = _BYTE_LENGTHS[codes]
    lengths[codes == 0] = 0.0
    return lengths


def term_hash(term: str) -> int:
    """A stable 64-bit hash of a word-field term (its sidecar key; collisions are resolved by the text)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


def tf_dtype(largest: int) -> type:
    """The narrowest unsigned dtype that holds term frequencies up to largest."""
    return np.uint8 if largest < 2**8 else np.uint16 if largest < 2**16 else np.uint32


def word_arrays(terms: list[str], pair_terms: np.ndarray, docs: np.ndarray, tf: np.ndarray) -> dict[str, np.ndarray]:
    """A word field's arrays from its postings: (term id, doc) pairs sorted by term id then doc, with terms[id]
    the text of a term id.  Terms are ordered by their 64-bit hash and stored as UTF-8 to confirm a match."""
    present, counts = np.unique(pair_terms, return_counts=True)
    hashes = np.fromiter((term_hash(terms[i]) for i in present.tolist()), dtype=np.uint64, count=len(present))
    by_hash = np.argsort(hashes, kind="stable")
    rank = np.zeros(len(terms), dtype=np.int64)
    rank[present[by_hash]] = np.arange(len(present))
    order = np.argsort(rank[pair_terms], kind="stable")  # pairs of a term stay in document order
    encoded = [terms[i].encode("utf-8") for i in present[by_hash].tolist()]
    text_ptr = np.zeros(len(present) + 1, dtype=np.int64)
    np.cumsum([len(item) for item in encoded], out=text_ptr[1:])
    doc_ptr = np.zeros(len(present) + 1, dtype=np.int64)
    np.cumsum(counts[by_hash], out=doc_ptr[1:])
    return {
        "hashes": hashes[by_hash],
        "text": np.frombuffer(b"".join(encoded), dtype=np.uint8),
        "text_ptr": text_ptr,
        "doc_ptr": doc_ptr,
        "docs": docs[order].astype(np.int32),
        "tf": tf[order].astype(tf_dtype(int(tf.max()) if len(tf) else 0)),
    }


def word_index(side: Sidecar, fieldname: str, term: bytes) -> int | None:
    """The index of a word-field term (UTF-8) in the sidecar's term tables, or None if the segment lacks it."""
    try:
        wanted = np.uint64(term_hash(term.decode("utf-8")))
    except UnicodeDecodeError:
        return None
    hashes = side[f"{fieldname}.hashes"]
    text, pointer = side[f"{fieldname}.text"], side[f"{fieldname}.text_ptr"]
    low, high = np.searchsorted(hashes, wanted, side="left"), np.searchsorted(hashes, wanted, side="right")
    return next((index for index in range(int(low), int(high))
                 if text[pointer[index] : pointer[index + 1]].tobytes() == term), None)


def build(perdoc, doccount: int, words: WordPostingsBuilder | None = None) -> tuple[dict, dict[str, np.ndarray]]:
    """Return (header, arrays) of one segment, from its per-document reader: stored fields and field lengths.

    words: the word fields' postings if the caller has them (a segment builder, which cut them while it
    added the documents); else they are cut again from the stored text.
    """
    header, parts = build_parts(perdoc, doccount, words)
    return header, dict(parts)


def build_parts(perdoc, doccount: int,
                words: WordPostingsBuilder | None = None) -> tuple[dict, Iterator[tuple[str, np.ndarray]]]:
    """build, with the arrays as a stream of (name, array) made one field at a time (perdoc must stay open
    until it is consumed): what write needs, in a fraction of the memory."""
    dates = np.zeros(doccount, dtype=np.int32)
    labels: dict[str, dict[str, int]] = {name: {} for name in CODE_FIELDS}
    codes = {name: np.zeros(doccount, dtype=np.int32) for name in CODE_FIELDS}
    raw: dict[str, list[str]] = {name: [] for name in CHAR_FIELDS}
    for docnum in range(doccount):
        stored = perdoc.stored_fields(docnum)
        for name in CHAR_FIELDS:
            raw[name].append(stored.get(name) or "")
        dates[docnum] = date_number(stored.get("date") or "")
        for name in CODE_FIELDS:
            value = stored.get(name) or ""
            codes[name][docnum] = labels[name].setdefault(normalize_page_no(value) if name == "page_no" else value,
                                                          len(labels[name]))
    header = {"version": VERSION, "doccount": doccount, "labels": {name: list(labels[name]) for name in CODE_FIELDS}}

    def parts() -> Iterator[tuple[str, np.ndarray]]:
        nonlocal words
        yield "date", dates
        yield from codes.items()
        if words is None:
            from indexer.build.fastwrite import WordPostingsBuilder

            words = WordPostingsBuilder()
            for name in TEXT_FIELDS:
                for docnum, text in enumerate(raw[name]):
                    if text:
                        words.add(name, docnum, text)
        for name in TEXT_FIELDS:
            for key, array in words.arrays(name).items():
                yield f"{name}.{key}", array
        words.close()  # its vocabulary, before the char fields' arrays are made
        words = None
        for name, fieldname in CHAR_FIELDS.items():
            for key, array in _char_arrays(raw.pop(name)).items():
                yield f"{fieldname}.{key}", array
        for fieldname in LENGTH_FIELDS:
            yield f"{fieldname}.length", _lengths(perdoc, doccount, fieldname)

    return header, parts()


def write(path: Path, header: dict, arrays: dict[str, np.ndarray] | Iterable[tuple[str, np.ndarray]]) -> None:
    """Write the sidecar atomically (a hidden temporary file, then a rename).

    arrays may be a stream of (name, array) pairs: each is written as it comes and can be freed before the
    next one is made (a table of CRC-32s, one per CRC_BLOCK bytes of each array, and the header with every
    array's offset follow the arrays; the fixed part after the magic says where the header is).
    """
    layout = {}
    offset = 0
    blocks: list[int] = []  # one CRC-32 per block, so a query reading a few slices checks only the blocks they touch
    data_start = -(-(len(MAGIC) + _FIXED) // _ALIGN) * _ALIGN
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")  # a dot: Whoosh ignores it
    try:
        with temporary.open("wb") as handle:
            for name, array in arrays.items() if isinstance(arrays, dict) else arrays:
                data = memoryview(np.ascontiguousarray(array)).cast("B")  # no copy
                layout[name] = [offset, array.dtype.str, len(array), len(blocks)]  # its first block's CRC in the table
                blocks += [zlib.crc32(data[at : at + CRC_BLOCK]) for at in range(0, len(data), CRC_BLOCK)]
                handle.seek(data_start + offset)
                handle.write(data)
                offset += -(-array.nbytes // _ALIGN) * _ALIGN
                del data, array
            table = np.array(blocks, dtype="<u4")
            handle.seek(data_start + offset)
            handle.write(table.tobytes())
            table_at, offset = offset, offset + -(-table.nbytes // _ALIGN) * _ALIGN
            head = json.dumps({**header, "crc_block": CRC_BLOCK, "crc_table": [table_at, len(table)],
                               "arrays": layout}, ensure_ascii=False).encode("utf-8")
            handle.seek(data_start + offset)
            handle.write(head)
            handle.seek(0)
            handle.write(MAGIC + struct.pack("<QQI", data_start + offset, len(head), zlib.crc32(head) & 0xFFFFFFFF))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


_FIXED = 20  # after the magic: the header's offset and length (uint64 each) and CRC-32 (uint32)


@dataclass
class Sidecar:
    """The arrays of one segment, memory-mapped; each array's checksum is checked on its first use (whole arrays
    by ``sidecar[name]``, only the blocks a slice lies in by ``part``)."""

    header: dict
    arrays: dict[str, np.ndarray]
    path: Path | None = None
    crcs: dict[str, int | np.ndarray] | None = None  # per array: one CRC-32, or one per `block` bytes
    block: int = 0  # bytes per checksummed block (0: whole arrays)

    def __post_init__(self) -> None:
        self._checked: set[str] = set()
        self._blocks: dict[str, bytearray] = {}  # per array with block CRCs: 1 where the block was checked

    def __getitem__(self, name: str) -> np.ndarray:
        array = self.arrays[name]
        if name not in self._checked:
            self.check(name)
        return array

    def part(self, name: str, start: int, stop: int) -> np.ndarray:
        """array[start:stop], checking only the blocks it lies in (the whole array without block CRCs)."""
        array = self.arrays[name]
        if name not in self._checked:
            if self.block and self.crcs is not None and not isinstance(self.crcs[name], int):
                size = array.itemsize
                self._check_blocks(name, start * size // self.block, -(-stop * size // self.block))
            else:
                self.check(name)
        return array[start:stop]

    def _check_blocks(self, name: str, first: int, end: int) -> None:
        """Check blocks first..end-1 of an array with block CRCs (each once)."""
        checked = self._blocks.setdefault(name, bytearray(len(self.crcs[name])))
        end = min(end, len(checked))
        if checked.find(0, first, end) < 0:
            return
        data, expected = memoryview(self.arrays[name]).cast("B"), self.crcs[name][first:end].tolist()
        for number in range(first, end):
            if not checked[number]:
                at = number * self.block
                if zlib.crc32(data[at : at + self.block]) != expected[number - first]:
                    self._damaged(name)
                checked[number] = 1

    def _damaged(self, name: str) -> None:
        """Raise the one-line IndexDamagedError naming the array."""
        folder = self.path.parent if self.path else "?"
        raise IndexDamagedError(
            f"index {folder} is damaged: {self.path.name if self.path else 'a sidecar'} fails its checksum "
            f"(array {name}); run `python -m indexer check --repair --index {folder}`")

    def check(self, name: str) -> None:
        """Raise IndexDamagedError if the array's bytes differ from the CRC-32(s) written with it."""
        if self.crcs is not None:
            expected = self.crcs[name]
            if not isinstance(expected, int):
                self._check_blocks(name, 0, len(expected))
            elif zlib.crc32(memoryview(self.arrays[name]).cast("B")) & 0xFFFFFFFF != expected:
                self._damaged(name)
        self._checked.add(name)

    def check_all(self) -> None:
        """Check every array (IndexDamagedError on the first that fails)."""
        for name in self.arrays:
            self.check(name)


def load(path: Path, doccount: int) -> Sidecar | None:
    """Map a sidecar; None if it is missing, unreadable, of another version, for another doc count or its
    header fails its checksum (arrays are checked when first used: Sidecar.check)."""
    try:
        with path.open("rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    try:
        if mapped[: len(MAGIC)] != MAGIC:
            return None
        head_at, head_len, head_crc = struct.unpack_from("<QQI", mapped, len(MAGIC))
        head = bytes(mapped[head_at : head_at + head_len])
        if len(head) != head_len or zlib.crc32(head) & 0xFFFFFFFF != head_crc:
            return None
        header = json.loads(head)
        if header.get("version") != VERSION or header.get("doccount") != doccount:
            return None
        data_start = -(-(len(MAGIC) + _FIXED) // _ALIGN) * _ALIGN
        layout = header.pop("arrays")
        arrays = {name: np.frombuffer(mapped, dtype=np.dtype(dtype), count=count, offset=data_start + offset)
                  for name, (offset, dtype, count, _) in layout.items()}
        block = int(header.pop("crc_block", 0))
        if block:  # entry[3]: the array's first block in the table of block CRCs
            at, count = header.pop("crc_table")
            table = np.frombuffer(mapped, dtype="<u4", count=count, offset=data_start + at)
            crcs = {name: table[first : first + -(-arrays[name].nbytes // block)]
                    for name, (_, _, _, first) in layout.items()}
        else:  # written before block CRCs: entry[3] is the whole array's
            crcs = {name: entry[3] for name, entry in layout.items()}
    except (ValueError, KeyError, TypeError, IndexError, struct.error):
        return None
    return Sidecar(header, arrays, path, crcs, block)


@contextmanager
def open_perdoc(storage, segment) -> Iterator:
    """Yield a segment's per-document reader (stored fields, columns, lengths) without a full SegmentReader.

    Whoosh's SegmentReader copies the segment's whole postings and terms files into memory
    (``BufferFile`` wraps the mmapped file in a ``BytesIO``): about the index's size in anonymous memory.
    """
    if getattr(storage, "supports_mmap", False) and getattr(storage, "folder", None):
        # A mmapped compound file hands out BytesIO copies of its parts; plain file reads copy nothing.
        storage = FileStorage(storage.folder, supports_mmap=False, readonly=True)
    files = segment.open_compound_file(storage) if segment.is_compound() else None
    perdoc = segment.codec().per_document_reader(OverlayStorage(files, storage) if files is not None else storage,
                                                  segment)
    try:
        yield perdoc
    finally:
        perdoc.close()
        if files is not None:
            files.close()


def _folder(storage) -> str | None:
    """The index folder behind a storage (a FileStorage, or an overlay of a compound file over one)."""
    for candidate in (storage, getattr(storage, "b", None)):
        folder = getattr(candidate, "folder", None)
        if folder:
            return folder
    return None


def segment_arrays(storage, segment) -> Sidecar:
    """The sidecar of a segment: its file if valid, else its arrays built in memory from the stored text."""
    folder = _folder(storage)
    if folder is not None:
        found = load(sidecar_path(folder, segment.segment_id()), segment.doc_count_all())
        if found is not None:
            return found
    with open_perdoc(getattr(storage, "b", storage), segment) as perdoc:
        header, arrays = build(perdoc, segment.doc_count_all())
    return Sidecar(header, arrays)


def ensure_all(index_dir: Path | str, ix) -> int:
    """Make sure every segment of the index has a valid sidecar; return how many were written."""
    written = 0
    for segment in ix._segments():
        if segment.doc_count_all():
            written += ensure_or_warn(index_dir, ix.storage, segment)
    return written


def ensure_or_warn(index_dir: Path | str, storage, segment, words: WordPostingsBuilder | None = None) -> bool:
    """ensure_segment, logging a warning instead of failing the build when the sidecar cannot be made.

    The index itself stays correct and searchable (that segment through the general path); a
    concurrent build may have merged the segment away; the next build tries again.
    """
    try:
        return ensure_segment(index_dir, storage, segment, words)
    except (OSError, ValueError) as exc:
        log.warning("no query sidecar for segment %s: %s", segment.segment_id(), exc)
        return False


def ensure_segment(index_dir: Path | str, storage, segment, words: WordPostingsBuilder | None = None) -> bool:
    """Build the sidecar of one segment unless a valid one exists; return True if one was written."""
    path = sidecar_path(index_dir, segment.segment_id())
    if intact(path, segment.doc_count_all()):
        return False
    with open_perdoc(storage, segment) as perdoc:
        header, parts = build_parts(perdoc, segment.doc_count_all(), words)
        write(path, header, parts)
    return True


def intact(path: Path, doccount: int) -> bool:
    """True if the sidecar loads for doccount documents and every array passes its checksum."""
    found = load(path, doccount)
    if found is None:
        return False
    try:
        found.check_all()
    except IndexDamagedError:
        return False
    return True
