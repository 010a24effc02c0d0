"""Collocates: the words that occur near a query more often than chance predicts.

Around every literal occurrence of the query (what ``match_spans`` finds, as KWIC shows them) the
``window`` jieba words on each side (the index's own word analyzer: content words, punctuation not
counted) form the query's context; each word position counts once even where two occurrences' windows
overlap, and the query's own words are not part of it. Each candidate word is then tested with
Dunning's log-likelihood ratio (G²) on the 2×2 table of "in a window or not" × "this word or another",
against a reference corpus: every article of the index under the same filters (and of the same period
with ``by``). The reference counts come from the index's word postings, so they are exact and cut like
the windows.

Stopwords (Stopwords ISO's Chinese list, the ``stopwordsiso`` package, plus calendar units), numbers
and words seen fewer than ``min_count`` times near the query are never listed; only words that occur
near the query *more* often than expected and with G² ≥ 3.84 (p < 0.05, one degree of freedom) are.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from math import log
from pathlib import Path

import numpy as np

from indexer.analyzers import word_spans
from indexer.errors import QueryError
from indexer.query import engine as fast
from indexer.query.count import BYS, _labels, live_mask, stored_label
from indexer.query.search import run_query
from indexer.schema import TEXT_FIELDS

SIGNIFICANT = 3.84  # chi-squared, 1 degree of freedom, p < 0.05
# Parts of printed dates ("3月14日") that stopword lists leave in.
CALENDAR_UNITS = frozenset("年月日号时分秒")
_NUMBER = re.compile(r"[\d.,%％·:：/\-]+")
_STOPWORDS: frozenset[str] | None = None


@dataclass
class Collocate:
    """One word near the query: how often (near), in the reference corpus (frequency), expected near, G²."""

    word: str
    near: int
    frequency: int
    expected: float
    llr: float


@dataclass
class Period:
    """The collocates of one period (or of the whole range: label "")."""

    label: str
    articles: int = 0  # matching articles with at least one literal occurrence
    occurrences: int = 0
    window_words: int = 0  # word positions in the windows
    corpus_words: int = 0  # word positions in the reference corpus
    collocates: list[Collocate] = field(default_factory=list)


@dataclass
class CollocateResult:
    """Collocates of a query, per period."""

    query: str
    window: int
    by: str | None
    periods: list[Period]

    def to_dict(self) -> dict:
        """JSON-able form."""
        return {"query": self.query, "window": self.window, "by": self.by, "measure": "log-likelihood (G2)",
                "periods": [{"period": p.label, "articles": p.articles, "occurrences": p.occurrences,
                             "window_words": p.window_words, "corpus_words": p.corpus_words,
                             "collocates": [vars(c) for c in p.collocates]} for p in self.periods]}


def stopwords() -> frozenset[str]:
    """Chinese stopwords (Stopwords ISO) and calendar units, as the word analyzer cuts them (lowercase)."""
    global _STOPWORDS
    if _STOPWORDS is None:
        import stopwordsiso

        _STOPWORDS = frozenset(word.lower() for word in stopwordsiso.stopwords("zh")) | CALENDAR_UNITS
    return _STOPWORDS


def listable(word: str) -> bool:
    """Whether a word may be listed as a collocate: not a stopword, not a number."""
    return word not in stopwords() and not _NUMBER.fullmatch(word)


def log_likelihood(near: int, window_words: int, frequency: int, corpus_words: int) -> float:
    """Dunning's log-likelihood ratio G² = 2 Σ O ln(O / E) over the 2×2 contingency table.

    Dunning, T. (1993), "Accurate Methods for the Statistics of Surprise and Coincidence",
    Computational Linguistics 19(1): 61-74. Rows: the word / other words; columns: in the windows /
    elsewhere in the corpus; E = row total × column total / N. Cells with O = 0 add nothing.
    """
    observed = [near, frequency - near, window_words - near, corpus_words - window_words - frequency + near]
    rows = [frequency, corpus_words - frequency]
    columns = [window_words, corpus_words - window_words]
    total = 0.0
    for cell, value in enumerate(observed):
        expected = rows[cell // 2] * columns[cell % 2] / corpus_words
        if value > 0 and expected > 0:
            total += value * log(value / expected)
    return 2 * total


def window_words(text: str, spans: list[tuple[int, int]], window: int) -> list[str]:
    """The words within `window` words of any of the spans (each word position once, the spans' own words
    left out), in text order."""
    words = list(word_spans(text))
    inside, near = set(), set()
    for start, end in spans:
        overlapping = [i for i, (_, s, e) in enumerate(words) if s < end and e > start]
        inside.update(overlapping)
        before = [i for i, (_, _, e) in enumerate(words) if e <= start]
        after = [i for i, (_, s, _) in enumerate(words) if s >= end]
        near.update(before[-window:])
        near.update(after[:window])
    return [words[i][0] for i in sorted(near - inside)]


def collocates(index_dir: Path | str, query: str, *, window: int = 5, by: str | None = None, limit: int = 20,
               min_count: int = 2, paper: str | None = None, date_from: str | None = None,
               date_to: str | None = None) -> CollocateResult:
    """The words that occur within `window` words of the query more often than chance predicts, best first
    (by G²), at most `limit` per period; by = None, day, week, month, year, paper or page.

    Raises QueryError for a bad query, window, limit or by; IndexNotFoundError and the like for the index.
    """
    if window < 1 or limit < 1 or min_count < 1:
        raise QueryError("--window, --limit and --min-count must be 1 or more")
    if by is not None and by not in BYS:
        raise QueryError(f"--by must be one of {', '.join(BYS)}, got {by!r}")
    with run_query(index_dir, query, paper=paper, date_from=date_from, date_to=date_to) as run:
        periods: dict[str, Period] = {}
        near: dict[str, Counter] = {}
        for docnum in run.ranked.docnums.tolist():
            stored = run.searcher.stored_fields(docnum)
            label = stored_label(stored, by) if by else ""
            found = 0
            for name in TEXT_FIELDS:
                text = stored.get(name, "")
                spans = run.compiled.match_spans(name, text)
                if spans:
                    found += len(spans)
                    near.setdefault(label, Counter()).update(window_words(text, spans, window))
            if found:
                period = periods.setdefault(label, Period(label))
                period.articles += 1
                period.occurrences += found
        reference = _Reference(run, by, paper, date_from, date_to)
        for label, period in periods.items():
            counts = near.get(label, Counter())
            period.window_words = sum(counts.values())
            period.corpus_words = reference.total(label)
            candidates = [word for word, seen in counts.items() if seen >= min_count and listable(word)]
            frequencies = reference.frequencies(label, candidates)
            for word in candidates:
                seen, frequency = counts[word], max(frequencies[word], counts[word])
                expected = period.window_words * frequency / period.corpus_words if period.corpus_words else 0.0
                if seen <= expected:
                    continue
                score = log_likelihood(seen, period.window_words, frequency, max(period.corpus_words, frequency))
                if score >= SIGNIFICANT:
                    period.collocates.append(Collocate(word, seen, frequency, round(expected, 3), round(score, 3)))
            period.collocates.sort(key=lambda c: (-c.llr, -c.near, c.word))
            del period.collocates[limit:]
    order = sorted(periods) if by not in ("paper", "page") else sorted(periods, key=lambda p: -periods[p].articles)
    return CollocateResult(query, window, by, [periods[label] for label in order])


class _Reference:
    """Word counts of the reference corpus (the index's articles under the filters, by period), from the word
    postings of the array engine, or by cutting the stored texts on the general path."""

    def __init__(self, run, by: str | None, paper: str | None, date_from: str | None, date_to: str | None) -> None:
        self.run, self.by = run, by
        engine: fast.Engine | None = run.engine
        self.masks: dict[str, np.ndarray] = {}
        if engine is not None:
            self.mask = live_mask(engine) & engine.filter_mask(paper, date_from, date_to)
            self.doc_words = np.zeros(engine.doc_count_all, dtype=np.int64)
            for seg in engine.segments:
                for name in TEXT_FIELDS:
                    self.doc_words[seg.base : seg.base + len(seg.live)] += np.bincount(
                        seg.arrays[f"{name}.docs"], weights=seg.arrays[f"{name}.tf"], minlength=len(seg.live)
                    ).astype(np.int64)
            if by:
                self.docnums = np.flatnonzero(self.mask)
                names, index = _labels(engine, by, self.docnums)
                self.labels, merged = np.unique(np.array(names, dtype=object), return_inverse=True)
                self.doc_label = merged[index] if len(index) else index
        else:
            self.texts = self._cut_texts(paper, date_from, date_to)

    def _cut_texts(self, paper: str | None, date_from: str | None, date_to: str | None) -> dict[str, Counter]:
        """{period: word counts} of every article under the filters, cut with the word analyzer."""
        from indexer.query.search import _filter

        searcher = self.run.searcher
        filt = _filter(paper, date_from, date_to)
        allowed = frozenset(searcher.docs_for_query(filt)) if filt is not None else None
        counts: dict[str, Counter] = {}
        for docnum, stored in searcher.reader().iter_docs():
            if allowed is None or docnum in allowed:
                label = stored_label(stored, self.by) if self.by else ""
                bucket = counts.setdefault(label, Counter())
                for name in TEXT_FIELDS:
                    bucket.update(word for word, _, _ in word_spans(stored.get(name, "")))
        return counts

    def _mask(self, label: str) -> np.ndarray:
        """The reference documents of a period."""
        if not self.by:
            return self.mask
        if label not in self.masks:
            period = np.zeros(len(self.mask), dtype=bool)
            found = np.flatnonzero(self.labels == label)
            if len(found):
                period[self.docnums[self.doc_label == found[0]]] = True
            self.masks[label] = period
        return self.masks[label]

    def total(self, label: str) -> int:
        """Word positions of the period's reference corpus."""
        if self.run.engine is None:
            return sum(self.texts.get(label, Counter()).values())
        return int(self.doc_words[self._mask(label)].sum())

    def frequencies(self, label: str, words: list[str]) -> dict[str, int]:
        """{word: occurrences in the period's reference corpus}."""
        engine = self.run.engine
        if engine is None:
            found = self.texts.get(label, Counter())
            return {word: found[word] for word in words}
        mask = self._mask(label)
        result = {}
        for word in words:
            total = 0
            for number, seg in enumerate(engine.segments):
                for name in TEXT_FIELDS:
                    docs, tf = engine.word_postings(name, word, number)
                    if len(docs):
                        total += int(tf[mask[docs + seg.base]].sum())
            result[word] = total
        return result
