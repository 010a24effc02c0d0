"""The one generic e-paper spider: a profile says where, a platform module says how; this only routes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.args import CrawlPlan, resolve
from crawler.items import ArticleItem, PageItem
from crawler.platforms import detect, extract, get_platform
from crawler.platforms.config import PlatformConfig

logger = logging.getLogger(__name__)


def article_id(paper: str, date: str, key: str) -> str:
    """Stable article id: paper, issue date and the site's own content id."""
    return f"{paper}-{date.replace('-', '')}-{key}"


def page_id(paper: str, date: str, page_no: str) -> str:
    """Stable page id: paper, issue date and the printed page number."""
    return f"{paper}-{date.replace('-', '')}-p{page_no}"


def _now() -> str:
    """The current time as ISO-8601 UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class EpaperSpider(scrapy.Spider):
    """Walk issue → pages (版面) → articles for the days asked, on any supported platform."""

    name = "epaper"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        plan_args = {k: kwargs.pop(k, None) for k in
                     ("paper", "platform", "base_url", "date", "start", "end", "first_node", "name")}
        super().__init__(*args, **kwargs)
        self.name = "epaper"
        self.plan: CrawlPlan = resolve(**plan_args)
        self.profile = self.plan.profile
        self.allowed_domains = list(self.profile.allowed_domains)
        self.base_url = self.profile.base_url
        self.platform: PlatformConfig | None = None
        if self.profile.platform != "auto":
            self.platform = self.profile.platform_config()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """One request per issue day (or the latest issue); with platform=auto, detection first."""
        if self.platform is None:
            found = detect.from_url(self.plan.start_url)
            if found is None:
                probes = detect.probe_urls(self.plan.start_url)
                yield self._probe(probes, tried=[])
                return
            self._adopt(found, f"the URL {found.page_url}")
            if self.plan.days is None:
                yield self._first_page(found.page_url, found.date)
                return
        for request in self._issue_requests():
            yield request

    def _issue_requests(self) -> list[scrapy.Request]:
        """The first page of each day asked for, or the latest-issue page."""
        assert self.platform is not None
        if self.plan.days is None:
            return [self._first_page(self.platform.latest_url(self.base_url), "")]
        return [self._first_page(self.platform.issue_url(self.base_url, day), day.isoformat())
                for day in self.plan.days]

    def _first_page(self, url: str, day: str) -> scrapy.Request:
        """A request for an issue's first page, whose 404 means 'no issue that day'."""
        return scrapy.Request(url, callback=self.parse_page, errback=self.issue_failed,
                              cb_kwargs={"day": day, "first": True})

    # --- platform=auto ---------------------------------------------------------------------------

    def _adopt(self, found: detect.Detection, evidence: str) -> None:
        """Crawl on as the detected platform; the detected page names an issue's first page unless told."""
        first_node = self.profile.first_node or found.page_url.rsplit("/", 1)[-1]
        self.platform = get_platform(found.platform, {**self.profile.overrides, "first_node": first_node})
        self.base_url = found.base_url
        self.crawler.stats.set_value("epaper/detected_platform", found.platform)
        logger.info("auto: detected platform %s from %s (base URL %s)", found.platform, evidence, found.base_url)

    def _probe(self, probes: list[str], tried: list[str]) -> scrapy.Request:
        """Fetch the next page that may reveal the platform."""
        return scrapy.Request(probes[0], callback=self.detect_page, errback=self.probe_failed, dont_filter=True,
                              cb_kwargs={"probes": probes[1:], "tried": [*tried, probes[0]]})

    def detect_page(self, response: Response, probes: list[str], tried: list[str]) -> Iterator[scrapy.Request]:
        """Look for a known page URL in a probed page; try the next probe if there is none."""
        found = detect.in_page(response)
        if found is None:
            yield self._next_probe(probes, tried)
            return
        self._adopt(found, f"a link on {response.url}")
        if self.plan.days is None:
            yield self._first_page(found.page_url, found.date)
        else:
            yield from self._issue_requests()

    def probe_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        """A probe that failed to load just moves on to the next one."""
        kwargs = failure.request.cb_kwargs
        yield self._next_probe(kwargs["probes"], kwargs["tried"])

    def _next_probe(self, probes: list[str], tried: list[str]) -> scrapy.Request:
        """The next probe, or the end of the crawl with an error naming everything tried."""
        if probes:
            return self._probe(probes, tried)
        logger.error("auto: unknown layout at %s: tried %s; none links to a page of %s", self.plan.start_url,
                     ", ".join(tried), detect.described())
        raise CloseSpider("unknown_layout")

    def issue_failed(self, failure: Failure) -> None:
        """A 404 on an issue's first page means no issue that day; anything else is a failed day."""
        day = failure.request.cb_kwargs.get("day") or "latest"
        stats = self.crawler.stats
        if failure.check(HttpError) and failure.value.response.status == 404:
            logger.info("no issue: %s has no issue on %s (%s)", self.profile.key, day, failure.request.url)
            stats.inc_value("epaper/no_issue_days")
            return
        logger.error("failed day: %s %s: %s (%s)", self.profile.key, day, failure.getErrorMessage(),
                     failure.request.url)
        stats.inc_value("epaper/failed_days")

    def parse_page(self, response: Response, day: str, first: bool) -> Iterator[Any]:
        """Record a page, queue its articles and, from the first page, the issue's other pages."""
        self._check_decoding(response)
        try:
            page = extract.parse_page(response, self.platform)
        except Exception as exc:  # a broken page must not stop the crawl
            self._parse_failed("page", response, exc)
            return
        date = page.date or day
        self.crawler.stats.inc_value("epaper/pages")
        if first:
            for link in page.pages:
                yield response.follow(link.url, callback=self.parse_page,
                                      cb_kwargs={"day": date, "first": False})
        paper = self.profile.key
        keys = [extract.article_key(url, self.platform) for url in page.article_urls]
        yield PageItem(
            type="page", id=page_id(paper, date, page.page_no), paper=paper, paper_name=self.profile.name,
            date=date, page_no=page.page_no, page_name=page.page_name, url=page.url, pdf_url=page.pdf_url,
            image_url=page.image_url, guide=page.guide, article_ids=[article_id(paper, date, k) for k in keys],
            fetched_at=_now(),
        )
        for position, url in enumerate(page.article_urls):
            yield response.follow(url, callback=self.parse_article,
                                  cb_kwargs={"page": page, "date": date, "position": position})

    def parse_article(self, response: Response, page: Any, date: str, position: int) -> Iterator[ArticleItem]:
        """Turn one article page into an archive record."""
        self._check_decoding(response)
        try:
            art = extract.parse_article(response, self.platform)
        except Exception as exc:  # a broken page must not stop the crawl
            self._parse_failed("article", response, exc)
            return
        paper = self.profile.key
        self.crawler.stats.inc_value("epaper/articles")
        yield ArticleItem(
            type="article", id=article_id(paper, date, art.article_key), paper=paper,
            paper_name=self.profile.name, date=date, page_no=page.page_no or art.page_no,
            page_name=page.page_name or art.page_name, position=position, pretitle=art.pretitle,
            title=art.title, subtitle=art.subtitle, author=art.author, body="\n".join(art.paragraphs),
            images=art.images, url=response.url, page_url=page.url, pdf_url=page.pdf_url,
            fetched_at=_now(),
        )

    def _check_decoding(self, response: Response) -> None:
        """Log and count a page whose bytes did not all decode (what did decode is still used)."""
        text = getattr(response, "text", "")
        if "\ufffd" in text:
            logger.warning("decode: %d undecodable byte sequence(s) in %s (declared %s)", text.count("\ufffd"),
                           response.url, getattr(response, "encoding", "?"))
            self.crawler.stats.inc_value("epaper/decode_errors")

    def _parse_failed(self, what: str, response: Response, exc: Exception) -> None:
        """Log and count a page that could not be parsed."""
        logger.error("parse error: %s %s: %s: %s", what, response.url, type(exc).__name__, exc)
        self.crawler.stats.inc_value(f"epaper/parse_errors/{what}")
