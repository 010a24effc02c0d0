"""`scrapy crawl` that rejects bad epaper arguments with one line and exit code 2, before crawling."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.args import resolve
from crawler.profiles import ProfileError

# Close reasons that mean the crawl could not do its job at all: exit code 2.
FATAL_REASONS = {"unknown_layout"}


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl, with the epaper spider's arguments checked up front and fatal ends as exit 2."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        if args[0] == "epaper":
            try:
                resolve(**{k: v for k, v in opts.spargs.items() if k in resolve.__code__.co_varnames})
            except ProfileError as exc:
                print(f"scrapy crawl epaper: error: {exc}", file=sys.stderr)
                self.exitcode = 2
                return
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats.get_value("finish_reason") in FATAL_REASONS:
            self.exitcode = 2
