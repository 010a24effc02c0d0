"""Vectorized query evaluation: numpy set operations over the segments' sidecars.

The reference semantics are ``indexer.query.language`` (docnum sets) plus Whoosh's BM25F ranking; this module
computes the same hits, tiers, scores and order without a Python step per matching document:

* a quoted phrase (or a plain word's literal form) in a char field is a chain of ``searchsorted``
  membership tests over its characters' position arrays (``indexer.build.sidecar``), rarest first;
* a jieba word's documents and frequencies are slices of the sidecar's arrays, found by its hash;
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
from collections.abc import Iterator
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
_WORD_CACHE = 128  # word lookups kept per engine (segments are immutable, so entries never go stale)
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
    first_date: int  # YYYYMMDD span of its dated documents (0, 0 if none)
    last_date: int


@dataclass
class PhraseHits:
    """Where a phrase occurs in one char field: per segment, the live local docnums and the number of
    merged (overlapping matches joined, as snippets.merge does) occurrences in each."""

    per_segment: list = field(default_factory=list)  # (segment, local docs, occurrences)


@dataclass
class _WordTerm:
    """A word-field term: its index in each segment's term table (None where absent), its doc frequency."""

    indexes: list
    doc_frequency: int


def _bm25(idf: float, tf: np.ndarray, length: np.ndarray, avg: float) -> np.ndarray:
    """Whoosh's BM25F term score (B=0.75, K1=1.2) for arrays of frequencies and field lengths."""
    return idf * ((tf * 2.2) / (tf + 1.2 * (0.25 + 0.75 * length / avg)))


def _member(sorted_values: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (mask of wanted found in sorted_values, their indexes there)."""
    if not len(sorted_values):
        return np.zeros(len(wanted), dtype=bool), np.zeros(len(wanted), dtype=np.int64)
    index = np.searchsorted(sorted_values, wanted)
    index[index == len(sorted_values)] = len(sorted_values) - 1
    return sorted_values[index] == wanted, index


class Engine:
    """Evaluates queries for one open searcher whose every segment has a sidecar."""

    def __init__(self, searcher, segments: list[_Segment]) -> None:
        self.searcher = searcher
        self.segments = segments
        self.doc_count_all = searcher.doc_count_all()
        self.dates = np.zeros(self.doc_count_all, dtype=np.int32)
        for seg in segments:
            self.dates[seg.base : seg.base + len(seg.live)] = seg.arrays["date"]
        self._idf: dict[tuple[str, str], float] = {}
        self._avg: dict[str, float] = {}
        self._words: OrderedDict[tuple[str, str], _WordTerm] = OrderedDict()
        self._latin: dict[tuple[int, str], np.ndarray] = {}

    # ------------------------------------------------------------ statistics

    def char_idf(self, fieldname: str, ch: str) -> float:
        """Whoosh's idf of a char-field term, log(all docs / (doc frequency + 1)) + 1, from the sidecars."""
        key = (fieldname, ch)
        if key not in self._idf:
            frequency = 0
            for seg in self.segments:
                codes = seg.arrays[f"{fieldname}.codes"]
                found, index = _member(codes, np.array([ord(ch)], dtype=codes.dtype))
                if found[0]:
                    pointer = seg.arrays[f"{fieldname}.doc_ptr"]
                    frequency += int(pointer[index[0] + 1] - pointer[index[0]])
            self._idf[key] = log(self.doc_count_all / (frequency + 1)) + 1
        return self._idf[key]

    def avg_length(self, fieldname: str) -> float:
        """Average field length, as Whoosh's scorer takes it (1 when the field is empty)."""
        if fieldname not in self._avg:
            self._avg[fieldname] = self.searcher.avg_field_length(fieldname) or 1
        return self._avg[fieldname]

    # ------------------------------------------------------------ char fields

    def phrase(self, fieldname: str, chars: list[str], segments: list[int]) -> PhraseHits:
        """The live documents of the given segments whose char field has the chars at consecutive positions."""
        found = PhraseHits()
        width = len(chars)
        for number in segments:
            seg = self.segments[number]
            starts = self._phrase_starts(seg, fieldname, chars)
            if not len(starts):
                continue
            local = np.searchsorted(seg.arrays[f"{fieldname}.starts"], starts, side="right") - 1
            first = np.ones(len(local), dtype=bool)
            first[1:] = local[1:] != local[:-1]
            # A match joins the previous occurrence when it starts inside it.
            new_group = first.copy()
            new_group[1:] |= (starts[1:] - starts[:-1]) >= width
            firsts = np.flatnonzero(first)
            unique = local[firsts]
            groups = np.add.reduceat(new_group.astype(np.int64), firsts)
            keep = seg.live[unique]
            if keep.any():
                found.per_segment.append((seg, unique[keep], groups[keep]))
        return found

    def _term_index(self, seg: _Segment, fieldname: str, chars: list[str]) -> np.ndarray | None:
        """Indexes of the chars in a segment's char-field term table; None if one is missing."""
        codes = seg.arrays[f"{fieldname}.codes"]
        found, index = _member(codes, np.array([ord(ch) for ch in chars], dtype=codes.dtype))
        return index if found.all() else None

    def _phrase_starts(self, seg: _Segment, fieldname: str, chars: list[str]) -> np.ndarray:
        """Segment-global start positions of the phrase, sorted: the rarest char's positions, shifted,
        kept where every other char sits at its offset."""
        index = self._term_index(seg, fieldname, chars)
        if index is None:
            return _EMPTY
        pointer, positions = seg.arrays[f"{fieldname}.pos_ptr"], seg.arrays[f"{fieldname}.positions"]
        lists = [positions[pointer[i] : pointer[i + 1]] for i in index.tolist()]
        order = sorted(range(len(lists)), key=lambda offset: len(lists[offset]))
        rarest = order[0]
        candidates = lists[rarest].astype(np.int64) - rarest
        candidates = candidates[candidates >= 0]
        for offset in order[1:]:
            if not len(candidates):
                break
            found, _ = _member(lists[offset], candidates + offset)
            candidates = candidates[found]
        return candidates

    def latin_at(self, seg: _Segment, fieldname: str, positions: np.ndarray) -> np.ndarray:
        """Bool per segment-global position: a Latin letter or digit is the char-field token there."""
        key = (id(seg), fieldname)
        if key not in self._latin:
            codes = seg.arrays[f"{fieldname}.codes"]
            self._latin[key] = np.flatnonzero([is_latin(chr(code)) for code in codes.tolist()])
        pointer, every = seg.arrays[f"{fieldname}.pos_ptr"], seg.arrays[f"{fieldname}.positions"]
        found = np.zeros(len(positions), dtype=bool)
        for index in self._latin[key].tolist():
            found |= _member(every[pointer[index] : pointer[index + 1]], positions)[0]
        return found

    def phrase_scores(self, fieldname: str, chars: list[str], seg: _Segment, local: np.ndarray) -> np.ndarray:
        """BM25 of a phrase in the given local docs (all of which contain it): the sum of its chars' term scores."""
        avg = self.avg_length(fieldname)
        length = seg.arrays[f"{fieldname}.length"][local]
        pointer, docs, freqs = (seg.arrays[f"{fieldname}.{name}"] for name in ("doc_ptr", "docs", "tf"))
        total = np.zeros(len(local))
        for ch, term in zip(chars, self._term_index(seg, fieldname, chars).tolist(), strict=True):
            term_docs = docs[pointer[term] : pointer[term + 1]]
            tf = freqs[pointer[term] : pointer[term + 1]][np.searchsorted(term_docs, local)].astype(np.float64)
            total += _bm25(self.char_idf(fieldname, ch), tf, length, avg)
        return total

    # ------------------------------------------------------------ word fields

    def word(self, fieldname: str, word: str) -> _WordTerm:
        """A word-field term, looked up in every segment's sidecar (its doc frequency is index-wide)."""
        key = (fieldname, word)
        if key in self._words:
            self._words.move_to_end(key)
            return self._words[key]
        wanted, encoded = sidecar.term_hash(word), word.encode("utf-8")
        found = []
        for seg in self.segments:
            hashes = seg.arrays[f"{fieldname}.hashes"]
            low = int(np.searchsorted(hashes, np.uint64(wanted), side="left"))
            high = int(np.searchsorted(hashes, np.uint64(wanted), side="right"))
            text, pointer = seg.arrays[f"{fieldname}.text"], seg.arrays[f"{fieldname}.text_ptr"]
            found.append(next((int(index) for index in range(int(low), high)
                               if text[pointer[index] : pointer[index + 1]].tobytes() == encoded), None))
        frequency = 0
        for seg, index in zip(self.segments, found, strict=True):
            if index is not None:
                pointer = seg.arrays[f"{fieldname}.doc_ptr"]
                frequency += int(pointer[index + 1] - pointer[index])
        entry = _WordTerm(found, frequency)
        self._words[key] = entry
        while len(self._words) > _WORD_CACHE:
            self._words.popitem(last=False)
        return entry

    def word_postings(self, fieldname: str, word: str, number: int) -> tuple[np.ndarray, np.ndarray]:
        """(local docnums, frequencies) of a word-field term in one segment, deleted documents included."""
        index = self.word(fieldname, word).indexes[number]
        if index is None:
            return _EMPTY, np.zeros(0)
        seg = self.segments[number]
        pointer = seg.arrays[f"{fieldname}.doc_ptr"]
        span = slice(pointer[index], pointer[index + 1])
        return seg.arrays[f"{fieldname}.docs"][span], seg.arrays[f"{fieldname}.tf"][span].astype(np.float64)

    def word_idf(self, fieldname: str, word: str) -> float:
        """Whoosh's idf of a word-field term."""
        return log(self.doc_count_all / (self.word(fieldname, word).doc_frequency + 1)) + 1

    # ------------------------------------------------------------ whole queries

    def segments_for(self, date_from: str | None, date_to: str | None) -> list[int]:
        """Indexes of the segments that can hold documents of the date range (all without one)."""
        low = sidecar.date_number(date_from) if date_from else 0
        high = sidecar.date_number(date_to) if date_to else 99999999
        if not (date_from or date_to):
            return list(range(len(self.segments)))
        return [number for number, seg in enumerate(self.segments)
                if seg.last_date >= low and seg.first_date <= high and seg.first_date]

    def ranked(self, compiled: CompiledQuery, paper: str | None = None, date_from: str | None = None,
               date_to: str | None = None, sort: str = "relevance") -> Ranked:
        """Every hit, ordered as indexer.query.search._ranked orders them."""
        run = _QueryRun(self, self.segments_for(date_from, date_to))
        loose = run.evaluate(compiled.ast, strict=False)
        if paper or date_from or date_to:
            loose &= self.filter_mask(paper, date_from, date_to)
        hits = np.flatnonzero(loose)
        strict = run.evaluate(compiled.ast, strict=True)[hits] if compiled.has_words else np.ones(len(hits), bool)
        slot = np.zeros(self.doc_count_all, dtype=np.int64)
        slot[hits] = np.arange(len(hits))
        scores = np.zeros(len(hits))
        for kind, fieldname, value in _scoring_parts(compiled):
            if kind == "id":
                scores += self.code_mask(fieldname, value)[hits]
                continue
            for number in run.segments:
                seg = self.segments[number]
                if kind == "phrase":
                    found = run.phrase(fieldname, value).per_segment
                    local = next((docs for owner, docs, _ in found if owner is seg), _EMPTY)
                    local = local[loose[local + seg.base]]
                    if len(local):
                        scores[slot[local + seg.base]] += self.phrase_scores(fieldname, value, seg, local)
                else:
                    local, weights = self.word_postings(fieldname, value, number)
                    keep = loose[local + seg.base]
                    local, weights = local[keep], weights[keep]
                    if len(local):
                        scores[slot[local + seg.base]] += _bm25(self.word_idf(fieldname, value), weights,
                                                                seg.arrays[f"{fieldname}.length"][local],
                                                                self.avg_length(fieldname))
        dates = self.dates[hits]
        keys = [hits, -dates, -scores, ~strict]  # np.lexsort: the last key is the primary one
        if sort == "date":
            keys.append(dates)
        elif sort == "-date":
            keys.append(-dates)
        order = np.lexsort(keys)
        return Ranked(hits[order], scores[order], strict[order], run)

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
        mask = np.zeros(self.doc_count_all, dtype=bool)
        for seg in self.segments:
            labels = seg.arrays.header["labels"][column]
            if value in labels:
                mask[seg.base : seg.base + len(seg.live)] = (seg.arrays[column] == labels.index(value)) & seg.live
        return mask

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
        run = ranked.run or _QueryRun(self, list(range(len(self.segments))))
        for name in TEXT_FIELDS if leaf.field is None else (leaf.field,):
            for seg, local, groups in run.phrase(char_field(name), char_tokens(leaf.text)).per_segment:
                per_doc[local + seg.base] += groups
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
    """One query's evaluation over some segments, as bool masks over global docnums; caches phrase results
    (the evaluation and the ranking share them)."""

    def __init__(self, engine: Engine, segments: list[int]) -> None:
        self.engine = engine
        self.segments = segments
        self._phrases: dict[tuple[str, tuple[str, ...]], PhraseHits] = {}
        self._verified: dict[Leaf | Near, np.ndarray] = {}

    def empty(self) -> np.ndarray:
        """A mask with no document."""
        return np.zeros(self.engine.doc_count_all, dtype=bool)

    def phrase(self, fieldname: str, chars: list[str]) -> PhraseHits:
        """Cached Engine.phrase over this run's segments."""
        key = (fieldname, tuple(chars))
        if key not in self._phrases:
            self._phrases[key] = self.engine.phrase(fieldname, chars, self.segments)
        return self._phrases[key]

    def phrase_mask(self, fieldname: str, chars: list[str]) -> np.ndarray:
        """Mask of the docs containing the chars in one char field."""
        mask = self.empty()
        for seg, local, _ in self.phrase(fieldname, chars).per_segment:
            mask[local + seg.base] = True
        return mask

    def part_mask(self, part: tuple) -> np.ndarray:
        """Mask of the live docs one part (see _part) matches."""
        kind, fieldname, value = part
        if kind == "id":
            return self.engine.code_mask(fieldname, value)
        if kind == "phrase":
            return self.phrase_mask(fieldname, list(value))
        mask = self.empty()
        for number in self.segments:
            seg = self.engine.segments[number]
            local, _ = self.engine.word_postings(fieldname, value, number)
            mask[local[seg.live[local]] + seg.base] = True
        return mask

    def any_of(self, queries: list[wq.Query]) -> np.ndarray:
        """Mask of the docs matching any of indexer.query.language's single-field queries."""
        mask = self.empty()
        for query in queries:
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
            for number in self.segments:
                seg = engine.segments[number]
                starts = engine._phrase_starts(seg, fieldname, chars)
                if not len(starts):
                    continue
                doubtful = np.zeros(len(starts), dtype=bool)
                if is_latin(chars[0]):
                    doubtful |= engine.latin_at(seg, fieldname, starts - 1)
                if is_latin(chars[-1]):
                    doubtful |= engine.latin_at(seg, fieldname, starts + len(chars))
                local = np.searchsorted(seg.arrays[f"{fieldname}.starts"], starts, side="right") - 1
                sure = np.unique(local[~doubtful])
                maybe = np.setdiff1d(np.unique(local[doubtful]), sure)
                mask[sure[seg.live[sure]] + seg.base] = True
                for docnum in (maybe[seg.live[maybe]] + seg.base).tolist():
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
        """Mask of every live doc of this run's segments."""
        mask = self.empty()
        for number in self.segments:
            seg = self.engine.segments[number]
            mask[seg.base : seg.base + len(seg.live)] = seg.live
        return mask

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
        dated = arrays["date"][arrays["date"] > 0]
        segments.append(_Segment(base, arrays, live, int(dated.min()) if len(dated) else 0,
                                 int(dated.max()) if len(dated) else 0))
    engine = Engine(searcher, segments)
    searcher.__dict__[_ATTR] = engine
    return engine
