"""Search API used by the CLI and tests: query string in, ranked hits with snippets out."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.errors import QueryError
from indexer.query import CompiledQuery, compile_query
from indexer.schema import open_index
from indexer.snippets import make_snippet

HIT_FIELDS = ("id", "date", "paper", "paper_name", "page_no", "page_name",
              "pretitle", "title", "subtitle", "author", "url")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class SearchResult:
    """Hits of one search, best first."""

    query: str
    total: int  # number of matching documents, however many hits were returned
    elapsed: float  # seconds
    hits: list[dict] = field(default_factory=list)


def check_date(value: str | None, name: str) -> str | None:
    """Return value if it is a valid YYYY-MM-DD date (or None); raise QueryError otherwise."""
    if value is None:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{name} must be a date like 2025-03-18, got {value!r}") from None
    return value


def _filter(paper: str | None, date_from: str | None, date_to: str | None) -> wq.Query | None:
    """Return the query restricting hits to a paper and a date range, or None."""
    parts: list[wq.Query] = []
    if paper:
        parts.append(wq.Or([wq.Term("paper", paper), wq.Term("paper_name", paper)]))
    if date_from or date_to:
        # "YYYY-MM-DD" strings sort like the dates they name.
        parts.append(wq.TermRange("date", date_from, date_to, startexcl=False, endexcl=False))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _ranked(searcher: Searcher, compiled: CompiledQuery, filt: wq.Query | None) -> list[tuple[int, float, bool]]:
    """Return (docnum, score, is_strict) for every hit: strict tier first, then BM25, then newest."""
    hits, strict = compiled.matches(searcher)
    if filt is not None:
        hits = hits & frozenset(searcher.docs_for_query(filt))
    scores: dict[int, float] = {}
    scoring = compiled.scoring_query()
    if scoring is not None and hits:
        results = searcher.search(scoring, limit=None, filter=set(hits), terms=False)
        scores = {docnum: score for score, docnum in results.top_n}
    dates = searcher.reader().column_reader("date")
    ranked = [(docnum, scores.get(docnum, 0.0), docnum in strict) for docnum in hits]
    # Stable sorts: the last key applied is the primary one.
    ranked.sort(key=lambda hit: hit[0])
    ranked.sort(key=lambda hit: dates[hit[0]] or "", reverse=True)
    ranked.sort(key=lambda hit: (not hit[2], -hit[1]))
    return ranked


def _hit(stored: dict, score: float, is_strict: bool, compiled: CompiledQuery, snippet_chars: int) -> dict:
    """Build the hit dict for one document."""
    hit = {name: stored.get(name, "") for name in HIT_FIELDS}
    needles = compiled.phrases if is_strict else compiled.phrases + compiled.words
    fallback = hit["title"] or hit["pretitle"] or hit["subtitle"]
    snippet, highlights = make_snippet(stored.get("body", ""), fallback, needles, snippet_chars)
    hit.update(score=round(score, 4), exact=is_strict, snippet=snippet, highlights=highlights)
    return hit


def search(
    index_dir: Path | str,
    query: str,
    *,
    paper: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int | None = 20,
    snippet_chars: int = 80,
) -> SearchResult:
    """Search the index; limit=None returns every hit. Raises QueryError, IndexNotFoundError, ..."""
    started = time.perf_counter()
    compiled = compile_query(query)
    check_date(date_from, "date_from")
    check_date(date_to, "date_to")
    if date_from and date_to and date_from > date_to:
        raise QueryError(f"date_from {date_from} is after date_to {date_to}")
    if limit is not None and limit < 0:
        raise QueryError(f"limit must be a positive number, got {limit}")
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        ranked = _ranked(searcher, compiled, _filter(paper, date_from, date_to))
        shown = ranked if limit is None else ranked[:limit]
        hits = [_hit(searcher.stored_fields(docnum), score, is_strict, compiled, snippet_chars)
                for docnum, score, is_strict in shown]
    return SearchResult(query, len(ranked), time.perf_counter() - started, hits)
