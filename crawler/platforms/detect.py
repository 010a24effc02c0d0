"""`platform=auto`: tell the platform family from a URL's shape, or from the links a page carries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from scrapy.http import TextResponse

from crawler.platforms import PLATFORMS, get_platform
from crawler.platforms.extract import date_from_url

_REFRESH = re.compile(r"url\s*=\s*['\"]?([^'\" >;]+)", re.IGNORECASE)
# Classic last: its pattern is the loosest of the three.
ORDER = ("founder-new", "nbs", "founder-classic")


@dataclass(frozen=True)
class Detection:
    """A platform found at a page URL: which one, the site's base URL, the issue date of that page."""

    platform: str
    base_url: str
    page_url: str
    date: str


def described() -> str:
    """The page-URL shapes auto-detection knows, for error messages."""
    return "; ".join(f"{name} ({PLATFORMS[name]['issue_url']})" for name in ORDER)


def from_url(url: str) -> Detection | None:
    """The platform whose page-URL pattern this URL matches, with the base URL cut from it."""
    for name in ORDER:
        cfg = get_platform(name)
        match = cfg.page_url_re.search(url.split("?")[0].split("#")[0])
        if match and date_from_url(url, cfg):
            return Detection(name, url[: match.start() + 1], url, date_from_url(url, cfg))
    return None


def candidate_urls(response: TextResponse) -> list[str]:
    """Where a page leads: its own URL, its meta refresh, its links and frames, absolute."""
    try:
        sel = Selector(text=response.text)
    except AttributeError:  # not a text response
        return [response.url]
    urls = [response.url]
    for content in sel.xpath("//meta[translate(@http-equiv, 'REFSH', 'refsh')='refresh']/@content").getall():
        if match := _REFRESH.search(content):
            urls.append(match.group(1))
    urls += sel.xpath("//a/@href | //area/@href | //frame/@src | //iframe/@src").getall()
    return [urljoin(response.url, u.strip()) for u in urls if u.strip()]


def in_page(response: TextResponse) -> Detection | None:
    """The first platform page linked from (or being) this response."""
    for url in candidate_urls(response):
        if found := from_url(url):
            return found
    return None


def probe_urls(base_url: str) -> list[str]:
    """Pages to look at, in order, when the URL itself says nothing: it, then each latest-issue page."""
    last_segment = urlsplit(base_url).path.rsplit("/", 1)[-1]
    base = base_url if base_url.endswith("/") or "." in last_segment else base_url + "/"
    urls = [base_url] + [urljoin(base, PLATFORMS[name]["latest_url"]) for name in ORDER]
    return list(dict.fromkeys(urls))
