"""Pure extraction, in layers: response (URL + bytes) in, plain data and the rule behind each field out.

Every field is tried in this order, and the first layer that answers is recorded in `rules`:

1. `profile:<selector>`   the profile's [overrides]
2. `platform:<selector>`  the platform family's selectors (crawler/platforms/<family>.py)
3. `generic:<rule>`       rules that hold across Founder-style sites whatever the template: page links and article
                          links by URL shape in any <a>/<area>, the page label by its text (第01版：要闻, A01：头版),
                          PDFs by `.pdf` links, the page scan by its image map or dated path, images beside the body
4. `enpproperty`          (articles) the <!--enpproperty--> comment Founder leaves, in both tag styles; it is taken
                          before the selectors for the fields it holds, because it is the CMS's own record
5. `fallback:<library>`   (body) a main-content extractor when no selector finds the body

The layers are unioned where losing a link costs an article (page and article links): the selectors give the
reading order, the URL-shape rule adds whatever they missed. `PageData.notes` lists what looks incomplete, for the
spider's warnings (see crawler/health.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector
from scrapy.http import TextResponse

from crawler.encoding import response_text
from crawler.platforms.config import PlatformConfig, select
from crawler.text import element_paragraphs, normalize_inline, normalize_paragraphs
from crawler.urls import canonical_url, url_path

# A page label: "第01版：要闻", "01版:要闻", "第 2 版 综合", "第A01版" — 版 present, 第 and the colon optional …
_LABEL_WITH_BAN = re.compile(r"第?\s*([A-Za-z]{0,2}\d{1,3}[A-Za-z]?)\s*版(?!面)\s*[:：]?\s*(.*)$")
# … or "A01： 头版", "01:要闻" — no 第/版, then the colon is required and a name must follow.
_LABEL_BARE = re.compile(r"^\s*([A-Za-z]{0,2}\d{1,3}[A-Za-z]?)\s*[:：]\s*(\S.*)$")
# A label standing alone in an element: the generic rule reads only short texts that are nothing but a label.
_STANDALONE_LABEL = re.compile(r"^第?\s*[A-Za-z]{0,2}\d{1,3}[A-Za-z]?\s*版\s*(?:[:：]\s*\S.{0,15})?$")
# Link texts that name no page: navigation between pages and issues.
_NAVIGATION = re.compile(r"上一|下一|前一|后一|首页|返回|目录|导航|下载|PDF|往期|回顶部|^\W*$", re.IGNORECASE)
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_ENP_BLOCK = re.compile(r"<!--\s*enpproperty(.*?)/enpproperty\s*-->", re.DOTALL | re.IGNORECASE)
# Both tag styles: <title>…</title> and <founder-title>…</founder-title>.
_ENP_FIELD = re.compile(r"<(founder-)?([a-z_]+)>(.*?)</\1?\2>", re.DOTALL | re.IGNORECASE)
_AUTHOR_LABEL = re.compile(r"^(?:作者|记者|文)\s*[:：]\s*")
_TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL | re.IGNORECASE)
# A link that is a bare file name (content_1.htm): urljoin only replaces the base's last path segment with it.
_FILE_NAME = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\Z")
_PDF = re.compile(r"\.pdf$", re.IGNORECASE)
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|tiff?|bmp|webp)(?:\.\d+)?$", re.IGNORECASE)
_ICON = re.compile(r"(?:\.gif$|/(?:images?|img|icons?|skin|style|css)/[^/]*$)", re.IGNORECASE)
# An article-looking link that matches no article shape: the alarm for a pattern that no longer fits the site.
_ARTICLE_LIKE = re.compile(r"(?:content|con|nw\.|detail|article|arti)[^/]*\d[^/]*\.s?html?$", re.IGNORECASE)
_CJK_CHARS = re.compile(r"[\u3400-\u9fff]")
_CAPTION_MAX = 160
_CAPTION_CLASS = re.compile(r"caption|pic-?t|pictext|ptext|img-?t|photo-?t|zhu|tuzhu|explain", re.IGNORECASE)
# How captions end or start: …摄, …供图, （新华社发）, 资料图片, 图为…, ▲…
_CAPTION_TEXT = re.compile(r"(?:摄|摄影|供图|发|图片|制图|绘|截图)\s*[）)]?\s*$"
                           r"|^\s*(?:图为|图：|图:|▲|△|上图|下图|左图|右图)")
_ENTRY_LINKS = 6


@dataclass
class PageLink:
    """A link to one page of the issue, as listed on every page."""

    url: str
    page_no: str
    page_name: str


@dataclass
class PageData:
    """What one page (版面) shows: its label, its files and its articles in reading order.

    `rules` maps each field found to the rule that found it (see the module doc); `notes` lists what looks
    incomplete on this page (links that look like articles but match no article shape, and the like).
    """

    url: str
    date: str
    page_no: str
    page_name: str
    pdf_url: str
    image_url: str
    pages: list[PageLink]
    article_urls: list[str]
    guide: list[str] = field(default_factory=list)
    rules: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    labels_shown: list[str] = field(default_factory=list)  # page numbers link texts show (第02版…), for the alarm


@dataclass
class ArticleData:
    """The text fields of one article page, normalized; `rules` maps each field found to its rule."""

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
    rules: dict[str, str] = field(default_factory=dict)


# --- URLs -----------------------------------------------------------------------------------------


def date_from_url(url: str, cfg: PlatformConfig) -> str:
    """The issue date encoded in a page URL's path, as YYYY-MM-DD ('' if none or impossible)."""
    match = cfg.page_url_re.search(url_path(url))
    if not match:
        return ""
    try:
        return dt.date(int(match["yyyy"]), int(match["mm"]), int(match["dd"])).isoformat()
    except ValueError:
        return ""


def article_key(url: str, cfg: PlatformConfig) -> str:
    """The site's own id of an article URL, read from its path ('' if the URL is not an article)."""
    match = cfg.article_url_re.search(url_path(url))
    return match["key"] if match else ""


def is_page_url(url: str, cfg: PlatformConfig) -> bool:
    """Whether a URL's path has the platform's page (版面) shape."""
    return cfg.page_url_re.search(url_path(url)) is not None


# --- helpers --------------------------------------------------------------------------------------
# Selectors run as compiled lxml XPath on the parsed tree (PlatformConfig.queries), which gives what parsel's
# Selector.xpath / .css would select without wrapping every node in a Selector.

_TEXT_NODES = etree.XPath(".//text()", smart_strings=False)
# Text that is not an author tag's: an older template puts <founder-author> in the 副题 row.
_TEXT_BUT_AUTHOR = etree.XPath(".//text()[not(ancestor::founder-author)]", smart_strings=False)
_PARAGRAPHS = etree.XPath(".//p")
_LINKS = etree.XPath("//a[@href] | //area[@href]")
_SVG_LINKS = etree.XPath("//*[local-name()='a'][@*[local-name()='href']]")
_IMAGES = etree.XPath("//img[@src]")


def _root(html: str) -> Any:
    """The lxml root of a page, parsed exactly as parsel parses it."""
    return Selector(text=html).root


def _node_text(node: Any, skip_author: bool = False) -> str:
    """All text under a selected node; '' for a selected string or number (parsel finds no text nodes in one)."""
    if not etree.iselement(node):
        return ""
    return "".join((_TEXT_BUT_AUTHOR if skip_author else _TEXT_NODES)(node))


def _text_of(nodes: Iterable[Any], skip_author: bool = False) -> str:
    """Normalized text of selected nodes, one line."""
    return normalize_inline(" ".join(_node_text(n, skip_author) for n in nodes))


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
    """urljoin(base, href) in canonical form; for a bare file name without parsing either URL again."""
    href = href.strip()
    url = _directory(base) + href if _FILE_NAME.match(href) else urljoin(base, href)
    return canonical_url(url)


def _href(node: Any) -> str:
    """A link's target: href, or an SVG link's xlink:href."""
    href = node.get("href")
    if href is None:
        href = next((v for k, v in node.attrib.items() if k.endswith("}href") or k == "xlink:href"), "")
    return (href or "").strip()


def _http(url: str) -> bool:
    """Whether a URL is one the crawler may follow (javascript:, mailto: and the like are not)."""
    return url.startswith(("http://", "https://"))


def _labels(cfg: PlatformConfig, key: str) -> list[tuple[Any, str]]:
    """(compiled query, provenance label) of each selector alternative: 'profile:<selector>' or 'platform:…'."""
    return [(query, f"{cfg.source(key, n)}:{text}")
            for n, (query, text) in enumerate(zip(cfg.queries(key), cfg.selectors(key), strict=False))]


def first_text(root: Any, cfg: PlatformConfig, key: str, skip_author: bool = False) -> tuple[str, str]:
    """(text, rule) of the first selector alternative that finds any text; ('', '') if none does."""
    for query, label in _labels(cfg, key):
        text = _text_of(select(root, query), skip_author)
        if text:
            return text, label
    return "", ""


def _all(root: Any, cfg: PlatformConfig, key: str) -> list[tuple[Any, str]]:
    """Every (node, rule) matched by any alternative of a selector key, in document order per alternative."""
    return [(node, label) for query, label in _labels(cfg, key) for node in select(root, query)]


def _clean_name(name: str) -> str:
    """A page name as read: spaces between CJK characters dropped ('综 合' → '综合')."""
    return _CJK_GAP.sub("", name.strip())


def parse_page_label(label: str) -> tuple[str, str]:
    """Split a page label into (page_no, page_name): '第01版：要闻' / '01版:要闻' / 'A01： 头版' → ('01'|'A01', …).

    A text that is no label gives ('', text) — a bare page name.
    """
    label = normalize_inline(label)
    match = _LABEL_WITH_BAN.search(label) or _LABEL_BARE.match(label)
    if not match:
        return "", _clean_name(label)
    return match.group(1).upper(), _clean_name(match.group(2))


def _better_label(old: tuple[str, str], new: tuple[str, str]) -> tuple[str, str]:
    """Of two labels of one page, the one with a number, then the one with a name."""
    if old[0] and old[1]:
        return old
    return (old[0] or new[0], old[1] or new[1])


# --- pages ----------------------------------------------------------------------------------------


def _issue_date(links: list[Any], base: str, cfg: PlatformConfig) -> str:
    """The issue date of a page: from its URL, else the date most of its page links carry."""
    date = date_from_url(base, cfg)
    if date:
        return date
    dates = [d for node in links if (d := date_from_url(_absolute(base, _href(node)), cfg))]
    return max(set(dates), key=dates.count) if dates else ""


def _page_links(root: Any, links: list[Any], base: str, cfg: PlatformConfig, date: str,
                raw: list[str]) -> tuple[list[PageLink], str, list[str]]:
    """Every page of the issue, in the order the site lists them, and the rule that found them.

    Candidates are the page-list selectors' links, then every link of page-URL shape in the document (a carousel,
    a hidden menu, 上一版/下一版); a page listed twice keeps the label that parses (hidden menus label `A01： 头版`,
    the visible list `第A01版：头版`). Links to other days' pages (上一期) are not this issue's. The third value
    lists the page numbers any link's text shows, whatever its URL, in order of appearance.
    """
    texts: dict[Any, str] = {}

    def label_of(anchor: Any) -> tuple[str, str]:
        """The anchor's label; a bare name only if it is no navigation word (上一版, 下一版, 首页, PDF …)."""
        if anchor not in texts:
            texts[anchor] = _text_of([anchor])
        no, name = parse_page_label(texts[anchor])
        if not no and (len(name) > 12 or _NAVIGATION.search(name)):
            name = ""
        return no, name

    numbers = {no: None for anchor in links if (no := label_of(anchor)[0])}
    found: dict[str, tuple[str, str]] = {}
    order: dict[str, tuple[int, int]] = {}  # url -> (0 and where a numbered label links it first, else 1 and where)
    rules: dict[str, int] = {}
    candidates = _all(root, cfg, "page_links") + [(n, "generic:page-url-shape") for n in links]
    candidates += [(href, "generic:raw-html") for href in raw]
    for position, (anchor, rule) in enumerate(candidates):
        href = anchor if isinstance(anchor, str) else _href(anchor)
        url = _absolute(base, href) if href else ""
        if not url or not _http(url) or date_from_url(url, cfg) != date or not date:
            continue
        label = ("", "") if isinstance(anchor, str) else label_of(anchor)
        if url not in found:
            found[url], order[url] = ("", ""), (1, position)
            rules[rule] = rules.get(rule, 0) + 1
        found[url] = _better_label(found[url], label)
        if label[0] and order[url][0]:
            order[url] = (0, position)
    # The page list's order: where each page is first linked by its label, not by 上一版/下一版 before the list.
    pages = [PageLink(url, *found[url]) for url in sorted(found, key=order.__getitem__)]
    return pages, " + ".join(f"{rule} ({count})" for rule, count in rules.items()), list(numbers)


def _standalone_label(root: Any) -> tuple[str, str] | None:
    """The first element (not a link) whose own text is nothing but a page label, parsed."""
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("a", "script", "style", "title", "option"):
            continue
        text = normalize_inline(element.text or "")
        if text and len(text) <= 24 and _STANDALONE_LABEL.match(text):
            if any(parent.tag == "a" for parent in element.iterancestors()):
                continue
            return parse_page_label(text)
    return None


def _current_label(root: Any, base: str, cfg: PlatformConfig, pages: list[PageLink]) -> tuple[str, str, str]:
    """(page_no, page_name, rule) of the page itself: its label element, its page-list entry, any label text."""
    sources: list[tuple[tuple[str, str], str]] = []
    named: tuple[tuple[str, str], str] | None = None
    for node, rule in _all(root, cfg, "current_page_label"):
        # Per element, not joined: an nbs page has two div.l_t, '01版:要闻' and '版面目录'.
        label = parse_page_label(_text_of([node]))
        if label[0]:
            sources.append((label, rule))
            break
        if label[1] and named is None:
            named = (label, rule)
    if named:
        sources.append(named)
    listed = next((p for p in pages if p.url == canonical_url(base)), None)
    if listed:
        sources.append(((listed.page_no, listed.page_name), "generic:page-list-entry"))
    sources.append((_standalone_label(root) or ("", ""), "generic:label-text"))
    best: tuple[str, str] = ("", "")
    rules: list[str] = []
    for label, rule in sources:
        merged = _better_label(best, label)
        if merged != best:
            best = merged
            rules.append(rule)
        if best[0] and best[1]:
            break
    return best[0], best[1], " + ".join(rules)


def _entry_page(node: Any, base: str, cfg: PlatformConfig) -> str:
    """The page whose page-list entry holds this link ('' if none): the nearest enclosing element with other
    links names exactly one page, by a link whose text is a page label (上一版/下一版 links are not entries)."""
    for ancestor in node.iterancestors():
        # An entry holds a few links; a list of many is no entry (and reading it whole per link is quadratic).
        others = [a for a in islice(ancestor.iter("a", "area"), _ENTRY_LINKS + 1) if a is not node and _href(a)]
        if not others:
            continue
        if len(others) >= _ENTRY_LINKS:
            return ""
        named = {url for a in others
                 if is_page_url(url := _absolute(base, _href(a)), cfg) and parse_page_label(_text_of([a]))[0]}
        return next(iter(named)) if len(named) == 1 else ""
    return ""


def _pdf_url(root: Any, links: list[Any], base: str, cfg: PlatformConfig) -> tuple[str, str]:
    """(url, rule) of the page PDF: the selectors', else the first .pdf link not in another page's list entry."""
    for node, rule in _all(root, cfg, "pdf_link"):
        href = _href(node) if etree.iselement(node) else str(node)
        url = _absolute(base, href) if href else ""
        if url and _PDF.search(url_path(url)):
            return url, rule
    for node in links:
        href = _href(node)
        if ".pdf" not in href.lower():
            continue
        url = _absolute(base, href)
        if _PDF.search(url_path(url)) and _http(url) and _entry_page(node, base, cfg) in ("", canonical_url(base)):
            return url, "generic:pdf-link"
    return "", ""


def _date_marks(date: str) -> tuple[str, ...]:
    """How an issue date appears in asset paths: 2025-03/19, 202503/19, 20250319."""
    if not date:
        return ()
    y, m, d = date.split("-")
    return (f"{y}-{m}/{d}", f"{y}{m}/{d}", f"{y}{m}{d}")


def _page_image(root: Any, base: str, cfg: PlatformConfig, date: str) -> tuple[str, str]:
    """(url, rule) of the page scan: the selectors', else the image with an image map, else a dated image."""
    for node, rule in _all(root, cfg, "page_image"):
        src = (node.get("src") or "").strip() if etree.iselement(node) else str(node)
        if src:
            return _absolute(base, src), rule
    images = _IMAGES(root)
    for img in images:
        if img.get("usemap"):
            return _absolute(base, img.get("src")), "generic:image-map"
    marks = _date_marks(date)
    for img in images:
        url = _absolute(base, img.get("src"))
        if _IMAGE_FILE.search(url_path(url)) and any(m in url for m in marks) and not _ICON.search(url_path(url)):
            return url, "generic:dated-image"
    return "", ""


_PATH_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}-?[01]\d/?[0-3]\d(?!\d)")


def _other_day(url: str, marks: tuple[str, ...]) -> bool:
    """Whether an article URL's path carries a date that is not the issue's (a 往期 box links other days)."""
    path = url_path(url)
    return bool(marks) and _PATH_DATE.search(path) is not None and not any(m in path for m in marks)


def _article_urls(root: Any, links: list[Any], base: str, cfg: PlatformConfig, skip: set[Any], raw: list[str],
                  date: str = "") -> tuple[list[str], str, list[str]]:
    """(urls, rule, notes): article links in reading order, each once.

    Candidates: the selectors' links, then any other link of article-URL shape (except links in the guide box —
    导读 items point at other pages' articles — and in page-list entries), then links the parser lost. Reading
    order is the title list's: links with text (the selectors', then the others) before image-map areas and other
    textless links, wherever the map stands in the document. Links that look like articles but match no article
    shape become a note.
    """
    # url -> (order key, rule that found it first); order key: (0 text link | 1 textless, candidate position)
    found: dict[str, tuple[tuple[int, int], str]] = {}
    unshaped: dict[str, None] = {}
    marks = _date_marks(date)
    candidates = [(node, rule) for node, rule in _all(root, cfg, "article_links") if etree.iselement(node)]
    generic = [*links, *_SVG_LINKS(root)]
    candidates += [(node, "generic:article-url-shape") for node in generic]
    candidates += [(href, "generic:raw-html") for href in raw]  # no markup left to tell a guide box by
    for position, (node, rule) in enumerate(candidates):
        href = node if isinstance(node, str) else _href(node)
        url = _absolute(base, href) if href else ""
        # An article-shaped link on another scheme (ftp:, file:) is kept: the crawler's RequestGuard refuses it
        # with a reason, so the page's loss is reported rather than silent.
        if not url:
            continue
        if not article_key(url, cfg):
            if rule.startswith("generic") and _ARTICLE_LIKE.search(url_path(url)) and not is_page_url(url, cfg):
                unshaped[url] = None
            continue
        textless = isinstance(node, str) or not (node.tag == "a" and _node_text(node).strip())
        key = (int(textless), position)
        if url in found:
            if key < found[url][0]:
                found[url] = (key, found[url][1])
            continue
        if rule == "generic:article-url-shape" and (
                node in skip or _other_day(url, marks)
                or _entry_page(node, base, cfg) not in ("", canonical_url(base))):
            continue
        found[url] = (key, rule)
    urls = sorted(found, key=lambda url: found[url][0])
    counts = Counter(rule for _, rule in found.values())
    notes = []
    if unshaped and not urls:
        notes.append(f"{len(unshaped)} link(s) look like articles but match no article shape of {cfg.name} "
                     f"(e.g. {next(iter(unshaped))}): set article_url_pattern in the profile's [overrides]")
    return urls, " + ".join(f"{rule} ({n})" for rule, n in counts.items()), notes


_NOT_MARKUP = re.compile(r"<!--.*?-->|<script\b.*?</script\s*>", re.DOTALL | re.IGNORECASE)
_RAW_LINK = re.compile(r"""<(?:a|area)\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def _lost_links(html: str, links: list[Any]) -> tuple[list[str], str]:
    """(hrefs, note) of the links the HTML parser lost: libxml2 stops building the tree past its nesting limit
    (about 2,000 open elements), silently. Read from the raw HTML when the tree holds clearly fewer links."""
    in_tree = len(links)
    if html.count("href") <= in_tree:  # no more href attributes than links in the tree: nothing lost
        return [], ""
    visible = _NOT_MARKUP.sub("", html)  # links inside comments and scripts are no links
    raw = [next(g for g in m.groups() if g is not None).strip() for m in _RAW_LINK.finditer(visible)]
    if len(raw) <= in_tree:
        return [], ""
    return raw, (f"the HTML parser kept {in_tree} of {len(raw)} links (nesting deeper than the parser's limit?): "
                 "links read from the raw HTML")


def parse_page(response: TextResponse, cfg: PlatformConfig) -> PageData:
    """Extract one page (版面) of an issue, with the rule behind each field."""
    html = response_text(response)
    root = _root(html)
    base = response.url
    links = _LINKS(root)  # every <a>/<area> with an href, read once for all the rules below
    raw, lost = _lost_links(html, links)
    date = _issue_date(links, base, cfg)
    pages, pages_rule, labels_shown = _page_links(root, links, base, cfg, date, raw)
    page_no, page_name, label_rule = _current_label(root, base, cfg, pages)
    pdf, pdf_rule = _pdf_url(root, links, base, cfg)
    image, image_rule = _page_image(root, base, cfg, date)
    guide_nodes = _all(root, cfg, "guide")
    in_guide = {d for n, _ in guide_nodes if etree.iselement(n) for d in n.iter()}
    articles, articles_rule, notes = _article_urls(root, links, base, cfg, in_guide, raw, date)
    notes += [lost] if lost else []
    rules = {"date": "url" if date_from_url(base, cfg) else ("generic:page-links" if date else ""),
             "pages": pages_rule, "page_no": label_rule if page_no else "",
             "page_name": label_rule if page_name else "",
             "pdf_url": pdf_rule, "image_url": image_rule, "article_urls": articles_rule,
             "guide": guide_nodes[0][1] if guide_nodes else ""}
    return PageData(
        url=canonical_url(response.url),
        date=date,
        page_no=page_no,
        page_name=page_name,
        pdf_url=pdf,
        image_url=image,
        pages=pages,
        article_urls=articles,
        guide=[t for node, _ in guide_nodes if (t := _text_of([node]))],
        rules={k: v for k, v in rules.items() if v},
        notes=notes,
        labels_shown=labels_shown,
    )


# --- articles -------------------------------------------------------------------------------------


def parse_enpproperty(html: str) -> dict[str, str]:
    """The fields of the <!--enpproperty ...--> comment Founder leaves in article pages (either tag style)."""
    match = _ENP_BLOCK.search(html)
    if not match:
        return {}
    return {name.lower(): normalize_inline(value) for _, name, value in _ENP_FIELD.findall(match.group(1))}


def _next_element(node: Any) -> Any:
    """The next sibling that is an element (comments and processing instructions skipped), or None."""
    sibling = node.getnext()
    while sibling is not None and not isinstance(sibling.tag, str):
        sibling = sibling.getnext()
    return sibling


def _caption_near(img: Any, body: frozenset[Any] = frozenset(), roots: frozenset[Any] = frozenset()) -> str:
    """The caption printed with a photo whatever the template: the next table row (photo tables), else the next
    element after the photo or its wrapper when it is marked as a caption (class), reads as one (…摄, 图为…) or
    stands outside the body element. A plain paragraph inside the body (body: its elements) that reads like body
    text is never taken: it may be the body's first paragraph."""
    row = next(img.iterancestors("tr"), None)
    if row is not None:
        below = _next_element(row)
        if below is not None and below.tag == "tr" and below.find(".//img") is None:
            text = _text_of([below])
            return text if len(text) <= _CAPTION_MAX else ""
    node = img
    for _ in range(2):
        sibling = _next_element(node)
        if sibling is not None:
            text = _text_of([sibling])
            marked = _CAPTION_CLASS.search(f"{sibling.get('class', '')} {sibling.get('id', '')}")
            if (text and len(text) <= _CAPTION_MAX and sibling.find(".//img") is None
                    and (marked or _CAPTION_TEXT.search(text) or (body and sibling not in body)
                         or _set_apart(sibling))):
                return text
            return ""
        node = node.getparent()  # the photo alone in a wrapper (div.picbox): the caption follows the wrapper
        if node is None or node in roots or len(node) > 1 or _text_of([node]):
            return ""
    return ""


def _indented(element: Any) -> bool:
    """Whether an element's text starts with a paragraph indent (full-width or no-break spaces), as body text does."""
    raw = "".join(_TEXT_NODES(element))
    return raw.lstrip(" \t\r\n")[:1] in ("\u3000", "\xa0")


def _set_apart(element: Any) -> bool:
    """A paragraph printed apart from the body text: centred, or unindented where the next paragraph is indented."""
    style = f"{element.get('align', '')} {element.get('style', '')}".lower()
    if "center" in style:
        return True
    following = _next_element(element)
    return following is not None and not _indented(element) and _indented(following)


def _image(base: str, img: Any, cfg: PlatformConfig, body: frozenset[Any],
           roots: frozenset[Any]) -> dict[str, str] | None:
    """One photo of the article, absolute, with its caption (None for an image without a source)."""
    src = (img.get("src") or "").strip()
    if not src:
        return None
    caption, _ = first_text(img, cfg, "image_caption")
    return {"url": _absolute(base, src), "caption": caption or _caption_near(img, body, roots)}


def _images_around(bodies: list[Any], title: str) -> list[Any]:
    """The photos in the body elements and just before them: an older template puts the photo and its caption
    beside <founder-content> (`<div id="content"><img …><p>caption</p><founder-content>…`), others above the body
    element. Walks back over the previous siblings of the body element and of its parent, stopping at the one
    holding the title (the article head) or after four."""
    body = next((b for b in bodies if etree.iselement(b)), None)
    if body is None:
        return []
    before: list[Any] = []
    node = body
    for _ in range(2):
        siblings: list[Any] = []
        previous = node.getprevious()
        while previous is not None and len(siblings) < 4:
            if isinstance(previous.tag, str):
                if title and title[:10] in _text_of([previous]):
                    break
                siblings.append(previous)
            previous = previous.getprevious()
        before = siblings[::-1] + before if previous is None or not before else before
        node = node.getparent()
        if node is None or node.tag in ("body", "html"):
            break
    images = [img for element in before for img in element.iter("img")]
    images += [img for b in bodies if etree.iselement(b) for img in b.iter("img")]
    return [img for img in images
            if not _ICON.search(url_path(img.get("src") or "")) and next(img.iterancestors("a"), None) is None]


_FURNITURE = re.compile(r"head|nav|foot|logo|banner|menu|crumb|share|ad-?bar", re.IGNORECASE)


def _page_photos(root: Any) -> list[Any]:
    """Photos of a page without a body: images not in links, not icons, not in page furniture (header, nav,
    footer, logo, banner …, by class or id)."""
    photos = []
    for img in _IMAGES(root):
        if _ICON.search(url_path(img.get("src") or "")) or next(img.iterancestors("a"), None) is not None:
            continue
        if any(_FURNITURE.search(f"{a.get('class', '')} {a.get('id', '')}") for a in img.iterancestors()):
            continue
        photos.append(img)
    return photos


def _parse_images(root: Any, base: str, cfg: PlatformConfig, bodies: list[Any],
                  title: str) -> tuple[list[dict[str, str]], str]:
    """(images, rule): the selectors' photos, else the photos in and just before the body element; each once."""
    found = [(img, rule) for img, rule in _all(root, cfg, "images") if etree.iselement(img)]
    rule = found[0][1] if found else ""
    nodes = [img for img, _ in found] or _images_around(bodies, title)
    if nodes and not found:
        rule = "generic:images-around-body"
    images: dict[str, dict[str, str]] = {}
    roots = frozenset(b for b in bodies if etree.iselement(b))
    in_body = frozenset(e for b in roots for e in b.iter())
    for img in dict.fromkeys(nodes):
        image = _image(base, img, cfg, in_body, roots)
        if image and image["url"] not in images:
            images[image["url"]] = image
    return list(images.values()), rule if images else ""


def _body_nodes(root: Any, cfg: PlatformConfig) -> tuple[list[Any], str]:
    """(nodes, rule) of the first body selector alternative that selects anything."""
    for query, label in _labels(cfg, "body"):
        found = select(root, query)
        if found:
            return found, label
    return [], ""


def _parse_paragraphs(bodies: list[Any], captions: set[str]) -> list[str]:
    """Body paragraphs, normalized, without photo tables or their captions."""
    texts: list[str] = []
    for body in bodies:
        paragraphs = _PARAGRAPHS(body) if etree.iselement(body) else []
        if paragraphs:
            texts += element_paragraphs(paragraphs)
        else:
            texts += normalize_paragraphs(_TABLE.sub("", _html_of(body)))
    return [t for t in texts if t not in captions]


def _main_body(root: Any) -> tuple[Any, list[str]]:
    """(element, paragraphs) from the main-content extractor (crawler/platforms/fallback.py), for a page whose
    selectors find no body; (None, []) when it finds none or fails."""
    from crawler.platforms import fallback  # imported on first use: most crawls never need it

    try:
        return fallback.main_body(root)
    except Exception:  # a page the extractor cannot read costs its body, never the crawl
        return None, []


def _field(enp: dict[str, str], enp_key: str, root: Any, cfg: PlatformConfig, key: str,
           skip_author: bool = False) -> tuple[str, str]:
    """(text, rule) of a text field: the enpproperty comment's value, else the selectors'."""
    if enp.get(enp_key):
        return enp[enp_key], "enpproperty"
    return first_text(root, cfg, key, skip_author)


def _generic_title(root: Any) -> tuple[str, str]:
    """(title, rule) when no selector finds one: the page's only h1. Not <title>: on e-papers it often names
    the paper, and a wrong title is worse than an empty one (which the crawl reports)."""
    h1 = [t for node in root.iter("h1") if (t := _text_of([node]))]
    return (h1[0], "generic:h1") if len(h1) == 1 else ("", "")


def parse_article(response: TextResponse, cfg: PlatformConfig) -> ArticleData:
    """Extract one article page, with the rule behind each field."""
    html = response_text(response)
    root = _root(html)
    enp = parse_enpproperty(html)
    rules: dict[str, str] = {}
    values: dict[str, str] = {}
    for name, enp_key in (("pretitle", "introtitle"), ("title", "title"), ("subtitle", "subtitle"),
                          ("author", "author")):
        values[name], rules[name] = _field(enp, enp_key, root, cfg, name, skip_author=name != "author")
    if not values["title"]:
        values["title"], rules["title"] = _generic_title(root)
    author = _AUTHOR_LABEL.sub("", values["author"])
    if not author:  # a bare "作者：" label
        rules["author"] = ""
    for name in ("pretitle", "subtitle"):  # an author read into the 副题 row is not a subtitle
        if author and values[name] == author:
            values[name], rules[name] = "", ""
    bodies, rules["body"] = _body_nodes(root, cfg)
    main, main_paragraphs = (None, []) if bodies else _main_body(root)
    images, rules["images"] = _parse_images(root, response.url, cfg, bodies or ([main] if main is not None else []),
                                            values["title"])
    captions = {i["caption"] for i in images if i["caption"]}
    paragraphs = _parse_paragraphs(bodies, captions)
    if not paragraphs and bodies:  # the selected body is empty (an ad page?): ask the main-content extractor
        main, main_paragraphs = _main_body(root)
    if not paragraphs:
        from crawler.platforms.fallback import NAME

        paragraphs = [p for p in main_paragraphs if p not in captions]
        rules["body"] = f"fallback:{NAME}" if paragraphs else ""
    if not paragraphs and not images:  # no text anywhere (an ad's page is its picture): the page's own photos
        images = [i for img in _page_photos(root) if (i := _image(response.url, img, cfg, frozenset(), frozenset()))]
        rules["images"] = "generic:page-photos" if images else ""
    if not values["title"]:
        from crawler.platforms.fallback import NAME, main_title

        values["title"] = main_title(html, response.url)
        rules["title"] = f"fallback:{NAME}" if values["title"] else ""
    nodename = enp.get("nodename", "")
    page_no, page_name = parse_page_label(nodename) if nodename else ("", "")
    if enp.get("pagenum") and not page_no:
        page_no = enp["pagenum"].upper()
    date = enp.get("date", "")[:10]
    rules.update(page_no="enpproperty" if page_no else "", page_name="enpproperty" if page_name else "",
                 date="enpproperty" if date else "")
    key = article_key(response.url, cfg)
    rules["article_key"] = "url" if key else ""
    return ArticleData(
        url=canonical_url(response.url),
        pretitle=values["pretitle"],
        title=values["title"],
        subtitle=values["subtitle"],
        author=author,
        paragraphs=paragraphs,
        images=images,
        date=date,
        page_no=page_no,
        page_name=page_name,
        article_key=key,
        rules={k: v for k, v in rules.items() if v},
    )


# --- client-side redirects ------------------------------------------------------------------------

_REFRESH = re.compile(r"""<meta[^>]+http-equiv\s*=\s*["']?refresh[^>]*>""", re.IGNORECASE)
_CONTENT = re.compile(r"""content\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_REFRESH_URL = re.compile(r"""url\s*=\s*['"]?([^'" >;]+)""", re.IGNORECASE)
_SCRIPT_LOCATION = re.compile(
    r"""(?:window\.|document\.|self\.|top\.)?location(?:\.href)?\s*=\s*['"]([^'"]+)['"]"""
    r"""|location\.(?:replace|assign)\(\s*['"]([^'"]+)['"]\s*\)""",
    re.IGNORECASE,
)


def client_redirect(html: str, base: str) -> tuple[str, str]:
    """(url, rule) of a redirect a browser would follow on a page with nothing else: a meta refresh (also inside
    <noscript>, which Scrapy's MetaRefreshMiddleware skips) or a script assigning location; ('', '') if none."""
    for tag in _REFRESH.findall(html):
        content = _CONTENT.search(tag)
        if content and (target := _REFRESH_URL.search(next(g for g in content.groups() if g is not None))):
            return _absolute(base, target.group(1)), "generic:meta-refresh"
    match = _SCRIPT_LOCATION.search(html)
    if match:
        return _absolute(base, match.group(1) or match.group(2)), "generic:script-location"
    return "", ""
