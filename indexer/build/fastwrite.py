"""A fast Whoosh segment builder: the same postings as ``SegmentWriter.add_document``, far less Python.

Whoosh indexes a document by running each field's analyzer chain (one Token object per token),
pushing every posting through an external-sort pool and then writing it with one method call per
posting.  For our schema that is the whole cost of indexing: the char fields have one token per
character.  ``SegmentBuilder`` produces byte-identical segments (same terms, postings, weights,
position encodings, stored fields, columns and field lengths; tests/test_fastwrite.py compares them
with Whoosh's own writer) by

* computing each field's postings directly: a dict from character to positions in one pass over
  the folded string (char fields), rjieba's ``cut`` with a per-word cache (word fields), the whole
  value (ID fields); fields of any other kind fall back to ``field.index`` (Whoosh's own path);
* keeping postings in memory grouped by term (no sort pool) and writing every posting list in
  blocks of ``blocklimit`` postings at once through Whoosh's postings writer.

A builder writes one segment; ``finish`` returns the Whoosh segment object, which a writer commits
into the index's table of contents (see ``indexer.build.writer``).  Builders in separate processes write
separate segments of the same index concurrently.
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from collections import defaultdict
from operator import sub

import numpy as np
from whoosh import formats
from whoosh.analysis import IDTokenizer
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer import analyzers
from indexer.analyzers import FOLD_TABLE, T2S_TABLE, CharTokenizer, JiebaWordTokenizer

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

# Bytes of memory per buffered posting, for flushing: measured growth of a worker's anonymous RSS (array
# slots, value list slot and bytes objects, new terms' dict entries and arrays, allocator slack) is about
# 57 KB per article of the synthetic corpus (~700 postings), ~85 bytes a posting with the chars term below;
# 48 (the old figure) let workers reach about twice their limit.
_POSTING_BYTES = 84


def char_field_postings(text: str) -> tuple[int, dict[str, tuple[int, bytes]]]:
    """Return (length, {char: (freq, Positions value)}) exactly as CharTokenizer + Positions would."""
    chars = "".join(text.split()).translate(FOLD_TABLE)
    positions: defaultdict[str, list[int]] = defaultdict(list)
    for pos, ch in enumerate(chars):
        positions[ch].append(pos)
    out = {}
    dumps = pickle.dumps
    for ch, poslist in positions.items():
        if len(poslist) == 1:
            out[ch] = (1, _single_position(poslist[0]))
        else:
            deltas = [poslist[0]]
            deltas += map(sub, poslist[1:], poslist)
            out[ch] = (len(poslist), pack_uint(len(deltas)) + dumps(deltas, 2))
    return len(chars), out


_SINGLE: dict[int, bytes] = {}


def _single_position(pos: int) -> bytes:
    """Positions.encode([pos]) (cached: most chars occur once in a field)."""
    value = _SINGLE.get(pos)
    if value is None:
        value = pack_uint(1) + pickle.dumps([pos], 2)
        if len(_SINGLE) < 100_000:
            _SINGLE[pos] = value
    return value


class WordCutter:
    """The word analyzer's terms of a text (analyzers.word_spans) via rjieba.cut and a per-word cache."""

    def __init__(self) -> None:
        self.segmenter = None
        self.cache: dict[str, tuple[str, ...]] = {}

    def _expand(self, word: str) -> tuple[str, ...]:
        """The content words (lowercased) one raw rjieba word becomes (jieba's ASCII re-split included)."""
        pieces = [word]
        if len(word) > 1 and word.isascii() and analyzers._ASCII_BLOCK.fullmatch(word) \
                and not analyzers._JIEBA_SKIP.fullmatch(word) and not self.segmenter.has_word(word):
            pieces = [piece for piece in analyzers._JIEBA_SKIP.split(word) if piece]
        return tuple(piece.lower() for piece in pieces if analyzers._is_content(piece))

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


_FREQ_VALUES = [pack_uint(n) for n in range(256)]


def _freq_value(freq: int) -> bytes:
    """Frequency.encode(freq), shared bytes objects for small counts."""
    return _FREQ_VALUES[freq] if freq < 256 else pack_uint(freq)


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


class SegmentBuilder:
    """Builds one new segment of an index from documents (dicts of field values, as add_document takes)."""

    def __init__(self, storage, schema, indexname: str = "MAIN", codec=None) -> None:
        self.storage = storage
        self.schema = schema
        self.codec = codec or default_codec()
        self.segment = self.codec.new_segment(storage, indexname)
        self.perdoc = self.codec.per_document_writer(storage, self.segment)
        self.docnum = 0
        self.kinds = {name: _kind(field) for name, field in schema.items()}
        # field -> term -> [docnums, weights, values]
        self.postings: dict[str, dict[str, list]] = {name: defaultdict(_new_entry)
                                                     for name, kind in self.kinds.items() if kind != "stored"}
        self.lengths: dict[str, array] = {}  # field -> quantized length per docnum (scorable fields)
        self.buffered = 0  # estimated bytes of buffered postings
        self.words = WordCutter()
        self.word_postings: dict[str, dict] = {}  # word field -> term -> (docnums, freqs), filled by finish()
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
            if kind != "stored":
                terms = self.postings[fieldname]
                if kind == "chars":
                    length, found = char_field_postings(value)
                    for term, (freq, vbytes) in found.items():
                        entry = terms[term]
                        entry[0].append(docnum)
                        entry[1].append(freq)
                        entry[2].append(vbytes)
                    self.buffered += len(found) * _POSTING_BYTES + length * 2
                elif kind == "words":
                    length, counts = self.words.postings(value)
                    for term, freq in counts.items():
                        entry = terms[term]
                        entry[0].append(docnum)
                        entry[1].append(freq)
                        entry[2].append(_FREQ_VALUES[freq] if freq < 256 else pack_uint(freq))
                    self.buffered += len(counts) * _POSTING_BYTES
                elif kind == "id":
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
        """Estimated memory held by buffered postings, in MB."""
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
            if self.kinds[fieldname] == "words":
                # Kept for the query sidecar (indexer.build.sidecar), which would otherwise cut the text again.
                self.word_postings[fieldname] = {term: (np.frombuffer(docs, dtype=np.uint32), np.asarray(weights))
                                                 for term, (docs, weights, _) in terms.items()}
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

