"""`scrapy crawl` that rejects bad epaper arguments with one line and exit code 2, before crawling."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from crawler.args import resolve
from crawler.profiles import ProfileError


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl, with the epaper spider's arguments checked up front."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args and args[0] == "epaper":
            try:
                resolve(**{k: v for k, v in opts.spargs.items() if k in resolve.__code__.co_varnames})
            except ProfileError as exc:
                print(f"scrapy crawl epaper: error: {exc}", file=sys.stderr)
                self.exitcode = 2
                return
        super().run(args, opts)
