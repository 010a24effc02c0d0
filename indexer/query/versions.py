"""Earlier versions of a revised article (kept by the archive's merge) as text and unified diffs."""

from __future__ import annotations

import difflib

# The fields a version is compared on, in reading order.
VERSION_FIELDS = ("pretitle", "title", "subtitle", "byline", "dateline", "body")


def version_text(record: dict) -> list[str]:
    """A record's visible text as lines: each non-empty heading field, then the body's paragraphs."""
    lines = [f"{name}: {record[name]}" for name in VERSION_FIELDS[:-1] if record.get(name)]
    return lines + (record.get("body") or "").split("\n")


def version_report(article: dict) -> list[str]:
    """Lines showing each earlier version (oldest first) and a unified diff from it to the next one.

    article: an archive record, its earlier versions in `versions` ([{fetched_at, content_hash, title,
    body, …}], as crawler.archive.merge_day keeps them). A record revised before versions were kept
    has only hashes in `revisions`: the report says their text was not kept.
    """
    versions = list(article.get("versions") or [])
    if not versions:
        hashes = article.get("revisions") or []
        if hashes:
            return [f"{len(hashes)} earlier version(s) ({', '.join(hashes)}) were archived before earlier text "
                    f"was kept: only their hashes are known"]
        return ["no earlier versions: the article was not revised since it was first archived"]
    chain = [*versions, article]
    lines: list[str] = []
    for number, (before, after) in enumerate(zip(chain, chain[1:], strict=False), 1):
        lines += [f"=== version {number} of {len(chain)}, fetched {before.get('fetched_at') or '?'} "
                  f"({before.get('content_hash') or 'no hash'})", *version_text(before), ""]
        label = "current version" if after is article else f"version {number + 1}"
        lines += difflib.unified_diff(version_text(before), version_text(after), lineterm="",
                                      fromfile=f"version {number} ({before.get('fetched_at') or '?'})",
                                      tofile=f"{label} ({after.get('fetched_at') or '?'})")
        lines.append("")
    return lines[:-1]
