"""The OpenSearch backend: the same query language and results as the Whoosh index, over an OpenSearch cluster.

Text is analyzed by OUR analyzers in Python (indexer.analyzers, the same objects the Whoosh schema uses) and sent
pre-tokenized: ``{field}_c`` holds the char tokens, ``{field}_w`` the jieba words, each joined by single spaces
into a field whose analyzer only splits on spaces, so OpenSearch never re-analyzes text differently. Queries go
through indexer.query's parse tree and its own leaf queries (``literal_queries`` / ``word_queries``), translated
one to one: a Whoosh Term becomes a ``term``, a char phrase a ``match_phrase`` on the char field. Proximity and
wildcard terms fetch candidates (span queries, phrases) and are verified on the stored text with
``query.term_spans``, exactly as the Whoosh path does. Snippets, KWIC and occurrence counts are computed in Python
from the stored text by the same functions.

Index layout: an alias (default ``epaper``) points at ``{alias}-v{TEMPLATE_VERSION}-{timestamp}``, created from
the versioned index template; a rebuild fills a new index and swaps the alias atomically, then deletes the old one.
Errors reach callers as BackendError (an EpaperIndexError: one line, CLIs exit 2).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from opensearchpy import OpenSearch, helpers
from opensearchpy import exceptions as oe
from whoosh import query as wq

from indexer import neardup
from indexer.analyzers import (
    UserDict,
    char_analyzer,
    parse_userdict,
    read_userdict,
    use_userdict,
    userdict_text,
    word_analyzer,
)
from indexer.count import BYS, Bucket, CountResult, bucket_of, empty_rows, is_day
from indexer.errors import EpaperIndexError, QueryError, UserDictMismatchError
from indexer.query import (
    CompiledQuery,
    Leaf,
    Near,
    Node,
    Not,
    Or,
    compile_query,
    literal_queries,
    parse,
    term_spans,
    word_queries,
)
from indexer.schema import SCHEMA_VERSION, TEXT_FIELDS
from indexer.search import (
    SORTS,
    SearchResult,
    _check_paging,
    _hit,
    check_kwic,
    check_range,
    full_record,
    kwic_lines,
    with_parts,
)
from indexer.stats import as_ranges, gap_days
from indexer.writer import BuildStats, _parse, _read_lines, find_sources, record_hash, to_document
from indexer.writer import _scan as scan_archive

TEMPLATE_VERSION = 1
DEFAULT_ALIAS = "epaper"
TIER = 1_000_000.0  # added to the score of literal (strict) hits: the literal tier ranks first, as in Whoosh
WINDOW = 10_000  # OpenSearch's index.max_result_window: deeper pages are read with a scroll
CHUNK = 500  # articles per bulk request
RETRIES = 8  # attempts per bulk chunk on 429/503/connection loss, with exponential back-off
BACKOFF = 0.5  # s, doubled per attempt (capped at 10 s)
# Stored (in _source) under the Whoosh stored-field names, so search._hit and kwic_lines read hits as is.
STORED = ("id", "paper", "paper_name", "date", "page_no", "page_name", "author", "url", "content_hash", "record",
          "kind", "cluster", *TEXT_FIELDS)
BUCKET_FIELDS = {"day": "by_day", "week": "by_week", "month": "by_month", "year": "by_year", "paper": "paper",
                 "page": "page_no"}
# Whoosh field name -> our field (word fields are the text fields' `_w` twins; page_name's char field is `_c`).
_FIELD = {**{name: f"{name}_w" for name in TEXT_FIELDS}, "page_name": "page_name_c"}


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
    """The index template body of TEMPLATE_VERSION: settings (space-split analyzer) and mappings."""
    tokens = {"type": "text", "analyzer": "tokens", "norms": True}
    properties: dict = {
        **{name: {"type": "keyword"} for name in ("id", "paper", "paper_name", "date", "page_no", "kind",
                                                   "cluster", "content_hash", *BUCKET_FIELDS.values())},
        "day": {"type": "date", "format": "yyyy-MM-dd"},
        **{name: {"type": "text", "index": False} for name in ("page_name", "author", "url", "record")},
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
        "mappings": {"dynamic": "strict", "_source": {"excludes": ["*_c", "*_w"]},
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
        raise BackendError(f"OpenSearch index {target.alias!r} has template version {meta.get('template_version')} "
                           f"(analyzers of schema {meta.get('schema_version')}),"
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
    for name in TEXT_FIELDS:
        source[f"{name}_c"] = _tokens(chars, doc.get(name, ""))
        source[f"{name}_w"] = _tokens(words, doc.get(name, ""))
    source["page_name_c"] = _tokens(chars, doc.get("page_name", ""))
    source["author_c"] = _tokens(chars, doc.get("author", ""))
    if is_day(doc.get("date")):
        source["day"] = doc["date"]
        source.update({field: bucket_of(doc["date"], by) for by, field in BUCKET_FIELDS.items()
                       if by in ("day", "week", "month", "year")})
    return source


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
    update, else an unfinished rebuild's index (resumed) or a new one from the template."""
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
        return current, False, built
    with errors(target):
        unfinished = sorted(set(client.indices.get(index=f"{prefix}*")) - aliased)
    name = unfinished[-1] if unfinished else prefix + datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    with errors(target):
        if not unfinished:
            client.indices.create(index=name)
        meta = _versions()
        if userdict is not None and userdict.entries:
            meta["userdict"] = {"source": userdict.source, "digest": userdict.digest,
                                "text": userdict_text(userdict)}
        client.indices.put_mapping(index=name, body={"_meta": meta})
        for older in unfinished[:-1]:
            client.indices.delete(index=older)
    return name, True, userdict


def build(target: Target, sources: list[Path], *, rebuild: bool = False, userdict: Path | str | None = None,
          shards: int = 1, replicas: int = 0, progress: Callable[[int, int], None] | None = None) -> BuildStats:
    """Index the articles of JSONL files/directories into the alias (a new index and an alias swap when rebuilding
    or when there is none yet; an interrupted rebuild's index is resumed). Idempotent: documents are keyed by
    article id. progress(done, total) is called after every chunk. Raises BackendError, BuildInputError, ..."""
    started = time.perf_counter()
    files = find_sources(sources)
    stats, pages = BuildStats(files=len(files)), {}
    winners = scan_archive(files, stats, pages)
    wanted = read_userdict(userdict) if userdict else None
    client = connect(target)
    index, swap, active = _open_for_build(client, target, rebuild, wanted, shards, replicas)
    use_userdict(active)
    records = list(_records(files, winners))
    signatures = {record["id"]: neardup.signature(neardup.cluster_text(record)) for record in records}
    clusters = neardup.cluster(signatures, {r["id"]: (str(r.get("date") or ""), r["id"]) for r in records})
    stats.clusters = len({head for doc_id, head in clusters.items() if doc_id != head})
    known = {hit["_id"]: hit.get("_source", {}).get("content_hash") for hit in _scan(
        client, replace(target, alias=index), {"query": {"match_all": {}}, "_source": ["content_hash"]})}
    done = 0
    for start in range(0, len(records), CHUNK):
        chunk = records[start:start + CHUNK]
        actions = []
        for record in chunk:
            content_hash = record_hash(record)
            if record["id"] not in known:
                stats.added += 1
            elif known[record["id"]] != content_hash:
                stats.updated += 1
            else:
                stats.unchanged += 1
            actions.append({"_op_type": "index", "_index": index, "_id": record["id"],
                            "_source": to_source(record, content_hash, clusters[record["id"]])})
        _send(client, actions, target)
        done += len(chunk)
        if progress:
            progress(done, len(records))
    with errors(target):
        per_paper = Counter(str(page.get("paper") or "") for page in pages.values())
        if not swap:
            _, meta = _meta(client, target)
            per_paper = {**meta.get("pages", {}), **per_paper}
        client.indices.put_mapping(index=index, body={"_meta": {**_meta_of(client, index), "pages": per_paper}})
        client.indices.refresh(index=index)
        if swap:
            old = list(client.indices.get_alias(name=target.alias)) if client.indices.exists_alias(
                name=target.alias) else []
            client.indices.update_aliases(body={"actions": [
                *({"remove": {"index": name, "alias": target.alias}} for name in old),
                {"add": {"index": index, "alias": target.alias}}]})
            for name in old:
                client.indices.delete(index=name)
        stats.docs = client.count(index=target.alias)["count"]
    stats.seconds = time.perf_counter() - started
    return stats


def build_cli(args) -> int:
    """`python -m indexer build --backend opensearch --url URL PATH...`: build, print the summary; 0."""
    target = Target.parse(args.url or "")
    stats = build(target, args.paths, rebuild=args.rebuild, userdict=args.userdict, shards=args.shards,
                  replicas=args.replicas, progress=print_progress)
    print(stats.summary(target))
    return 0


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


def _meta_of(client: OpenSearch, index: str) -> dict:
    """The _meta of a concrete index."""
    return next(iter(client.indices.get_mapping(index=index).values()))["mappings"].get("_meta", {})


def print_progress(done: int, total: int) -> None:
    """Progress on stderr every 10,000 articles and at the end."""
    if done % 10_000 < CHUNK or done == total:
        print(f"indexed {done:,}/{total:,} articles", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- queries


def _leaf_dsl(query: wq.Query) -> dict:
    """One of indexer.query's leaf queries (Term, char Phrase) as Query DSL on our fields."""
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
    """Docs that may hold the wildcard/proximity term in text field name: a superset that the stored text
    then decides. Lucene's ordered span slop is our distance (positions between the end of one side and the
    start of the other, whitespace taking none), either order being two ordered spans."""
    from indexer.analyzers import char_tokens

    field = f"{name}_c"
    if isinstance(term, Leaf):
        return {"match_phrase": {field: " ".join(char_tokens(term.text))}}
    left, right = (_span(field, char_tokens(side.text)) for side in (term.left, term.right))
    orders = [(left, right)] if term.ordered else [(left, right), (right, left)]
    spans = [{"span_near": {"clauses": list(pair), "slop": term.distance, "in_order": True}} for pair in orders]
    return spans[0] if len(spans) == 1 else {"span_or": {"clauses": spans}}


class _Translator:
    """The parse tree as Query DSL, node for node as indexer.query._Evaluator evaluates it on Whoosh."""

    def __init__(self, client: OpenSearch, target: Target, filters: list[dict]) -> None:
        self.client, self.target, self.filters = client, target, filters
        self._verified: dict[Leaf | Near, dict] = {}

    def verified(self, term: Leaf | Near) -> dict:
        """An ids query of the docs where a wildcard or proximity term really matches (stored text checked)."""
        if term not in self._verified:
            found: set[str] = set()
            for name in TEXT_FIELDS if term.field is None else (term.field,):
                body = {"query": {"bool": {"filter": [_candidates(term, name), *self.filters]}}, "_source": [name]}
                found.update(hit["_id"] for hit in _scan(self.client, self.target, body)
                             if term_spans(term, hit["_source"].get(name, "")))
            self._verified[term] = {"ids": {"values": sorted(found)}}
        return self._verified[term]

    def leaf(self, leaf: Leaf, strict: bool) -> dict:
        """Literal matches, plus (unless strict) docs holding every jieba word of the leaf."""
        literal = _any([_leaf_dsl(query) for query in literal_queries(leaf)])
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
    """Validate the query and options, connect, activate the index's user dictionary, translate."""
    parse(query)  # query errors first, before connection errors
    check_range(date_from, date_to)
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    client = connect(target)
    _, meta = _meta(client, target)
    info = meta.get("userdict")
    use_userdict(parse_userdict(info["text"].splitlines(), info["source"]) if info else None)
    compiled = compile_query(query)
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


def _search(run: _Run, body: dict) -> dict:
    """One search of the alias; every shard must answer."""
    return _answer(run.target, lambda: run.client.search(index=run.target.alias, body=body,
                                                           allow_partial_search_results=False))


def _scan(client: OpenSearch, target: Target, body: dict, **options) -> list[dict]:
    """Every hit of body (a scroll); every shard must answer."""
    return _answer(target, lambda: list(helpers.scan(client, index=target.alias, query=body,
                                                     allow_partial_search_results=False, **options)))


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


def _select(run: _Run, limit: int | None, page: int, collapse: bool) -> tuple[int, list[tuple]]:
    """(total, [(source, score, strict, cluster, copies)]) of one page, as search._select."""
    start = 0 if limit is None else (page - 1) * limit
    stop = None if limit is None else start + limit
    if not collapse:
        total, hits = _hits(run, start, stop)
        return total, [(hit["_source"], *_exact(run, hit), None, None) for hit in hits]
    _, ranked = _hits(run, 0, None, ["cluster"])
    firsts: dict[str, list] = {}
    for hit in ranked:
        cluster = hit["_source"].get("cluster") or hit["_id"]
        if cluster in firsts:
            firsts[cluster][4] += 1
        else:
            firsts[cluster] = [hit["_id"], *_exact(run, hit), cluster, 1]
    shown = list(firsts.values())[start:stop]
    with errors(run.target):
        docs = run.client.mget(index=run.target.alias, body={"ids": [entry[0] for entry in shown]})["docs"] \
            if shown else []
    return len(firsts), [(doc["_source"], *entry[1:]) for doc, entry in zip(docs, shown, strict=True)]


def search(target: Target, query: str, *, paper: str | None = None, date_from: str | None = None,
           date_to: str | None = None, limit: int | None = 20, page: int = 1, sort: str = "relevance",
           collapse: bool = False, with_record: bool = False, snippet_chars: int = 80) -> SearchResult:
    """indexer.search.search on OpenSearch: same hits (ranking within a tier differs), same hit dicts."""
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
    """indexer.search.kwic on OpenSearch."""
    check_kwic(width, limit, page, options)
    with run_query(target, query, paper=options.get("paper"), date_from=options.get("date_from"),
                   date_to=options.get("date_to"), sort=options.get("sort", "relevance")) as run:
        _, shown = _select(run, limit, page, bool(options.get("collapse")))
    return [line for source, *_ in shown for line in kwic_lines(source, run.compiled, width)]


def _terms(run: _Run, field: str, query: dict | None = None, size: int = 65_000) -> dict[str, int]:
    """{value: docs} of a keyword field over the query's hits (or query)."""
    reply = _search(run, {"size": 0, "query": query or run.body["query"],
                          "aggs": {"values": {"terms": {"field": field, "size": size, "missing": ""}}}})
    return {bucket["key"]: bucket["doc_count"] for bucket in reply["aggregations"]["values"]["buckets"]}


def count(target: Target, query: str, by: str = "month", *, date_from: str | None = None,
          date_to: str | None = None, paper: str | None = None) -> CountResult:
    """indexer.count.count on OpenSearch: hits per bucket by a terms aggregation on the bucket's label field,
    occurrences from the stored text of the hits (as the Whoosh general path)."""
    if by not in BYS:
        raise QueryError(f"--by must be one of {', '.join(BYS)}, got {by!r}")
    with run_query(target, query, paper=paper, date_from=date_from, date_to=date_to) as run:
        names = _paper_names(run) if by == "paper" else {}
        rows = empty_rows(by, paper, date_from, date_to, lambda: [
            value for value in _terms(run, BUCKET_FIELDS[by], {"match_all": {}}) if value],
            lambda key: names.get(key, ""), lambda: _date_span(run, paper))
        hits = _terms(run, BUCKET_FIELDS[by])
        for label in sorted(hits):
            rows.setdefault(label, Bucket(label)).hits += hits[label]
        field = BUCKET_FIELDS[by]
        for hit in _scan(run.client, target, {"query": run.body["query"], "_source": [field, *TEXT_FIELDS]}):
            stored = hit["_source"]
            rows[stored.get(field, "")].occurrences += sum(
                len(run.compiled.match_spans(name, stored.get(name, ""))) for name in TEXT_FIELDS)
    return CountResult(query, by, date_from, date_to, list(rows.values()))


def _paper_names(run: _Run) -> dict[str, str]:
    """{paper key: paper name} of the index."""
    reply = _search(run, {"size": 0, "aggs": {"papers": {
        "terms": {"field": "paper", "size": 65_000}, "aggs": {"name": {"terms": {"field": "paper_name", "size": 1}}}}}})
    return {bucket["key"]: (bucket["name"]["buckets"] or [{"key": ""}])[0]["key"]
            for bucket in reply["aggregations"]["papers"]["buckets"]}


def _date_span(run: _Run, paper: str | None) -> tuple[str | None, str | None]:
    """First and last real days of the index's articles (of that paper)."""
    query = {"bool": {"filter": _filters(paper, None, None)}}
    reply = _search(run, {"size": 0, "query": query, "aggs": {
        "first": {"min": {"field": "day", "format": "yyyy-MM-dd"}},
        "last": {"max": {"field": "day", "format": "yyyy-MM-dd"}}}})
    aggs = reply["aggregations"]
    return aggs["first"].get("value_as_string"), aggs["last"].get("value_as_string")


def get_article(target: Target, doc_id: str) -> dict:
    """indexer.search.get_article on OpenSearch: the record, its continuation parts and full text."""
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
    """indexer.stats.index_stats on OpenSearch (aggregations per paper)."""
    client = connect(target)
    name, meta = _meta(client, target)
    with errors(target):
        reply = client.search(index=target.alias, body={"size": 0, "aggs": {
            "papers": {"terms": {"field": "paper", "size": 65_000, "missing": ""}, "aggs": {
                "name": {"terms": {"field": "paper_name", "size": 1}},
                "days": {"terms": {"field": "by_day", "size": 65_000}}}},
            "clusters": {"terms": {"field": "cluster", "size": 65_000, "min_doc_count": 2}}}})
        articles = client.count(index=target.alias)["count"]
    pages = meta.get("pages", {})
    rows, all_days, undated = [], set(), 0
    for bucket in sorted(reply["aggregations"]["papers"]["buckets"], key=lambda b: b["key"]):
        days = {day["key"] for day in bucket["days"]["buckets"]}
        dated = sum(day["doc_count"] for day in bucket["days"]["buckets"])
        all_days |= days
        undated += bucket["doc_count"] - dated
        gaps = gap_days(days)
        rows.append({"paper": bucket["key"], "paper_name": (bucket["name"]["buckets"] or [{"key": ""}])[0]["key"],
                     "articles": bucket["doc_count"], "pages": pages.get(bucket["key"], 0),
                     "undated": bucket["doc_count"] - dated, "first": min(days) if days else "",
                     "last": max(days) if days else "", "days": len(days), "gap_days": len(gaps),
                     "gaps": as_ranges(gaps)})
    clusters = reply["aggregations"]["clusters"]["buckets"]
    overall_gaps = gap_days(all_days)
    return {"index": f"{target} ({name})", "schema_version": f"opensearch template {TEMPLATE_VERSION}",
            "userdict": (meta.get("userdict") or {}).get("source", ""), "papers": rows, "articles": articles,
            "pages": sum(pages.values()), "undated": undated, "first": min(all_days) if all_days else "",
            "last": max(all_days) if all_days else "", "days": len(all_days), "gap_days": len(overall_gaps),
            "gaps": as_ranges(overall_gaps), "duplicate_clusters": len(clusters),
            "articles_in_duplicate_clusters": sum(bucket["doc_count"] for bucket in clusters)}


__all__ = ["BackendError", "Target", "build", "count", "get_article", "index_stats", "kwic",
           "search"]
