"""Decode page bytes as the page really is: declared gb2312 means GB18030; a lying charset header is caught."""

from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, resolve_encoding

# Chinese e-papers that declare these mean a superset; decoding as the superset loses nothing.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030"}


def _decode(body: bytes, encoding: str) -> str | None:
    """Bytes decoded with an encoding, undecodable sequences replaced (None for unknown encodings)."""
    name = resolve_encoding(encoding) or encoding
    name = _SUPERSETS.get(name.lower(), name)
    try:
        return body.decode(name, errors="replace")
    except LookupError:
        return None


def decode_html(body: bytes, first_choice: str | None) -> tuple[str, str]:
    """(text, encoding): the first choice (header or detected charset) unless another decodes cleaner.

    Candidates after the first choice: the charset the page itself declares, GB18030, UTF-8; the one
    with the fewest undecodable sequences wins, ties going to the earlier candidate.
    """
    candidates = [c for c in (first_choice, html_body_declared_encoding(body), "gb18030", "utf-8") if c]
    best: tuple[int, str, str] | None = None
    for encoding in dict.fromkeys(candidates):
        text = _decode(body, encoding)
        if text is None:
            continue
        bad = text.count("\ufffd")
        if best is None or bad < best[0]:
            best = (bad, text, encoding)
        if bad == 0:
            break
    return (best[1], best[2]) if best else (body.decode("utf-8", errors="replace"), "utf-8")


def response_text(response: object) -> str:
    """The text of a Scrapy response, re-decoded when its charset produced undecodable sequences."""
    text = response.text  # type: ignore[attr-defined]
    if "\ufffd" not in text:
        return text
    return decode_html(response.body, response.encoding)[0]  # type: ignore[attr-defined]
