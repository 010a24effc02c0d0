"""The index's Whoosh codec: text postings live only in the segment's sidecar, not in Whoosh's own files.

A segment of this codec holds in Whoosh's files what only Whoosh keeps — stored fields, columns, field
lengths and the postings of the ID fields (id, date, paper, …) — while the postings of the word fields
and of the char fields (every character's documents, frequencies and positions) are kept once, in the
segment's sidecar (``indexer.build.sidecar``).  ``SidecarTermsReader`` serves those terms to Whoosh
from the sidecar's arrays, so Whoosh's own query evaluation (the general path, ``indexer.query.language``)
reads the same postings as the array engine: same documents, weights, positions (encoded as Whoosh's
``Positions`` format encodes them), term statistics and hence BM25 scores.  A segment whose sidecar is
missing or stale (it is derived from the stored text) gets its arrays rebuilt in memory on first use;
``python -m indexer build`` or ``check --repair`` writes it again.

The codec object is pickled into Whoosh's table of contents with each segment, so this module's path and
class name are part of the on-disk format (schema version 4).
"""

from __future__ import annotations

from itertools import chain

import numpy as np
from whoosh.codec.base import TermsReader
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3TermInfo
from whoosh.matching import ListMatcher
from whoosh.reading import TermNotFound
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from indexer.build import sidecar

# Fields whose postings are in the sidecar (word fields and char fields) rather than in Whoosh's files.
SIDECAR_FIELDS = frozenset(sidecar.POSTING_FIELDS)


class EpaperCodec(W3Codec):
    """Whoosh 3's codec with the text fields' postings kept in the segment's sidecar (see the module doc)."""

    def field_writer(self, storage, segment):
        """A postings writer that keeps only the fields Whoosh holds (merges hand it every field)."""
        return _WhooshFieldsWriter(self, storage, segment)

    def terms_reader(self, storage, segment):
        """Whoosh's terms reader for the ID fields, the sidecar for the text fields."""
        return SidecarTermsReader(super().terms_reader(storage, segment), storage, segment)


class IndexWriter(SegmentWriter):
    """Whoosh's segment writer with this codec; a merge copies only the postings Whoosh holds (the merged
    segment's sidecar is built from its stored text, see indexer.build.writer._commit)."""

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, codec=EpaperCodec(), **kwargs)

    def add_postings_to_pool(self, reader, startdoc, docmap) -> None:
        """Pool the reader's ID-field postings (SegmentWriter.add_postings_to_pool without the text fields)."""
        terms = reader._terms.whoosh_terms() if isinstance(getattr(reader, "_terms", None), SidecarTermsReader) \
            else reader.all_terms()

        def postings():
            for fieldname, btext in terms:
                if fieldname in SIDECAR_FIELDS or fieldname not in reader.schema:
                    continue
                matcher = reader.postings(fieldname, btext)
                while matcher.is_active():
                    yield fieldname, btext, matcher.id(), matcher.weight(), matcher.value()
                    matcher.next()

        add = self.pool.add
        for item in self._process_posts(postings(), startdoc, docmap):
            add(item)


class _WhooshFieldsWriter(W3FieldWriter):
    """W3FieldWriter that drops the postings of the sidecar's fields."""

    _skip = False

    def start_field(self, fieldname, fieldobj):
        self._skip = fieldname in SIDECAR_FIELDS
        if not self._skip:
            super().start_field(fieldname, fieldobj)

    def start_term(self, btext):
        if not self._skip:
            super().start_term(btext)

    def add(self, docnum, weight, vbytes, length):
        if not self._skip:
            super().add(docnum, weight, vbytes, length)

    def finish_term(self):
        if not self._skip:
            super().finish_term()

    def finish_field(self):
        if not self._skip:
            super().finish_field()
        self._skip = False


class _NoTerm(TermNotFound, KeyError):
    """A term the segment lacks (Whoosh's readers catch TermNotFound from term_info, KeyError from frequencies)."""


class _SidecarMatcher(ListMatcher):
    """A term's postings from the sidecar; values (positions or frequencies) are encoded on demand."""

    def __init__(self, ids, weights, encode, format_, scorer=None, position=0, term=None, terminfo=None):
        super().__init__(ids, weights, None, format_, scorer, position, term=term, terminfo=terminfo)
        self._encode = encode

    def copy(self):
        return _SidecarMatcher(self._ids, self._weights, self._encode, self._format, self._scorer, self._i,
                               self._term, self._terminfo)

    def value(self):
        return self._encode(self._i)

    def all_items(self):
        return ((doc, self._encode(i)) for i, doc in enumerate(self._ids))


class SidecarTermsReader(TermsReader):
    """Terms of one segment: the ID fields from Whoosh's files, the word and char fields from the sidecar."""

    def __init__(self, whoosh, storage, segment) -> None:
        self._whoosh = whoosh
        self._storage = storage
        self._segment = segment
        self._arrays: sidecar.Sidecar | None = None
        self._sorted: dict[str, list[bytes]] = {}

    # ------------------------------------------------------------ the sidecar

    def _side(self) -> sidecar.Sidecar:
        if self._arrays is None:
            self._arrays = sidecar.segment_arrays(self._storage, self._segment)
        return self._arrays

    def _find(self, fieldname: str, tbytes: bytes) -> int | None:
        """The term's index in the field's sidecar tables, or None."""
        side = self._side()
        if fieldname in sidecar.WORD_FIELDS:
            return sidecar.word_index(side, fieldname, tbytes)
        try:
            text = tbytes.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if len(text) != 1:
            return None
        codes = side[f"{fieldname}.codes"]
        index = int(np.searchsorted(codes, ord(text)))
        return index if index < len(codes) and int(codes[index]) == ord(text) else None

    def _postings(self, fieldname: str, tbytes: bytes) -> tuple[int, np.ndarray, np.ndarray]:
        index = None if fieldname not in sidecar.POSTING_FIELDS else self._find(fieldname, tbytes)
        if index is None:
            raise _NoTerm(f"No term {fieldname}:{tbytes!r}")
        side = self._side()
        pointer = side[f"{fieldname}.doc_ptr"]
        span = slice(int(pointer[index]), int(pointer[index + 1]))
        return index, side[f"{fieldname}.docs"][span], side[f"{fieldname}.tf"][span]

    def _info(self, fieldname: str, docs: np.ndarray, tf: np.ndarray) -> W3TermInfo:
        """The term statistics Whoosh's writer would have recorded for these postings."""
        lengths = self._side()[f"{fieldname}.length"][docs]
        info = W3TermInfo()
        info._weight = float(tf.sum())
        info._df = len(docs)
        info._minlength = float(lengths.min()) if len(docs) else None
        info._maxlength = float(lengths.max()) if len(docs) else 0
        info._maxweight = float(tf.max()) if len(docs) else 0
        info._minid = int(docs[0]) if len(docs) else None
        info._maxid = int(docs[-1]) if len(docs) else None
        return info

    def _field_terms(self, fieldname: str) -> list[bytes]:
        """The field's terms as sorted UTF-8 bytes (Whoosh's term order)."""
        if fieldname not in self._sorted:
            side = self._side()
            if fieldname in sidecar.WORD_FIELDS:
                text, pointer = side[f"{fieldname}.text"].tobytes(), side[f"{fieldname}.text_ptr"].tolist()
                terms = sorted(text[start:end] for start, end in zip(pointer, pointer[1:], strict=False))
            else:
                terms = [chr(code).encode("utf-8") for code in side[f"{fieldname}.codes"].tolist()]
            self._sorted[fieldname] = terms
        return self._sorted[fieldname]

    def _sidecar_fields(self) -> list[str]:
        side = self._side()
        return sorted(name for name in sidecar.POSTING_FIELDS if len(side[f"{name}.doc_ptr"]) > 1)

    # ------------------------------------------------------------ TermsReader

    def whoosh_terms(self):
        """The terms of the fields Whoosh's own files hold."""
        return self._whoosh.terms()

    def __contains__(self, term) -> bool:
        fieldname, tbytes = term
        if fieldname in SIDECAR_FIELDS:
            return self._find(fieldname, tbytes) is not None
        return term in self._whoosh

    def indexed_field_names(self):
        return [*self._whoosh.indexed_field_names(), *self._sidecar_fields()]

    def cursor(self, fieldname, fieldobj):
        if fieldname in SIDECAR_FIELDS:
            raise NotImplementedError("term cursors over the sidecar's fields")
        return self._whoosh.cursor(fieldname, fieldobj)

    def terms(self):
        return chain(self._whoosh.terms(),
                     ((name, term) for name in self._sidecar_fields() for term in self._field_terms(name)))

    def terms_from(self, fieldname, prefix):
        if fieldname not in SIDECAR_FIELDS:
            return self._whoosh.terms_from(fieldname, prefix)
        terms = self._field_terms(fieldname)
        start = int(np.searchsorted(np.array(terms, dtype=object), prefix)) if terms else 0
        return ((fieldname, term) for term in terms[start:])

    def items(self):
        return ((term, self.term_info(*term)) for term in self.terms())

    def items_from(self, fieldname, prefix):
        return ((term, self.term_info(*term)) for term in self.terms_from(fieldname, prefix))

    def term_info(self, fieldname, tbytes):
        if fieldname not in SIDECAR_FIELDS:
            return self._whoosh.term_info(fieldname, tbytes)
        _, docs, tf = self._postings(fieldname, tbytes)
        return self._info(fieldname, docs, tf)

    def frequency(self, fieldname, tbytes):
        if fieldname not in SIDECAR_FIELDS:
            return self._whoosh.frequency(fieldname, tbytes)
        return float(self._postings(fieldname, tbytes)[2].sum())

    def doc_frequency(self, fieldname, tbytes):
        if fieldname not in SIDECAR_FIELDS:
            return self._whoosh.doc_frequency(fieldname, tbytes)
        return len(self._postings(fieldname, tbytes)[1])

    def matcher(self, fieldname, tbytes, format_, scorer=None):
        if fieldname not in SIDECAR_FIELDS:
            return self._whoosh.matcher(fieldname, tbytes, format_, scorer=scorer)
        index, docs, tf = self._postings(fieldname, tbytes)
        ids, freqs = docs.tolist(), tf.tolist()
        if format_.supports("positions"):
            encode = self._positions_encoder(fieldname, index, ids, format_)
        else:
            def encode(i: int) -> bytes:
                return pack_uint(freqs[i])  # what Frequency.word_values writes
        return _SidecarMatcher(ids, [float(freq) for freq in freqs], encode, format_, scorer,
                               term=(fieldname, tbytes), terminfo=self._info(fieldname, docs, tf))

    def _positions_encoder(self, fieldname: str, index: int, ids: list[int], format_):
        """encode(i): the Positions value of the term in its i-th document (positions within the field)."""
        side = self._side()
        pointer = side[f"{fieldname}.pos_ptr"]
        positions = side[f"{fieldname}.positions"][int(pointer[index]) : int(pointer[index + 1])]
        starts = side[f"{fieldname}.starts"]

        def encode(i: int) -> bytes:
            start = int(starts[ids[i]])
            low, high = np.searchsorted(positions, [start, int(starts[ids[i] + 1])])
            return format_.encode((positions[low:high].astype(np.int64) - start).tolist())

        return encode

    def close(self):
        self._whoosh.close()
        self._arrays = None
