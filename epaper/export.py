"""The files the CLI and the reading room write alike: CSV (UTF-8 with a BOM) and JSONL of hits, KWIC lines and
counts, byte for byte the same for the same query, and the dates a year or month stands for."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

# Archive record fields, in contract order: the CSV columns of a search.
RECORD_FIELDS = ("id", "type", "kind", "paper", "paper_name", "date", "page_no", "page_name", "position",
                 "pretitle", "title", "subtitle", "author", "byline", "dateline", "body", "full_body",
                 "continued_on", "continued_from", "images", "url", "page_url", "pdf_url", "fetched_at",
                 "content_hash")
KWIC_FIELDS = ("id", "date", "paper", "paper_name", "title", "field", "left", "match", "right")
BOM = "\ufeff"  # so Excel detects UTF-8


def csv_cell(value: object) -> str:
    """A CSV cell: lists/dicts as JSON, None as ""."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def csv_text(columns: Iterable[str], rows: Iterable[dict]) -> str:
    """The CSV text (without the BOM) of rows: a header line, then one line per row in the columns' order."""
    columns = list(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def csv_bytes(columns: Iterable[str], rows: Iterable[dict]) -> bytes:
    """The CSV file the CLI writes to a file or pipe: BOM + csv_text, UTF-8 (a lone surrogate, which no UTF-8
    file can hold, as '?')."""
    return (BOM + csv_text(columns, rows)).encode("utf-8", "replace")


def jsonl_line(row: dict) -> str:
    """One JSON object on one line (no trailing newline), text as is (not \\u-escaped)."""
    return json.dumps(row, ensure_ascii=False)


def jsonl_bytes(rows: Iterable[dict]) -> bytes:
    """The JSONL file the CLI writes: one jsonl_line per row, each ended by a newline, UTF-8 (a lone surrogate
    as '?')."""
    return "".join(jsonl_line(row) + "\n" for row in rows).encode("utf-8", "replace")


def export_hit(hit: dict, full: bool) -> dict:
    """A hit for json/jsonl output: with its archive record only when full."""
    if not full:
        return {key: value for key, value in hit.items() if key != "record"}
    return hit


def hit_csv_rows(hits: list[dict], full: bool, collapse: bool) -> tuple[list[str], list[dict]]:
    """(columns, rows) of hits (searched with_record=True) for CSV: every archive record field, body only when
    full, then score, exact, snippet (and cluster, copies when collapsed)."""
    columns = [name for name in RECORD_FIELDS if full or name not in ("body", "full_body")]
    columns += ["score", "exact", "snippet"] + (["cluster", "copies"] if collapse else [])
    rows = []
    for hit in hits:
        record = dict(hit["record"])
        for key in ("score", "exact", "snippet", "cluster", "copies"):
            if key in hit:
                record[key] = hit[key]
        for key in ("id", "date", "paper", "paper_name", "page_no", "page_name", "pretitle", "title",
                    "subtitle", "author", "url"):
            record.setdefault(key, hit.get(key, ""))
        rows.append(record)
    return columns, rows


def resolve_period(date_from: str | None, date_to: str | None, year: str | None = None, month: str | None = None,
                   flag: str = "--") -> tuple[str | None, str | None]:
    """(from, to) from a from/to range or a year ("2025") or month ("2025-03"); flag prefixes the option names
    in messages. Raises QueryError (one line) when a year or month is combined with from/to, when from is
    after to, or for a malformed year or month."""
    from indexer.errors import QueryError

    if (year or month) and (date_from or date_to):
        raise QueryError(f"{flag}{'year' if year else 'month'} cannot be combined with {flag}from/{flag}to")
    if year or month:
        from indexer.query.search import period_range

        return period_range(year=year, month=month)
    if date_from and date_to and date_from > date_to:
        raise QueryError(f"{flag}from {date_from} is after {flag}to {date_to}")
    return date_from, date_to
