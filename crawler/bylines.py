"""Bylines (署名), datelines (电头) and article kinds, parsed out of normalized body paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MARKS = "□■◆◇●○▲△"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
# Han names are 2-4 characters; minority and foreign names join parts with a middle dot.
_CJK_NAME = re.compile(rf"^(?:[{_HAN}]{{2,4}}|[{_HAN}]{{1,6}}[·•・‧][{_HAN}·•・‧]{{1,12}})$")
# A paper, agency or station as bylines and datelines print it: 本报, 新华社, 湖北日报, 楚天都市报, 央视新闻…
_ORG = (rf"(?:本报|本台|本刊|本网|央视|[{_HAN}]{{1,8}}?"
        r"(?:日报|晚报|早报|晨报|商报|时报|报社|报|通讯社|社|电视台|总台|台|网|新闻|客户端|融媒体中心))")
# 湖北日报全媒记者, 本报驻京记者, 本报见习记者, 新华社记者, 通讯员, 本报特约评论员…
_ROLE = (rf"(?:{_ORG})?(?:驻[{_HAN}]{{1,4}}?)?(?:全媒体|全媒|融媒体|融媒|新媒体)?(?:特约|见习|实习|首席)?"
         r"(?:摄影记者|摄像记者|记者|通讯员|实习生|撰稿人|撰稿|评论员)")
_ROLE_PREFIX = re.compile(rf"^(?:{_ROLE}|文/图|文／图|图/文|图／文|摄影)[:：]?|^[文图][:：]")
# A collective signature is the byline and the author by itself: 本报评论员, 湖北日报评论员, 新华社评论员.
_COLLECTIVE = re.compile(rf"^{_ORG}(?:特约)?(?:评论员|评论部|编辑部)$")
_TRAILING_VERBS = {"报道", "摄", "摄影", "文", "图", "文/图", "撰文", "整理", "采写", "供图"}
_GLUED_VERB = re.compile(r"(?:摄|报道)$")  # 张三摄: the name is what stays before it (names rarely end so)
# What follows 记者 in column labels and sentences (记者手记, 记者获悉), never a name.
_NOT_NAMES = frozenset(
    "文章 手记 观察 调查 获悉 了解 了解到 发现 注意到 采访 走访 探访 体验 连线 追踪 来信 随笔 札记 看到".split())
_SEPARATORS = re.compile(r"[\s、;；]+")
_OPEN, _CLOSE = "（(", "）)"
_MAX_BYLINE = 48
_DATE = r"[0-9０-９]{1,2}月[0-9０-９]{1,2}日"
_PLACE = rf"[{_HAN}]{{1,6}}?"
# Not 本报通讯员…, not 新华社电视…: these continue a word, not a dateline.
_DATELINE_CORE = (
    rf"(?:{_ORG}(?:{_PLACE}{_DATE}|{_DATE})?讯"  # 本报讯 / 本报3月18日讯 / 湖北日报讯
    rf"|本报{_PLACE}讯"  # 本报北京讯
    rf"|{_ORG}(?:{_PLACE}{_DATE}|{_DATE})?电)(?![员录视话台力报])"  # 新华社北京3月18日电 / 新华社电
)
# 据人民日报 / 据《人民日报》 (a source without 电) only as a whole or before a space: 据人民日报报道，… is a sentence.
_SOURCE = rf"据《?{_ORG}》?"
_DATELINE = re.compile(rf"^(?:据?{_DATELINE_CORE}|{_SOURCE}(?=\s+(?!报道|消息|称)\S|$))")
_CLOSING_DATELINE = re.compile(rf"^(?:据?{_DATELINE_CORE}|{_SOURCE}(?:报道|消息)?)$")
_GUIDE_TITLES = re.compile(r"^(?:今日导读|本期导读|导读|要目|今日要目)$")
_AD = re.compile(r"广告")
# A paid notice is titled by its kind, last (…债权处置公告, 遗失声明, 公告（第3号）); a story about one
# says what happened to it (发布公告) or is a statement of state (联合声明, 外交部声明).
_NOTICE_TITLE = re.compile(
    r"(?:公告|通告|声明|启事|公示|讣告|告知书)\s*(?:[（(][^（）()]{0,16}[）)]|第?[0-9０-９一二三四五六七八九十]+号)?$")
_NOTICE_NEWS = re.compile(r"发布|公布|发出|发表|出台|印发|下发|解读|宣布|回应|(?:联合|政府|外交部|国防部|发言人)声明")


@dataclass
class ArticleText:
    """A body split into what the paper printed around the text and the text itself.

    printed_before / printed_after are the pieces taken off before and after the text, exactly as printed
    and in reading order: they and `paragraphs` together are the whole input.
    """

    byline: str = ""
    dateline: str = ""
    names: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    printed_before: list[str] = field(default_factory=list)
    printed_after: list[str] = field(default_factory=list)


def _byline_names(text: str) -> tuple[list[str], bool] | None:
    """(names, whether a role word was printed) of a byline, or None if text is not one."""
    text = text.strip()
    if not text or len(text) > _MAX_BYLINE:
        return None
    marked = text[0] in _MARKS
    core = text.lstrip(_MARKS + " ")
    if core[:1] in _OPEN and core[-1:] in _CLOSE:
        core = core[1:-1].strip()  # brackets alone are no mark: （全文完）, （新华社） are not bylines
    names: list[str] = []
    collective = ""
    has_role = False
    for token in _SEPARATORS.split(core):
        if not token:
            continue
        if token in _TRAILING_VERBS:
            has_role = True
            continue
        if _COLLECTIVE.match(token):
            collective, has_role = collective or token, True
            continue
        role = _ROLE_PREFIX.match(token)
        while role:
            has_role = True
            token = token[role.end():]
            role = _ROLE_PREFIX.match(token) if token else None
        if not token:
            continue
        if (glued := _GLUED_VERB.search(token)) and _CJK_NAME.match(token[: glued.start()]):
            token, has_role = token[: glued.start()], True
        if token in _NOT_NAMES or not _CJK_NAME.match(token):
            return None
        names.append(token)
    if not names and collective:
        names = [collective]
    if not names or not (marked or has_role):
        return None
    return names, has_role


def parse_byline(text: str) -> list[str] | None:
    """The names in a byline ('□记者 仪博文 报道' → ['仪博文']), or None if text is not a byline.

    A collective signature is its own name ('□ 湖北日报评论员' → ['湖北日报评论员']).
    """
    parsed = _byline_names(text)
    return parsed[0] if parsed else None


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


def _trailing_bracket(text: str) -> tuple[str, str]:
    """Split a closing （…） group off text: (rest, '（记者 X 摄）') or (text, '')."""
    if text[-1:] not in _CLOSE:
        return text, ""
    start = max(text.rfind("（"), text.rfind("("))
    if start < 0 or any(c in _CLOSE for c in text[start:-1]):
        return text, ""
    return text[:start].rstrip(), text[start:]


def _closing_dateline(text: str) -> str:
    """The dateline of a closing （据新华社北京2月10日电） group, brackets off; "" if it is none."""
    if text[:1] not in _OPEN or text[-1:] not in _CLOSE:
        return ""
    inner = text[1:-1].strip()
    return inner if _CLOSING_DATELINE.match(inner) else ""


def _closing(last: str) -> tuple[str, str, str, list[str]] | None:
    """(rest of the paragraph, piece as printed, dateline, names) of a byline or dateline ending it; None: none."""
    rest, group = _trailing_bracket(last)
    pieces = [(last, False)] + ([(group, True)] if group and rest else [])
    for piece, inside in pieces:
        if dateline := _closing_dateline(piece):
            return (rest if inside else ""), piece, dateline, []
        parsed = _byline_names(piece)
        # a group inside a paragraph is a byline only with a role word: （张三） could be anything
        if parsed and (parsed[1] or not inside):
            return (rest if inside else ""), piece, "", parsed[0]
    return None


def split_article_text(paragraphs: list[str]) -> ArticleText:
    """Take the byline and dateline out of a body's paragraphs (they stay in `byline`/`dateline`).

    Before the text: a byline paragraph, then a dateline starting the first paragraph (本报讯, 新华社北京
    3月18日电, 据新华社电, 据人民日报), then a bracketed byline right after it. After the text: up to three
    closing bylines or datelines — a last paragraph, or a bracketed group that ends it (（湖北日报全媒记者
    张三 摄）, （据新华社北京2月10日电）). Several bylines or datelines are joined with a space; names
    are collected in order, each once.
    """
    result = ArticleText(paragraphs=list(paragraphs))
    body = result.paragraphs
    bylines: list[str] = []
    datelines: list[str] = []
    if body and (names := parse_byline(body[0])) is not None:
        bylines.append(body.pop(0))
        result.names = names
        result.printed_before.append(bylines[0])
    if body and (match := _DATELINE.match(body[0])):
        datelines.append(match.group(0))
        result.printed_before.append(match.group(0))
        rest = body[0][match.end():].lstrip()
        bracket, after = _leading_bracket(rest)
        if bracket and not bylines and (names := parse_byline(bracket)) is not None:
            bylines.append(bracket)
            result.names = names
            result.printed_before.append(bracket)
            rest = after
        if rest:
            body[0] = rest
        else:
            body.pop(0)
    closing: list[tuple[str, str, list[str]]] = []
    while body and len(closing) < 3 and (found := _closing(body[-1])):
        rest, piece, dateline, names = found
        closing.insert(0, (piece, dateline, names))
        if rest:
            body[-1] = rest
        else:
            body.pop()
    for piece, dateline, names in closing:
        result.printed_after.append(piece)
        if dateline:
            datelines.append(dateline)
        else:
            bylines.append(piece)
            result.names.extend(n for n in names if n not in result.names)
    result.byline = " ".join(bylines)
    result.dateline = " ".join(datelines)
    return result


def classify(title: str, body: str, page_name: str = "") -> str:
    """The kind of a record: 'guide', 'notice' (a paid notice by its title, or no text), 'ad' or 'article'."""
    title = title.strip()
    if _GUIDE_TITLES.match(title):
        return "guide"
    if _NOTICE_TITLE.search(title) and not _NOTICE_NEWS.search(title):
        return "notice"
    if _AD.search(title) or _AD.search(page_name):
        return "ad"
    if not body.strip():
        return "notice"
    return "article"
