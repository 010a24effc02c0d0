"""Literal (whitespace- and case-insensitive) string search, snippets and highlight offsets.

Matching uses the same normalisation as the char fields, so a string the
index says is in a text is always found here too (also reusable for KWIC).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from indexer.analyzers import fold_char, normalize

ELLIPSIS = "…"
_WHITESPACE = re.compile(r"\s+")


def find_literal(text: str, needle: str) -> list[tuple[int, int]]:
    """Return (start, end) offsets in text of every occurrence of needle, ignoring whitespace and case."""
    target = normalize(needle)
    if not target:
        return []
    offsets = [i for i, ch in enumerate(text) if not ch.isspace()]
    folded = "".join(fold_char(text[i]) for i in offsets)
    spans = []
    found = folded.find(target)
    while found >= 0:
        spans.append((offsets[found], offsets[found + len(target) - 1] + 1))
        found = folded.find(target, found + 1)
    return spans


def find_all(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Return the sorted, merged spans of all occurrences of any needle in text."""
    spans = sorted(span for needle in needles for span in find_literal(text, needle))
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


def make_snippet(body: str, fallback: str, needles: list[str], width: int = 80) -> tuple[str, list[list[int]]]:
    """Return (snippet, highlights): a body window around the first match, or fallback if none."""
    spans = find_all(body, needles)
    if not spans:
        text = collapse_whitespace(fallback)
    else:
        lo, hi = _window(len(body), spans[0][0], spans[0][1], width)
        text = collapse_whitespace(body[lo:hi])
        text = (ELLIPSIS if lo > 0 else "") + text + (ELLIPSIS if hi < len(body) else "")
    return text, [[start, end] for start, end in find_all(text, needles)]
