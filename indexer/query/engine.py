"""Vectorized query evaluation: numpy set operations over the segments' sidecars.

The reference semantics are ``indexer.query.language`` (docnum sets) plus Whoosh's BM25F ranking; this module
computes the same hits, tiers, scores and order without a Python step per matching document or per segment:

* a term's postings are gathered from every segment the first time a query needs them: global docnums,
  and for a character its global positions (the segments' position spaces laid end to end), kept in an
  LRU of _CACHE_BYTES per open index; an index of one segment is read in place;
* a quoted phrase (or a plain word's literal form) in a char field is a chain of ``searchsorted``
  membership tests over its characters' position arrays (``indexer.build.sidecar``), rarest first,
  inside the position windows of a date filter's documents when they form few runs;
* a jieba word's documents and frequencies are found by its hash in each segment's term table;
* AND / OR / NOT are bool masks over global docnums;
* each scoring part (a phrase in one field, a word in one field) adds Whoosh's BM25F formula
  (``idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg_length))``, same idf, same one-byte
  lengths) for every hit at once; a phrase scores as the sum of its characters' term scores, as
  Whoosh's phrase matcher does;
* the order (literal tier, score, newest, docnum) is one ``lexsort``.

Proximity, wildcard and bounded terms (a Latin letter or digit at an end: ``query.bounded``) keep
their exact check on the stored text, on the candidates the arrays give; ``paper:`` and ``page:``
numbers are per-document codes.  Indexes whose segments lack a sidecar take the general path
(``indexer.query.search._ranked``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from math import log
from pathlib import Path

import numpy as np
from whoosh import query as wq

from indexer.analyzers import char_tokens
from indexer.build import sidecar
from indexer.query.language import (
    LITERAL_FIELDS,
    And,
    CompiledQuery,
    Leaf,
    Near,
    Not,
    Or,
    bounded,
    literal_queries,
    term_spans,
    terms,
    word_queries,
)
from indexer.query.snippets import is_latin
from indexer.schema import TEXT_FIELDS, char_field

_EMPTY = np.zeros(0, dtype=np.int64)
_CACHE_BYTES = 256 << 20  # term postings gathered across segments, kept per engine (least recently used dropped)
_MAX_WINDOWS = 64  # a date filter narrows phrase positions when its documents form at most this many runs
_ATTR = "_epaper_engine"


@dataclass
class Ranked:
    """Every hit of a query in display order: docnums with their scores and literal-tier flags."""

    docnums: np.ndarray
    scores: np.ndarray
    strict: np.ndarray
    run: _QueryRun | None = field(default=None, repr=False, compare=False)  # the engine's evaluation, reusable

    def __len__(self) -> int:
        return len(self.docnums)

    def __iter__(self) -> Iterator[tuple[int, float, bool]]:
        return zip(self.docnums.tolist(), self.scores.tolist(), self.strict.tolist(), strict=True)

    def __getitem__(self, index: slice) -> list[tuple[int, float, bool]]:
        return list(zip(self.docnums[index].tolist(), self.scores[index].tolist(), self.strict[index].tolist(),
                        strict=True))

    @classmethod
    def from_list(cls, ranked: list[tuple[int, float, bool]]) -> Ranked:
        """Wrap the general path's list of (docnum, score, strict)."""
        return cls(np.fromiter((hit[0] for hit in ranked), dtype=np.int64, count=len(ranked)),
                   np.fromiter((hit[1] for hit in ranked), dtype=np.float64, count=len(ranked)),
                   np.fromiter((hit[2] for hit in ranked), dtype=bool, count=len(ranked)))


@dataclass
class _Segment:
    """One segment: the global docnum of its first document, its sidecar, which of its documents are live."""

    base: int
    arrays: sidecar.Sidecar
    live: np.ndarray  # bool per local docnum


@dataclass
class PhraseHits:
    """Where a phrase occurs in one char field: the live global docnums (sorted) and, per document, the number
    of merged (overlapping matches joined, as snippets.merge does) occurrences."""

    docs: np.ndarray = field(default_factory=lambda: _EMPTY)
    occurrences: np.ndarray = field(default_factory=lambda: _EMPTY)


class Postings:
    """One term over the whole index: its documents (global docnums, sorted, deleted ones included), their
    frequencies and, for a char-field term, its global positions (sorted).  A char's documents and
    frequencies are gathered when first asked for (a phrase's positions decide which fields need them)."""

    def __init__(self, docs: np.ndarray | Callable[[], tuple[np.ndarray, np.ndarray]], tf: np.ndarray | None = None,
                 positions: np.ndarray | None = None, doc_frequency: int | None = None) -> None:
        self._load = docs if callable(docs) else None
        self._docs, self._tf = (None, None) if callable(docs) else (docs, tf)
        self.positions = positions
        self.doc_frequency = len(docs) if doc_frequency is None else doc_frequency
        # What the cache counts: the documents and frequencies as if loaded (8 + 2 bytes each).
        self.nbytes = self.doc_frequency * 10 + (positions.nbytes if positions is not None else 0)

    def _loaded(self) -> tuple[np.ndarray, np.ndarray]:
        """(docs, tf), gathered on first use."""
        if self._docs is None:
            self._docs, self._tf = self._load()
        return self._docs, self._tf

    @property
    def docs(self) -> np.ndarray:
        """Global docnums, sorted."""
        return self._loaded()[0]

    @property
    def tf(self) -> np.ndarray:
        """Frequency in each of docs."""
        return self._loaded()[1]


_NOTHING = Postings(_EMPTY, np.zeros(0), _EMPTY)


def _bm25(idf: float, tf: np.ndarray, length: np.ndarray, avg: float) -> np.ndarray:
    """Whoosh's BM25F term score (B=0.75, K1=1.2) for arrays of frequencies and field lengths."""
    return idf * ((tf * 2.2) / (tf + 1.2 * (0.25 + 0.75 * length / avg)))


def _member(sorted_values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Mask of the wanted values found in sorted_values."""
    if not len(sorted_values):
        return np.zeros(len(wanted), dtype=bool)
    index = np.searchsorted(sorted_values, wanted)
    index[index == len(sorted_values)] = len(sorted_values) - 1
    return sorted_values[index] == wanted


def _distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values (np.unique without its import of numpy.ma, a fresh process's 10 ms)."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def _within(values: np.ndarray, windows: np.ndarray | None) -> np.ndarray:
    """The sorted values inside the [start, end) windows (rows of windows, sorted, disjoint); all without."""
    if windows is None:
        return values
    bounds = np.searchsorted(values, windows.ravel())
    parts = [values[low:high] for low, high in bounds.reshape(-1, 2).tolist() if high > low]
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else values[:0]


class _Gathered:
    """One field's per-term postings, gathered from every segment into global arrays on first use (LRU)."""

    def __init__(self, engine: Engine, fieldname: str) -> None:
        self.engine = engine
        self.fieldname = fieldname

    def _gather(self, name: str, found: list[tuple[int, int, int]], shifts: list[int] | None,
                dtype: np.dtype | None = None) -> np.ndarray:
        """Concatenate array `name` of the segments' slices [(segment number, start, stop)], each shifted."""
        segments, name = self.engine.segments, f"{self.fieldname}.{name}"
        parts = [segments[number].arrays.part(name, low, high) for number, low, high in found]
        if len(parts) == 1 and (not shifts or not shifts[found[0][0]]) and dtype is None:
            return parts[0]
        out = np.empty(sum(len(part) for part in parts), dtype=dtype or parts[0].dtype)
        at = 0
        for (number, _, _), part in zip(found, parts, strict=True):
            if shifts:
                np.add(part, shifts[number], out=out[at : at + len(part)], casting="unsafe")
            else:
                out[at : at + len(part)] = part
            at += len(part)
        return out


class _CharField(_Gathered):
    """A char field across segments: the union of its characters, each character's slot in every segment's
    term table, and every document's start in one global position space (segments laid end to end)."""

    def __init__(self, engine: Engine, fieldname: str) -> None:
        super().__init__(engine, fieldname)
        segments = engine.segments
        codes = [seg.arrays[f"{fieldname}.codes"] for seg in segments]
        self.codes = _distinct(np.concatenate(codes)) if codes else np.zeros(0, dtype=np.uint32)
        self.slots = np.full((len(self.codes), len(segments)), -1, dtype=np.int64)
        for number, seg_codes in enumerate(codes):
            self.slots[np.searchsorted(self.codes, seg_codes), number] = np.arange(len(seg_codes))
        self.pos_ptr = [seg.arrays[f"{fieldname}.pos_ptr"] for seg in segments]
        self.doc_ptr = [seg.arrays[f"{fieldname}.doc_ptr"] for seg in segments]
        seg_starts = [seg.arrays[f"{fieldname}.starts"] for seg in segments]
        ends = np.array([int(starts[-1]) for starts in seg_starts], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(ends)])  # global position of each segment's position 0
        self.shifts = self.offsets[:-1].tolist()
        # Positions keep the sidecar's 32 bits while the index's text fits (no copy for one segment).
        self.dtype = np.dtype(np.uint32) if self.offsets[-1] < 2**32 - 2**20 else np.dtype(np.int64)
        self.starts = np.empty(engine.doc_count_all + 1, dtype=np.int64)
        for seg, starts, shift in zip(segments, seg_starts, self.shifts, strict=True):
            self.starts[seg.base : seg.base + len(seg.live)] = starts[:-1] + shift
        self.starts[engine.doc_count_all] = self.offsets[-1]
        self._latin: np.ndarray | None = None

    def postings(self, ch: str) -> Postings:
        """The character's postings (cached by the engine)."""
        key = (self.fieldname, ch)
        found = self.engine._cached(key)
        if found is not None:
            return found
        slot = int(np.searchsorted(self.codes, ord(ch))) if len(self.codes) else 0
        if slot >= len(self.codes) or self.codes[slot] != ord(ch):
            return self.engine._keep(key, _NOTHING)
        segments = [(number, term) for number, term in enumerate(self.slots[slot].tolist()) if term >= 0]
        positions = self._gather("positions", [(number, int(self.pos_ptr[number][term]),
                                                int(self.pos_ptr[number][term + 1])) for number, term in segments],
                                 self.shifts, None if self.dtype == np.uint32 else self.dtype)
        in_docs = [(number, int(self.doc_ptr[number][term]), int(self.doc_ptr[number][term + 1]))
                   for number, term in segments]

        def load() -> tuple[np.ndarray, np.ndarray]:
            return (self._gather("docs", in_docs, self.engine.bases, np.dtype(np.int64)),
                    self._gather("tf", in_docs, None))

        frequency = sum(high - low for _, low, high in in_docs)
        return self.engine._keep(key, Postings(load, positions=positions, doc_frequency=frequency))

    def latin_positions(self) -> np.ndarray:
        """The sorted global positions of every Latin letter or digit of the field."""
        if self._latin is None:
            lists = [self.postings(chr(code)).positions for code in self.codes.tolist() if is_latin(chr(code))]
            self._latin = np.sort(np.concatenate(lists)) if lists else np.zeros(0, dtype=self.dtype)
        return self._latin

    def windows(self, docs: np.ndarray) -> np.ndarray:
        """[start, end) position windows of the runs of consecutive docnums (rows; sorted)."""
        return np.stack([self.starts[docs[:, 0]], self.starts[docs[:, 1]]], axis=1).astype(self.dtype)


class _WordField(_Gathered):
    """A word field across segments: each word found by its hash in every segment's term table."""

    def postings(self, word: str) -> Postings:
        """The word's documents and frequencies (cached by the engine)."""
        key = (self.fieldname, word)
        found = self.engine._cached(key)
        if found is not None:
            return found
        wanted, encoded = np.uint64(sidecar.term_hash(word)), word.encode("utf-8")
        name = self.fieldname
        in_docs = []
        for number, seg in enumerate(self.engine.segments):
            hashes = seg.arrays[f"{name}.hashes"]
            low = int(np.searchsorted(hashes, wanted))
            if low == len(hashes) or hashes[low] != wanted:
                continue
            high = int(np.searchsorted(hashes, wanted, side="right"))
            text, pointer = seg.arrays[f"{name}.text"], seg.arrays[f"{name}.text_ptr"]
            term = next((index for index in range(low, high)
                         if text[pointer[index] : pointer[index + 1]].tobytes() == encoded), None)
            if term is not None:
                pointer = seg.arrays[f"{name}.doc_ptr"]
                in_docs.append((number, int(pointer[term]), int(pointer[term + 1])))
        if not in_docs:
            return self.engine._keep(key, _NOTHING)
        docs = self._gather("docs", in_docs, self.engine.bases, np.dtype(np.int64))
        return self.engine._keep(key, Postings(docs, self._gather("tf", in_docs, None)))


class Engine:
    """Evaluates queries for one open searcher whose every segment has a sidecar.

    Each term's postings are gathered from all segments into one array the first time a query needs
    them (global positions and docnums) and cached, so a query costs a few numpy calls per term and
    field, however many segments the index has.
    """

    def __init__(self, searcher, segments: list[_Segment]) -> None:
        self.searcher = searcher
        self.segments = segments
        self.doc_count_all = searcher.doc_count_all()
        self.dates = self._column("date", np.int32)
        self.bases = [seg.base for seg in segments]
        self.live = np.zeros(self.doc_count_all, dtype=bool)
        for seg in segments:
            self.live[seg.base : seg.base + len(seg.live)] = seg.live
        self._avg: dict[str, float] = {}
        self._fields: dict[str, _CharField | _WordField] = {}
        self._cache: OrderedDict[tuple[str, str], Postings] = OrderedDict()
        self._cache_bytes = 0
        self._columns: dict[str | tuple[str, str], np.ndarray] = {}  # field lengths and ID-field masks

    def _column(self, name: str, dtype) -> np.ndarray:
        """A per-document sidecar array of every segment, by global docnum."""
        column = np.zeros(self.doc_count_all, dtype=dtype)
        for seg in self.segments:
            column[seg.base : seg.base + len(seg.live)] = seg.arrays[name]
        return column

    def _cached(self, key: tuple[str, str]) -> Postings | None:
        """A cached term's postings (now the most recently used), or None."""
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
        return found

    def _keep(self, key: tuple[str, str], postings: Postings) -> Postings:
        """Cache a term's postings, dropping the least recently used ones past _CACHE_BYTES."""
        self._cache[key] = postings
        self._cache_bytes += postings.nbytes
        while self._cache_bytes > _CACHE_BYTES and len(self._cache) > 1:
            self._cache_bytes -= self._cache.popitem(last=False)[1].nbytes
        return postings

    def char_field(self, fieldname: str) -> _CharField:
        """The gathered view of a char field."""
        if fieldname not in self._fields:
            self._fields[fieldname] = _CharField(self, fieldname)
        return self._fields[fieldname]

    def word_field(self, fieldname: str) -> _WordField:
        """The gathered view of a word field."""
        if fieldname not in self._fields:
            self._fields[fieldname] = _WordField(self, fieldname)
        return self._fields[fieldname]

    # ------------------------------------------------------------ statistics

    def char_idf(self, fieldname: str, ch: str) -> float:
        """Whoosh's idf of a char-field term, log(all docs / (doc frequency + 1)) + 1, from the sidecars."""
        return log(self.doc_count_all / (self.char_field(fieldname).postings(ch).doc_frequency + 1)) + 1

    def avg_length(self, fieldname: str) -> float:
        """Average field length, as Whoosh's scorer takes it (1 when the field is empty)."""
        if fieldname not in self._avg:
            self._avg[fieldname] = self.searcher.avg_field_length(fieldname) or 1
        return self._avg[fieldname]

    # ------------------------------------------------------------ char fields

    def phrase_starts(self, fieldname: str, chars: list[str], windows: np.ndarray | None = None) -> np.ndarray:
        """Global start positions of the phrase in a char field (inside the position windows, if given), sorted:
        the rarest char's positions, shifted, kept where every other char sits at its offset."""
        chars_field = self.char_field(fieldname)
        lists = []
        for ch in chars:
            positions = chars_field.postings(ch).positions
            if not len(positions):
                return _EMPTY
            lists.append(positions)
        if windows is not None:
            lists = [_within(positions, windows) for positions in lists]
        order = sorted(range(len(lists)), key=lambda offset: len(lists[offset]))
        rarest = order[0]
        candidates = lists[rarest]
        if rarest:
            candidates = candidates[candidates >= rarest] - rarest
        for offset in order[1:]:
            if not len(candidates):
                break
            candidates = candidates[_member(lists[offset], candidates + offset if offset else candidates)]
        return candidates

    def phrase(self, fieldname: str, chars: list[str], windows: np.ndarray | None = None) -> PhraseHits:
        """The live documents whose char field has the chars at consecutive positions, with their occurrences."""
        starts = self.phrase_starts(fieldname, chars, windows)
        if not len(starts):
            return PhraseHits()
        width = len(chars)
        docs = np.searchsorted(self.char_field(fieldname).starts, starts, side="right") - 1
        first = np.ones(len(docs), dtype=bool)
        first[1:] = docs[1:] != docs[:-1]
        # A match joins the previous occurrence when it starts inside it.
        new_group = first.copy()
        new_group[1:] |= (starts[1:] - starts[:-1]) >= width
        firsts = np.flatnonzero(first)
        unique = docs[firsts]
        groups = np.add.reduceat(new_group.astype(np.int64), firsts)
        keep = self.live[unique]
        return PhraseHits(unique[keep], groups[keep])

    def latin_at(self, fieldname: str, positions: np.ndarray) -> np.ndarray:
        """Bool per global position: a Latin letter or digit is the char-field token there."""
        return _member(self.char_field(fieldname).latin_positions(), positions)

    def phrase_scores(self, fieldname: str, chars: list[str], docs: np.ndarray) -> np.ndarray:
        """BM25 of a phrase in the given docs (all of which contain it): the sum of its chars' term scores."""
        chars_field = self.char_field(fieldname)
        avg = self.avg_length(fieldname)
        length = self.field_length(fieldname)[docs]
        total = np.zeros(len(docs))
        for ch in chars:
            postings = chars_field.postings(ch)
            tf = postings.tf[np.searchsorted(postings.docs, docs)].astype(np.float64)
            total += _bm25(self.char_idf(fieldname, ch), tf, length, avg)
        return total

    # ------------------------------------------------------------ word fields

    def word(self, fieldname: str, word: str) -> Postings:
        """A word-field term's postings over the whole index (its doc frequency is len(docs))."""
        return self.word_field(fieldname).postings(word)

    def word_postings(self, fieldname: str, word: str, number: int) -> tuple[np.ndarray, np.ndarray]:
        """(local docnums, frequencies) of a word-field term in one segment, deleted documents included."""
        postings, seg = self.word(fieldname, word), self.segments[number]
        low, high = np.searchsorted(postings.docs, [seg.base, seg.base + len(seg.live)])
        return postings.docs[low:high] - seg.base, postings.tf[low:high].astype(np.float64)

    def word_idf(self, fieldname: str, word: str) -> float:
        """Whoosh's idf of a word-field term."""
        return log(self.doc_count_all / (self.word(fieldname, word).doc_frequency + 1)) + 1

    # ------------------------------------------------------------ whole queries

    def date_runs(self, date_from: str | None, date_to: str | None) -> np.ndarray | None:
        """[first, end) docnum runs holding every document of the date range (rows), or None when they are too
        many to narrow phrase positions with (or there is no range)."""
        if not (date_from or date_to):
            return None
        inside = self.filter_mask(None, date_from, date_to)
        edges = np.flatnonzero(np.diff(np.concatenate([[False], inside, [False]]).astype(np.int8)))
        if len(edges) > 2 * _MAX_WINDOWS:
            return None
        return edges.reshape(-1, 2)

    def ranked(self, compiled: CompiledQuery, paper: str | None = None, date_from: str | None = None,
               date_to: str | None = None, sort: str = "relevance", scored: bool = True) -> Ranked:
        """Every hit, ordered as indexer.query.search._ranked orders them (scored=False: in docnum order,
        without scores, for callers that only count)."""
        run = _QueryRun(self, self.date_runs(date_from, date_to))
        loose = run.evaluate(compiled.ast, strict=False)
        if paper or date_from or date_to:
            loose &= self.filter_mask(paper, date_from, date_to)
        hits = np.flatnonzero(loose)
        strict = run.evaluate(compiled.ast, strict=True)[hits] if compiled.has_words else np.ones(len(hits), bool)
        scores = np.zeros(len(hits))
        if not scored:
            return Ranked(hits, scores, strict, run)
        for kind, fieldname, value in _scoring_parts(compiled):
            if kind == "id":
                scores += self.code_mask(fieldname, value)[hits]
                continue
            if kind == "phrase":
                docs = run.phrase(fieldname, value).docs
                docs = docs[loose[docs]]
                if len(docs):
                    scores[np.searchsorted(hits, docs)] += self.phrase_scores(fieldname, value, docs)
            else:
                postings = self.word(fieldname, value)
                keep = loose[postings.docs]
                docs = postings.docs[keep]
                if len(docs):
                    scores[np.searchsorted(hits, docs)] += _bm25(
                        self.word_idf(fieldname, value), postings.tf[keep].astype(np.float64),
                        self.field_length(fieldname)[docs], self.avg_length(fieldname))
        dates = self.dates[hits]
        keys = [hits, -dates, -scores, ~strict]  # np.lexsort: the last key is the primary one
        if sort == "date":
            keys.append(dates)
        elif sort == "-date":
            keys.append(-dates)
        order = np.lexsort(keys)
        return Ranked(hits[order], scores[order], strict[order], run)

    def field_length(self, fieldname: str) -> np.ndarray:
        """Whoosh's length of a (word or char) field for every global docnum, as BM25 sees it."""
        key = f"{fieldname}.length"
        if key not in self._columns:
            self._columns[key] = self._column(key, np.float64)
        return self._columns[key]

    def filter_mask(self, paper: str | None, date_from: str | None, date_to: str | None) -> np.ndarray:
        """Bool per global docnum: of that paper (key or name) and within the dates (inclusive)."""
        mask = np.ones(len(self.dates), dtype=bool)
        if date_from or date_to:
            mask &= self.dates > 0  # an article without a date is in no date range
        if date_from:
            mask &= self.dates >= sidecar.date_number(date_from)
        if date_to:
            mask &= self.dates <= sidecar.date_number(date_to)
        if paper:
            mask &= self.code_mask("paper", paper) | self.code_mask("paper_name", paper)
        return mask

    def code_mask(self, column: str, value: str) -> np.ndarray:
        """Bool per global docnum: the ID field (paper, paper_name, page_no) has exactly this value."""
        key = (column, value)
        if key not in self._columns:
            mask = np.zeros(self.doc_count_all, dtype=bool)
            for seg in self.segments:
                labels = seg.arrays.header["labels"][column]
                if value in labels:
                    mask[seg.base : seg.base + len(seg.live)] = (seg.arrays[column] == labels.index(value)) & seg.live
            self._columns[key] = mask
        return self._columns[key].copy()

    def occurrences(self, compiled: CompiledQuery, ranked: Ranked) -> np.ndarray | None:
        """Literal occurrences (what match_spans counts) per hit of ranked, or None if this query needs the text.

        Exact for a query with one positive term that is a plain word or quoted phrase: the number of
        its merged literal matches, summed over the text fields (the phrase matches the ranking found).
        """
        docnums = ranked.docnums
        positive = terms(compiled.ast, positive=True)
        if len(positive) != 1 or not isinstance(positive[0], Leaf) or positive[0].wildcard:
            return None
        leaf = positive[0]
        if bounded(leaf):  # the positions cannot tell "GO AI" (a word) from "GOAI"
            return None
        per_doc = np.zeros(self.doc_count_all, dtype=np.int64)
        if leaf.field in LITERAL_FIELDS:  # match_spans counts text fields only
            return per_doc[docnums]
        run = ranked.run or _QueryRun(self, None)
        for name in TEXT_FIELDS if leaf.field is None else (leaf.field,):
            found = run.phrase(char_field(name), char_tokens(leaf.text))
            per_doc[found.docs] += found.occurrences
        return per_doc[docnums]


def _part(query: wq.Query) -> tuple:
    """One of indexer.query.language's single-field queries as an engine part: ("phrase", char field, chars),
    ("word", word field, word) or ("id", ID field, value)."""
    if isinstance(query, wq.Phrase):
        return ("phrase", query.fieldname, tuple(query.words))
    if query.fieldname in sidecar.CODE_FIELDS:
        return ("id", query.fieldname, query.text)
    if query.fieldname in sidecar.CHAR_FIELDS.values():
        return ("phrase", query.fieldname, (query.text,))
    return ("word", query.fieldname, query.text)


def _scoring_parts(compiled: CompiledQuery) -> list[tuple]:
    """The parts of the ranking OR (CompiledQuery.scoring_query): phrases and words score by BM25, an ID
    term adds its posting weight (1), as Whoosh's WeightScorer does for fields without lengths."""
    scoring = compiled.scoring_query()
    if scoring is None:
        return []
    return [_part(query) for query in (scoring.subqueries if isinstance(scoring, wq.Or) else [scoring])]


class _QueryRun:
    """One query's evaluation, as bool masks over global docnums; caches phrase results (the evaluation and
    the ranking share them).  runs: the [first, end) docnum runs a date filter keeps (None: every document);
    phrases are only looked for there, which changes nothing once the filter is applied."""

    def __init__(self, engine: Engine, runs: np.ndarray | None) -> None:
        self.engine = engine
        self.runs = runs
        self._windows: dict[str, np.ndarray | None] = {}
        self._phrases: dict[tuple[str, tuple[str, ...]], PhraseHits] = {}
        self._verified: dict[Leaf | Near, np.ndarray] = {}

    def empty(self) -> np.ndarray:
        """A mask with no document."""
        return np.zeros(self.engine.doc_count_all, dtype=bool)

    def windows(self, fieldname: str) -> np.ndarray | None:
        """The char field's position windows of this run's documents (None: everywhere)."""
        if self.runs is None:
            return None
        if fieldname not in self._windows:
            self._windows[fieldname] = self.engine.char_field(fieldname).windows(self.runs)
        return self._windows[fieldname]

    def phrase(self, fieldname: str, chars: list[str]) -> PhraseHits:
        """Cached Engine.phrase within this run's documents."""
        key = (fieldname, tuple(chars))
        if key not in self._phrases:
            self._phrases[key] = self.engine.phrase(fieldname, chars, self.windows(fieldname))
        return self._phrases[key]

    def phrase_mask(self, fieldname: str, chars: list[str]) -> np.ndarray:
        """Mask of the docs containing the chars in one char field."""
        mask = self.empty()
        mask[self.phrase(fieldname, chars).docs] = True
        return mask

    def part_mask(self, part: tuple) -> np.ndarray:
        """Mask of the live docs one part (see _part) matches."""
        kind, fieldname, value = part
        if kind == "id":
            return self.engine.code_mask(fieldname, value)
        if kind == "phrase":
            return self.phrase_mask(fieldname, list(value))
        mask = self.empty()
        mask[self.engine.word(fieldname, value).docs] = True
        return mask & self.engine.live

    def any_of(self, queries: list[wq.Query]) -> np.ndarray:
        """Mask of the docs matching any of indexer.query.language's single-field queries."""
        mask = self.part_mask(_part(queries[0]))
        for query in queries[1:]:
            mask |= self.part_mask(_part(query))
        return mask

    def verified(self, term: Leaf | Near) -> np.ndarray:
        """Mask of the docs where a wildcard, proximity or bounded term really matches: candidates from the
        arrays, checked on the stored text."""
        if term not in self._verified and isinstance(term, Leaf) and not term.wildcard:
            self._verified[term] = self._bounded(term)
        if term not in self._verified:
            mask = self.empty()
            for name in TEXT_FIELDS if term.field is None else (term.field,):
                sides = [term.left, term.right] if isinstance(term, Near) else [term]
                candidates = self.phrase_mask(char_field(name), char_tokens(sides[0].text))
                for side in sides[1:]:
                    candidates &= self.phrase_mask(char_field(name), char_tokens(side.text))
                candidates &= ~mask
                for docnum in np.flatnonzero(candidates).tolist():
                    if term_spans(term, self.engine.searcher.stored_fields(docnum).get(name, "")):
                        mask[docnum] = True
            self._verified[term] = mask
        return self._verified[term].copy()

    def _bounded(self, leaf: Leaf) -> np.ndarray:
        """Mask of the docs with a match of a bounded leaf: a match whose neighbouring char-field token is
        no Latin letter or digit (or absent: the gap between documents) is one for sure; only documents
        with nothing but matches next to a Latin token (`MAIL`, or `GO AI` with its space) are read."""
        mask, engine = self.empty(), self.engine
        chars = char_tokens(leaf.text)
        for name in TEXT_FIELDS if leaf.field is None else (leaf.field,):
            fieldname = char_field(name)
            starts = engine.phrase_starts(fieldname, chars, self.windows(fieldname)).astype(np.int64)
            if not len(starts):
                continue
            doubtful = np.zeros(len(starts), dtype=bool)
            if is_latin(chars[0]):
                doubtful |= engine.latin_at(fieldname, starts - 1)
            if is_latin(chars[-1]):
                doubtful |= engine.latin_at(fieldname, starts + len(chars))
            docs = np.searchsorted(engine.char_field(fieldname).starts, starts, side="right") - 1
            sure = np.unique(docs[~doubtful])
            maybe = np.setdiff1d(np.unique(docs[doubtful]), sure)
            mask[sure[engine.live[sure]]] = True
            for docnum in maybe[engine.live[maybe]].tolist():
                if not mask[docnum] and term_spans(leaf, engine.searcher.stored_fields(docnum).get(name, "")):
                    mask[docnum] = True
        return mask

    def leaf(self, leaf: Leaf, strict: bool) -> np.ndarray:
        """Literal matches, plus (unless strict) docs containing all the leaf's words."""
        found = self.verified(leaf) if bounded(leaf) else self.any_of(literal_queries(leaf))
        per_word = word_queries(leaf)
        if strict or not per_word:
            return found
        every = self.any_of(per_word[0])
        for queries in per_word[1:]:
            every &= self.any_of(queries)
        return found | every

    def all_docs(self) -> np.ndarray:
        """Mask of every live doc."""
        return self.engine.live.copy()

    def evaluate(self, node, strict: bool) -> np.ndarray:
        """Mask of the live docs matching node (indexer.query.language._Evaluator.evaluate's semantics)."""
        if isinstance(node, Near) or (isinstance(node, Leaf) and node.wildcard):
            return self.verified(node)
        if isinstance(node, Leaf):
            return self.leaf(node, strict)
        if isinstance(node, Or):
            result = self.evaluate(node.children[0], strict)
            for child in node.children[1:]:
                result |= self.evaluate(child, strict)
            return result
        children = node.children if isinstance(node, And) else (node,)
        result = None
        for child in children:
            if not isinstance(child, Not):
                docs = self.evaluate(child, strict)
                result = docs if result is None else result & docs
        if result is None:
            result = self.all_docs()
        for child in children:
            if isinstance(child, Not) and result.any():
                # Exclusion always uses the loose form: a word is excluded in every form it matches.
                result &= ~self.evaluate(child.child, strict=False)
        return result


def engine_for(searcher, index_dir: Path | str) -> Engine | None:
    """The engine of a searcher (cached on it), or None if some segment has no valid sidecar."""
    cached = searcher.__dict__.get(_ATTR)
    if cached is not None:
        return cached
    reader = searcher.reader()
    leaf_readers = [(reader, 0)] if reader.is_atomic() else reader.leaf_readers()
    segments = []
    for leaf, base in leaf_readers:
        doccount = leaf.doc_count_all()
        segment = getattr(leaf, "segment", None)
        if not doccount:
            continue
        arrays = sidecar.load(sidecar.sidecar_path(index_dir, segment().segment_id()), doccount) if segment else None
        if arrays is None:  # not cached: a build may be writing the sidecars right now
            return None
        live = np.ones(doccount, dtype=bool)
        if leaf.has_deletions():
            live[list(leaf.segment().deleted_docs())] = False
        segments.append(_Segment(base, arrays, live))
    engine = Engine(searcher, segments)
    searcher.__dict__[_ATTR] = engine
    return engine
