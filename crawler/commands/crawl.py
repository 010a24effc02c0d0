"""`scrapy crawl epaper`: arguments and the seen-store checked before anything is fetched; paper=all; the
summary printed last; an exit status cron can use (EXIT_CODES)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.args import PLAN_ARGS, check_arg_names, resolve
from crawler.pipelines.archive import STORAGE_ERROR
from crawler.profiles import ProfileError, available_profiles, load_profile
from crawler.seen import DEFAULT_TIMEOUT, SeenStore, SeenStoreError
from crawler.summary import problems
from epaper.argparsing import unknown_options
from epaper.config import ConfigError, default_archive

# Close reasons that mean the crawl could not do its job at all: exit code 2.
FATAL_REASONS = {"unknown_layout"}
# The archive or the seen-store could not be read or written (locked, damaged, disk full): exit code 1.
STORAGE_EXIT = 1
INCOMPLETE_EXIT = 3  # some days or URLs failed for good (or a parse error), or the crawl closed early
WARN_EXIT = 4  # everything planned was fetched, but the health line is `WARN` (something looks incomplete)
INTERRUPTED_EXIT = 130  # stopped by Ctrl-C / SIGINT / SIGTERM before it was done (128 + SIGINT)


def scheduled_papers() -> list[str]:
    """The profiles `paper=all` crawls: every profile not marked `scheduled = false`."""
    return [key for key in available_profiles() if load_profile(key).scheduled]


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl, with the epaper spider's arguments checked up front and fatal ends as exit 2."""

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        self._options = list(parser._option_string_actions)  # for "did you mean" on a mistyped flag

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        flags = [arg for arg in args if arg.startswith("-") and arg != "-"]
        if flags:  # Scrapy parses known options only: a mistyped one would end up as a spider name
            print(f"scrapy crawl: error: {unknown_options(flags, getattr(self, '_options', []))}", file=sys.stderr)
            sys.exit(2)
        super().process_options(args, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        spargs = dict(opts.spargs)
        runs = [spargs]
        if args[0] == "epaper":
            if spargs.get("paper") == "all" and not spargs.get("platform"):
                runs = [{**spargs, "paper": key} for key in scheduled_papers()]
            try:
                self._check_archive_setting()
                plans = [self._check(run) for run in runs]
            except (ProfileError, ConfigError) as exc:
                print(f"scrapy crawl epaper: error: {exc}", file=sys.stderr)
                self.exitcode = 2
                return
            for run, plan in zip(list(runs), plans, strict=True):
                if plan.note:
                    print(f"scrapy crawl epaper: {plan.profile.key}: since=last: {plan.note}", file=sys.stderr)
                if plan.days == ():
                    print(f"scrapy crawl epaper: {plan.profile.key}: nothing new to crawl (the archive is up to date)",
                          file=sys.stderr)
                    runs.remove(run)
            if not runs:
                return
            if not self._seen_store_usable():
                return
        assert self.crawler_process
        if args[0] == "epaper" and self.settings is not None:
            self.settings.set("EPAPER_SUMMARY_DEFERRED", True, priority="cmdline")
        crawlers = []
        jobdir = self.settings.get("JOBDIR") if self.settings else None
        for run in runs:
            crawler = self._create_crawler(args[0])
            if jobdir and len(runs) > 1:  # one JOBDIR per paper: crawlers sharing one would share its queue files
                # above "cmdline": crawl() merges the process settings into the crawler's at equal priority
                crawler.settings.set("JOBDIR", str(Path(jobdir) / run["paper"]), priority=50)
            self.crawler_process.crawl(crawler, **run)
            crawlers.append(crawler)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif any(c.stats.get_value("finish_reason") in FATAL_REASONS for c in crawlers):
            self.exitcode = 2
        for crawler in crawlers:
            lines = getattr(crawler.spider, "summary_lines", None)
            if lines:
                print("\n".join(lines), file=sys.stderr, flush=True)
        for crawler in crawlers:
            if crawler.stats.get_value(STORAGE_ERROR):
                paper = getattr(getattr(crawler.spider, "profile", None), "key", args[0])
                print(f"scrapy crawl epaper: error: {paper}: {crawler.stats.get_value(STORAGE_ERROR)}", file=sys.stderr)
                self.exitcode = self.exitcode or STORAGE_EXIT
        if args[0] == "epaper" and not self.exitcode:
            self.exitcode = self._completion_status(crawlers)

    @staticmethod
    def _completion_status(crawlers: list) -> int:
        """130 if a crawl was stopped before it was done, 3 if one is incomplete (failed days, URLs or parse
        errors, or closed early for another reason), 4 if one's health line warns, else 0."""
        reasons = [crawler.stats.get_value("finish_reason") for crawler in crawlers]
        if any(reason in ("shutdown", None) for reason in reasons):
            return INTERRUPTED_EXIT
        found = [problems(crawler.spider, crawler.stats.get_stats()) for crawler in crawlers
                 if hasattr(crawler.spider, "profile")]
        if any(reason != "finished" for reason in reasons) or any(
                kinds.get("failed") or kinds.get("parse errors") for kinds in found):
            return INCOMPLETE_EXIT
        return WARN_EXIT if any(found) else 0

    def _check_archive_setting(self) -> None:
        """A broken config file is an error unless the archive folder is given on the command line (the settings
        module read it leniently: crawler/settings.py)."""
        if self.settings is not None and (self.settings.getpriority("ARCHIVE_DIR") or 0) < 40:  # below cmdline
            default_archive()

    def _seen_store_usable(self) -> bool:
        """Open (make), check and lock the seen-store once before fetching; else one line and exit 1.

        In an archive folder that does not exist yet, the spider makes it when it needs it (a crawl that
        fetches nothing creates nothing).
        """
        archive_dir = (self.settings.get("ARCHIVE_DIR") if self.settings else None) or "data/archive"
        timeout = self.settings.getfloat("SEEN_TIMEOUT", DEFAULT_TIMEOUT) if self.settings else DEFAULT_TIMEOUT
        if not Path(archive_dir).is_dir():
            return True
        try:
            SeenStore.check(Path(archive_dir), timeout)
        except SeenStoreError as exc:
            print(f"scrapy crawl epaper: error: {exc}; nothing was crawled", file=sys.stderr)
            self.exitcode = STORAGE_EXIT
            return False
        return True

    def _check(self, spargs: dict[str, str]):
        """The crawl plan of one run's arguments (raises ProfileError)."""
        check_arg_names(spargs)
        archive_dir = self.settings.get("ARCHIVE_DIR") if self.settings else None
        return resolve(**{k: v for k, v in spargs.items() if k in PLAN_ARGS and k != "archive_dir"},
                       archive_dir=archive_dir)
