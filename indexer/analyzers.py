"""Whoosh analyzers: jieba words for ranking, single characters for exact phrases.

The word analyzer uses rjieba (fast Rust port of jieba).  Its default-mode
output equals ``jieba.lcut(text)`` except for one class of tokens: ASCII runs
joined by ``-``/``_``/several dots ("2024-2026", "e-mail", "1.2.3"), which
rjieba keeps whole and jieba splits with its HMM fallback regex.  We re-split
those the way jieba does, so index-time and query-time words are the
jieba words (tests/test_analyzers.py checks the identity).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import rjieba
from whoosh.analysis import Token, Tokenizer

# jieba's finalseg.re_skip: how jieba splits an unknown ASCII run.
_JIEBA_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
# Characters jieba's re_han_default keeps inside one block besides CJK.
_ASCII_BLOCK = re.compile(r"[a-zA-Z0-9+#&._%\-]+")


def fold_char(ch: str) -> str:
    """Lowercase one character, keeping it one character long (so offsets stay aligned)."""
    low = ch.lower()
    return low if len(low) == 1 else ch


def normalize(text: str) -> str:
    """Return the text as the char field sees it: whitespace removed, each char folded."""
    return "".join(fold_char(ch) for ch in text if not ch.isspace())


def _is_content(word: str) -> bool:
    """True if the token has a letter or digit (not only whitespace/punctuation/symbols)."""
    return any(ch.isalnum() for ch in word)


def _jieba_tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (word, start, end) exactly as jieba default mode (HMM on) would cut the text."""
    for word, start, end in rjieba.tokenize(text):
        if (
            len(word) > 1
            and _ASCII_BLOCK.fullmatch(word)
            and not _JIEBA_SKIP.fullmatch(word)
            and not rjieba.has_word(word)
        ):
            offset = start
            for piece in _JIEBA_SKIP.split(word):
                if piece:
                    yield piece, offset, offset + len(piece)
                    offset += len(piece)
        else:
            yield word, start, end


def jieba_words(text: str) -> list[str]:
    """Return the raw jieba default-mode words of text (punctuation and whitespace included)."""
    return [word for word, _, _ in _jieba_tokens(text)]


def word_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (lowercased word, start, end) for every content word of text."""
    for word, start, end in _jieba_tokens(text):
        if _is_content(word):
            yield word.lower(), start, end


def cut_words(text: str) -> list[str]:
    """Return the query-time words of text, with exactly the word analyzer's rules."""
    return [word for word, _, _ in word_spans(text)]


def char_tokens(text: str) -> list[str]:
    """Return the char field's terms for text: one folded token per non-whitespace char."""
    return [fold_char(ch) for ch in text if not ch.isspace()]


class _BaseTokenizer(Tokenizer):
    """Shared Whoosh plumbing: one reusable Token, positions and char offsets."""

    def spans(self, value: str) -> Iterator[tuple[str, int, int]]:
        """Yield (term, start, end) for value."""
        raise NotImplementedError

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        """Tokenize value the way Whoosh expects from any tokenizer."""
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            spans: Iterator[tuple[str, int, int]] = iter([(value, 0, len(value))])
        else:
            spans = self.spans(value)
        for pos, (text, start, end) in enumerate(spans, start_pos):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class JiebaWordTokenizer(_BaseTokenizer):
    """jieba default-mode words, lowercased, punctuation dropped, consecutive positions."""

    def spans(self, value: str) -> Iterator[tuple[str, int, int]]:
        """Yield the content words of value."""
        return word_spans(value)


class CharTokenizer(_BaseTokenizer):
    """One token per non-whitespace character; whitespace does not advance positions."""

    def spans(self, value: str) -> Iterator[tuple[str, int, int]]:
        """Yield every non-whitespace char of value, folded."""
        for i, ch in enumerate(value):
            if not ch.isspace():
                yield fold_char(ch), i, i + 1


def word_analyzer() -> JiebaWordTokenizer:
    """Return the analyzer for the ranked word fields."""
    return JiebaWordTokenizer()


def char_analyzer() -> CharTokenizer:
    """Return the analyzer for the exact-phrase char fields."""
    return CharTokenizer()
