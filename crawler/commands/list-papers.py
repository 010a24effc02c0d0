"""`scrapy list-papers`: the bundled paper profiles."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import ScrapyCommand

from crawler.__main__ import list_papers
from crawler.profiles import ProfileError


class Command(ScrapyCommand):
    """List the bundled paper profiles."""

    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "List the bundled e-paper profiles (-v: where each URL scheme comes from)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-v", "--verbose", action="store_true", help="also show each profile's source")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            lines = list_papers(opts.verbose)
        except ProfileError as exc:  # a broken profile in $EPAPER_PROFILES: one line, as the crawl says it
            print(f"scrapy list-papers: error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        print("\n".join(lines))
