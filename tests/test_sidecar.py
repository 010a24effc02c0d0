"""The per-segment query arrays (indexer/build/sidecar.py): they decode back to exactly what the index holds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index

from indexer.analyzers import normalize
from indexer.build import sidecar
from indexer.build.fastwrite import WordCutter
from indexer.build.writer import build_index
from indexer.schema import TEXT_FIELDS, open_index
from indexer.synth import make_records
from tests.corpus import write_jsonl


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("sidecar")
    records = make_records(90, seed=31, body_chars=200)
    records[0]["body"] = "ＡＢＣ abc 臺灣\u3000發展  \n第二段"  # width, case and 繁/简 folding, whitespace
    records[1]["title"] = ""
    for number, record in enumerate(records[2:], start=2):
        record["pretitle"] = records[number - 1]["title"] if number % 2 else ""
        record["subtitle"] = records[number - 2]["body"][:30] if number % 3 else ""
    build_index(where / "index", [write_jsonl(where / "a.jsonl", records)], rebuild=True, procs=1)
    return where / "index"


def _segments(index_dir: Path) -> list:
    return open_index(index_dir)._segments()


def _stored(index_dir: Path, segment) -> list[dict]:
    ix = open_index(index_dir)
    with sidecar.open_perdoc(ix.storage, segment) as perdoc:
        return [perdoc.stored_fields(docnum) for docnum in range(segment.doc_count_all())]


def _load(index_dir: Path, segment) -> sidecar.Sidecar:
    found = sidecar.load(sidecar.sidecar_path(index_dir, segment.segment_id()), segment.doc_count_all())
    assert found is not None
    return found


def test_every_segment_has_a_sidecar(built: Path) -> None:
    names = {path.stem for path in built.glob("*.epx")}
    assert names == {segment.segment_id() for segment in _segments(built)}


@pytest.mark.parametrize("name", sidecar.CHAR_FIELDS)
def test_char_positions_rebuild_the_normalized_text(built: Path, name: str) -> None:
    segment = _segments(built)[0]
    arrays, stored = _load(built, segment), _stored(built, segment)
    fieldname = sidecar.CHAR_FIELDS[name]
    starts = arrays[f"{fieldname}.starts"]
    text = np.zeros(int(starts[-1]), dtype=np.uint32)
    codes, pointer, positions = (arrays[f"{fieldname}.{key}"] for key in ("codes", "pos_ptr", "positions"))
    for term, code in enumerate(codes.tolist()):
        text[positions[pointer[term] : pointer[term + 1]]] = code
    for docnum, fields in enumerate(stored):
        piece = text[starts[docnum] : starts[docnum + 1] - 1]
        assert "".join(map(chr, piece.tolist())) == normalize(fields.get(name) or "")


@pytest.mark.parametrize("name", sidecar.CHAR_FIELDS)
def test_char_documents_and_frequencies(built: Path, name: str) -> None:
    segment = _segments(built)[0]
    arrays, stored = _load(built, segment), _stored(built, segment)
    fieldname = sidecar.CHAR_FIELDS[name]
    expected: dict[tuple[int, int], int] = {}
    for docnum, fields in enumerate(stored):
        for ch in normalize(fields.get(name) or ""):
            expected[ord(ch), docnum] = expected.get((ord(ch), docnum), 0) + 1
    found = {}
    pointer, docs, freqs = (arrays[f"{fieldname}.{key}"] for key in ("doc_ptr", "docs", "tf"))
    for term, code in enumerate(arrays[f"{fieldname}.codes"].tolist()):
        for docnum, freq in zip(docs[pointer[term] : pointer[term + 1]].tolist(),
                                freqs[pointer[term] : pointer[term + 1]].tolist(), strict=True):
            found[code, docnum] = freq
    assert found == expected


@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_word_postings_match_the_word_analyzer(built: Path, name: str) -> None:
    segment = _segments(built)[0]
    arrays, stored = _load(built, segment), _stored(built, segment)
    cutter = WordCutter()
    expected = {(term, docnum): freq for docnum, fields in enumerate(stored)
                for term, freq in cutter.postings(fields.get(name) or "")[1].items()}
    text, text_ptr, pointer, docs, freqs, hashes = (
        arrays[f"{name}.{key}"] for key in ("text", "text_ptr", "doc_ptr", "docs", "tf", "hashes"))
    found = {}
    for term_index in range(len(hashes)):
        term = text[text_ptr[term_index] : text_ptr[term_index + 1]].tobytes().decode("utf-8")
        assert sidecar.term_hash(term) == int(hashes[term_index])
        for docnum, freq in zip(docs[pointer[term_index] : pointer[term_index + 1]].tolist(),
                                freqs[pointer[term_index] : pointer[term_index + 1]].tolist(), strict=True):
            found[term, docnum] = freq
    assert found == expected and expected
    assert np.all(np.diff(hashes.astype(np.float64)) >= 0)


def test_builder_postings_equal_postings_cut_again(built: Path) -> None:
    segment = _segments(built)[0]
    ix = open_index(built)
    with sidecar.open_perdoc(ix.storage, segment) as perdoc:
        header, arrays = sidecar.build(perdoc, segment.doc_count_all())  # no builder postings: cut again
    written = _load(built, segment)
    assert header["doccount"] == written.header["doccount"]
    assert arrays.keys() == written.arrays.keys()
    for key, array in arrays.items():
        assert np.array_equal(array, written[key]), key


def test_lengths_are_whooshs(built: Path) -> None:
    ix = open_index(built)
    segment = ix._segments()[0]
    arrays = _load(built, segment)
    with ix.reader() as reader:
        for fieldname in sidecar.LENGTH_FIELDS:
            expected = [reader.doc_field_length(docnum, fieldname, 0) or 0 for docnum in range(segment.doc_count_all())]
            assert arrays[f"{fieldname}.length"].tolist() == expected


def test_dates_and_papers(built: Path) -> None:
    segment = _segments(built)[0]
    arrays, stored = _load(built, segment), _stored(built, segment)
    assert arrays["date"].tolist() == [int(fields["date"].replace("-", "")) for fields in stored]
    for column in sidecar.CODE_FIELDS:
        labels = arrays.header["labels"][column]
        assert [labels[code] for code in arrays[column].tolist()] == [fields.get(column, "") for fields in stored]


def test_load_refuses_stale_or_broken_files(built: Path, tmp_path: Path) -> None:
    segment = _segments(built)[0]
    path = sidecar.sidecar_path(built, segment.segment_id())
    count = segment.doc_count_all()
    assert sidecar.load(path, count + 1) is None  # another segment's document count
    assert sidecar.load(tmp_path / "missing.epx", count) is None
    for broken in (b"", b"EPX1", b"XXXX" + path.read_bytes()[4:], path.read_bytes()[:200]):
        target = tmp_path / "broken.epx"
        target.write_bytes(broken)
        assert sidecar.load(target, count) is None


def test_merges_leave_no_orphan_sidecars(tmp_path: Path) -> None:
    # Many small incremental builds make Whoosh merge segments; merged-away segments lose their sidecars.
    records = make_records(40, seed=5, body_chars=80)
    for step in range(1, 12):
        build_index(tmp_path / "index", [write_jsonl(tmp_path / f"{step}.jsonl", records[: step * 3])], procs=1)
    ix = whoosh_index.open_dir(str(tmp_path / "index"))
    names = {path.stem for path in (tmp_path / "index").glob("*.epx")}
    assert names == {segment.segment_id() for segment in ix._segments()}
    assert len(names) < 11  # some segments were merged
    assert not list((tmp_path / "index").glob(".*.tmp"))
    # Whoosh's own files (merged segments too) hold no text postings: those are in the sidecars only.
    from indexer.build.codec import SIDECAR_FIELDS
    from indexer.query.search import clear_searcher_cache, search

    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            whoosh_fields = {fieldname for fieldname, _ in leaf._terms.whoosh_terms()}
            assert whoosh_fields and not whoosh_fields & SIDECAR_FIELDS
    clear_searcher_cache()
    phrase = records[5]["body"][10:13]
    expected = {r["id"] for r in records[:33] if any(normalize(phrase) in normalize(r[name]) for name in TEXT_FIELDS)}
    assert {hit["id"] for hit in search(tmp_path / "index", f'"{phrase}"', limit=None).hits} == expected
    clear_searcher_cache()  # the cached searcher holds the segment files open


def test_a_segment_that_cannot_get_a_sidecar_is_searched_by_the_general_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from indexer.query.search import clear_searcher_cache, run_query

    def disk_full(path, header, arrays):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sidecar, "write", disk_full)
    monkeypatch.setattr(sidecar.log, "disabled", False)  # a crawl test's logging set-up may have disabled it
    caplog.set_level("WARNING", logger=sidecar.log.name)
    records = make_records(20, seed=7, body_chars=60)
    build_index(tmp_path / "index", [write_jsonl(tmp_path / "a.jsonl", records)], procs=1)
    assert "no query sidecar" in caplog.text
    assert not list((tmp_path / "index").glob("*.epx"))
    clear_searcher_cache()
    phrase = records[3]["body"][5:9]
    with run_query(tmp_path / "index", f'"{phrase}"') as run:
        assert run.engine is None and len(run.ranked) >= 1
    # Without the file, the segment's postings are built in memory from its stored text: still exact.
    from indexer.query.search import search

    expected = {r["id"] for r in records if any(normalize(phrase) in normalize(r[name]) for name in TEXT_FIELDS)}
    assert {hit["id"] for hit in search(tmp_path / "index", f'"{phrase}"', limit=None).hits} == expected
    clear_searcher_cache()  # the cached searcher holds the segment files open
