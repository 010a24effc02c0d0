"""The analyzers' character folding as numpy table lookups over code points, for the build's bulk passes.

``indexer.analyzers`` folds with ``str.translate`` over a dict filled on demand: right for a query's few
characters, but about 60 µs per article field, which the build pays for every field, its sidecar and its
MinHash.  Here the same maps are two arrays indexed by code point (``fold_char`` for the char fields,
``to_simplified`` for the word fields), so a text is folded by one ``take``; tests/test_fastwrite.py
checks both against the analyzers over every code point.  Kept out of ``indexer.analyzers`` so the query
side does not import numpy for it.
"""

from __future__ import annotations

import numpy as np

from indexer.analyzers import t2s_table

# Code points past this fold to themselves: no lowercase mapping (the last is U+1E921) nor t2s entry
# (the last CJK block mapped is U+2A6DF) lies beyond it.
_SIZE = 0x30000
_SPACE_LIMIT = 0x3001  # the last str.isspace() code point is U+3000
_TABLES: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fold, t2s, is-space) lookup arrays, computed once per process."""
    global _TABLES
    if _TABLES is None:
        t2s = np.arange(_SIZE, dtype=np.uint32)
        for old, new in t2s_table().items():
            t2s[ord(old)] = ord(new)
        fold = t2s.copy()
        for code in range(0x1F000):
            low = chr(code).lower()
            if len(low) == 1 and low != chr(code):
                fold[code] = t2s[ord(low)]
        space = np.array([chr(code).isspace() for code in range(_SPACE_LIMIT)], dtype=bool)
        _TABLES = (fold, t2s, space)
    return _TABLES


def codes_of(text: str) -> np.ndarray:
    """The text's code points (uint32)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _lookup(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    inside = codes < _SIZE
    if inside.all():
        return table[codes]
    return np.where(inside, table[np.minimum(codes, _SIZE - 1)], codes)


def not_space(codes: np.ndarray) -> np.ndarray:
    """Bool per code point: not whitespace (str.isspace)."""
    _, _, space = _tables()
    return ~((codes < _SPACE_LIMIT) & space[np.minimum(codes, _SPACE_LIMIT - 1)])


def normalized_codes(text: str) -> np.ndarray:
    """analyzers.normalize(text) as code points: whitespace dropped, each character folded."""
    fold, _, _ = _tables()
    codes = codes_of(text)
    return _lookup(fold, codes[not_space(codes)])


def fold_codes(codes: np.ndarray) -> np.ndarray:
    """analyzers.fold over code points (same length)."""
    return _lookup(_tables()[0], codes)


def simplified(text: str) -> str:
    """analyzers.to_simplified(text), by table lookup."""
    if text.isascii():
        return text
    return _lookup(_tables()[1], codes_of(text)).tobytes().decode("utf-32-le", "surrogatepass")
