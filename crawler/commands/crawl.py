"""`scrapy crawl epaper`: arguments and the seen-store checked before anything is fetched; paper=all;
fatal ends exit 2, records that could not be stored exit 1."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.args import PLAN_ARGS, resolve
from crawler.pipelines.archive import STORAGE_ERROR
from crawler.profiles import ProfileError, available_profiles, load_profile
from crawler.seen import DEFAULT_TIMEOUT, SeenStore, SeenStoreError

# Close reasons that mean the crawl could not do its job at all: exit code 2.
FATAL_REASONS = {"unknown_layout"}
# The archive or the seen-store could not be read or written (locked, damaged, disk full): exit code 1.
STORAGE_EXIT = 1


def scheduled_papers() -> list[str]:
    """The profiles `paper=all` crawls: every profile not marked `scheduled = false`."""
    return [key for key in available_profiles() if load_profile(key).scheduled]


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl, with the epaper spider's arguments checked up front and fatal ends as exit 2."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        spargs = dict(opts.spargs)
        runs = [spargs]
        if args[0] == "epaper":
            if spargs.get("paper") == "all" and not spargs.get("platform"):
                runs = [{**spargs, "paper": key} for key in scheduled_papers()]
            try:
                plans = [self._check(run) for run in runs]
            except ProfileError as exc:
                print(f"scrapy crawl epaper: error: {exc}", file=sys.stderr)
                self.exitcode = 2
                return
            for run, plan in zip(list(runs), plans, strict=True):
                if plan.days == ():
                    print(f"scrapy crawl epaper: {plan.profile.key}: nothing new to crawl (the archive is up to date)",
                          file=sys.stderr)
                    runs.remove(run)
            if not runs:
                return
            if not self._seen_store_usable():
                return
        assert self.crawler_process
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
            if crawler.stats.get_value(STORAGE_ERROR):
                paper = getattr(getattr(crawler.spider, "profile", None), "key", args[0])
                print(f"scrapy crawl epaper: error: {paper}: {crawler.stats.get_value(STORAGE_ERROR)}", file=sys.stderr)
                self.exitcode = self.exitcode or STORAGE_EXIT

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
        archive_dir = self.settings.get("ARCHIVE_DIR") if self.settings else None
        return resolve(**{k: v for k, v in spargs.items() if k in PLAN_ARGS and k != "archive_dir"},
                       archive_dir=archive_dir)
