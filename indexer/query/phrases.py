"""Fast exact phrases over the char fields: posting-list intersection instead of Whoosh's span matcher.

A phrase c1..cn in one field matches a document when some start position s has ci at s+i-1 for
every i.  `segment_phrase_weights` reads each character's postings a block at a time ({doc: encoded
positions} and {doc: weight}), intersects the doc sets (smallest first), and only in documents
containing every character decodes positions and intersects the candidate start positions.  Results
are cached on the (segment) reader object, so the boolean evaluation and the BM25 ranking pass of
one search (and later searches on a cached searcher) share them.

`FastPhrase` is a drop-in `whoosh.query.Phrase` (slop 1) that uses it: `docs()` returns the cached
doc set, and `matcher()` visits only those documents.  Whoosh scores a phrase as the sum, in
binary-tree order, of its terms' BM25 scores (the IntersectionMatcher tree under its span matcher);
`_KnownDocsMatcher` applies the same term scorers to the same postings weights and field length and
adds them in the same order, so scores are bit-for-bit those of `Phrase` (tested).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate, repeat
from operator import sub
from pickle import loads

from whoosh import matching
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher, WrappingMatcher
from whoosh.scoring import WeightLengthScorer
from whoosh.system import _INT_SIZE

_CACHE_ATTR = "_epaper_phrase_cache"
_CACHE_SIZE = 64  # phrase doc sets kept per segment reader (the oldest half is dropped when full)


def _postings_values(reader, fieldname: str, word: bytes) -> tuple[dict[int, bytes], dict[int, float]]:
    """Return ({docnum: encoded value}, {docnum: weight}) of one term's live postings in an atomic reader.

    The weights are the ones the term's matcher would return (what BM25 scores), read block by block.
    """
    matcher = reader.postings(fieldname, word)
    deleted: frozenset[int] = frozenset()
    if isinstance(matcher, FilterMatcher):  # the reader hides deleted documents this way
        deleted = _deleted(reader)
        matcher = matcher.child
    values: dict[int, bytes] = {}
    weights: dict[int, float] = {}
    if isinstance(matcher, W3LeafMatcher):
        # Whole blocks at a time: ids, weights and values are decoded per block by Whoosh anyway.
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            if matcher._values is None:
                matcher._read_values()
            first = matcher._i
            ids = matcher._ids[first:]
            values.update(zip(ids, matcher._values[first:], strict=True))
            weights.update(zip(ids, matcher._weights[first:], strict=True))
            matcher._next_block()
    else:
        while matcher.is_active():
            values[matcher.id()] = matcher.value()
            weights[matcher.id()] = matcher.weight()
            matcher.next()
    for doc in deleted:
        values.pop(doc, None)
        weights.pop(doc, None)
    return values, weights


def _deleted(reader) -> frozenset[int]:
    """The deleted docnums of an atomic reader."""
    return frozenset(getattr(reader, "deleted_docs_set", ()) or ())


def _positions_decoder(field):
    """Return a function decoding an encoded postings value to its positions."""
    if type(field.format) is Positions:
        def decode(value: bytes) -> Iterable[int]:
            # Positions.decode_positions without the Python loop: a uint count, then pickled deltas.
            return accumulate(loads(value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b"."))
        return decode
    return field.format.decoder("positions")


def segment_phrase_weights(reader, fieldname: str, words: list) -> dict[int, tuple[float, ...]]:
    """Return {docnum: the words' postings weights} for the docs of one atomic reader whose field has the words
    at consecutive positions (weights in the order of words, repeated words repeated).

    words are the field's terms (str or bytes); deleted documents are left out.
    """
    cache = reader.__dict__.setdefault(_CACHE_ATTR, {})
    field = reader.schema[fieldname]
    words = [field.to_bytes(word) if isinstance(word, str) else word for word in words]
    key = (fieldname, tuple(words))
    if key in cache:
        return cache[key]
    found: dict[int, tuple[float, ...]] = {}
    distinct = list(dict.fromkeys(words))
    if distinct and all((fieldname, word) in reader for word in distinct):
        postings = {word: _postings_values(reader, fieldname, word) for word in distinct}
        order = sorted(distinct, key=lambda word: len(postings[word][0]))
        candidates = set(postings[order[0]][0]).intersection(*(postings[word][0].keys() for word in order[1:]))
        weights = [postings[word][1] for word in words]
        if len(words) == 1:
            found = {doc: (weights[0][doc],) for doc in candidates}
        else:
            decode = _positions_decoder(field)
            offsets = {word: [i for i, other in enumerate(words) if other == word] for word in distinct}
            for doc in candidates:
                starts: set[int] | None = None
                for word in order:
                    positions = list(decode(postings[word][0][doc]))
                    for offset in offsets[word]:
                        shifted = set(map(sub, positions, repeat(offset))) if offset else set(positions)
                        starts = shifted if starts is None else starts & shifted
                        if not starts:
                            break
                    if not starts:
                        break
                if starts:
                    found[doc] = tuple(weight[doc] for weight in weights)
    if len(cache) >= _CACHE_SIZE:
        for old in list(cache)[: _CACHE_SIZE // 2]:
            del cache[old]
    cache[key] = found
    return found


def segment_phrase_docs(reader, fieldname: str, words: list) -> frozenset[int]:
    """Return the docnums of one atomic reader whose field has the words at consecutive positions."""
    return frozenset(segment_phrase_weights(reader, fieldname, words))


def phrase_docs(reader, fieldname: str, words: list) -> frozenset[int]:
    """Return the docnums (of any reader, multi-segment ones included) matching the phrase."""
    if reader.is_atomic():
        return segment_phrase_docs(reader, fieldname, words)
    return frozenset(doc + base for segment, base in reader.leaf_readers()
                     for doc in segment_phrase_docs(segment, fieldname, words))


def _binary_shape(lo: int, hi: int) -> int | tuple:
    """The shape of make_binary_tree over items lo..hi-1: an index or a (left, right) pair."""
    if hi - lo == 1:
        return lo
    half = (hi - lo) // 2
    return (_binary_shape(lo, lo + half), _binary_shape(lo + half, hi))


@lru_cache(maxsize=64)
def _tree_adder(shape: int | tuple):
    """Return a function adding a list of scores in the order of a binary tree of IntersectionMatchers
    (a.score() + b.score()), e.g. ``lambda s: s[0] + (s[1] + s[2])`` for three terms."""

    def expression(node: int | tuple) -> str:
        return f"s[{node}]" if isinstance(node, int) else f"({expression(node[0])} + {expression(node[1])})"

    return eval(f"lambda s: {expression(shape)}")  # noqa: S307 - built from integers only


def _length_scorer(matcher) -> WeightLengthScorer | None:
    """The scorer of a term's postings matcher if it scores by weight and field length only, else None."""
    if isinstance(matcher, FilterMatcher) and matcher.boost == 1.0:
        matcher = matcher.child
    scorer = getattr(matcher, "scorer", None) if isinstance(matcher, W3LeafMatcher) else None
    if isinstance(scorer, WeightLengthScorer) and type(scorer).score is WeightLengthScorer.score:
        return scorer
    return None


class _KnownDocsMatcher(matching.Matcher):
    """Visits the given sorted docnums, all of which every term matcher has; scores like Whoosh's phrase matcher.

    Whoosh scores a phrase with the IntersectionMatcher tree under its span matcher, whose score is
    the sum of the term matchers' scores in binary-tree order; this sums the same scores in the same
    order (bit-identical) but only moves the term matchers to a document when it is scored.
    """

    def __init__(self, terms: list, ids: list[int], index: int = 0, boost: float = 1.0,
                 weights: dict[int, tuple[float, ...]] | None = None) -> None:
        self._terms = terms
        self._add = _tree_adder(_binary_shape(0, len(terms)))
        self._ids = ids
        self._index = index
        self.boost = boost
        # Fast path: the terms' own scorers applied to the postings weights read by the evaluator,
        # with the document's field length read once (WeightLengthScorer.score does exactly this).
        scorers = [_length_scorer(term) for term in terms]
        self._weights = weights if weights is not None and all(scorers) else None
        self._scorers = scorers

    def is_active(self) -> bool:
        return self._index < len(self._ids)

    def id(self) -> int:
        return self._ids[self._index]

    def next(self) -> bool:
        self._index += 1
        return False

    def skip_to(self, id: int) -> bool:  # noqa: A002 - Whoosh's signature
        if self.is_active() and self.id() < id:
            self._index = bisect_left(self._ids, id, self._index)
        return False

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()

    def copy(self):
        return self.__class__([term.copy() for term in self._terms], self._ids, self._index, self.boost,
                              self._weights)

    def reset(self) -> None:
        for term in self._terms:
            term.reset()
        self._index = 0

    def replace(self, minquality=0):
        return self if self.is_active() else matching.NullMatcher()

    def supports_block_quality(self) -> bool:
        return False

    def supports(self, astype: str) -> bool:
        return False

    def depth(self) -> int:
        return 0

    def _scores(self, method: str) -> list[float]:
        doc = self.id()
        found = []
        for term in self._terms:
            if term.id() < doc:
                term.skip_to(doc)
            found.append(getattr(term, method)())
        return found

    def weight(self) -> float:
        return self._add(self._scores("weight")) * self.boost

    def score(self) -> float:
        if self._weights is not None:
            doc = self.id()
            length = self._scorers[0].dfl(doc)
            scores = [scorer._score(weight, length)
                      for scorer, weight in zip(self._scorers, self._weights[doc], strict=True)]
            return self._add(scores) * self.boost
        # SpanWrappingMatcher multiplies its child's score by its boost (1.0 unless boosted) too.
        return self._add(self._scores("score")) * self.boost


class FastPhrase(wq.Phrase):
    """An exact phrase (slop 1) evaluated by posting-list intersection; same docs and scores as Phrase."""

    def __init__(self, fieldname: str, words: list, slop: int = 1, boost: float = 1.0, char_ranges=None) -> None:
        if slop != 1:
            raise ValueError("FastPhrase only does exact phrases (slop 1)")
        super().__init__(fieldname, words, slop=1, boost=boost, char_ranges=char_ranges)

    def __eq__(self, other: object) -> bool:
        # Equal to the plain Phrase it replaces (tests and callers compare with wq.Phrase).
        return (isinstance(other, wq.Phrase) and self.fieldname == other.fieldname and self.words == other.words
                and self.slop == other.slop and self.boost == other.boost)

    __hash__ = wq.Phrase.__hash__

    def docs(self, searcher):
        return iter(sorted(phrase_docs(searcher.reader(), self.fieldname, self.words)))

    def matcher(self, searcher, context=None):
        fieldname = self.fieldname
        reader = searcher.reader()
        if fieldname not in searcher.schema or not reader.is_atomic():
            return super().matcher(searcher, context)
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            return super().matcher(searcher, context)  # raises Whoosh's error
        try:
            words = [field.to_bytes(word) for word in self.words]
        except ValueError:
            return matching.NullMatcher()
        if any((fieldname, word) not in reader for word in words):
            return matching.NullMatcher()
        weights = segment_phrase_weights(reader, fieldname, words)
        if not weights:
            return matching.NullMatcher()
        # The term matchers Whoosh's SpanNear2Matcher scores with (Phrase -> SpanNear2 of Terms).
        terms = [wq.Term(fieldname, word).matcher(searcher, context) for word in words]
        found = _KnownDocsMatcher(terms, sorted(weights), weights=weights)
        if self.boost != 1.0:
            return WrappingMatcher(found, boost=self.boost)  # as Phrase.matcher does
        return found
