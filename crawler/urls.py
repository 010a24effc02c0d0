"""One URL model for every platform: what a link points at, compared and matched by its path.

E-paper pages link the same document in several spellings: `content_3.htm`, `content_3.htm?div=-1` from the title
list, `content_3.htm?div=0` from the image map, `content_3.htm#p1` from a guide box. On these static sites a query
string never selects another document (the page is a file), so the canonical form of a static document URL drops
it; a fragment never reaches the server and is always dropped. URL patterns of platforms are matched against the
path alone, so no decoration of a link can make it miss.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

# Files a static e-paper serves as documents: a query string on these is decoration (?div=-1, ?v=1).
_STATIC_DOCUMENT = re.compile(r"\.(?:s?html?|xml|pdf|jpe?g|png|gif|tif)(?:\.\d+)?$", re.IGNORECASE)


@lru_cache(maxsize=8192)
def canonical_url(url: str) -> str:
    """The URL without fragment, and without query string when it names a static document (pure, cached)."""
    if "#" not in url and "?" not in url:
        return url
    parts = urlsplit(url)
    query = "" if _STATIC_DOCUMENT.search(parts.path) else parts.query
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


_PATH = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://[^/?#]*)?([^?#]*)")


def url_path(url: str) -> str:
    """The path of a URL (what page and article URL patterns are matched against); as urlsplit(url).path."""
    return _PATH.match(url).group(1)  # type: ignore[union-attr]  # the pattern matches any string


def origin(url: str) -> str:
    """scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def file_stem(url: str) -> str:
    """The last path segment without its extension ('node_A01' for …/node_A01.html?v=1)."""
    name = url_path(url).rsplit("/", 1)[-1]
    return name.split(".", 1)[0]
