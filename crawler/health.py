"""No silent loss: what a page or an issue plainly holds that the crawl did not take, as warnings.

Pure functions over extracted data; the spider turns each warning into a log line, a `health/<kind>` stat and a
`warning` event (shown by the crawl summary and `python -m crawler.coverage`). The kinds:

    article_links_unmatched  links that look like articles but match no article shape (notes from extraction)
    no_articles              a page with no article links while the issue's other pages have some
    single_page_issue        an issue whose page list holds one page
    page_labels_unmatched    the page shows labels of pages (第02版…) that no page-shaped link leads to
    empty_page_no / empty_page_name / empty_title / empty_body
    field_missing            a field present on the other pages of the issue and missing on this one
    title_by_fallback / body_by_fallback   articles whose title or body only the main-content fallback read
                             (the data is there, but the platform's selectors no longer match: pin one)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# Page fields that every page of an issue has when any has them (a PDF per page, a scan per page, a label).
ISSUE_FIELDS = ("page_no", "page_name", "pdf_url", "image_url")


@dataclass(frozen=True)
class Warning:
    """One thing that looks wrong: its kind, where (URL) and a one-line reason."""

    kind: str
    url: str
    reason: str


def page_warnings(page: object) -> list[Warning]:
    """What looks incomplete on one page (a PageData)."""
    url = page.url  # type: ignore[attr-defined]
    found: list[Warning] = [Warning("article_links_unmatched", url, note) for note in page.notes]  # type: ignore
    if not page.page_no:  # type: ignore[attr-defined]
        found.append(Warning("empty_page_no", url, "no page number found (label, page list or label text)"))
    if not page.page_name:  # type: ignore[attr-defined]
        found.append(Warning("empty_page_name", url, "no page name found"))
    linked = {p.page_no for p in page.pages} | {page.page_no}  # type: ignore[attr-defined]
    unlinked = [n for n in page.labels_shown if n not in linked]  # type: ignore[attr-defined]
    if unlinked:
        found.append(Warning("page_labels_unmatched", url, f"the page shows labels of pages {', '.join(unlinked)} "
                             "but no link of page shape leads to them"))
    return found


def article_warnings(url: str, title: str, paragraphs: list[str]) -> list[Warning]:
    """What looks incomplete on one article page."""
    found = []
    if not title:
        found.append(Warning("empty_title", url, "no title found"))
    if not paragraphs:
        found.append(Warning("empty_body", url, "no body text found"))
    return found


def issue_warnings(pages: Iterable[dict[str, str]]) -> list[Warning]:
    """What one page of an issue lacks that the others have, and an issue of a single page.

    pages: one dict per page of the issue, with `url`, the ISSUE_FIELDS and `articles` (a count). A field counts as
    the issue's when at least two thirds of its pages (and at least two) have it.
    """
    pages = list(pages)
    found: list[Warning] = []
    if len(pages) == 1:
        found.append(Warning("single_page_issue", pages[0]["url"], "the issue's page list holds one page"))
    with_articles = sum(1 for page in pages if page.get("articles"))
    if with_articles >= 2:
        found += [Warning("no_articles", page["url"], f"no article links here, but {with_articles} of {len(pages)} "
                          "pages of the issue have some") for page in pages if not page.get("articles")]
    have = Counter(name for page in pages for name in ISSUE_FIELDS if page.get(name))
    for name in ISSUE_FIELDS:
        if have[name] < 2 or have[name] * 3 < len(pages) * 2 or have[name] == len(pages):
            continue
        for page in pages:
            if not page.get(name):
                found.append(Warning("field_missing", page["url"],
                                     f"{name} is empty here but present on {have[name]} of {len(pages)} pages"))
    return found


def health_line(counts: dict[str, int]) -> str:
    """The crawl summary's last line: 'health: ok', or what looks wrong, most frequent first."""
    wrong = {kind: n for kind, n in counts.items() if n}
    if not wrong:
        return "health: ok"
    return "health: WARN " + ", ".join(f"{kind} {n}" for kind, n in sorted(wrong.items(), key=lambda kv: -kv[1]))
