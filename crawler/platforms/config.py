"""A platform is data: URL templates, URL patterns and selectors. A profile may override any of them.

Selector values are a CSS selector, an XPath expression prefixed with `xpath:`, or a list of those
tried in order (the first that finds text wins). Everything is checked when the crawl starts, so a
typo in a profile fails at once with a clear message, not halfway through a crawl.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from parsel import Selector

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


class ConfigError(ValueError):
    """A platform or profile setting is unusable; the message names the key and the reason."""


@dataclass(frozen=True)
class PlatformConfig:
    """A platform's settings after a profile's overrides, checked and compiled."""

    name: str
    values: dict[str, Any]
    page_url_re: re.Pattern[str]
    article_url_re: re.Pattern[str]

    def selectors(self, key: str) -> list[str]:
        """The selector alternatives for a key, in the order to try them."""
        value = self.values[key]
        return ([value] if value else []) if isinstance(value, str) else [q for q in value if q]

    def issue_url(self, base_url: str, day: dt.date) -> str:
        """The first page of a day's issue."""
        return base_url + self.values["issue_url"].format(
            yyyy=f"{day:%Y}", mm=f"{day:%m}", dd=f"{day:%d}", first_node=self.values["first_node"]
        )

    def latest_url(self, base_url: str) -> str:
        """The page showing the latest issue."""
        return base_url + self.values["latest_url"]


def select(sel: Selector, query: str) -> Any:
    """Run one selector: CSS, or XPath when prefixed with `xpath:`."""
    return sel.xpath(query[6:]) if query.startswith("xpath:") else sel.css(query)


def _check_selector(key: str, query: Any) -> None:
    """Fail now on a selector that cannot compile."""
    queries = [query] if isinstance(query, str) else query
    if not isinstance(queries, list) or not all(isinstance(q, str) for q in queries):
        raise ConfigError(f"{key}: expected a selector string or a list of them, got {query!r}")
    probe = Selector(text="<html><body><p>x</p></body></html>")
    for q in filter(None, queries):
        try:
            select(probe, q)
        except Exception as exc:
            raise ConfigError(f"{key}: bad selector {q!r}: {exc}") from None


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
    missing = set(KEYS) - set(values)
    if missing:
        raise ConfigError(f"platform {name} lacks {sorted(missing)}")
    for key in TEMPLATE_KEYS:
        _check_template(key, values[key])
    for key in set(KEYS) - set(TEMPLATE_KEYS) - set(PATTERN_KEYS):
        _check_selector(key, values[key])
    return PlatformConfig(
        name=name,
        values=values,
        page_url_re=_compile("page_url_pattern", values["page_url_pattern"], {"yyyy", "mm", "dd"}),
        article_url_re=_compile("article_url_pattern", values["article_url_pattern"], {"key"}),
    )
