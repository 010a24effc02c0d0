"""The OpenSearch backend: the same query language and results as the Whoosh index, over an OpenSearch cluster.

Text is analyzed by OUR analyzers in Python (indexer.analyzers, the same objects the Whoosh schema uses: jieba
words with the index's user dictionary, characters folded to one form for traditional, simplified and variant
characters) and sent pre-tokenized: ``{field}_c`` holds the char tokens, ``{field}_w`` the jieba words, each joined
by single spaces into a field whose analyzer only splits on spaces, so OpenSearch never re-analyzes text
differently. Queries go through indexer.query.language's parse tree and its own leaf queries (``literal_queries``
/ ``word_queries``), translated one to one: a Whoosh Term becomes a ``term``, a char phrase a ``match_phrase`` on
the char field. Proximity, wildcard and bounded terms (a Latin letter or digit at an end: ``language.bounded``)
fetch candidates (span queries, phrases) and are verified on the stored text with ``language.term_spans``,
exactly as the Whoosh path does. Snippets, KWIC and occurrence counts are computed in Python from the stored text
by the same functions; hits per bucket, the archive's holdings and the statistics are aggregations.

Index layout: an alias (default ``epaper``) points at ``{alias}-v{TEMPLATE_VERSION}-{timestamp}``, created from
the versioned index template; its page records live in the sibling ``…-pages`` index (same template). A rebuild
fills new indexes and swaps the alias atomically, then deletes the old ones. Each article keeps its MinHash
signature (a stored binary field, not in _source), so every build re-clusters near-duplicates over the whole
index as the Whoosh build does. Errors reach callers as BackendError (an EpaperIndexError: one line, CLIs exit 2).
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from opensearchpy import OpenSearch, helpers
from opensearchpy import exceptions as oe
from whoosh import query as wq

from indexer.analyzers import (
    UserDict,
    char_analyzer,
    char_tokens,
    parse_userdict,
    read_userdict,
    use_userdict,
    userdict_text,
    word_analyzer,
)
from indexer.build import neardup
from indexer.build.writer import (
    BuildStats,
    ProgressCallback,
    _parse,
    _read_lines,
    find_sources,
    record_hash,
    to_document,
)
from indexer.build.writer import _scan as scan_archive
from indexer.errors import EpaperIndexError, QueryError, UserDictMismatchError
from indexer.query.count import (
    BYS,
    Bucket,
    CountResult,
    CountTable,
    Holding,
    bucket_of,
    empty_rows,
    is_day,
    table_of,
)
from indexer.query.language import (
    CompiledQuery,
    Leaf,
    Near,
    Node,
    Not,
    Or,
    bounded,
    compile_query,
    literal_queries,
    parse,
    term_spans,
    word_queries,
)
from indexer.query.search import (
    SORTS,
    SearchResult,
    _check_paging,
    _hit,
    check_filter_values,
    check_kwic,
    check_range,
    coverage_of,
    describe_pages,
    describe_paper,
    full_record,
    kwic_lines,
    with_parts,
)
from indexer.query.stats import as_ranges, gap_days
from indexer.schema import SCHEMA_VERSION, TEXT_FIELDS

# 2: schema 3's analyzers (variant characters folded), `chars` and `page_name` for count tables and page lists,
#    page records in a sibling index, MinHash signatures stored for re-clustering.
TEMPLATE_VERSION = 2
DEFAULT_ALIAS = "epaper"
PAGES = "-pages"  # suffix of the concrete index holding an article index's page records
TIER = 1_000_000.0  # added to the score of literal (strict) hits: the literal tier ranks first, as in Whoosh
WINDOW = 10_000  # OpenSearch's index.max_result_window: deeper pages are read with a scroll
CHUNK = 500  # articles per bulk request
RETRIES = 8  # attempts per bulk chunk on 429/503/connection loss, with exponential back-off
BACKOFF = 0.5  # s, doubled per attempt (capped at 10 s)
TERMS = 65_000  # buckets of one terms aggregation (below the cluster's search.max_buckets of 65,535)
# Stored (in _source) under the Whoosh stored-field names, so search._hit and kwic_lines read hits as is.
STORED = ("id", "paper", "paper_name", "date", "page_no", "page_name", "author", "url", "content_hash", "record",
          "kind", "cluster", *TEXT_FIELDS)
BUCKET_FIELDS = {"day": "by_day", "week": "by_week", "month": "by_month", "year": "by_year", "paper": "paper",
                 "page": "page_no"}
# Whoosh field name -> our field (word fields are the text fields' `_w` twins; page_name's char field is `_c`).
_FIELD = {**{name: f"{name}_w" for name in TEXT_FIELDS}, "page_name": "page_name_c"}
# Why an index of an older template cannot be queried, for the one-line message.
_OLDER = {1: "its characters were folded before variant forms (衞/卫, 著/着, 靑/青) matched each other"}


class BackendError(EpaperIndexError):
    """OpenSearch is unreachable, the index is missing or of another version, or the cluster refused a request."""


@dataclass(frozen=True)
class Target:
    """Where the articles live: cluster URL(s) and the alias searched (the path of the URL, default epaper)."""

    urls: tuple[str, ...]
    alias: str = DEFAULT_ALIAS

    @classmethod
    def parse(cls, url: str) -> Target:
        """Read `http://host:9200[/alias]` (several comma-separated hosts allowed); raise BackendError if bad."""
        urls, alias = [], DEFAULT_ALIAS
        for part in filter(None, (piece.strip() for piece in (url or "").split(","))):
            split = urlsplit(part if "://" in part else f"http://{part}")
            if split.scheme not in ("http", "https") or not split.hostname:
                raise BackendError(f"not an OpenSearch URL: {part!r} (expected e.g. http://127.0.0.1:9200)")
            alias = split.path.strip("/") or alias
            urls.append(urlunsplit((split.scheme, split.netloc, "", "", "")))
        if not urls:
            raise BackendError("no OpenSearch URL: give --url http://HOST:9200 or set OPENSEARCH_URL")
        if alias != alias.lower() or "/" in alias or alias.startswith(("_", "-")):
            raise BackendError(f"bad OpenSearch index name {alias!r}: lowercase, no '/', not starting with _ or -")
        return cls(tuple(urls), alias)

    def __str__(self) -> str:
        return f"{self.urls[0]}/{self.alias}"


def template(shards: int = 1, replicas: int = 0) -> dict:
    """The index template body of TEMPLATE_VERSION: settings (space-split analyzer) and mappings. Page record
    indexes use it too (they fill paper, paper_name, date, page_no, page_name, day and the bucket labels)."""
    tokens = {"type": "text", "analyzer": "tokens", "norms": True}
    properties: dict = {
        **{name: {"type": "keyword"} for name in ("id", "paper", "paper_name", "date", "page_no", "kind",
                                                   "cluster", "content_hash", *BUCKET_FIELDS.values())},
        "page_name": {"type": "keyword", "ignore_above": 1024},
        "day": {"type": "date", "format": "yyyy-MM-dd"},
        "chars": {"type": "integer"},  # non-whitespace characters of the text fields (count --normalize)
        "minhash": {"type": "binary", "store": True},  # near-duplicate signature, read back by re-clustering
        **{name: {"type": "text", "index": False} for name in ("author", "url", "record")},
        "page_name_c": tokens, "author_c": tokens,
    }
    for name in TEXT_FIELDS:
        properties[name] = {"type": "text", "index": False}
        properties[f"{name}_c"] = tokens
        properties[f"{name}_w"] = {**tokens, "index_options": "freqs"}
    return {
        "settings": {
            "number_of_shards": shards, "number_of_replicas": replicas,
            "analysis": {"tokenizer": {"spaces": {"type": "pattern", "pattern": " "}},
                         "analyzer": {"tokens": {"type": "custom", "tokenizer": "spaces"}}},
        },
        "mappings": {"dynamic": "strict", "_source": {"excludes": ["*_c", "*_w", "minhash"]},
                     "_meta": _versions(), "properties": properties},
    }


_CLIENTS: dict[Target, OpenSearch] = {}  # one per target and process: connections and the server check reused


def connect(target: Target) -> OpenSearch:
    """A client of the cluster that retries on another node, and on 429/502/503/504; checks the server once."""
    if target in _CLIENTS:
        return _CLIENTS[target]
    client = OpenSearch(list(target.urls), timeout=60, max_retries=3, retry_on_timeout=True,
                        retry_on_status=(429, 502, 503, 504))
    with errors(target):
        info = client.info()
    version = info.get("version", {})
    if version.get("distribution") != "opensearch" or not str(version.get("number", "")).startswith(("2.", "3.")):
        raise BackendError(f"{target.urls[0]} is not OpenSearch 2.x or 3.x (it says {version.get('distribution')}"
                           f" {version.get('number')})")
    _CLIENTS[target] = client
    return client


@contextmanager
def errors(target: Target) -> Iterator[None]:
    """Turn the client's exceptions into one-line BackendErrors."""
    try:
        yield
    except oe.ConnectionError as exc:
        raise BackendError(f"cannot reach OpenSearch at {', '.join(target.urls)}: "
                           f"{type(getattr(exc, 'info', None) or exc).__name__}") from None
    except oe.NotFoundError:
        raise BackendError(f"no OpenSearch index {target.alias!r} at {target.urls[0]}; build it with "
                           f"`python -m indexer build --backend opensearch --url {target} ARCHIVE_DIR`") from None
    except oe.TransportError as exc:
        reason = exc.info.get("error", {}).get("reason") if isinstance(exc.info, dict) else None
        raise BackendError(f"OpenSearch at {target.urls[0]} refused the request: HTTP {exc.status_code} "
                           f"{' '.join(str(reason or exc.error).split())}") from None


def _meta(client: OpenSearch, target: Target) -> tuple[str, dict]:
    """(concrete index, its _meta) behind the alias; BackendError if missing or of another template version."""
    with errors(target):
        mappings = client.indices.get_mapping(index=target.alias)
    name, body = next(iter(mappings.items()))
    meta = body["mappings"].get("_meta", {})
    if meta.get("template_version") != TEMPLATE_VERSION or meta.get("schema_version") != SCHEMA_VERSION:
        found = meta.get("template_version")
        why = f" ({_OLDER[found]})" if found in _OLDER else ""
        raise BackendError(f"OpenSearch index {target.alias!r} has template version {found} "
                           f"(analyzers of schema {meta.get('schema_version')}){why},"
                           f" this program needs {TEMPLATE_VERSION} (schema {SCHEMA_VERSION}); rebuild it with "
                           f"`python -m indexer build --rebuild --backend opensearch --url {target} ARCHIVE_DIR`")
    return name, meta


def _versions() -> dict:
    """The versions an index records: its template's, and the Whoosh schema's (whose analyzers made its tokens)."""
    return {"template_version": TEMPLATE_VERSION, "schema_version": SCHEMA_VERSION}


def _tokens(analyzer, text: str) -> str:
    """The analyzer's terms of text joined by spaces (no term holds whitespace: see the module doc)."""
    return " ".join(token.text for token in analyzer(text))


def to_source(record: dict, content_hash: str, cluster: str) -> dict:
    """The OpenSearch document of an archive article: stored fields, pre-tokenized fields, bucket labels."""
    doc = to_document(record, content_hash)
    words, chars = word_analyzer(), char_analyzer()
    source = {name: doc[name] for name in STORED if doc.get(name)}
    source.update(kind=str(record.get("kind") or "article"), cluster=cluster)
    length = 0
    for name in TEXT_FIELDS:
        source[f"{name}_c"] = _tokens(chars, doc.get(name, ""))
        source[f"{name}_w"] = _tokens(words, doc.get(name, ""))
        length += len(char_tokens(doc.get(name, "")))
    source["chars"] = length
    source["page_name_c"] = _tokens(chars, doc.get("page_name", ""))
    source["author_c"] = _tokens(chars, doc.get("author", ""))
    source.update(_day_fields(doc.get("date")))
    return source


def _day_fields(day: object) -> dict:
    """`day` and the period bucket labels of a real YYYY-MM-DD date (nothing for anything else)."""
    if not is_day(day):
        return {}
    return {"day": day, **{field: bucket_of(day, by) for by, field in BUCKET_FIELDS.items()
                           if by in ("day", "week", "month", "year")}}


def page_source(page: dict) -> dict:
    """The OpenSearch document of a page record (as the build's scan keeps it: page_no normalized)."""
    source = {name: str(page.get(name) or "").strip() for name in ("paper", "paper_name", "date", "page_no",
                                                                  "page_name")}
    return {**{name: value for name, value in source.items() if value}, **_day_fields(source["date"])}


# ---------------------------------------------------------------- build


def _records(files: list[Path], winners: dict) -> Iterator[dict]:
    """The winning record of every article id, in archive order."""
    wanted = {(winner.file_no, winner.line_no) for winner in winners.values()}
    for file_no, line_no, line in _read_lines(files):
        if (file_no, line_no) in wanted:
            record, _ = _parse(line)
            if record is not None:
                yield record


def _send(client: OpenSearch, actions: list[dict], target: Target) -> None:
    """Index one chunk, retrying the whole chunk (idempotent: ids) on 429/503 and lost nodes with back-off."""
    for attempt in range(RETRIES):
        try:
            failed = [item for ok, item in helpers.streaming_bulk(
                client, actions, chunk_size=len(actions), max_retries=3, initial_backoff=BACKOFF,
                raise_on_error=False, raise_on_exception=True) if not ok]
            retry = [item for item in failed if next(iter(item.values())).get("status") in (429, 503)]
            if not failed:
                return
            if len(retry) < len(failed):
                raise BackendError(f"OpenSearch refused an article: {json.dumps(failed[0], ensure_ascii=False)}")
        except (oe.ConnectionError, oe.ConnectionTimeout) as exc:
            if attempt == RETRIES - 1:
                with errors(target):
                    raise exc
        except oe.TransportError as exc:
            if exc.status_code not in (429, 503) or attempt == RETRIES - 1:
                with errors(target):
                    raise
        time.sleep(min(BACKOFF * 2 ** attempt, 10.0))
    raise BackendError(f"OpenSearch at {target.urls[0]} kept refusing a bulk request (429/503) after "
                       f"{RETRIES} attempts")


def _open_for_build(client: OpenSearch, target: Target, rebuild: bool, userdict: UserDict | None,
                    shards: int, replicas: int) -> tuple[str, bool, UserDict | None]:
    """(index to write, whether the alias must be swapped to it, user dictionary): the alias' index for an
    update, else an unfinished rebuild's index (resumed) or a new one from the template; its page index too."""
    prefix = f"{target.alias}-v{TEMPLATE_VERSION}-"
    with errors(target):
        client.indices.put_index_template(name=f"{target.alias}-v{TEMPLATE_VERSION}", body={
            "index_patterns": [f"{prefix}*"], "version": TEMPLATE_VERSION, "template": template(shards, replicas)})
        aliased = set(client.indices.get_alias(name=target.alias, ignore_unavailable=True) or {}) \
            if client.indices.exists_alias(name=target.alias) else set()
    if aliased and not rebuild:
        current, meta = _meta(client, target)
        built = parse_userdict(meta["userdict"]["text"].splitlines(), meta["userdict"]["source"]) \
            if meta.get("userdict") else None
        if userdict is not None and (built.digest if built else "") != (userdict.digest if userdict.entries else ""):
            raise UserDictMismatchError(f"OpenSearch index {target.alias!r} was built with another user dictionary;"
                                        f" use --rebuild to change it")
        _create(client, target, current + PAGES)
        return current, False, built
    with errors(target):
        unfinished = sorted(name for name in set(client.indices.get(index=f"{prefix}*")) - aliased
                            if not name.endswith(PAGES))
    name = unfinished[-1] if unfinished else prefix + datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    _create(client, target, name)
    _create(client, target, name + PAGES)
    meta = _versions()
    if userdict is not None and userdict.entries:
        meta["userdict"] = {"source": userdict.source, "digest": userdict.digest, "text": userdict_text(userdict)}
    with errors(target):
        client.indices.put_mapping(index=name, body={"_meta": meta})
        for older in unfinished[:-1]:
            client.indices.delete(index=f"{older},{older}{PAGES}", ignore_unavailable=True)
    return name, True, userdict


def _create(client: OpenSearch, target: Target, index: str) -> None:
    """Create index from the template unless it exists."""
    with errors(target):
        if not client.indices.exists(index=index):
            client.indices.create(index=index)


def _signature(stored: str | None) -> np.ndarray | None:
    """The MinHash values of a stored `minhash` field (None: none stored)."""
    return np.frombuffer(base64.b64decode(stored), dtype=np.uint64) if stored else None


def _indexed(client: OpenSearch, target: Target, index: str) -> dict[str, dict]:
    """{id: {content_hash, date, cluster, minhash}} of every article in index."""
    body = {"query": {"match_all": {}}, "_source": ["content_hash", "date", "cluster"], "stored_fields": ["minhash"]}
    return {hit["_id"]: {**hit.get("_source", {}), "minhash": (hit.get("fields", {}).get("minhash") or [None])[0]}
            for hit in _scan(client, replace(target, alias=index), body)}


def build(target: Target, sources: list[Path], *, rebuild: bool = False, userdict: Path | str | None = None,
          shards: int = 1, replicas: int = 0, progress: ProgressCallback | None = None) -> BuildStats:
    """Index the articles and page records of JSONL files/directories into the alias (a new index and an alias
    swap when rebuilding or when there is none yet; an interrupted rebuild's index is resumed). Idempotent:
    documents are keyed by article id (page records by page key). Near-duplicate clusters are recomputed over
    the whole index, as the Whoosh build does. progress(what, done, total) is called after every chunk.
    Raises BackendError, BuildInputError, UserDictMismatchError, OSError."""
    report = progress or (lambda what, done, total: None)
    started = time.perf_counter()
    files = find_sources(sources)
    stats, pages = BuildStats(files=len(files)), {}
    winners = scan_archive(files, stats, pages, progress)
    wanted = read_userdict(userdict) if userdict else None
    client = connect(target)
    index, swap, active = _open_for_build(client, target, rebuild, wanted, shards, replicas)
    use_userdict(active)
    records = list(_records(files, winners))
    known = _indexed(client, target, index)
    signatures = {doc_id: _signature(old.get("minhash")) for doc_id, old in known.items()}
    order = {doc_id: (str(old.get("date") or ""), doc_id) for doc_id, old in known.items()}
    for record in records:
        signatures[record["id"]] = neardup.signature_values(neardup.cluster_text(record))
        order[record["id"]] = (str(record.get("date") or "").strip(), record["id"])
    stale = set(known) - {record["id"] for record in records} if swap else set()  # a resumed rebuild's leftovers
    for doc_id in stale:
        del signatures[doc_id], order[doc_id]
    clusters = neardup.cluster(signatures, order)
    stats.clusters = len({head for doc_id, head in clusters.items() if doc_id != head})
    done = 0
    for start in range(0, len(records), CHUNK):
        chunk = records[start:start + CHUNK]
        actions = []
        for record in chunk:
            content_hash = record_hash(record)
            old = known.get(record["id"])
            if old is None:
                stats.added += 1
            elif old.get("content_hash") != content_hash:
                stats.updated += 1
            else:
                stats.unchanged += 1
            source = to_source(record, content_hash, clusters[record["id"]])
            values = signatures[record["id"]]
            if values is not None:
                source["minhash"] = base64.b64encode(np.asarray(values, dtype=np.uint64).tobytes()).decode("ascii")
            actions.append({"_op_type": "index", "_index": index, "_id": record["id"], "_source": source})
        _send(client, actions, target)
        done += len(chunk)
        report("indexing articles", done, len(records))
    fresh = {record["id"] for record in records}
    moved = [{"_op_type": "update", "_index": index, "_id": doc_id, "doc": {"cluster": head}}
             for doc_id, head in clusters.items() if doc_id not in fresh and known[doc_id].get("cluster") != head]
    moved += [{"_op_type": "delete", "_index": index, "_id": doc_id} for doc_id in sorted(stale)]
    page_actions = [{"_op_type": "index", "_index": index + PAGES, "_id": key, "_source": page_source(page)}
                    for key, page in pages.items()]
    for actions in (moved, page_actions):
        for start in range(0, len(actions), CHUNK):
            _send(client, actions[start:start + CHUNK], target)
    report("committing", 0, None)
    sizes = Counter(clusters.values())
    with errors(target):
        meta = next(iter(client.indices.get_mapping(index=index).values()))["mappings"].get("_meta", {})
        client.indices.put_mapping(index=index, body={"_meta": {
            **meta, "duplicate_clusters": stats.clusters,
            "articles_in_duplicate_clusters": sum(size for size in sizes.values() if size > 1)}})
        client.indices.refresh(index=f"{index},{index}{PAGES}")
        if swap:
            old = list(client.indices.get_alias(name=target.alias)) if client.indices.exists_alias(
                name=target.alias) else []
            client.indices.update_aliases(body={"actions": [
                *({"remove": {"index": name, "alias": target.alias}} for name in old),
                {"add": {"index": index, "alias": target.alias}}]})
            for name in old:
                client.indices.delete(index=f"{name},{name}{PAGES}", ignore_unavailable=True)
        stats.docs = client.count(index=target.alias)["count"]
    stats.seconds = time.perf_counter() - started
    return stats


def build_cli(args, progress: ProgressCallback | None = None) -> str:
    """`python -m indexer build --backend opensearch --url URL PATH...`: build; return the summary line."""
    target = Target.parse(args.url or "")
    stats = build(target, args.paths, rebuild=args.rebuild, userdict=args.userdict, shards=args.shards,
                  replicas=args.replicas, progress=progress)
    return stats.summary(target)


def drop(target: Target) -> None:
    """Delete everything build() made for the alias: its indexes (unfinished ones too), page indexes, template."""
    client = connect(target)
    ours = re.compile(rf"{re.escape(target.alias)}-v\d+-\d+(?:{PAGES})?")
    with errors(target):
        names = [name for name in client.indices.get(index=f"{target.alias}-v*") if ours.fullmatch(name)]
        if names:
            client.indices.delete(index=",".join(names))
        if client.indices.exists_index_template(name=f"{target.alias}-v{TEMPLATE_VERSION}"):
            client.indices.delete_index_template(name=f"{target.alias}-v{TEMPLATE_VERSION}")


def update_from_crawl(url: str, files: list[Path], crawl_stats) -> None:
    """Index a closing crawl's day files into OpenSearch (crawler.pipelines.index); a failure is logged, the
    archive stays the source to rebuild from."""
    import logging

    logger = logging.getLogger("crawler.pipelines.index")
    try:
        target = Target.parse(url)
        stats = build(target, files)
    except Exception as exc:  # the archive is safe on disk; the index can be rebuilt from it
        logger.error("index: OpenSearch update of %s failed: %s (run: python -m indexer build --backend opensearch "
                     "--url %s ARCHIVE_DIR)", url, " ".join(str(exc).split()), url)
        crawl_stats.inc_value("index/opensearch_failed")
        return
    crawl_stats.set_value("index/opensearch_added", stats.added)
    crawl_stats.set_value("index/opensearch_updated", stats.updated)
    logger.info("index: OpenSearch %s updated (%d added, %d updated, %d unchanged)", target, stats.added,
                stats.updated, stats.unchanged)


# ---------------------------------------------------------------- queries


def _leaf_dsl(query: wq.Query) -> dict:
    """One of indexer.query.language's leaf queries (Term, char Phrase) as Query DSL on our fields."""
    if isinstance(query, wq.Term):
        return {"term": {_FIELD.get(query.fieldname, query.fieldname): query.text}}
    if isinstance(query, wq.Phrase):
        return {"match_phrase": {_FIELD.get(query.fieldname, query.fieldname): " ".join(query.words)}}
    raise TypeError(f"no Query DSL for {query!r}")  # pragma: no cover - literal/word queries are Terms and Phrases


def _any(parts: list[dict]) -> dict:
    """A bool query matching any of parts."""
    return parts[0] if len(parts) == 1 else {"bool": {"should": parts, "minimum_should_match": 1}}


def _span(field: str, chars: list[str]) -> dict:
    """A span matching the chars at consecutive positions of a char field."""
    terms = [{"span_term": {field: ch}} for ch in chars]
    return terms[0] if len(terms) == 1 else {"span_near": {"clauses": terms, "slop": 0, "in_order": True}}


def _candidates(term: Leaf | Near, name: str) -> dict:
    """Docs that may hold the wildcard, bounded or proximity term in text field name: a superset that the stored
    text then decides. Lucene's ordered span slop is our distance (positions between the end of one side and the
    start of the other, whitespace taking none), either order being two ordered spans."""
    field = f"{name}_c"
    if isinstance(term, Leaf):
        return {"match_phrase": {field: " ".join(char_tokens(term.text))}}
    left, right = (_span(field, char_tokens(side.text)) for side in (term.left, term.right))
    orders = [(left, right)] if term.ordered else [(left, right), (right, left)]
    spans = [{"span_near": {"clauses": list(pair), "slop": term.distance, "in_order": True}} for pair in orders]
    return spans[0] if len(spans) == 1 else {"span_or": {"clauses": spans}}


class _Translator:
    """The parse tree as Query DSL, node for node as indexer.query.language._Evaluator evaluates it on Whoosh."""

    def __init__(self, client: OpenSearch, target: Target, filters: list[dict]) -> None:
        self.client, self.target, self.filters = client, target, filters
        self._verified: dict[Leaf | Near, dict] = {}

    def verified(self, term: Leaf | Near) -> dict:
        """An ids query of the docs where a wildcard, proximity or bounded term really matches (stored text
        checked)."""
        if term not in self._verified:
            names = TEXT_FIELDS if term.field is None else (term.field,)
            candidates = _any([_candidates(term, name) for name in names])  # one request for every field
            body = {"query": {"bool": {"filter": [candidates, *self.filters]}}, "_source": list(names)}
            found = {hit["_id"] for hit in _scan(self.client, self.target, body)
                     if any(term_spans(term, hit["_source"].get(name, "")) for name in names)}
            self._verified[term] = {"ids": {"values": sorted(found)}}
        return self._verified[term]

    def leaf(self, leaf: Leaf, strict: bool) -> dict:
        """Literal matches (checked on the text for a bounded leaf), plus (unless strict) docs holding every
        jieba word of the leaf."""
        literal = self.verified(leaf) if bounded(leaf) else _any([_leaf_dsl(query) for query in literal_queries(leaf)])
        per_word = word_queries(leaf)
        if strict or not per_word:
            return literal
        words = {"bool": {"filter": [_any([_leaf_dsl(query) for query in queries]) for queries in per_word]}}
        return _any([literal, words])

    def node(self, node: Node, strict: bool) -> dict:
        """The docs matching node; strict=True counts plain words as literal only (exclusions are always loose)."""
        if isinstance(node, Near) or (isinstance(node, Leaf) and node.wildcard):
            return self.verified(node)
        if isinstance(node, Leaf):
            return self.leaf(node, strict)
        if isinstance(node, Or):
            return _any([self.node(child, strict) for child in node.children])
        children = (node,) if isinstance(node, Not) else node.children
        positive = [self.node(child, strict) for child in children if not isinstance(child, Not)]
        negative = [self.node(child.child, strict=False) for child in children if isinstance(child, Not)]
        return {"bool": {"filter": positive, "must_not": negative}} if negative else \
            (positive[0] if len(positive) == 1 else {"bool": {"filter": positive}})


def _filters(paper: str | None, date_from: str | None, date_to: str | None) -> list[dict]:
    """Paper and date range filters, as search._filter (dates are YYYY-MM-DD strings compared as text)."""
    found = []
    if paper:
        found.append(_any([{"term": {"paper": paper}}, {"term": {"paper_name": paper}}]))
    if date_from or date_to:
        found.append({"range": {"date": {key: value for key, value in (("gte", date_from), ("lte", date_to))
                                         if value}}})
    return found


@dataclass
class _Run:
    """A query translated against one cluster: the DSL of its hits, ranking and the compiled query."""

    client: OpenSearch
    target: Target
    compiled: CompiledQuery
    body: dict


def _sort(sort: str) -> list:
    """Sort clauses: literal tier and BM25 (in the score), then newest; by date with relevance among a day."""
    newest = {"date": {"order": "desc", "missing": "_last"}}
    by_id = {"id": {"order": "asc"}}
    if sort == "date":
        return [{"date": {"order": "asc", "missing": "_first"}}, "_score", by_id]
    if sort == "-date":
        return [newest, "_score", by_id]
    return ["_score", newest, by_id]


@contextmanager
def run_query(target: Target, query: str, *, paper: str | None = None, date_from: str | None = None,
              date_to: str | None = None, sort: str = "relevance") -> Iterator[_Run]:
    """Validate the query and options, connect, activate the index's user dictionary, refuse unknown papers and
    pages (search.check_filters), translate."""
    parse(query)  # query errors first, before connection errors
    check_range(date_from, date_to)
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    client = connect(target)
    _, meta = _meta(client, target)
    info = meta.get("userdict")
    use_userdict(parse_userdict(info["text"].splitlines(), info["source"]) if info else None)
    compiled = compile_query(query)
    check_filter_values(compiled, paper, lambda leaf: _ask(client, target, {
        "size": 0, "terminate_after": 1, "track_total_hits": 1,
        "query": _any([_leaf_dsl(part) for part in literal_queries(leaf)])})["hits"]["total"]["value"] > 0,
        lambda: _known_papers(client, target), lambda: _known_pages(client, target))
    filters = _filters(paper, date_from, date_to)
    translator = _Translator(client, target, filters)
    loose = translator.node(compiled.ast, strict=False)
    should = []
    scoring = compiled.scoring_query()
    if scoring is not None:
        should += [_leaf_dsl(part) for part in (scoring.subqueries if isinstance(scoring, wq.Or) else [scoring])]
    if compiled.has_words:
        should.append({"constant_score": {"filter": translator.node(compiled.ast, strict=True), "boost": TIER}})
    body = {"query": {"bool": {"filter": [loose, *filters], "should": should}}, "sort": _sort(sort),
            "track_total_hits": True}
    yield _Run(client, target, compiled, body)


def _answer(target: Target, ask: Callable[[], object]) -> object:
    """ask() (a search or a scan drained to a list, partial results refused), retried with back-off while a lost
    node's shards fail over to their replicas; then a one-line BackendError."""
    for attempt in range(RETRIES):
        try:
            return ask()
        except (oe.ConnectionError, oe.ConnectionTimeout, helpers.ScanError) as exc:
            last: Exception = exc
        except oe.TransportError as exc:
            if not isinstance(exc.status_code, int) or exc.status_code < 500:
                with errors(target):
                    raise
            last = exc
        time.sleep(min(BACKOFF * 2 ** attempt, 10.0))
    if isinstance(last, helpers.ScanError):
        raise BackendError(f"OpenSearch at {target.urls[0]}: some shards did not answer ({last})")
    with errors(target):
        raise last


def _ask(client: OpenSearch, target: Target, body: dict, index: str | None = None) -> dict:
    """One search of the alias (or index); every shard must answer."""
    return _answer(target, lambda: client.search(index=index or target.alias, body=body,
                                                 allow_partial_search_results=False))


def _search(run: _Run, body: dict) -> dict:
    """One search of the run's alias."""
    return _ask(run.client, run.target, body)


def _scan(client: OpenSearch, target: Target, body: dict, preserve_order: bool = False) -> list[dict]:
    """Every hit of body (in its sort order with preserve_order); one search when they fit the result window, else
    a scroll; every shard must answer."""
    first = _ask(client, target, {**body, "size": WINDOW, "track_total_hits": True,
                                  **({} if preserve_order else {"sort": ["_doc"]})})
    if first["hits"]["total"]["value"] <= len(first["hits"]["hits"]):
        return first["hits"]["hits"]
    return _answer(target, lambda: list(helpers.scan(client, index=target.alias, query=body,
                                                     preserve_order=preserve_order,
                                                     allow_partial_search_results=False)))


def _buckets(client: OpenSearch, target: Target, field: str, query: dict | None = None, index: str | None = None,
             aggs: dict | None = None, missing: bool = True) -> list[dict]:
    """The terms aggregation buckets of a keyword field over the docs of query (all docs without one), by key;
    missing: docs without the field form the "" bucket; aggs: sub-aggregations of each bucket."""
    terms: dict = {"field": field, "size": TERMS, "order": {"_key": "asc"}, **({"missing": ""} if missing else {})}
    body = {"size": 0, "query": query or {"match_all": {}}, "aggs": {"values": {"terms": terms, **(
        {"aggs": aggs} if aggs else {})}}}
    return _ask(client, target, body, index)["aggregations"]["values"]["buckets"]


def _first_key(bucket: dict, name: str) -> str:
    """The key of a bucket's first sub-bucket `name` ("" if none)."""
    return (bucket[name]["buckets"] or [{"key": ""}])[0]["key"]


def _known_papers(client: OpenSearch, target: Target) -> list[str]:
    """The index's papers as search.known_papers lists them."""
    return [describe_paper(bucket["key"], _first_key(bucket, "name")) for bucket in _buckets(
        client, target, "paper", missing=False, aggs={"name": {"terms": {"field": "paper_name", "size": 1}}})]


def _known_pages(client: OpenSearch, target: Target) -> list[str]:
    """The index's page numbers with (up to 20 of) their page names, as search.known_pages lists them."""
    names = {"terms": {"field": "page_name", "size": 20, "order": {"_key": "asc"}}}
    return describe_pages({bucket["key"]: [name["key"] for name in bucket["names"]["buckets"]] for bucket in
                           _buckets(client, target, "page_no", missing=False, aggs={"names": names})})


def _hits(run: _Run, start: int, stop: int | None, source: list[str] | bool = True) -> tuple[int, list[dict]]:
    """(total, hits[start:stop]) in rank order; pages past the result window are read with a scroll."""
    if stop is not None and stop <= WINDOW:
        reply = _search(run, {**run.body, "from": start, "size": stop - start, "_source": source})
        return reply["hits"]["total"]["value"], reply["hits"]["hits"]
    hits = _scan(run.client, run.target, {**run.body, "_source": source, "track_scores": True}, preserve_order=True)
    return len(hits), hits[start:stop]


def _exact(run: _Run, hit: dict) -> tuple[float, bool]:
    """(BM25 score, whether the hit is in the literal tier) of a hit."""
    score = hit.get("_score") or 0.0
    if not run.compiled.has_words:
        return score, True
    return (score - TIER, True) if score >= TIER else (score, False)


def _earliest(hits: list[dict]) -> dict[str, list[dict]]:
    """{cluster: its hits, the earliest (by date, then id) first}, clusters in the order of their first hit."""
    groups: dict[str, list[dict]] = {}
    for hit in hits:
        groups.setdefault(hit["_source"].get("cluster") or hit["_id"], []).append(hit)
    return {cluster: sorted(members, key=lambda hit: (hit["_source"].get("date") or "\uffff", hit["_id"]))
            for cluster, members in groups.items()}


def _select(run: _Run, limit: int | None, page: int, collapse: bool) -> tuple[int, list[tuple]]:
    """(total, [(source, score, strict, cluster, copies)]) of one page, as search._select: collapsed, one entry
    per near-duplicate cluster where its best copy ranks, showing its earliest matching copy."""
    start = 0 if limit is None else (page - 1) * limit
    stop = None if limit is None else start + limit
    if not collapse:
        total, hits = _hits(run, start, stop)
        return total, [(hit["_source"], *_exact(run, hit), None, None) for hit in hits]
    _, ranked = _hits(run, 0, None, ["cluster", "date"])
    groups = _earliest(ranked)
    shown = [(members[0], cluster, len(members)) for cluster, members in list(groups.items())[start:stop]]
    with errors(run.target):
        docs = run.client.mget(index=run.target.alias, body={"ids": [hit["_id"] for hit, *_ in shown]})["docs"] \
            if shown else []
    return len(groups), [(doc["_source"], *_exact(run, hit), cluster, copies)
                         for doc, (hit, cluster, copies) in zip(docs, shown, strict=True)]


def search(target: Target, query: str, *, paper: str | None = None, date_from: str | None = None,
           date_to: str | None = None, limit: int | None = 20, page: int = 1, sort: str = "relevance",
           collapse: bool = False, with_record: bool = False, snippet_chars: int = 80) -> SearchResult:
    """indexer.query.search.search on OpenSearch: same hits (ranking within a tier differs), same hit dicts."""
    _check_paging(limit, page)
    started = time.perf_counter()
    with run_query(target, query, paper=paper, date_from=date_from, date_to=date_to, sort=sort) as run:
        total, shown = _select(run, limit, page, collapse)
    hits = []
    for source, score, is_strict, cluster, copies in shown:
        hit = _hit(source, score, is_strict, run.compiled, snippet_chars, with_record)
        if collapse:
            hit.update(cluster=cluster, copies=copies)
        hits.append(hit)
    return SearchResult(query, total, time.perf_counter() - started, hits)


def kwic(target: Target, query: str, *, width: int = 20, limit: int | None = None, page: int = 1,
         **options) -> list[dict]:
    """indexer.query.search.kwic on OpenSearch."""
    check_kwic(width, limit, page, options)
    with run_query(target, query, paper=options.get("paper"), date_from=options.get("date_from"),
                   date_to=options.get("date_to"), sort=options.get("sort", "relevance")) as run:
        _, shown = _select(run, limit, page, bool(options.get("collapse")))
    return [line for source, *_ in shown for line in kwic_lines(source, run.compiled, width)]


def count(target: Target, query: str, by: str = "month", *, date_from: str | None = None,
          date_to: str | None = None, paper: str | None = None, collapse: bool = False) -> CountResult:
    """indexer.query.count.count on OpenSearch: hits per bucket by a terms aggregation on the bucket's label field,
    occurrences from the stored text of the hits (as the Whoosh general path); collapse counts each
    near-duplicate cluster once, as its earliest matching copy."""
    if by not in BYS:
        raise QueryError(f"--by must be one of {', '.join(BYS)}, got {by!r}")
    field = BUCKET_FIELDS[by]
    with run_query(target, query, paper=paper, date_from=date_from, date_to=date_to) as run:
        client = run.client
        names = {bucket["key"]: _first_key(bucket, "name") for bucket in _buckets(
            client, target, "paper", missing=False, aggs={"name": {"terms": {"field": "paper_name", "size": 1}}})} \
            if by == "paper" else {}
        rows = empty_rows(by, paper, date_from, date_to, lambda: [
            bucket["key"] for bucket in _buckets(client, target, field, missing=False)],
            lambda key: names.get(key, ""), lambda: _date_span(run, paper))
        hits = _scan(client, target, {"query": run.body["query"], "_source": [field, "cluster", "date", *TEXT_FIELDS]})
        if collapse:
            hits = [members[0] for members in _earliest(hits).values()]
        else:
            for bucket in _buckets(client, target, field, run.body["query"]):
                rows.setdefault(bucket["key"], Bucket(bucket["key"])).hits += bucket["doc_count"]
        for hit in hits:
            stored = hit["_source"]
            row = rows.setdefault(stored.get(field, ""), Bucket(stored.get(field, "")))
            row.hits += 1 if collapse else 0  # else counted by the aggregation above
            row.occurrences += sum(len(run.compiled.match_spans(name, stored.get(name, ""))) for name in TEXT_FIELDS)
    return CountResult(query, by, date_from, date_to, list(rows.values()))


def count_table(target: Target, queries: list[str], by: str = "month", *, date_from: str | None = None,
                date_to: str | None = None, paper: str | None = None, collapse: bool = False) -> CountTable:
    """indexer.query.count.count_table on OpenSearch: the queries' counts beside the archive's holdings."""
    if not queries:
        raise QueryError("count needs at least one query")
    results = [count(target, query, by, date_from=date_from, date_to=date_to, paper=paper, collapse=collapse)
               for query in queries]
    return table_of(results, holdings(target, by, date_from=date_from, date_to=date_to, paper=paper),
                    by, date_from, date_to, collapse)


def holdings(target: Target, by: str, *, date_from: str | None = None, date_to: str | None = None,
             paper: str | None = None) -> dict[str, Holding]:
    """indexer.query.count.archive_holdings on OpenSearch: articles and characters per bucket (aggregations over
    the articles), and the buckets holding an issue (an article, or a page record of the page index)."""
    client = connect(target)
    name, _ = _meta(client, target)
    field = BUCKET_FIELDS[by]
    found: dict[str, Holding] = {}
    articles = {"bool": {"filter": _filters(paper, date_from, date_to)}}
    for bucket in _buckets(client, target, field, articles, aggs={"chars": {"sum": {"field": "chars"}}}):
        found[bucket["key"]] = Holding(bucket["doc_count"], int(bucket["chars"]["value"]), True)
    # Page records count where their day is real and in the range (by paper/page: only when a range is asked).
    pages = _filters(paper, None, None)
    if date_from or date_to:
        pages.append({"range": {"day": {key: value for key, value in (("gte", date_from), ("lte", date_to))
                                        if value}}})
    for bucket in _buckets(client, target, field, {"bool": {"filter": pages}}, name + PAGES,
                           missing=by in ("paper", "page")):
        found.setdefault(bucket["key"], Holding()).issues = True
    return found


def _date_span(run: _Run, paper: str | None) -> tuple[str | None, str | None]:
    """First and last real days of the index's articles (of that paper)."""
    query = {"bool": {"filter": _filters(paper, None, None)}}
    reply = _search(run, {"size": 0, "query": query, "aggs": {
        "first": {"min": {"field": "day", "format": "yyyy-MM-dd"}},
        "last": {"max": {"field": "day", "format": "yyyy-MM-dd"}}}})
    aggs = reply["aggregations"]
    return aggs["first"].get("value_as_string"), aggs["last"].get("value_as_string")


def coverage_note(target: Target, date_from: str | None, date_to: str | None,
                  paper: str | None = None) -> str | None:
    """indexer.query.search.coverage_note on OpenSearch (the archived days from an aggregation)."""
    if not (date_from or date_to):
        return None
    client = connect(target)
    _meta(client, target)
    days = [bucket["key"] for bucket in _buckets(client, target, "by_day", {"bool": {"filter": _filters(
        paper, None, None)}}, missing=False)]
    return coverage_of(days, date_from, date_to, paper)


def collocates(target: Target, query: str, **options) -> None:
    """Collocates need the Whoosh index's word postings: refused in one line."""
    raise BackendError("collocates runs on the Whoosh index only (--backend whoosh --index DIR); "
                       "build one from the same archive with `python -m indexer build --index DIR ARCHIVE_DIR`")


def get_article(target: Target, doc_id: str) -> dict:
    """indexer.query.search.get_article on OpenSearch: the record, its continuation parts and full text."""
    client = connect(target)
    _meta(client, target)

    def fetch(key: str) -> dict | None:
        if not key:
            return None
        with errors(target):
            docs = client.mget(index=target.alias, body={"ids": [key]})["docs"]
        return full_record(docs[0]["_source"]) if docs[0].get("found") else None

    return with_parts(fetch, doc_id, target)


def index_stats(target: Target) -> dict:
    """indexer.query.stats.index_stats on OpenSearch (aggregations per paper; near-duplicate figures recorded by
    the last build)."""
    client = connect(target)
    name, meta = _meta(client, target)
    days = {"days": {"terms": {"field": "by_day", "size": TERMS}}}
    papers = _buckets(client, target, "paper", aggs={"name": {"terms": {"field": "paper_name", "size": 1}}, **days})
    pages = {bucket["key"]: bucket["doc_count"] for bucket in _buckets(client, target, "paper", index=name + PAGES)}
    with errors(target):
        articles = client.count(index=target.alias)["count"]
    by_key = {bucket["key"]: bucket for bucket in papers}
    rows, all_days, undated = [], set(), 0
    for key in sorted({*by_key, *pages}):
        bucket = by_key.get(key)
        found = {day["key"] for day in bucket["days"]["buckets"]} if bucket else set()
        total = bucket["doc_count"] if bucket else 0
        lacking = total - sum(day["doc_count"] for day in bucket["days"]["buckets"]) if bucket else 0
        all_days |= found
        undated += lacking
        gaps = gap_days(found)
        rows.append({"paper": key, "paper_name": _first_key(bucket, "name") if bucket else "", "articles": total,
                     "pages": pages.get(key, 0), "undated": lacking, "first": min(found) if found else "",
                     "last": max(found) if found else "", "days": len(found), "gap_days": len(gaps),
                     "gaps": as_ranges(gaps)})
    overall_gaps = gap_days(all_days)
    return {"index": f"{target} ({name})", "schema_version": meta.get("schema_version"),
            "userdict": (meta.get("userdict") or {}).get("source", ""), "papers": rows, "articles": articles,
            "pages": sum(pages.values()), "undated": undated, "first": min(all_days) if all_days else "",
            "last": max(all_days) if all_days else "", "days": len(all_days), "gap_days": len(overall_gaps),
            "gaps": as_ranges(overall_gaps), "duplicate_clusters": meta.get("duplicate_clusters", 0),
            "articles_in_duplicate_clusters": meta.get("articles_in_duplicate_clusters", 0)}


__all__ = ["BackendError", "Target", "build", "collocates", "count", "count_table", "coverage_note", "get_article",
           "holdings", "index_stats", "kwic", "search"]
