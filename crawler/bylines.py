"""Bylines (署名), datelines (电头) and article kinds, parsed out of normalized body paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MARKS = "□■◆◇●○▲△"
# Han names are 2-4 characters; minority and foreign names join parts with a middle dot.
_CJK_NAME = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,6}[·•][\u4e00-\u9fff·•]{1,12})$")
_ROLE_PREFIX = re.compile(
    r"^(?:(?:本报|新华社|中新社|人民日报|本台|央视)?(?:特约|见习|实习|首席)?"
    r"(?:摄影记者|记者|通讯员|实习生|撰稿人|撰稿)|文/图|文／图|图/文|图／文|摄影)[:：]?|[文图][:：]"
)
_TRAILING_VERBS = {"报道", "摄", "摄影", "文", "图", "文/图", "撰文", "整理", "采写", "供图"}
_SEPARATORS = re.compile(r"[\s、;；]+")
_OPEN, _CLOSE = "（(", "）)"
_MAX_BYLINE = 48
_DATELINE = re.compile(
    r"^(?:"
    r"本报(?:[\u4e00-\u9fff]{1,4})?(?:\d{1,2}月\d{1,2}日)?讯"  # 本报讯 / 本报3月18日讯 / 本报北京3月18日讯
    r"|(?:本报|新华社|中新社|中新网|人民日报|[\u4e00-\u9fff]{2,6}社)[\u4e00-\u9fff]{1,6}\d{1,2}月\d{1,2}日电"
    r")"
)
_GUIDE_TITLES = re.compile(r"^(?:今日导读|本期导读|导读|要目|今日要目)$")
_AD = re.compile(r"广告")


@dataclass
class ArticleText:
    """A body split into what the paper printed around the text and the text itself."""

    byline: str = ""
    dateline: str = ""
    names: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


def parse_byline(text: str) -> list[str] | None:
    """The names in a byline ('□记者 仪博文 报道' → ['仪博文']), or None if text is not a byline."""
    text = text.strip()
    if not text or len(text) > _MAX_BYLINE:
        return None
    marked = text[0] in _MARKS
    core = text.lstrip(_MARKS + " ")
    if core[:1] in _OPEN and core[-1:] in _CLOSE:
        core, marked = core[1:-1].strip(), True
    names: list[str] = []
    has_role = False
    for token in _SEPARATORS.split(core):
        if not token:
            continue
        if token in _TRAILING_VERBS:
            has_role = True
            continue
        role = _ROLE_PREFIX.match(token)
        while role:
            has_role = True
            token = token[role.end():]
            role = _ROLE_PREFIX.match(token) if token else None
        if not token:
            continue
        if not _CJK_NAME.match(token):
            return None
        names.append(token)
    if not names or not (marked or has_role):
        return None
    return names


def normalize_author(author: str) -> str:
    """A site's author field as names joined by 、 ('本报记者 刘洋 孙晓' → '刘洋、孙晓')."""
    author = author.strip()
    names = parse_byline(author)
    if names is None:
        tokens = [t for t in _SEPARATORS.split(author) if t]
        names = tokens if tokens and all(_CJK_NAME.match(t) for t in tokens) else None
    return "、".join(names) if names else author


def _leading_bracket(text: str) -> tuple[str, str]:
    """Split a leading （…） group off text: ('（记者 X）', rest) or ('', text)."""
    if text[:1] not in _OPEN:
        return "", text
    end = min((i for i in (text.find("）"), text.find(")")) if i > 0), default=-1)
    if end < 0:
        return "", text
    return text[: end + 1], text[end + 1:].lstrip()


def split_article_text(paragraphs: list[str]) -> ArticleText:
    """Take the byline and dateline out of a body's paragraphs (they stay in `byline`/`dateline`)."""
    result = ArticleText(paragraphs=list(paragraphs))
    body = result.paragraphs
    # a byline paragraph before the text (the usual place), or as the last paragraph
    for index in (0, len(body) - 1):
        if body and 0 <= index < len(body) and (names := parse_byline(body[index])) is not None:
            result.byline, result.names = body.pop(index), names
            break
    if body:
        match = _DATELINE.match(body[0])
        if match:
            result.dateline = match.group(0)
            rest = body[0][match.end():].lstrip()
            bracket, after = _leading_bracket(rest)
            if bracket and not result.byline and (names := parse_byline(bracket)) is not None:
                result.byline, result.names, rest = bracket, names, after
            if rest:
                body[0] = rest
            else:
                body.pop(0)
    return result


def classify(title: str, body: str, page_name: str = "") -> str:
    """The kind of a record: 'ad', 'guide', 'notice' (no text) or 'article'."""
    if _AD.search(title) or _AD.search(page_name):
        return "ad"
    if _GUIDE_TITLES.match(title.strip()):
        return "guide"
    if not body.strip():
        return "notice"
    return "article"
