"""The fast segment builder writes the same index as Whoosh's own writer; parallel builds search the same."""

from __future__ import annotations

import json
from pathlib import Path

import jieba
import numpy as np
import pytest
from whoosh import index

from indexer.analyzers import use_userdict
from indexer.build import sidecar
from indexer.build import writer as writer_module
from indexer.build.codec import IndexWriter
from indexer.build.fastwrite import SegmentBuilder, WordCutter, WordPostingsBuilder
from indexer.build.writer import build_index, record_hash, to_document
from indexer.query.search import read_clusters, search
from indexer.schema import build_schema
from indexer.synth import make_records

jieba.setLogLevel(60)

TRICKY = {
    "type": "article", "id": "tricky-1", "paper": "p", "paper_name": "某报", "date": "2025-01-02", "page_no": "1",
    "page_name": "要 闻", "pretitle": "◆引题 臺灣", "author": "丁 霞",
    "title": "臺灣 Hello-World 2024-2026 e-mail 1.2.3 ＡＢＣ İstanbul C++ AT&T 3.5%",
    "subtitle": "Ⅻ ǅ ß ﬁ",
    "body": "第一段 臺灣\n\n第二段　　ABC abc 氢能*产业 İ\t x\u3000y\u00a0z\u2028w" + "的" * 300,
}


def _documents(count: int) -> list[dict]:
    records = make_records(count, seed=11) + [TRICKY]
    return [to_document(record, record_hash(record)) for record in records]


def _dump(index_dir: Path) -> tuple:
    """Every posting (id, weight, value) and term statistic, stored fields, columns and field lengths."""
    with index.open_dir(str(index_dir)).reader() as reader:
        postings = {}
        for fieldname in sorted(reader.indexed_field_names()):
            for term in reader.lexicon(fieldname):
                matcher = reader.postings(fieldname, term)
                items = []
                while matcher.is_active():
                    items.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                info = reader.term_info(fieldname, term)
                postings[fieldname, term] = (items, info.weight(), info.doc_frequency(), info.min_length(),
                                             info.max_length(), info.max_weight(), info.min_id(), info.max_id())
        stored = list(reader.all_stored_fields())
        columns = {name: list(reader.column_reader(name)) for name in ("id", "date", "content_hash")}
        scorable = reader.schema.scorable_names()
        lengths = {name: [reader.doc_field_length(doc, name) for doc in range(reader.doc_count_all())]
                   for name in scorable}
        totals = {name: reader.field_length(name) for name in scorable}
    return postings, stored, columns, lengths, totals


def test_segment_builder_writes_what_whoosh_writes(tmp_path: Path) -> None:
    documents = _documents(60)
    whoosh_dir, fast_dir = tmp_path / "whoosh", tmp_path / "fast"
    whoosh_dir.mkdir()
    fast_dir.mkdir()
    with IndexWriter(index.create_in(str(whoosh_dir), build_schema())) as writer:
        for document in documents:
            writer.add_document(**document)
    ix = index.create_in(str(fast_dir), build_schema())
    writer = IndexWriter(ix)
    builder = SegmentBuilder(ix.storage, writer.schema, ix.indexname)
    for document in documents:
        builder.add_document(**document)
    segment = builder.finish()
    # The builder's word postings (cut as it added the documents) in a sidecar file; Whoosh's segment has
    # none, so its text postings come from arrays built from its stored text.
    assert sidecar.ensure_segment(fast_dir, ix.storage, segment, builder.words)
    writer.commit(mergetype=lambda w, segments: [*segments, segment])
    assert not list(whoosh_dir.glob("*.epx"))
    expected, got = _dump(whoosh_dir), _dump(fast_dir)
    assert len(expected[0]) > 3000
    for part, name in enumerate(("postings", "stored fields", "columns", "field lengths", "field totals")):
        assert got[part] == expected[part], name


def test_word_postings_and_lengths_match_the_analyzers() -> None:
    schema = build_schema()
    texts = [TRICKY["title"], TRICKY["body"], *(r["body"] for r in make_records(20, seed=5))]
    cutter, builder = WordCutter(), WordPostingsBuilder()
    expected_postings = {}
    for docnum, text in enumerate(texts):
        expected = {term: freq for term, freq, _, _ in
                    schema["body"].format.word_values(text, schema["body"].analyzer, mode="index")}
        length, counts = cutter.postings(text)
        assert counts == expected and length == sum(expected.values())
        assert builder.add("body", docnum, text) == length
        for term, freq in expected.items():
            expected_postings[term, docnum] = freq
    arrays = builder.arrays("body")
    text, pointer = arrays["text"].tobytes(), arrays["text_ptr"].tolist()
    found = {}
    for number in range(len(pointer) - 1):
        term = text[pointer[number] : pointer[number + 1]].decode("utf-8")
        assert sidecar.term_hash(term) == int(arrays["hashes"][number])
        span = slice(int(arrays["doc_ptr"][number]), int(arrays["doc_ptr"][number + 1]))
        assert np.all(np.diff(arrays["docs"][span]) > 0)
        for docnum, freq in zip(arrays["docs"][span].tolist(), arrays["tf"][span].tolist(), strict=True):
            found[term, docnum] = freq
    assert found == expected_postings and len(found) > 500
    assert arrays["tf"].dtype == np.uint16  # 的 300 times in one text: too many for uint8
    assert np.all(np.diff(arrays["hashes"].astype(np.float64)) >= 0)


def test_word_cutter_follows_the_user_dictionary(tmp_path: Path) -> None:
    from indexer.analyzers import read_userdict

    path = tmp_path / "dict.txt"
    path.write_text("董家口经济区 10\n", encoding="utf-8")
    cutter = WordCutter()
    try:
        use_userdict(read_userdict(path))
        assert "董家口经济区" in cutter.postings("董家口经济区召开大会")[1]
    finally:
        use_userdict(None)
    assert "董家口经济区" not in cutter.postings("董家口经济区召开大会")[1]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "archive.jsonl"
    records = make_records(120, seed=3)
    records.append(dict(records[0], id="copy-of-0", date="2024-12-31"))  # a near-duplicate
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_parallel_build_searches_like_a_single_process_build(archive: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    single = build_index(tmp_path / "single", [archive], procs=1)
    monkeypatch.setattr(writer_module, "PARALLEL_MIN_DOCS", 10)
    monkeypatch.setattr(writer_module, "SEGMENT_LIMIT_MB", 0.5)  # several segments per process
    double = build_index(tmp_path / "double", [archive], procs=2)
    assert (single.added, single.docs) == (double.added, double.docs) == (121, 121)
    with index.open_dir(str(tmp_path / "double")).reader() as reader:
        assert len(reader.leaf_readers()) > 2
    for query in ('"发展"', "高质量发展", "新区 OR 项目", '"董家口" W/20 项目', "氢能*"):
        one = search(tmp_path / "single", query, limit=None)
        two = search(tmp_path / "double", query, limit=None)
        assert one.total == two.total
        assert [(h["id"], h["score"], h["snippet"]) for h in one.hits] == \
               [(h["id"], h["score"], h["snippet"]) for h in two.hits]
    assert read_clusters(tmp_path / "single") == read_clusters(tmp_path / "double")
    assert read_clusters(tmp_path / "single")["copy-of-0"] == make_records(1, seed=3)[0]["id"]


def test_old_minhash_scheme_is_recomputed(archive: Path, tmp_path: Path) -> None:
    import io

    import numpy as np

    from indexer.build import commit

    build_index(tmp_path / "ix", [archive], procs=1)
    generation = commit.latest_generation(tmp_path / "ix")
    record = commit.read_record(tmp_path / "ix", generation)
    entry = record["files"]["minhash"]
    data = dict(np.load(tmp_path / "ix" / entry["name"]))
    del data["scheme"]
    data["values"] = np.zeros_like(data["values"])  # signatures of another scheme: meaningless here
    out = io.BytesIO()
    np.savez_compressed(out, **data)
    (tmp_path / "ix" / entry["name"]).write_bytes(out.getvalue())
    entry.update(size=len(out.getvalue()), crc32=commit.crc32_bytes(out.getvalue()))  # intact, just old
    commit.write_record(tmp_path / "ix", generation, record)
    clusters = read_clusters(tmp_path / "ix")
    extra = tmp_path / "more.jsonl"
    extra.write_text(json.dumps(dict(make_records(1, seed=9)[0], id="new-one"), ensure_ascii=False) + "\n",
                     encoding="utf-8")
    stats = build_index(tmp_path / "ix", [archive, extra], procs=1)
    assert stats.added == 1
    after = read_clusters(tmp_path / "ix")
    assert {k: v for k, v in after.items() if k != "new-one"} == clusters


def test_table_folding_equals_the_analyzers() -> None:
    from indexer.analyzers import fold, normalize, to_simplified
    from indexer.build import textcodes

    # Every code point up to past the last folded one (surrogates cannot be in a str we index).
    every = "".join(chr(code) for code in range(0x32000) if not 0xD800 <= code < 0xE000)
    assert textcodes.fold_codes(textcodes.codes_of(every)).tobytes().decode("utf-32-le") == fold(every)
    assert textcodes.simplified(every) == to_simplified(every)
    assert textcodes.normalized_codes(every).tobytes().decode("utf-32-le") == normalize(every)
    for text in (TRICKY["title"], TRICKY["body"], TRICKY["subtitle"], " \u3000\n", "", "abc"):
        assert textcodes.normalized_codes(text).tobytes().decode("utf-32-le") == normalize(text)
        assert textcodes.simplified(text) == to_simplified(text)
    from indexer.build.fastwrite import _CONTENT

    assert all((_CONTENT.search(ch) is not None) == ch.isalnum() for ch in every)
