"""Articles continued on another page: （下转第二版） … （上接第一版）. Find the markers, link the halves."""

from __future__ import annotations

import re
from typing import Any

from crawler.archive import page_sort_key

_LABEL = r"第?\s*[A-Za-z]?\s*[0-9０-９一二三四五六七八九十百零〇]+\s*版"
_JUMP_TO = re.compile(rf"[（(]\s*(?:下转|转)\s*({_LABEL})\s*[）)]\s*$")
_JUMP_FROM = re.compile(rf"^\s*[（(]\s*(?:上接|接)\s*({_LABEL})\s*[）)]")
_NUMERALS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SENTENCE_END = "。！？!?…"
CLOSERS = "”’」』）)"


def chinese_number(text: str) -> int:
    """A Chinese numeral below 1000 as an int ('十二' → 12, '二十' → 20, '一百零五' → 105)."""
    total, digit = 0, 0
    for char in text:
        if char in _NUMERALS:
            digit = _NUMERALS[char]
        elif char == "十":
            total += (digit or 1) * 10
            digit = 0
        elif char == "百":
            total += (digit or 1) * 100
            digit = 0
    return total + digit


def label_page(label: str) -> tuple[str, int]:
    """The page a jump label points at, comparable with page_sort_key: '第二版' → ('', 2), 'A3版' → ('A', 3)."""
    core = re.sub(r"[第版\s]", "", label).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    prefix = core[:1].upper() if core[:1].isascii() and core[:1].isalpha() else ""
    number = core[len(prefix):]
    return prefix, int(number) if number.isdigit() else chinese_number(number)


def strip_jump_markers(paragraphs: list[str]) -> tuple[list[str], str, str]:
    """Remove （下转…） from the end and （上接…） from the start; return (paragraphs, jump_to, jump_from)."""
    body = list(paragraphs)
    jump_to = jump_from = ""
    if body and (match := _JUMP_TO.search(body[-1])):
        jump_to = re.sub(r"\s", "", match.group(1))
        body[-1] = body[-1][: match.start()].rstrip()
        if not body[-1]:
            body.pop()
    # a byline paragraph may stand before the marker
    for index, paragraph in enumerate(body[:2]):
        if match := _JUMP_FROM.match(paragraph):
            jump_from = re.sub(r"\s", "", match.group(1))
            body[index] = paragraph[match.end():].lstrip()
            if not body[index]:
                body.pop(index)
            break
    return body, jump_to, jump_from


def join_parts(first: str, second: str) -> str:
    """Both halves in order: a paragraph break only where the first half ends a sentence."""
    tail = first.rstrip()[-2:]
    ends = bool(tail) and (tail[-1] in SENTENCE_END or (tail[-1] in CLOSERS and tail[:1] in SENTENCE_END))
    return first + ("\n" if ends else "") + second


def _title_affinity(a: str, b: str) -> int:
    """How surely two titles name the same article: 3 equal, 2 one contains the other, 1 similar, 0 not."""
    if a == b:
        return 3
    if a and b and (a in b or b in a):
        return 2
    common = set(a) & set(b)
    return 1 if a and b and len(common) * 2 >= min(len(set(a)), len(set(b))) else 0


def _page_key(page_no: str) -> tuple[str, int]:
    """A printed page number in the same shape as label_page."""
    prefix, number, _ = page_sort_key(page_no)
    return prefix, number


def link_continuations(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Link the halves of continued articles within one issue (in place; returns the records).

    A first half (jump_to) is linked to the article on the page it names whose jump_from names the
    first half's page, preferring the closest title; with a single such candidate, titles may differ.
    """
    articles = [r for r in records if r.get("type") == "article"]
    for record in articles:
        record["continued_on"] = record["continued_from"] = record["full_body"] = ""
    seconds = [r for r in articles if r.get("jump_from")]
    for first in (r for r in articles if r.get("jump_to")):
        target = label_page(first["jump_to"])
        candidates = [s for s in seconds if not s["continued_from"] and s is not first
                      and _page_key(s.get("page_no", "")) == target
                      and label_page(s["jump_from"]) == _page_key(first.get("page_no", ""))]
        ranked = sorted(candidates, key=lambda s: (-_title_affinity(first.get("title", ""), s.get("title", "")),
                                                   s.get("position", 0)))
        if not ranked or (len(ranked) > 1 and _title_affinity(first.get("title", ""), ranked[0]["title"]) == 0):
            continue
        second = ranked[0]
        first["continued_on"], second["continued_from"] = second["id"], first["id"]
        first["full_body"] = join_parts(first.get("body", ""), second.get("body", ""))
    return records
