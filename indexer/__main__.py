"""Command line: `python -m indexer build [--index DIR] [--rebuild] [PATH...]`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from epaper.argparsing import Parser
from epaper.config import ConfigError, default_archive, default_index
from epaper.progress import Progress
from indexer.errors import EpaperIndexError
from indexer.writer import LOCK_TIMEOUT, build_index

PROG = "python -m indexer"
INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


def make_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = Parser(prog=prog, description="Build the epaper full-text index.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    build = commands.add_parser(
        "build", help="index the article records of JSONL files/directories",
        description="Index (or incrementally update) the articles of JSONL archive files; "
                    "directories are searched recursively for *.jsonl.",
    )
    build.add_argument("--index", type=Path, metavar="DIR",
                       help="index directory (default: $EPAPER_INDEX, the config file's `index`, or data/index)")
    build.add_argument("--rebuild", action="store_true", help="start from an empty index")
    build.add_argument("--lock-timeout", type=float, default=LOCK_TIMEOUT, metavar="SECONDS",
                       help=f"how long to wait for another writer (default {LOCK_TIMEOUT:g})")
    build.add_argument("--userdict", type=Path, metavar="FILE", default=os.environ.get("EPAPER_USERDICT") or None,
                       help="jieba user dictionary (`word freq [tag]` lines; default $EPAPER_USERDICT), used "
                            "at index and query time and recorded in the index; changing it needs --rebuild. "
                            "Without it an existing index keeps its dictionary. Starter: indexer/dicts/xihaian.txt")
    build.add_argument("--progress", choices=("auto", "bar", "lines", "off"), default="auto",
                       help="progress on stderr: a bar on a terminal, else a line every $EPAPER_PROGRESS_INTERVAL "
                            "(10) seconds (default auto)")
    build.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                       help="JSONL file or archive directory (default: $EPAPER_ARCHIVE, the config file's "
                            "`archive`, or data/archive)")
    return parser


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    """Run the CLI; return the exit status."""
    args = make_parser(prog).parse_args(argv)
    logging.basicConfig(format="%(message)s", level=logging.WARNING, stream=sys.stderr)
    progress = Progress(f"{prog} build", mode="" if args.progress == "auto" else args.progress)
    try:
        args.index = args.index or Path(default_index())
        args.paths = args.paths or [Path(default_archive())]
        stats = build_index(args.index, args.paths, rebuild=args.rebuild, lock_timeout=args.lock_timeout,
                            userdict=args.userdict, progress=progress.update)
    except (EpaperIndexError, OSError, ConfigError) as exc:
        progress.close()
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        progress.close()
        print(f"{prog}: interrupted; the index keeps its last committed state (run the build again)",
              file=sys.stderr)
        return INTERRUPTED
    progress.close()
    print(stats.summary(args.index))
    return 0


if __name__ == "__main__":
    sys.exit(main())
