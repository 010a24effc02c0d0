"""The array engine (indexer/query/engine.py) against the general path (Whoosh + docnum sets): same hits, tiers,
scores, order and counts, on an index of several segments with deleted (replaced) documents."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from indexer.analyzers import char_tokens
from indexer.build.writer import build_index
from indexer.query import engine as fast
from indexer.query.count import count
from indexer.query.search import clear_searcher_cache, open_searcher, run_query, search
from indexer.schema import TEXT_FIELDS
from tests.corpus import varied_synthetic_records, write_jsonl

QUERIES = [
    "发展", "高质量发展", '"高质量发展"', "新区 发展", "(发展 OR 建设) NOT 经济", "建设 AND NOT 项目", "-发展",
    '"发发"', '"发发发"', '"的的"', "发", '"量子纠缠态"', "量子纠缠态", "title:发展", 'body:"新区"',
    "pretitle:人", "subtitle:发展", "經濟發展", '"經濟"', "发展*", "经济 W/5 发展", "经济 PRE/3 发展",
    '"经济 发展"~4', "Zq9", "2025年", "新区 OR 港口 OR 氢能", "((新区))", "NOT 新区 NOT 发展",
    "paper:qingdao", "paper:青岛日报 发展", "paper:qingdao -page:01", "page:1", "page:要闻 OR page:3", "page:要",
    "author:中", 'author:"中心" OR 发展', "发展 -author:一", "page:1 paper:青岛日报",
    # Latin/digit ends match whole words (checked on the text): both paths must agree.
    "Zq", "2025", '"q9"', "2025年 OR 发展", "zq* -发展", "Zq W/20 发展",
]
OPTIONS = [{}, {"date_from": "2024-02-01", "date_to": "2024-03-15"}, {"date_to": "2024-01-20"},
           {"paper": "qingdao"}, {"paper": "青岛日报"}, {"sort": "date"}, {"sort": "-date"}]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index built in three runs (several segments), later runs replacing earlier articles (deletions)."""
    where = tmp_path_factory.mktemp("engine")
    # Overlapping ("发发发") and touching ("发展发展") occurrences, traditional characters, undated articles.
    records = varied_synthetic_records(300, 23, 300, "发发发，发展的的經濟發展，发展发展")
    for record in records[::29]:
        record["date"] = ""
    build_index(where / "index", [write_jsonl(where / "a.jsonl", records[:120])], rebuild=True, procs=1)
    for record in records[:10]:
        record["body"] = "改写" + record["body"][::-1]
        record["content_hash"] = ""
    build_index(where / "index", [write_jsonl(where / "b.jsonl", records[:220])], procs=1)
    for record in records[200:210]:
        record["title"] += "新区发展"
        record["content_hash"] = ""
    build_index(where / "index", [write_jsonl(where / "c.jsonl", records)], procs=1)
    return where / "index"


def _ranked(index_dir: Path, query: str, monkeypatch: pytest.MonkeyPatch, general: bool, **options) -> fast.Ranked:
    monkeypatch.setenv("EPAPER_QUERY_ENGINE", "whoosh" if general else "")
    with run_query(index_dir, query, **options) as run:
        assert (run.engine is None) == general
        return run.ranked


def _groups(ranked: fast.Ranked) -> list[frozenset]:
    """The ranking as consecutive groups of equally placed hits (scores equal to 9 digits tie)."""
    groups, key = [], None
    for docnum, score, strict in ranked:
        this = (strict, round(score, 9))
        if this != key:
            groups.append(set())
            key = this
        groups[-1].add(docnum)
    return [frozenset(group) for group in groups]


def test_corpus_has_several_segments_and_deletions(corpus: Path) -> None:
    with open_searcher(corpus) as searcher:
        reader = searcher.reader()
        assert len(reader.leaf_readers()) >= 2
        assert reader.doc_count() < reader.doc_count_all()  # replaced articles are deleted docs
        assert fast.engine_for(searcher, corpus) is not None


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "plain")
@pytest.mark.parametrize("query", QUERIES)
def test_engine_ranks_like_the_general_path(corpus: Path, query: str, options: dict,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    general = _ranked(corpus, query, monkeypatch, True, **options)
    engine = _ranked(corpus, query, monkeypatch, False, **options)
    assert sorted(engine.docnums.tolist()) == sorted(general.docnums.tolist())
    assert dict(zip(engine.docnums.tolist(), engine.strict.tolist(), strict=True)) == \
        dict(zip(general.docnums.tolist(), general.strict.tolist(), strict=True))
    expected = dict(zip(general.docnums.tolist(), general.scores.tolist(), strict=True))
    for docnum, score in zip(engine.docnums.tolist(), engine.scores.tolist(), strict=True):
        assert score == pytest.approx(expected[docnum], rel=1e-9, abs=1e-12)
    assert _groups(engine) == _groups(general)
    # Ties (same tier and score) are broken newest first, then by docnum, on both paths.
    assert engine.docnums.tolist() == general.docnums.tolist()


def test_engine_finds_something_for_most_queries(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The comparison above must not pass vacuously on empty results.
    empty = {query for query in QUERIES if not len(_ranked(corpus, query, monkeypatch, False))}
    assert empty <= {'"量子纠缠态"', "量子纠缠态", "Zq9", "Zq", '"q9"', "zq* -发展", "Zq W/20 发展"}
    assert len(_ranked(corpus, "发展", monkeypatch, False)) > 100


def test_search_results_identical(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for query in ("发展", '"新区"', "经济 W/5 发展"):
        results = {}
        for mode in ("whoosh", ""):
            monkeypatch.setenv("EPAPER_QUERY_ENGINE", mode)
            result = search(corpus, query, limit=None, collapse=True)
            results[mode] = {hit["id"]: hit for hit in result.hits}, result.total
        (general, general_total), (engine, engine_total) = results["whoosh"], results[""]
        assert engine_total == general_total == len(engine) > 0
        assert engine.keys() == general.keys()
        for doc_id, hit in engine.items():
            assert {**hit, "score": None} == {**general[doc_id], "score": None}
            assert hit["score"] == pytest.approx(general[doc_id]["score"], abs=1e-4)


@pytest.mark.parametrize("by", ["day", "week", "month", "year", "paper", "page"])
@pytest.mark.parametrize("query", ["发展", '"发发"', '"的的"', "新区 发展", "经济 W/5 发展", "发展*", "title:新区",
                                   "2025年"])
def test_engine_counts_like_the_general_path(corpus: Path, query: str, by: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EPAPER_QUERY_ENGINE", "whoosh")
    general = count(corpus, query, by)
    monkeypatch.setenv("EPAPER_QUERY_ENGINE", "")
    engine = count(corpus, query, by)
    assert [(b.label, b.hits, b.occurrences) for b in engine.buckets] == \
        [(b.label, b.hits, b.occurrences) for b in general.buckets]


def test_overlapping_occurrences_merge_like_match_spans(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "发发" occurs twice (overlapping) in "发发发": match_spans merges them into one occurrence;
    # "发展发展" holds two touching occurrences of "发展", which stay two.
    monkeypatch.setenv("EPAPER_QUERY_ENGINE", "")
    result = count(corpus, '"发发"', "year")
    assert result.total_hits > 0
    assert result.total_occurrences == result.total_hits  # one merged "发发发" per article
    touching = count(corpus, '"发展发展"', "year")
    assert count(corpus, '"发展"', "year").total_occurrences >= 3 * touching.total_hits > 0


def test_phrases_match_brute_force(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EPAPER_QUERY_ENGINE", "")
    with open_searcher(corpus) as searcher:
        stored = {docnum: fields for docnum, fields in searcher.reader().iter_docs()}
    rng = random.Random(3)
    texts = [fields[name] for fields in stored.values() for name in TEXT_FIELDS if fields.get(name)]
    for _ in range(40):
        text = rng.choice(texts)
        length = rng.choice([1, 2, 3, 5, 8])
        start = rng.randrange(max(1, len(text) - length))
        phrase = "".join(char_tokens(text[start : start + length]))
        if not phrase or '"' in phrase:
            continue
        expected = {fields["id"] for fields in stored.values()
                    if any(phrase in "".join(char_tokens(fields.get(name) or "")) for name in TEXT_FIELDS)}
        found = {hit["id"] for hit in search(corpus, f'"{phrase}"', limit=None).hits}
        assert found == expected, phrase


def test_missing_sidecar_falls_back_to_the_general_path(corpus: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    copy = tmp_path / "index"
    shutil.copytree(corpus, copy)
    removed = sorted(copy.glob("*.epx"))[0]
    removed.unlink()
    monkeypatch.setenv("EPAPER_QUERY_ENGINE", "")
    clear_searcher_cache()
    with run_query(copy, "发展") as run:
        assert run.engine is None
        fallback = sorted(run.ranked.docnums.tolist())
    with run_query(corpus, "发展") as run:
        assert run.engine is not None
        assert sorted(run.ranked.docnums.tolist()) == fallback
    build_index(copy, [], procs=1)  # a build with nothing new still writes missing sidecars
    assert removed.exists()
    clear_searcher_cache()
    with run_query(copy, "发展") as run:
        assert run.engine is not None


def test_ranked_wrapper_slices_and_iterates() -> None:
    ranked = fast.Ranked(np.array([5, 3, 9]), np.array([2.0, 1.5, 0.0]), np.array([True, False, False]))
    assert len(ranked) == 3
    assert list(ranked) == [(5, 2.0, True), (3, 1.5, False), (9, 0.0, False)]
    assert ranked[1:2] == [(3, 1.5, False)]
    assert list(fast.Ranked.from_list([(1, 0.5, True)])) == [(1, 0.5, True)]
