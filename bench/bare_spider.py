"""The baseline of the crawl benchmark: a bare Scrapy spider that follows what ours follows and parses nothing.

    scrapy runspider bench/bare_spider.py -a base_url=http://127.0.0.1:PORT/ -a start=2024-01-01 -a end=2024-01-30

Requests each day's first page (html/YYYY-MM/DD/node_2.htm), follows the issue's other pages (a#pageLink) from
the first page, and every article link (content_*.htm, title list and image map) from every page, with plain
`response.css(...)`; yields no items. Our pipelines and our end-of-crawl summary are switched off here
(custom_settings); every other setting is the project's plus the command line's, as for `scrapy crawl epaper`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response


class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {"ITEM_PIPELINES": {}, "EXTENSIONS": {"crawler.summary.CrawlSummary": None}}

    def __init__(self, base_url: str = "", start: str = "", end: str = "", first_node: str = "node_2.htm",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.first_day, self.last_day = dt.date.fromisoformat(start), dt.date.fromisoformat(end or start)
        self.first_node = first_node

    async def start(self) -> AsyncIterator[scrapy.Request]:
        day = self.first_day
        while day <= self.last_day:
            url = f"{self.base_url}html/{day:%Y-%m}/{day:%d}/{self.first_node}"
            yield scrapy.Request(url, callback=self.parse_page, cb_kwargs={"first": True})
            day += dt.timedelta(days=1)

    def parse_page(self, response: Response, first: bool) -> Iterator[scrapy.Request]:
        if first:
            for href in dict.fromkeys(response.css("a#pageLink::attr(href)").getall()):
                yield response.follow(href, callback=self.parse_page, cb_kwargs={"first": False})
        hrefs = response.css("a[href*='content_']::attr(href), area[href*='content_']::attr(href)").getall()
        for href in dict.fromkeys(hrefs):
            yield response.follow(href, callback=self.parse_article)

    def parse_article(self, response: Response) -> None:
        return None
