"""Fixture issues for the newer platform families, derived from the existing fixture papers' data (our own
text): the same articles under the ids, page files and photo paths another URL scheme gives them. Also the
relative links between a site's files, for builders whose folders vary with the site's root."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from dataclasses import replace

from tests.sites.model import Article, Issue, Page

# (issue, page index, page, article index, article) -> a new value
KeyOf = Callable[[Issue, int, Page, int, Article], str]


def rel(from_file: str, to_path: str) -> str:
    """The link from one site-relative file to another: "../../content/x.html"."""
    return posixpath.relpath(to_path, posixpath.dirname(from_file) or ".")


def rekey(
    issues: Sequence[Issue],
    key_of: KeyOf,
    *,
    node_of: Callable[[Issue, int, Page], str] | None = None,
    image_of: Callable[[Issue, Article, int, str], str] | None = None,
    guides: bool = True,
) -> list[Issue]:
    """Copies of issues whose articles get key_of(...) as key (continuations follow), pages node_of(...) as file
    name and photos image_of(issue, article, n, src) as path; anything not given stays as it was. guides=False
    drops the 今日导读 items, for a platform whose pages have no such box."""
    out = []
    for issue in issues:
        keys = {a.key: key_of(issue, p, page, n, a) for p, page in enumerate(issue.pages)
                for n, a in enumerate(page.articles)}
        pages = []
        for p, page in enumerate(issue.pages):
            articles = [
                replace(a, key=keys[a.key], continues=keys.get(a.continues, a.continues),
                        images=[(image_of(issue, a, i, src) if image_of else src, caption)
                                for i, (src, caption) in enumerate(a.images)])
                for a in page.articles
            ]
            pages.append(replace(page, node=node_of(issue, p, page) if node_of else page.node, articles=articles,
                                 guide=list(page.guide) if guides else []))
        out.append(replace(issue, pages=pages))
    return out
