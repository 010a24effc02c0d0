"""Which search backend a command uses: the embedded Whoosh index (default) or an OpenSearch cluster.

``add_arguments`` gives a parser ``--backend whoosh|opensearch`` (default $EPAPER_BACKEND, else whoosh) and
``--url`` (default $OPENSEARCH_URL; ``http://HOST:9200[/ALIAS]``, several hosts comma-separated). The functions
below take the Whoosh index directory like indexer.search / count / stats and run on the backend chosen by the
last command line parsed (or the environment), so a CLI only swaps its imports.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

BACKENDS = ("whoosh", "opensearch")
_chosen: dict[str, str | None] = {}


def _default() -> dict[str, str | None]:
    return {"backend": os.environ.get("EPAPER_BACKEND") or "whoosh", "url": os.environ.get("OPENSEARCH_URL")}


class _Remember(argparse.Action):
    """Store the option and remember it as the process's choice."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        setattr(namespace, self.dest, values)
        _chosen[self.dest] = values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --backend and --url to parser (and reset the choice to the environment's defaults)."""
    _chosen.clear()
    _chosen.update(_default())
    parser.add_argument("--backend", action=_Remember, choices=BACKENDS, default=_chosen["backend"],
                        help="search backend (default $EPAPER_BACKEND, else whoosh)")
    parser.add_argument("--url", action=_Remember, default=_chosen["url"], metavar="URL",
                        help="OpenSearch URL http://HOST:9200[/ALIAS] (default $OPENSEARCH_URL; alias epaper)")


def chosen() -> str:
    """The backend in use: whoosh or opensearch (an unknown $EPAPER_BACKEND is an error)."""
    from indexer.errors import EpaperIndexError

    backend = (_chosen or _default())["backend"] or "whoosh"
    if backend not in BACKENDS:
        raise EpaperIndexError(f"unknown backend {backend!r} (EPAPER_BACKEND): choose whoosh or opensearch")
    return backend


def target():
    """The OpenSearch target of the chosen --url / $OPENSEARCH_URL."""
    from indexer.backends.opensearch import Target

    return Target.parse((_chosen or _default())["url"] or "")


def search(index_dir: Path | str, query: str, **options: Any):
    """indexer.search.search on the chosen backend."""
    if chosen() == "opensearch":
        from indexer.backends import opensearch

        return opensearch.search(target(), query, **options)
    from indexer.search import search as whoosh_search

    return whoosh_search(index_dir, query, **options)


def kwic(index_dir: Path | str, query: str, **options: Any) -> list[dict]:
    """indexer.search.kwic on the chosen backend."""
    if chosen() == "opensearch":
        from indexer.backends import opensearch

        return opensearch.kwic(target(), query, **options)
    from indexer.search import kwic as whoosh_kwic

    return whoosh_kwic(index_dir, query, **options)


def count(index_dir: Path | str, query: str, by: str = "month", **options: Any):
    """indexer.count.count on the chosen backend."""
    if chosen() == "opensearch":
        from indexer.backends import opensearch

        return opensearch.count(target(), query, by, **options)
    from indexer.count import count as whoosh_count

    return whoosh_count(index_dir, query, by, **options)


def get_article(index_dir: Path | str, doc_id: str) -> dict:
    """indexer.search.get_article on the chosen backend."""
    if chosen() == "opensearch":
        from indexer.backends import opensearch

        return opensearch.get_article(target(), doc_id)
    from indexer.search import get_article as whoosh_get_article

    return whoosh_get_article(index_dir, doc_id)


def index_stats(index_dir: Path | str) -> dict:
    """indexer.stats.index_stats on the chosen backend."""
    if chosen() == "opensearch":
        from indexer.backends import opensearch

        return opensearch.index_stats(target())
    from indexer.stats import index_stats as whoosh_stats

    return whoosh_stats(index_dir)
