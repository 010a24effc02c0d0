"""`python -m crawler probe URL`: what the crawler reads on one page, by which rule, and what it cannot find.

The tool for adding a paper: point it at a page (版面) or an article, live or saved (`--file PATH --url URL`), and it
prints every field with the rule that produced it (see crawler/platforms/extract.py), lists what is missing, and
suggests a profile `[overrides]` snippet where the page shows the missing thing somewhere the rules don't look.
Exit status: 0 every essential field found, 1 something is missing, 2 bad usage or the page could not be read.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from parsel import Selector
from scrapy.http import HtmlResponse

from crawler.encoding import response_text
from crawler.platforms import PLATFORMS, detect, extract, get_platform
from crawler.platforms.config import PlatformConfig
from crawler.text import normalize_inline
from crawler.urls import url_path

PAGE_FIELDS = ("date", "page_no", "page_name", "pages", "article_urls", "pdf_url", "image_url", "guide")
ARTICLE_FIELDS = ("article_key", "pretitle", "title", "subtitle", "author", "body", "images", "date", "page_no",
                  "page_name")
# What a page or an article cannot do without; the rest is reported but optional.
ESSENTIAL = {"page": ("date", "page_no", "page_name", "pages", "article_urls"),
             "article": ("article_key", "title", "body")}
_USER_AGENT = "epaper-probe (+https://pypi.org/project/scrapy/)"
_TIMEOUT = 30


class ProbeError(Exception):
    """The page could not be fetched or read; the message is one line."""


@dataclass
class Report:
    """What probe found on one page: its kind, platform, (field, value, rule) rows, missing fields, advice."""

    url: str
    kind: str
    platform: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The report as printed."""
        out = [f"probe: {self.url}", f"  kind {self.kind}, platform {self.platform}"]
        width = max((len(name) for name, _, _ in self.rows), default=8)
        for name, value, rule in self.rows:
            out.append(f"  {name:<{width}}  {value or '—'}" + (f"    [{rule}]" if rule else ""))
        out.append("  missing: " + (", ".join(self.missing) if self.missing else "nothing essential"))
        out += [f"  note: {note}" for note in self.notes]
        if self.overrides:
            out.append("  suggested profile snippet (check it, then add it to the paper's profile):")
            out.append("    [overrides]")
            out += [f"    {key} = {value!r}".replace("'", '"') for key, value in self.overrides.items()]
        return out


def fetch(url: str) -> tuple[bytes, str]:
    """(body, Content-Type) of a URL; ProbeError on any failure."""
    if not url.startswith(("http://", "https://")):
        raise ProbeError(f"not an http(s) URL: {url!r}")
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as answer:
            return answer.read(), answer.headers.get("Content-Type", "")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ProbeError(f"cannot fetch {url}: {getattr(exc, 'reason', exc)}") from None


def _short(value: Any) -> str:
    """A field's value on one line, cut to fit a terminal."""
    if isinstance(value, list):
        if value and isinstance(value[0], extract.PageLink):
            value = [f"{p.page_no}:{p.page_name}" for p in value]
        elif value and isinstance(value[0], dict):
            value = [f"{i.get('url', '')} ({i.get('caption', '')})" for i in value]
        text = f"{len(value)}: " + " | ".join(str(v) for v in value[:4]) + (" …" if len(value) > 4 else "")
        return text if value else ""
    text = str(value).replace("\n", " ⏎ ")
    return text if len(text) <= 100 else text[:97] + "…"


def _kind(url: str, cfg: PlatformConfig) -> str:
    """'page' or 'article' by the URL's shape ('' when it has neither)."""
    if extract.article_key(url, cfg):
        return "article"
    return "page" if extract.is_page_url(url, cfg) else ""


def _css_path(node: Any) -> str:
    """A short CSS selector for an element: tag#id, else tag.class, else its parent's path and its tag."""
    tag = node.tag if isinstance(node.tag, str) else "*"
    if node.get("id") and re.fullmatch(r"[A-Za-z][\w-]*", node.get("id")):
        return f"{tag}#{node.get('id')}"
    classes = [c for c in (node.get("class") or "").split() if re.fullmatch(r"[A-Za-z][\w-]*", c)]
    if classes:
        return f"{tag}.{classes[0]}"
    parent = node.getparent()
    return f"{_css_path(parent)} > {tag}" if parent is not None and parent.tag not in ("body", "html") else tag


def _cjk(text: str) -> int:
    """How many CJK characters a text has."""
    return sum(1 for c in text if "\u3400" <= c <= "\u9fff")


def _body_element(root: Any) -> Any:
    """The element whose paragraphs hold the most CJK text (at least 40 characters), or None."""
    best, best_count = None, 39
    for node in root.iter():
        if not isinstance(node.tag, str) or node.tag in ("html", "body"):
            continue
        count = sum(_cjk("".join(p.itertext())) for p in node.findall("p"))
        if count > best_count:
            best, best_count = node, count
    return best


def _title_like(node: Any) -> bool:
    """A short CJK text, not a link, with no element children holding text of their own."""
    if not isinstance(node.tag, str) or node.tag in ("a", "script", "style", "title", "p") or node.find(".//a") \
            is not None:
        return False
    text = "".join(node.itertext()).strip()
    return 4 <= _cjk(text) and len(text) <= 60


def _suggest_title(root: Any, body: Any) -> str:
    """The nearest title-like element before the body (the headline sits above the story), else the first
    heading (h1-h3, or an id or class naming a title)."""
    if body is not None:
        before = []
        for node in root.iter():
            if node is body:
                break
            before.append(node)
        ancestors = set(body.iterancestors())
        for node in reversed(before):
            if node not in ancestors and _title_like(node):
                return _css_path(node)
    for node in root.iter():
        named = isinstance(node.tag, str) and (node.tag in ("h1", "h2", "h3") or "title" in (
            (node.get("class") or "") + (node.get("id") or "")).lower())
        if named and _title_like(node):
            return _css_path(node)
    return ""


def _suggest_pattern(example: str) -> str:
    """An article_url_pattern from one article-looking URL: digits generalized, the last number as the key."""
    path = url_path(example)
    name = path.rsplit("/", 1)[-1]
    head = re.sub(r"\d", r"\\d", re.escape(path.rsplit("/", 1)[0].rsplit("/", 2)[-1]))
    numbers = list(re.finditer(r"\d+", name))
    if not numbers:
        return ""
    last = numbers[-1]
    stem = re.sub(r"\d+", r"\\d+", re.escape(name[: last.start()]))
    tail = re.escape(name[last.end():])
    return f"/{head}/{stem}(?P<key>\\d+){tail}$"


_BINARY = (b"%PDF", b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"PK\x03\x04", b"II*\x00", b"MM\x00*")


def _check_html(body: bytes, content_type: str) -> None:
    """ProbeError for what is no HTML page: a PDF, an image, an archive, other binary bytes, a non-HTML type."""
    head = body.lstrip()[:1024]
    kind = content_type.split(";", 1)[0].strip().lower()
    if not head:
        raise ProbeError("the page is empty")
    if head.startswith(_BINARY) or b"\x00" in head or (kind and "html" not in kind and "xml" not in kind
                                                          and kind != "text/plain"):
        raise ProbeError(f"not an HTML page ({kind or 'binary content'}): probe reads 版面 and article pages")


def probe(url: str, body: bytes, content_type: str = "", cfg: PlatformConfig | None = None,
          kind: str = "") -> Report:
    """Read one page as the crawler would, with the given platform settings or those of the platform its URL (or
    its links) point to; kind 'page' or 'article' (default: from the URL's shape, else from the page).
    Raises ProbeError for what is no HTML page."""
    _check_html(body, content_type)
    response = HtmlResponse(url=url, body=body, headers={"Content-Type": content_type} if content_type else {})
    cfg = cfg or _platform(url, response)
    shaped = _kind(url, cfg)
    kind = kind or shaped or _guess_kind(response, cfg)
    report = Report(url=url, kind=kind, platform=cfg.name)
    if not shaped:
        report.notes.append(f"the URL has neither the page nor the article shape of {cfg.name}: read as {kind} "
                            "(say --kind page|article if that is wrong; the crawler itself would not take it)")
    html = response_text(response)
    target, how = extract.client_redirect(html, url)
    if target and target != url:
        report.notes.append(f"this page redirects ({how.split(':', 1)[1]}) to {target}: probe that one")
    root = Selector(text=html).root
    if kind == "article":
        art = extract.parse_article(response, cfg)
        values = {**vars(art), "body": "\n".join(art.paragraphs)}
        names, rules = ARTICLE_FIELDS, art.rules
    else:
        page = extract.parse_page(response, cfg)
        values = vars(page)
        names, rules = PAGE_FIELDS, page.rules
        report.notes += page.notes
        if len(page.pages) == 1:
            report.notes.append("the page list holds one page: an issue has more; check page_links")
    for name in names:
        report.rows.append((name, _short(values.get(name)), rules.get(name, "")))
    report.missing = [n for n in ESSENTIAL[kind] if not values.get(n)]
    fallbacks = [n for n in names if rules.get(n, "").startswith("fallback:")]
    _advise(report, root, cfg, fallbacks, values)
    if fallbacks:
        pinned = [n for n in fallbacks if n in report.overrides]
        report.notes.append(f"{', '.join(fallbacks)} read by the main-content fallback: " + (
            "pin a selector in the profile (below) so a change of template is noticed" if pinned
            else "no selector could be suggested; find the element in the page and set it in [overrides]"))
    return report


def _element_with_text(root: Any, text: str) -> Any:
    """The innermost element whose whole text (normalized) is exactly text, or None."""
    found = None
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag not in ("title", "script", "style") \
                and normalize_inline("".join(node.itertext())) == text:
            found = node  # iter() is depth-first: a later match is nested deeper (or elsewhere, equally good)
    return found


def _advise(report: Report, root: Any, cfg: PlatformConfig, fallbacks: list[str], values: dict[str, Any]) -> None:
    """Fill report.overrides with selectors or patterns for what is missing but visible on the page, or read only
    by the main-content fallback (then the element holding exactly what it read)."""
    body = _body_element(root)
    if ("body" in report.missing or "body" in fallbacks) and body is not None:
        report.overrides["body"] = _css_path(body)
    if "title" in fallbacks and (node := _element_with_text(root, values.get("title") or "")) is not None:
        report.overrides["title"] = _css_path(node)
    elif ("title" in report.missing or "title" in fallbacks) and (found := _suggest_title(root, body)):
        report.overrides["title"] = found
    if "article_urls" in report.missing:
        example = next((n.split("(e.g. ", 1)[1].split(")", 1)[0] for n in report.notes if "(e.g. " in n), "")
        if example and (pattern := _suggest_pattern(example)):
            report.overrides["article_url_pattern"] = pattern
    if "article_key" in report.missing and (pattern := _suggest_pattern(report.url)):
        report.overrides["article_url_pattern"] = pattern


def _platform(url: str, response: HtmlResponse) -> PlatformConfig:
    """The platform the URL's shape names, else the one that reads the page best."""
    found = detect.from_url(url)
    if found:
        return get_platform(found.platform)
    scores = []
    for candidate in PLATFORMS:
        cfg = get_platform(candidate)
        if extract.article_key(url, cfg):
            return cfg
        page = extract.parse_page(response, cfg)
        scores.append((len(page.article_urls) + len(page.pages), candidate))
    return get_platform(max(scores)[1])


def _guess_kind(response: HtmlResponse, cfg: PlatformConfig) -> str:
    """'page' when the page links articles or pages of this platform, else 'article'."""
    page = extract.parse_page(response, cfg)
    return "page" if page.article_urls or page.pages else "article"


def run(url: str, file: str | None, platform: str, paper: str, kind: str = "") -> tuple[list[str], int]:
    """Probe a URL or a saved file; (lines to print, exit status)."""
    cfg = None
    if paper:
        from crawler.profiles import load_profile

        profile = load_profile(paper)  # ProfileError: the caller prints it
        cfg = None if profile.platform == "auto" else profile.platform_config()
    elif platform:
        if platform not in PLATFORMS:
            raise ProbeError(f"unknown platform {platform!r}; choose from: {', '.join(sorted(PLATFORMS))}")
        cfg = get_platform(platform)
    if file:
        try:
            with open(file, "rb") as handle:
                body, content_type = handle.read(), ""
        except OSError as exc:
            raise ProbeError(f"cannot read {file}: {exc.strerror}") from None
    else:
        body, content_type = fetch(url)
    try:
        report = probe(url, body, content_type, cfg, kind)
    except etree.LxmlError as exc:
        raise ProbeError(f"cannot parse {file or url}: {exc}") from None
    return report.lines(), 1 if report.missing else 0
