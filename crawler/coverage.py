"""Coverage: what the archive holds for a paper and date range, and what is missing and why.

    python -m crawler.coverage --paper xihaian --from 2025-03-01 --to 2025-03-31 [--format json]

Crawls append what went wrong (and which days had no issue) to ARCHIVE_DIR/{paper}/crawl-events.log,
one JSON object per line; the report joins those events with the day files.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from crawler.archive import day_file, quarantine_file, read_day, read_records
from crawler.profiles import ProfileError, check_key
from epaper.argparsing import Parser
from epaper.config import ConfigError, default_archive
from epaper.pipes import quiet_pipe

EVENTS_FILE = "crawl-events.log"
logger = logging.getLogger(__name__)


class EventLog:
    """Append-only log of crawl events per paper (no_issue, failed_day, failed_url, parse_error, invalid,
    filtered: a request not followed, quarantined: a damaged archive line kept aside)."""

    def __init__(self, archive_dir: Path | str) -> None:
        self.archive_dir = Path(archive_dir)

    def add(self, paper: str, event: str, *, date: str = "", url: str = "", reason: str = "") -> None:
        """Record one event (one short line, appended in one write so concurrent crawls don't interleave).

        An event that cannot be written (full disk, read-only folder) is logged as a warning instead: the
        crawl goes on and its summary still lists the failure.
        """
        folder = self.archive_dir / check_key(paper)
        at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        line = json.dumps({"at": at, "event": event, "date": date, "url": url, "reason": reason}, ensure_ascii=False)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder / EVENTS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, (line + "\n").encode("utf-8"))
            finally:
                os.close(fd)
        except OSError as exc:
            logger.warning("events: cannot write to %s (%s): %s", folder / EVENTS_FILE, exc.strerror or exc, line)

    def read(self, paper: str) -> list[dict[str, Any]]:
        """Every event of a paper, oldest first (a torn last line from a killed crawl is skipped)."""
        path = self.archive_dir / check_key(paper) / EVENTS_FILE
        return list(read_records(path)) if path.exists() else []


@dataclass
class Coverage:
    """The coverage of one paper over a date range."""

    paper: str
    date_from: str
    date_to: str
    issue_days: list[str] = field(default_factory=list)
    no_issue_days: list[str] = field(default_factory=list)
    failed_days: list[dict[str, str]] = field(default_factory=list)
    never_crawled_days: list[str] = field(default_factory=list)
    missing_pages: list[dict[str, str]] = field(default_factory=list)
    missing_articles: list[dict[str, str]] = field(default_factory=list)
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)  # what looked incomplete (crawler/health.py)
    pages: int = 0
    articles: int = 0


def _last_reason(events: list[dict[str, Any]], **match: str) -> dict[str, Any] | None:
    """The newest event matching all the given fields."""
    found = [e for e in events if all(e.get(k) == v for k, v in match.items())]
    return found[-1] if found else None


def coverage(archive_dir: Path | str, paper: str, date_from: dt.date, date_to: dt.date) -> Coverage:
    """Join the day files and the event log of a paper over [date_from, date_to]."""
    log = EventLog(archive_dir)
    events = log.read(paper)
    failures = {e["url"]: e for e in events if e.get("url") and e["event"] not in ("no_issue", "warning")}
    report = Coverage(paper, date_from.isoformat(), date_to.isoformat())
    latest: dict[tuple[str, str], dict[str, str]] = {}  # a warning repeated by later crawls is listed once
    for e in events:
        if e["event"] == "warning" and report.date_from <= (e.get("date") or "") <= report.date_to:
            latest[(e.get("url", ""), e.get("reason", ""))] = {"date": e["date"], "url": e.get("url", ""),
                                                                "reason": e.get("reason", "")}
    report.warnings = sorted(latest.values(), key=lambda w: (w["date"], w["url"]))
    for offset in range((date_to - date_from).days + 1):
        date = (date_from + dt.timedelta(days=offset)).isoformat()
        path = day_file(Path(archive_dir), paper, date)
        if not path.exists():
            day_events = [e for e in events if e.get("date") == date and e["event"] in ("no_issue", "failed_day")]
            if day_events and day_events[-1]["event"] == "no_issue":
                report.no_issue_days.append(date)
            elif day_events:
                report.failed_days.append({"date": date, "url": day_events[-1]["url"],
                                           "reason": day_events[-1]["reason"]})
            else:
                report.never_crawled_days.append(date)
            continue
        report.issue_days.append(date)
        records = read_day(path)[0]
        kept_aside = quarantine_file(path)
        if kept_aside.exists():
            with open(kept_aside, "rb") as handle:
                report.quarantined.append({"date": date, "file": str(kept_aside), "lines": sum(1 for _ in handle)})
        pages = [r for r in records if r.get("type") == "page"]
        article_ids = {r["id"] for r in records if r.get("type") == "article"}
        report.pages += len(pages)
        report.articles += len(article_ids)
        fetched_pages = {p.get("url") for p in pages}
        listed_pages = dict.fromkeys(u for p in pages for u in p.get("issue_pages", []))
        for url in listed_pages:
            if url not in fetched_pages:
                event = failures.get(url, {})
                report.missing_pages.append({"date": date, "url": url, "reason": event.get("reason", "not fetched")})
        for page in pages:
            urls = page.get("article_urls") or [""] * len(page.get("article_ids", []))
            for article_id, url in zip(page.get("article_ids", []), urls, strict=False):
                if article_id not in article_ids:
                    event = failures.get(url, {})
                    report.missing_articles.append({"date": date, "id": article_id, "url": url,
                                                    "reason": event.get("reason", "not fetched")})
    return report


def print_table(report: Coverage) -> None:
    """The report for a terminal."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(f"[bold]{report.paper}[/bold] {report.date_from} … {report.date_to}: "
                  f"{len(report.issue_days)} issue days, {report.pages} pages, {report.articles} articles; "
                  f"{len(report.no_issue_days)} days with no issue, {len(report.failed_days)} failed days, "
                  f"{len(report.never_crawled_days)} never crawled")
    rows = ([("failed day", d["date"], d["url"], d["reason"]) for d in report.failed_days]
            + [("missing page", p["date"], p["url"], p["reason"]) for p in report.missing_pages]
            + [("missing article", a["date"], a["url"] or a["id"], a["reason"]) for a in report.missing_articles]
            + [("damaged lines kept aside", q["date"], q["file"], f"{q['lines']} lines")
               for q in report.quarantined]
            + [("warning", w["date"], w["url"], w["reason"]) for w in report.warnings]
            + [("no issue", d, "", "") for d in report.no_issue_days]
            + [("never crawled", d, "", "") for d in report.never_crawled_days])
    if rows:
        table = Table("what", "date", "url", "reason")
        for row in rows:
            table.add_row(*map(Text, row))  # crawled URLs and reasons are text, never rich markup
        console.print(table)


MAX_DAYS = 36_600


def _date(option: str, value: str) -> dt.date:
    """A YYYY-MM-DD option value; ValueError naming the option and the value."""
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else dt.date.fromisoformat("x")
    except ValueError as exc:
        reason = "expected YYYY-MM-DD" if "isoformat" in str(exc) else str(exc)
        raise ValueError(f"{option} {value!r}: {reason}") from None


def main(argv: list[str] | None = None, prog: str = "python -m crawler.coverage") -> int:
    """Run the report; return the exit status."""
    parser = Parser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--paper", required=True)
    parser.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--archive", metavar="DIR",
                        help="archive folder (default: $EPAPER_ARCHIVE, the config file's `archive`, or data/archive)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    try:
        args.archive = args.archive or default_archive()
        check_key(args.paper)
        first, last = _date("--from", args.date_from), _date("--to", args.date_to)
    except (ProfileError, ValueError, ConfigError) as exc:
        parser.exit(2, f"{prog}: error: {exc}\n")
    if last < first:
        parser.exit(2, f"{prog}: error: --to {last} is before --from {first}\n")
    if (last - first).days >= MAX_DAYS:
        parser.exit(2, f"{prog}: error: {first} … {last} is {(last - first).days + 1} days; at most {MAX_DAYS} "
                       "(about a century) per report\n")
    archive = Path(args.archive)
    if not archive.is_dir():
        parser.exit(2, f"{prog}: error: no archive folder at {archive} (--archive, $EPAPER_ARCHIVE)\n")
    if not (archive / args.paper).is_dir():
        papers = sorted(p.name for p in archive.iterdir() if p.is_dir() and (p / EVENTS_FILE).exists()
                        or p.is_dir() and any(p.glob("*/*.jsonl")))
        parser.exit(2, f"{prog}: error: the archive {archive} holds no paper {args.paper!r}; it holds: "
                       f"{', '.join(papers) or 'none'}\n")
    report = coverage(args.archive, args.paper, first, last)
    if args.format == "json":
        print(json.dumps(asdict(report), ensure_ascii=False, indent=1))
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    sys.exit(quiet_pipe(main))
