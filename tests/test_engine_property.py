"""The array engine's fast paths against the general path (Whoosh + docnum sets) on random queries over a random
corpus: postings gathered across segments, phrase positions narrowed to a date filter's runs of documents, counts
without scoring; and the sidecar's per-block checksums."""

from __future__ import annotations

import random
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.build import sidecar
from indexer.build.writer import build_index
from indexer.errors import IndexDamagedError, QueryError
from indexer.query import engine as fast
from indexer.query.count import count
from indexer.query.search import run_query
from tests.corpus import _record, write_jsonl

# Few characters, so random phrases match; traditional forms and Latin runs, so folding and bounded terms count.
WORDS = ["发展", "經濟", "经济", "新区", "项目", "发发", "建设", "AI", "5G", "港口", "质量", "高质量发展"]
CHARS = list("发展经济新区项目建设港口的了") + ["發", "經", "A", "I", "5", "G", "，", "。", " ", "\n"]


def _text(rng: random.Random, pieces: int) -> str:
    return "".join(rng.choice(WORDS) if rng.random() < 0.4 else rng.choice(CHARS) for _ in range(pieces))


def _records(count_: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for number in range(count_):
        # The first half in date order (a date filter keeps a few runs of documents), the rest scattered.
        day = number * 60 // count_ if number < count_ // 2 else rng.randrange(60)
        date = "" if number % 37 == 5 else f"2024-{1 + day // 28:02d}-{1 + day % 28:02d}"
        paper, name = ("qingdao", "青岛日报") if number % 3 else ("xihaian", "西海岸新闻")
        records.append(_record(f"r{seed}-{number}", paper, name, date, f"{1 + number % 4:02d}", "要闻",
                               _text(rng, 6), _text(rng, rng.randrange(5, 60)),
                               pretitle=_text(rng, 3) if number % 4 == 0 else "",
                               subtitle=_text(rng, 4) if number % 5 == 0 else "", author="王强"))
    return records


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random corpus indexed in three runs (several segments), the later ones replacing articles (deletions)."""
    where = tmp_path_factory.mktemp("engine-property")
    records = _records(240, 7)
    build_index(where / "index", [write_jsonl(where / "a.jsonl", records[:100])], rebuild=True, procs=1)
    for record in records[:15]:
        record["body"] = _text(random.Random(record["id"]), 20)
        record["content_hash"] = ""
    build_index(where / "index", [write_jsonl(where / "b.jsonl", records[:170])], procs=1)
    build_index(where / "index", [write_jsonl(where / "c.jsonl", records)], procs=1)
    return where / "index"


def _term() -> st.SearchStrategy[str]:
    text = st.one_of(st.sampled_from(WORDS), st.text(st.sampled_from([c for c in CHARS if c.strip()]), min_size=1,
                                                     max_size=4))
    field = st.sampled_from(["", "", "", "title:", "body:", "pretitle:"])
    return st.one_of(
        st.builds(lambda f, t: f + t, field, text),
        st.builds(lambda f, t: f'{f}"{t}"', field, text),
        st.builds(lambda t: t + "*", st.sampled_from(["发", "经济", "新"])),
        st.builds(lambda a, op, b: f"{a} {op} {b}", st.sampled_from(WORDS[:6]), st.sampled_from(["W/3", "PRE/5"]),
                  st.sampled_from(WORDS[:6])),
    )


QUERIES = st.recursive(_term(), lambda inner: st.one_of(
    st.builds(lambda a, b: f"{a} {b}", inner, inner),
    st.builds(lambda a, b: f"({a}) OR ({b})", inner, inner),
    st.builds(lambda a, b: f"{a} NOT ({b})", inner, inner),
), max_leaves=4)
OPTIONS = st.sampled_from([{}, {"date_from": "2024-01-10", "date_to": "2024-02-05"}, {"date_to": "2024-01-20"},
                           {"date_from": "2024-02-20"}, {"paper": "qingdao"}, {"sort": "-date"}])


def _ranked(index_dir: Path, query: str, general: bool, **options) -> fast.Ranked:
    with mock.patch.dict("os.environ", {"EPAPER_QUERY_ENGINE": "whoosh" if general else ""}):
        with run_query(index_dir, query, **options) as run:
            assert (run.engine is None) == general
            return run.ranked


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES, options=OPTIONS, max_windows=st.sampled_from([1, 4, 64]))
def test_engine_equals_the_general_path_on_random_queries(corpus: Path, query: str, options: dict,
                                                          max_windows: int) -> None:
    try:
        general = _ranked(corpus, query, True, **options)
    except QueryError:
        return
    with mock.patch.object(fast, "_MAX_WINDOWS", max_windows):
        engine = _ranked(corpus, query, False, **options)
    assert engine.docnums.tolist() == general.docnums.tolist(), query
    assert engine.strict.tolist() == general.strict.tolist(), query
    assert np.allclose(engine.scores, general.scores, rtol=1e-9, atol=1e-12), query


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES, options=OPTIONS)
def test_counts_without_scoring_equal_the_general_path(corpus: Path, query: str, options: dict) -> None:
    options = {key: value for key, value in options.items() if key != "sort"}
    found = {}
    for mode in ("whoosh", ""):
        with mock.patch.dict("os.environ", {"EPAPER_QUERY_ENGINE": mode}):
            try:
                result = count(corpus, query, "month", **options)
            except QueryError:
                return
        found[mode] = [(bucket.label, bucket.hits, bucket.occurrences) for bucket in result.buckets]
    assert found[""] == found["whoosh"], query


def test_random_corpus_spans_segments_deletions_and_date_runs(corpus: Path) -> None:
    # The properties above must exercise what they are about: several segments, deleted documents, a date
    # filter narrowed to a few runs of documents, and queries with hits.
    with run_query(corpus, "发展", date_from="2024-01-10", date_to="2024-02-05") as run:
        engine = run.engine
        assert len(engine.segments) >= 2 and not engine.live.all()
        runs = engine.date_runs("2024-01-10", "2024-02-05")
        assert runs is not None and 2 <= len(runs) <= fast._MAX_WINDOWS
        assert len(run.ranked) > 5
    assert len(_ranked(corpus, '"发展"', False)) > 50


def test_sidecar_blocks_are_checked_only_where_a_slice_lies(tmp_path: Path) -> None:
    values = np.arange(3 * sidecar.CRC_BLOCK // 8, dtype=np.int64)  # three blocks of int64
    path = tmp_path / "MAIN_x.epx"
    sidecar.write(path, {"version": sidecar.VERSION, "doccount": 1, "labels": {}}, {"values": values})
    middle = len(values) // 2
    at = path.read_bytes().find(values[middle : middle + 2].tobytes())
    with path.open("r+b") as handle:  # damage one value of the middle block
        handle.seek(at)
        handle.write(b"\xff" * 8)
    loaded = sidecar.load(path, 1)
    first = loaded.part("values", 10, 20)
    assert first.tolist() == list(range(10, 20))  # the first block is intact
    last = len(values) - 5
    assert loaded.part("values", last, len(values)).tolist() == list(range(last, len(values)))
    with pytest.raises(IndexDamagedError, match="fails its checksum"):
        loaded.part("values", 10, middle + 1)  # reaches into the damaged block
    with pytest.raises(IndexDamagedError):
        sidecar.load(path, 1)["values"]  # the whole array: every block


def test_sidecar_with_one_checksum_per_array_still_loads(tmp_path: Path) -> None:
    # Sidecars written before block checksums carry one CRC-32 per array: checked whole on first use.
    path = tmp_path / "MAIN_y.epx"
    values = np.arange(1000, dtype=np.int64)
    with mock.patch.object(sidecar, "CRC_BLOCK", 1 << 30):
        sidecar.write(path, {"version": sidecar.VERSION, "doccount": 1, "labels": {}}, {"values": values})
    loaded = sidecar.load(path, 1)
    assert loaded.part("values", 3, 6).tolist() == [3, 4, 5]
    loaded.crcs["values"] = int(loaded.crcs["values"][0])  # the older layout: one integer
    loaded._checked.clear()
    assert loaded.part("values", 7, 9).tolist() == [7, 8]
    loaded.crcs["values"] ^= 1
    loaded._checked.clear()
    with pytest.raises(IndexDamagedError):
        loaded.part("values", 7, 9)
