"""Founder (方正) "classic" e-paper: html/YYYY-MM/DD/node_N.htm pages, content_ID.htm articles.

Extraction functions are pure: they take a response (URL + bytes) and return plain data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from parsel import Selector
from scrapy.http import TextResponse

from crawler.text import normalize_inline, normalize_paragraphs

NAME = "founder-classic"
_DATE_IN_URL = re.compile(r"/html/(\d{4})-(\d{2})/(\d{2})/")
_ARTICLE_HREF = re.compile(r"content_(\d+(?:_\d+)*)\.html?$")
_PAGE_LABEL = re.compile(r"第?\s*([A-Za-z]*\d+[A-Za-z]?)\s*版\s*[:：]?\s*(.*)$")
_ENP_BLOCK = re.compile(r"<!--\s*enpproperty(.*?)/enpproperty\s*-->", re.DOTALL | re.IGNORECASE)
_ENP_FIELD = re.compile(r"<([a-z_]+)>(.*?)</\1>", re.DOTALL | re.IGNORECASE)
_AUTHOR_LABEL = re.compile(r"^(?:作者|记者)\s*[:：]\s*")
_TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL | re.IGNORECASE)
_PAGE_LINKS = "a#pageLink, a[id=pageLink]"
_TITLE_LIST = "#main-ed-articlenav-list a, td.default a"
_IMAGE_MAP = "map[name=PagePicMap] area, map#PagePicMap area"


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


# --- URL scheme -----------------------------------------------------------------------------------


def issue_url(base_url: str, day: dt.date, first_node: str) -> str:
    """The first page of the issue of a given day."""
    return urljoin(base_url, f"html/{day:%Y-%m}/{day:%d}/{first_node}")


def latest_issue_url(base_url: str) -> str:
    """The page that (meta-)refreshes to the latest issue's first page."""
    return urljoin(base_url, "paperindex.htm")


def date_from_url(url: str) -> str:
    """The issue date encoded in a page or article URL, as YYYY-MM-DD ('' if none)."""
    match = _DATE_IN_URL.search(url)
    if not match:
        return ""
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return ""


def article_key(url: str) -> str:
    """The Founder content id of an article URL ('1234' or '12_3'), '' if not an article URL."""
    match = _ARTICLE_HREF.search(url.split("?")[0].split("#")[0])
    return match.group(1) if match else ""


def is_article_url(url: str) -> bool:
    """Whether a URL points at an article page."""
    return bool(article_key(url))


# --- page extraction ------------------------------------------------------------------------------


def parse_page_label(label: str) -> tuple[str, str]:
    """Split a page label like '第01版：要闻' into ('01', '要闻')."""
    label = normalize_inline(label)
    match = _PAGE_LABEL.search(label)
    if not match:
        return "", label
    return match.group(1).upper(), match.group(2).strip()


def _parse_page_links(sel: Selector, base: str) -> list[PageLink]:
    """Every page of the issue, in the order the site lists them."""
    links: list[PageLink] = []
    seen: set[str] = set()
    for anchor in sel.css(_PAGE_LINKS):
        href = anchor.attrib.get("href", "").strip()
        if not href:
            continue
        url = urljoin(base, href)
        if url in seen:
            continue
        seen.add(url)
        page_no, page_name = parse_page_label("".join(anchor.css("::text").getall()))
        links.append(PageLink(url=url, page_no=page_no, page_name=page_name))
    return links


def _parse_article_urls(sel: Selector, base: str) -> list[str]:
    """Article links in reading order: the title list first, then image-map-only articles."""
    urls: list[str] = []
    for href in sel.css(_TITLE_LIST).xpath("@href").getall() + sel.css(_IMAGE_MAP).xpath("@href").getall():
        url = urljoin(base, href.strip())
        if is_article_url(url) and url not in urls:
            urls.append(url)
    return urls


def _parse_pdf_url(sel: Selector, base: str) -> str:
    """The page PDF, absolute ('' if the page has none)."""
    for href in sel.xpath("//a/@href").getall():
        if href.strip().lower().endswith(".pdf"):
            return urljoin(base, href.strip())
    return ""


def _parse_image_url(sel: Selector, base: str) -> str:
    """The page image (the picture behind the image map), absolute."""
    src = sel.css("img[usemap]::attr(src)").get("")
    return urljoin(base, src.strip()) if src else ""


def parse_page(response: TextResponse) -> PageData:
    """Extract one page (版面) of an issue."""
    sel = Selector(text=response.text)
    base = response.url
    pages = _parse_page_links(sel, base)
    current = next((p for p in pages if p.url == response.url), None)
    return PageData(
        url=response.url,
        date=date_from_url(response.url),
        page_no=current.page_no if current else "",
        page_name=current.page_name if current else "",
        pdf_url=_parse_pdf_url(sel, base),
        image_url=_parse_image_url(sel, base),
        pages=pages,
        article_urls=_parse_article_urls(sel, base),
    )


# --- article extraction ---------------------------------------------------------------------------


def parse_enpproperty(html: str) -> dict[str, str]:
    """The fields of the <!--enpproperty ...--> comment Founder leaves in article pages."""
    match = _ENP_BLOCK.search(html)
    if not match:
        return {}
    return {k.lower(): normalize_inline(v) for k, v in _ENP_FIELD.findall(match.group(1))}


def _founder_tag(sel: Selector, tag: str) -> str:
    """The normalized text of a <founder-*> tag ('' if absent)."""
    return normalize_inline("".join(sel.xpath(f"//{tag}//text()").getall()))


def _head_rows(sel: Selector) -> dict[str, str]:
    """引题 / title / 副题 / author from the title table's rows (td.font02 / font01 / font02 / font03).

    Older templates have no founder-* tags; the rows are the only place these fields live.
    """
    rows = sel.css("table.article-head td") or sel.xpath("//td[contains(@class,'font01')]/ancestor::table[1]//td")
    found: dict[str, str] = {}
    for cell in rows:
        classes = cell.attrib.get("class", "").split()
        text = normalize_inline("".join(cell.xpath(".//text()").getall()))
        if "font01" in classes:
            found["title"] = text
        elif "font02" in classes:
            found["subtitle" if "title" in found else "pretitle"] = text
        elif "font03" in classes:
            found["author"] = _AUTHOR_LABEL.sub("", text)
    return found


def _parse_title(sel: Selector, enp: dict[str, str], head: dict[str, str]) -> str:
    """The main title: enpproperty first, then <founder-title>, then the title table row."""
    return enp.get("title") or _founder_tag(sel, "founder-title") or head.get("title", "")


def _parse_pretitle(sel: Selector, enp: dict[str, str], head: dict[str, str]) -> str:
    """The 引题 (line above the title)."""
    return enp.get("introtitle") or _founder_tag(sel, "founder-introtitle") or head.get("pretitle", "")


def _parse_subtitle(sel: Selector, enp: dict[str, str], head: dict[str, str]) -> str:
    """The 副题 (line below the title)."""
    return enp.get("subtitle") or _founder_tag(sel, "founder-subtitle") or head.get("subtitle", "")


def _parse_author(sel: Selector, enp: dict[str, str], head: dict[str, str]) -> str:
    """The author as the site records it (bylines inside the body are left in the body)."""
    return enp.get("author") or _founder_tag(sel, "founder-author") or head.get("author", "")


def _body_root(sel: Selector) -> Selector | None:
    """The element holding the article body paragraphs."""
    for query in ("//founder-content", "//*[@id='ozoom']", "//*[@id='articleContent']"):
        found = sel.xpath(query)
        if found:
            return found[0]
    return None


def _parse_images(sel: Selector, base: str) -> list[dict[str, str]]:
    """Photos in the article area, absolute, each with the caption cell that follows it."""
    area = (sel.xpath("//*[@id='ozoom']") or [sel])[0]
    images = []
    for img in area.xpath(".//img[@src]"):
        caption = img.xpath("ancestor::tr[1]/following-sibling::tr[1]//*[contains(@class,'caption')]"
                            " | ancestor::tr[1]/following-sibling::tr[1]/td[contains(@class,'caption')]")
        text = normalize_inline("".join(caption.xpath(".//text()").getall()))
        images.append({"url": urljoin(base, img.attrib["src"].strip()), "caption": text})
    return images


def _parse_paragraphs(root: Selector | None, captions: set[str]) -> list[str]:
    """Body paragraphs, normalized, without photo tables or their captions."""
    if root is None:
        return []
    paragraphs = root.xpath(".//p")
    if paragraphs:
        texts = [t for p in paragraphs for t in normalize_paragraphs(p.get())]
    else:
        texts = normalize_paragraphs(_TABLE.sub("", root.get()))
    return [t for t in texts if t not in captions]


def parse_article(response: TextResponse) -> ArticleData:
    """Extract one article page."""
    html = response.text
    sel = Selector(text=html)
    enp = parse_enpproperty(html)
    head = _head_rows(sel)
    images = _parse_images(sel, response.url)
    page_no, page_name = parse_page_label(enp.get("nodename", "")) if enp.get("nodename") else ("", "")
    return ArticleData(
        url=response.url,
        pretitle=_parse_pretitle(sel, enp, head),
        title=_parse_title(sel, enp, head),
        subtitle=_parse_subtitle(sel, enp, head),
        author=_parse_author(sel, enp, head),
        paragraphs=_parse_paragraphs(_body_root(sel), {i["caption"] for i in images if i["caption"]}),
        images=images,
        date=enp.get("date", "")[:10] or date_from_url(response.url),
        page_no=page_no,
        page_name=page_name,
        article_key=article_key(response.url),
    )
