"""The one generic e-paper spider: a profile says where, a platform module says how; this only routes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.args import CrawlPlan, resolve
from crawler.items import ArticleItem, PageItem
from crawler.platforms import extract

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
        self.platform = self.profile.platform_config()
        self.allowed_domains = list(self.profile.allowed_domains)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """One request per issue day (or the latest-issue entry page)."""
        base = self.profile.base_url
        if self.plan.days is None:
            yield scrapy.Request(self.platform.latest_url(base), callback=self.parse_page,
                                 errback=self.issue_failed, cb_kwargs={"day": "", "first": True})
            return
        for day in self.plan.days:
            url = self.platform.issue_url(base, day)
            yield scrapy.Request(url, callback=self.parse_page, errback=self.issue_failed,
                                 cb_kwargs={"day": day.isoformat(), "first": True})

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
