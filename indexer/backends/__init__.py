"""Which search backend a command uses: the embedded Whoosh index (default) or an OpenSearch cluster.

``add_arguments`` gives a parser ``--backend whoosh|opensearch`` and ``--url`` (``http://HOST:9200[/ALIAS]``,
several hosts comma-separated); their defaults are $EPAPER_BACKEND / $EPAPER_OPENSEARCH_URL, else the config
file's ``backend`` / ``opensearch_url`` (epaper.config), else whoosh. ``location(args)`` is where a command
searches: the Whoosh index directory (``args.index``) or an OpenSearch ``Target``. The functions below take that
location and run the indexer.query function of the same name on it, so a CLI only swaps its imports.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any

from epaper.config import BACKENDS, default_backend

Location = Any  # a Whoosh index directory (str or Path) or an indexer.backends.opensearch.Target


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --backend and --url to parser; ConfigError for a bad $EPAPER_BACKEND or config file."""
    backend, url = default_backend()
    parser.add_argument("--backend", choices=BACKENDS, default=backend,
                        help="search backend (default: $EPAPER_BACKEND, the config file's `backend`, or whoosh)")
    parser.add_argument("--url", default=url or None, metavar="URL",
                        help="OpenSearch URL http://HOST:9200[/ALIAS], hosts comma-separated (default: "
                             "$EPAPER_OPENSEARCH_URL or the config file's `opensearch_url`; alias epaper)")


def location(args: argparse.Namespace) -> Location:
    """Where the parsed arguments search: an OpenSearch Target (BackendError for a bad --url) or args.index."""
    if args.backend == "opensearch":
        from indexer.backends.opensearch import Target

        return Target.parse(args.url or "")
    return args.index


def _remote(where: Location) -> bool:
    """True for an OpenSearch target (anything but a directory name)."""
    return not isinstance(where, (str, Path))


# The Whoosh module of each function below; indexer.backends.opensearch has them all under the same names.
_WHOOSH = {"search": "indexer.query.search", "kwic": "indexer.query.search", "get_article": "indexer.query.search",
           "coverage_note": "indexer.query.search", "count_table": "indexer.query.count",
           "collocates": "indexer.query.collocates", "index_stats": "indexer.query.stats"}


def _run(name: str, where: Location, *args: Any, **options: Any) -> Any:
    """The function `name` of the location's backend, called with it."""
    module = "indexer.backends.opensearch" if _remote(where) else _WHOOSH[name]
    return getattr(importlib.import_module(module), name)(where, *args, **options)


def search(where: Location, query: str, **options: Any):
    """indexer.query.search.search on the location's backend."""
    return _run("search", where, query, **options)


def kwic(where: Location, query: str, **options: Any) -> list[dict]:
    """indexer.query.search.kwic on the location's backend."""
    return _run("kwic", where, query, **options)


def count_table(where: Location, queries: list[str], by: str = "month", **options: Any):
    """indexer.query.count.count_table on the location's backend."""
    return _run("count_table", where, queries, by, **options)


def coverage_note(where: Location, date_from: str | None, date_to: str | None, paper: str | None = None):
    """indexer.query.search.coverage_note on the location's backend."""
    return _run("coverage_note", where, date_from, date_to, paper)


def collocates(where: Location, query: str, **options: Any):
    """indexer.query.collocates.collocates (Whoosh only: OpenSearch refuses in one line)."""
    return _run("collocates", where, query, **options)


def get_article(where: Location, doc_id: str) -> dict:
    """indexer.query.search.get_article on the location's backend."""
    return _run("get_article", where, doc_id)


def index_stats(where: Location) -> dict:
    """indexer.query.stats.index_stats on the location's backend."""
    return _run("index_stats", where)
