"""Search API used by the CLI and tests: query string in, ranked hits with snippets out."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.analyzers import UserDict, use_userdict
from indexer.build import commit
from indexer.errors import EpaperIndexError, QueryError
from indexer.query import engine as fast
from indexer.query.language import CompiledQuery, Leaf, compile_query, leaves, literal_queries, parse
from indexer.query.snippets import collapse_whitespace, find_all, folded_view, make_snippet, merge
from indexer.schema import META_FILE, TEXT_FIELDS, USERDICT_FILE, index_userdict, open_index

HIT_FIELDS = ("id", "date", "paper", "paper_name", "page_no", "page_name",
              "pretitle", "title", "subtitle", "author", "url")
SORTS = ("relevance", "date", "-date")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR = re.compile(r"\d{4}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_TOC = re.compile(r"_MAIN_(\d+)\.toc")
_SEARCHERS_KEPT = 4  # open searchers cached per thread (least recently used one closed first)
_local = threading.local()


class NotFoundError(EpaperIndexError):
    """No article with the requested id."""


@dataclass
class SearchResult:
    """Hits of one search, best first."""

    query: str
    total: int  # number of matching documents (clusters with collapse), however many hits were returned
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


def period_range(year: str | None = None, month: str | None = None) -> tuple[str, str]:
    """Return the (first, last) dates of a year ("2025") or a month ("2025-03")."""
    if year is not None:
        if not _YEAR.fullmatch(year):
            raise QueryError(f"year must look like 2025, got {year!r}")
        return f"{year}-01-01", f"{year}-12-31"
    found = _MONTH.fullmatch(month or "")
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise QueryError(f"month must look like 2025-03, got {month!r}")
    first = date(int(found.group(1)), int(found.group(2)), 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first.isoformat(), last.isoformat()


def check_range(date_from: str | None, date_to: str | None) -> None:
    """Validate both dates and their order."""
    check_date(date_from, "date_from")
    check_date(date_to, "date_to")
    if date_from and date_to and date_from > date_to:
        raise QueryError(f"date_from {date_from} is after date_to {date_to}")


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


def _ranked(searcher: Searcher, compiled: CompiledQuery, filt: wq.Query | None,
            sort: str = "relevance") -> list[tuple[int, float, bool]]:
    """Return (docnum, score, is_strict) for every hit in the requested order.

    relevance: strict (literal) tier first, then BM25, then newest; date / -date: oldest / newest
    first, relevance order among articles of the same day.
    """
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
    if sort == "date":
        ranked.sort(key=lambda hit: dates[hit[0]] or "")
    elif sort == "-date":
        ranked.sort(key=lambda hit: dates[hit[0]] or "", reverse=True)
    return ranked


def full_record(stored: dict) -> dict:
    """Return the archive record of a stored document (body put back in)."""
    record = json.loads(stored["record"]) if stored.get("record") else {}
    record["body"] = stored.get("body", "")
    return record


def _hit(stored: dict, score: float, is_strict: bool, compiled: CompiledQuery, snippet_chars: int,
         with_record: bool) -> dict:
    """Build the hit dict for one document."""
    hit = {name: stored.get(name, "") for name in HIT_FIELDS}
    words = [] if is_strict else compiled.words

    def find(text: str) -> list[tuple[int, int]]:
        view = folded_view(text)  # one fold for every term and word
        return merge(compiled.match_spans(None, text, view) + find_all(text, words, view))

    fallback = hit["title"] or hit["pretitle"] or hit["subtitle"]
    snippet, highlights = make_snippet(stored.get("body", ""), fallback, [], snippet_chars, find=find)
    hit.update(score=round(score, 4), exact=is_strict, snippet=snippet, highlights=highlights)
    if with_record:
        hit["record"] = full_record(stored)
    return hit


def read_clusters(index_dir: Path | str, generation: int | None = None) -> dict[str, str]:
    """Return {id: near-duplicate cluster id} of the index ({} if it has none): of the given generation (a
    searcher's), else the newest. Raises IndexDamagedError if the file fails its checksum."""
    return commit.read_json(index_dir, "clusters", generation)


def _generation(searcher: Searcher) -> int | None:
    """The index generation a searcher reads (None for an empty index, whose reader has none)."""
    try:
        generation = searcher.reader().generation()
    except NotImplementedError:
        return None
    return generation if isinstance(generation, int) and generation >= 0 else None


def _collapse(searcher: Searcher, ranked: list, clusters: dict[str, str]) -> list[tuple]:
    """One entry per near-duplicate cluster, where its best-ranked copy ranks: (docnum, score, strict,
    cluster, copies) of the cluster's earliest matching copy (by date, then id), as the cluster is named."""
    if not len(ranked):  # an empty index's reader has no columns
        return []
    reader = searcher.reader()
    ids, dates = reader.column_reader("id"), reader.column_reader("date")
    groups: dict[str, list] = {}
    for docnum, score, is_strict in ranked:
        cluster = clusters.get(ids[docnum], ids[docnum])
        groups.setdefault(cluster, []).append((docnum, score, is_strict))
    entries = []
    for cluster, members in groups.items():
        docnum, score, is_strict = min(members, key=lambda hit: (dates[hit[0]] or "\uffff", ids[hit[0]]))
        entries.append((docnum, score, is_strict, cluster, len(members)))
    return entries


def earliest_per_cluster(searcher: Searcher, docnums: list[int], clusters: dict[str, str]) -> list[int]:
    """The docnums (in the given order) that are their near-duplicate cluster's earliest among docnums."""
    return [entry[0] for entry in _collapse(searcher, [(docnum, 0.0, False) for docnum in docnums], clusters)]


def _fingerprint(index_dir: str) -> tuple | None:
    """Identify the committed state of an index: its newest TOC, metadata and user dictionary files.

    Any commit (a new TOC generation), rebuild (new files) or schema/dictionary change alters it.
    None if there is no index there.
    """
    try:
        tocs = [(int(found.group(1)), name) for name in os.listdir(index_dir) if (found := _TOC.fullmatch(name))]
    except OSError:
        return None
    if not tocs:
        return None
    stats = []
    for name in (max(tocs)[1], META_FILE, USERDICT_FILE):
        try:
            info = os.stat(os.path.join(index_dir, name))
            stats.append((name, info.st_ino, info.st_mtime_ns, info.st_size))
        except OSError:
            stats.append((name, None))
    return tuple(stats)


@contextmanager
def open_searcher(index_dir: Path | str) -> Iterator[Searcher]:
    """Yield a searcher of the index, reusing this thread's open one while the index is unchanged.

    Opening a Whoosh index reads every segment file into memory, which dominated short queries;
    searchers are cached per thread (Whoosh readers are not thread-safe) and keyed by the index's
    fingerprint, so a commit or rebuild is seen on the next call.  Raises like open_index.
    """
    path = os.path.abspath(index_dir)
    cache: OrderedDict[str, tuple[tuple, Searcher, UserDict | None]] = _local.__dict__.setdefault(
        "searchers", OrderedDict())
    key = _fingerprint(path)
    entry = cache.get(path)
    if entry is not None and key is not None and entry[0] == key:
        cache.move_to_end(path)
        use_userdict(entry[2])  # another index may have switched the dictionary meanwhile
        yield entry[1]
        return
    if entry is not None:
        del cache[path]
        entry[1].close()
    ix = open_index(index_dir)  # also activates the index's user dictionary
    if key is None:  # not a plain on-disk index we can fingerprint: no caching
        with ix.searcher() as searcher:
            yield searcher
        return
    searcher = ix.searcher()
    cache[path] = (key, searcher, index_userdict(Path(path)))
    while len(cache) > _SEARCHERS_KEPT:
        cache.popitem(last=False)[1][1].close()
    yield searcher


def clear_searcher_cache() -> None:
    """Close this thread's cached searchers."""
    cache = _local.__dict__.pop("searchers", {})
    for _, searcher, _ in cache.values():
        searcher.close()


def use_engine() -> bool:
    """False when $EPAPER_QUERY_ENGINE=whoosh asks for the general path (for comparisons)."""
    return os.environ.get("EPAPER_QUERY_ENGINE", "") != "whoosh"


def paper_names(searcher: Searcher) -> list[tuple[str, str]]:
    """The index's papers as (key, paper_name) pairs ("" when unnamed), sorted by key."""
    pairs = []
    for term in searcher.reader().lexicon("paper"):
        key = term.decode("utf-8")
        docnum = next(iter(searcher.docs_for_query(wq.Term("paper", key))), None)
        if docnum is not None:
            pairs.append((key, searcher.stored_fields(docnum).get("paper_name", "")))
    return pairs


def known_papers(searcher: Searcher) -> list[str]:
    """The index's papers as "key (name)", sorted by key."""
    return [describe_paper(key, name) for key, name in paper_names(searcher)]


def describe_paper(key: str, name: str) -> str:
    """A paper as known_papers lists it: "key (name)", or the key alone."""
    return f"{key} ({name})" if name else key


def known_pages(searcher: Searcher) -> list[str]:
    """The index's page numbers, each with the page names of (up to 20 of) its articles: "01 要闻/头版"."""
    pages: dict[str, list[str]] = {}
    for term in searcher.reader().lexicon("page_no"):
        number = term.decode("utf-8")
        names: dict[str, None] = {}
        for docnum in list(searcher.docs_for_query(wq.Term("page_no", number)))[:20]:
            names.setdefault(searcher.stored_fields(docnum).get("page_name", ""), None)
        pages[number] = list(names)
    return describe_pages(pages)


def describe_pages(pages: dict[str, list[str]]) -> list[str]:
    """{page number: its page names} as known_pages lists them: "01 要闻/头版", numbers first."""
    shown = [" ".join(filter(None, [number, "/".join(filter(None, names))])) for number, names in pages.items()]
    return sorted(shown, key=lambda page: (not page[:1].isdigit(), page))


def check_filters(searcher: Searcher, compiled: CompiledQuery, paper: str | None) -> None:
    """Raise QueryError naming what the index holds if --paper, a paper: or a page: term matches no article.

    A typo there would otherwise read as "0 hits"; a value of another paper or day is no error.
    """
    check_filter_values(compiled, paper, lambda leaf: any(any(True for _ in searcher.docs_for_query(query))
                                                          for query in literal_queries(leaf)),
                        lambda: known_papers(searcher), lambda: known_pages(searcher))


def check_filter_values(compiled: CompiledQuery, paper: str | None, matches: Callable[[Leaf], bool],
                        papers: Callable[[], list[str]], pages: Callable[[], list[str]]) -> None:
    """check_filters on any index: matches(leaf) says whether a paper/page leaf matches an article, papers() and
    pages() list what the index holds (as known_papers / known_pages)."""
    wanted = [Leaf(paper, quoted=True, field="paper")] if paper else []
    wanted += [leaf for leaf in leaves(compiled.ast) if leaf.field in ("paper", "page")]
    for leaf in wanted:
        if matches(leaf):
            continue
        if leaf.field == "paper":
            held = papers()
            raise QueryError(f"unknown paper {leaf.text!r}: the index holds {', '.join(held) or 'no papers'} "
                             "(give the key or the full name)")
        held = pages()
        raise QueryError(f"unknown page {leaf.text!r}: the index holds pages {', '.join(held) or 'none'} "
                         "(a number or part of a page name)")


def archived_days(searcher: Searcher, paper: str | None = None) -> list[str]:
    """The sorted YYYY-MM-DD days with live articles (of that paper, key or name) in the index.

    Cached on the reader (searchers are reused while the index is unchanged).
    """
    reader = searcher.reader()
    cache = reader.__dict__.setdefault("_epaper_archived_days", {})
    if paper not in cache:
        allowed = frozenset(searcher.docs_for_query(_filter(paper, None, None))) if paper else None
        days = []
        for term in reader.lexicon("date"):
            day = term.decode("utf-8")
            if not _DATE.fullmatch(day):
                continue
            docs = searcher.docs_for_query(wq.Term("date", day))
            if any(allowed is None or docnum in allowed for docnum in docs):
                days.append(day)
        cache[paper] = days
    return cache[paper]


def coverage_note(index_dir: Path | str, date_from: str | None, date_to: str | None,
                  paper: str | None = None) -> str | None:
    """One line saying which dates the index holds when [date_from, date_to] reaches outside them, else None.

    Says so when the range holds no archived day at all (before, after or between the archive's days),
    or when it starts before the first or ends after the last archived day.
    """
    if not (date_from or date_to):
        return None
    with open_searcher(index_dir) as searcher:
        days = archived_days(searcher, paper)
    return coverage_of(days, date_from, date_to, paper)


def coverage_of(days: list[str], date_from: str | None, date_to: str | None, paper: str | None) -> str | None:
    """coverage_note for an index whose archived days (sorted YYYY-MM-DD, of that paper) are days."""
    whose = f" of {paper}" if paper else ""
    asked = f"{date_from or 'the start'} to {date_to or 'the end'}"
    if not days:
        return f"the index holds no dated articles{whose}"
    held = f"the index holds articles{whose} from {days[0]} to {days[-1]} ({len(days)} days with articles)"
    inside = [day for day in days if (not date_from or day >= date_from) and (not date_to or day <= date_to)]
    if not inside:
        return f"no archived articles{whose} from {asked}: {held}"
    if (date_from and date_from < days[0]) or (date_to and date_to > days[-1]):
        return f"{asked} reaches outside the archive: {held}; nothing outside it can match"
    return None


@dataclass
class _Run:
    """An open searcher with a compiled query and its ranked hits (engine: None on the general path)."""

    searcher: Searcher
    compiled: CompiledQuery
    ranked: fast.Ranked
    engine: fast.Engine | None = None


@contextmanager
def run_query(index_dir: Path | str, query: str, *, paper: str | None = None, date_from: str | None = None,
              date_to: str | None = None, sort: str = "relevance", scored: bool = True) -> Iterator[_Run]:
    """Validate, open the index, evaluate the query; yield the searcher and ranked hits.

    scored=False: the hits may come in any order and without scores (for callers that only count them).
    """
    parse(query)  # query errors first, before index errors
    check_range(date_from, date_to)
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    with open_searcher(index_dir) as searcher:  # also activates the index's user dictionary
        compiled = compile_query(query)
        check_filters(searcher, compiled, paper)
        engine = fast.engine_for(searcher, index_dir) if use_engine() else None
        if engine is not None:
            ranked = engine.ranked(compiled, paper, date_from, date_to, sort, scored)
        else:
            ranked = fast.Ranked.from_list(_ranked(searcher, compiled, _filter(paper, date_from, date_to), sort))
        yield _Run(searcher, compiled, ranked, engine)


def search(
    index_dir: Path | str,
    query: str,
    *,
    paper: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int | None = 20,
    page: int = 1,
    sort: str = "relevance",
    collapse: bool = False,
    with_record: bool = False,
    snippet_chars: int = 80,
) -> SearchResult:
    """Search the index; limit=None returns every hit. Raises QueryError, IndexNotFoundError, ...

    page (1-based) with limit selects hits [(page-1)*limit, page*limit); collapse keeps one hit per
    near-duplicate cluster (hit["copies"] = matching articles in it); with_record adds hit["record"].
    """
    _check_paging(limit, page)
    started = time.perf_counter()
    with run_query(index_dir, query, paper=paper, date_from=date_from, date_to=date_to, sort=sort) as run:
        total, shown = _select(run, index_dir, limit, page, collapse)
        hits = []
        for docnum, score, is_strict, cluster, copies in shown:
            hit = _hit(run.searcher.stored_fields(docnum), score, is_strict, run.compiled, snippet_chars, with_record)
            if collapse:
                hit.update(cluster=cluster, copies=copies)
            hits.append(hit)
    return SearchResult(query, total, time.perf_counter() - started, hits)


def _check_paging(limit: int | None, page: int) -> None:
    """Refuse a negative limit or a page before the first."""
    if limit is not None and limit < 0:
        raise QueryError(f"limit must be a positive number, got {limit}")
    if page < 1:
        raise QueryError(f"page must be 1 or more, got {page}")


def _select(run: _Run, index_dir: Path | str, limit: int | None, page: int,
            collapse: bool) -> tuple[int, list[tuple]]:
    """Return (total, shown): the hit count and the (docnum, score, strict, cluster, copies) of one page
    (limit and page checked by the caller, before the index is opened)."""
    start = 0 if limit is None else (page - 1) * limit
    stop = None if limit is None else start + limit
    if collapse:
        clusters = read_clusters(index_dir, _generation(run.searcher))
        entries = _collapse(run.searcher, run.ranked, clusters)
        return len(entries), entries[start:stop]
    return len(run.ranked), [(*entry, None, None) for entry in run.ranked[start:stop]]


def _context(text: str, width: int, left: bool) -> str:
    """Return up to width chars of context (whitespace collapsed) next to a match."""
    flat = re.sub(r"\s+", " ", text)
    return flat[-width:] if left else flat[:width]


def kwic_lines(stored: dict, compiled: CompiledQuery, width: int = 20) -> list[dict]:
    """Return one keyword-in-context line per literal occurrence in a document's text fields."""
    lines = []
    for name in TEXT_FIELDS:
        text = stored.get(name, "")
        for start, end in compiled.match_spans(name, text):
            lines.append({
                "id": stored.get("id", ""), "date": stored.get("date", ""), "paper": stored.get("paper", ""),
                "paper_name": stored.get("paper_name", ""), "title": stored.get("title", ""), "field": name,
                "left": _context(text[:start], width, left=True), "match": collapse_whitespace(text[start:end]),
                "right": _context(text[end:], width, left=False),
            })
    return lines


KWIC_ORDERS = ("hit", "left", "right")


def order_kwic(lines: list[dict], order: str = "hit") -> list[dict]:
    """KWIC lines in hit order ("hit"), or sorted by the text just before ("left", nearest character first) or
    just after ("right") the match, as concordancers sort them; raises QueryError for another order."""
    if order == "left":
        return sorted(lines, key=lambda line: line["left"][::-1])
    if order == "right":
        return sorted(lines, key=lambda line: line["right"])
    if order != "hit":
        raise QueryError(f"unknown KWIC order {order!r}: use one of {', '.join(KWIC_ORDERS)}")
    return lines


def check_kwic(width: int, limit: int | None, page: int, options: dict) -> None:
    """Refuse a KWIC width below 1, bad paging (QueryError) and options kwic() does not know (TypeError)."""
    if width < 1:
        raise QueryError(f"width must be 1 or more, got {width}")
    _check_paging(limit, page)
    unknown = set(options) - {"paper", "date_from", "date_to", "sort", "collapse"}
    if unknown:
        raise TypeError(f"kwic() got unexpected options {sorted(unknown)}")


def kwic(index_dir: Path | str, query: str, *, width: int = 20, limit: int | None = None, page: int = 1,
         **options) -> list[dict]:
    """Keyword-in-context lines for the hits search() would show with the same options."""
    check_kwic(width, limit, page, options)
    with run_query(index_dir, query, paper=options.get("paper"), date_from=options.get("date_from"),
                   date_to=options.get("date_to"), sort=options.get("sort", "relevance")) as run:
        _, shown = _select(run, index_dir, limit, page, bool(options.get("collapse")))
        return [line for docnum, *_ in shown
                for line in kwic_lines(run.searcher.stored_fields(docnum), run.compiled, width)]


def get_article(index_dir: Path | str, doc_id: str) -> dict:
    """Return the full archive record of an article, with `parts`: the continuation chain in order.

    Follows continued_from back to the first part and continued_on forward; `full_text` is the
    first part's full_body if the archive has one, else the parts' bodies joined.
    """
    with open_searcher(index_dir) as searcher:  # the thread's cached searcher: an article page opens nothing
        def fetch(key: str) -> dict | None:
            stored = searcher.document(id=key) if key else None
            return full_record(stored) if stored else None

        return with_parts(fetch, doc_id, index_dir)


def with_parts(fetch: Callable[[str], dict | None], doc_id: str, where: object) -> dict:
    """The record fetch(doc_id) returns with its continuation `parts` and `full_text` (see get_article); where
    names the index in the NotFoundError."""
    record = fetch(doc_id)
    if record is None:
        raise NotFoundError(f"no article with id {doc_id!r} in {where}")
    first, seen = record, {doc_id}
    while (back := first.get("continued_from") or "") and back not in seen and (prev := fetch(back)):
        seen.add(back)
        first = prev
    parts, current = [first], first
    while (on := current.get("continued_on") or "") and on not in {p.get("id") for p in parts}:
        following = fetch(on)
        if following is None:
            break
        parts.append(following)
        current = following
    full_text = first.get("full_body") or "\n".join(part.get("body", "") for part in parts)
    return {**record, "parts": parts, "full_text": full_text}


def highlight_fields(query: str, texts: dict[str, str]) -> dict[str, list[tuple[int, int]]]:
    """{field: [(start, end), …]}: what to mark in each of one article's texts (keyed by text field name) for a
    query, as its hits are marked: the literal matches of its positive terms (a field-limited term in its field
    only); its jieba words when nothing matches literally (a hit by words only). Call with the index's user
    dictionary active (after get_article). Raises QueryError."""
    compiled = compile_query(query)
    views = {name: folded_view(text) for name, text in texts.items()}
    literal = {name: compiled.match_spans(name, text, views[name]) for name, text in texts.items()}
    if any(literal.values()):
        return literal
    return {name: find_all(text, compiled.words, views[name]) for name, text in texts.items()}


def near_duplicates(index_dir: Path | str, doc_id: str) -> list[dict]:
    """The other articles of doc_id's near-duplicate cluster, oldest first (the HIT_FIELDS of each; [] if none).

    The clusters' members are cached on the reader (searchers are reused while the index is unchanged).
    Raises IndexDamagedError if the clusters file fails its checksum.
    """
    with open_searcher(index_dir) as searcher:
        reader = searcher.reader()
        if "_epaper_cluster_members" not in reader.__dict__:
            members: dict[str, list[str]] = {}
            for member, cluster in read_clusters(index_dir, _generation(searcher)).items():
                members.setdefault(cluster, []).append(member)
            reader.__dict__["_epaper_cluster_members"] = (
                {member: group for group in members.values() if len(group) > 1 for member in group})
        group = reader.__dict__["_epaper_cluster_members"].get(doc_id, [])
        copies = [{name: stored.get(name, "") for name in HIT_FIELDS}
                  for other in group if other != doc_id and (stored := searcher.document(id=other))]
    return sorted(copies, key=lambda copy: (copy["date"], copy["id"]))
