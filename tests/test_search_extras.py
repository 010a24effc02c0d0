"""Research extras on the search API: fields, proximity, wildcard, scripts, sort/page, collapse, KWIC, show."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from indexer.analyzers import normalize
from indexer.build.neardup import signature
from indexer.errors import QueryError
from indexer.query.search import NotFoundError, get_article, kwic, period_range, read_clusters, search
from tests.corpus import TEXT_FIELDS, all_records, brute_force, build_extended_index

RECORDS = all_records()
ALL_IDS = {record["id"] for record in RECORDS}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    logging.getLogger("indexer").setLevel(logging.ERROR)
    return build_extended_index(tmp_path_factory.mktemp("extras"))


def ids(index_dir: Path, query: str, **options) -> set[str]:
    """Hit ids of a search returning every hit."""
    return {hit["id"] for hit in search(index_dir, query, limit=None, **options).hits}


def brute_near(left: str, right: str, distance: int, ordered: bool, fields=TEXT_FIELDS) -> set[str]:
    """Independent proximity check: gap of non-whitespace chars between the two occurrences."""
    found = set()
    a, b = normalize(left), normalize(right)
    for record in RECORDS:
        for name in fields:
            text = normalize(record.get(name, ""))
            starts_a = [i for i in range(len(text)) if text.startswith(a, i)]
            starts_b = [i for i in range(len(text)) if text.startswith(b, i)]
            if any(0 <= j - (i + len(a)) <= distance or (not ordered and 0 <= i - (j + len(b)) <= distance)
                   for i in starts_a for j in starts_b):
                found.add(record["id"])
    return found


def brute_prefix(prefix: str) -> set[str]:
    """Independent wildcard check: prefix followed by a letter, digit or CJK char."""
    target = normalize(prefix)
    return {record["id"] for record in RECORDS for name in TEXT_FIELDS
            if any(text[i + len(target)].isalnum() for text in [normalize(record.get(name, ""))]
                   for i in range(len(text) - len(target)) if text.startswith(target, i))}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pretitle:港口观察", {"jz-port"}),
        ('subtitle:"智慧港口"', {"jz-port"}),
        ("page:A04", {"dup-hydro-2", "hydro-other"}),
        ("page:两岸", {"tw-simp", "tw-trad"}),  # page names match across scripts too
        ("page:1 paper:taiwan", {"tw-trad"}),
        ("paper:臺灣日報", {"tw-trad"}),
        ("paper:taiwan", {"tw-trad"}),
    ],
)
def test_every_field_prefix_works(index_dir: Path, query: str, expected: set[str]) -> None:
    assert ids(index_dir, query) == expected


@pytest.mark.parametrize(
    ("query", "left", "right", "distance", "ordered"),
    [
        ("董家口 W/5 项目", "董家口", "项目", 5, False),
        ('"董家口 项目"~5', "董家口", "项目", 5, False),
        ("董家口 W/4 项目", "董家口", "项目", 4, False),
        ("董家口 PRE/5 项目", "董家口", "项目", 5, True),
        ("项目 PRE/2 董家口", "项目", "董家口", 2, True),
        ("董家口 W/0 经济区", "董家口", "经济区", 0, False),
        ("董家口 W/60 项目", "董家口", "项目", 60, False),
        ('"氢能 产业园"~3', "氢能", "产业园", 3, False),
    ],
)
def test_proximity_equals_brute_force(index_dir: Path, query: str, left: str, right: str, distance: int,
                                      ordered: bool) -> None:
    assert ids(index_dir, query) == brute_near(left, right, distance, ordered)


def test_proximity_distance_definition(index_dir: Path) -> None:
    # prox-1: 董家口|经济区重点|项目 (gap 5, in order); prox-2: 项目|落户|董家口 (gap 2, reversed)
    assert {"prox-1", "prox-2"} <= ids(index_dir, "董家口 W/5 项目")
    assert "prox-1" not in ids(index_dir, "董家口 W/4 项目") and "prox-2" in ids(index_dir, "董家口 W/4 项目")
    assert "prox-2" not in ids(index_dir, "董家口 PRE/5 项目") and "prox-1" in ids(index_dir, "董家口 PRE/5 项目")
    assert "prox-2" in ids(index_dir, "项目 PRE/2 董家口") and "prox-2" not in ids(index_dir, "项目 PRE/1 董家口")
    assert "prox-3" not in ids(index_dir, "董家口 W/30 项目")
    assert "prox-3" in ids(index_dir, "董家口 W/40 项目")  # 37 chars apart
    assert ids(index_dir, "title:董家口 W/3 港区") == {"tw-trad"}  # field-limited, across scripts
    assert ids(index_dir, "董家口 W/5 项目 -paper:qingdao") == ids(index_dir, "董家口 W/5 项目") - {
        "prox-1", "prox-2"}


def test_proximity_highlights_both_sides(index_dir: Path) -> None:
    (hit,) = search(index_dir, "董家口 PRE/5 项目 paper:qingdao").hits
    assert hit["id"] == "prox-1"
    assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == ["董家口", "项目"]


def test_wildcard_prefix(index_dir: Path) -> None:
    assert ids(index_dir, "氢能*") == brute_prefix("氢能")
    assert "wild-2" in ids(index_dir, "氢能*") and "wild-1" not in ids(index_dir, "氢能*")
    assert "wild-1" in ids(index_dir, "氢能")
    assert ids(index_dir, "title:氢*") == {"hydro-other"}
    assert ids(index_dir, "qingd*") == brute_prefix("qingd") == {"jz-port"}
    (hit,) = search(index_dir, "氢能* paper:jiaozhou -title:启用").hits
    assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == ["氢能汽"]


@pytest.mark.parametrize("query", ["臺灣", "台湾", '"臺灣"', '"台灣"', "title:臺灣", "台湾 OR 港区"])
def test_traditional_and_simplified_match_each_other(index_dir: Path, query: str) -> None:
    found = ids(index_dir, query)
    assert {"tw-trad", "tw-simp"} <= found if "title" not in query else found == {"tw-trad", "tw-simp"}


def test_script_folding_keeps_phrases_exact(index_dir: Path) -> None:
    assert ids(index_dir, '"董家口港区"') == brute_force(RECORDS, "董家口港区") | {"tw-trad"}
    assert ids(index_dir, '"企業家參觀"') == ids(index_dir, '"企业家参观"') == {"tw-trad"}
    assert ids(index_dir, "企业家") == {"tw-trad"}  # word level: 企業家 is cut as the jieba word 企业家
    (hit,) = search(index_dir, '"参观"').hits
    assert hit["snippet"].startswith("臺灣企業家一行參觀")  # stored text stays as printed
    assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == ["參觀"]


def test_sort_and_paging(index_dir: Path) -> None:
    everything = search(index_dir, "项目", limit=None).hits
    by_date = search(index_dir, "项目", limit=None, sort="date").hits
    newest = search(index_dir, "项目", limit=None, sort="-date").hits
    assert [h["date"] for h in by_date] == sorted(h["date"] for h in everything)
    assert [h["date"] for h in newest] == sorted((h["date"] for h in everything), reverse=True)
    assert {h["id"] for h in by_date} == {h["id"] for h in everything}
    pages = [search(index_dir, "项目", limit=3, page=n, sort="date").hits for n in (1, 2, 3)]
    assert [h["id"] for page in pages for h in page] == [h["id"] for h in by_date][:9]
    assert search(index_dir, "项目", limit=3, page=100).hits == []
    assert search(index_dir, "项目", limit=3, page=2).total == len(everything)


def test_year_and_month_ranges() -> None:
    assert period_range(year="2025") == ("2025-01-01", "2025-12-31")
    assert period_range(month="2024-02") == ("2024-02-01", "2024-02-29")
    assert period_range(month="2025-12") == ("2025-12-01", "2025-12-31")
    for bad in ({"year": "25"}, {"month": "2025-13"}, {"month": "2025"}):
        with pytest.raises(QueryError):
            period_range(**bad)


def test_month_filter(index_dir: Path) -> None:
    first, last = period_range(month="2025-02")
    assert ids(index_dir, "港口", date_from=first, date_to=last) == {"jz-port"}


def test_near_duplicate_clusters(index_dir: Path) -> None:
    clusters = read_clusters(index_dir)
    assert set(clusters) == ALL_IDS
    groups: dict[str, set[str]] = {}
    for doc_id, head in clusters.items():
        groups.setdefault(head, set()).add(doc_id)
    planted = {"xh-hydro", "dup-hydro-1", "dup-hydro-2"}
    assert groups["xh-hydro"] == planted  # earliest (2025-03-19) names the cluster
    assert [members for members in groups.values() if len(members) > 1] == [planted]  # no false clusters
    assert clusters["hydro-other"] == "hydro-other"  # same topic and phrase, different article


def test_neardup_similarity_separates_the_pairs() -> None:
    by_id = {record["id"]: record for record in RECORDS}
    text = {key: by_id[key]["title"] + "\n" + by_id[key]["body"] for key in by_id}
    base = signature(text["xh-hydro"])
    assert base.jaccard(signature(text["dup-hydro-1"])) >= 0.6
    assert base.jaccard(signature(text["hydro-other"])) < 0.2
    assert signature("太短的文本") is None


def test_collapse_shows_one_hit_per_cluster(index_dir: Path) -> None:
    plain = search(index_dir, '"便民服务网点"', limit=None)
    assert {hit["id"] for hit in plain.hits} == {"xh-hydro", "dup-hydro-1", "dup-hydro-2"}
    collapsed = search(index_dir, '"便民服务网点"', limit=None, collapse=True)
    assert collapsed.total == 1
    (hit,) = collapsed.hits
    assert hit["cluster"] == "xh-hydro" and hit["copies"] == 3
    mixed = search(index_dir, "氢能产业园", limit=None, collapse=True)
    assert {hit["cluster"]: hit["copies"] for hit in mixed.hits} == {"xh-hydro": 3, "hydro-other": 1}


def test_kwic_lines_are_exact(index_dir: Path) -> None:
    lines = kwic(index_dir, '"新区工委"', width=6, sort="date")
    assert [(line["id"], line["field"], line["left"], line["match"], line["right"]) for line in lines] == [
        ("jz-port", "body", "口集团表示，", "新区工委", "提出的目标正"),
        ("xh-sun", "body", "上午，西海岸", "新区工委", "书记、区委书"),
    ]
    assert lines[0]["date"] == "2025-02-10" and lines[0]["paper_name"] == "胶州日报"
    # one line per occurrence, in title and body, contexts cut at the field's ends
    lines = kwic(index_dir, "董家口 PRE/5 项目 paper:qingdao", width=4)
    assert [(line["left"], line["match"], line["right"]) for line in lines] == [
        ("", "董家口", "经济区重"), ("济区重点", "项目", "开工。")]
    assert [line["match"] for line in kwic(index_dir, "臺灣", width=2, paper="qingdao")] == ["台湾", "台湾"]


def test_show_follows_continuations(index_dir: Path) -> None:
    for doc_id in ("cont-1", "cont-2"):
        article = get_article(index_dir, doc_id)
        assert article["id"] == doc_id
        assert [part["id"] for part in article["parts"]] == ["cont-1", "cont-2"]
        assert article["full_text"] == "董家口港区今年将新开工一批重点项目。\n同时加快港城融合发展。"
    assert get_article(index_dir, "cont-1")["pdf_url"] == "https://example.invalid/2025-03-21/01.pdf"
    single = get_article(index_dir, "jz-port")
    assert [part["id"] for part in single["parts"]] == ["jz-port"] and single["full_text"] == single["body"]
    with pytest.raises(NotFoundError, match="no article with id 'nope'"):
        get_article(index_dir, "nope")


def test_with_record_returns_the_archive_record(index_dir: Path) -> None:
    (hit,) = search(index_dir, "title:港口转型 page:1", with_record=True).hits
    record = next(r for r in RECORDS if r["id"] == "cont-1")
    assert hit["record"] == json.loads(json.dumps(record, ensure_ascii=False))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("董家口 W/5", "dangling operator 'W/5'"),
        ("W/5 项目", "dangling operator 'W/5'"),
        ("a W/5 b W/5 c", "joins exactly two terms"),
        ("(a OR b) W/5 c", "needs a word or quoted phrase on each side"),
        ('"a b c"~5', "exactly two space-separated parts"),
        ('"a b"~', "proximity needs a number"),
        ("title:a W/3 body:b", "same field"),
        ("author:丁 W/3 b", "works on text fields"),
        ("氢能* W/3 b", "does not take wildcard terms"),
        ("*", "needs a prefix"),
        ("氢*能", "only allowed at the end"),
        ("page:1*", "works on text fields"),
        ("a W/99999 b", "too large"),
    ],
)
def test_new_syntax_errors(query: str, message: str, index_dir: Path) -> None:
    with pytest.raises(QueryError) as caught:
        search(index_dir, query)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_minhash_parameters_are_datasketchs() -> None:
    # neardup draws the permutations and uses the LSH bands itself (importing datasketch costs 60 MB of scipy).
    import numpy as np
    from datasketch import MinHash
    from datasketch.lsh import _optimal_param

    from indexer.build import neardup

    a, b = MinHash(num_perm=neardup.NUM_PERM, seed=neardup.SEED, scheme=neardup.SCHEME).permutations
    ours_a, ours_b = neardup._permutations()
    assert np.array_equal(ours_a, a) and np.array_equal(ours_b, b)
    assert (neardup.LSH_BANDS, neardup.LSH_ROWS) == _optimal_param(neardup.THRESHOLD, neardup.NUM_PERM, 0.5, 0.5)


def test_signature_table_round_trip() -> None:
    import pickle

    import numpy as np

    from indexer.build import neardup

    table = neardup.SignatureTable()
    values = {f"id{n}": (np.arange(neardup.NUM_PERM, dtype=np.uint64) * np.uint64(n) if n % 3 else None)
              for n in range(neardup.SignatureTable.BLOCK + 5)}  # more than one block
    for doc_id, value in values.items():
        table.add(doc_id, value)
    for copy in (table, pickle.loads(pickle.dumps(table))):
        found = copy.as_dict()
        assert list(found) == list(values)
        assert all((found[k] is None) if v is None else np.array_equal(found[k], v) for k, v in values.items())
