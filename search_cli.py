"""Search the epaper index from the command line: `python search_cli.py QUERY [options]`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date

PROG = "search_cli.py"
DEFAULT_INDEX = "data/index"

QUERY_HELP = """\
query language:
  高质量发展              plain word: articles containing it literally come first, then
                          articles containing all its jieba words (高质量 … 发展) anywhere
  "新区工委"              quoted phrase: exactly the articles containing this string
                          (in pretitle, title, subtitle or body; whitespace/case ignored)
  新区 项目               space = AND (AND may also be written)
  新区 OR 胶州            either one
  新区 NOT 广告           exclusion; -广告 works too; a query of only exclusions
                          means "everything except"
  (新区 OR 胶州) 港口     parentheses group
  title:港口  body:"人民共和"  pretitle:  subtitle:
                          limit a word or phrase to one field
  author:丁霞             author contains the string
  paper:xihaian           paper key (or exact paper name)
  page:1  page:A03  page:要闻
                          page number (1 = 01) or page name
  Operators are uppercase AND/OR/NOT; only ASCII letters followed by ':' are fields
  (a full-width '：' is ordinary text). Put `--` before a query that starts with '-':
  search_cli.py -- "-广告"

examples:
  search_cli.py 高质量发展 --from 2025-01-01 --paper xihaian
  search_cli.py '"资源延伸·网点办" OR title:氢能' --format jsonl --all

The index directory defaults to $EPAPER_INDEX or data/index; build it with
  python -m indexer build --index data/index ARCHIVE_DIR
"""


class _OneLineParser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the message in one line and exit 2."""
        self.exit(2, f"{PROG}: error: {message}\n")


def _date(value: str) -> str:
    """Argparse type: a YYYY-MM-DD date."""
    try:
        if len(value) != 10:
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {value!r}: use YYYY-MM-DD") from None
    return value


def _positive(value: str) -> int:
    """Argparse type: an integer >= 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"invalid number {value!r}: use a whole number >= 1")
    return number


def make_parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = _OneLineParser(
        prog=PROG,
        description="Full-text search over the e-newspaper index.",
        epilog=QUERY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("query", metavar="QUERY", help="the query (see query language below)")
    parser.add_argument("--index", default=os.environ.get("EPAPER_INDEX") or DEFAULT_INDEX, metavar="DIR",
                        help="index directory (default: $EPAPER_INDEX or data/index)")
    amount = parser.add_mutually_exclusive_group()
    amount.add_argument("--limit", type=_positive, default=20, metavar="N", help="show N hits (default 20)")
    amount.add_argument("--all", action="store_true", help="show every hit")
    parser.add_argument("--from", dest="date_from", type=_date, metavar="YYYY-MM-DD", help="earliest date")
    parser.add_argument("--to", dest="date_to", type=_date, metavar="YYYY-MM-DD", help="latest date")
    parser.add_argument("--paper", metavar="NAME", help="only this paper (key such as xihaian, or its name)")
    parser.add_argument("--format", choices=("table", "jsonl"), default="table", help="output format")
    return parser


def _title_cell(hit: dict):
    """Return the title cell: pretitle and subtitle dim around the title."""
    from rich.text import Text

    cell = Text()
    for name, style in (("pretitle", "dim"), ("title", ""), ("subtitle", "dim")):
        if hit[name]:
            if cell:
                cell.append("\n")
            cell.append(hit[name], style=style)
    return cell


def _snippet_cell(hit: dict):
    """Return the snippet cell with every highlight in bold red."""
    from rich.text import Text

    # one char for one char, so the highlight offsets still fit
    cell = Text(hit["snippet"].replace("\n", "¶"))
    for start, end in hit["highlights"]:
        cell.stylize("bold red", start, end)
    return cell


def print_table(hits: list[dict]) -> None:
    """Print hits as a rich table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=True)
    for column, ratio in (("date", None), ("paper", 1), ("page", None), ("title", 2), ("snippet", 4)):
        table.add_column(column, no_wrap=column in ("date", "page"), overflow="fold", ratio=ratio)
    for hit in hits:
        page = f"{hit['page_no']} {hit['page_name']}".strip()
        table.add_row(hit["date"], hit["paper_name"] or hit["paper"], page, _title_cell(hit), _snippet_cell(hit))
    # a pipe or file gets a readable width, not the 80 columns rich assumes without a terminal
    width = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS") or 160)
    Console(width=width).print(table)


def print_jsonl(hits: list[dict]) -> None:
    """Print one JSON object per hit."""
    for hit in hits:
        print(json.dumps(hit, ensure_ascii=False))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.date_from and args.date_to and args.date_from > args.date_to:
        parser.error(f"--from {args.date_from} is after --to {args.date_to}")
    from indexer.errors import EpaperIndexError
    from indexer.search import search

    try:
        result = search(args.index, args.query, paper=args.paper, date_from=args.date_from,
                        date_to=args.date_to, limit=None if args.all else args.limit)
    except EpaperIndexError as exc:
        parser.error(str(exc))
    if args.format == "jsonl":
        print_jsonl(result.hits)
        return 0
    if result.hits:
        print_table(result.hits)
    print(f"{result.total} hits (showing {len(result.hits)}) in {result.elapsed * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
