"""A platform is data: URL templates, URL patterns and selectors. A profile may override any of them.

Selector values are a CSS selector, an XPath expression prefixed with `xpath:`, or a list of those
tried in order (the first that finds text wins). Everything is checked when the crawl starts, so a
typo in a profile fails at once with a clear message, not halfway through a crawl.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lxml import etree
from parsel import Selector, css2xpath

# What each key means; every platform must give all of them (empty string/list = not on this platform).
KEYS: dict[str, str] = {
    "issue_url": "URL template of an issue's first page, relative to base_url: {yyyy} {mm} {dd} {first_node}",
    "latest_url": "URL (relative to base_url) that shows or redirects to the latest issue",
    "first_node": "file name of an issue's first page, put into issue_url as {first_node}",
    "page_url_pattern": "regex matching page (版面) URLs, with named groups yyyy, mm, dd",
    "article_url_pattern": "regex matching article URLs, with a named group key (the site's article id)",
    "page_links": "selector: links to every page of the issue (text like 第01版：要闻)",
    "current_page_label": "selector: this page's own label, where the page list does not mark it",
    "article_links": "selector: article links in reading order (title list, then image map)",
    "pdf_link": "selector: the page PDF link",
    "page_image": "selector: the page image",
    "guide": "selector: the 今日导读 / 导读 box's items",
    "pretitle": "selector: 引题",
    "title": "selector: title",
    "subtitle": "selector: 副题",
    "author": "selector: author",
    "body": "selector: the element(s) holding the body paragraphs",
    "images": "selector: photos (img elements) of the article",
    "image_caption": "xpath relative to an img: its caption",
}
TEMPLATE_KEYS = ("issue_url", "latest_url", "first_node")
PATTERN_KEYS = ("page_url_pattern", "article_url_pattern")
_PLACEHOLDERS = {"yyyy", "mm", "dd", "first_node"}
# The prefixes parsel's selectors know (EXSLT regular expressions and sets), so profile XPath may use them.
XPATH_NAMESPACES = {"re": "http://exslt.org/regular-expressions", "set": "http://exslt.org/sets"}


class ConfigError(ValueError):
    """A platform or profile setting is unusable; the message names the key and the reason."""


@dataclass(frozen=True)
class PlatformConfig:
    """A platform's settings after a profile's overrides, checked and compiled."""

    name: str
    values: dict[str, Any]
    page_url_re: re.Pattern[str]
    article_url_re: re.Pattern[str]
    # key -> its selector alternatives compiled, filled by build_config (extraction runs these on lxml trees)
    compiled: dict[str, tuple[etree.XPath, ...]] = field(default_factory=dict, compare=False, repr=False)
    # the keys a profile's [overrides] set (provenance says "profile" rather than "platform" for them)
    overridden: frozenset[str] = frozenset()
    # selector key -> how many of its leading alternatives the profile gave (the platform's follow them)
    from_profile: dict[str, int] = field(default_factory=dict, compare=False)

    def source(self, key: str, alternative: int = 0) -> str:
        """Where a key's value (or its n-th selector alternative) comes from: 'profile' or 'platform'."""
        if key in self.from_profile:
            return "profile" if alternative < self.from_profile[key] else "platform"
        return "profile" if key in self.overridden else "platform"

    def selectors(self, key: str) -> list[str]:
        """The selector alternatives for a key, in the order to try them."""
        value = self.values[key]
        return ([value] if value else []) if isinstance(value, str) else [q for q in value if q]

    def queries(self, key: str) -> tuple[etree.XPath, ...]:
        """The selector alternatives for a key, compiled, in the order to try them."""
        found = self.compiled.get(key)
        if found is None:  # a config built by hand rather than by build_config
            found = self.compiled[key] = tuple(compile_selector(q) for q in self.selectors(key))
        return found

    def issue_url(self, base_url: str, day: dt.date) -> str:
        """The first page of a day's issue."""
        return base_url + self.values["issue_url"].format(
            yyyy=f"{day:%Y}", mm=f"{day:%m}", dd=f"{day:%d}", first_node=self.values["first_node"]
        )

    def latest_url(self, base_url: str) -> str:
        """The page showing the latest issue."""
        return base_url + self.values["latest_url"]


@lru_cache(maxsize=1024)
def compile_selector(query: str) -> etree.XPath:
    """One selector as an lxml XPath: CSS translated as parsel's Selector.css does, or XPath after `xpath:`."""
    expression = query[6:] if query.startswith("xpath:") else css2xpath(query)
    # smart_strings=False, as parsel: selected text comes back as plain str, not tied to its tree
    return etree.XPath(expression, namespaces=XPATH_NAMESPACES, smart_strings=False)


def select(node: Any, query: str | etree.XPath) -> list[Any]:
    """Run one selector on an lxml node: what it selects (elements, or strings for text and attributes)."""
    run = compile_selector(query) if isinstance(query, str) else query
    found = run(node)
    return found if isinstance(found, list) else [found]  # count(), string() etc. give one value


def _check_selector(key: str, query: Any) -> tuple[etree.XPath, ...]:
    """Fail now on a selector that cannot compile or run; return the compiled alternatives."""
    queries = [query] if isinstance(query, str) else query
    if not isinstance(queries, list) or not all(isinstance(q, str) for q in queries):
        raise ConfigError(f"{key}: expected a selector string or a list of them, got {query!r}")
    probe = Selector(text="<html><body><p>x</p></body></html>").root
    compiled = []
    for q in filter(None, queries):
        try:
            compiled.append(compile_selector(q))
            select(probe, compiled[-1])
        except Exception as exc:
            raise ConfigError(f"{key}: bad selector {q!r}: {exc}") from None
    return tuple(compiled)


def _check_template(key: str, template: Any) -> None:
    """Fail now on a URL template with unknown placeholders."""
    if not isinstance(template, str):
        raise ConfigError(f"{key}: expected a string, got {template!r}")
    names = set(re.findall(r"{(\w*)[^}]*}", template))
    unknown = names - _PLACEHOLDERS
    if unknown:
        raise ConfigError(f"{key}: unknown placeholder(s) {sorted(unknown)} in {template!r}; "
                          f"use {sorted(_PLACEHOLDERS)}")


def _compile(key: str, pattern: Any, groups: set[str]) -> re.Pattern[str]:
    """Compile a URL pattern and check it has the named groups the crawler reads."""
    if not isinstance(pattern, str):
        raise ConfigError(f"{key}: expected a regex string, got {pattern!r}")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{key}: bad regex {pattern!r}: {exc}") from None
    missing = groups - set(compiled.groupindex)
    if missing:
        raise ConfigError(f"{key}: regex {pattern!r} lacks named group(s) {sorted(missing)}")
    return compiled


def build_config(name: str, defaults: dict[str, Any], overrides: dict[str, Any] | None = None) -> PlatformConfig:
    """Merge a profile's overrides into a platform's defaults and check every value."""
    overrides = overrides or {}
    unknown = set(overrides) - set(KEYS)
    if unknown:
        raise ConfigError(f"unknown override key(s) {sorted(unknown)}; known: {', '.join(KEYS)}")
    values = {**defaults, **overrides}
    # A profile's selectors are tried before the platform's, not instead of them: a template that changes
    # back, or a page the profile's selector misses, still reads.
    from_profile: dict[str, int] = {}
    for key in set(overrides) - set(TEMPLATE_KEYS) - set(PATTERN_KEYS):
        mine = [overrides[key]] if isinstance(overrides[key], str) else overrides[key]
        theirs = defaults.get(key, [])
        theirs = [theirs] if isinstance(theirs, str) else theirs
        if isinstance(mine, list) and all(isinstance(q, str) for q in mine):
            mine = [q for q in mine if q]
            values[key] = mine + [q for q in theirs if q and q not in mine]
            from_profile[key] = len(mine)
    missing = set(KEYS) - set(values)
    if missing:
        raise ConfigError(f"platform {name} lacks {sorted(missing)}")
    for key in TEMPLATE_KEYS:
        _check_template(key, values[key])
    compiled = {key: _check_selector(key, values[key]) for key in KEYS
                if key not in TEMPLATE_KEYS and key not in PATTERN_KEYS}
    return PlatformConfig(
        name=name,
        values=values,
        page_url_re=_compile("page_url_pattern", values["page_url_pattern"], {"yyyy", "mm", "dd"}),
        article_url_re=_compile("article_url_pattern", values["article_url_pattern"], {"key"}),
        compiled=compiled,
        overridden=frozenset(overrides),
        from_profile=from_profile,
    )
