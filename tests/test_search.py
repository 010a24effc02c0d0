"""Search semantics on the fixture archive: exact hit sets, ranking tiers, filters, snippets."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from indexer.analyzers import normalize
from indexer.errors import IndexNotFoundError, QueryError, SchemaVersionError
from indexer.query.search import search
from indexer.schema import META_FILE
from tests.corpus import TEXT_FIELDS, brute_force, build_fixture_index, fixture_records

ALL_IDS = {record["id"] for record in fixture_records()}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_index(tmp_path_factory.mktemp("search"))


def ids(index_dir: Path, query: str, **options) -> set[str]:
    """Return the hit ids of a search returning all hits."""
    return {hit["id"] for hit in search(index_dir, query, limit=None, **options).hits}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"高质量发展"', {"xh-sun", "xh-project", "xh-comment"}),
        ('"新区工委"', {"xh-sun", "jz-port"}),  # crosses the jieba boundary 新区|工委
        ('"人民共和"', {"qd-national-day"}),  # inside the jieba word 中华人民共和国
        ('"氢"', {"xh-hydro"}),
        ('"高质量 发展"', {"xh-sun", "xh-project", "xh-comment"}),  # whitespace is ignored
        ('"QINGDAO港"', {"jz-port"}),  # case is ignored
        ('"旧标题"', set()),  # the superseded duplicate is gone
        ('"今日导读"', set()),  # kind=guide is not indexed
    ],
)
def test_phrase_hits(index_dir: Path, query: str, expected: set[str]) -> None:
    assert ids(index_dir, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("高质量发展", {"xh-sun", "xh-project", "xh-comment", "jz-quality"}),
        ("新区工委", {"xh-sun", "jz-port", "xh-project"}),
        ("人民共和", {"qd-national-day"}),
        ("退役军人", {"xh-veterans"}),
        ("qingdao", {"jz-port"}),
    ],
)
def test_word_hits_are_literal_plus_all_words(index_dir: Path, query: str, expected: set[str]) -> None:
    assert ids(index_dir, query) == expected


def test_literal_matches_rank_before_word_only_matches(index_dir: Path) -> None:
    hits = search(index_dir, "高质量发展", limit=None).hits
    assert [hit["id"] for hit in hits][-1] == "jz-quality"
    assert [hit["exact"] for hit in hits] == [True, True, True, False]
    scores = {hit["id"]: hit["score"] for hit in hits}
    # The word-only article beats a literal one on BM25 and still ranks below it.
    assert scores["jz-quality"] > scores["xh-comment"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("新区 港口", {"jz-port", "xh-project"}),
        ("新区 AND 港口", {"jz-port", "xh-project"}),
        ("退役军人 OR 人民共和", {"xh-veterans", "qd-national-day"}),
        ('"新区工委" -港口', {"xh-sun"}),
        ("新区工委 NOT 港口", {"xh-sun"}),
        ("-新区", {"jz-quality", "qd-national-day", "xh-comment"}),
        ('NOT "的"', {"xh-veterans"}),
        ("(退役军人 OR 氢能) 新区", {"xh-hydro", "xh-veterans"}),
        ("新区 AND NOT (港口 OR 氢能)", {"xh-sun", "xh-veterans"}),
        ("人民共和 OR -新区", {"jz-quality", "qd-national-day", "xh-comment"}),
    ],
)
def test_boolean_operators(index_dir: Path, query: str, expected: set[str]) -> None:
    assert ids(index_dir, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("title:港口", {"jz-port"}),
        ("body:港口", {"jz-port", "xh-project"}),
        ("pretitle:港口", {"jz-port"}),
        ('title:"高质量"', {"jz-quality"}),
        ("subtitle:高质量发展", {"xh-project", "jz-quality"}),
        ('subtitle:"高质量发展"', {"xh-project"}),
        ("author:丁霞", {"xh-hydro", "xh-veterans"}),
        ("author:丁", {"xh-hydro", "xh-veterans"}),
        ("paper:qingdao", {"qd-national-day"}),
        ("paper:胶州日报", {"jz-port", "jz-quality"}),
        ("page:2", {"jz-port", "xh-comment"}),
        ("page:A03", {"qd-national-day"}),
        ("page:要闻", {"xh-sun", "xh-hydro", "xh-project", "xh-veterans"}),
        ("page:要闻 -高质量发展", {"xh-hydro", "xh-veterans"}),
        ("title:港口 OR author:李华", {"jz-port", "qd-national-day"}),
    ],
)
def test_field_prefixes(index_dir: Path, query: str, expected: set[str]) -> None:
    assert ids(index_dir, query) == expected


def test_date_and_paper_filters(index_dir: Path) -> None:
    assert ids(index_dir, '"的"', date_from="2025-03-19") == {"xh-sun", "xh-hydro", "xh-project", "xh-comment"}
    assert ids(index_dir, '"的"', date_to="2025-01-31") == {"qd-national-day", "jz-quality"}
    assert ids(index_dir, "-人民共和", date_from="2025-01-15", date_to="2025-02-10") == {"jz-quality", "jz-port"}
    assert ids(index_dir, "新区", paper="jiaozhou") == {"jz-port"}
    assert ids(index_dir, "新区", paper="西海岸新闻") == {"xh-sun", "xh-hydro", "xh-project", "xh-veterans"}


def test_limit_and_all(index_dir: Path) -> None:
    limited = search(index_dir, "高质量发展", limit=2)
    assert limited.total == 4 and len(limited.hits) == 2
    everything = search(index_dir, "高质量发展", limit=None)
    assert [hit["id"] for hit in everything.hits][:2] == [hit["id"] for hit in limited.hits]
    assert len(everything.hits) == 4


def test_hit_has_metadata(index_dir: Path) -> None:
    (hit,) = search(index_dir, "吞吐量").hits
    assert {key: hit[key] for key in ("id", "date", "paper", "paper_name", "page_no", "page_name", "author")} == {
        "id": "jz-port", "date": "2025-02-10", "paper": "jiaozhou", "paper_name": "胶州日报",
        "page_no": "02", "page_name": "港口", "author": "赵敏",
    }
    assert hit["pretitle"] == "港口观察" and hit["subtitle"] == "智慧港口建设提速"
    assert hit["url"] == "https://example.invalid/jz-port.html"


def test_snippet_window_and_highlights(index_dir: Path) -> None:
    hits = {hit["id"]: hit for hit in search(index_dir, "高质量发展", limit=None, snippet_chars=40).hits}
    sun = hits["xh-sun"]
    assert sun["snippet"].startswith("…") and sun["snippet"].endswith("…")
    assert len(sun["snippet"]) <= 42
    assert [sun["snippet"][s:e] for s, e in sun["highlights"]] == ["高质量发展"]
    # A word-only hit highlights the jieba words.
    quality = hits["jz-quality"]
    assert {quality["snippet"][s:e] for s, e in quality["highlights"]} == {"高质量", "发展"}


def test_snippet_falls_back_to_title(index_dir: Path) -> None:
    (hit,) = search(index_dir, "title:吞吐量").hits
    assert hit["snippet"] == "Qingdao港口货物吞吐量创新高"
    assert hit["highlights"] == [[11, 14]]


def test_every_highlight_is_a_match(index_dir: Path) -> None:
    for query in ('"新区工委"', "港口", '"的"', "Qingdao"):
        for hit in search(index_dir, query, limit=None).hits:
            needle = normalize(query.strip('"'))
            assert hit["highlights"], (query, hit["id"])
            assert all(normalize(hit["snippet"][s:e]) == needle for s, e in hit["highlights"])


def _sample_substrings(count: int, seed: int) -> list[str]:
    """Sample substrings of the fixture texts, plus cross-word-boundary and absent ones."""
    rng = random.Random(seed)
    records = fixture_records()
    samples = ["新区工委", "人民共和", "区委书记孙", "量发", "港口将推", "周曦一行。", "共和国成"]
    while len(samples) < count:
        text = rng.choice(records)[rng.choice(TEXT_FIELDS)]
        if not text.strip():
            continue
        start = rng.randrange(len(text))
        sample = text[start : start + rng.randint(1, 9)]
        if normalize(sample) and '"' not in sample:
            samples.append(sample)
    return samples + ["青岛董家口港口", "工委新区"]  # absent


def test_phrase_hits_equal_brute_force_substring_search(index_dir: Path) -> None:
    records = fixture_records()
    checked = 0
    for sample in _sample_substrings(40, seed=5):
        assert ids(index_dir, f'"{sample}"') == brute_force(records, sample), sample
        checked += 1
    assert checked == 42


def test_plain_word_hits_include_every_literal_match(index_dir: Path) -> None:
    records = fixture_records()
    for sample in _sample_substrings(40, seed=6):
        if any(ch.isspace() or ch in '()"-' for ch in sample) or not any(ch.isalnum() for ch in sample):
            continue  # not one plain term (punctuation alone is refused unless quoted)
        literal = brute_force(records, sample)
        result = search(index_dir, sample, limit=None)
        assert literal <= {hit["id"] for hit in result.hits}, sample
        assert [hit["exact"] for hit in result.hits[: len(literal)]] == [True] * len(literal)


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="python -m indexer build --index DIR ARCHIVE_DIR"):
        search(tmp_path / "nowhere", "新区")


def test_schema_version_mismatch(tmp_path: Path) -> None:
    index_dir = build_fixture_index(tmp_path)
    (index_dir / META_FILE).write_text(json.dumps({"schema_version": 0}), encoding="utf-8")
    with pytest.raises(SchemaVersionError, match="python -m indexer build --rebuild"):
        search(index_dir, "新区")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"date_from": "2025-3-1"}, "date_from must be a date"),
        ({"date_to": "2025-02-30"}, "date_to must be a date"),
        ({"date_from": "2025-03-02", "date_to": "2025-03-01"}, "is after"),
    ],
)
def test_bad_filters(index_dir: Path, options: dict, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        search(index_dir, "新区", **options)
