"""The direct phrase evaluator (indexer/query/phrases.py) against Whoosh's Phrase query and brute force."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import query as wq

from indexer.analyzers import char_tokens
from indexer.build.writer import build_index
from indexer.query.phrases import FastPhrase, phrase_docs
from indexer.query.search import clear_searcher_cache, search
from indexer.schema import TEXT_FIELDS, char_field, open_index
from indexer.synth import make_records
from tests.corpus import varied_synthetic_records, write_jsonl

ABSENT = ["量子纠缠态", "犇犇犇", "鱻", "Zq9"]


def _records() -> list[dict]:
    return varied_synthetic_records(240, 11, 300, "发发发，发展的的")  # repeated chars, overlapping occurrences


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """An index built in two runs (two segments), the second changing some first-run articles (deletions)."""
    where = tmp_path_factory.mktemp("phrases")
    records = _records()
    build_index(where / "index", [write_jsonl(where / "a.jsonl", records[:150])], rebuild=True, procs=1)
    for record in records[:12]:
        record["body"] = "改写" + record["body"][::-1]
        record["content_hash"] = ""
    build_index(where / "index", [write_jsonl(where / "b.jsonl", records)], procs=1)
    return where / "index", records


def _phrases(records: list[dict]) -> list[str]:
    rng = random.Random(5)
    found = ["发发", "发发发", "的的", "发展的的", "发", "的", *ABSENT]
    for _ in range(60):
        record = rng.choice(records)
        text = record[rng.choice([name for name in TEXT_FIELDS if record[name]])]
        length = rng.choice([1, 2, 2, 3, 4, 6, 10])
        start = rng.randrange(max(1, len(text) - length))
        if char_tokens(text[start : start + length]):
            found.append(text[start : start + length])
    return list(dict.fromkeys(found))


def _brute(records_by_id: dict[str, dict], name: str, phrase: str) -> set[str]:
    wanted = "\x00" + "\x00".join(char_tokens(phrase)) + "\x00"
    return {key for key, record in records_by_id.items()
            if wanted in "\x00" + "\x00".join(char_tokens(record.get(name, ""))) + "\x00"}


def test_doc_sets_equal_whoosh_phrase_and_brute_force(corpus: tuple[Path, list[dict]]) -> None:
    index_dir, records = corpus
    by_id = {record["id"]: record for record in records}
    with open_index(index_dir).searcher() as searcher:
        ids = searcher.reader().column_reader("id")
        assert searcher.doc_count() == len(records)
        for phrase in _phrases(records):
            chars = char_tokens(phrase)
            for name in TEXT_FIELDS:
                field = char_field(name)
                fast = set(searcher.docs_for_query(FastPhrase(field, chars)))
                plain = wq.Term(field, chars[0]) if len(chars) == 1 else wq.Phrase(field, chars)
                assert fast == set(searcher.docs_for_query(plain)), (phrase, name)
                assert fast == set(phrase_docs(searcher.reader(), field, chars)), (phrase, name)
                assert {ids[doc] for doc in fast} == _brute(by_id, name, phrase), (phrase, name)
                if phrase in ABSENT:
                    assert not fast


def test_scores_equal_whoosh_phrase(corpus: tuple[Path, list[dict]]) -> None:
    index_dir, records = corpus
    with open_index(index_dir).searcher() as searcher:
        for phrase in _phrases(records)[:40]:
            chars = char_tokens(phrase)
            if len(chars) < 2:
                continue
            parts = [wq.Term("body", chars[0]), wq.Phrase("title_c", chars), wq.Phrase("body_c", chars)]
            fast = [FastPhrase(q.fieldname, q.words) if isinstance(q, wq.Phrase) else q for q in parts]
            expected = searcher.search(wq.Or(parts), limit=None, terms=False).top_n
            assert searcher.search(wq.Or(fast), limit=None, terms=False).top_n == expected, phrase


def test_fast_phrase_equals_the_phrase_it_replaces() -> None:
    assert FastPhrase("body_c", list("发发")) == wq.Phrase("body_c", list("发发"))
    assert wq.Phrase("body_c", list("发发")) == FastPhrase("body_c", list("发发"))
    assert hash(FastPhrase("body_c", list("发展"))) == hash(wq.Phrase("body_c", list("发展")))
    assert FastPhrase("body_c", list("发展")) != wq.Phrase("title_c", list("发展"))


def test_search_phrase_hits_equal_brute_force(corpus: tuple[Path, list[dict]]) -> None:
    index_dir, records = corpus
    by_id = {record["id"]: record for record in records}
    for phrase in _phrases(records)[:25]:
        if '"' in phrase:
            continue
        hits = {hit["id"] for hit in search(index_dir, f'"{phrase}"', limit=None).hits}
        assert hits == set().union(*(_brute(by_id, name, phrase) for name in TEXT_FIELDS)), phrase
        field_hits = {hit["id"] for hit in search(index_dir, f'title:"{phrase}"', limit=None).hits}
        assert field_hits == _brute(by_id, "title", phrase), phrase


def test_cached_searcher_sees_a_rebuild(tmp_path: Path) -> None:
    records = make_records(20, seed=3, body_chars=100)
    records[0]["title"] = "甲乙丙丁戊"
    index_dir = tmp_path / "index"
    build_index(index_dir, [write_jsonl(tmp_path / "a.jsonl", records)], rebuild=True, procs=1)
    assert [hit["id"] for hit in search(index_dir, '"甲乙丙丁戊"').hits] == [records[0]["id"]]
    records[0]["title"], records[1]["title"] = "别的标题", "甲乙丙丁戊"
    build_index(index_dir, [write_jsonl(tmp_path / "b.jsonl", records)], rebuild=True, procs=1)
    assert [hit["id"] for hit in search(index_dir, '"甲乙丙丁戊"').hits] == [records[1]["id"]]
    records[2]["body"] = "甲乙丙丁戊" + records[2]["body"]
    records[2]["content_hash"] = ""
    build_index(index_dir, [write_jsonl(tmp_path / "c.jsonl", records)], procs=1)  # an incremental update
    assert {hit["id"] for hit in search(index_dir, '"甲乙丙丁戊"').hits} == {records[1]["id"], records[2]["id"]}
    clear_searcher_cache()
