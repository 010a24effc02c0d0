"""Turn `scrapy crawl epaper -a ...` arguments into a checked crawl plan, before anything is fetched."""

from __future__ import annotations

import datetime as dt
import inspect
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from crawler.profiles import Profile, ProfileError, load_profile, make_profile

MAX_DAYS = 366 * 30


@dataclass(frozen=True)
class CrawlPlan:
    """Which paper to crawl and which days (None = the latest issue)."""

    profile: Profile
    days: tuple[dt.date, ...] | None
    start_url: str = ""  # with platform=auto: the URL given, which may be any page of the site


def parse_day(value: str, name: str) -> dt.date:
    """Parse a YYYY-MM-DD argument, naming the argument in the error."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ProfileError(f"invalid {name} {value!r}: expected a date as YYYY-MM-DD") from None


def day_range(date: str | None, start: str | None, end: str | None) -> tuple[dt.date, ...] | None:
    """The days to crawl: one `date`, a `start`..`end` range (inclusive), or None for the latest issue."""
    if date and (start or end):
        raise ProfileError("give either date=... or start=.../end=..., not both")
    if date:
        return (parse_day(date, "date"),)
    if not start and not end:
        return None
    first = parse_day(start, "start") if start else None
    last = parse_day(end, "end") if end else dt.date.today()
    first = first or last
    if last < first:
        raise ProfileError(f"end {last} is before start {first}")
    count = (last - first).days + 1
    if count > MAX_DAYS:
        raise ProfileError(f"{count} days is more than the {MAX_DAYS} one crawl may cover; split the range")
    return tuple(first + dt.timedelta(days=i) for i in range(count))


def since_days(since: str, paper: str, archive_dir: str | None, end: str | None) -> tuple[dt.date, ...]:
    """Days from the one after `since` (a date, or `last` = the newest archived issue) up to end/today."""
    if since == "last":
        folder = Path(archive_dir or "data/archive") / paper
        dates = sorted(p.stem[len(paper) + 1:] for p in folder.glob(f"*/{paper}-*.jsonl"))
        if not dates:
            raise ProfileError(f"since=last: no archived issue of {paper} in {folder.parent}; "
                               "give start=YYYY-MM-DD for the first crawl")
        newest = parse_day(dates[-1], "archived date")
    else:
        newest = parse_day(since, "since")
    first = newest + dt.timedelta(days=1)
    last = parse_day(end, "end") if end else dt.date.today()
    return tuple(first + dt.timedelta(days=i) for i in range(max(0, (last - first).days + 1)))


def resolve(
    paper: str | None = None,
    platform: str | None = None,
    base_url: str | None = None,
    date: str | None = None,
    start: str | None = None,
    end: str | None = None,
    first_node: str | None = None,
    name: str | None = None,
    since: str | None = None,
    archive_dir: str | None = None,
) -> CrawlPlan:
    """Check every crawl argument and build the plan (raises ProfileError with a one-line reason)."""
    if since and (date or start):
        raise ProfileError("give since=... or date=/start=..., not both")
    days = None if since else day_range(date, start, end)
    if platform:
        if not base_url:
            raise ProfileError("platform=... needs base_url=... (the e-paper's root URL)")
        profile = make_profile(
            paper or "adhoc", platform=platform, base_url=base_url if platform != "auto" else _site_root(base_url),
            name=name or "", first_node=first_node or "",
        )
    elif paper:
        profile = load_profile(paper, base_url=base_url or "", first_node=first_node or "", name=name or "")
    else:
        raise ProfileError("say which paper: -a paper=NAME (a profile), or -a platform=... -a base_url=...")
    if since:
        days = since_days(since, profile.key, archive_dir, end)
    return CrawlPlan(profile=profile, days=days, start_url=base_url or profile.base_url)


def _site_root(url: str) -> str:
    """The scheme and host of a URL, as the base an auto-detected site is allowed on."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else url


# The spider arguments that make a plan: the spider takes exactly these out of its kwargs.
PLAN_ARGS: tuple[str, ...] = tuple(inspect.signature(resolve).parameters)
