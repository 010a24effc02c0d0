"""`scrapy list-papers`: the bundled paper profiles."""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand

from crawler.__main__ import list_papers


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
        print("\n".join(list_papers(opts.verbose)))
