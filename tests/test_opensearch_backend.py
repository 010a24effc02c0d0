"""The OpenSearch backend (indexer/backends/opensearch.py) against the Whoosh index on a real two-node cluster:
the same archives indexed into both (OpenSearch partly by incremental updates), the Whoosh tests' queries (and
hypothesis-generated ones) giving identical hit sets, literal tiers, errors, snippets, KWIC lines, per-bucket
counts and count tables; client errors as one line, exit 2."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import search_cli
from indexer import __main__ as indexer_cli
from indexer.backends import opensearch as osb
from indexer.build.writer import build_index
from indexer.errors import QueryError
from indexer.query.count import BYS, count, count_table
from indexer.query.search import coverage_note, kwic, search
from tests.corpus import build_extended_index, varied_synthetic_records, write_jsonl
from tests.opensearch_cluster import Cluster, free_port
from tests.test_engine import OPTIONS as ENGINE_OPTIONS
from tests.test_engine import QUERIES as ENGINE_QUERIES
from tests.test_query_fuzz import PIECES

USERDICT = Path(__file__).resolve().parent.parent / "indexer" / "dicts" / "xihaian.txt"
# The queries of tests/test_search.py, test_search_extras.py and test_search_cli*.py on the extended fixture corpus.
FIXTURE_QUERIES = [
    '"高质量发展"', '"新区工委"', '"人民共和"', '"氢"', '"高质量 发展"', '"QINGDAO港"', '"旧标题"', '"今日导读"',
    "高质量发展", "新区工委", "人民共和", "退役军人", "qingdao", "新区 港口", "新区 AND 港口", "退役军人 OR 人民共和",
    '"新区工委" -港口', "新区工委 NOT 港口", "-新区", 'NOT "的"', "(退役军人 OR 氢能) 新区",
    "新区 AND NOT (港口 OR 氢能)",
    "人民共和 OR -新区", "title:港口", "body:港口", "pretitle:港口", 'title:"高质量"', "subtitle:高质量发展",
    'subtitle:"高质量发展"', "author:丁霞", "author:丁", "paper:qingdao", "paper:胶州日报", "page:2", "page:A03",
    "page:要闻", "page:要闻 -高质量发展", "title:港口 OR author:李华", "pretitle:港口观察", 'subtitle:"智慧港口"',
    "page:A04", "page:两岸", "page:1 paper:taiwan", "paper:臺灣日報", "paper:taiwan", "董家口 W/5 项目",
    '"董家口 项目"~5', "董家口 W/4 项目", "董家口 PRE/5 项目", "项目 PRE/2 董家口", "董家口 W/0 经济区",
    "董家口 W/60 项目", '"氢能 产业园"~3', "氢能*", "氢*", "臺灣", "台湾", '"臺灣"', "title:新区 W/3 退役",
    "港口 W/10 新区", "的", "发展*", "经济*", "Zq9",
    # Latin ends match whole words; malformed operators, unknown papers and pages are errors (the same ones).
    "qingdao港", "QINGDAO", "港 W/3 qingdao", "ingdao", "W/x", "新区 pre/-1 港口", "NEAR/10", "，。", "and OR 新区",
    "paper:nosuch", "page:Z9", "page:要闻 paper:taiwan",
]
FIXTURE_OPTIONS = [{}, {"date_from": "2025-03-19"}, {"date_to": "2025-01-31"},
                   {"date_from": "2025-01-15", "date_to": "2025-02-10"}, {"paper": "jiaozhou"},
                   {"paper": "西海岸新闻"}, {"paper": "nosuch"}, {"sort": "date"}, {"sort": "-date"}]
COUNT_QUERIES = ["发展", '"发发"', '"的的"', "新区 发展", "经济 W/5 发展", "发展*", "title:新区", "-发展"]


def _archive_synthetic(folder: Path) -> Path:
    """test_engine's archive in three generations (later lines replace earlier ones), undated articles included."""
    folder.mkdir(parents=True)
    records = varied_synthetic_records(300, 23, 300, "发发发，发展的的經濟發展，发展发展")
    for record in records[::29]:
        record["date"] = ""
    write_jsonl(folder / "a.jsonl", records[:120])
    for record in records[:10]:
        record["body"] = "改写" + record["body"][::-1]
        record["content_hash"] = ""
    write_jsonl(folder / "b.jsonl", records[:220])
    for record in records[200:210]:
        record["title"] += "新区发展"
        record["content_hash"] = ""
    write_jsonl(folder / "c.jsonl", records)
    return folder


@pytest.fixture(scope="module")
def corpora(opensearch_session: Cluster,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, osb.Target]]]:
    """{name: (Whoosh index, OpenSearch target)} of the same archives; OpenSearch indexes have 2 primaries and
    1 replica each, the fixture one is built with the xihaian user dictionary on both sides."""
    opensearch = opensearch_session
    logging.getLogger("indexer").setLevel(logging.ERROR)
    root = tmp_path_factory.mktemp("opensearch-eq")
    urls = ",".join(opensearch.urls)
    fixture_index = build_extended_index(root / "fixture", userdict=USERDICT)
    fixture = osb.Target.parse(f"{urls}/eq-fixture")
    # OpenSearch gets the extra articles by an update: their near-duplicates of older articles must join them.
    files = sorted((root / "fixture" / "archive").rglob("*.jsonl"))
    extra = [path for path in files if path.parent.name == "extra"]
    first = osb.build(fixture, [path for path in files if path not in extra], rebuild=True, userdict=USERDICT,
                      shards=2, replicas=1)
    assert osb.build(fixture, extra).clusters > first.clusters
    archive = _archive_synthetic(root / "synthetic-archive")
    synthetic_index = root / "synthetic"
    build_index(synthetic_index, [archive], rebuild=True, procs=1)
    synthetic = osb.Target.parse(f"{urls}/eq-synthetic")
    for name in ("a", "b", "c"):  # three generations, as three updates
        stats = osb.build(synthetic, [archive / f"{name}.jsonl"], shards=2, replicas=1)
    assert (stats.docs, stats.added, stats.updated) == (300, 80, 10)
    opensearch.wait_for("green")
    yield {"fixture": (fixture_index, fixture), "synthetic": (synthetic_index, synthetic)}
    for target in (fixture, synthetic):  # the session's cluster is left as it was found
        osb.drop(target)


def _outcome(run, *args, **options):
    """The hits as {id: literal tier} (or the QueryError's message)."""
    try:
        return {hit["id"]: hit["exact"] for hit in run(*args, limit=None, **options).hits}
    except QueryError as error:
        return f"QueryError: {_names_sorted(str(error))}"


def _names_sorted(message: str) -> str:
    """An unknown-page message with each page's names sorted: Whoosh lists them in index order, OpenSearch by
    name (the README says so)."""
    if "unknown page" not in message:
        return message
    head, _, pages = message.partition("the index holds pages ")
    entries = [" ".join([number, "/".join(sorted(names.split("/")))]) if names else number
               for number, _, names in (entry.partition(" ") for entry in pages.split(", "))]
    return head + "the index holds pages " + ", ".join(entries)


def _mismatches(corpus: tuple[Path, osb.Target], queries: list[str], options: list[dict]) -> list:
    """(query, options, Whoosh's outcome, OpenSearch's) where they differ: every query without options and with
    three of the others in turn (every option meets many queries; all pairs would take minutes)."""
    index, target = corpus
    found = []
    others = options[1:]
    for number, query in enumerate(queries):
        for option in [options[0], *(others[(number + step) % len(others)] for step in (0, 2, 4))]:
            whoosh, ours = _outcome(search, index, query, **option), _outcome(osb.search, target, query, **option)
            if whoosh != ours:
                found.append((query, option, whoosh, ours))
    return found


def test_the_whoosh_tests_queries_give_identical_hits_and_tiers(corpora) -> None:
    assert _mismatches(corpora["synthetic"], ENGINE_QUERIES, ENGINE_OPTIONS) == []
    assert _mismatches(corpora["fixture"], FIXTURE_QUERIES, FIXTURE_OPTIONS) == []
    # The lists discriminate: hit sets of many sizes, both tiers, some empty.
    index, _ = corpora["synthetic"]
    sizes = {len(_outcome(search, index, query)) for query in ENGINE_QUERIES}
    assert 0 in sizes and max(sizes) > 150 and len(sizes) > 15
    tiers = _outcome(search, corpora["fixture"][0], "高质量发展")
    assert set(tiers.values()) == {True, False}  # literal hits and hits by jieba words only


def test_snippets_highlights_kwic_and_paging_are_the_same(corpora) -> None:
    for name, queries in (("fixture", FIXTURE_QUERIES[:40:3]), ("synthetic", ENGINE_QUERIES[:20])):
        index, target = corpora[name]
        for query in queries:
            shown = {h["id"]: (h["snippet"], h["highlights"], h["title"], h["date"])
                     for h in search(index, query, limit=None).hits}
            assert {h["id"]: (h["snippet"], h["highlights"], h["title"], h["date"])
                    for h in osb.search(target, query, limit=None).hits} == shown, query
            lines = sorted(json.dumps(line, ensure_ascii=False) for line in kwic(index, query, width=8))
            assert sorted(json.dumps(line, ensure_ascii=False) for line in osb.kwic(target, query, width=8)) == lines
            pages = [osb.search(target, query, limit=7, page=page, sort="date") for page in (1, 2, 3)]
            assert {page.total for page in pages} == {len(shown)}
            seen = [hit["id"] for page in pages for hit in page.hits]
            assert len(seen) == len(set(seen)) == min(21, len(shown)) and set(seen) <= set(shown)
            dates = [hit["date"] for page in pages for hit in page.hits]
            assert dates == sorted(dates)  # oldest first across pages (undated first, as in Whoosh)


def test_counts_per_bucket_are_identical(corpora) -> None:
    index, target = corpora["synthetic"]
    compared = 0
    for by in BYS:
        for query in COUNT_QUERIES:
            for options in ({}, {"date_from": "2024-02-01", "date_to": "2024-03-15"}, {"paper": "qingdao"}):
                whoosh = count(index, query, by, **options).to_dict()
                assert osb.count(target, query, by, **options).to_dict() == whoosh, (by, query, options)
                compared += len(whoosh["buckets"])
    assert compared > 500
    assert count(index, "发展", "year").total_hits > 0


def test_count_tables_with_holdings_and_collapse_are_identical(corpora) -> None:
    index, target = corpora["fixture"]
    no_data = 0
    for by in BYS:
        for options in ({}, {"date_from": "2025-03-01", "date_to": "2025-04-30"}, {"paper": "qingdao"},
                        {"collapse": True}, {"paper": "xihaian", "date_from": "2025-03-21", "collapse": True}):
            queries = ["董家口", '"资源延伸"', "氢能*", "港口 W/5 新区"]
            whoosh = count_table(index, queries, by, **options)
            ours = osb.count_table(target, queries, by, **options)
            assert ours.to_dict() == whoosh.to_dict(), (by, options)
            assert ours.csv_rows() == whoosh.csv_rows()
            no_data += sum(not row["data"] for row in whoosh.rows())
    assert no_data > 10  # buckets without an issue are listed, as "no data"
    collapsed = count(index, '"资源延伸"', "paper", collapse=True)
    assert collapsed.total_hits < count(index, '"资源延伸"', "paper").total_hits
    assert osb.count(target, '"资源延伸"', "paper", collapse=True).to_dict() == collapsed.to_dict()
    for dates in (("2024-01-01", "2025-03-20"), ("2025-03-23", None), (None, "2024-12-31"), ("2025-03-10", None)):
        for paper in (None, "taiwan"):
            assert osb.coverage_note(target, *dates, paper) == coverage_note(index, *dates, paper), dates
    assert coverage_note(index, "2024-01-01", "2025-03-20") is not None


def test_collapse_keeps_one_hit_per_near_duplicate_cluster_as_whoosh(corpora) -> None:
    index, target = corpora["fixture"]
    for query in ("氢能", "-港口", "新区 OR 氢能"):
        whoosh = search(index, query, limit=None, collapse=True)
        ours = osb.search(target, query, limit=None, collapse=True)
        assert ours.total == whoosh.total < len(search(index, query, limit=None).hits)
        assert {(h["cluster"], h["copies"]) for h in ours.hits} == {(h["cluster"], h["copies"]) for h in whoosh.hits}


def test_show_and_stats_read_the_same_articles(corpora) -> None:
    index, target = corpora["fixture"]
    from indexer.query.search import get_article
    from indexer.query.stats import index_stats

    assert osb.get_article(target, "cont-1") == get_article(index, "cont-1")
    ours, whoosh = osb.index_stats(target), index_stats(index)
    assert whoosh["duplicate_clusters"] > 0 and whoosh["pages"] > 0
    assert {key: value for key, value in ours.items() if key != "index"} == \
        {key: value for key, value in whoosh.items() if key != "index"}


WORDS = ["新区", "港口", "发展", "高质量", "董家口", "项目", "氢能", "臺灣", "经济", "的", "qingdao", "A3"]
junk = st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(WORDS), st.sampled_from(["W/3", "PRE/8", " "])),
                min_size=1, max_size=8).map(" ".join)
# Well-formed ones too: terms in every form joined by every operator (most junk is a parse error).
term = st.builds(lambda field, word, form: field + form.format(word), st.sampled_from(["", "title:", "body:", "-"]),
                 st.sampled_from(WORDS), st.sampled_from(["{}", '"{}"', "{}*"]))
wellformed = st.builds(lambda first, rest: first + "".join(op + t for op, t in rest), term, st.lists(st.tuples(
    st.sampled_from([" ", " OR ", " AND NOT ", " W/4 ", " pre/9 "]), term), max_size=3))
generated = st.one_of(junk, wellformed)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=generated)
def test_generated_queries_give_identical_hits_or_the_same_error(corpora, query) -> None:
    index, target = corpora["fixture"]
    assert _outcome(osb.search, target, query) == _outcome(search, index, query)


def test_cli_searches_opensearch_with_the_same_output(corpora, capsys) -> None:
    index, target = corpora["fixture"]
    assert search_cli.main(["新区 W/10 发展", "--index", str(index), "--format", "jsonl", "--sort", "date"]) == 0
    whoosh = sorted(capsys.readouterr().out.splitlines())
    url = ",".join(target.urls) + "/" + target.alias
    assert search_cli.main(["新区 W/10 发展", "--backend", "opensearch", "--url", url, "--format", "jsonl",
                            "--sort", "date"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 1
    drop_score = [json.dumps({k: v for k, v in json.loads(line).items() if k != "score"}) for line in lines]
    assert sorted(drop_score) == sorted(json.dumps({k: v for k, v in json.loads(line).items() if k != "score"})
                                        for line in whoosh)


def _cli_error(argv: list[str], capsys, run=search_cli.main) -> str:
    with pytest.raises(SystemExit) as exited:
        if run(argv) != 0:
            raise SystemExit(2)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    return err


def test_client_errors_are_one_line_and_exit_2(opensearch: Cluster, corpora, capsys, tmp_path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    assert "cannot reach OpenSearch" in _cli_error(["新区", "--backend", "opensearch", "--url", dead], capsys)
    missing = _cli_error(["count", "新区", "--backend", "opensearch", "--url", f"{opensearch.url}/nosuch"], capsys)
    assert "no OpenSearch index 'nosuch'" in missing and "python -m indexer build" in missing
    opensearch.request("PUT", "/old-v0", {"settings": {"number_of_replicas": 0},  # no replica left to assign
                                          "mappings": {"_meta": {"template_version": 0}}, "aliases": {"old": {}}})
    try:
        old = _cli_error(["stats", "--backend", "opensearch", "--url", f"{opensearch.url}/old"], capsys)
        needs = f"this program needs {osb.TEMPLATE_VERSION} (schema {osb.SCHEMA_VERSION})"
        assert f"template version 0 (analyzers of schema None), {needs}" in old
        assert "collocates runs on the Whoosh index only" in _cli_error(
            ["collocates", "新区", "--backend", "opensearch", "--url", f"{opensearch.url}/eq-fixture"], capsys)
        assert "not an OpenSearch URL" in _cli_error(["新区", "--backend", "opensearch", "--url", "ftp://x"], capsys)
        # The build CLI returns 2 with one line too.
        assert indexer_cli.main(["build", "--backend", "opensearch", "--url", dead, str(tmp_path)]) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and "cannot reach OpenSearch" in err
    finally:
        opensearch.request("DELETE", "/old-v0")


def test_a_crawl_with_opensearch_url_updates_the_index_when_it_closes(opensearch: Cluster, tmp_path) -> None:
    from scrapy.utils.test import get_crawler

    from crawler.archive import day_file, write_records
    from crawler.pipelines.index import IndexPipeline
    from crawler.spiders.epaper import EpaperSpider
    from tests.test_pipeline_index import RECORD

    url = f"{opensearch.url}/crawl"
    crawler = get_crawler(EpaperSpider, {"ARCHIVE_DIR": str(tmp_path), "OPENSEARCH_URL": url})
    crawler.stats.open_spider()
    pipeline = IndexPipeline(crawler)
    pipeline.process_item(dict(RECORD))
    write_records(day_file(tmp_path, "p", "2025-03-19"), [RECORD])
    pipeline.close_spider()
    assert [hit["id"] for hit in osb.search(osb.Target.parse(url), '"高质量发展"').hits] == [RECORD["id"]]
    assert crawler.stats.get_value("index/opensearch_added") == 1
    osb.drop(osb.Target.parse(url))


def test_the_backend_defaults_come_from_the_environment_then_the_config_file(tmp_path, monkeypatch, capsys) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    config = tmp_path / "config.toml"
    config.write_text(f'backend = "opensearch"\nopensearch_url = "{dead}/cfg"\n', encoding="utf-8")
    monkeypatch.setenv("EPAPER_CONFIG", str(config))
    monkeypatch.delenv("EPAPER_BACKEND", raising=False)
    monkeypatch.delenv("EPAPER_OPENSEARCH_URL", raising=False)
    assert f"cannot reach OpenSearch at {dead}" in _cli_error(["新区"], capsys)
    other = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("EPAPER_OPENSEARCH_URL", other)
    assert f"cannot reach OpenSearch at {other}" in _cli_error(["stats"], capsys)
    monkeypatch.setenv("EPAPER_BACKEND", "whoosh")  # the environment wins over the file
    assert "no index at" in _cli_error(["新区", "--index", str(tmp_path / "none")], capsys)
    monkeypatch.setenv("EPAPER_BACKEND", "solr")
    assert "EPAPER_BACKEND must be whoosh or opensearch, got 'solr'" in _cli_error(["新区"], capsys)
    monkeypatch.delenv("EPAPER_BACKEND")
    config.write_text('backend = "elastic"\n', encoding="utf-8")
    assert "backend must be whoosh or opensearch, got 'elastic'" in _cli_error(["count", "新区"], capsys)
    assert indexer_cli.main(["build", str(tmp_path)]) == 2
    assert "backend must be whoosh or opensearch" in capsys.readouterr().err
