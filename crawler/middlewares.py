"""Downloader middlewares: honour a server's Retry-After before retrying a 429 or 503."""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER_MAX = 60.0


def parse_retry_after(value: str, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP date (None if neither).

    A date in the past means 0. Negative or non-finite numbers are not valid delta-seconds.
    """
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if 0 <= seconds < float("inf") else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; the obsolete asctime form carries no zone
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware:
    """On 429/503 with a Retry-After header, wait as long as the server asks, then retry.

    The wait is a non-blocking sleep inside an async process_response: other downloads go on meanwhile
    (the waiting request only keeps one of CONCURRENT_REQUESTS busy). The retry goes through Scrapy's
    get_retry_request, so RETRY_TIMES / max_retry_times, retry priority and the retry/* stats apply as for
    any other retry. A wait longer than RETRY_AFTER_MAX (seconds, default 60) is not waited: the request
    gives up at once with a warning, and the response goes on to the spider's errback.

    Must sit above RetryMiddleware (550) in DOWNLOADER_MIDDLEWARES, so that it sees the response first
    (process_response runs from the highest number down); a 429/503 without a usable Retry-After is left
    to RetryMiddleware, which retries it at once.

    Stats: retry_after/waited (retries that waited), retry_after/seconds (total seconds waited),
    retry_after/too_long (gave up: the server asked for more than RETRY_AFTER_MAX).
    """

    STATUSES = frozenset({429, 503})

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", DEFAULT_RETRY_AFTER_MAX)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        """Scrapy's constructor hook."""
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        """Wait out a Retry-After and return the retry request; leave every other response alone."""
        if response.status not in self.STATUSES or request.meta.get("dont_retry", False):
            return response
        header = response.headers.get(b"Retry-After")
        delay = parse_retry_after(header.decode("latin-1")) if header else None
        if delay is None:
            return response  # no (usable) Retry-After: RetryMiddleware's immediate retry
        stats = self.crawler.stats
        if delay > self.max_wait:
            logger.warning("retry-after: giving up on %s: %d asks to wait %.0fs, more than RETRY_AFTER_MAX %.0fs",
                           request.url, response.status, delay, self.max_wait)
            stats.inc_value("retry_after/too_long")
            request.meta["dont_retry"] = True  # nor may RetryMiddleware hammer a server that asked for a pause
            return response
        retry = get_retry_request(
            request, spider=self.crawler.spider, reason=response_status_message(response.status),
            max_retry_times=request.meta.get("max_retry_times"),
            priority_adjust=request.meta.get("priority_adjust"),
            give_up_log_level=request.meta.get("give_up_log_level"),
        )
        if retry is None:  # retries used up; get_retry_request has logged and counted it
            request.meta["dont_retry"] = True  # so RetryMiddleware does not log the same give-up again
            return response
        logger.debug("retry-after: waiting %.1fs before retrying %s (%d)", delay, request.url, response.status)
        if delay > 0:
            await sleep(delay)
        stats.inc_value("retry_after/waited")
        stats.inc_value("retry_after/seconds", delay)
        return retry
