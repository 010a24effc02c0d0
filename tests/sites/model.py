"""What every fixture site is made of: articles as the paper printed them, and the records a perfect
crawl must produce from them. Builders render `printed_paragraphs`; tests expect `article_fields`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SENTENCE_END = "。！？!?…"
CLOSERS = "”’」』）)"


@dataclass
class Article:
    """One article as printed. `paragraphs` are clean text without byline, dateline or jump markers."""

    key: str  # the site's article id, as it appears in the article URL
    title: str
    paragraphs: list[str]
    pretitle: str = ""  # 引题
    subtitle: str = ""  # 副题
    authors: list[str] = field(default_factory=list)  # the people, in order
    site_author: str = ""  # what the page's author field shows ("" when only the byline names them)
    byline: str = ""  # the printed byline paragraph, e.g. "□记者 仪博文 报道"
    dateline: str = ""  # printed at the start of the first paragraph, e.g. "本报3月18日讯"
    images: list[tuple[str, str]] = field(default_factory=list)  # (src relative to site root, caption)
    jump_to: str = ""  # "第二版" renders "（下转第二版）" after the last paragraph
    jump_from: str = ""  # "第一版" renders "（上接第一版）" before the first paragraph
    continues: str = ""  # key of the other part of a continued article (both parts set it)
    kind: str = "article"  # "article", "guide", "ad" or "notice"


@dataclass
class Page:
    """One 版面 of an issue."""

    node: str  # the page's file name, e.g. node_2.htm / node_01.html / nbs.D110000renmrb_01.htm
    page_no: str  # as printed: "01", "A03"
    page_name: str
    articles: list[Article]
    guide: list[str] = field(default_factory=list)  # 今日导读 items shown on the page (not articles)
    pdf: bool = True


@dataclass
class Issue:
    """One day's paper."""

    date: str  # YYYY-MM-DD
    pages: list[Page]
    enpproperty: bool = True


def printed_paragraphs(article: Article) -> list[str]:
    """The body paragraphs as the page prints them: byline, dateline, jump markers included."""
    paragraphs = list(article.paragraphs)
    if article.dateline and paragraphs:
        paragraphs[0] = f"{article.dateline} {paragraphs[0]}"
    if article.jump_from and paragraphs:
        paragraphs[0] = f"（上接{article.jump_from}）{paragraphs[0]}"
    if article.jump_to and paragraphs:
        paragraphs[-1] = f"{paragraphs[-1]}（下转{article.jump_to}）"
    return ([article.byline] if article.byline else []) + paragraphs


def join_parts(first: str, second: str) -> str:
    """Two halves of a continued article: a paragraph break only where the first half ends a sentence."""
    last = first.rstrip()[-2:]
    ends = bool(last) and (last[-1] in SENTENCE_END or (last[-1] in CLOSERS and last[:1] in SENTENCE_END))
    return first + ("\n" if ends else "") + second


def article_id(paper: str, date: str, key: str) -> str:
    """The archive id of an article."""
    return f"{paper}-{date.replace('-', '')}-{key}"


def article_fields(article: Article, issue: Issue, paper: str) -> dict:
    """The text fields the archive record of an article must have (everything but URLs and page)."""
    by_key = {a.key: a for p in issue.pages for a in p.articles}
    other = by_key.get(article.continues)
    body = "\n".join(article.paragraphs)
    first_part = bool(other) and bool(article.jump_to)
    second_part = bool(other) and bool(article.jump_from)
    return {
        "kind": article.kind,
        "pretitle": article.pretitle,
        "title": article.title,
        "subtitle": article.subtitle,
        "author": "、".join(article.authors),
        "byline": article.byline,
        "dateline": article.dateline,
        "body": body,
        "jump_to": article.jump_to,
        "jump_from": article.jump_from,
        "continued_on": article_id(paper, issue.date, other.key) if first_part else "",
        "continued_from": article_id(paper, issue.date, other.key) if second_part else "",
        "full_body": join_parts(body, "\n".join(other.paragraphs)) if first_part else "",
    }
