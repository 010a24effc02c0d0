"""What an index holds: papers, date span, articles, pages, days without articles, near-duplicates."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from indexer.build.commit import read_json
from indexer.query.count import is_day
from indexer.query.search import read_clusters
from indexer.schema import open_index, read_meta


def gap_days(days: set[str]) -> list[str]:
    """Return the days between the first and last of days that are not in days."""
    if not days:
        return []
    first, last = date.fromisoformat(min(days)), date.fromisoformat(max(days))
    every = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [day.isoformat() for day in every if day.isoformat() not in days]


def as_ranges(days: list[str]) -> list[str]:
    """Compress sorted days into "A" and "A..B" ranges of consecutive days."""
    ranges: list[list[str]] = []
    for day in days:
        if ranges and date.fromisoformat(ranges[-1][1]) + timedelta(days=1) == date.fromisoformat(day):
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    return [a if a == b else f"{a}..{b}" for a, b in ranges]


def index_stats(index_dir: Path | str) -> dict:
    """Return the index's contents as a JSON-able dict (overall and per paper).

    Dates are only real YYYY-MM-DD days; articles with anything else (20250319, "", …) are counted in
    "undated", overall and per paper.
    """
    index_dir = Path(index_dir)
    ix = open_index(index_dir)
    papers: dict[str, dict] = {}
    all_days: set[str] = set()
    undated = 0
    with ix.searcher() as searcher:
        reader = searcher.reader()
        articles = reader.doc_count()
        for _, stored in reader.iter_docs():
            key = stored.get("paper", "")
            paper = papers.setdefault(key, {"paper": key, "paper_name": stored.get("paper_name", ""),
                                            "articles": 0, "pages": 0, "undated": 0, "days": set()})
            paper["articles"] += 1
            if is_day(stored.get("date")):
                paper["days"].add(stored["date"])
                all_days.add(stored["date"])
            else:
                paper["undated"] += 1
                undated += 1
    pages = read_json(index_dir, "pages")
    page_counts = Counter(page.get("paper", "") for page in pages.values())
    for key, number in page_counts.items():
        papers.setdefault(key, {"paper": key, "paper_name": "", "articles": 0, "pages": 0, "undated": 0, "days": set()})
        papers[key]["pages"] = number
    rows = []
    for key in sorted(papers):
        paper = papers[key]
        days = paper.pop("days")
        gaps = gap_days(days)
        rows.append({**paper, "first": min(days) if days else "", "last": max(days) if days else "",
                     "days": len(days), "gap_days": len(gaps), "gaps": as_ranges(gaps)})
    clusters = read_clusters(index_dir)
    meta = read_meta(index_dir)
    overall_gaps = gap_days(all_days)
    return {
        "index": str(index_dir), "schema_version": meta.get("schema_version"),
        "userdict": (meta.get("userdict") or {}).get("source", ""),
        "papers": rows, "articles": articles, "pages": len(pages), "undated": undated,
        "first": min(all_days) if all_days else "", "last": max(all_days) if all_days else "",
        "days": len(all_days), "gap_days": len(overall_gaps), "gaps": as_ranges(overall_gaps),
        "duplicate_clusters": len({head for doc_id, head in clusters.items() if doc_id != head}),
        "articles_in_duplicate_clusters": sum(n for n in Counter(clusters.values()).values() if n > 1),
    }
