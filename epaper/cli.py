"""`epaper COMMAND …`: the project's one command (installed by `pip install -e .`, like `git` or `scrapy`).

Each subcommand runs the code of the existing entry point, in this process: `crawl` is `scrapy crawl epaper`,
`search`/`count`/`show`/`stats`/`saved`/`run` are search_cli.py's, `kwic` is `search --kwic`, `index build` is
`python -m indexer build`, `probe` and `papers` are `python -m crawler`'s, `coverage` is crawler.coverage's,
`serve` starts the reading room (epaper.web).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Callable

from epaper.argparsing import Parser, suggest
from epaper.pipes import quiet_pipe

PROG = "epaper"


def _crawl(argv: list[str]) -> int:
    """`scrapy crawl epaper ARGS` in this process, with the project's settings wherever it is started."""
    from scrapy.cmdline import execute

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    if argv and argv[0] == "epaper":  # `epaper crawl epaper -a …` reads like `scrapy crawl epaper -a …`
        argv = argv[1:]
    execute(["scrapy", "crawl", "epaper", *argv])  # exits with the crawl's status
    return 0


def _search_cli(*first: str) -> Callable[[list[str]], int]:
    """A runner of search_cli.py with `first` before the arguments, its messages naming `epaper`."""

    def run(argv: list[str]) -> int:
        import search_cli

        search_cli.PROG = PROG
        return search_cli.main([*first, *argv])

    return run


def _coverage(argv: list[str]) -> int:
    from crawler.coverage import main

    return main(argv, prog=f"{PROG} coverage")


def _crawler(name: str) -> Callable[[list[str]], int]:
    """A runner of `python -m crawler NAME`."""

    def run(argv: list[str]) -> int:
        from crawler.__main__ import main

        return main([name, *argv], prog=PROG)

    return run


def _index(argv: list[str]) -> int:
    from indexer.__main__ import main

    return main(argv, prog=f"{PROG} index")


def _serve(argv: list[str]) -> int:
    from epaper.web.serve import main

    return main(argv)


# name: (one-line help, runner); search_cli.py's other subcommands (SUBCOMMANDS) are added under their names.
COMMANDS: dict[str, tuple[str, Callable[[list[str]], int]]] = {
    "crawl": ("crawl a paper into the archive: epaper crawl -a paper=xihaian -a since=last [-s NAME=VALUE]",
              _crawl),
    "search": ("search the index: epaper search QUERY [--from …] [--paper …] [--format jsonl]",
               _search_cli("search")),
    "kwic": ("keyword in context, one aligned line per occurrence: epaper kwic QUERY [--width N]",
             _search_cli("search", "--kwic")),
    "count": ("matching articles and occurrences per day/week/month/year/paper/page, several queries side by side: "
              "epaper count QUERY [QUERY …] --by month [--normalize]", _search_cli("count")),
    "collocates": ("words found near a query more than chance predicts (log-likelihood): epaper collocates QUERY "
                   "[--window N] [--by year]", _search_cli("collocates")),
    "show": ("one whole article: epaper show ID [--versions]", _search_cli("show")),
    "stats": ("what the index holds: papers, dates, articles, pages, gaps", _search_cli("stats")),
    "saved": ("list saved searches", _search_cli("saved")),
    "run": ("run a saved search: epaper run NAME", _search_cli("run")),
    "coverage": ("what the archive holds for a paper and dates, and what is missing and why", _coverage),
    "probe": ("what the crawler reads on one page, rule by rule: epaper probe URL", _crawler("probe")),
    "papers": ("the bundled paper profiles (-v: where each URL scheme comes from)", _crawler("papers")),
    "index": ("build or update the search index: epaper index build [--index DIR | --backend opensearch --url URL] "
              "[ARCHIVE_DIR]", _index),
    "serve": ("the reading room: search, read, KWIC, counts and exports in a web browser, on 127.0.0.1: "
              "epaper serve [--index DIR] [--port 8000]", _serve),
}


def commands() -> dict[str, tuple[str, Callable[[list[str]], int]]]:
    """COMMANDS, plus any search_cli.py subcommand not named there, and `completion`."""
    import search_cli

    found = dict(COMMANDS)
    for name in search_cli.SUBCOMMANDS:
        found.setdefault(name, (f"see `epaper {name} --help`", _search_cli(name)))
    found["completion"] = ("print a bash/zsh completion script: eval \"$(epaper completion)\"", _completion)
    return found


def make_parser() -> Parser:
    """The top-level parser: for help and for errors about the command name (each command parses the rest)."""
    parser = Parser(prog=PROG, description="Crawl Chinese e-newspapers into an archive, index and search it.",
                    epilog="Default folders: $EPAPER_ARCHIVE / $EPAPER_INDEX, else `archive` / `index` in "
                           "~/.config/epaper/config.toml ($EPAPER_CONFIG), else data/archive and data/index. "
                           "`epaper COMMAND --help` for a command's options.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=Parser)
    for name, (text, _) in commands().items():
        sub.add_parser(name, help=text, add_help=False)
    return parser


def _version() -> str:
    """The installed distribution's version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("epaper")
    except PackageNotFoundError:
        return "(not installed)"


def options_of(name: str, rest: list[str] | None = None) -> list[str]:
    """The options a command's --help names (for shell completion)."""
    runner = commands().get(name, (None, None))[1]
    if runner is None:
        return []
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            runner([*(rest or []), "--help"])
        except SystemExit:
            pass
    return sorted(set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", out.getvalue())))


COMPLETION = r"""# bash completion for epaper (zsh: autoload -U bashcompinit && bashcompinit first)
_epaper() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "%(commands)s" -- "$cur")); return
  fi
  if [ "${COMP_WORDS[1]}" = crawl ] && [ "$prev" = -a ]; then
    compopt -o nospace 2>/dev/null; COMPREPLY=($(compgen -W "%(spider_args)s" -- "$cur")); return
  fi
  if [ "${COMP_WORDS[1]}" = index ] && [ "$COMP_CWORD" -eq 2 ]; then
    COMPREPLY=($(compgen -W "build" -- "$cur")); return
  fi
  case "$cur" in
    -*) COMPREPLY=($(compgen -W "$(epaper completion --options "${COMP_WORDS[1]}" "${COMP_WORDS[2]}" 2>/dev/null)" \
          -- "$cur"));;
  esac
}
complete -o default -F _epaper epaper
"""


def _completion(argv: list[str]) -> int:
    """`epaper completion`: the script; `epaper completion --options CMD [SUB]`: a command's options."""
    if argv[:1] == ["--options"] and len(argv) >= 2:
        rest = argv[2:3] if argv[1] == "index" and argv[2:3] == ["build"] else []
        print(" ".join(options_of(argv[1], rest)))
        return 0
    if argv:
        parser = Parser(prog=f"{PROG} completion", description="Print the bash/zsh completion script.")
        parser.parse_args(argv)
    from crawler.args import SPIDER_ARGS

    print(COMPLETION % {"commands": " ".join(commands()), "spider_args": " ".join(f"{a}=" for a in SPIDER_ARGS)},
          end="")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run `epaper ARGV`; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    known = commands()
    parser = make_parser()
    if not argv:
        parser.exit(2, f"{PROG}: error: give a command: {', '.join(known)} (epaper --help)\n")
    if argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        parser.error(f"unrecognized arguments: {argv[0]}{suggest(argv[0], ['--help', '--version'])}; "
                     f"the options come after the command (epaper COMMAND --help)")
    if argv[0] not in known:
        parser.parse_args(argv[:1])  # --help, --version, or an unknown command: "did you mean" and exit 2
        return 2
    return known[argv[0]][1](argv[1:])


def run() -> None:
    """Console-script entry point: main() with a quiet exit when stdout is a closed pipe."""
    sys.exit(quiet_pipe(main))
