"""Search the epaper index from the command line: `python search_cli.py QUERY [options]`.

Subcommands (the first argument): show, count, stats, saved, run; anything else is a query.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date

PROG = "search_cli.py"
DEFAULT_INDEX = "data/index"
SUBCOMMANDS = ("show", "count", "stats", "saved", "run")
# Archive record fields, in contract order: the CSV columns.
RECORD_FIELDS = ("id", "type", "kind", "paper", "paper_name", "date", "page_no", "page_name", "position",
                 "pretitle", "title", "subtitle", "author", "byline", "dateline", "body", "full_body",
                 "continued_on", "continued_from", "images", "url", "page_url", "pdf_url", "fetched_at",
                 "content_hash")
KWIC_FIELDS = ("id", "date", "paper", "paper_name", "title", "field", "left", "match", "right")
# Options a saved search keeps (dest names).
SAVED_OPTIONS = ("date_from", "date_to", "year", "month", "paper", "sort", "collapse")
# Options whose value is a file name (any bytes are fine there); every other argument must be text.
PATH_OPTIONS = ("--index", "--plot", "--userdict")
# C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates: crawled text shown on
# a terminal must not move the cursor, retitle the window or reorder the line. Lone surrogates (a file name's
# undecodable bytes) cannot be printed at all. One character for one, so highlight offsets still fit.
_CONTROLS = dict.fromkeys([*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F),
                           *range(0x2066, 0x206A), *range(0xD800, 0xE000)], "\ufffd")

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
  title:港口  body:"人民共和"  pretitle:攻坚  subtitle:"智慧港口"
                          limit a word or phrase to one field
  author:丁霞             author contains the string
  paper:xihaian           paper key (or exact paper name, paper:西海岸新闻)
  page:1  page:A03  page:要闻
                          page number (1 = 01) or page name
  董家口 W/10 项目        proximity, any order: an occurrence of each, in the same field, at
  "董家口 项目"~10        most 10 characters apart. "Apart" = the number of non-whitespace
                          characters between the end of one and the start of the other
                          (0 = adjacent, e.g. 董家口项目; overlapping matches do not count).
  董家口 PRE/10 项目      the same, but 董家口 must come first
                          Both sides are matched literally (like quoted phrases); W/ and PRE/
                          join exactly two terms and bind tighter than AND/OR/NOT.
  氢能*                   prefix: 氢能 followed by at least one more letter, digit or CJK
                          character (氢能产业, 氢能大厦; not 氢能 at the end of a sentence
                          or before punctuation). '*' is allowed only at the end of a term.
  臺灣 = 台湾             traditional and simplified characters match each other everywhere
                          (OpenCC t2s, one character at a time)
  Operators are uppercase AND/OR/NOT/W/n/PRE/n; only ASCII letters followed by ':' are fields
  (a full-width '：' is ordinary text). Put `--` before a query that starts with '-':
  search_cli.py -- "-广告"

subcommands (must be the first argument):
  show ID                 the whole article: fields, continuation parts, full text, URL, PDF
  count QUERY --by day|week|month|year|paper|page [--plot out.png]
                          matching articles and literal occurrences per bucket (empty buckets
                          are 0), as a table with a bar chart; --plot also writes a PNG
  stats                   papers, date span, articles, pages, days without articles
  saved                   list the searches stored with --save NAME
  run NAME                run a saved search (more options may follow)
  To search for a word that is a subcommand name, write `search` first or use `--`:
  search_cli.py search stats      search_cli.py -- stats

examples:
  search_cli.py 高质量发展 --from 2025-01-01 --paper xihaian
  search_cli.py '"资源延伸·网点办" OR title:氢能' --format jsonl --all
  search_cli.py 董家口 --year 2025 --sort -date --limit 10 --page 2
  search_cli.py '"新区工委"' --kwic --width 15
  search_cli.py count 氢能* --by month --from 2025-01-01 --to 2025-12-31 --plot hydrogen.png
  search_cli.py 营商环境 --month 2025-03 --collapse --save yingshang && search_cli.py run yingshang

The index directory defaults to $EPAPER_INDEX or data/index; build it with
  python -m indexer build --index data/index [--userdict indexer/dicts/xihaian.txt] ARCHIVE_DIR
"""


class _OneLineParser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the message in one line and exit 2."""
        self.exit(2, f"{PROG}: error: {message}\n")


def clean(value: object) -> str:
    """Text for a terminal: control characters replaced by U+FFFD (one for one)."""
    return str(value).translate(_CONTROLS)


def plain(value: object):
    """A rich Text of value, cleaned: crawled text is never read as rich markup ("[/x]" is text)."""
    from rich.text import Text

    return Text(clean(value))


def fail(message: str) -> None:
    """Print one error line and exit 2."""
    sys.stderr.write(f"{PROG}: error: {message}\n")
    sys.exit(2)


def _date(value: str) -> str:
    """Argparse type: a YYYY-MM-DD date."""
    try:
        if len(value) != 10:
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {value!r}: use YYYY-MM-DD") from None
    return value


def _year(value: str) -> str:
    """Argparse type: a four-digit year."""
    if len(value) != 4 or not value.isdigit():
        raise argparse.ArgumentTypeError(f"invalid year {value!r}: use YYYY, e.g. 2025")
    return value


def _month(value: str) -> str:
    """Argparse type: YYYY-MM."""
    try:
        if len(value) != 7:
            raise ValueError
        date.fromisoformat(value + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid month {value!r}: use YYYY-MM, e.g. 2025-03") from None
    return value


def _positive(value: str) -> int:
    """Argparse type: an integer >= 1 (at most 18 digits)."""
    try:
        number = int(value) if len(value.strip()) <= 18 else 0
    except ValueError:
        number = 0
    if number < 1:
        shown = value if len(value) <= 20 else value[:20] + "…"
        raise argparse.ArgumentTypeError(f"invalid number {shown!r}: use a whole number >= 1")
    return number


def _add_common(parser: argparse.ArgumentParser) -> None:
    """--index and --userdict (and --backend / --url: indexer.backends)."""
    from indexer.backends import add_arguments

    add_arguments(parser)
    parser.add_argument("--index", default=os.environ.get("EPAPER_INDEX") or DEFAULT_INDEX, metavar="DIR",
                        help="index directory (default: $EPAPER_INDEX or data/index)")
    parser.add_argument("--userdict", default=os.environ.get("EPAPER_USERDICT") or None, metavar="FILE",
                        help="user dictionary you expect the index to use (default $EPAPER_USERDICT); queries "
                             "always use the one the index was built with, and a different one is reported")


def _add_filters(parser: argparse.ArgumentParser) -> None:
    """Date and paper filters."""
    parser.add_argument("--from", dest="date_from", type=_date, metavar="YYYY-MM-DD", help="earliest date")
    parser.add_argument("--to", dest="date_to", type=_date, metavar="YYYY-MM-DD", help="latest date")
    period = parser.add_mutually_exclusive_group()
    period.add_argument("--year", type=_year, metavar="YYYY", help="only this year (instead of --from/--to)")
    period.add_argument("--month", type=_month, metavar="YYYY-MM", help="only this month (instead of --from/--to)")
    parser.add_argument("--paper", metavar="NAME", help="only this paper (key such as xihaian, or its name)")


def make_parser() -> argparse.ArgumentParser:
    """Return the argument parser of a search."""
    parser = _OneLineParser(
        prog=PROG,
        usage=f"{PROG} [search] QUERY [options]  |  {PROG} {{show,count,stats,saved,run}} ...",
        description="Full-text search over the e-newspaper index.",
        epilog=QUERY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("query", metavar="QUERY", help="the query (see query language below)")
    _add_common(parser)
    amount = parser.add_mutually_exclusive_group()
    amount.add_argument("--limit", type=_positive, default=20, metavar="N", help="show N hits (default 20)")
    amount.add_argument("--all", action="store_true", help="show every hit")
    parser.add_argument("--page", type=_positive, default=1, metavar="N",
                        help="show the N-th page of --limit hits (default 1)")
    _add_filters(parser)
    parser.add_argument("--sort", choices=("relevance", "date", "-date"), default="relevance",
                        help="relevance (default: literal matches first, then BM25), date (oldest first) "
                             "or -date (newest first)")
    parser.add_argument("--format", choices=("table", "jsonl", "json", "csv"), default="table",
                        help="output format (csv: UTF-8 with BOM, every archive record field)")
    parser.add_argument("--full", action="store_true", help="include body and full_body in csv/json/jsonl output")
    parser.add_argument("--kwic", action="store_true", help="keyword in context: one line per occurrence")
    parser.add_argument("--width", type=_positive, default=20, metavar="N",
                        help="KWIC context characters on each side (default 20)")
    parser.add_argument("--collapse", action="store_true",
                        help="one hit per near-duplicate cluster, with the number of copies")
    parser.add_argument("--save", metavar="NAME", help="also save the query and its filters under NAME")
    return parser


def _sub_parser(name: str, description: str) -> argparse.ArgumentParser:
    """Return a parser for one subcommand."""
    return _OneLineParser(prog=f"{PROG} {name}", description=description)


def resolve_dates(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """Return (from, to) from --from/--to or --year/--month; exit 2 on conflicts."""
    if (args.year or args.month) and (args.date_from or args.date_to):
        fail(f"{'--year' if args.year else '--month'} cannot be combined with --from/--to")
    if args.year or args.month:
        from indexer.search import period_range

        return period_range(year=args.year, month=args.month)
    if args.date_from and args.date_to and args.date_from > args.date_to:
        fail(f"--from {args.date_from} is after --to {args.date_to}")
    return args.date_from, args.date_to


def check_userdict(args: argparse.Namespace) -> None:
    """Warn in one line if --userdict/$EPAPER_USERDICT differs from the index's dictionary."""
    if not args.userdict or args.backend == "opensearch":
        return
    from pathlib import Path

    from indexer.analyzers import read_userdict
    from indexer.schema import index_exists, index_userdict

    wanted = read_userdict(args.userdict)
    if not index_exists(Path(args.index)):
        return
    built = index_userdict(Path(args.index))
    if (built.digest if built else "") != (wanted.digest if wanted.entries else ""):
        what = f"user dictionary {built.source}" if built else "no user dictionary"
        sys.stderr.write(f"{PROG}: warning: index {args.index} was built with {what}, not {args.userdict}; "
                         f"queries use the index's; rebuild with `python -m indexer build --rebuild "
                         f"--userdict {args.userdict} --index {args.index} ARCHIVE_DIR`\n")


# ---------------------------------------------------------------- output


def _console():
    """A rich console: a pipe or file gets a readable width, not the 80 columns rich assumes."""
    from rich.console import Console

    columns = os.environ.get("COLUMNS", "")
    width = None if sys.stdout.isatty() else int(columns) if columns.isdigit() and 0 < len(columns) < 6 else 160
    return Console(width=width)


def _title_cell(hit: dict):
    """Return the title cell: pretitle and subtitle dim around the title."""
    from rich.text import Text

    cell = Text()
    for name, style in (("pretitle", "dim"), ("title", ""), ("subtitle", "dim")):
        if hit[name]:
            if cell:
                cell.append("\n")
            cell.append(clean(hit[name]), style=style)
    if hit.get("copies", 1) > 1:
        cell.append(f"\n(+{hit['copies'] - 1} near-duplicate copies)", style="italic")
    return cell


def _snippet_cell(hit: dict):
    """Return the snippet cell with every highlight in bold red."""
    from rich.text import Text

    # one char for one char, so the highlight offsets still fit
    cell = Text(clean(hit["snippet"].replace("\n", "¶")))
    for start, end in hit["highlights"]:
        cell.stylize("bold red", start, end)
    return cell


def print_table(hits: list[dict]) -> None:
    """Print hits as a rich table."""
    from rich.table import Table

    table = Table(show_lines=True)
    for column, ratio in (("date", None), ("paper", 1), ("page", None), ("title", 2), ("snippet", 4)):
        table.add_column(column, no_wrap=column in ("date", "page"), overflow="fold", ratio=ratio)
    for hit in hits:
        page = f"{hit['page_no']} {hit['page_name']}".strip()
        table.add_row(plain(hit["date"]), plain(hit["paper_name"] or hit["paper"]), plain(page), _title_cell(hit),
                      _snippet_cell(hit))
    _console().print(table)


def print_jsonl(rows: list[dict]) -> None:
    """Print one JSON object per row."""
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))


def _cell(value: object) -> str:
    """A CSV cell: lists/dicts as JSON, None as ""."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_csv(columns: list[str], rows: list[dict]) -> None:
    """Write rows as UTF-8 CSV with a BOM (so Excel detects the encoding) to stdout; cleaned on a terminal."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    text = buffer.getvalue()
    sys.stdout.flush()
    sys.stdout.buffer.write(("\ufeff" + (clean(text) if sys.stdout.isatty() else text)).encode("utf-8"))
    sys.stdout.buffer.flush()


def _export_hit(hit: dict, full: bool) -> dict:
    """A hit for json/jsonl output: record only with --full."""
    if not full:
        return {key: value for key, value in hit.items() if key != "record"}
    return hit


def _csv_rows(hits: list[dict], full: bool, collapse: bool) -> tuple[list[str], list[dict]]:
    """Return (columns, rows) for CSV: every archive record field, body only with --full."""
    columns = [name for name in RECORD_FIELDS if full or name not in ("body", "full_body")]
    columns += ["score", "exact", "snippet"] + (["cluster", "copies"] if collapse else [])
    rows = []
    for hit in hits:
        record = dict(hit["record"])
        for key in ("score", "exact", "snippet", "cluster", "copies"):
            if key in hit:
                record[key] = hit[key]
        for key in ("id", "date", "paper", "paper_name", "page_no", "page_name", "pretitle", "title",
                    "subtitle", "author", "url"):
            record.setdefault(key, hit.get(key, ""))
        rows.append(record)
    return columns, rows


def print_kwic(lines: list[dict]) -> None:
    """Print KWIC lines aligned on the match (CJK-width aware)."""
    from rich.cells import cell_len
    from rich.text import Text

    if not lines:
        return
    left_w = max(cell_len(clean(line["left"])) for line in lines)
    match_w = max(cell_len(clean(line["match"])) for line in lines)
    right_w = max(cell_len(clean(line["right"])) for line in lines)
    console = _console()
    for line in lines:
        left, match, right = clean(line["left"]), clean(line["match"]), clean(line["right"])
        text = Text(" " * (left_w - cell_len(left)) + left + "  ")
        text.append(match, style="bold red")
        text.append(" " * (match_w - cell_len(match)) + "  " + right + " " * (right_w - cell_len(right)))
        text.append(clean(f"  {line['date']}  {line['paper_name'] or line['paper']}  {line['title']}"), style="dim")
        console.print(text, soft_wrap=True, highlight=False)


# ---------------------------------------------------------------- commands


def cmd_search(args: argparse.Namespace) -> int:
    """Run a search and print it."""
    date_from, date_to = resolve_dates(args)
    from indexer.backends import kwic, search
    from indexer.errors import EpaperIndexError

    options = {"paper": args.paper, "date_from": date_from, "date_to": date_to, "sort": args.sort,
               "collapse": args.collapse}
    limit = None if args.all else args.limit
    try:
        check_userdict(args)
        if args.kwic:
            lines = kwic(args.index, args.query, width=args.width, limit=limit, page=args.page, **options)
        else:
            result = search(args.index, args.query, limit=limit, page=args.page,
                            with_record=args.format == "csv" or args.full, **options)
        if args.save:
            from indexer.saved import save_search

            save_search(args.save, args.query, {name: getattr(args, name) for name in SAVED_OPTIONS
                                                if getattr(args, name)})
    except EpaperIndexError as exc:
        fail(str(exc))
    if args.kwic:
        if args.format == "csv":
            write_csv(list(KWIC_FIELDS), lines)
        elif args.format == "jsonl":
            print_jsonl(lines)
        elif args.format == "json":
            print(json.dumps(lines, ensure_ascii=False, indent=1))
        else:
            print_kwic(lines)
            print(f"{len(lines)} occurrences")
        return 0
    if args.format == "jsonl":
        print_jsonl([_export_hit(hit, args.full) for hit in result.hits])
    elif args.format == "json":
        print(json.dumps({"query": result.query, "total": result.total, "page": args.page, "limit": limit,
                          "hits": [_export_hit(hit, args.full) for hit in result.hits]},
                         ensure_ascii=False, indent=1))
    elif args.format == "csv":
        write_csv(*_csv_rows(result.hits, args.full, args.collapse))
    else:
        if result.hits:
            print_table(result.hits)
        what = "clusters" if args.collapse else "hits"
        print(f"{result.total} {what} (showing {len(result.hits)}) in {result.elapsed * 1000:.0f} ms")
    return 0


def cmd_show(argv: list[str]) -> int:
    """`show ID`: the whole article."""
    parser = _sub_parser("show", "Show one article with its continuation parts, full text, URL and PDF.")
    parser.add_argument("id", metavar="ID", help="article id (the `id` of a hit)")
    _add_common(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    args = parser.parse_args(argv)
    from indexer.backends import get_article
    from indexer.errors import EpaperIndexError

    try:
        article = get_article(args.index, args.id)
    except EpaperIndexError as exc:
        fail(str(exc))
    if args.format == "json":
        print(json.dumps(article, ensure_ascii=False, indent=1))
        return 0
    lines = []
    for name in ("pretitle", "title", "subtitle"):
        if article.get(name):
            lines.append(article[name])
    lines.append("")
    page = f"{article.get('page_no', '')} {article.get('page_name', '')}".strip()
    for label, value in (("id", article.get("id")), ("date", article.get("date")),
                         ("paper", f"{article.get('paper_name', '')} ({article.get('paper', '')})"),
                         ("page", page), ("author", article.get("author")), ("byline", article.get("byline")),
                         ("dateline", article.get("dateline")), ("url", article.get("url")),
                         ("page url", article.get("page_url")), ("pdf", article.get("pdf_url"))):
        if value and value.strip("() "):
            lines.append(f"{label + ':':10}{value}")
    for image in article.get("images") or []:
        lines.append(f"{'image:':10}{image.get('url', '')}  {image.get('caption', '')}".rstrip())
    if len(article["parts"]) > 1:
        lines.append(f"{'parts:':10}" + " → ".join(
            f"{part.get('id')} (page {part.get('page_no', '')})" for part in article["parts"]))
    lines += ["", article["full_text"]]
    print(clean("\n".join(lines)))
    return 0


def cmd_count(argv: list[str]) -> int:
    """`count QUERY --by ...`: counts per bucket, table + bar chart (+ PNG)."""
    parser = _sub_parser("count", "Count matching articles and literal occurrences per bucket.")
    parser.add_argument("query", metavar="QUERY")
    parser.add_argument("--by", default="month", metavar="BUCKET",
                        help="day, week (ISO), month (default), year, paper or page")
    _add_common(parser)
    _add_filters(parser)
    parser.add_argument("--plot", metavar="PNG", help="also draw the counts into this PNG file")
    parser.add_argument("--format", choices=("table", "jsonl", "json", "csv"), default="table")
    args = parser.parse_args(argv)
    date_from, date_to = resolve_dates(args)
    from indexer.backends import count
    from indexer.count import BYS, plot_counts
    from indexer.errors import EpaperIndexError

    if args.by not in BYS:
        fail(f"argument --by: invalid choice {args.by!r} (choose from {', '.join(BYS)})")
    try:
        check_userdict(args)
        result = count(args.index, args.query, args.by, date_from=date_from, date_to=date_to, paper=args.paper)
        if args.plot:
            plot_counts(result, args.plot)
    except EpaperIndexError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {args.plot}: {exc.strerror or exc}")
    rows = [{"bucket": b.label, "name": b.name, "articles": b.hits, "occurrences": b.occurrences}
            for b in result.buckets]
    if args.format == "csv":
        write_csv(["bucket", "name", "articles", "occurrences"], rows)
    elif args.format == "jsonl":
        print_jsonl(rows)
    elif args.format == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
    else:
        print_counts(result)
        if args.plot:
            print(f"plot written to {clean(args.plot)}")
    return 0


def print_counts(result) -> None:
    """Print the count table with a bar per bucket (bar length ~ matching articles)."""
    from rich.table import Table

    peak = max((bucket.hits for bucket in result.buckets), default=0)
    by_paper = result.by == "paper"
    table = Table(title=plain(f"{result.query}: matching articles and occurrences per {result.by}"))
    table.add_column(result.by)
    if by_paper:
        table.add_column("name")
    table.add_column("articles", justify="right")
    table.add_column("occurrences", justify="right")
    table.add_column("articles (bar)")
    for bucket in result.buckets:
        bar = "█" * round(30 * bucket.hits / peak) if peak else ""
        if bucket.hits and not bar:
            bar = "▏"
        cells = [plain(bucket.label)] + ([plain(bucket.name)] if by_paper else [])
        table.add_row(*cells, str(bucket.hits), str(bucket.occurrences), bar)
    _console().print(table)
    print(f"total: {result.total_hits} articles, {result.total_occurrences} occurrences "
          f"in {len(result.buckets)} buckets")


def cmd_stats(argv: list[str]) -> int:
    """`stats`: what the index holds."""
    parser = _sub_parser("stats", "Papers, date span, articles, pages and days without articles in the index.")
    _add_common(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    from indexer.backends import index_stats
    from indexer.errors import EpaperIndexError

    try:
        stats = index_stats(args.index)
    except EpaperIndexError as exc:
        fail(str(exc))
    if args.format == "json":
        print(json.dumps(stats, ensure_ascii=False, indent=1))
        return 0
    from rich.table import Table

    table = Table(title=plain(f"index {stats['index']}"))
    for column in ("paper", "name", "articles", "pages", "first", "last", "days", "days without articles"):
        table.add_column(column, justify="right" if column in ("articles", "pages", "days") else "left")
    for paper in stats["papers"]:
        gaps = f"{paper['gap_days']}" + (f": {', '.join(paper['gaps'][:5])}" if paper["gaps"] else "")
        if len(paper["gaps"]) > 5:
            gaps += ", …"
        table.add_row(plain(paper["paper"]), plain(paper["paper_name"]), str(paper["articles"]), str(paper["pages"]),
                      plain(paper["first"]), plain(paper["last"]), str(paper["days"]), plain(gaps))
    _console().print(table)
    print(f"{len(stats['papers'])} papers, {stats['articles']} articles, {stats['pages']} pages, "
          f"{stats['first'] or '-'} to {stats['last'] or '-'} ({stats['days']} days with articles, "
          f"{stats['gap_days']} without); {stats['duplicate_clusters']} near-duplicate clusters "
          f"({stats['articles_in_duplicate_clusters']} articles)"
          + (f"; user dictionary {clean(stats['userdict'])}" if stats["userdict"] else "")
          + (f"; {stats['undated']} articles without a valid date" if stats.get("undated") else ""))
    return 0


def cmd_saved(argv: list[str]) -> int:
    """`saved`: list saved searches."""
    parser = _sub_parser("saved", "List saved searches ($EPAPER_SAVED or ~/.config/epaper/saved_searches.json).")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    from indexer.errors import EpaperIndexError
    from indexer.saved import load_saved

    try:
        saved = load_saved()
    except EpaperIndexError as exc:
        fail(str(exc))
    if args.format == "json":
        print(json.dumps(saved, ensure_ascii=False, indent=1))
        return 0
    for name in sorted(saved):
        options = " ".join(_option_args(saved[name].get("options", {})))
        print(clean(f"{name}\t{saved[name]['query']}" + (f"\t{options}" if options else "")))
    if not saved:
        print("no saved searches")
    return 0


def _option_args(options: dict) -> list[str]:
    """Turn saved option values back into command-line arguments."""
    flags = {"date_from": "--from", "date_to": "--to", "year": "--year", "month": "--month",
             "paper": "--paper", "sort": "--sort", "collapse": "--collapse"}
    argv: list[str] = []
    for name, value in options.items():
        if name not in flags or value in (None, False, ""):
            continue
        argv += [flags[name]] if value is True else [flags[name], str(value)]
    return argv


def cmd_run(argv: list[str]) -> int:
    """`run NAME [options]`: re-run a saved search."""
    if not argv or argv[0].startswith("-"):
        fail("run needs the name of a saved search: search_cli.py run NAME [options]")
    from indexer.errors import EpaperIndexError
    from indexer.saved import get_saved

    try:
        saved = get_saved(argv[0])
    except EpaperIndexError as exc:
        fail(str(exc))
    args = make_parser().parse_args([*_option_args(saved.get("options", {})), *argv[1:], "--", saved["query"]])
    return cmd_search(args)


def _join_sort(argv: list[str]) -> list[str]:
    """Turn `--sort -date` into `--sort=-date` (argparse would take -date for an option)."""
    joined: list[str] = []
    for arg in argv:
        if joined and joined[-1] == "--sort" and arg.startswith("-") and arg != "--":
            joined[-1] = f"--sort={arg}"
        else:
            joined.append(arg)
    return joined


def _check_text(argv: list[str]) -> None:
    """Exit 2 in one line if an argument other than a file name holds bytes that are not valid text."""
    for position, arg in enumerate(argv):
        is_path = arg.startswith(tuple(f"{option}=" for option in PATH_OPTIONS)) or (
            position > 0 and argv[position - 1] in PATH_OPTIONS)
        if not is_path and not arg.isascii():
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:
                fail(f"argument {position + 1} holds bytes that are not valid text (check the terminal's encoding)")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    argv = _join_sort(list(sys.argv[1:] if argv is None else argv))
    _check_text(argv)
    if argv and argv[0] in SUBCOMMANDS:
        command = {"show": cmd_show, "count": cmd_count, "stats": cmd_stats, "saved": cmd_saved,
                   "run": cmd_run}[argv[0]]
        return command(argv[1:])
    if argv and argv[0] == "search":
        argv = argv[1:]
    return cmd_search(make_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
