"""A fast Whoosh segment builder: the same segment as ``SegmentWriter.add_document``, far less Python.

Whoosh indexes a document by running each field's analyzer chain (one Token object per token),
pushing every posting through an external-sort pool and then writing it with one method call per
posting.  With this index's codec (``indexer.build.codec``) the word and char fields' postings are
not in Whoosh's files at all but in the segment's sidecar, so ``SegmentBuilder``

* adds a document's stored fields, columns and field lengths through Whoosh's per-document writer
  (the lengths BM25 uses: non-space characters of a char field, words of a word field);
* cuts the word fields once (rjieba's ``cut`` with a per-word cache of term ids) and keeps each
  field's term ids in flat arrays, from which ``WordPostingsBuilder`` makes the sidecar's word
  postings in bulk with numpy (no per-posting Python);
* keeps the ID fields' postings in memory grouped by term (no sort pool) and writes them in blocks
  of ``blocklimit`` postings at once through Whoosh's postings writer; fields of any other kind fall
  back to ``field.index`` (Whoosh's own path).

tests/test_fastwrite.py checks the result equals what Whoosh's own writer (with the same codec) writes.
A builder writes one segment; ``finish`` returns the Whoosh segment object, which a writer commits
into the index's table of contents (see ``indexer.build.writer``), and ``words`` holds its word
postings for the sidecar.  Builders in separate processes write separate segments of the same index
concurrently.
"""

from __future__ import annotations

import pickle
import re
import zlib
from array import array
from collections import defaultdict
from itertools import chain
from operator import sub

import numpy as np
from whoosh import formats
from whoosh.analysis import IDTokenizer
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer import analyzers
from indexer.analyzers import T2S_TABLE, CharTokenizer, JiebaWordTokenizer
from indexer.build.codec import SIDECAR_FIELDS, EpaperCodec
from indexer.build.textcodes import simplified

BLOCK_LIMIT = 128  # postings per block (W3Codec's default blocklimit)
COMPRESSION = 3  # zlib level of W3Codec's default
COMPRESS_MIN = 64  # smaller pickled blocks are stored uncompressed (zlib costs more than it saves there)
_TERMINFO = W3TermInfo._struct


def _compress(data: bytes) -> bytes:
    """zlib-compress data at COMPRESSION with a window just big enough for it.

    zlib.compress always sets up a 32 KB window and 64 KB of hash tables, which costs far more than
    compressing a block of a few hundred bytes; a window of at least the data's size compresses
    equally well, and zlib.decompress reads any window size.
    """
    wbits = min(15, max(9, len(data).bit_length()))
    compressor = zlib.compressobj(COMPRESSION, zlib.DEFLATED, wbits, max(1, min(8, wbits - 7)))
    return compressor.compress(data) + compressor.flush()
dumps = pickle.dumps

# Bytes of memory per buffered ID-field posting (array slots, value list slot, new terms' dict entries).
_POSTING_BYTES = 84
# Bytes of memory per character of a segment's char fields and per word of its word fields until its sidecar is
# written (the words' term ids, the texts read back, positions, documents and frequencies): bounds a segment.
_CHAR_BYTES = 14
_WORD_BYTES = 10


class WordCutter:
    """The word analyzer's terms of a text (analyzers.word_spans) via rjieba.cut and a per-word cache."""

    def __init__(self) -> None:
        self.segmenter = None
        self.cache: dict[str, tuple[str, ...]] = {}

    def _expand(self, word: str) -> tuple[str, ...]:
        """The content words (lowercased) one raw rjieba word becomes (jieba's ASCII re-split included)."""
        return expand_word(word, self.segmenter)

    def postings(self, text: str) -> tuple[int, dict[str, int]]:
        """Return (length, {word: freq}) exactly as JiebaWordTokenizer + Frequency would count them."""
        segmenter = analyzers._active
        if segmenter is not self.segmenter:
            self.segmenter, self.cache = segmenter, {}
        cache = self.cache
        if len(cache) > 1_000_000:
            cache.clear()
        freqs: dict[str, int] = {}
        length = 0
        for word in segmenter.cut(text.translate(T2S_TABLE)):
            terms = cache.get(word)
            if terms is None:
                terms = cache[word] = self._expand(word)
            for term in terms:
                freqs[term] = freqs.get(term, 0) + 1
            length += len(terms)
        return length, freqs


# A letter or digit (str.isalnum): what analyzers._is_content looks for, as one regex search.
_CONTENT = re.compile(r"[^\W_]")


def expand_word(word: str, segmenter) -> tuple[str, ...]:
    """The content words (lowercased) one raw rjieba word becomes (jieba's ASCII re-split included)."""
    pieces = [word]
    if len(word) > 1 and word.isascii() and analyzers._ASCII_BLOCK.fullmatch(word) \
            and not analyzers._JIEBA_SKIP.fullmatch(word) and not segmenter.has_word(word):
        pieces = [piece for piece in analyzers._JIEBA_SKIP.split(word) if piece]
    return tuple(piece.lower() for piece in pieces if _CONTENT.search(piece))


_TOKEN_CHUNK = 1 << 20  # tokens gathered before they are folded into (term, doc, freq) postings


class _FieldTokens:
    """One word field's tokens as term ids, document by document, folded into postings a chunk at a time."""

    def __init__(self) -> None:
        self.ids = array("I")
        self.docs = array("I")  # documents with at least one token, and their token counts
        self.counts = array("I")
        self.pairs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (term ids, docs, freqs) per chunk

    def fold(self) -> None:
        """Turn the gathered tokens into postings sorted by term id, then document."""
        if not self.ids:
            return
        docs = np.repeat(np.frombuffer(self.docs, dtype=np.uint32), np.frombuffer(self.counts, dtype=np.uint32))
        keys = np.frombuffer(self.ids, dtype=np.uint32).astype(np.uint64)
        keys <<= np.uint64(32)
        keys |= docs
        del docs
        keys, freqs = np.unique(keys, return_counts=True)
        self.pairs.append(((keys >> np.uint64(32)).astype(np.uint32), (keys & np.uint64(0xFFFFFFFF)).astype(np.int32),
                           freqs.astype(np.uint32)))
        self.ids, self.docs, self.counts = array("I"), array("I"), array("I")


class WordPostingsBuilder:
    """The word fields' postings of a segment, cut document by document and made into sidecar arrays in bulk.

    ``add`` cuts a text exactly as the word analyzer does (rjieba default mode on the t2s-folded text,
    jieba's ASCII re-split, lowercased content words) and returns the field length; ``arrays`` gives
    the field's sidecar arrays (see indexer.build.sidecar.word_arrays).
    """

    def __init__(self) -> None:
        self.segmenter = None
        self.cache: dict[str, tuple[int, ...]] = {}  # raw rjieba word -> its term ids
        self.vocab: dict[str, int] = {}
        self.fields: dict[str, _FieldTokens] = {}

    def add(self, fieldname: str, docnum: int, text: str) -> int:
        """Cut one document's field text; return its number of words (the field length)."""
        segmenter = analyzers._active
        if segmenter is not self.segmenter:
            self.segmenter, self.cache = segmenter, {}
        cache = self.cache
        raw = segmenter.cut(simplified(text))
        missing = set(raw).difference(cache)
        if missing:
            vocab = self.vocab
            for word in missing:
                cache[word] = tuple(vocab.setdefault(term, len(vocab)) for term in expand_word(word, segmenter))
        found = map(cache.__getitem__, raw)
        tokens = self.fields.get(fieldname)
        if tokens is None:
            tokens = self.fields[fieldname] = _FieldTokens()
        before = len(tokens.ids)
        tokens.ids.extend(chain.from_iterable(found))
        count = len(tokens.ids) - before
        if count:
            tokens.docs.append(docnum)
            tokens.counts.append(count)
            if len(tokens.ids) >= _TOKEN_CHUNK:
                tokens.fold()
        return count

    def arrays(self, fieldname: str) -> dict[str, np.ndarray]:
        """The field's sidecar arrays (terms by hash, their documents and frequencies)."""
        from indexer.build.sidecar import word_arrays

        tokens = self.fields.pop(fieldname, None) or _FieldTokens()
        tokens.fold()
        pairs = tokens.pairs
        terms = np.concatenate([p[0] for p in pairs]) if pairs else np.zeros(0, dtype=np.uint32)
        docs = np.concatenate([p[1] for p in pairs]) if pairs else np.zeros(0, dtype=np.int32)
        freqs = np.concatenate([p[2] for p in pairs]) if pairs else np.zeros(0, dtype=np.uint32)
        del tokens, pairs
        return word_arrays(list(self.vocab), terms, docs, freqs)

    def close(self) -> None:
        """Drop the vocabulary and what is left of the tokens (arrays cannot be made after this)."""
        self.vocab, self.cache, self.fields = {}, {}, {}


def _new_entry() -> list:
    """The buffered postings of one term: [docnums, weights, values]."""
    return [array("I"), array("f"), []]


def _kind(field) -> str:
    """How SegmentBuilder indexes a field: stored, id, chars, words or generic (Whoosh's field.index)."""
    if not field.indexed or field.format is None:
        return "stored"
    analyzer = field.analyzer
    tokenizer = analyzer.items[0] if isinstance(analyzer, CompositeAnalyzer) and len(analyzer.items) == 1 \
        else analyzer
    boost_one = getattr(field.format, "field_boost", 1.0) == 1.0 and not field.separate_spelling() \
        and not field.vector
    if not boost_one:
        return "generic"
    if type(field.format) is formats.Existence and type(tokenizer) is IDTokenizer:
        return "id"
    if type(field.format) is formats.Positions and type(tokenizer) is CharTokenizer:
        return "chars"
    if type(field.format) is formats.Frequency and type(tokenizer) is JiebaWordTokenizer:
        return "words"
    return "generic"


def _sidecar_kind(name: str, field) -> str:
    """_kind, with word and char fields that the codec does not keep in the sidecar indexed generically."""
    kind = _kind(field)
    return "generic" if kind in ("chars", "words") and name not in SIDECAR_FIELDS else kind


class SegmentBuilder:
    """Builds one new segment of an index from documents (dicts of field values, as add_document takes)."""

    def __init__(self, storage, schema, indexname: str = "MAIN", codec=None) -> None:
        self.storage = storage
        self.schema = schema
        self.codec = codec or EpaperCodec()
        self.segment = self.codec.new_segment(storage, indexname)
        self.perdoc = self.codec.per_document_writer(storage, self.segment)
        self.docnum = 0
        self.kinds = {name: _sidecar_kind(name, field) for name, field in schema.items()}
        # field -> term -> [docnums, weights, values] (fields whose postings Whoosh's files hold)
        self.postings: dict[str, dict[str, list]] = {name: defaultdict(_new_entry) for name, kind in self.kinds.items()
                                                     if kind not in ("stored", "chars", "words")}
        self.lengths: dict[str, array] = {}  # field -> quantized length per docnum (scorable fields)
        self.buffered = 0  # estimated bytes of memory the segment needs until its sidecar is written
        self.words: WordPostingsBuilder | None = WordPostingsBuilder()  # the word fields' postings, for the sidecar
        self.closed = False

    def _add(self, terms: dict[str, list], docnum: int, term: str, weight: float, value: bytes | None) -> None:
        entry = terms[term]
        entry[0].append(docnum)
        entry[1].append(weight)
        if value:
            entry[2].append(value)

    def add_document(self, **fields) -> None:
        """Add one document (same semantics as SegmentWriter.add_document, no boosts)."""
        docnum = self.docnum
        perdoc = self.perdoc
        schema = self.schema
        perdoc.start_doc(docnum)
        for fieldname in sorted(name for name in fields if not name.startswith("_")):
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            kind = self.kinds[fieldname]
            length = 0
            if kind == "chars":
                # str.split() splits on exactly the characters CharTokenizer skips (str.isspace).
                length = len("".join(value.split()))
                self.buffered += length * _CHAR_BYTES
            elif kind == "words":
                length = self.words.add(fieldname, docnum, value)
                self.buffered += length * _WORD_BYTES
            elif kind != "stored":
                terms = self.postings[fieldname]
                if kind == "id":
                    if not isinstance(value, str):
                        raise ValueError(f"{value!r} is not unicode")
                    self._add(terms, docnum, value, 1.0, None)
                    self.buffered += _POSTING_BYTES
                else:
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        self._add(terms, docnum, tbytes.decode("utf-8"), weight, vbytes)
                        self.buffered += _POSTING_BYTES + len(vbytes or b"")
                if length:
                    lengths = self.lengths.get(fieldname)
                    if lengths is None:
                        lengths = self.lengths[fieldname] = array("I")
                    if len(lengths) < docnum:
                        lengths.extend([0] * (docnum - len(lengths)))
                    lengths.append(byte_to_length(length_to_byte(length)))
            perdoc.add_field(fieldname, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdoc.add_column_value(fieldname, column, field.to_column_value(value))
        perdoc.finish_doc()
        self.docnum += 1

    @property
    def buffered_mb(self) -> float:
        """Estimated memory the segment needs until its sidecar is written, in MB."""
        return self.buffered / 2**20

    def finish(self):
        """Write the postings, assemble the compound segment file and return the segment (None if empty)."""
        self.closed = True
        self.segment.set_doc_count(self.docnum)
        self.perdoc.close()
        if not self.docnum:
            self._delete_files()
            return None
        fieldwriter = self.codec.field_writer(self.storage, self.segment)
        for fieldname in sorted(self.postings):
            terms = self.postings[fieldname]
            if terms:
                self._write_field(fieldwriter, fieldname, terms)
            self.postings[fieldname] = defaultdict(_new_entry)
        fieldwriter.close()
        self.segment.create_compound_file(self.storage)
        return self.segment

    def _write_field(self, fieldwriter, fieldname: str, terms: dict[str, list]) -> None:
        """Write every posting list of one field, block by block, in Whoosh 3's postings format.

        The same blocks W3PostingsWriter writes (delta-coded ids, minified weights and values, block
        info, term info), without its per-posting method calls; blocks whose pickled data is shorter
        than COMPRESS_MIN bytes are stored uncompressed (the block header says so; readers honour it).
        """
        field = self.schema[fieldname]
        doclengths = self.lengths.get(fieldname) if field.scorable else None
        ndoclengths = len(doclengths) if doclengths is not None else 0
        fixedsize = field.format.fixed_value_size()
        fieldwriter.start_field(fieldname, field)
        prefix = pack_ushort(fieldwriter._fieldid)
        postfile = fieldwriter._postfile
        write, tell, write_int = postfile.write, postfile.tell, postfile.write_int
        tindex_add = fieldwriter._tindex.add
        limit = BLOCK_LIMIT
        for term in sorted(terms):  # str order == UTF-8 byte order
            docs, weights, values = terms[term]
            startoffset = tell()
            write(WHOOSH3_HEADER_MAGIC)
            total = len(docs)
            term_weight = 0.0
            term_min = None
            term_max = 0
            term_maxweight = 0
            for start in range(0, total, limit):
                ids = docs[start : start + limit]
                block_weights = weights[start : start + limit]
                count = len(ids)
                first = block_weights[0]
                if block_weights.count(first) == count:
                    mini_weights = None if first == 1.0 else first
                else:
                    mini_weights = tuple(block_weights)
                if fixedsize is None or fixedsize < 0:
                    mini_values = tuple(values[start : start + limit])
                elif fixedsize == 0:
                    mini_values = None
                else:
                    mini_values = b"".join(values[start : start + limit])
                mini_ids = (ids[0], *map(sub, ids[1:], ids)) if count > 1 else (ids[0],)
                data = dumps((mini_ids, mini_weights, mini_values), 2)
                comp = 0
                if len(data) >= COMPRESS_MIN:
                    data = _compress(data)
                    comp = COMPRESSION
                maxweight = max(0, max(block_weights))
                if doclengths is not None:
                    lengths = [doclengths[d] for d in ids if d < ndoclengths]
                    lengths = [n for n in lengths if n]
                    block_min = min(lengths) if lengths else None
                    block_max = max(lengths) if lengths else 0
                else:
                    block_min, block_max = None, 0
                info = dumps((count, ids[-1], maxweight, comp, length_to_byte(block_min),
                              length_to_byte(block_max)), 2)
                blocklength = len(info) + len(data)
                write_int(-blocklength if start + limit >= total else blocklength)
                write(info)
                write(data)
                term_weight += sum(block_weights)
                if block_min is not None and (term_min is None or block_min < term_min):
                    term_min = block_min
                term_max = max(term_max, block_max)
                term_maxweight = max(term_maxweight, maxweight)
            termbytes = _TERMINFO.pack(0, term_weight, total, 0 if term_min is None else length_to_byte(term_min),
                                       length_to_byte(term_max), term_maxweight, docs[0], docs[-1])
            termbytes += pack_long(startoffset) + pack_int(tell() - startoffset)
            tindex_add(prefix + term.encode("utf-8"), termbytes)
        fieldwriter.finish_field()

    def _delete_files(self) -> None:
        for name in self.segment.list_files(self.storage):
            try:
                self.storage.delete_file(name)
            except OSError:  # pragma: no cover - best effort
                pass

    def cancel(self) -> None:
        """Drop everything written so far."""
        if not self.closed:
            self.closed = True
            try:
                self.perdoc.close()
            except Exception:  # pragma: no cover - best effort
                pass
        self._delete_files()

