"""Text normalization shared by every platform: one tested function, used by the pipeline."""

from __future__ import annotations

import html
import re

# A paragraph boundary that cannot occur in page text (U+2029 PARAGRAPH SEPARATOR).
_PARA = "\u2029"
_BLOCK_TAG = re.compile(r"<\s*(?:br|/?p|/?div|/?tr|/?li|/?h[1-6])\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# A raw line break followed by the full-width indent starts a new paragraph (plain-text pages).
_INDENTED_BREAK = re.compile(r"\n[ \t]*[\u3000]+")
_SOFT_BREAK = re.compile(r"[ \t\u3000\xa0]*\r?\n[ \t\u3000\xa0]*")
_SPACES = re.compile(r"[\s\u3000\xa0]+")
_LATIN_BREAK = re.compile(r"(?<=[A-Za-z])[ \t\u3000\xa0]*\r?\n[ \t\u3000\xa0]*(?=[A-Za-z])")
# Text with none of these is already normalized (the pipeline sees mostly such text: skip the work).
_NEEDS_WORK = re.compile(r"[<&]|[^\S ]|  |^ | $")


def _join_wrapped(paragraph: str) -> str:
    """Join hard-wrapped lines: nothing between CJK text or digits, one space between two Latin words."""
    return _SOFT_BREAK.sub("", _LATIN_BREAK.sub(" ", paragraph))


def normalize_paragraphs(raw: str) -> list[str]:
    """Split raw page text or HTML into clean paragraphs (entities decoded, wraps joined)."""
    text = _COMMENT.sub("", raw)
    text = _BLOCK_TAG.sub(_PARA, text)
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INDENTED_BREAK.sub(_PARA, text)
    paragraphs = []
    for chunk in text.split(_PARA):
        chunk = _SPACES.sub(" ", _join_wrapped(chunk.strip(" \t\n\u3000\xa0"))).strip()
        if chunk:
            paragraphs.append(chunk)
    return paragraphs


def normalize_text(raw: str) -> str:
    """Normalize raw text or an HTML fragment to paragraphs joined by a newline."""
    return "\n".join(normalize_paragraphs(raw))


def normalize_inline(raw: str) -> str:
    """Normalize a one-line field (title, author): like normalize_text, but on one line."""
    if not _NEEDS_WORK.search(raw):
        return raw
    return " ".join(normalize_paragraphs(raw))


def normalize_body(body: str) -> str:
    """Clean a body whose paragraphs are already one per line (idempotent on normalized text)."""
    return "\n".join(p for line in body.split("\n") if (p := normalize_inline(line)))
