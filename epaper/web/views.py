"""What the reading room's pages and its JSON API both show, from the search API (indexer.query): one function per
view, each returning JSON-able data. No query semantics here: filters become the API's own arguments, and the
版面 filter becomes a `page:"…"` term of the query language.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from epaper.export import (
    KWIC_FIELDS,
    csv_bytes,
    export_hit,
    hit_csv_rows,
    jsonl_bytes,
    resolve_period,
)
from indexer.errors import QueryError

MAX_QUERY = 1_000  # characters in one query
MAX_QUERIES = 6  # queries side by side in a count
MAX_LIMIT = 100  # hits on one page
MAX_PAGE = 10_000  # pages of hits
MAX_EXPORT = 10_000  # hits in one export file
MAX_WIDTH = 200  # KWIC context characters on each side
# An article id: letters, digits and . _ : ~ + @ -, not starting with '.' nor holding '..' (never a path).
ARTICLE_ID = re.compile(r"(?!\.)(?!.*\.\.)[\w.:~+@-]{1,200}")
SORTS = {"relevance": "relevance", "-date": "newest first", "date": "oldest first"}


@dataclass
class Filters:
    """The filters every view shares, as given (empty strings already None)."""

    paper: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    year: str | None = None
    month: str | None = None
    page_no: str | None = None  # 版面: a page number or name
    sort: str = "relevance"
    collapse: bool = False

    def dates(self) -> tuple[str | None, str | None]:
        """(from, to) of the from/to range or the year or month; QueryError on a conflict."""
        return resolve_period(self.date_from, self.date_to, self.year, self.month, flag="")

    def options(self) -> dict:
        """The search API's keyword arguments: paper, date_from, date_to, sort, collapse."""
        date_from, date_to = self.dates()
        return {"paper": self.paper, "date_from": date_from, "date_to": date_to, "sort": self.sort,
                "collapse": self.collapse}

    def params(self) -> dict[str, str]:
        """The filters as URL parameters (only those given)."""
        found = {"paper": self.paper, "from": self.date_from, "to": self.date_to, "year": self.year,
                 "month": self.month, "page_no": self.page_no,
                 "sort": self.sort if self.sort != "relevance" else None, "collapse": "1" if self.collapse else None}
        return {name: value for name, value in found.items() if value}

    def cli_args(self, sort: bool = True) -> list[str]:
        """The same filters as `epaper search` options."""
        args: list[str] = []
        for flag, value in (("--paper", self.paper), ("--from", self.date_from), ("--to", self.date_to),
                            ("--year", self.year), ("--month", self.month)):
            if value:
                args += [flag, value]
        if sort and self.sort != "relevance":
            args.append(f"--sort={self.sort}")
        return args + (["--collapse"] if self.collapse else [])


def with_page(query: str, page_no: str | None) -> str:
    """The query limited to one 版面 (`(QUERY) page:"01"`), or the query as given; QueryError for a broken query
    (its positions as typed) or a page value holding a quote."""
    if not page_no:
        return query
    from indexer.query.language import parse

    parse(query)
    if '"' in page_no:
        raise QueryError('page_no must not contain a quote (")')
    return f'({query}) page:"{page_no}"'


def check_query(query: str) -> str:
    """The query if it is not empty and not too long; QueryError otherwise."""
    if not query.strip():
        raise QueryError("empty query: type a word, a quoted phrase or an expression (see the syntax help)")
    if len(query) > MAX_QUERY:
        raise QueryError(f"the query is {len(query):,} characters long, more than {MAX_QUERY:,}")
    return query


def check_id(doc_id: str) -> str:
    """The article id if it looks like one (no path, no control characters); QueryError otherwise."""
    if not ARTICLE_ID.fullmatch(doc_id):
        shown = doc_id if len(doc_id) <= 40 else doc_id[:40] + "…"
        raise QueryError(f"not an article id: {shown!r}")
    return doc_id


def web_url(value: object) -> str | None:
    """The URL if it is an absolute http(s) URL with a host (what a link may point to), else None."""
    if not isinstance(value, str) or any(ch.isspace() or ord(ch) < 0x20 for ch in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def marked(text: str, spans) -> list[list[tuple[str, bool]]]:
    """Text cut at the spans, as paragraphs (split at newlines) of (piece, highlighted) pairs."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in spans:
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = max(at, end)
    pieces.append((text[at:], False))
    paragraphs: list[list[tuple[str, bool]]] = [[]]
    for piece, hit in pieces:
        for number, line in enumerate(piece.split("\n")):
            if number:
                paragraphs.append([])
            if line:
                paragraphs[-1].append((line, hit))
    return paragraphs


def cli_command(*args: str) -> str:
    """The `epaper …` command line that writes the same output, quoted for a POSIX shell."""
    return shlex.join(["epaper", *args])


# ---------------------------------------------------------------- views


def overview(index: Path) -> dict:
    """What the index holds for the filters: papers [{paper, paper_name}], first and last day, days with articles."""
    from indexer.query.search import archived_days, open_searcher, paper_names

    with open_searcher(index) as searcher:
        days = archived_days(searcher)
        papers = [{"paper": key, "paper_name": name} for key, name in paper_names(searcher)]
    return {"papers": papers, "first": days[0] if days else None, "last": days[-1] if days else None,
            "days": len(days)}


def search_view(index: Path, query: str, filters: Filters, limit: int = 20, page: int = 1) -> dict:
    """One page of hits: {query, total, page, limit, hits, elapsed_ms, note, last_page}, hits as `epaper search
    --format json` gives them, plus each hit's byline (from its archive record)."""
    from indexer.query.search import coverage_note, search

    check_query(query)
    options = filters.options()
    result = search(index, with_page(query, filters.page_no), limit=limit, page=page, with_record=True, **options)
    hits = []
    for hit in result.hits:
        byline = hit["record"].get("byline") or ""
        hits.append({**export_hit(hit, full=False), "byline": byline})
    note = None if result.total else coverage_note(index, options["date_from"], options["date_to"], filters.paper)
    last_page = max(1, -(-result.total // limit))
    if result.total and page > last_page:
        note = f"page {page} is past the last page ({last_page}) of {result.total} hits"
    return {"query": result.query, "total": result.total, "page": page, "limit": limit, "hits": hits,
            "elapsed_ms": round(result.elapsed * 1000, 1), "note": note, "last_page": last_page}


def kwic_view(index: Path, query: str, filters: Filters, limit: int = 20, page: int = 1, width: int = 20,
              order: str = "hit") -> dict:
    """KWIC lines of one page of hits: {query, page, limit, width, order, lines}; order "left" / "right" sorts
    them by the text just before / after the match (nearest character first), "hit" keeps the hits' order."""
    from indexer.query.search import kwic, order_kwic

    check_query(query)
    lines = order_kwic(kwic(index, with_page(query, filters.page_no), width=width, limit=limit, page=page,
                            **filters.options()), order)
    return {"query": query, "page": page, "limit": limit, "width": width, "order": order, "lines": lines}


def _count_table(index: Path, queries: list[str], filters: Filters, by: str):
    """The CountTable of the queries (each limited to the 版面 filter) and the dates counted."""
    from indexer.query.count import count_table

    if len(queries) > MAX_QUERIES:
        raise QueryError(f"{len(queries)} queries: at most {MAX_QUERIES} side by side")
    queries = [with_page(check_query(query), filters.page_no) for query in queries]
    date_from, date_to = filters.dates()
    return count_table(index, queries, by, date_from=date_from, date_to=date_to, paper=filters.paper,
                       collapse=filters.collapse), date_from, date_to


def count_view(index: Path, queries: list[str], filters: Filters, by: str = "month") -> dict:
    """Counts per bucket, as `epaper count --format json` gives them ({queries, by, from, to, collapse, rows}),
    plus the note on dates the archive does not hold."""
    from indexer.query.search import coverage_note

    table, date_from, date_to = _count_table(index, queries, filters, by)
    return {**table.to_dict(), "note": coverage_note(index, date_from, date_to, filters.paper)}


def article_view(index: Path, doc_id: str, query: str | None = None) -> dict:
    """One article as `epaper show --format json` gives it, plus `highlights` ({field: [[start, end], …]} in
    pretitle, title, subtitle and full_text for the query), `copies` (its near-duplicates) and `version_report`
    (earlier versions and their diffs, [] when never revised)."""
    from indexer.query.search import get_article, highlight_fields, near_duplicates
    from indexer.query.versions import version_report

    article = get_article(index, check_id(doc_id))
    highlights: dict[str, list] = {}
    if query:
        texts = {name: article.get(name) or "" for name in ("pretitle", "title", "subtitle")}
        spans = highlight_fields(check_query(query), {**texts, "body": article["full_text"]})
        highlights = {("full_text" if name == "body" else name): [list(span) for span in found]
                      for name, found in spans.items()}
    revised = bool(article.get("versions") or article.get("revisions"))
    return {**article, "highlights": highlights, "copies": near_duplicates(index, article["id"]),
            "version_report": version_report(article) if revised else []}


def search_export_args(query: str, filters: Filters, fmt: str, total: int, full: bool = False,
                       limit: int | None = None, page: int = 1) -> list[str]:
    """The `epaper` arguments writing the same file as search_export with these arguments, for a query with
    total hits: --all when every hit fits in one export, else --limit/--page."""
    if limit is None and total <= MAX_EXPORT and page == 1:
        amount = ["--all"]
    else:
        amount = ["--limit", str(limit or MAX_EXPORT)] + (["--page", str(page)] if page > 1 else [])
    return ["search", *filters.cli_args(), *amount, "--format", fmt, *(["--full"] if full else []), "--",
            with_page(query, filters.page_no)]


def search_export(index: Path, query: str, filters: Filters, fmt: str, full: bool = False,
                  limit: int | None = None, page: int = 1) -> bytes:
    """The hits as the CSV or JSONL file `epaper search` writes (search_export_args): every hit (at most
    MAX_EXPORT) unless limit is given."""
    from indexer.query.search import search

    check_query(query)
    result = search(index, with_page(query, filters.page_no), limit=limit or MAX_EXPORT, page=page,
                    with_record=fmt == "csv" or full, **filters.options())
    if fmt == "csv":
        return csv_bytes(*hit_csv_rows(result.hits, full, filters.collapse))
    return jsonl_bytes(export_hit(hit, full) for hit in result.hits)


def kwic_export_args(query: str, filters: Filters, fmt: str, limit: int = 20, page: int = 1,
                     width: int = 20, order: str = "hit") -> list[str]:
    """The `epaper` arguments writing the same file as kwic_export with these arguments."""
    ordered = ["--order", order] if order != "hit" else []
    return ["kwic", *filters.cli_args(), "--limit", str(limit), "--page", str(page), "--width", str(width),
            *ordered, "--format", fmt, "--", with_page(query, filters.page_no)]


def kwic_export(index: Path, query: str, filters: Filters, fmt: str, limit: int = 20, page: int = 1,
                width: int = 20, order: str = "hit") -> bytes:
    """One page of hits' KWIC lines, in the view's order, as the CSV or JSONL file `epaper kwic` writes."""
    lines = kwic_view(index, query, filters, limit, page, width, order)["lines"]
    return csv_bytes(KWIC_FIELDS, lines) if fmt == "csv" else jsonl_bytes(lines)


def count_export_args(queries: list[str], filters: Filters, fmt: str, by: str = "month") -> list[str]:
    """The `epaper` arguments writing the same file as count_export with these arguments."""
    composed = [with_page(query, filters.page_no) for query in queries]
    return ["count", *composed, "--by", by, *filters.cli_args(sort=False), "--format", fmt]


def count_export(index: Path, queries: list[str], filters: Filters, fmt: str, by: str = "month") -> bytes:
    """The counts table as the CSV or JSONL file `epaper count` writes."""
    table = _count_table(index, queries, filters, by)[0]
    return csv_bytes(*table.csv_rows()) if fmt == "csv" else jsonl_bytes(table.rows())
