"""The one-screen summary every crawl ends with: what was collected, what is missing and why."""

from __future__ import annotations

import sys
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.args import day_ranges
from crawler.health import health_line
from crawler.pipelines.archive import STORAGE_ERROR

MAX_FAILED_LINES = 20


def summary_lines(spider: Any, stats: dict[str, Any], reason: str) -> list[str]:
    """The summary of one crawl, from its stats and the spider's failure list."""
    profile = spider.profile
    days = spider.plan.days
    span = f"{days[0]} … {days[-1]}" if days else "latest issue"
    get = stats.get
    failed = list(getattr(spider, "failed", []))
    no_issue = list(getattr(spider, "no_issue_days", []))
    lines = [
        f"epaper crawl summary: {profile.key} ({profile.name}), {span}, {reason}",
        f"  pages {get('epaper/pages', 0)}  articles {get('epaper/articles', 0)}  "
        f"new {get('archive/records_new', 0)}  revised {get('archive/records_revised', 0)}  "
        f"unchanged {get('archive/records_unchanged', 0)}  skipped (already archived) {get('seen/skipped', 0)}",
        f"  no-issue days {len(no_issue)}{' (' + ', '.join(day_ranges(no_issue)) + ')' if no_issue else ''}  "
        f"failed days {get('epaper/failed_days', 0)}  failed URLs {get('epaper/failed_urls', 0)}  "
        f"parse errors {sum(v for k, v in stats.items() if k.startswith('epaper/parse_errors/'))}  "
        f"dropped {get('validate/dropped', 0) + get('dedupe/dropped', 0)}"
        + (f" (invalid {get('validate/dropped', 0)}, duplicate {get('dedupe/dropped', 0)})"
           if get('dedupe/dropped', 0) else "")
        + (f"  renamed (id taken) {get('dedupe/renamed')}" if get("dedupe/renamed") else ""),
    ]
    filtered = get("epaper/filtered", 0)
    if filtered:
        kinds = ", ".join(f"{k.rsplit('/', 1)[1].replace('_', ' ')} {v}" for k, v in sorted(stats.items())
                          if k.startswith("epaper/filtered/"))
        lines.append(f"  not followed {filtered} ({kinds})")
    if get("archive/quarantined_lines"):
        lines.append(f"  damaged archive lines kept aside {get('archive/quarantined_lines')} (*.jsonl.quarantine; "
                     f"their articles are fetched again next run)")
    if getattr(spider.plan, "note", ""):
        lines.append(f"  since=last: {spider.plan.note}")
    if get(STORAGE_ERROR):
        lines.append(f"  STORAGE ERROR: {get(STORAGE_ERROR)}")
    if failed:
        lines.append("  failed or not followed, for good (see also: python -m crawler.coverage):")
        lines += [f"    {url}  {why}" for url, why in failed[:MAX_FAILED_LINES]]
        if len(failed) > MAX_FAILED_LINES:
            lines.append(f"    … and {len(failed) - MAX_FAILED_LINES} more")
    warnings = list(getattr(spider, "warnings", []))
    if warnings:
        lines.append("  looks incomplete (see also: python -m crawler.coverage):")
        lines += [f"    {w.kind}  {w.url}  {w.reason}" for w in warnings[:MAX_FAILED_LINES]]
        if len(warnings) > MAX_FAILED_LINES:
            lines.append(f"    … and {len(warnings) - MAX_FAILED_LINES} more")
    lines.append("  " + health_line(problems(spider, stats)))
    return lines


def problems(spider: Any, stats: dict[str, Any]) -> dict[str, int]:
    """What the health line counts: warnings by kind, URLs and days failed for good, parse errors."""
    found = dict(getattr(spider, "health_counts", {}))
    found["failed"] = len(getattr(spider, "failed", []))
    found["parse errors"] = sum(v for k, v in stats.items() if k.startswith("epaper/parse_errors/"))
    return {kind: count for kind, count in found.items() if count}


class CrawlSummary:
    """Print the summary to stderr when the spider closes (whatever the log level); under `scrapy crawl` the
    command prints it after the crawl, below Scrapy's stats dump (EPAPER_SUMMARY_DEFERRED), so it is the last
    thing on screen."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlSummary:
        return cls(crawler)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not hasattr(spider, "profile"):
            return
        finish = getattr(spider, "finish_health", None)
        if finish is not None:  # issue-level warnings, whichever closed handler runs first
            finish(reason)
        lines = summary_lines(spider, self.crawler.stats.get_stats(), reason)
        spider.summary_lines = lines
        if not self.crawler.settings.getbool("EPAPER_SUMMARY_DEFERRED"):
            print("\n".join(lines), file=sys.stderr, flush=True)
