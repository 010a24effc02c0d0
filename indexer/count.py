"""Hit and occurrence counts of a query per time period, paper or page, and their bar chart.

One function, ``count``, does the counting; the table, the terminal bar chart and the PNG
(``plot_counts``) all draw the CountResult it returns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from indexer.errors import QueryError
from indexer.schema import TEXT_FIELDS
from indexer.search import _filter, run_query

BYS = ("day", "week", "month", "year", "paper", "page")
# Every bucket of the range is listed; more than this is refused (a day count from year 1 to 9999 would
# be 3.65 million rows: minutes and gigabytes for a table nobody can read).
MAX_BUCKETS = 10_000
CJK_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN"]


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
          date_to: str | None = None, paper: str | None = None) -> CountResult:
    """Count matching articles and literal occurrences (what `match_spans` finds) per bucket.

    Time buckets span --from/--to, or the dates of the index (of that paper) when not given.
    Paper and page buckets list every paper / page number of the index.
    """
    if by not in BYS:
        raise QueryError(f"--by must be one of {', '.join(BYS)}, got {by!r}")
    with run_query(index_dir, query, paper=paper, date_from=date_from, date_to=date_to) as run:
        searcher, reader = run.searcher, run.searcher.reader()
        rows = empty_rows(by, paper, date_from, date_to, lambda: [
            term.decode("utf-8") for term in reader.lexicon("paper" if by == "paper" else "page_no")],
            lambda key: _paper_name(searcher, key), lambda: _date_span(searcher, paper))
        if run.engine is not None:
            _count_arrays(run, by, rows)
            return CountResult(query, by, date_from, date_to, list(rows.values()))
        for docnum, _, _ in run.ranked:
            stored = run.searcher.stored_fields(docnum)
            if by == "paper":
                label = stored.get("paper", "")
            elif by == "page":
                label = stored.get("page_no", "")
            else:
                label = bucket_of(stored["date"], by) if is_day(stored.get("date")) else ""
            bucket = rows.setdefault(label, Bucket(label))
            bucket.hits += 1
            bucket.occurrences += sum(len(run.compiled.match_spans(name, stored.get(name, "")))
                                      for name in TEXT_FIELDS)
    return CountResult(query, by, date_from, date_to, list(rows.values()))


def _occurrences(run) -> np.ndarray:
    """Literal occurrences per hit: from the phrase positions when the query allows, else from the stored text."""
    found = run.engine.occurrences(run.compiled, run.ranked)
    if found is None:
        found = np.array([sum(len(run.compiled.match_spans(name, stored.get(name, ""))) for name in TEXT_FIELDS)
                          for stored in map(run.searcher.stored_fields, run.ranked.docnums.tolist())],
                         dtype=np.int64)
    return found


def _labels(run, by: str, docnums: np.ndarray) -> tuple[list[str], np.ndarray]:
    """(distinct labels, index of each hit's label) of the hits' buckets, from the engine's columns."""
    engine = run.engine
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
    names, index = _labels(run, by, docnums)
    hits = np.bincount(index, minlength=len(names))
    occurrences = np.bincount(index, weights=_occurrences(run), minlength=len(names))
    for label, count_hits, count_found in zip(names, hits.tolist(), occurrences.tolist(), strict=True):
        if count_hits:
            bucket = rows.setdefault(label, Bucket(label))
            bucket.hits += count_hits
            bucket.occurrences += int(count_found)


def plot_counts(result: CountResult, path: Path | str) -> list[tuple[str, int, int]]:
    """Draw the counts as two bar charts (articles, occurrences) into a PNG; return what was drawn.

    The PNG's "Description" metadata holds the same counts as JSON.
    """
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    available = {font.name for font in font_manager.fontManager.ttflist}
    families = [name for name in CJK_FONTS if name in available] + ["DejaVu Sans"]
    labels = [bucket.label for bucket in result.buckets]
    hits = [bucket.hits for bucket in result.buckets]
    occurrences = [bucket.occurrences for bucket in result.buckets]
    what = {"day": "day", "week": "ISO week", "month": "month", "year": "year", "paper": "paper",
            "page": "page number"}[result.by]
    span = f" ({result.date_from or '…'} to {result.date_to or '…'})" if result.date_from or result.date_to else ""
    with warnings.catch_warnings(), matplotlib.rc_context({"font.family": families}):
        warnings.simplefilter("ignore")  # missing CJK glyphs when no CJK font is installed
        figure, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(max(6.0, 0.35 * len(labels) + 2), 6))
        top_bars = top.bar(range(len(labels)), hits, color="#4c72b0")
        bottom_bars = bottom.bar(range(len(labels)), occurrences, color="#dd8452")
        top.set_ylabel("matching articles")
        bottom.set_ylabel("occurrences (literal matches)")
        bottom.set_xlabel(what)
        bottom.set_xticks(range(len(labels)), labels, rotation=90 if len(labels) > 12 else 0, fontsize=8)
        figure.suptitle(f"Query {result.query!r}: matching articles and occurrences per {what}{span}")
        figure.tight_layout()
        figure.savefig(path, format="png", metadata={"Description": json.dumps(result.to_dict(), ensure_ascii=False)})
        drawn = [(label, int(a.get_height()), int(b.get_height()))
                 for label, a, b in zip(labels, top_bars, bottom_bars, strict=True)]
        plt.close(figure)
    return drawn
