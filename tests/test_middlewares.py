"""RetryAfterMiddleware: waits out Retry-After on 429/503 (capped), then retries with Scrapy's accounting."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from email.utils import format_datetime

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler import middlewares
from crawler.middlewares import RetryAfterMiddleware, parse_retry_after
from crawler.settings import DOWNLOADER_MIDDLEWARES

URL = "http://127.0.0.1:9/html/2025-03-19/node_2.htm"


@pytest.fixture
def make_mw():
    """A middleware on a crawler with the given settings (its spider set, as get_retry_request needs)."""

    def make(**settings) -> RetryAfterMiddleware:
        crawler = get_crawler(Spider, {"RETRY_TIMES": 2, **settings})
        crawler.spider = Spider.from_crawler(crawler, name="t")
        return RetryAfterMiddleware.from_crawler(crawler)

    return make


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """Record the middleware's sleeps instead of sleeping."""
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(middlewares, "sleep", fake_sleep)
    return slept


def response(status: int, retry_after: str | None = None, request: Request | None = None) -> HtmlResponse:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    request = request or Request(URL)
    return HtmlResponse(URL, status=status, headers=headers, body=b"busy", request=request)


def process(mw: RetryAfterMiddleware, resp: HtmlResponse):
    return asyncio.run(mw.process_response(resp.request, resp))


def stats(mw: RetryAfterMiddleware) -> dict:
    return mw.crawler.stats.get_stats()


# --- Retry-After values -----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "seconds"), [("1", 1.0), ("0", 0.0), (" 120 ", 120.0), ("0.5", 0.5)])
def test_delta_seconds(value, seconds):
    assert parse_retry_after(value) == seconds


def test_http_date_is_seconds_from_now():
    now = dt.datetime(2025, 3, 19, 8, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("Wed, 19 Mar 2025 08:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wednesday, 19-Mar-25 08:01:00 GMT", now=now) == 60.0  # obsolete RFC 850 form
    assert parse_retry_after("Wed, 19 Mar 2025 07:59:00 GMT", now=now) == 0.0  # in the past: go now


@pytest.mark.parametrize("value", ["", "soon", "-5", "inf", "nan", "Wed, 99 Foo 2025"])
def test_unusable_values(value):
    assert parse_retry_after(value) is None


# --- the middleware ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
def test_waits_then_returns_a_counted_retry(make_mw, waits, status):
    mw = make_mw()
    result = process(mw, response(status, "1"))
    assert isinstance(result, Request) and result.url == URL
    assert result.meta["retry_times"] == 1 and result.dont_filter
    assert waits == [1.0]
    s = stats(mw)
    assert s["retry_after/waited"] == 1 and s["retry_after/seconds"] == 1.0
    assert s["retry/count"] == 1
    assert any(k.startswith(f"retry/reason_count/{status}") for k in s)


def test_http_date_header_is_waited(make_mw, waits):
    when = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3), usegmt=True)
    result = process(make_mw(), response(429, when))
    assert isinstance(result, Request)
    assert len(waits) == 1 and 1.0 < waits[0] <= 3.0


@pytest.mark.parametrize(("status", "retry_after"), [(200, "1"), (404, "1"), (500, "1"), (429, None),
                                                     (503, None), (429, "tomorrow")])
def test_everything_else_passes_through_untouched(make_mw, waits, status, retry_after):
    """No wait, no retry, no stats: RetryMiddleware (or the spider) handles these as before."""
    mw = make_mw()
    resp = response(status, retry_after)
    assert process(mw, resp) is resp
    assert waits == []
    assert not resp.request.meta.get("dont_retry")
    assert not any(k.startswith(("retry_after/", "retry/")) for k in stats(mw))


def test_dont_retry_is_respected(make_mw, waits):
    resp = response(429, "1", Request(URL, meta={"dont_retry": True}))
    assert process(make_mw(), resp) is resp
    assert waits == []


def test_longer_than_the_cap_gives_up_at_once_with_a_log_line(make_mw, waits, caplog):
    mw = make_mw(RETRY_AFTER_MAX=5)
    resp = response(429, "3600")
    assert process(mw, resp) is resp
    assert waits == []
    assert resp.request.meta["dont_retry"] is True  # so RetryMiddleware (550) does not retry at once either
    assert stats(mw)["retry_after/too_long"] == 1
    assert "retry/count" not in stats(mw)
    assert [r for r in caplog.records if "giving up" in r.getMessage() and URL in r.getMessage()
            and "RETRY_AFTER_MAX" in r.getMessage()]


def test_the_cap_defaults_to_60_seconds(make_mw, waits):
    assert isinstance(process(make_mw(), response(429, "60")), Request)
    assert process(make_mw(), response(429, "61")).status == 429
    assert waits == [60.0]


def test_retry_limit_still_applies_and_nothing_is_waited_in_vain(make_mw, waits):
    mw = make_mw(RETRY_TIMES=2)
    request = Request(URL)
    for expected in (1, 2):
        request = process(mw, response(429, "1", request))
        assert request.meta["retry_times"] == expected
    last = response(429, "1", request)
    assert process(mw, last) is last  # third failure: retries used up
    assert waits == [1.0, 1.0]  # no wait before giving up
    assert last.request.meta["dont_retry"] is True
    s = stats(mw)
    assert s["retry/count"] == 2 and s["retry/max_reached"] == 1 and s["retry_after/waited"] == 2


def test_per_request_max_retry_times_applies(make_mw, waits):
    resp = response(429, "1", Request(URL, meta={"max_retry_times": 0}))
    assert process(make_mw(RETRY_TIMES=5), resp) is resp
    assert waits == []


def test_disabled_with_retries(make_mw):
    with pytest.raises(NotConfigured):
        make_mw(RETRY_ENABLED=False)


def test_waits_do_not_block_each_other(make_mw):
    """Three 0.3 s waits at once take about 0.3 s, not 0.9 s: the real sleep is non-blocking."""
    mw = make_mw(RETRY_TIMES=5)

    async def three() -> list:
        resps = [response(429, "0.3", Request(f"{URL}?n={n}")) for n in range(3)]
        return await asyncio.gather(*(mw.process_response(r.request, r) for r in resps))

    started = time.monotonic()
    results = asyncio.run(three())
    elapsed = time.monotonic() - started
    assert all(isinstance(r, Request) for r in results)
    assert 0.25 <= elapsed < 0.6
    assert stats(mw)["retry_after/waited"] == 3 and stats(mw)["retry_after/seconds"] == pytest.approx(0.9)


def test_registered_above_scrapys_retry_middleware():
    """process_response runs from the highest priority down: above 550 sees the 429 before RetryMiddleware."""
    assert DOWNLOADER_MIDDLEWARES["crawler.middlewares.RetryAfterMiddleware"] > 550
