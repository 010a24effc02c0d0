"""Decode page bytes as the page really is: declared gb2312 means GB18030; a lying charset header is caught."""

from __future__ import annotations

import codecs
import re
import weakref
from functools import lru_cache

from w3lib.encoding import (
    html_body_declared_encoding,
    read_bom,
    resolve_encoding,
    to_unicode,
)

# Chinese e-papers that declare these mean a superset; decoding as the superset loses nothing.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030"}
# Valid UTF-8 with this many bytes beyond one per character (8 CJK characters) is UTF-8 whatever the
# declarations say: GBK text of that length is valid UTF-8 by chance about once in ten million.
_UTF8_EVIDENCE = 16
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.IGNORECASE)  # the name as sent, for the note
# UTF-16/32 markup has a NUL byte in every ASCII character; bytes without one in their first KiB are not.
_WIDE_SAMPLE = 1024


@lru_cache(maxsize=64)
def _codec(encoding: str | None) -> str | None:
    """The Python codec an encoding name decodes with (gb2312/gbk → gb18030), None if unknown or empty."""
    if not encoding:
        return None
    name = resolve_encoding(encoding) or encoding
    name = _SUPERSETS.get(name.lower(), name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


@lru_cache(maxsize=64)
def _single_byte(codec: str) -> bool:
    """Whether a codec maps every byte to one character (latin-1, cp1252…): it never fails, so proves nothing."""
    text = bytes(range(0x80, 0x100)).decode(codec, errors="replace")
    return len(text) == 0x80 and text.count("\ufffd") < 0x40


def _wide(codec: str) -> bool:
    """Whether a codec is UTF-16 or UTF-32 (not ASCII-compatible)."""
    return codec.startswith(("utf-16", "utf-32"))


def _decode(body: bytes, codec: str) -> str:
    """Bytes decoded with a known codec, undecodable sequences replaced by U+FFFD (as Scrapy does)."""
    return to_unicode(body, codec)


def _strict_utf8(body: bytes) -> str | None:
    """The body as UTF-8 if every byte sequence is valid and some are multi-byte, else None."""
    if body.isascii():
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _utf8_wins(body: bytes, text: str, first: str | None, declared: str | None) -> str | None:
    """Why valid multi-byte UTF-8 bytes are read as UTF-8 (None: not enough evidence to say so)."""
    if first == "utf-8":
        return "the bytes are valid UTF-8"
    if declared == "utf-8":
        return "the page declares utf-8 and the bytes are valid UTF-8"
    if first is None and declared is None:
        return "the bytes are valid UTF-8"
    if len(body) - len(text) >= _UTF8_EVIDENCE:
        return "the bytes are valid UTF-8"
    return None


def decode_page(body: bytes, first_choice: str | None, decoded: tuple[str, str] | None = None) -> tuple[str, str, str]:
    """(text, encoding, note) of HTML bytes; note is "" unless a declared charset was overridden.

    first_choice is the charset the server sent (or one chosen by the caller); the page's own meta
    declaration, a byte-order mark and the bytes themselves are weighed against it: a BOM wins; valid
    multi-byte UTF-8 wins when declared anywhere, or undeclared, or long enough to be no accident; a
    UTF-16/32 name over bytes without NULs is ignored; a single-byte charset (latin-1, cp1252: they decode
    anything) over non-ASCII bytes is tried last. Then the first of first choice, page declaration,
    GB18030, UTF-8 that decodes without U+FFFD wins, else the one with the fewest. encoding is the Python
    codec name used ('gb18030', 'utf-8'…); note says e.g. "header charset utf-16 overridden by gb18030:
    the bytes are not UTF-16". decoded = (codec, text) already decoded by the caller, reused if chosen.
    Never raises for any bytes or name (unknown charset names are skipped).
    """
    bom, mark = read_bom(body)
    first = _codec(first_choice)
    if bom:
        codec = _codec(bom) or "utf-8"
        return _decode(body[len(mark):], codec), codec, _note(first_choice, first, codec, "byte-order mark")
    declared_name = html_body_declared_encoding(body)
    declared = _codec(declared_name)
    reasons: dict[str, str] = {}
    for name in (first, declared):
        if name and _wide(name) and b"\x00" not in body[:_WIDE_SAMPLE]:
            reasons[name] = f"the bytes are not {name.upper()}"
    if first in reasons:
        first = None
    if declared in reasons:
        declared = None
    utf8 = _strict_utf8(body)
    if utf8 is not None and (why := _utf8_wins(body, utf8, first, declared)):
        return utf8, "utf-8", _note(first_choice, _codec(first_choice), "utf-8", why, reasons)
    fallbacks = ("utf-8", "gb18030") if body.isascii() else ("gb18030", "utf-8")  # ASCII: any is right
    candidates = list(dict.fromkeys(c for c in (first, declared, *fallbacks) if c))
    if not body.isascii():  # a single-byte charset decodes anything: only a last resort
        candidates.sort(key=_single_byte)
    best: tuple[int, str, str] | None = None
    for codec in candidates:
        text = decoded[1] if decoded and decoded[0] == codec else _decode(body, codec)
        bad = text.count("\ufffd")
        if best is None or bad < best[0]:
            best = (bad, text, codec)
        if bad == 0:
            break
    assert best is not None  # the fallbacks are always candidates
    bad, text, codec = best
    why = _why(codec, bad, declared_name)
    return text, codec, _note(first_choice, _codec(first_choice), codec, why, reasons)


def _why(codec: str, bad: int, declared_name: str | None) -> str:
    """Why a codec was chosen over a declared charset: a reason found earlier, or how it decodes."""
    if codec == _codec(declared_name):
        return f"the page's meta charset says {declared_name}"
    return f"it decodes cleanly as {codec}" if bad == 0 else "it has the fewest undecodable bytes"


def _note(name: str | None, codec: str | None, chosen: str, why: str, reasons: dict[str, str] | None = None) -> str:
    """The one-line note for a declared charset name that the chosen codec overrode; "" if it did not."""
    if not name or codec == chosen:
        return ""
    if codec is None:
        why = "unknown charset"
    elif reasons and codec in reasons:
        why = reasons[codec]
    elif _single_byte(codec):
        why = f"{name} is single-byte (it decodes any bytes); {why}"
    return f"charset {name} overridden by {chosen}: {why}"


def decode_html(body: bytes, first_choice: str | None) -> tuple[str, str]:
    """(text, encoding): decode_page without the note."""
    text, codec, _ = decode_page(body, first_choice)
    return text, codec


def response_decoding(response: object) -> tuple[str, str, str]:
    """(text, encoding, note) of a Scrapy text response, its Content-Type charset weighed as decode_page says.

    The note names the header charset that was overridden ("" if the header was followed or absent), so the
    caller can log and count it. Scrapy's own decoding is reused when it is the one chosen.
    """
    try:
        return _DECODED[response]
    except (KeyError, TypeError):  # TypeError: an object that can't be weakly referenced (test doubles)
        pass
    decoded = _decode_response(response)
    try:
        _DECODED[response] = decoded
    except TypeError:
        pass
    return decoded


# The spider checks a page's decoding and then hands it to an extractor, which reads it again: decode once.
_DECODED: weakref.WeakKeyDictionary[object, tuple[str, str, str]] = weakref.WeakKeyDictionary()


def _decode_response(response: object) -> tuple[str, str, str]:
    """response_decoding without the per-response memo."""
    content_type = response.headers.get(b"Content-Type") or b""  # type: ignore[attr-defined]
    header = _CHARSET.search(content_type.decode("latin-1"))
    # without a header charset, an encoding= given to the response when it was made is the first choice
    first_choice = header.group(1) if header else getattr(response, "_encoding", None)
    text = response.text  # type: ignore[attr-defined]
    codec = _codec(response.encoding)  # type: ignore[attr-defined]
    if codec == "utf-8" and _codec(first_choice) in (None, "utf-8") and "\ufffd" not in text:
        return text, codec, ""  # valid UTF-8 read as the header says (or detected): nothing can beat it
    text, codec, note = decode_page(response.body, first_choice, (codec, text) if codec else None)  # type: ignore[attr-defined]
    return text, codec, f"header {note}" if note and header else note


def response_text(response: object) -> str:
    """The text of a Scrapy response, decoded as the page really is (see response_decoding)."""
    return response_decoding(response)[0]
