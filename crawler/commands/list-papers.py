"""`scrapy list-papers`: the bundled paper profiles."""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand

from crawler.profiles import available_profiles, load_profile


class Command(ScrapyCommand):
    """List the bundled paper profiles."""

    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "List the bundled e-paper profiles"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        for key in available_profiles():
            profile = load_profile(key)
            print(f"{key}\t{profile.name}\t{profile.platform}\t{profile.base_url}")
