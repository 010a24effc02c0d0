"""Search the epaper index from the command line: `python search_cli.py QUERY [options]`.

Subcommands (the first argument): show, count, collocates, stats, saved, run; anything else is a query.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date

from epaper.argparsing import Parser, explain
from epaper.config import ConfigError, default_index
from epaper.export import KWIC_FIELDS, csv_bytes, csv_text, export_hit, hit_csv_rows, jsonl_line, resolve_period
from epaper.pipes import quiet_pipe

PROG = "search_cli.py"
SUBCOMMANDS = ("show", "count", "collocates", "stats", "saved", "run")
# Options a saved search keeps (dest names).
SAVED_OPTIONS = ("date_from", "date_to", "year", "month", "paper", "sort", "collapse")
# Options whose value is a file name (any bytes are fine there); every other argument must be text.
PATH_OPTIONS = ("--index", "--plot", "--userdict")
# An argument starting with '-' that no option can be: a negated CJK word, phrase or group (-广告, -"…", -(…)).
_NEGATED_QUERY = re.compile(r'-[^\x00-\x7f]|-["(]')
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
  臺灣 = 台湾  衞生 = 卫生  著力 = 着力  靑年 = 青年  硏究 = 研究
                          traditional, simplified and variant forms match each other
                          everywhere (OpenCC, one character at a time)
  AI  5G  "COVID-19"      a term starting or ending with a Latin letter or digit matches whole
                          words there: AI finds "AI芯片" and "用 AI", not DAILY or MAIL
  Operators: AND/OR/NOT/W/n/PRE/n in any case (and, or, not, w/10); quote them to search
  for the words ("and"). Other operator-like tokens (NEAR/10, W/) are refused, and so is a
  term with nothing searchable (，。！？: quote it to search for punctuation). Only ASCII
  letters followed by ':' are fields (a full-width '：' is ordinary text). A query that
  starts with '-' works as it is when a CJK character, quote or '(' follows (-广告);
  otherwise put `--` before it; options may follow: search_cli.py -- -Qingdao --format jsonl
  An unknown paper or page (paper:nosuch, --paper nosuch, page:Z9) is an error listing
  what the index holds; 0 hits in dates the archive does not cover says which dates it holds.

subcommands (must be the first argument):
  show ID                 the whole article: fields, continuation parts, full text, URL, PDF
  count QUERY [QUERY...] --by day|week|month|year|paper|page [--normalize] [--collapse]
        [--plot out.png|out.svg]
                          matching articles and literal occurrences per bucket, one column per
                          query; buckets without an archived issue say "no data"; --normalize adds
                          shares of the bucket's articles and rates per 10,000 characters
  collocates QUERY [--window N] [--by year] [--limit K]
                          words near the query more often than chance predicts (log-likelihood)
  show ID [--versions]    --versions: earlier versions kept by re-crawls, with a diff
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
  search_cli.py count 董家口 氢能 '"营商环境"' --by month --normalize --plot compare.svg
  search_cli.py collocates 氢能 --window 5 --by year --limit 15
  search_cli.py 营商环境 --month 2025-03 --collapse --save yingshang && search_cli.py run yingshang

The index directory defaults to $EPAPER_INDEX, else `index` in ~/.config/epaper/config.toml (or
$EPAPER_CONFIG), else data/index; build it with
  python -m indexer build --index data/index [--userdict indexer/dicts/xihaian.txt] ARCHIVE_DIR
An OpenSearch cluster instead (--backend opensearch --url http://HOST:9200[/ALIAS]; defaults
$EPAPER_BACKEND / $EPAPER_OPENSEARCH_URL or the config file's backend / opensearch_url):
  python -m indexer build --backend opensearch --url http://HOST:9200 ARCHIVE_DIR
Every command gives the same hits and counts on both; collocates needs the Whoosh index.
"""


class _OneLineParser(Parser):
    """ArgumentParser whose errors are one line on stderr and exit status 2 (with "did you mean")."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the message in one line and exit 2."""
        self.exit(2, f"{PROG}: error: {explain(message)}\n")


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
    """--index, --userdict, --backend and --url (indexer.backends)."""
    from indexer.backends import add_arguments

    try:
        index = default_index()
        add_arguments(parser)
    except ConfigError as exc:
        fail(str(exc))
    parser.add_argument("--index", default=index, metavar="DIR",
                        help="index directory (default: $EPAPER_INDEX, the config file's `index`, or data/index)")
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
        usage=f"{PROG} [search] QUERY [options]  |  {PROG} {{show,count,collocates,stats,saved,run}} ...",
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
    parser.add_argument("--order", choices=("hit", "left", "right"), default="hit",
                        help="KWIC line order: as the hits rank (default), or sorted by the words just left / "
                             "right of the match")
    parser.add_argument("--collapse", action="store_true",
                        help="one hit per near-duplicate cluster, with the number of copies")
    parser.add_argument("--save", metavar="NAME", help="also save the query and its filters under NAME")
    return parser


def _sub_parser(name: str, description: str) -> argparse.ArgumentParser:
    """Return a parser for one subcommand."""
    return _OneLineParser(prog=f"{PROG} {name}", description=description)


def resolve_dates(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """Return (from, to) from --from/--to or --year/--month; exit 2 on conflicts."""
    from indexer.errors import QueryError

    try:
        return resolve_period(args.date_from, args.date_to, args.year, args.month)
    except QueryError as exc:
        fail(str(exc))


def check_userdict(args: argparse.Namespace) -> None:
    """Warn in one line if --userdict/$EPAPER_USERDICT differs from the (Whoosh) index's dictionary."""
    if not args.userdict or args.backend != "whoosh":
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
        print(jsonl_line(row))


def write_csv(columns: list[str], rows: list[dict]) -> None:
    """Write rows as UTF-8 CSV with a BOM (so Excel detects the encoding) to stdout; cleaned on a terminal."""
    sys.stdout.flush()
    if sys.stdout.isatty():
        sys.stdout.buffer.write(("\ufeff" + clean(csv_text(columns, rows))).encode("utf-8"))
    else:
        sys.stdout.buffer.write(csv_bytes(columns, rows))  # the reading room's export is these bytes too
    sys.stdout.buffer.flush()


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
    from indexer.backends import kwic, location, search
    from indexer.errors import EpaperIndexError

    options = {"paper": args.paper, "date_from": date_from, "date_to": date_to, "sort": args.sort,
               "collapse": args.collapse}
    limit = None if args.all else args.limit
    try:
        check_userdict(args)
        where = location(args)
        if args.kwic:
            from indexer.query.search import order_kwic

            lines = order_kwic(kwic(where, args.query, width=args.width, limit=limit, page=args.page, **options),
                               args.order)
        else:
            result = search(where, args.query, limit=limit, page=args.page,
                            with_record=args.format == "csv" or args.full, **options)
        if args.save:
            from indexer.query.saved import save_search

            save_search(args.save, args.query, {name: getattr(args, name) for name in SAVED_OPTIONS
                                                if getattr(args, name)})
    except EpaperIndexError as exc:
        fail(str(exc))
    if not (lines if args.kwic else result.total):
        _note_coverage(where, date_from, date_to, args.paper)
    elif not args.kwic and not result.hits:
        last = -(-result.total // limit) if limit else 1
        sys.stderr.write(f"{PROG}: note: --page {args.page} is past the last page ({last}) of {result.total} hits\n")
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
        print_jsonl([export_hit(hit, args.full) for hit in result.hits])
    elif args.format == "json":
        print(json.dumps({"query": result.query, "total": result.total, "page": args.page, "limit": limit,
                          "hits": [export_hit(hit, args.full) for hit in result.hits]},
                         ensure_ascii=False, indent=1))
    elif args.format == "csv":
        write_csv(*hit_csv_rows(result.hits, args.full, args.collapse))
    else:
        if result.hits:
            print_table(result.hits)
        what = "clusters" if args.collapse else "hits"
        print(f"{result.total} {what} (showing {len(result.hits)}) in {result.elapsed * 1000:.0f} ms")
    return 0


def _note_coverage(where, date_from: str | None, date_to: str | None, paper: str | None) -> None:
    """Say on stderr, in one line, which dates the index (where: indexer.backends.location) holds when the asked
    range reaches outside them."""
    from indexer.backends import coverage_note
    from indexer.errors import EpaperIndexError

    try:
        note = coverage_note(where, date_from, date_to, paper)
    except EpaperIndexError:
        return
    if note:
        sys.stderr.write(f"{PROG}: note: {clean(note)}\n")


def cmd_show(argv: list[str]) -> int:
    """`show ID`: the whole article."""
    parser = _sub_parser("show", "Show one article with its continuation parts, full text, URL and PDF.")
    parser.add_argument("id", metavar="ID", help="article id (the `id` of a hit)")
    _add_common(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--versions", action="store_true",
                        help="also print every earlier version kept by a re-crawl, and a unified diff of each change")
    args = parser.parse_args(argv)
    from indexer.backends import get_article, location
    from indexer.errors import EpaperIndexError

    try:
        article = get_article(location(args), args.id)
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
    versions = article.get("versions") or []
    if article.get("revised_at"):
        count = len(versions) or len(article.get("revisions") or [])
        lines.append(f"{'revised:':10}{article['revised_at']} ({count} earlier version{'s' if count != 1 else ''}"
                     + ("; see --versions)" if versions and not args.versions else ")"))
    lines += ["", article["full_text"]]
    if args.versions:
        from indexer.query.versions import version_report

        lines += ["", *version_report(article)]
    print(clean("\n".join(lines)))
    return 0


def cmd_count(argv: list[str]) -> int:
    """`count QUERY... --by ...`: counts per bucket side by side, table + bar chart (+ PNG/SVG plot)."""
    parser = _sub_parser("count", "Count matching articles and literal occurrences per bucket, one column per "
                                  "query (a query starting with '-' goes after --).")
    parser.add_argument("queries", nargs="+", metavar="QUERY", help="one or more queries, compared side by side")
    parser.add_argument("--by", default="month", metavar="BUCKET",
                        help="day, week (ISO), month (default), year, paper or page")
    _add_common(parser)
    _add_filters(parser)
    parser.add_argument("--normalize", action="store_true",
                        help="also show each count as a share of the bucket's articles and per 10,000 characters")
    parser.add_argument("--collapse", action="store_true",
                        help="count near-duplicate reprints once (as their earliest copy)")
    parser.add_argument("--plot", metavar="FILE", help="also draw the counts into this .png or .svg file")
    parser.add_argument("--format", choices=("table", "jsonl", "json", "csv"), default="table")
    args = parser.parse_args(query_last(argv))
    date_from, date_to = resolve_dates(args)
    from indexer.backends import count_table, location
    from indexer.errors import EpaperIndexError
    from indexer.query.count import BYS

    if args.by not in BYS:
        fail(f"argument --by: invalid choice {args.by!r} (choose from {', '.join(BYS)})")
    if args.plot and not args.plot.lower().endswith((".png", ".svg")):
        fail(f"argument --plot: {args.plot!r} must end in .png or .svg")
    try:
        check_userdict(args)
        where = location(args)
        table = count_table(where, args.queries, args.by, date_from=date_from, date_to=date_to,
                            paper=args.paper, collapse=args.collapse)
        if args.plot:
            from indexer.query.plot import plot_counts

            drawn = plot_counts(table, args.plot, normalize=args.normalize)
            if drawn.font is None:
                sys.stderr.write(f"{PROG}: warning: no CJK font found, Chinese in {clean(args.plot)} shows as "
                                 f"boxes: reinstall this package (it depends on mplfonts) or install one "
                                 f"(Debian: fonts-noto-cjk)\n")
    except EpaperIndexError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {args.plot}: {exc.strerror or exc}")
    _note_coverage(where, date_from, date_to, args.paper)
    if args.format == "csv":
        write_csv(*table.csv_rows())
    elif args.format == "jsonl":
        print_jsonl(table.rows())
    elif args.format == "json":
        print(json.dumps(table.to_dict(), ensure_ascii=False, indent=1))
    else:
        print_counts(table, args.normalize)
        if args.plot:
            print(f"plot written to {clean(args.plot)}")
    return 0


def _rate(value: float | None, percent: bool) -> str:
    """A share as a percentage or a rate per 10,000 characters, for the table ("" without data)."""
    if value is None:
        return ""
    return f"{100 * value:.1f}%" if percent else f"{value:.2f}"


def print_counts(table, normalize: bool = False) -> None:
    """Print the counts: one query as articles, occurrences and a bar; several as one column per query
    ("articles (occurrences)"); --normalize adds the archive's articles, shares and rates per 10,000 characters.
    Buckets without an archived issue say "no data"."""
    from rich.table import Table

    rows = table.rows()
    single = len(table.queries) == 1
    by_paper = table.by == "paper"
    title = " · ".join(table.queries) + f": matching articles and occurrences per {table.by}"
    grid = Table(title=plain(title + ("; near-duplicates counted once" if table.collapse else "")))
    grid.add_column(table.by)
    if by_paper:
        grid.add_column("name")
    if normalize:
        grid.add_column("archive articles", justify="right")
    if single:
        grid.add_column("articles", justify="right")
        grid.add_column("occurrences", justify="right")
        if normalize:
            grid.add_column("share", justify="right")
            grid.add_column("per 10k chars", justify="right")
        grid.add_column("articles (bar)")
    else:
        for query in table.queries:
            grid.add_column(plain(query), justify="right")
    peak = max((cell["articles"] or 0 for row in rows for cell in row["counts"]), default=0)
    for row in rows:
        cells = [plain(row["bucket"])] + ([plain(row["name"])] if by_paper else [])
        if normalize:
            cells.append(str(row["archive_articles"]) if row["data"] else "no data")
        for cell in row["counts"]:
            if not row["data"]:
                cells += ["no data"] + ([""] if single else [])
            elif single:
                cells += [str(cell["articles"]), str(cell["occurrences"])]
            else:
                rates = f" {_rate(cell['share'], True)} · {_rate(cell['per_10k_chars'], False)}" if normalize else ""
                cells.append(f"{cell['articles']} ({cell['occurrences']}){rates}")
            if single and normalize:
                cells += [_rate(cell["share"], True), _rate(cell["per_10k_chars"], False)]
        if single:
            hits = row["counts"][0]["articles"] or 0
            bar = "█" * round(30 * hits / peak) if peak else ""
            cells.append(bar or ("▏" if hits else ""))
        grid.add_row(*cells)
    _console().print(grid)
    empty = sum(not row["data"] for row in rows)
    for result in table.results:
        print(clean(f"{result.query}: {result.total_hits} articles, {result.total_occurrences} occurrences in "
                    f"{len(rows)} buckets" + (f" ({empty} without data)" if empty else "")))
    if not single:
        print("cells: matching articles (occurrences)"
              + (", share of the bucket's articles · occurrences per 10,000 characters" if normalize else ""))


def cmd_collocates(argv: list[str]) -> int:
    """`collocates QUERY`: words near the query more often than chance predicts, per period."""
    parser = _sub_parser("collocates", "Words within N jieba words of the query's occurrences more often than "
                                       "chance predicts (Dunning's log-likelihood against the index's articles "
                                       "under the same filters), stopwords removed.")
    parser.add_argument("query", metavar="QUERY")
    parser.add_argument("--window", type=_positive, default=5, metavar="N", help="words on each side (default 5)")
    parser.add_argument("--by", metavar="PERIOD", help="one list per day, week, month, year, paper or page")
    parser.add_argument("--limit", type=_positive, default=20, metavar="K", help="words per list (default 20)")
    parser.add_argument("--min-count", type=_positive, default=2, metavar="N",
                        help="only words seen at least N times near the query (default 2)")
    _add_common(parser)
    _add_filters(parser)
    parser.add_argument("--format", choices=("table", "jsonl", "json", "csv"), default="table")
    args = parser.parse_args(argv)
    date_from, date_to = resolve_dates(args)
    from indexer.backends import collocates, location
    from indexer.errors import EpaperIndexError
    from indexer.query.count import BYS

    if args.by is not None and args.by not in BYS:
        fail(f"argument --by: invalid choice {args.by!r} (choose from {', '.join(BYS)})")
    try:
        check_userdict(args)
        result = collocates(location(args), args.query, window=args.window, by=args.by, limit=args.limit,
                            min_count=args.min_count, paper=args.paper, date_from=date_from, date_to=date_to)
    except EpaperIndexError as exc:
        fail(str(exc))
    rows = [{"period": period.label, "word": c.word, "near": c.near, "frequency": c.frequency,
             "expected": c.expected, "log_likelihood": c.llr}
            for period in result.periods for c in period.collocates]
    if args.format == "csv":
        write_csv(["period", "word", "near", "frequency", "expected", "log_likelihood"], rows)
    elif args.format == "jsonl":
        print_jsonl(rows)
    elif args.format == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
    else:
        print_collocates(result)
    return 0


def print_collocates(result) -> None:
    """Print one table of collocates per period, with the counts behind each score."""
    from rich.table import Table

    console = _console()
    for period in result.periods:
        where = f" ({result.by} {period.label})" if result.by else ""
        table = Table(title=plain(f"{result.query}: collocates within {result.window} words{where}"))
        for column in ("word", "near", "in corpus", "expected near", "log-likelihood"):
            table.add_column(column, justify="left" if column == "word" else "right")
        for c in period.collocates:
            table.add_row(plain(c.word), str(c.near), str(c.frequency), f"{c.expected:.2f}", f"{c.llr:.1f}")
        console.print(table)
        print(f"{period.articles} articles, {period.occurrences} occurrences; {period.window_words} words near "
              f"them, {period.corpus_words} words in the reference corpus; {len(period.collocates)} collocates")
    if not result.periods:
        print("no literal occurrence of the query: no collocates")


def cmd_stats(argv: list[str]) -> int:
    """`stats`: what the index holds."""
    parser = _sub_parser("stats", "Papers, date span, articles, pages and days without articles in the index.")
    _add_common(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    from indexer.backends import index_stats, location
    from indexer.errors import EpaperIndexError

    try:
        stats = index_stats(location(args))
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
    from indexer.query.saved import load_saved

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
    from indexer.query.saved import get_saved

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


def query_last(argv: list[str]) -> list[str]:
    """Move a query given after `--`, or starting with '-' followed by a CJK char, quote or '(', to the end
    behind `--`, so options may follow it (`-- -广告 --format jsonl`, `-广告 --limit 5`)."""
    if "--" in argv:
        at = argv.index("--")
        return argv if at + 1 >= len(argv) else [*argv[:at], *argv[at + 2 :], "--", argv[at + 1]]
    for position, arg in enumerate(argv):
        if _NEGATED_QUERY.match(arg):
            return [*argv[:position], *argv[position + 1 :], "--", arg]
    return argv


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
        command = {"show": cmd_show, "count": cmd_count, "collocates": cmd_collocates, "stats": cmd_stats,
                   "saved": cmd_saved, "run": cmd_run}[argv[0]]
        return command(argv[1:])
    if argv and argv[0] == "search":
        argv = argv[1:]
    return cmd_search(make_parser().parse_args(query_last(argv)))


if __name__ == "__main__":
    sys.exit(quiet_pipe(main))
