"""Command line: `python -m indexer build [--index DIR | --backend opensearch --url URL] [--rebuild] [PATH...]` and
`python -m indexer check`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from epaper.argparsing import Parser
from epaper.config import ConfigError, default_archive, default_index
from epaper.progress import Progress
from indexer.backends import add_arguments as add_backend_arguments
from indexer.build.writer import LOCK_TIMEOUT, build_index
from indexer.errors import EpaperIndexError

PROG = "python -m indexer"
INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


def make_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = Parser(prog=prog, description="Build and check the epaper full-text index.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    build = commands.add_parser(
        "build", help="index the article records of JSONL files/directories",
        description="Index (or incrementally update) the articles of JSONL archive files; "
                    "directories are searched recursively for *.jsonl.",
    )
    build.add_argument("--index", type=Path, metavar="DIR",
                       help="index directory (default: $EPAPER_INDEX, the config file's `index`, or data/index)")
    add_backend_arguments(build)
    build.add_argument("--shards", type=_count, default=1, metavar="N",
                       help="OpenSearch: primary shards of a new index (default 1)")
    build.add_argument("--replicas", type=_count, default=0, metavar="N",
                       help="OpenSearch: replicas of each shard of a new index (default 0)")
    build.add_argument("--rebuild", action="store_true", help="start from an empty index")
    build.add_argument("--lock-timeout", type=float, default=LOCK_TIMEOUT, metavar="SECONDS",
                       help=f"how long to wait for another writer (default {LOCK_TIMEOUT:g}; 0: fail at once)")
    build.add_argument("--userdict", type=Path, metavar="FILE", default=os.environ.get("EPAPER_USERDICT") or None,
                       help="jieba user dictionary (`word freq [tag]` lines, UTF-8 or GB18030; default "
                            "$EPAPER_USERDICT), used at index and query time and recorded in the index; changing it "
                            "needs --rebuild. Without it an existing index keeps its dictionary. "
                            "Starter: indexer/dicts/xihaian.txt")
    build.add_argument("--progress", choices=("auto", "bar", "lines", "off"), default="auto",
                       help="progress on stderr: a bar on a terminal, else a line every $EPAPER_PROGRESS_INTERVAL "
                            "(10) seconds (default auto)")
    build.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                       help="JSONL file or archive directory (default: $EPAPER_ARCHIVE, the config file's "
                            "`archive`, or data/archive)")
    check = commands.add_parser(
        "check", help="verify the index's files (and, with --archive, its articles); --repair fixes",
        description="Verify segments, sidecars, near-duplicate signatures and clusters, page records and metadata "
                    "against the checksums recorded at commit and against each other; with --archive, that every "
                    "archived article is indexed exactly once and nothing else is. One line per problem. "
                    "Exit 0 healthy, 1 problems found (after --repair: problems left), 2 bad usage.",
    )
    check.add_argument("--index", type=Path, metavar="DIR",
                       help="index directory (default: $EPAPER_INDEX, the config file's `index`, or data/index)")
    check.add_argument("--archive", type=Path, metavar="DIR", help="the archive the index was built from")
    check.add_argument("--repair", action="store_true",
                       help="recompute what can be recomputed (with --archive: also index missing or changed "
                            "articles and restore the page records); say what needs build --rebuild")
    check.add_argument("--lock-timeout", type=float, default=LOCK_TIMEOUT, metavar="SECONDS",
                       help=f"with --repair: how long to wait for another writer (default {LOCK_TIMEOUT:g})")
    return parser


def _count(value: str) -> int:
    """Argparse type: a whole number >= 0."""
    if not (value.isascii() and value.isdigit() and len(value) < 6):
        raise argparse.ArgumentTypeError(f"invalid number {value!r}: use a whole number >= 0")
    return int(value)


def _check(args: argparse.Namespace) -> int:
    """Run `check`; return the exit status."""
    from indexer.build.check import check_index, repair

    if args.repair:
        report = repair(args.index, args.archive, lock_timeout=args.lock_timeout)
        if report.repaired is not None:
            print(f"repaired: {report.repaired.summary(args.index)}")
    else:
        report = check_index(args.index, args.archive)
    for line in report.lines():
        print(line)
    return 0 if report.healthy else 1


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    """Run the CLI; return the exit status."""
    try:
        parser = make_parser(prog)
    except ConfigError as exc:
        print(f"{prog}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(message)s", level=logging.WARNING, stream=sys.stderr)
    progress = None
    try:
        args.index = args.index or Path(default_index())
        if args.command == "check":
            return _check(args)
        args.paths = args.paths or [Path(default_archive())]
        progress = Progress(f"{prog} build", mode="" if args.progress == "auto" else args.progress)
        if args.backend == "opensearch":
            from indexer.backends.opensearch import build_cli

            summary = build_cli(args, progress.update)
        else:
            summary = build_index(args.index, args.paths, rebuild=args.rebuild, lock_timeout=args.lock_timeout,
                                  userdict=args.userdict, progress=progress.update).summary(args.index)
    except (EpaperIndexError, OSError, ConfigError) as exc:
        if progress is not None:
            progress.close()
        print(f"{prog}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if progress is not None:
            progress.close()
        print(f"{prog}: interrupted; the index keeps its last committed state (run the build again)",
              file=sys.stderr)
        return INTERRUPTED
    progress.close()
    print(summary)
    return 0


def _one_line(exc: BaseException) -> str:
    """An error as one line (an OSError with its file name, no traceback)."""
    if isinstance(exc, OSError) and exc.filename and str(exc.filename) not in str(exc):
        return f"{exc.strerror or exc}: {exc.filename}"
    return " ".join(str(exc).split())


if __name__ == "__main__":
    sys.exit(main())
