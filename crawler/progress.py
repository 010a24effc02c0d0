"""What a crawl is doing while it runs: day d of N, pages, articles, failures, rate and ETA on stderr.

A rich bar on a terminal, else a plain line every PROGRESS_INTERVAL seconds (epaper/progress.py); the
PROGRESS setting (or $EPAPER_PROGRESS) forces `bar`, `lines` or `off`.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import create_looping_call

from epaper.progress import Progress, duration, progress_interval

BAR_TICK = 0.5  # seconds between redraws of the bar


def crawl_state(spider: Any, stats: dict[str, Any]) -> dict[str, int | None]:
    """Counts for the display: days reached (first page answered, no issue or failed) of days planned, pages,
    articles, failures and responses."""
    days = getattr(spider.plan, "days", None)
    reached = (len(getattr(spider, "issue_pages", {})) + len(getattr(spider, "no_issue_days", []))
               + stats.get("epaper/failed_days", 0))
    return {"days": len(days) if days is not None else None, "reached": reached,
            "pages": stats.get("epaper/pages", 0), "articles": stats.get("epaper/articles", 0),
            "failures": len(getattr(spider, "failed", [])),
            "responses": stats.get("downloader/response_count", 0)}


def eta_seconds(state: dict[str, int | None], queued: int, elapsed: float) -> float | None:
    """Seconds left: the requests queued plus those of the days not reached yet (as many as each reached day
    needed so far), at the rate seen so far; None before there is a rate."""
    responses = state["responses"] or 0
    if not responses or elapsed <= 0:
        return None
    left = queued
    if state["days"] and state["reached"]:
        left += (state["days"] - state["reached"]) * responses / state["reached"]
    return left / (responses / elapsed)


class CrawlProgress:
    """Scrapy extension: the progress display of one crawl."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        interval = crawler.settings.get("PROGRESS_INTERVAL")
        self.display = Progress("crawl", mode=crawler.settings.get("PROGRESS") or "",
                                interval=progress_interval(30.0) if interval in (None, "") else float(interval))
        self.task = None
        self.started = time.monotonic()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        if not hasattr(spider, "plan") or self.display.mode == "off":
            return
        self.display.label = f"crawl {spider.profile.key}"
        self.started = time.monotonic()
        self.task = create_looping_call(self.tick, spider)
        self.task.start(BAR_TICK if self.display.mode == "bar" else max(self.display.interval, 0.1), now=False)

    def _queued(self) -> int:
        """Requests waiting in the scheduler or being downloaded (0 when the engine cannot say)."""
        engine = self.crawler.engine
        try:
            return len(engine.scheduler) + len(engine.downloader.active)
        except (AttributeError, TypeError):
            return 0

    def tick(self, spider: Spider) -> None:
        """Show the current state once."""
        state = crawl_state(spider, self.crawler.stats.get_stats())
        elapsed = time.monotonic() - self.started
        eta = eta_seconds(state, self._queued(), elapsed)
        rate = (state["responses"] or 0) / elapsed if elapsed > 0 else 0.0
        what = "days" if state["days"] else "latest issue"
        info = (f"pages {state['pages']}  articles {state['articles']}  failures {state['failures']}  "
                f"{rate:.1f} responses/s  ETA {duration(eta) if eta is not None else '?'}")
        self.display.update(what, state["reached"] or 0, state["days"], info, force=True)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
            if self.display.mode == "lines":  # the last state, whatever the interval
                self.tick(spider)
        self.display.close()
