"""The one generic e-paper spider: a profile says where, a platform module says how; this only routes."""

from __future__ import annotations

import datetime as dt
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import health
from crawler.args import PLAN_ARGS, CrawlPlan, check_arg_names, resolve
from crawler.coverage import EventLog
from crawler.encoding import response_decoding, response_text
from crawler.items import ArticleItem, PageItem
from crawler.platforms import detect, extract, get_platform
from crawler.platforms.config import PlatformConfig
from crawler.seen import SeenStore
from crawler.urls import file_stem

logger = logging.getLogger(__name__)


def article_id(paper: str, date: str, key: str) -> str:
    """Stable article id: paper, issue date and the site's own content id."""
    return f"{paper}-{date.replace('-', '')}-{key}"


def page_id(paper: str, date: str, page_no: str, url: str = "") -> str:
    """Stable page id: paper, issue date and the printed page number (else 'n' and the page file's name)."""
    return f"{paper}-{date.replace('-', '')}-" + (f"p{page_no}" if page_no else f"n{file_stem(url)}")


# The names an issue's first page goes by on Founder-style sites (node_01 one day, node_A1 the next).
FIRST_NODE_NAMES = ("node_01", "node_A1", "node_A01", "node_1", "node_2")


def first_node_alternatives(first_node: str, learnt: list[str]) -> list[str]:
    """Other file names to try when an issue's first page is not at first_node: the names learnt on other days
    of this crawl, then the usual names in first_node's extension; none for a first_node of another shape."""
    stem, dot, ext = first_node.partition(".")
    if not stem.startswith("node_"):
        return [n for n in learnt if n != first_node]
    names = [*learnt, *(f"{name}.{ext}" if dot else name for name in FIRST_NODE_NAMES)]
    return [n for n in dict.fromkeys(names) if n != first_node]


def _rule_names(rule: str) -> list[str]:
    """The rule names in a provenance string ('platform:a#x (3) + generic:y (1)' → ['platform:a#x', 'generic:y'])."""
    return [part.rsplit(" (", 1)[0] for part in rule.split(" + ") if part]


def _reason(failure: Failure) -> str:
    """A one-line reason for a failed request: the HTTP status or the error."""
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]


@lru_cache(maxsize=1)  # every record of the same second shares the string
def _iso_second(second: int) -> str:
    """A Unix second as ISO-8601 UTC."""
    return dt.datetime.fromtimestamp(second, dt.UTC).isoformat().replace("+00:00", "Z")


def _now() -> str:
    """The current time as ISO-8601 UTC, to the second."""
    return _iso_second(int(time.time()))


class EpaperSpider(scrapy.Spider):
    """Walk issue → pages (版面) → articles for the days asked, on any supported platform."""

    name = "epaper"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        check_arg_names(kwargs)  # a mistyped argument must not silently crawl something else
        plan_args = {k: kwargs.pop(k, None) for k in PLAN_ARGS}
        # revisit=1: fetch already-archived articles again, to catch corrections (revisions)
        self.revisit = str(kwargs.pop("revisit", "")).lower() in ("1", "true", "yes")
        super().__init__(*args, **kwargs)
        self.name = "epaper"
        self.plan: CrawlPlan = resolve(**plan_args)
        self.archive_dir = Path(plan_args["archive_dir"] or "data/archive")
        self._seen: SeenStore | None = None
        self.events = EventLog(self.archive_dir)
        self.failed: list[tuple[str, str]] = []  # (url, reason) of everything that failed for good
        self.no_issue_days: list[str] = []
        self.profile = self.plan.profile
        self.allowed_domains = list(self.profile.allowed_domains)
        self.base_url = self.profile.base_url
        self.platform: PlatformConfig | None = None
        if self.profile.platform != "auto":
            self.platform = self.profile.platform_config()
        self.first_nodes_learnt: list[str] = []  # first-page file names met on this crawl's days, newest first
        # date -> page URL -> what the page had, for issue warnings (kept in JOBDIR's state across a resume)
        self.issue_pages: dict[str, dict[str, dict[str, Any]]] = {}
        self.by_fallback: dict[str, list[str]] = {}  # field -> article URLs whose field the fallback read
        self.health_counts: dict[str, int] = {}
        self.warnings: list[health.Warning] = []
        self._health_done = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> EpaperSpider:
        kwargs.setdefault("archive_dir", crawler.settings.get("ARCHIVE_DIR"))
        return super().from_crawler(crawler, *args, **kwargs)

    @property
    def seen(self) -> SeenStore:
        """The archive's seen-store, opened on first use."""
        if self._seen is None:
            self._seen = SeenStore(self.archive_dir)
        return self._seen

    def closed(self, reason: str) -> None:
        self.finish_health(reason)
        if self._seen is not None:
            self._seen.close()

    # --- no silent loss --------------------------------------------------------------------------

    def _warn(self, warning: health.Warning, date: str = "") -> None:
        """Log, count and record one warning (see crawler/health.py)."""
        logger.warning("health: %s %s: %s", warning.kind, warning.url, warning.reason)
        self.health_counts[warning.kind] = self.health_counts.get(warning.kind, 0) + 1
        self.crawler.stats.inc_value(f"health/{warning.kind}")
        self.warnings.append(warning)
        self.events.add(self.profile.key, "warning", date=date, url=warning.url,
                        reason=f"{warning.kind}: {warning.reason}")

    def finish_health(self, reason: str = "finished") -> None:
        """Issue-level warnings, once all pages are in (called at close, and by the summary before it prints);
        none for a crawl stopped early (its issues are incomplete: the resumed or re-run crawl judges them)."""
        if self._health_done:
            return
        self._health_done = True
        for name, urls in sorted(self.by_fallback.items()):
            self._warn(health.Warning(
                f"{name}_by_fallback", urls[0],
                f"the {name} of {len(urls)} article(s) was read by the main-content fallback, not by the platform's "
                f"selectors: has the template changed? `python -m crawler probe {urls[0]}` suggests a selector"))
        if reason != "finished":
            return
        for date, pages in sorted(self.issue_pages.items()):
            for warning in health.issue_warnings(pages.values()):
                self._warn(warning, date)

    def _tally(self, what: str, rules: dict[str, str], url: str) -> None:
        """Count which rule produced each field (stats extract/<what>/<field>/<rule>) and log them at debug."""
        logger.debug("rules: %s %s %s", what, url, rules)
        stats = self.crawler.stats
        for name, rule in rules.items():
            for rule_name in _rule_names(rule):
                stats.inc_value(f"extract/{what}/{name}/{rule_name}")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """One request per issue day (or the latest issue); with platform=auto, detection first."""
        # What exists now (modules, settings, components: ~80k objects) lives as long as the process; taking
        # it out of the collector's view makes each full collection during the crawl ~5x cheaper.
        gc.freeze()
        self._restore()
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

    def _first_page(self, url: str, day: str, tried: tuple[str, ...] = ()) -> scrapy.Request:
        """A request for an issue's first page, whose 404 means 'no issue that day' once every usual first-page
        name has been tried too."""
        return scrapy.Request(url, callback=self.parse_page, errback=self.issue_failed, dont_filter=bool(tried),
                              cb_kwargs={"day": day, "first": True}, meta={"first_tried": (*tried, url)})

    def _next_first_page(self, request: scrapy.Request) -> scrapy.Request | None:
        """The same day's first page under the next usual name, after a 404 (None when all were tried)."""
        day = request.cb_kwargs.get("day")
        if not day or self.platform is None:
            return None
        tried = request.meta.get("first_tried", (request.url,))
        folder = request.url.rsplit("/", 1)[0] + "/"
        configured = self.platform.values["first_node"]
        for name in first_node_alternatives(configured, self.first_nodes_learnt):
            if folder + name not in tried and len(tried) <= len(FIRST_NODE_NAMES) + 2:
                return self._first_page(folder + name, day, tried)
        return None

    def _learn_first_node(self, url: str) -> None:
        """Remember the file name an issue's first page had, to try it first on the other days."""
        name = url.rsplit("/", 1)[-1].split("?", 1)[0]
        if name and name != self.platform.values["first_node"] and name not in self.first_nodes_learnt:
            self.first_nodes_learnt.insert(0, name)
            self._remember("first_nodes_learnt", self.first_nodes_learnt)
            logger.info("first page: %s names an issue's first page %s", self.profile.key, name)

    # --- platform=auto ---------------------------------------------------------------------------

    def _adopt(self, found: detect.Detection, evidence: str) -> None:
        """Crawl on as the detected platform; the detected page names an issue's first page unless told."""
        platform = get_platform(found.platform, {**found.overrides, **self.profile.overrides})
        # The detected page's file name names the first page (node_A1.html, nbs.D110000gmrb_01.htm) unless the
        # platform enters an issue by an index file that is no page (PaperIndex's IssueIndex.htm).
        default = platform.values["first_node"]
        enters_by_page = extract.is_page_url(platform.issue_url(found.base_url, dt.date(2000, 1, 1)), platform)
        detected = found.page_url.split("?", 1)[0].rsplit("/", 1)[-1] if enters_by_page else default
        first_node = self.profile.first_node or detected
        self.platform = get_platform(found.platform,
                                     {**found.overrides, **self.profile.overrides, "first_node": first_node})
        self.base_url = found.base_url
        self.crawler.stats.set_value("epaper/detected_platform", found.platform)
        logger.info("auto: detected platform %s from %s (base URL %s)", found.platform, evidence, found.base_url)
        # Requests queued in JOBDIR need it after a resume, before (or without) a new detection.
        self._remember("auto", {"platform": found.platform, "base_url": found.base_url,
                                "overrides": dict(found.overrides), "first_node": first_node})

    def _remember(self, key: str, value: Any) -> None:
        """Keep what the crawl learnt in the spider state Scrapy saves in JOBDIR (no JOBDIR: no state)."""
        state = getattr(self, "state", None)  # set by Scrapy's SpiderState extension
        if state is not None:
            state[key] = value

    def _restore(self) -> None:
        """Take back what the crawl learnt before a JOBDIR resume: learnt first-page names, and the platform
        platform=auto detected (nothing if there was no earlier run)."""
        state = getattr(self, "state", None) or {}
        for date, pages in state.get("issue_pages", {}).items():
            self.issue_pages.setdefault(date, {}).update(pages)
        for name in state.get("first_nodes_learnt", ()):
            if name not in self.first_nodes_learnt:
                self.first_nodes_learnt.append(name)
        saved = state.get("auto")
        if saved and self.platform is None:
            overrides = {**saved.get("overrides", {}), **self.profile.overrides, "first_node": saved["first_node"]}
            self.platform = get_platform(saved["platform"], overrides)
            self.base_url = saved["base_url"]
            self.crawler.stats.set_value("epaper/detected_platform", saved["platform"])
            logger.info("auto: resumed as platform %s (base URL %s), as detected before", saved["platform"],
                        saved["base_url"])

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

    def issue_failed(self, failure: Failure) -> scrapy.Request | None:
        """A 404 on an issue's first page means no issue that day; anything else is a failed day."""
        day = failure.request.cb_kwargs.get("day") or "latest"
        stats = self.crawler.stats
        if failure.check(HttpError) and failure.value.response.status == 404:
            retry = self._next_first_page(failure.request)
            if retry is not None:
                logger.debug("first page: %s not found, trying %s", failure.request.url, retry.url)
                return retry
            logger.info("no issue: %s has no issue on %s (%s)", self.profile.key, day, failure.request.url)
            stats.inc_value("epaper/no_issue_days")
            self.no_issue_days.append(day)
            self.events.add(self.profile.key, "no_issue", date=failure.request.cb_kwargs.get("day", ""),
                            url=failure.request.url)
            return None
        reason = _reason(failure)
        logger.error("failed day: %s %s: %s (%s)", self.profile.key, day, reason, failure.request.url)
        stats.inc_value("epaper/failed_days")
        self.failed.append((failure.request.url, reason))
        self.events.add(self.profile.key, "failed_day", date=failure.request.cb_kwargs.get("day", ""),
                        url=failure.request.url, reason=reason)
        return None

    def request_failed(self, failure: Failure) -> None:
        """A page or article that could not be fetched, after retries: logged, counted, recorded."""
        request = failure.request
        reason = _reason(failure)
        logger.error("failed: %s: %s", request.url, reason)
        self.crawler.stats.inc_value("epaper/failed_urls")
        self.failed.append((request.url, reason))
        self.events.add(self.profile.key, "failed_url", date=request.cb_kwargs.get("date") or
                        request.cb_kwargs.get("day", ""), url=request.url, reason=reason)

    def parse_page(self, response: Response, day: str, first: bool) -> Iterator[Any]:
        """Record a page, queue its articles and, from the first page, the issue's other pages."""
        page = self._extract("page", extract.parse_page, response)
        if page is None:
            return
        if first and not page.pages and not page.article_urls:
            # A latest-issue entry page that redirects by <noscript> meta refresh or by script only.
            target, rule = extract.client_redirect(response_text(response), response.url)
            if target and target != page.url:
                logger.info("redirect: %s leads to %s (%s)", response.url, target, rule)
                yield response.follow(target, callback=self.parse_page, errback=self.issue_failed,
                                      cb_kwargs={"day": day, "first": True})
                return
        date = page.date or day
        stats = self.crawler.stats
        stats.inc_value("epaper/pages")
        self._tally("page", page.rules, page.url)
        if first:
            if day and page.date == day:
                self._learn_first_node(response.url)
            for link in page.pages:
                yield response.follow(link.url, callback=self.parse_page, errback=self.request_failed,
                                      cb_kwargs={"day": date, "first": False})
        for warning in health.page_warnings(page):
            self._warn(warning, date)
        self.issue_pages.setdefault(date, {})[page.url] = {
            "url": page.url, "page_no": page.page_no, "page_name": page.page_name, "pdf_url": page.pdf_url,
            "image_url": page.image_url, "articles": len(page.article_urls)}
        self._remember("issue_pages", self.issue_pages)
        paper = self.profile.key
        keys = [extract.article_key(url, self.platform) or file_stem(url) for url in page.article_urls]
        yield PageItem(
            type="page", id=page_id(paper, date, page.page_no, page.url), paper=paper,
            paper_name=self.profile.name, date=date, page_no=page.page_no, page_name=page.page_name, url=page.url,
            pdf_url=page.pdf_url, image_url=page.image_url, guide=page.guide,
            article_ids=[article_id(paper, date, k) for k in keys], article_urls=page.article_urls,
            issue_pages=[link.url for link in page.pages], fetched_at=_now(),
        )
        for position, url in enumerate(page.article_urls):
            if not self.revisit and self.seen.has(url):
                stats.inc_value("seen/skipped")
                continue
            yield response.follow(url, callback=self.parse_article, errback=self.request_failed,
                                  cb_kwargs={"page": page, "date": date, "position": position})

    def parse_article(self, response: Response, page: Any, date: str, position: int) -> Iterator[ArticleItem]:
        """Turn one article page into an archive record."""
        art = self._extract("article", extract.parse_article, response)
        if art is None:
            return
        paper = self.profile.key
        self.crawler.stats.inc_value("epaper/articles")
        self._tally("article", art.rules, art.url)
        for name in ("title", "body"):
            if art.rules.get(name, "").startswith("fallback:"):
                self.by_fallback.setdefault(name, []).append(art.url)
        for warning in health.article_warnings(art.url, art.title, art.paragraphs):
            self._warn(warning, date)
        yield ArticleItem(
            type="article", id=article_id(paper, date, art.article_key or file_stem(art.url)), paper=paper,
            paper_name=self.profile.name, date=date, page_no=page.page_no or art.page_no,
            page_name=page.page_name or art.page_name, position=position, pretitle=art.pretitle,
            title=art.title, subtitle=art.subtitle, author=art.author, body="\n".join(art.paragraphs),
            images=art.images, url=art.url, page_url=page.url, pdf_url=page.pdf_url,
            fetched_at=_now(),
        )

    def _extract(self, what: str, extractor: Callable[[Any, PlatformConfig], Any], response: Response) -> Any:
        """Run a pure extractor; a page that breaks it is logged, counted and skipped (None)."""
        if self.platform is None:  # a request resumed from JOBDIR may come before start() restored it
            self._restore()
        self._check_decoding(response)
        try:
            return extractor(response, self.platform)
        except Exception as exc:  # a broken page must not stop the crawl
            self._parse_failed(what, response, exc)
            return None

    def _check_decoding(self, response: Response) -> None:
        """Log and count a page whose bytes did not all decode (what did decode is still used), and a page whose
        header charset was overridden by what the bytes really are."""
        text, _encoding, note = response_decoding(response) if hasattr(response, "text") else ("", "", "")
        if note:
            logger.warning("decode: %s in %s", note, response.url)
            self.crawler.stats.inc_value("epaper/charset_overrides")
        if "\ufffd" in text:
            logger.warning("decode: %d undecodable byte sequence(s) in %s (declared %s)", text.count("\ufffd"),
                           response.url, getattr(response, "encoding", "?"))
            self.crawler.stats.inc_value("epaper/decode_errors")

    def _parse_failed(self, what: str, response: Response, exc: Exception) -> None:
        """Log and count a page that could not be parsed."""
        logger.error("parse error: %s %s: %s: %s", what, response.url, type(exc).__name__, exc)
        self.crawler.stats.inc_value(f"epaper/parse_errors/{what}")
        self.failed.append((response.url, f"parse error: {type(exc).__name__}: {exc}"))
        self.events.add(self.profile.key, "parse_error", url=response.url, reason=f"{type(exc).__name__}: {exc}")
