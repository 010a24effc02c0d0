"""The two record types of the archive. Field names are a contract (see README, "The archive")."""

from __future__ import annotations

import scrapy


class ArticleItem(scrapy.Item):
    """One article (稿件) of one page of one issue."""

    type = scrapy.Field()
    id = scrapy.Field()
    paper = scrapy.Field()
    paper_name = scrapy.Field()
    date = scrapy.Field()
    page_no = scrapy.Field()
    page_name = scrapy.Field()
    position = scrapy.Field()
    pretitle = scrapy.Field()
    title = scrapy.Field()
    subtitle = scrapy.Field()
    author = scrapy.Field()
    byline = scrapy.Field()
    dateline = scrapy.Field()
    kind = scrapy.Field()
    body = scrapy.Field()
    full_body = scrapy.Field()
    jump_to = scrapy.Field()
    jump_from = scrapy.Field()
    continued_on = scrapy.Field()
    continued_from = scrapy.Field()
    images = scrapy.Field()
    url = scrapy.Field()
    page_url = scrapy.Field()
    pdf_url = scrapy.Field()
    fetched_at = scrapy.Field()
    content_hash = scrapy.Field()


class PageItem(scrapy.Item):
    """One page (版面) of one issue, with its articles in reading order."""

    type = scrapy.Field()
    id = scrapy.Field()
    paper = scrapy.Field()
    paper_name = scrapy.Field()
    date = scrapy.Field()
    page_no = scrapy.Field()
    page_name = scrapy.Field()
    url = scrapy.Field()
    pdf_url = scrapy.Field()
    image_url = scrapy.Field()
    guide = scrapy.Field()
    article_ids = scrapy.Field()
    article_urls = scrapy.Field()
    issue_pages = scrapy.Field()
    fetched_at = scrapy.Field()
