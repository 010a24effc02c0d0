"""Split what the paper printed around an article's text into fields: byline, dateline, jump markers, kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.bylines import classify, normalize_author, split_article_text
from crawler.continuations import strip_jump_markers


def article_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """The derived fields of one normalized article record (pure; the pipeline applies it)."""
    paragraphs = [p for p in (record.get("body") or "").split("\n") if p]
    paragraphs, jump_to, jump_from = strip_jump_markers(paragraphs)
    text = split_article_text(paragraphs)
    body = "\n".join(text.paragraphs)
    site_author = record.get("author") or ""
    return {
        "author": normalize_author(site_author) if site_author else "、".join(text.names),
        "byline": text.byline,
        "dateline": text.dateline,
        "body": body,
        "jump_to": jump_to,
        "jump_from": jump_from,
        "kind": classify(record.get("title") or "", body, record.get("page_name") or ""),
    }


class ArticleFieldsPipeline:
    """Articles leave with byline, dateline and jump markers out of the body, and a kind."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleFieldsPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if adapter.get("type") != "article":
            return item
        fields = article_fields(adapter)  # reads four fields: no copy of the record
        for name, value in fields.items():
            adapter[name] = value
        self.stats.inc_value(f"fields/kind/{fields['kind']}")
        if fields["byline"]:
            self.stats.inc_value("fields/bylines")
        return item
