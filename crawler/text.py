"""Text normalization shared by every platform: one tested function, used by the pipeline."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from lxml import etree

# A paragraph boundary that cannot occur in page text (U+2029 PARAGRAPH SEPARATOR).
_PARA = "\u2029"
_BLOCK_TAG = re.compile(r"<\s*(?:br|/?p|/?div|/?tr|/?li|/?h[1-6])\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# A raw line break followed by the full-width indent starts a new paragraph (plain-text pages).
_INDENTED_BREAK = re.compile(r"\n[ \t]*[\u3000]+")
_SPACES_IN_PARAGRAPH = re.compile(r"[^\S\u2029]+")  # any whitespace run (\u3000 and \xa0 are \s) but _PARA
# The spaces a line break takes with it when hard-wrapped lines are joined; Latin letters keep one space between.
_WRAP_SPACE = " \t\u3000\xa0"
_LATIN_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# Text with none of these is already normalized (the pipeline sees mostly such text: skip the work).
_NEEDS_WORK = re.compile(r"[<&]|[^\S ]|  |^ | $")
# element_paragraphs reads a tree as normalize_paragraphs reads its HTML: these tag names (by _BLOCK_TAG's rule)
# start or end a paragraph; libxml2's HTML serializer writes the void ones without content or end tag, and
# script / style text unescaped (where the regexes would see markup: those elements take the HTML route).
_BLOCK_START = re.compile(r"(?:br|p|div|tr|li|h[1-6])\b", re.IGNORECASE)
_BLOCK_END = re.compile(r"(?:p|div|tr|li|h[1-6])\b", re.IGNORECASE)
_VOID = frozenset(("area", "base", "basefont", "br", "col", "frame", "hr", "img", "input", "isindex", "link",
                   "meta", "param"))
_RAW_TEXT = frozenset(("script", "style"))


def _join_wrapped(text: str) -> str:
    """Join hard-wrapped lines (no \\r left): nothing between CJK text or digits, one space between Latin words."""
    # Line by line rather than by regex: a pattern for "spaces, break, spaces" is tried at every character,
    # which cost more than all the rest of the splitting.
    if "\n" not in text:
        return text
    lines = text.split("\n")
    last = len(lines) - 1
    joined: list[str] = []
    previous = ""
    for number, line in enumerate(lines):
        if number == 0:
            line = line.rstrip(_WRAP_SPACE)
        else:
            line = line.strip(_WRAP_SPACE) if number < last else line.lstrip(_WRAP_SPACE)
            if line and previous and previous[-1] in _LATIN_LETTERS and line[0] in _LATIN_LETTERS:
                joined.append(" ")
        joined.append(line)
        previous = line
    return "".join(joined)


def normalize_paragraphs(raw: str) -> list[str]:
    """Split raw page text or HTML into clean paragraphs (entities decoded, wraps joined)."""
    return _split_paragraphs(_marked_html(raw))


def _split_paragraphs(text: str) -> list[str]:
    """Clean paragraphs of decoded text whose block boundaries are marked with U+2029."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INDENTED_BREAK.sub(_PARA, text)
    # Wraps are joined and spaces collapsed in one pass over all paragraphs: neither step crosses a
    # boundary mark, and what they do next to one is whitespace that each paragraph's strip() drops anyway.
    text = _SPACES_IN_PARAGRAPH.sub(" ", _join_wrapped(text))
    return [paragraph for chunk in text.split(_PARA) if (paragraph := chunk.strip())]


@lru_cache(maxsize=1024)
def _tag_kind(tag: str) -> tuple[bool, bool, bool] | None:
    """(starts a paragraph, ends one, is void) for a tag name; None if its HTML must be read instead."""
    name = tag.lower()
    if name in _RAW_TEXT or "<" in name or "{" in name:
        return None  # script / style text is written unescaped; a "<" in a name would be too
    return bool(_BLOCK_START.match(name)), bool(_BLOCK_END.match(name)), name in _VOID


def _marked_text(element: Any, parts: list[str]) -> bool:
    """Append an element's text, U+2029 at its block tags, as its serialized HTML reads (False: unsure)."""
    tag = element.tag
    if not isinstance(tag, str):
        return tag is etree.Comment  # a comment says nothing; processing instructions and the like: unsure
    kind = _tag_kind(tag)
    if kind is None:
        return False
    for key in element.keys():
        if "<" in key:  # an attribute name is written as is: a "<" in it would look like a tag
            return False
    starts, ends, void = kind
    if starts:
        parts.append(_PARA)
    if void:
        return not (element.text or len(element))  # the serializer would drop what a void element holds
    if element.text:
        parts.append(element.text)
    for child in element:
        if not _marked_text(child, parts):
            return False
        if child.tail:
            parts.append(child.tail)
    if ends:
        parts.append(_PARA)
    return True


def _marked_html(raw: str) -> str:
    """Raw text or HTML decoded, its block tags turned into U+2029 and every other tag dropped."""
    text = _COMMENT.sub("", raw)
    text = _BLOCK_TAG.sub(_PARA, text)
    return html.unescape(_ANY_TAG.sub("", text))


def element_paragraphs(elements: Iterable[Any]) -> list[str]:
    """normalize_paragraphs of each lxml HTML element's HTML (without tail), concatenated; read from the trees."""
    parts: list[str] = []
    for element in elements:
        start = len(parts)
        parts.append(_PARA)  # elements apart, as in one document (splitting is per paragraph)
        if not _marked_text(element, parts):
            del parts[start + 1:]
            parts.append(_marked_html(etree.tostring(element, method="html", encoding="unicode", with_tail=False)))
        parts.append(_PARA)
    return _split_paragraphs("".join(parts))


def normalize_text(raw: str) -> str:
    """Normalize raw text or an HTML fragment to paragraphs joined by a newline."""
    return "\n".join(normalize_paragraphs(raw))


def _is_clean(raw: str) -> bool:
    """Whether _NEEDS_WORK finds nothing in a string (asked ~15 times per article: string tests first)."""
    # Every whitespace character but the space is unprintable, so printable text has none of [^\S ].
    if raw.isprintable():
        return not ("<" in raw or "&" in raw or "  " in raw or raw.startswith(" ") or raw.endswith(" "))
    return not _NEEDS_WORK.search(raw)


def normalize_inline(raw: str) -> str:
    """Normalize a one-line field (title, author): like normalize_text, but on one line."""
    if _is_clean(raw):
        return raw
    return " ".join(normalize_paragraphs(raw))


def normalize_body(body: str) -> str:
    """Clean a body whose paragraphs are already one per line (idempotent on normalized text)."""
    return "\n".join(p for line in body.split("\n") if (p := normalize_inline(line)))
