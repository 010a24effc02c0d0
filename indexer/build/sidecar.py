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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.filedb.filestore import FileStorage, OverlayStorage
from whoosh.util.numeric import byte_to_length

from indexer.analyzers import normalize
from indexer.errors import IndexDamagedError
from indexer.schema import TEXT_FIELDS, char_field, normalize_page_no

log = logging.getLogger(__name__)
VERSION = 4  # 2: word fields; 3: author, page name and page number; 4: CRC-32 of the header and arrays
EXTENSION = ".epx"
MAGIC = b"EPX1"
_ALIGN = 64
CRC_BLOCK = 1 << 12  # bytes per checksummed block of an array (older sidecars have one CRC-32 per array)
# Stored field -> the char field indexed from it (page_name is itself a char field).
CHAR_FIELDS = {**{name: char_field(name) for name in TEXT_FIELDS}, "author": "author_c", "page_name": "page_name"}
# Fields whose Whoosh lengths BM25 needs: the word fields and every char field.
LENGTH_FIELDS = tuple(TEXT_FIELDS) + tuple(CHAR_FIELDS.values())
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


def _chunk_keys(texts: list[str], starts: np.ndarray, first: int, end: int) -> np.ndarray:
    """The (char << 32 | position) keys of documents first..end-1, sorted, without the gaps between documents."""
    codes = np.frombuffer(("\x00".join(texts[first:end]) + "\x00").encode("utf-32-le"), dtype="<u4")
    base = int(starts[first])
    keys = codes.astype(np.uint64)
    keys <<= np.uint64(32)
    keys |= np.arange(base, base + len(codes), dtype=np.uint64)
    keys[starts[first + 1 : end + 1] - 1 - base] = np.iinfo(np.uint64).max  # the gaps sort last, then go
    keys.sort()
    return keys[: len(codes) - (end - first)]


def _char_arrays(texts: list[str]) -> dict[str, np.ndarray]:
    """Positions, documents and frequencies of every char of the (already normalized) texts.

    Works a chunk of documents at a time (this runs in the build's worker processes, next to the
    segment builder's memory): a first pass counts each char's positions, a second sorts each chunk's
    (char, position) keys and scatters the positions to their char's slice of one array.
    """
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths + 1, out=starts[1:])
    if starts[-1] >= 2**32:
        raise ValueError(f"segment too large for a sidecar ({int(starts[-1])} characters in one field)")
    chunks = _doc_chunks(starts)
    found_codes, found_counts = [], []
    for first, end in chunks:
        text = "".join(texts[first:end])
        codes, counts = np.unique(np.frombuffer(text.encode("utf-32-le"), dtype="<u4"), return_counts=True)
        found_codes.append(codes)
        found_counts.append(counts)
    all_codes = np.concatenate(found_codes) if found_codes else np.zeros(0, dtype=np.uint32)
    codes, inverse = np.unique(all_codes, return_inverse=True)
    totals = np.bincount(inverse, weights=np.concatenate(found_counts) if found_counts else None,
                         minlength=len(codes)).astype(np.int64)
    pos_ptr = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(totals, out=pos_ptr[1:])
    positions = np.empty(int(pos_ptr[-1]), dtype=np.uint32)
    cursor = pos_ptr[:-1].copy()
    pair_terms, pair_docs, pair_freqs = [], [], []
    for first, end in chunks:
        keys = _chunk_keys(texts, starts, first, end)
        terms = np.searchsorted(codes, (keys >> np.uint64(32)).astype(np.uint32)).astype(np.int32)
        chunk_positions = (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        del keys
        count = len(terms)
        new_term = np.ones(count, dtype=bool)
        new_term[1:] = terms[1:] != terms[:-1]
        run_first = np.flatnonzero(new_term)
        run_length = np.diff(np.append(run_first, count))
        run_term = terms[run_first]
        destination = cursor[run_term]
        cursor[run_term] += run_length
        positions[np.repeat(destination - run_first, run_length) + np.arange(count)] = chunk_positions
        docs_of = (np.searchsorted(starts, chunk_positions, side="right") - 1).astype(np.int32)
        new_pair = new_term
        new_pair[1:] |= docs_of[1:] != docs_of[:-1]
        pair_first = np.flatnonzero(new_pair)
        pair_terms.append(terms[pair_first])
        pair_docs.append(docs_of[pair_first])
        pair_freqs.append(np.diff(np.append(pair_first, count)).astype(np.uint32))
    all_terms = np.concatenate(pair_terms) if pair_terms else np.zeros(0, dtype=np.int32)
    del pair_terms
    doc_ptr = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(np.bincount(all_terms, minlength=len(codes)), out=doc_ptr[1:])
    order = np.argsort(all_terms, kind="stable")  # chunks are in document order: stays by doc within a char
    del all_terms
    docs = np.concatenate(pair_docs)[order] if pair_docs else np.zeros(0, dtype=np.int32)
    del pair_docs
    freqs = np.concatenate(pair_freqs)[order] if pair_freqs else np.zeros(0, dtype=np.uint32)
    del pair_freqs, order
    return {
        "codes": codes.astype(np.uint32),
        "pos_ptr": pos_ptr,
        "positions": positions,
        "doc_ptr": doc_ptr,
        "docs": docs,
        "tf": freqs.astype(np.uint16) if not len(freqs) or freqs.max() < 2**16 else freqs,
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


WordPostings = dict[str, tuple[np.ndarray, np.ndarray]]  # term -> (sorted docnums, frequencies)


def cut_postings(texts: list[str]) -> WordPostings:
    """The word-field postings of the documents' texts, cut exactly as the index's word analyzer cuts."""
    from indexer.build.fastwrite import WordCutter

    cutter = WordCutter()
    docs: dict[str, list[int]] = {}
    freqs: dict[str, list[int]] = {}
    for docnum, text in enumerate(texts):
        for term, freq in cutter.postings(text)[1].items():
            if term in docs:
                docs[term].append(docnum)
                freqs[term].append(freq)
            else:
                docs[term] = [docnum]
                freqs[term] = [freq]
    return {term: (np.array(docs[term], dtype=np.int32), np.array(freqs[term], dtype=np.uint32)) for term in docs}


def _word_arrays(postings: WordPostings) -> dict[str, np.ndarray]:
    """A word field's terms (by hash, with their UTF-8 text) and their documents and frequencies."""
    terms = list(postings)
    hashes = np.fromiter(map(term_hash, terms), dtype=np.uint64, count=len(terms))
    order = np.argsort(hashes, kind="stable").tolist()
    encoded = [terms[i].encode("utf-8") for i in order]
    text_ptr = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum([len(item) for item in encoded], out=text_ptr[1:])
    doc_lists = [postings[terms[i]][0] for i in order]
    freq_lists = [postings[terms[i]][1] for i in order]
    doc_ptr = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum([len(item) for item in doc_lists], out=doc_ptr[1:])
    freqs = np.concatenate(freq_lists) if freq_lists else np.zeros(0, dtype=np.uint32)
    return {
        "hashes": hashes[order] if len(terms) else hashes,
        "text": np.frombuffer(b"".join(encoded), dtype=np.uint8),
        "text_ptr": text_ptr,
        "doc_ptr": doc_ptr,
        "docs": (np.concatenate(doc_lists) if doc_lists else np.zeros(0)).astype(np.int32),
        "tf": freqs.astype(np.uint16 if not len(freqs) or freqs.max() < 2**16 else np.uint32),
    }


def build(perdoc, doccount: int, words: dict[str, WordPostings] | None = None) -> tuple[dict, dict[str, np.ndarray]]:
    """Return (header, arrays) of one segment, from its per-document reader: stored fields and field lengths.

    words: the word fields' postings if the caller has them (a segment builder); else they are cut
    again from the stored text.
    """
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
    arrays: dict[str, np.ndarray] = {"date": dates, **codes}
    for name in TEXT_FIELDS:
        postings = words[name] if words is not None and name in words else cut_postings(raw[name])
        for key, array in _word_arrays(postings).items():
            arrays[f"{name}.{key}"] = array
        del postings
    for name, fieldname in CHAR_FIELDS.items():
        for key, array in _char_arrays([normalize(text) for text in raw.pop(name)]).items():
            arrays[f"{fieldname}.{key}"] = array
    for fieldname in LENGTH_FIELDS:
        arrays[f"{fieldname}.length"] = _lengths(perdoc, doccount, fieldname)
    header = {"version": VERSION, "doccount": doccount, "labels": {name: list(labels[name]) for name in CODE_FIELDS}}
    return header, arrays


def write(path: Path, header: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write the sidecar atomically (a hidden temporary file, then a rename)."""
    layout = {}
    offset = 0
    blocks: list[int] = []  # one CRC-32 per block, so a query reading a few slices checks only the blocks they touch
    for name, array in arrays.items():
        data = memoryview(np.ascontiguousarray(array)).cast("B")
        layout[name] = [offset, array.dtype.str, len(array), len(blocks)]  # its first block's CRC in the table
        blocks += [zlib.crc32(data[at : at + CRC_BLOCK]) for at in range(0, len(data), CRC_BLOCK)]
        offset += -(-array.nbytes // _ALIGN) * _ALIGN
    table = np.array(blocks, dtype="<u4")
    head = json.dumps({**header, "crc_block": CRC_BLOCK, "crc_table": [offset, len(table)], "arrays": layout},
                      ensure_ascii=False).encode("utf-8")
    data_start = -(-(len(MAGIC) + _FIXED + len(head)) // _ALIGN) * _ALIGN
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")  # a dot: Whoosh ignores it
    try:
        with temporary.open("wb") as handle:
            handle.write(MAGIC + struct.pack("<QI", len(head), zlib.crc32(head) & 0xFFFFFFFF) + head)
            for name, array in arrays.items():
                handle.seek(data_start + layout[name][0])
                handle.write(memoryview(np.ascontiguousarray(array)).cast("B"))  # no copy
            handle.seek(data_start + offset)
            handle.write(table.tobytes())
            handle.truncate(data_start + offset + table.nbytes)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


_FIXED = 12  # after the magic: the header's length (uint64) and CRC-32 (uint32)


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
        head_len, head_crc = struct.unpack_from("<QI", mapped, len(MAGIC))
        head = bytes(mapped[len(MAGIC) + _FIXED : len(MAGIC) + _FIXED + head_len])
        if len(head) != head_len or zlib.crc32(head) & 0xFFFFFFFF != head_crc:
            return None
        header = json.loads(head)
        if header.get("version") != VERSION or header.get("doccount") != doccount:
            return None
        data_start = -(-(len(MAGIC) + _FIXED + head_len) // _ALIGN) * _ALIGN
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


def ensure_all(index_dir: Path | str, ix) -> int:
    """Make sure every segment of the index has a valid sidecar; return how many were written."""
    written = 0
    for segment in ix._segments():
        if segment.doc_count_all():
            written += ensure_or_warn(index_dir, ix.storage, segment)
    return written


def ensure_or_warn(index_dir: Path | str, storage, segment, words: dict[str, WordPostings] | None = None) -> bool:
    """ensure_segment, logging a warning instead of failing the build when the sidecar cannot be made.

    The index itself stays correct and searchable (that segment through the general path); a
    concurrent build may have merged the segment away; the next build tries again.
    """
    try:
        return ensure_segment(index_dir, storage, segment, words)
    except (OSError, ValueError) as exc:
        log.warning("no query sidecar for segment %s: %s", segment.segment_id(), exc)
        return False


def ensure_segment(index_dir: Path | str, storage, segment, words: dict[str, WordPostings] | None = None) -> bool:
    """Build the sidecar of one segment unless a valid one exists; return True if one was written."""
    path = sidecar_path(index_dir, segment.segment_id())
    if intact(path, segment.doc_count_all()):
        return False
    with open_perdoc(storage, segment) as perdoc:
        header, arrays = build(perdoc, segment.doc_count_all(), words)
    write(path, header, arrays)
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
