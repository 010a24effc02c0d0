"""Hit and occurrence counts of queries per time period, paper or page, beside what the archive holds.

``count`` counts one query; ``count_table`` puts several side by side with, per bucket, the
articles and characters the index holds there and whether it holds any issue there at all (a
bucket without one is "no data", not 0). The terminal table, the CSV/JSON export and the plot
(``indexer.query.plot``) all draw the CountTable it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from indexer.analyzers import normalize
from indexer.build.commit import read_json
from indexer.errors import QueryError
from indexer.query import engine as fast
from indexer.query.search import (
    _filter,
    _generation,
    earliest_per_cluster,
    open_searcher,
    read_clusters,
    run_query,
    use_engine,
)
from indexer.schema import TEXT_FIELDS, char_field, normalize_page_no

BYS = ("day", "week", "month", "year", "paper", "page")
# Every bucket of the range is listed; more than this is refused (a day count from year 1 to 9999 would
# be 3.65 million rows: minutes and gigabytes for a table nobody can read).
MAX_BUCKETS = 10_000
PER_CHARS = 10_000  # occurrences are normalised per this many characters of text


@dataclass
class Bucket:
    """One row: a period, paper or page, its matching articles and literal occurrences."""

    label: str
    hits: int = 0
    occurrences: int = 0
    name: str = ""  # paper name for --by paper


@dataclass
class CountResult:
    """Counts of one query per bucket, every bucket of the range included (empty ones as 0)."""

    query: str
    by: str
    date_from: str | None
    date_to: str | None
    buckets: list[Bucket] = field(default_factory=list)

    @property
    def total_hits(self) -> int:
        """Matching articles in all buckets."""
        return sum(bucket.hits for bucket in self.buckets)

    @property
    def total_occurrences(self) -> int:
        """Literal occurrences in all buckets."""
        return sum(bucket.occurrences for bucket in self.buckets)

    def to_dict(self) -> dict:
        """JSON-able form (also embedded in the PNG)."""
        return {"query": self.query, "by": self.by, "from": self.date_from, "to": self.date_to,
                "buckets": [[b.label, b.hits, b.occurrences] for b in self.buckets]}


def is_day(value: object) -> bool:
    """Whether a stored date is a real YYYY-MM-DD day (an archive may hold 20250319, which Python's
    date.fromisoformat also reads as a day, or worse)."""
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def bucket_of(day: str, by: str) -> str:
    """Return the label of the period containing the YYYY-MM-DD day."""
    if by == "day":
        return day
    if by == "month":
        return day[:7]
    if by == "year":
        return day[:4]
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def bucket_count(first: str, last: str, by: str) -> int:
    """How many period buckets span first..last (YYYY-MM-DD, first <= last), without listing them."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    if by == "year":
        return end.year - start.year + 1
    if by == "month":
        return (end.year - start.year) * 12 + end.month - start.month + 1
    if by == "week":
        return (end.toordinal() - end.weekday() - (start.toordinal() - start.weekday())) // 7 + 1
    return end.toordinal() - start.toordinal() + 1


def period_labels(first: str, last: str, by: str) -> list[str]:
    """Return every period label from the one containing first to the one containing last.

    Raises QueryError for more than MAX_BUCKETS labels. Works up to 9999-12-31 (no date past it is made).
    """
    count = bucket_count(first, last, by)
    if count > MAX_BUCKETS:
        raise QueryError(f"--by {by} from {first} to {last} makes {count:,} buckets, more than {MAX_BUCKETS:,}: "
                         f"narrow --from/--to or count by a longer period")
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    if by == "year":
        return [f"{year:04d}" for year in range(start.year, end.year + 1)]
    if by == "month":
        months = range(start.year * 12 + start.month - 1, end.year * 12 + end.month)
        return [f"{month // 12:04d}-{month % 12 + 1:02d}" for month in months]
    step = 7 if by == "week" else 1
    first_day = start.toordinal() - (start.weekday() if by == "week" else 0)
    return [bucket_of(date.fromordinal(day).isoformat(), by) for day in range(first_day, end.toordinal() + 1, step)]


def _page_key(page_no: str) -> tuple:
    """Sort page numbers: all-digit ones numerically first, then the others."""
    plain = page_no.isascii() and page_no.isdigit() and len(page_no) <= 18  # int() of any length is not cheap
    return (0, int(page_no), "") if plain else (1, 0, page_no)


def _paper_name(searcher, key: str) -> str:
    """Return the name of a paper key (from its first document)."""
    from whoosh import query as wq

    for docnum in searcher.docs_for_query(wq.Term("paper", key)):
        return searcher.stored_fields(docnum).get("paper_name", "")
    return ""


def _date_span(searcher, paper: str | None) -> tuple[str | None, str | None]:
    """Return the first and last dates of the index's live articles (of that paper), from the date lexicon.

    Cached on the reader (searchers are reused while the index is unchanged).
    """
    from whoosh import query as wq

    reader = searcher.reader()
    cache = reader.__dict__.setdefault("_epaper_date_span", {})
    if paper not in cache:
        allowed = frozenset(searcher.docs_for_query(_filter(paper, None, None))) if paper else None
        days = [term.decode("utf-8") for term in reader.lexicon("date")]

        def live(day: str) -> bool:
            docs = searcher.docs_for_query(wq.Term("date", day))
            return any(allowed is None or docnum in allowed for docnum in docs)

        cache[paper] = (next((day for day in days if is_day(day) and live(day)), None),
                        next((day for day in reversed(days) if is_day(day) and live(day)), None))
    return cache[paper]


def empty_rows(by: str, paper: str | None, date_from: str | None, date_to: str | None,
               values: Callable[[], list[str]], paper_name: Callable[[str], str],
               date_span: Callable[[], tuple[str | None, str | None]]) -> dict[str, Bucket]:
    """Every bucket of a count, empty: the index's papers / page numbers (values(), names by paper_name), or the
    periods from date_from (else the first day of date_span()) to date_to (else its last day)."""
    rows: dict[str, Bucket] = {}
    if by in ("paper", "page"):
        found = values()
        if by == "paper" and paper:
            found = [key for key in found if paper in (key, paper_name(key))]
        for label in sorted(found, key=_page_key) if by == "page" else sorted(found):
            rows[label] = Bucket(label, name=paper_name(label) if by == "paper" else "")
        return rows
    first, last = date_from, date_to
    if not (first and last):
        oldest, newest = date_span()
        first, last = first or oldest, last or newest
    if first and last and first <= last:
        rows = {label: Bucket(label) for label in period_labels(first, last, by)}
    return rows


def count(index_dir: Path | str, query: str, by: str = "month", *, date_from: str | None = None,
          date_to: str | None = None, paper: str | None = None, collapse: bool = False) -> CountResult:
    """Count matching articles and literal occurrences (what `match_spans` finds) per bucket.

    Time buckets span --from/--to, or the dates of the index (of that paper) when not given.
    Paper and page buckets list every paper / page number of the index. collapse counts each
    near-duplicate cluster once, as its earliest matching copy (in that copy's bucket, with its occurrences).
    """
    if by not in BYS:
        raise QueryError(f"--by must be one of {', '.join(BYS)}, got {by!r}")
    with run_query(index_dir, query, paper=paper, date_from=date_from, date_to=date_to, scored=False) as run:
        searcher, reader = run.searcher, run.searcher.reader()
        if collapse:
            ranked = run.ranked
            clusters = read_clusters(index_dir, _generation(searcher))
            keep = np.isin(ranked.docnums, earliest_per_cluster(searcher, ranked.docnums.tolist(), clusters))
            run.ranked = fast.Ranked(ranked.docnums[keep], ranked.scores[keep], ranked.strict[keep], ranked.run)
        rows = empty_rows(by, paper, date_from, date_to, lambda: [
            term.decode("utf-8") for term in reader.lexicon("paper" if by == "paper" else "page_no")],
            lambda key: _paper_name(searcher, key), lambda: _date_span(searcher, paper))
        if run.engine is not None:
            _count_arrays(run, by, rows)
            return CountResult(query, by, date_from, date_to, list(rows.values()))
        for docnum, _, _ in run.ranked:
            stored = run.searcher.stored_fields(docnum)
            bucket = rows.setdefault(stored_label(stored, by), Bucket(stored_label(stored, by)))
            bucket.hits += 1
            bucket.occurrences += sum(len(run.compiled.match_spans(name, stored.get(name, "")))
                                      for name in TEXT_FIELDS)
    return CountResult(query, by, date_from, date_to, list(rows.values()))


def stored_label(stored: dict, by: str) -> str:
    """The bucket of a document's stored fields ("" for an article without a valid date)."""
    if by == "paper":
        return stored.get("paper", "")
    if by == "page":
        return stored.get("page_no", "")
    return bucket_of(stored["date"], by) if is_day(stored.get("date")) else ""


def _occurrences(run) -> np.ndarray:
    """Literal occurrences per hit: from the phrase positions when the query allows, else from the stored text."""
    found = run.engine.occurrences(run.compiled, run.ranked)
    if found is None:
        found = np.array([sum(len(run.compiled.match_spans(name, stored.get(name, ""))) for name in TEXT_FIELDS)
                          for stored in map(run.searcher.stored_fields, run.ranked.docnums.tolist())],
                         dtype=np.int64)
    return found


def _labels(engine: fast.Engine, by: str, docnums: np.ndarray) -> tuple[list[str], np.ndarray]:
    """(distinct labels, index of each document's label) of the documents' buckets, from the engine's columns."""
    if by in ("paper", "page"):
        column = "paper" if by == "paper" else "page_no"
        names, index = [], np.zeros(len(docnums), dtype=np.int64)
        for seg in engine.segments:
            inside = (docnums >= seg.base) & (docnums < seg.base + len(seg.live))
            if inside.any():
                labels = seg.arrays.header["labels"][column]
                codes = seg.arrays[column][docnums[inside] - seg.base]
                index[inside] = len(names) + codes
                names += labels
        return names, index
    days, index = np.unique(engine.dates[docnums], return_inverse=True)
    names = []
    for number in days.tolist():
        day = f"{number // 10000:04d}-{number // 100 % 100:02d}-{number % 100:02d}" if number else ""
        names.append(bucket_of(day, by) if is_day(day) else "")
    return names, index


def _count_arrays(run, by: str, rows: dict[str, Bucket]) -> None:
    """Add the hits of a query run by the array engine to their buckets, without reading stored fields."""
    docnums = run.ranked.docnums
    names, index = _labels(run.engine, by, docnums)
    hits = np.bincount(index, minlength=len(names))
    occurrences = np.bincount(index, weights=_occurrences(run), minlength=len(names))
    for label, count_hits, count_found in zip(names, hits.tolist(), occurrences.tolist(), strict=True):
        if count_hits:
            bucket = rows.setdefault(label, Bucket(label))
            bucket.hits += count_hits
            bucket.occurrences += int(count_found)


@dataclass
class Holding:
    """What the index holds in one bucket (with the same paper and date filters as the counts)."""

    articles: int = 0
    chars: int = 0  # non-whitespace characters of pretitle, title, subtitle and body
    issues: bool = False  # an archived issue (an article or a page record) falls in it

    def share(self, hits: int) -> float | None:
        """hits as a share of the bucket's articles (None without articles)."""
        return hits / self.articles if self.articles else None

    def per_chars(self, occurrences: int) -> float | None:
        """occurrences per PER_CHARS characters of the bucket's text (None without text)."""
        return occurrences * PER_CHARS / self.chars if self.chars else None


@dataclass
class CountTable:
    """Several queries counted over the same buckets, with what the index holds in each bucket."""

    by: str
    date_from: str | None
    date_to: str | None
    collapse: bool
    results: list[CountResult]
    labels: list[str]
    names: dict[str, str]  # paper names for --by paper
    holdings: dict[str, Holding]

    @property
    def queries(self) -> list[str]:
        """The queries, in column order."""
        return [result.query for result in self.results]

    def rows(self) -> list[dict]:
        """One JSON-able row per bucket: bucket, name, data (False = no archived issue there), archive
        articles and characters, and per query its articles, occurrences, share of the bucket's articles
        and occurrences per 10,000 characters (None where there is no data)."""
        found = [{bucket.label: bucket for bucket in result.buckets} for result in self.results]
        rows = []
        for label in self.labels:
            holding = self.holdings.get(label, Holding())
            counts = []
            for result, buckets in zip(self.results, found, strict=True):
                bucket = buckets.get(label, Bucket(label))
                counts.append({"query": result.query,
                               "articles": bucket.hits if holding.issues else None,
                               "occurrences": bucket.occurrences if holding.issues else None,
                               "share": _round(holding.share(bucket.hits)),
                               "per_10k_chars": _round(holding.per_chars(bucket.occurrences))})
            rows.append({"bucket": label, "name": self.names.get(label, ""), "data": holding.issues,
                         "archive_articles": holding.articles, "archive_chars": holding.chars, "counts": counts})
        return rows

    def to_dict(self) -> dict:
        """JSON-able form (also embedded in the plot's metadata)."""
        return {"queries": self.queries, "by": self.by, "from": self.date_from, "to": self.date_to,
                "collapse": self.collapse, "rows": self.rows()}

    def csv_rows(self) -> tuple[list[str], list[dict]]:
        """(columns, rows) of the same table, flat: one column per query and measure."""
        columns = ["bucket", "name", "data", "archive articles", "archive characters"]
        for query in self.queries:
            columns += [f"{query} {measure}" for measure in ("articles", "occurrences", "share", "per 10k chars")]
        flat = []
        for row in self.rows():
            out = {"bucket": row["bucket"], "name": row["name"], "data": "yes" if row["data"] else "no data",
                   "archive articles": row["archive_articles"], "archive characters": row["archive_chars"]}
            for cell in row["counts"]:
                for measure, key in (("articles", "articles"), ("occurrences", "occurrences"),
                                     ("share", "share"), ("per 10k chars", "per_10k_chars")):
                    out[f"{cell['query']} {measure}"] = cell[key]
            flat.append(out)
        return columns, flat


def _round(value: float | None) -> float | None:
    """A ratio rounded for export (6 significant decimals are plenty for a share or a rate)."""
    return None if value is None else round(value, 6)


def count_table(index_dir: Path | str, queries: list[str], by: str = "month", *, date_from: str | None = None,
                date_to: str | None = None, paper: str | None = None, collapse: bool = False) -> CountTable:
    """Count every query per bucket (see count) and add what the index holds in each bucket.

    Buckets are the union of the queries' buckets in order. Raises QueryError for a bad query or --by,
    IndexNotFoundError and the like for the index.
    """
    if not queries:
        raise QueryError("count needs at least one query")
    results = [count(index_dir, query, by, date_from=date_from, date_to=date_to, paper=paper, collapse=collapse)
               for query in queries]
    holdings = archive_holdings(index_dir, by, date_from=date_from, date_to=date_to, paper=paper)
    return table_of(results, holdings, by, date_from, date_to, collapse)


def table_of(results: list[CountResult], holdings: dict[str, Holding], by: str, date_from: str | None,
             date_to: str | None, collapse: bool) -> CountTable:
    """The CountTable of the queries' results (one per query) and the archive's holdings per bucket."""
    labels: dict[str, None] = {}
    names: dict[str, str] = {}
    for result in results:
        for bucket in result.buckets:
            labels.setdefault(bucket.label)
            names[bucket.label] = names.get(bucket.label) or bucket.name
    if by in ("paper", "page"):  # papers or pages the filters leave empty are listed by count too: no data there
        for label in holdings:
            labels.setdefault(label)
    return CountTable(by, date_from, date_to, collapse, results, list(labels), names, holdings)


def archive_holdings(index_dir: Path | str, by: str, *, date_from: str | None = None, date_to: str | None = None,
                     paper: str | None = None) -> dict[str, Holding]:
    """{bucket: Holding}: the index's articles and characters per bucket, and which buckets hold an issue
    (an article, or a page record the index keeps), with the same paper and date filters as count."""
    holdings: dict[str, Holding] = {}
    with open_searcher(index_dir) as searcher:
        generation = _generation(searcher)
        engine = fast.engine_for(searcher, index_dir) if use_engine() else None
        if engine is not None:
            docnums = np.flatnonzero(live_mask(engine) & engine.filter_mask(paper, date_from, date_to))
            names, index = _labels(engine, by, docnums)
            articles = np.bincount(index, minlength=len(names))
            chars = np.bincount(index, weights=_char_lengths(engine, docnums), minlength=len(names))
            for label, found, length in zip(names, articles.tolist(), chars.tolist(), strict=True):
                if found:
                    holding = holdings.setdefault(label, Holding())
                    holding.articles += found
                    holding.chars += int(length)
        else:
            allowed = frozenset(searcher.docs_for_query(_filter(paper, date_from, date_to))) \
                if paper or date_from or date_to else None
            for docnum, stored in searcher.reader().iter_docs():
                if allowed is None or docnum in allowed:
                    holding = holdings.setdefault(stored_label(stored, by), Holding())
                    holding.articles += 1
                    holding.chars += sum(len(normalize(stored.get(name, ""))) for name in TEXT_FIELDS)
    for holding in holdings.values():
        holding.issues = True
    for page in read_json(index_dir, "pages", generation).values():
        if not isinstance(page, dict):
            continue
        day = page.get("date")
        if paper and paper not in (page.get("paper"), page.get("paper_name")):
            continue
        if by in ("paper", "page"):
            if (date_from or date_to) and not (is_day(day) and (date_from or day) <= day <= (date_to or day)):
                continue
            label = page.get("paper", "") if by == "paper" else normalize_page_no(str(page.get("page_no") or ""))
        elif is_day(day) and (date_from or day) <= day <= (date_to or day):
            label = bucket_of(day, by)
        else:
            continue
        holdings.setdefault(label, Holding()).issues = True
    return holdings


def live_mask(engine: fast.Engine) -> np.ndarray:
    """Bool per global docnum: the document is live (not deleted)."""
    live = np.zeros(engine.doc_count_all, dtype=bool)
    for seg in engine.segments:
        live[seg.base : seg.base + len(seg.live)] = seg.live
    return live


def _char_lengths(engine: fast.Engine, docnums: np.ndarray) -> np.ndarray:
    """Non-whitespace characters of each document's text fields, from the sidecars' char field extents."""
    lengths = np.zeros(engine.doc_count_all, dtype=np.int64)
    for seg in engine.segments:
        for name in TEXT_FIELDS:
            lengths[seg.base : seg.base + len(seg.live)] += np.diff(seg.arrays[f"{char_field(name)}.starts"]) - 1
    return lengths[docnums]
