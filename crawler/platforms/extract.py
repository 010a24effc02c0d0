"""Pure extraction, driven by a platform's selectors: response (URL + bytes) in, plain data out."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from parsel import Selector
from scrapy.http import TextResponse

from crawler.encoding import response_text
from crawler.platforms.config import PlatformConfig, select
from crawler.text import normalize_inline, normalize_paragraphs

_PAGE_LABEL = re.compile(r"第?\s*([A-Za-z]*\d+[A-Za-z]?)\s*版\s*[:：]?\s*(.*)$")
_ENP_BLOCK = re.compile(r"<!--\s*enpproperty(.*?)/enpproperty\s*-->", re.DOTALL | re.IGNORECASE)
_ENP_FIELD = re.compile(r"<([a-z_]+)>(.*?)</\1>", re.DOTALL | re.IGNORECASE)
_AUTHOR_LABEL = re.compile(r"^(?:作者|记者|文)\s*[:：]\s*")
_TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL | re.IGNORECASE)


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


def _text_of(nodes: list[Selector]) -> str:
    """Normalized text of selected nodes, one line."""
    return normalize_inline(" ".join("".join(n.xpath(".//text()").getall()) for n in nodes))


def first_text(sel: Selector, cfg: PlatformConfig, key: str) -> str:
    """The text of the first selector alternative that finds any."""
    for query in cfg.selectors(key):
        text = _text_of(select(sel, query))
        if text:
            return text
    return ""


def _all(sel: Selector, cfg: PlatformConfig, key: str) -> list[Selector]:
    """Every node matched by any alternative of a selector key, in document order per alternative."""
    return [node for query in cfg.selectors(key) for node in select(sel, query)]


def parse_page_label(label: str) -> tuple[str, str]:
    """Split a page label like '第01版：要闻' into ('01', '要闻')."""
    label = normalize_inline(label)
    match = _PAGE_LABEL.search(label)
    if not match:
        return "", label
    return match.group(1).upper(), match.group(2).strip()


# --- pages ----------------------------------------------------------------------------------------


def _page_links(sel: Selector, base: str, cfg: PlatformConfig) -> list[PageLink]:
    """Every page of the issue, in the order the site lists them."""
    links: list[PageLink] = []
    for anchor in _all(sel, cfg, "page_links"):
        href = (anchor.attrib.get("href") or "").strip()
        url = urljoin(base, href) if href else ""
        if not url or any(link.url == url for link in links) or not cfg.page_url_re.search(url):
            continue
        page_no, page_name = parse_page_label(_text_of([anchor]))
        links.append(PageLink(url=url, page_no=page_no, page_name=page_name))
    return links


def _article_urls(sel: Selector, base: str, cfg: PlatformConfig) -> list[str]:
    """Article links in reading order, each once."""
    urls: list[str] = []
    for node in _all(sel, cfg, "article_links"):
        href = (node.attrib.get("href") or "").strip()
        url = urljoin(base, href) if href else ""
        if url and cfg.article_url_re.search(url) and url not in urls:
            urls.append(url)
    return urls


def _first_url(sel: Selector, base: str, cfg: PlatformConfig, key: str, attr: str) -> str:
    """The first non-empty attribute of a selector key's nodes, absolute."""
    for node in _all(sel, cfg, key):
        value = (node.attrib.get(attr) or "").strip()
        if value:
            return urljoin(base, value)
    return ""


def parse_page(response: TextResponse, cfg: PlatformConfig) -> PageData:
    """Extract one page (版面) of an issue."""
    sel = Selector(text=response_text(response))
    base = response.url
    pages = _page_links(sel, base, cfg)
    current = next((p for p in pages if p.url == response.url), None)
    page_no, page_name = (current.page_no, current.page_name) if current else ("", "")
    label = first_text(sel, cfg, "current_page_label")
    if label:
        label_no, label_name = parse_page_label(label)
        page_no, page_name = label_no or page_no, label_name or page_name
    pdf = next((u for u in (_first_url(sel, base, cfg, "pdf_link", "href"),) if u.lower().endswith(".pdf")), "")
    return PageData(
        url=response.url,
        date=date_from_url(response.url, cfg),
        page_no=page_no,
        page_name=page_name,
        pdf_url=pdf,
        image_url=_first_url(sel, base, cfg, "page_image", "src"),
        pages=pages,
        article_urls=_article_urls(sel, base, cfg),
        guide=[t for node in _all(sel, cfg, "guide") if (t := _text_of([node]))],
    )


# --- articles -------------------------------------------------------------------------------------


def parse_enpproperty(html: str) -> dict[str, str]:
    """The fields of the <!--enpproperty ...--> comment Founder leaves in article pages."""
    match = _ENP_BLOCK.search(html)
    if not match:
        return {}
    return {k.lower(): normalize_inline(v) for k, v in _ENP_FIELD.findall(match.group(1))}


def _parse_images(sel: Selector, base: str, cfg: PlatformConfig) -> list[dict[str, str]]:
    """Photos of the article, absolute, each with its caption."""
    images = []
    for img in _all(sel, cfg, "images"):
        src = (img.attrib.get("src") or "").strip()
        if not src:
            continue
        caption = next((t for q in cfg.selectors("image_caption") if (t := _text_of(select(img, q)))), "")
        images.append({"url": urljoin(base, src), "caption": caption})
    return images


def _parse_paragraphs(sel: Selector, cfg: PlatformConfig, captions: set[str]) -> list[str]:
    """Body paragraphs, normalized, without photo tables or their captions."""
    roots = next((found for q in cfg.selectors("body") if (found := select(sel, q))), [])
    texts: list[str] = []
    for root in roots:
        paragraphs = root.xpath(".//p")
        if paragraphs:
            texts += [t for p in paragraphs for t in normalize_paragraphs(p.get())]
        else:
            texts += normalize_paragraphs(_TABLE.sub("", root.get()))
    return [t for t in texts if t not in captions]


def parse_article(response: TextResponse, cfg: PlatformConfig) -> ArticleData:
    """Extract one article page. The enpproperty comment, where present, beats visible markup."""
    html = response_text(response)
    sel = Selector(text=html)
    enp = parse_enpproperty(html)
    images = _parse_images(sel, response.url, cfg)
    nodename = enp.get("nodename", "")
    page_no, page_name = parse_page_label(nodename) if nodename else ("", "")
    author = enp.get("author") or first_text(sel, cfg, "author")
    return ArticleData(
        url=response.url,
        pretitle=enp.get("introtitle") or first_text(sel, cfg, "pretitle"),
        title=enp.get("title") or first_text(sel, cfg, "title"),
        subtitle=enp.get("subtitle") or first_text(sel, cfg, "subtitle"),
        author=_AUTHOR_LABEL.sub("", author),
        paragraphs=_parse_paragraphs(sel, cfg, {i["caption"] for i in images if i["caption"]}),
        images=images,
        date=enp.get("date", "")[:10],
        page_no=page_no,
        page_name=page_name,
        article_key=article_key(response.url, cfg),
    )
