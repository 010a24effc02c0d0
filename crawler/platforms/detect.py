"""`platform=auto`: tell the platform family from a URL's shape, or from the links a page carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from scrapy.http import TextResponse

from crawler.encoding import response_text
from crawler.platforms import PLATFORMS, get_platform
from crawler.platforms.extract import client_redirect, date_from_url

# Classic last: its pattern is the loosest.
ORDER = ("founder-new", "nbs", "paperindex", "workercn", "founder-classic")
# Latest-issue pages of Founder new sites under other roots than pc/layout/, probed after each platform's own.
OTHER_LATEST_PAGES = ("html/layout/index.html", "layout/index.html", "pad/layout/index.html")


@dataclass(frozen=True)
class Detection:
    """A platform found at a page URL: which one, the site's base URL, the issue date of that page, and the
    URL templates (issue_url, latest_url) for a site whose root differs from the platform's own."""

    platform: str
    base_url: str
    page_url: str
    date: str
    overrides: dict[str, Any] = field(default_factory=dict)


def described() -> str:
    """The page-URL shapes auto-detection knows, for error messages."""
    return "; ".join(f"{name} ({PLATFORMS[name]['issue_url']})" for name in ORDER)


def _root_overrides(defaults: dict[str, Any], root: str) -> dict[str, Any]:
    """issue_url and latest_url moved from the platform's own root (the issue_url before {yyyy}) to root."""
    own = defaults["issue_url"].split("{yyyy}", 1)[0]
    if root == own:
        return {}
    moved = {"issue_url": root + defaults["issue_url"][len(own):]}
    if defaults["latest_url"].startswith(own):
        moved["latest_url"] = root + defaults["latest_url"][len(own):]
    return moved


def from_url(url: str) -> Detection | None:
    """The platform whose page-URL pattern this URL's path matches, with the base URL cut where the match (or
    its `root` group) begins."""
    path = urlsplit(url).path
    for name in ORDER:
        cfg = get_platform(name)
        match = cfg.page_url_re.search(path)
        date = date_from_url(path, cfg) if match else ""
        if not date:
            continue
        rooted = "root" in cfg.page_url_re.groupindex
        cut = match.start("root") if rooted else match.start() + 1
        base = url[: url.find("/", url.find("//") + 2) + cut]  # the path starts at the first "/" after the host
        overrides = _root_overrides(PLATFORMS[name], match["root"]) if rooted else {}
        return Detection(name, base, url, date, overrides)
    return None


def candidate_urls(response: TextResponse) -> list[str]:
    """Where a page leads: its own URL, its client-side redirect (meta refresh or script, as the spider follows
    them), its links and frames, absolute."""
    try:
        html = response_text(response)
    except AttributeError:  # not a text response
        return [response.url]
    sel = Selector(text=html)
    urls = [response.url]
    if target := client_redirect(html, response.url)[0]:
        urls.append(target)
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
    urls += [urljoin(base, page) for page in OTHER_LATEST_PAGES]
    return list(dict.fromkeys(urls))
