"""Whoosh analyzers: jieba words for ranking, single characters for exact phrases.

The word analyzer uses rjieba (fast Rust port of jieba).  Its default-mode
output equals ``jieba.lcut(text)`` except for one class of tokens: ASCII runs
joined by ``-``/``_``/several dots ("2024-2026", "e-mail", "1.2.3"), which
rjieba keeps whole and jieba splits with its HMM fallback regex.  We re-split
those the way jieba does, so index-time and query-time words are the
jieba words (tests/test_analyzers.py checks the identity).


Traditional and simplified Chinese, and variant forms, match each other: every
CJK character is mapped to one representative (``to_simplified``), one character
at a time, before both analyzers and before query terms are cut.  The map is
OpenCC's variant dictionaries (Hong Kong and Taiwan variants to OpenCC's
standard forms: 衞→衛, 著→着; Japanese old forms that are not ordinary Chinese
characters: 硏→研) followed by its t2s table (衛→卫), see ``_compute_t2s``.
The mapping is context-free and length-preserving, so char positions and
offsets stay aligned with the stored (as printed) text and phrases stay exact;
OpenCC's phrase-level conversions (which can depend on neighbours) are not
applied.  A user dictionary (jieba format) may be active: see ``use_userdict``.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh.analysis import Token, Tokenizer

from indexer.errors import EpaperIndexError

# jieba's finalseg.re_skip: how jieba splits an unknown ASCII run.
_JIEBA_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
# Characters jieba's re_han_default keeps inside one block besides CJK.
_ASCII_BLOCK = re.compile(r"[a-zA-Z0-9+#&._%\-]+")


# CJK blocks whose characters go through OpenCC t2s.
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF))
_T2S: dict[str, str] | None = None


def _opencc_version() -> str | None:
    """OpenCC's installed version (None if unknown), from its dist-info folder's name when it sits beside the
    package (importlib.metadata's import alone costs a fresh search about 30 ms)."""
    import importlib.util

    spec = importlib.util.find_spec("opencc")
    found = list(Path(spec.origin).parent.parent.glob("[Oo]pen[Cc][Cc]-*.dist-info")) if spec and spec.origin else []
    if len(found) == 1:
        return found[0].name[len("opencc-") : -len(".dist-info")]
    try:
        from importlib.metadata import version

        return version("opencc")
    except Exception:  # pragma: no cover - metadata missing
        return None


def _t2s_cache_path() -> Path | None:
    """Where the computed t2s table is cached (per OpenCC version), or None if there is no cache dir."""
    opencc_version = _opencc_version()
    if opencc_version is None:
        return None
    base = os.environ.get("EPAPER_CACHE") or os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    if not base or base == "~/.cache":
        return None
    return Path(base) / "epaper" / f"t2s-opencc-{opencc_version}-v{FOLD_VERSION}.json"


# Bumped whenever the character map changes: an index records it and is refused with another one.
FOLD_VERSION = 2
# Variant pairs neither OpenCC nor Unihan's variant fields (Unicode 17) list: Kangxi-form 靑 (radical 174)
# next to 青.  Kept to what the issue asked for; each is tested not to be in OpenCC already.
EXTRA_VARIANTS = {"靑": "青"}
# OpenCC's Taiwan variants map 么 to 幺, two distinct characters in simplified text (什么 / 幺).
_NOT_FOLDED = frozenset("么")


def _convert_chars(config: str, chars: list[str]) -> dict[str, str]:
    """Run each char through one OpenCC config on its own; keep the one-char-for-one-char changes."""
    import opencc

    # Newlines keep OpenCC from applying multi-char phrase rules across neighbours.
    converted = opencc.OpenCC(config).convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - defensive
        raise RuntimeError(f"OpenCC {config} changed the number of lines")
    return {ch: out for ch, out in zip(chars, converted, strict=True) if out != ch and len(out) == 1}


def _compute_t2s() -> dict[str, str]:
    """Map every CJK char that has another form to its representative: variants, then t2s, to a fixed point.

    Variants: OpenCC hk2t and tw2t (regional variants to OpenCC's standard forms), and t2jp (Japanese
    old forms to new ones) only for old forms that are neither changed by t2s nor a word of jieba's
    dictionary (t2jp also maps ordinary Chinese characters such as 缺→欠, 豫→予), plus EXTRA_VARIANTS.
    """
    chars = [chr(code) for lo, hi in _CJK_RANGES for code in range(lo, hi + 1)]
    t2s = _convert_chars("t2s", chars)
    japanese = {old: new for old, new in _convert_chars("t2jp", chars).items()
                if old not in t2s and not DEFAULT_DICTIONARY.has_word(old)}
    steps = (_convert_chars("hk2t", chars), _convert_chars("tw2t", chars), japanese, EXTRA_VARIANTS, t2s)
    table = {}
    for ch in chars:
        if ch in _NOT_FOLDED:
            continue
        current = ch
        for _ in range(4):  # a variant's standard form may itself have a simplified form
            step = current
            for mapping in steps:
                step = mapping.get(step, step)
            if step == current:
                break
            current = step
        if current != ch:
            table[ch] = current
    return table


def t2s_table() -> dict[str, str]:
    """Return {char: representative} for every CJK char with a traditional or variant form (_compute_t2s).

    Computing it takes about a second, so it is cached on disk per OpenCC version
    ($EPAPER_CACHE, else $XDG_CACHE_HOME or ~/.cache, under epaper/); a missing or unreadable cache
    is recomputed.
    """
    global _T2S
    if _T2S is None:
        path = _t2s_cache_path()
        table = None
        if path is not None:
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict) and all(len(k) == 1 == len(v) for k, v in loaded.items()):
                    table = loaded
            except (OSError, ValueError):
                table = None
        if table is None:
            table = _compute_t2s()
            if path is not None:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                    tmp.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
                    os.replace(tmp, path)
                except OSError:
                    pass
        _T2S = table
    return _T2S


class _FoldTable(dict):
    """str.translate table: code point -> fold_char of it (filled on demand)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_char(chr(code))
        return folded


class _T2STable(dict):
    """str.translate table: code point -> its simplified form (filled on demand)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        mapped = self[code] = t2s_table().get(ch, ch)
        return mapped


FOLD_TABLE = _FoldTable()
T2S_TABLE = _T2STable()


def to_simplified(text: str) -> str:
    """Map every character to its simplified form, variants folded (one char for one char)."""
    return text.translate(T2S_TABLE)


def fold_char(ch: str) -> str:
    """Lowercase one character and map it to simplified Chinese (variants folded), keeping it one character long."""
    low = ch.lower()
    low = low if len(low) == 1 else ch
    return t2s_table().get(low, low)


def fold(text: str) -> str:
    """fold_char applied to every character of text (same length)."""
    return text.translate(FOLD_TABLE)


def normalize(text: str) -> str:
    """Return the text as the char field sees it: whitespace removed, each char folded."""
    # str.split() splits on exactly the characters str.isspace() is true for.
    return "".join(text.split()).translate(FOLD_TABLE)


# ---------------------------------------------------------------- user dictionary


@dataclass(frozen=True)
class UserDict:
    """A parsed jieba-format user dictionary: (word, freq, tag) entries and a digest of them."""

    entries: tuple[tuple[str, int, str], ...]
    digest: str
    source: str = ""


class UserDictError(EpaperIndexError, ValueError):
    """A user dictionary file is missing or malformed."""


def _userdict_lines(path: Path) -> list[str]:
    """The lines of a dictionary file in UTF-8 (a BOM is dropped) or, failing that, GB18030."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserDictError(f"cannot read user dictionary {path}: {exc.strerror or exc}") from None
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding).splitlines()
        except UnicodeDecodeError:
            continue
    for line_no, line in enumerate(raw.splitlines(), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            raise UserDictError(f"{path}:{line_no}: user dictionary is neither UTF-8 nor GB18030; "
                                "save it as UTF-8") from None
    raise UserDictError(f"{path}: user dictionary is neither UTF-8 nor GB18030; save it as UTF-8")


def read_userdict(path: Path | str) -> UserDict:
    """Parse a jieba user dictionary (`word freq [tag]` per line; freq may be omitted, # comments), in UTF-8
    (with or without a BOM) or GB18030; UserDictError names the file and line of anything else."""
    path = Path(path)
    return parse_userdict(_userdict_lines(path), str(path))


def parse_userdict(lines: list[str], source: str) -> UserDict:
    """A UserDict from a dictionary's lines (source names it in errors and in the result)."""
    entries = []
    for line_no, line in enumerate(lines, 1):
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        if len(parts) > 3 or (len(parts) >= 2 and not parts[1].isdigit()):
            raise UserDictError(f"{source}:{line_no}: expected `word freq [tag]`, got {line.strip()!r}")
        freq = int(parts[1]) if len(parts) >= 2 else 0
        entries.append((to_simplified(parts[0]), freq, parts[2] if len(parts) == 3 else ""))
    payload = "\n".join(f"{w} {f} {t}" for w, f, t in entries)
    return UserDict(tuple(entries), hashlib.sha1(payload.encode()).hexdigest()[:16], source)


def userdict_text(userdict: UserDict) -> str:
    """The dictionary as a UTF-8 jieba file's text (the copy an index keeps)."""
    return "".join(f"{w} {f} {t}".rstrip() + "\n" for w, f, t in userdict.entries)


class _DefaultDictionary:
    """rjieba's module functions (its default dictionary), imported on first use: loading the dictionary is
    most of a fresh search's start-up, and a quoted phrase needs no word splitting."""

    def __getattr__(self, name: str):
        import rjieba

        value = getattr(rjieba, name)
        setattr(self, name, value)
        return value


DEFAULT_DICTIONARY = _DefaultDictionary()
_SEGMENTERS: dict[str, object] = {}
_active: object = DEFAULT_DICTIONARY
_active_digest = ""


def make_segmenter(userdict: UserDict | None):
    """Return an rjieba segmenter with the default dictionary plus userdict (cached per digest)."""
    if userdict is None or not userdict.entries:
        return DEFAULT_DICTIONARY
    if userdict.digest not in _SEGMENTERS:
        import rjieba

        segmenter = rjieba.Jieba()
        for word, freq, tag in userdict.entries:
            # freq 0 = let jieba suggest one that keeps the word whole (as jieba.add_word does)
            segmenter.add_word(word, freq or suggest_freq(word), tag or None)
        _SEGMENTERS[userdict.digest] = segmenter
    return _SEGMENTERS[userdict.digest]


def suggest_freq(word: str) -> int:
    """jieba's suggest_freq(word, tune=False) for the default dictionary."""
    import jieba

    jieba.setLogLevel(60)
    return jieba.suggest_freq(word, False)


def use_userdict(userdict: UserDict | None) -> None:
    """Make userdict (None = none) the dictionary of the word analyzer and of query-time cutting."""
    global _active, _active_digest
    _active = make_segmenter(userdict)
    _active_digest = userdict.digest if userdict and userdict.entries else ""


def active_userdict_digest() -> str:
    """Digest of the active user dictionary ("" for none)."""
    return _active_digest


def _is_content(word: str) -> bool:
    """True if the token has a letter or digit (not only whitespace/punctuation/symbols)."""
    return any(ch.isalnum() for ch in word)


def _jieba_tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (word, start, end) exactly as jieba default mode (HMM on) would cut the text."""
    segmenter = _active
    for word, start, end in segmenter.tokenize(text):
        if (
            len(word) > 1
            and _ASCII_BLOCK.fullmatch(word)
            and not _JIEBA_SKIP.fullmatch(word)
            and not segmenter.has_word(word)
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
    """Yield (lowercased word, start, end) for every content word of text (cut after t2s mapping)."""
    for word, start, end in _jieba_tokens(to_simplified(text)):
        if _is_content(word):
            yield word.lower(), start, end


def cut_words(text: str) -> list[str]:
    """Return the query-time words of text, with exactly the word analyzer's rules."""
    return [word for word, _, _ in word_spans(text)]


def char_tokens(text: str) -> list[str]:
    """Return the char field's terms for text: one folded token per non-whitespace char."""
    return list(normalize(text))


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
