"""Literal (whitespace- and case-insensitive) string search, snippets and highlight offsets.

Matching uses the same normalisation as the char fields, so a string the
index says is in a text is always found here too (also reusable for KWIC).
A needle that starts (ends) with a Latin letter or digit matches only where no
Latin letter or digit precedes (follows) it in the text: ``AI`` is not found in
``DAILY`` or ``MAIL``, but is in ``AI芯片`` and ``用AI``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache

from indexer.analyzers import normalize

ELLIPSIS = "…"
_WHITESPACE = re.compile(r"\s+")


class _Offsets:
    """Maps an index into the folded (whitespace-free) text to the index of that char in the text."""

    def __init__(self, text: str) -> None:
        self._starts: list[int] = []  # folded index of the first char after each whitespace run
        self._shifts = [0]  # whitespace chars before the chars from that run on
        removed = 0
        for run in _WHITESPACE.finditer(text):  # \s is exactly str.isspace
            self._starts.append(run.start() - removed)
            removed += run.end() - run.start()
            self._shifts.append(removed)

    def __getitem__(self, index: int) -> int:
        return index + self._shifts[bisect_right(self._starts, index)]


@lru_cache(maxsize=4096)
def fold_needle(needle: str) -> str:
    """A search string as the char field sees it (cached: a query's few needles meet every hit's text)."""
    return normalize(needle)


def folded_view(text: str) -> tuple[str, _Offsets]:
    """Return (folded, offsets): the text as the char field sees it and a map of each folded char's offset in text."""
    return normalize(text), _Offsets(text)


def _occurrences(folded: str, target: str) -> list[tuple[int, int]]:
    """Return [start, end) of every (possibly overlapping) occurrence of target in folded."""
    spans = []
    found = folded.find(target) if target else -1
    while found >= 0:
        spans.append((found, found + len(target)))
        found = folded.find(target, found + 1)
    return spans


def is_latin(ch: str) -> bool:
    """True for a letter or digit of a script written with spaces between words (not CJK)."""
    code = ord(ch)
    return ch.isalnum() and (code < 0x2E80 or 0xFF10 <= code <= 0xFF5A)  # full-width Ａ-ｚ０-９ too


def _bounded(text: str, offsets: _Offsets, spans: list[tuple[int, int]], needle: str,
             check_end: bool = True) -> list[tuple[int, int]]:
    """Keep the folded spans of needle (folded) that do not continue a Latin word of text at either Latin end."""
    at_start = bool(needle) and is_latin(needle[0])
    at_end = check_end and bool(needle) and is_latin(needle[-1])
    if not (at_start or at_end):
        return spans
    kept = []
    for start, end in spans:
        first, after = offsets[start], offsets[end - 1] + 1
        if at_start and first > 0 and is_latin(text[first - 1]):
            continue
        if at_end and after < len(text) and is_latin(text[after]):
            continue
        kept.append((start, end))
    return kept


def _to_text(offsets: _Offsets, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Map folded [start, end) spans back to offsets in the original text."""
    return [(offsets[start], offsets[end - 1] + 1) for start, end in spans]


def find_literal(text: str, needle: str, view: tuple[str, _Offsets] | None = None) -> list[tuple[int, int]]:
    """Return (start, end) offsets in text of every occurrence of needle, ignoring whitespace and case.

    view: folded_view(text), when the caller looks for several needles in the same text.
    """
    folded, offsets = view or folded_view(text)
    target = fold_needle(needle)
    return _to_text(offsets, _bounded(text, offsets, _occurrences(folded, target), target))


def is_word_char(ch: str) -> bool:
    """True for a letter, digit or CJK character (what may follow a wildcard prefix)."""
    return ch.isalnum()


def find_prefix(text: str, prefix: str, view: tuple[str, _Offsets] | None = None) -> list[tuple[int, int]]:
    """Return spans of `prefix*` matches: prefix plus the one letter/digit/CJK char that follows it."""
    folded, offsets = view or folded_view(text)
    target = fold_needle(prefix)
    spans = [(start, end + 1) for start, end in _bounded(text, offsets, _occurrences(folded, target), target, False)
             if end < len(folded) and is_word_char(folded[end])]
    return _to_text(offsets, spans)


def find_near(text: str, left: str, right: str, distance: int, ordered: bool,
              view: tuple[str, _Offsets] | None = None) -> list[tuple[int, int]]:
    """Return the spans of left/right occurrences that have a partner within distance chars.

    The gap is the number of non-whitespace chars between the end of one occurrence and the start
    of the other; the two must not overlap; ordered=True needs left before right.
    """
    folded, offsets = view or folded_view(text)
    lefts, rights = ([*_bounded(text, offsets, _occurrences(folded, target), target)]
                     for target in (fold_needle(left), fold_needle(right)))
    used: set[tuple[int, int]] = set()
    for a in lefts:
        for b in rights:
            if 0 <= b[0] - a[1] <= distance or (not ordered and 0 <= a[0] - b[1] <= distance):
                used.update((a, b))
    return _to_text(offsets, sorted(used))


def merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the sorted spans with overlapping ones merged."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def find_all(text: str, needles: Iterable[str], view: tuple[str, _Offsets] | None = None) -> list[tuple[int, int]]:
    """Return the sorted, merged spans of all occurrences of any needle in text (the text folded once)."""
    needles = list(needles)
    view = view or (folded_view(text) if needles else None)
    spans = sorted(span for needle in needles for span in find_literal(text, needle, view))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def collapse_whitespace(text: str) -> str:
    """Turn every whitespace run (newlines, full-width spaces) into one space and strip the ends."""
    return _WHITESPACE.sub(" ", text).strip()


def _window(length: int, start: int, end: int, width: int) -> tuple[int, int]:
    """Return a [lo, hi) window of about width chars that contains [start, end), match about 1/3 in."""
    lo = max(0, start - max(0, width - (end - start)) // 3)
    hi = min(length, max(lo + width, end))
    if hi == length:
        lo = max(0, min(lo, hi - width))
    return lo, hi


def make_snippet(body: str, fallback: str, needles: list[str], width: int = 80,
                 find=None) -> tuple[str, list[list[int]]]:
    """Return (snippet, highlights): a body window around the first match, or fallback if none.

    find(text) -> spans replaces the literal search for needles when given.
    """
    if find is None:
        def find(text: str) -> list[tuple[int, int]]:
            return find_all(text, needles)
    spans = find(body)
    if not spans:
        text = collapse_whitespace(fallback)
    else:
        lo, hi = _window(len(body), spans[0][0], spans[0][1], width)
        text = collapse_whitespace(body[lo:hi])
        text = (ELLIPSIS if lo > 0 else "") + text + (ELLIPSIS if hi < len(body) else "")
    return text, [[start, end] for start, end in find(text)]
