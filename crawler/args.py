"""Turn `scrapy crawl epaper -a ...` arguments into a checked crawl plan, before anything is fetched."""

from __future__ import annotations

import datetime as dt
import difflib
import inspect
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from crawler.profiles import Profile, ProfileError, load_profile, make_profile

MAX_DAYS = 366 * 30
# since=last goes back at most this many days (an archive whose newest issue is years old would otherwise mean
# thousands of probes on every run), and skips days found without an issue less than RECHECK_DAYS ago.
SINCE_MAX_DAYS = 62
RECHECK_DAYS = 30


@dataclass(frozen=True)
class CrawlPlan:
    """Which paper to crawl and which days (None = the latest issue)."""

    profile: Profile
    days: tuple[dt.date, ...] | None
    start_url: str = ""  # with platform=auto: the URL given, which may be any page of the site
    note: str = ""  # what since=last left out and why (one line), for the crawl to say


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


def _count(value: str | None, name: str, default: int) -> int:
    """A whole-number argument >= 0 (default when not given)."""
    if value is None or value == "":
        return default
    if not str(value).strip().isdigit() or len(str(value).strip()) > 6:
        raise ProfileError(f"invalid {name} {value!r}: expected a whole number of days")
    return int(value)


def recent_no_issue_days(archive_dir: str | None, paper: str, recheck_days: int) -> set[dt.date]:
    """Days the event log records as probed and found without an issue less than recheck_days ago."""
    from crawler.coverage import EventLog

    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=recheck_days)
    found: dict[str, bool] = {}
    for event in EventLog(archive_dir or "data/archive").read(paper):
        date, at = event.get("date") or "", event.get("at") or ""
        try:
            when = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
        except (TypeError, ValueError):
            continue
        if event.get("event") == "no_issue":
            found[date] = when >= cutoff
        elif event.get("event") == "failed_day":  # a later failure means the day is unknown again
            found[date] = False
    days = set()
    for date, recent in found.items():
        try:
            days.update([dt.date.fromisoformat(date)] if recent else [])
        except ValueError:
            continue
    return days


def since_days(since: str, paper: str, archive_dir: str | None, end: str | None, max_days: int = SINCE_MAX_DAYS,
               recheck_days: int = RECHECK_DAYS) -> tuple[tuple[dt.date, ...], str]:
    """Days from the one after `since` (a date, or `last` = the newest archived issue) up to end/today, and a
    note on what was left out. since=last goes back at most max_days (0 = no bound) and leaves out days found
    without an issue less than recheck_days ago (0 = probe them again)."""
    note = []
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
    if since == "last" and max_days and (last - first).days + 1 > max_days:
        bounded = last - dt.timedelta(days=max_days - 1)
        note.append(f"the newest archived issue is {newest}: crawling the last {max_days} days from {bounded} "
                    f"(max_days={max_days}); give start={first} to fill the {(bounded - first).days} days before")
        first = bounded
    days = tuple(first + dt.timedelta(days=i) for i in range(max(0, (last - first).days + 1)))
    if since == "last" and recheck_days and days:
        known = recent_no_issue_days(archive_dir, paper, recheck_days)
        skipped = [day for day in days if day in known]
        if skipped:
            days = tuple(day for day in days if day not in known)
            note.append(f"{len(skipped)} days found without an issue in the last {recheck_days} days are not probed "
                        f"again ({', '.join(day_ranges([d.isoformat() for d in skipped]))}; recheck_days=0 "
                        "probes them)")
    return days, "; ".join(note)


def day_ranges(days: list[str], limit: int = 8) -> list[str]:
    """Dates (YYYY-MM-DD) as runs of consecutive days ('2025-03-01…2025-03-05'), at most limit, then '… N more'."""
    runs: list[list[str]] = []
    for day in sorted(set(days)):
        try:
            follows = bool(runs) and (dt.date.fromisoformat(day) - dt.date.fromisoformat(runs[-1][-1])).days == 1
        except ValueError:  # 'latest' or another label: a run of its own
            follows = False
        if follows:
            runs[-1].append(day)
        else:
            runs.append([day])
    shown = [run[0] if len(run) == 1 else f"{run[0]}…{run[-1]}" for run in runs[:limit]]
    if len(runs) > limit:
        shown.append(f"… {len(runs) - limit} more")
    return shown


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
    max_days: str | None = None,
    recheck_days: str | None = None,
    archive_dir: str | None = None,
) -> CrawlPlan:
    """Check every crawl argument and build the plan (raises ProfileError with a one-line reason).

    max_days, recheck_days: bounds of since=last (see since_days), as given on the command line.
    """
    if since and (date or start):
        raise ProfileError("give since=... or date=/start=..., not both")
    days = None if since else day_range(date, start, end)
    if platform:
        if not base_url:
            raise ProfileError("platform=... needs base_url=... (the e-paper's root URL)")
        profile = make_profile(
            paper or "adhoc", platform=platform, base_url=base_url if platform != "auto" else _site_root(base_url),
            name=name or _profile_name(paper), first_node=first_node or "",
        )
    elif paper:
        profile = load_profile(paper, base_url=base_url or "", first_node=first_node or "", name=name or "")
    else:
        raise ProfileError("say which paper: -a paper=NAME (a profile), or -a platform=... -a base_url=...")
    note = ""
    if since:
        days, note = since_days(since, profile.key, archive_dir, end, _count(max_days, "max_days", SINCE_MAX_DAYS),
                                _count(recheck_days, "recheck_days", RECHECK_DAYS))
    return CrawlPlan(profile=profile, days=days, start_url=base_url or profile.base_url, note=note)


def _profile_name(key: str | None) -> str:
    """The bundled profile's paper name for key ("" if none): records of one paper carry one name, whether it is
    crawled by its profile or by platform=... with the same key."""
    if not key:
        return ""
    try:
        return load_profile(key).name
    except ProfileError:
        return ""


def _site_root(url: str) -> str:
    """The scheme and host of a URL, as the base an auto-detected site is allowed on."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else url


# The spider arguments that make a plan: the spider takes exactly these out of its kwargs.
PLAN_ARGS: tuple[str, ...] = tuple(inspect.signature(resolve).parameters)
# Every spider argument (-a NAME=VALUE); scrapyd adds its own (_job), which start with an underscore.
SPIDER_ARGS: tuple[str, ...] = (*PLAN_ARGS, "revisit")


def check_arg_names(names: list[str] | dict[str, object]) -> None:
    """Refuse spider arguments the spider does not know (ProfileError naming the nearest known one)."""
    for name in names:
        if name in SPIDER_ARGS or name.startswith("_"):
            continue
        near = difflib.get_close_matches(name, SPIDER_ARGS, n=1, cutoff=0.6)
        hint = f"did you mean {near[0]}?" if near else f"known: {', '.join(SPIDER_ARGS)}"
        raise ProfileError(f"unknown spider argument {name!r} ({hint})")
