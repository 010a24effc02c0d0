"""Pure extraction, driven by a platform's selectors: response (URL + bytes) in, plain data out."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector
from scrapy.http import TextResponse

from crawler.encoding import response_text
from crawler.platforms.config import PlatformConfig, select
from crawler.text import element_paragraphs, normalize_inline, normalize_paragraphs

_PAGE_LABEL = re.compile(r"第?\s*([A-Za-z]*\d+[A-Za-z]?)\s*版\s*[:：]?\s*(.*)$")
_ENP_BLOCK = re.compile(r"<!--\s*enpproperty(.*?)/enpproperty\s*-->", re.DOTALL | re.IGNORECASE)
_ENP_FIELD = re.compile(r"<([a-z_]+)>(.*?)</\1>", re.DOTALL | re.IGNORECASE)
_AUTHOR_LABEL = re.compile(r"^(?:作者|记者|文)\s*[:：]\s*")
_TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL | re.IGNORECASE)
# A link that is a bare file name (content_1.htm): urljoin only replaces the base's last path segment with it.
_FILE_NAME = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\Z")


@dataclass
class PageLink:
    """A link to one page of the issue, as listed on every page."""

    url: str
    page_no: str
    page_name: str


@dataclass
class PageData:
    """What one page (版面) shows: its label, its files and its articles in reading order."""

    url: str
    date: str
    page_no: str
    page_name: str
    pdf_url: str
    image_url: str
    pages: list[PageLink]
    article_urls: list[str]
    guide: list[str] = field(default_factory=list)


@dataclass
class ArticleData:
    """The text fields of one article page, normalized."""

    url: str
    pretitle: str = ""
    title: str = ""
    subtitle: str = ""
    author: str = ""
    paragraphs: list[str] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    date: str = ""
    page_no: str = ""
    page_name: str = ""
    article_key: str = ""


# --- URLs -----------------------------------------------------------------------------------------


def date_from_url(url: str, cfg: PlatformConfig) -> str:
    """The issue date encoded in a page URL, as YYYY-MM-DD ('' if none or impossible)."""
    match = cfg.page_url_re.search(url)
    if not match:
        return ""
    try:
        return dt.date(int(match["yyyy"]), int(match["mm"]), int(match["dd"])).isoformat()
    except ValueError:
        return ""


def article_key(url: str, cfg: PlatformConfig) -> str:
    """The site's own id of an article URL ('' if the URL is not an article)."""
    match = cfg.article_url_re.search(url.split("#")[0])
    return match["key"] if match else ""


# --- helpers --------------------------------------------------------------------------------------
# Selectors run as compiled lxml XPath on the parsed tree (PlatformConfig.queries), which gives what parsel's
# Selector.xpath / .css would select without wrapping every node in a Selector.

_TEXT_NODES = etree.XPath(".//text()", smart_strings=False)
_PARAGRAPHS = etree.XPath(".//p")


def _root(html: str) -> Any:
    """The lxml root of a page, parsed exactly as parsel parses it."""
    return Selector(text=html).root


def _node_text(node: Any) -> str:
    """All text under a selected node; '' for a selected string or number (parsel finds no text nodes in one)."""
    return "".join(_TEXT_NODES(node)) if etree.iselement(node) else ""


def _text_of(nodes: list[Any]) -> str:
    """Normalized text of selected nodes, one line."""
    return normalize_inline(" ".join(_node_text(n) for n in nodes))


def _html_of(node: Any) -> str:
    """A selected node as parsel's Selector.get() serializes it: an element's HTML, else the value as text."""
    if etree.iselement(node):
        return etree.tostring(node, method="html", encoding="unicode", with_tail=False)
    if isinstance(node, bool):
        return "1" if node else "0"
    return str(node)


@lru_cache(maxsize=64)
def _directory(base: str) -> str:
    """What urljoin puts before a bare file name joined to this base URL."""
    return urljoin(base, "x")[:-1]


def _absolute(base: str, href: str) -> str:
    """urljoin(base, href); for a bare file name (most links on a page) without parsing either URL again."""
    return _directory(base) + href if _FILE_NAME.match(href) else urljoin(base, href)


def first_text(root: Any, cfg: PlatformConfig, key: str) -> str:
    """The text of the first selector alternative that finds any."""
    for query in cfg.queries(key):
        text = _text_of(select(root, query))
        if text:
            return text
    return ""


def _all(root: Any, cfg: PlatformConfig, key: str) -> list[Any]:
    """Every node matched by any alternative of a selector key, in document order per alternative."""
    return [node for query in cfg.queries(key) for node in select(root, query)]


def parse_page_label(label: str) -> tuple[str, str]:
    """Split a page label like '第01版：要闻' into ('01', '要闻')."""
    label = normalize_inline(label)
    match = _PAGE_LABEL.search(label)
    if not match:
        return "", label
    return match.group(1).upper(), match.group(2).strip()


# --- pages ----------------------------------------------------------------------------------------


def _page_links(root: Any, base: str, cfg: PlatformConfig) -> list[PageLink]:
    """Every page of the issue, in the order the site lists them."""
    links: list[PageLink] = []
    for anchor in _all(root, cfg, "page_links"):
        href = (anchor.get("href") or "").strip()
        url = _absolute(base, href) if href else ""
        if not url or any(link.url == url for link in links) or not cfg.page_url_re.search(url):
            continue
        page_no, page_name = parse_page_label(_text_of([anchor]))
        links.append(PageLink(url=url, page_no=page_no, page_name=page_name))
    return links


def _article_urls(root: Any, base: str, cfg: PlatformConfig) -> list[str]:
    """Article links in reading order, each once."""
    urls: list[str] = []
    for node in _all(root, cfg, "article_links"):
        href = (node.get("href") or "").strip()
        url = _absolute(base, href) if href else ""
        if url and cfg.article_url_re.search(url) and url not in urls:
            urls.append(url)
    return urls


def _first_url(root: Any, base: str, cfg: PlatformConfig, key: str, attr: str) -> str:
    """The first non-empty attribute of a selector key's nodes, absolute."""
    for node in _all(root, cfg, key):
        value = (node.get(attr) or "").strip()
        if value:
            return _absolute(base, value)
    return ""


def parse_page(response: TextResponse, cfg: PlatformConfig) -> PageData:
    """Extract one page (版面) of an issue."""
    root = _root(response_text(response))
    base = response.url
    pages = _page_links(root, base, cfg)
    current = next((p for p in pages if p.url == response.url), None)
    page_no, page_name = (current.page_no, current.page_name) if current else ("", "")
    label = first_text(root, cfg, "current_page_label")
    if label:
        label_no, label_name = parse_page_label(label)
        page_no, page_name = label_no or page_no, label_name or page_name
    pdf = next((u for u in (_first_url(root, base, cfg, "pdf_link", "href"),) if u.lower().endswith(".pdf")), "")
    return PageData(
        url=response.url,
        date=date_from_url(response.url, cfg),
        page_no=page_no,
        page_name=page_name,
        pdf_url=pdf,
        image_url=_first_url(root, base, cfg, "page_image", "src"),
        pages=pages,
        article_urls=_article_urls(root, base, cfg),
        guide=[t for node in _all(root, cfg, "guide") if (t := _text_of([node]))],
    )


# --- articles -------------------------------------------------------------------------------------


def parse_enpproperty(html: str) -> dict[str, str]:
    """The fields of the <!--enpproperty ...--> comment Founder leaves in article pages."""
    match = _ENP_BLOCK.search(html)
    if not match:
        return {}
    return {k.lower(): normalize_inline(v) for k, v in _ENP_FIELD.findall(match.group(1))}


def _parse_images(root: Any, base: str, cfg: PlatformConfig) -> list[dict[str, str]]:
    """Photos of the article, absolute, each with its caption."""
    images = []
    for img in _all(root, cfg, "images"):
        src = (img.get("src") or "").strip()
        if not src:
            continue
        caption = first_text(img, cfg, "image_caption")
        images.append({"url": _absolute(base, src), "caption": caption})
    return images


def _parse_paragraphs(root: Any, cfg: PlatformConfig, captions: set[str]) -> list[str]:
    """Body paragraphs, normalized, without photo tables or their captions."""
    bodies = next((found for q in cfg.queries("body") if (found := select(root, q))), [])
    texts: list[str] = []
    for body in bodies:
        paragraphs = _PARAGRAPHS(body) if etree.iselement(body) else []
        if paragraphs:
            texts += element_paragraphs(paragraphs)
        else:
            texts += normalize_paragraphs(_TABLE.sub("", _html_of(body)))
    return [t for t in texts if t not in captions]


def parse_article(response: TextResponse, cfg: PlatformConfig) -> ArticleData:
    """Extract one article page. The enpproperty comment, where present, beats visible markup."""
    html = response_text(response)
    root = _root(html)
    enp = parse_enpproperty(html)
    images = _parse_images(root, response.url, cfg)
    nodename = enp.get("nodename", "")
    page_no, page_name = parse_page_label(nodename) if nodename else ("", "")
    author = enp.get("author") or first_text(root, cfg, "author")
    return ArticleData(
        url=response.url,
        pretitle=enp.get("introtitle") or first_text(root, cfg, "pretitle"),
        title=enp.get("title") or first_text(root, cfg, "title"),
        subtitle=enp.get("subtitle") or first_text(root, cfg, "subtitle"),
        author=_AUTHOR_LABEL.sub("", author),
        paragraphs=_parse_paragraphs(root, cfg, {i["caption"] for i in images if i["caption"]}),
        images=images,
        date=enp.get("date", "")[:10],
        page_no=page_no,
        page_name=page_name,
        article_key=article_key(response.url, cfg),
    )
