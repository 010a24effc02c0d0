"""What every fixture site builder shares: escaping, print-column wrapping, dates, picture tables, writing the
files of an issue, and assembling the records a perfect crawl must produce. The builders (founder_classic,
founder_new, nbs) keep only what their platform's markup and URL layout make different.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from datetime import date as Date
from pathlib import Path
from typing import NamedTuple

from tests.sites.model import Article, Issue, Page, article_fields, article_id

CHARSETS = {"gbk": "gb2312", "utf-8": "utf-8"}  # bytes codec -> charset the page declares (GBK lies: gb2312)
WRAP_WIDTHS = (14, 16, 13, 15)  # the print-column line lengths the paragraphs are hard-wrapped at
WEEKDAYS = "一二三四五六日"
# Curly quotes and the middle dot as named entities, the way Founder-made pages write them in bodies.
NAMED_ENTITIES = (("“", "&ldquo;"), ("”", "&rdquo;"), ("·", "&middot;"))

# Smallest JPEG-shaped file (SOI, JFIF APP0, EOI) and an empty PDF: crawlers record these URLs, never decode them.
FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
FAKE_PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
ROBOTS = b"User-agent: *\nDisallow:\n"


# --- dates and paths ------------------------------------------------------------------------------


def long_date(iso: str) -> str:
    """The masthead date, e.g. "2025年03月19日 星期三"."""
    d = Date.fromisoformat(iso)
    return f"{d.year}年{d.month:02d}月{d.day:02d}日 星期{WEEKDAYS[d.weekday()]}"


def issue_dir(issue: Issue) -> str:
    """Site-relative folder of an issue's html files on the html/ platforms: "html/2025-03/19/"."""
    return f"html/{issue.date[:7]}/{issue.date[8:]}/"


def neighbours(issue: Issue, page: Page) -> tuple[str, str]:
    """The 上一版/下一版 targets of a page: its neighbours in the issue, itself at either end."""
    idx = issue.pages.index(page)
    prev_node = issue.pages[idx - 1].node if idx > 0 else page.node
    next_node = issue.pages[idx + 1].node if idx + 1 < len(issue.pages) else page.node
    return prev_node, next_node


def charset(encoding: str) -> str:
    """The charset a page in this bytes encoding declares; anything but GBK or UTF-8 is refused."""
    if encoding not in CHARSETS:
        raise ValueError(f"encoding must be one of {sorted(CHARSETS)}, not {encoding!r}")
    return CHARSETS[encoding]


# --- text rendering -------------------------------------------------------------------------------


def esc(text: str) -> str:
    """Plain HTML escaping for titles, captions and attributes."""
    return html.escape(text, quote=True)


def esc_body(text: str, entities: Iterable[tuple[str, str]] = NAMED_ENTITIES) -> str:
    """Body escaping, then each (character, entity) pair written as the site's CMS writes it."""
    out = html.escape(text, quote=False)
    for char, entity in entities:
        out = out.replace(char, entity)
    return out


def hard_wrap(text: str, widths: Sequence[int] = WRAP_WIDTHS) -> list[str]:
    """Cut text into print-column lines of 13-16 chars, never next to a space (joining must lose nothing)."""
    lines: list[str] = []
    start, n = 0, 0
    while len(text) - start > widths[n % len(widths)]:
        cut = start + widths[n % len(widths)]
        # A break beside an ASCII space would make "join without separator" and "join with space" differ.
        while cut < len(text) and (text[cut] == " " or text[cut - 1] == " "):
            cut += 1
        lines.append(text[start:cut])
        start, n = cut, n + 1
    lines.append(text[start:])
    return [line for line in lines if line]


def body_paragraph(
    text: str,
    *,
    start: str = "<p>　　",
    end: str = "</p>",
    entities: Iterable[tuple[str, str]] = NAMED_ENTITIES,
    widths: Sequence[int] = WRAP_WIDTHS,
) -> str:
    """One paragraph element, hard-wrapped; each line escaped on its own so no entity is cut."""
    entities = tuple(entities)
    return start + "\n".join(esc_body(line, entities) for line in hard_wrap(text, widths)) + end


def picture_rows(
    images: Iterable[tuple[str, str]], img: Callable[[str], str], caption_cell: str, *, empty_captions: bool = False
) -> str:
    """Table rows of photos, each caption in the row below its image (never a paragraph); `img` makes the
    <img> tag from the site-relative src, `caption_cell` opens the caption's <td>. A row for an empty caption
    only where the site writes one (`empty_captions`)."""
    return "".join(
        f'<tr><td align="center">{img(src)}</td></tr>\n'
        + (f"<tr>{caption_cell}{esc(caption)}</td></tr>\n" if caption or empty_captions else "")
        for src, caption in images
    )


def enpproperty(article: Article, date: str, page_no: str | int, nodename: str) -> str:
    """The Founder metadata comment before an article page; raw characters, because entities are not decoded
    inside comments. The date, page number and page name as the template writes them."""
    return (
        f"<!--enpproperty <articleid>{article.key}</articleid><date>{date}</date>"
        f"<author>{article.site_author}</author><page>{page_no}</page>"
        f"<introtitle>{article.pretitle}</introtitle><title>{article.title}</title>"
        f"<subtitle>{article.subtitle}</subtitle><nodename>{nodename}</nodename>"
        "<keyword></keyword><siteid>1</siteid>/enpproperty-->\n"
    )


# --- writing the site -----------------------------------------------------------------------------


def write(path: Path, data: bytes) -> None:
    """Write bytes, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def latest(issues: Sequence[Issue]) -> Issue:
    """The newest issue, which the site's index page points at."""
    return max(issues, key=lambda i: i.date)


class Layout(NamedTuple):
    """Where a platform puts a site's files: each callable gives a site-relative path."""

    page_path: Callable[[Issue, Page], str]  # a 版面 file
    article_path: Callable[[Issue, Page, Article], str]  # an article file
    page_image_path: Callable[[Issue, Page], str]  # a page's scan
    page_pdf_path: Callable[[Issue, Page], str]  # a page's PDF ("" when the page has none)


def write_issue(
    out: Path,
    issue: Issue,
    encoding: str,
    paper_name: str,
    layout: Layout,
    render_page: Callable[[Issue, Page, str, str], str],
    render_article: Callable[[Issue, Page, Article, str, str], str],
) -> None:
    """Every file of one issue under out, in encoding: each page with its scan and PDF, each article with its
    photos. render_page(issue, page, charset, paper_name) and render_article(issue, page, article, charset,
    paper_name) give the HTML."""
    declared = charset(encoding)
    for page in issue.pages:
        # strict: a character the codec cannot hold must fail the build, not turn into "?".
        write(out / layout.page_path(issue, page), render_page(issue, page, declared, paper_name).encode(encoding))
        write(out / layout.page_image_path(issue, page), FAKE_JPEG)
        if page.pdf:
            write(out / layout.page_pdf_path(issue, page), FAKE_PDF)
        for article in page.articles:
            text = render_article(issue, page, article, declared, paper_name)
            write(out / layout.article_path(issue, page, article), text.encode(encoding))
            for src, _caption in article.images:
                write(out / src, FAKE_JPEG)


# --- what a perfect crawl yields ------------------------------------------------------------------


def expected_records(
    issues: Sequence[Issue],
    base_url: str,
    paper: str,
    paper_name: str,
    layout: Layout,
    *,
    page_ids: bool = False,
    guides: bool = False,
) -> list[dict]:
    """Archive records (each page, then its articles in markup order) computed from the data, not the HTML.
    Paths come from the platform's layout; `page_ids` adds the page record's id (as nbs sites get it),
    `guides` its 今日导读 items."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    records: list[dict] = []
    for issue in issues:
        for page in issue.pages:
            page_url = f"{base}{layout.page_path(issue, page)}"
            pdf = layout.page_pdf_path(issue, page)
            pdf_url = f"{base}{pdf}" if pdf else ""
            records.append({
                "type": "page",
                **({"id": f"{paper}-{issue.date.replace('-', '')}-p{page.page_no}"} if page_ids else {}),
                "paper": paper,
                "date": issue.date,
                "page_no": page.page_no,
                "page_name": page.page_name,
                "url": page_url,
                "pdf_url": pdf_url,
                "image_url": f"{base}{layout.page_image_path(issue, page)}",
                **({"guide": list(page.guide)} if guides else {}),
                "article_ids": [article_id(paper, issue.date, a.key) for a in page.articles],
            })
            for position, a in enumerate(page.articles):
                records.append({
                    "type": "article",
                    "id": article_id(paper, issue.date, a.key),
                    "paper": paper,
                    "paper_name": paper_name,
                    "date": issue.date,
                    "page_no": page.page_no,
                    "page_name": page.page_name,
                    "position": position,
                    **article_fields(a, issue, paper),
                    "images": [{"url": f"{base}{src}", "caption": cap} for src, cap in a.images],
                    "url": f"{base}{layout.article_path(issue, page, a)}",
                    "page_url": page_url,
                    "pdf_url": pdf_url,
                })
    return records
