"""Drop records that would corrupt the archive, and count them."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.coverage import EventLog
from crawler.profiles import ProfileError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


def problems(record: Mapping[str, Any]) -> list[str]:
    """What is wrong with a record (empty when it may enter the archive)."""
    found = []
    if record.get("type") not in ("article", "page"):
        found.append(f"type {record.get('type')!r}")
    if not _ID.match(record.get("id") or ""):
        found.append(f"id {record.get('id')!r}")
    if not _DATE.match(record.get("date") or ""):
        found.append(f"date {record.get('date')!r}")
    if record.get("type") == "article" and not (record.get("title") or record.get("body")):
        found.append("neither title nor body")
    return found


class ValidatePipeline:
    """Articles need an id, a date and some text; pages an id and a date."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.events = EventLog(crawler.settings.get("ARCHIVE_DIR") or "data/archive")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        found = problems(adapter)  # reads a few fields: no copy of the record
        if found:
            self.stats.inc_value("validate/dropped")
            reason = f"invalid {adapter.get('type')}: {'; '.join(found)}"
            with contextlib.suppress(ProfileError):  # a record without a usable paper key has no log
                self.events.add(adapter.get("paper") or "", "invalid", date=adapter.get("date") or "",
                                url=adapter.get("url") or "", reason=reason)
            raise DropItem(f"{reason}: {adapter.get('url')}")
        return item
