"""Command line: `python -m indexer build --index DIR [--rebuild] PATH...`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from indexer.errors import EpaperIndexError
from indexer.writer import LOCK_TIMEOUT, build_index

PROG = "python -m indexer"


class _OneLineParser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line on stderr and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the message in one line and exit 2."""
        self.exit(2, f"{PROG}: error: {message}\n")


def make_parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = _OneLineParser(prog=PROG, description="Build the epaper full-text index.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)
    build = commands.add_parser(
        "build", help="index the article records of JSONL files/directories",
        description="Index (or incrementally update) the articles of JSONL archive files; "
                    "directories are searched recursively for *.jsonl.",
    )
    build.add_argument("--index", required=True, type=Path, metavar="DIR", help="index directory")
    build.add_argument("--rebuild", action="store_true", help="start from an empty index")
    build.add_argument("--lock-timeout", type=float, default=LOCK_TIMEOUT, metavar="SECONDS",
                       help=f"how long to wait for another writer (default {LOCK_TIMEOUT:g})")
    build.add_argument("--userdict", type=Path, metavar="FILE", default=os.environ.get("EPAPER_USERDICT") or None,
                       help="jieba user dictionary (`word freq [tag]` lines; default $EPAPER_USERDICT), used "
                            "at index and query time and recorded in the index; changing it needs --rebuild. "
                            "Without it an existing index keeps its dictionary. Starter: indexer/dicts/xihaian.txt")
    build.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="JSONL file or archive directory")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    args = make_parser().parse_args(argv)
    logging.basicConfig(format="%(message)s", level=logging.WARNING, stream=sys.stderr)
    try:
        stats = build_index(args.index, args.paths, rebuild=args.rebuild, lock_timeout=args.lock_timeout,
                            userdict=args.userdict)
    except (EpaperIndexError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    print(stats.summary(args.index))
    return 0


if __name__ == "__main__":
    sys.exit(main())
