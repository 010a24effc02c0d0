"""Normalize text fields and fill absent ones, then fingerprint the content."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter

from crawler.text import normalize_body, normalize_inline

INLINE_FIELDS = ("paper_name", "page_no", "page_name", "pretitle", "title", "subtitle", "author")
URL_FIELDS = ("url", "page_url", "pdf_url", "image_url")
HASHED_FIELDS = ("pretitle", "title", "subtitle", "author", "body", "images")


def content_hash(record: Mapping[str, Any]) -> str:
    """A fingerprint of what a reader sees in an article (not of when or from which host it was fetched)."""
    fields = {k: record.get(k, "") for k in HASHED_FIELDS}
    fields["images"] = [[urlsplit(i.get("url", "")).path, i.get("caption", "")] for i in fields["images"] or []]
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True)
    return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


class NormalizePipeline:
    """Every text field a clean string ('' when absent, never None); articles get a content_hash."""

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        names = adapter.field_names()
        for name in INLINE_FIELDS + URL_FIELDS:
            if name in names:
                value = adapter.get(name)
                clean = normalize_inline(value or "")
                if clean is not value:  # normalize_inline returns clean text itself: most fields need no write
                    adapter[name] = clean
        if adapter.get("type") == "article":
            adapter["body"] = normalize_body(adapter.get("body") or "")
            adapter["images"] = [
                {"url": (img.get("url") or "").strip(), "caption": normalize_inline(img.get("caption") or "")}
                for img in adapter.get("images") or []
            ]
            adapter["content_hash"] = content_hash(adapter)  # reads six fields: no copy of the record
        return item
