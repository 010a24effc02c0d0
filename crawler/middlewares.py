"""Downloader middlewares and request guards: honour a server's Retry-After before retrying a 429 or 503;
turn every request the crawl will not follow into an event with a reason."""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER_MAX = 60.0
FOLLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_URL_LENGTH_LIMIT = 2083  # Scrapy's URLLENGTH_LIMIT default (the old Internet Explorer limit)
SHOWN_URL_CHARS = 200  # a 3,000-character URL is cut to this in log lines and events


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


def short_url(url: str) -> str:
    """A URL cut to SHOWN_URL_CHARS characters for log lines and events (its length said when cut)."""
    return url if len(url) <= SHOWN_URL_CHARS else f"{url[:SHOWN_URL_CHARS]}…({len(url)} characters)"


def host_allowed(host: str, domains: list[str] | tuple[str, ...]) -> bool:
    """Scrapy's offsite rule: no domains allows all; else the host is a domain or a subdomain of one."""
    host = host.lower()
    return not domains or any(host == d.lower() or host.endswith("." + d.lower()) for d in domains if d)


class RequestGuard:
    """Every request the crawl will not follow becomes an event with a reason, never a silent loss.

    Checked when a request is scheduled (links from pages, and redirects, which Scrapy schedules again):
    only http(s) is fetched (an ftp:// link to a port that accepts and never speaks would otherwise
    hang the crawl: Scrapy's FTP handler has no deadline), URLs longer than URLLENGTH_LIMIT (default
    2083), hosts outside the spider's allowed_domains (Scrapy's rule; dont_filter and allow_offsite
    requests pass), and redirect loops (a redirect back to a URL of its own chain: self-302, ping-pong).
    A redirect the duplicate filter drops (to a URL already requested by this crawl) is reported too.

    Each is logged once as `not followed: URL: reason` (WARNING), counted in epaper/filtered and
    epaper/filtered/<kind>, added to the spider's `failed` list (the crawl summary) and, as event
    "filtered", to its EventLog (the coverage report), under the URL the page linked to (the first URL
    of a redirect chain). The request is then dropped (IgnoreRequest: Scrapy's own signal handling).
    Replaces Scrapy's UrlLengthMiddleware, which drops long URLs with only an INFO line.

    As a downloader middleware (above RedirectMiddleware's 600, so it sees a 3xx first) it also turns a
    redirect to a non-http(s) URL, which Scrapy hands on as a bare 3xx response, into IgnoreRequest with
    that reason, for the request's errback to report.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_length = crawler.settings.getint("URLLENGTH_LIMIT", DEFAULT_URL_LENGTH_LIMIT)
        self.reported: set[str] = set()
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestGuard:
        """Scrapy's constructor hook."""
        return cls(crawler)

    def refusal(self, request: Request) -> tuple[str, str] | None:
        """(kind, reason) if the request must not be fetched, else None."""
        parsed = urlparse_cached(request)
        chain = request.meta.get("redirect_urls") or []
        via = "redirect to " if chain else ""
        if parsed.scheme not in FOLLOWED_SCHEMES:
            return "scheme", f"{via}scheme {parsed.scheme or '(none)'}: (only http and https are fetched)"
        if len(request.url) > self.max_length:
            return "url_length", f"{via}a URL of {len(request.url)} characters (URLLENGTH_LIMIT {self.max_length})"
        if request.url in chain:
            loop = " → ".join(short_url(url) for url in [*chain, request.url])
            return "redirect_loop", f"redirect loop: {loop}"
        spider = self.crawler.spider
        domains = getattr(spider, "allowed_domains", None) or ()
        if not (request.dont_filter or request.meta.get("allow_offsite")) and not host_allowed(
                parsed.hostname or "", domains):
            return "offsite", f"{via}host {parsed.hostname or '(none)'!r}, outside allowed_domains {list(domains)}"
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        """Refuse a redirect to another scheme than http(s) with a reason (the errback reports it)."""
        location = response.headers.get(b"Location") if 300 <= response.status < 400 else None
        if location and not request.meta.get("dont_redirect"):
            target = urljoin(request.url, location.decode("latin-1"))
            scheme = urlsplit(target).scheme
            if scheme not in FOLLOWED_SCHEMES:
                raise IgnoreRequest(f"redirect to scheme {scheme or '(none)'}: {short_url(target)} "
                                    f"(only http and https are fetched)")
        return response

    def request_scheduled(self, request: Request, spider: Any = None) -> None:
        """Signal handler: report and drop a request that must not be fetched."""
        refused = self.refusal(request)
        if refused is not None:
            self.report(request, *refused)
            raise IgnoreRequest(refused[1])

    def request_dropped(self, request: Request, spider: Any = None) -> None:
        """Signal handler: a redirect the duplicate filter dropped loses its article; report it."""
        if request.meta.get("redirect_urls"):
            self.report(request, "redirect_duplicate",
                        f"redirect to {short_url(request.url)}, already requested by this crawl")

    def report(self, request: Request, kind: str, reason: str) -> None:
        """Log, count and record one request that is not followed (once per linked URL)."""
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        if url in self.reported:
            return
        self.reported.add(url)
        stats = self.crawler.stats
        stats.inc_value("epaper/filtered")
        stats.inc_value(f"epaper/filtered/{kind}")
        logger.warning("not followed: %s: %s", short_url(url), reason)
        spider = self.crawler.spider
        failed = getattr(spider, "failed", None)
        if isinstance(failed, list):
            failed.append((short_url(url), f"not followed: {reason}"))
        events, profile = getattr(spider, "events", None), getattr(spider, "profile", None)
        if events is not None and profile is not None:
            date = request.cb_kwargs.get("date") or request.cb_kwargs.get("day") or ""
            events.add(profile.key, "filtered", date=date if isinstance(date, str) else "", url=url, reason=reason)
