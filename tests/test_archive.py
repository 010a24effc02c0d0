"""The archive's day files: naming, natural page order, atomic replacement, merging by id."""

import json

import pytest

from crawler.archive import day_file, merge_day, page_sort_key, read_records, write_records


def test_day_file_layout(tmp_path):
    assert day_file(tmp_path, "xihaian", "2025-03-19") == tmp_path / "xihaian/2025/xihaian-2025-03-19.jsonl"


@pytest.mark.parametrize("paper", ["../x", "a/b", ".."])
def test_day_file_refuses_path_like_papers(tmp_path, paper):
    with pytest.raises(ValueError):
        day_file(tmp_path, paper, "2025-03-19")


def test_day_file_refuses_bad_dates(tmp_path):
    with pytest.raises(ValueError):
        day_file(tmp_path, "xihaian", "2025/03/19")


def test_page_numbers_sort_naturally():
    assert sorted(["A10", "A2", "B1", "A1"], key=page_sort_key) == ["A1", "A2", "A10", "B1"]
    assert sorted(["10", "02", "01"], key=page_sort_key) == ["01", "02", "10"]


def test_write_is_utf8_unescaped_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "p" / "2025" / "p-2025-03-19.jsonl"
    write_records(path, [{"id": "a", "title": "高质量发展"}])
    assert "高质量发展" in path.read_text(encoding="utf-8")
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_merge_replaces_by_id_and_keeps_unseen_records(tmp_path):
    path = tmp_path / "day.jsonl"
    old = [
        {"id": "p-1", "type": "article", "page_no": "01", "position": 0, "title": "old"},
        {"id": "p-2", "type": "article", "page_no": "02", "position": 0, "title": "kept"},
    ]
    write_records(path, old)
    fresh = [{"id": "p-1", "type": "article", "page_no": "01", "position": 0, "title": "new"},
             {"id": "p-0", "type": "page", "page_no": "01"}]
    merged, counts = merge_day(path, fresh)
    assert [(r["id"], r.get("title")) for r in merged] == [("p-0", None), ("p-1", "new"), ("p-2", "kept")]
    assert (counts.new, counts.replaced) == (1, 1)


def article(content_hash, fetched_at, **extra):
    return {"id": "p-1", "type": "article", "page_no": "01", "content_hash": content_hash, "fetched_at": fetched_at,
            **extra}


def test_unchanged_article_keeps_the_archived_record(tmp_path):
    path = tmp_path / "day.jsonl"
    write_records(path, [article("sha256:a", "2025-03-19T06:00:00Z")])
    merged, counts = merge_day(path, [article("sha256:a", "2025-03-20T06:00:00Z")])
    assert merged == [article("sha256:a", "2025-03-19T06:00:00Z")]
    assert (counts.unchanged, counts.new, counts.revised) == (1, 0, 0)


def test_changed_article_is_revised_with_the_old_hash_kept(tmp_path):
    path = tmp_path / "day.jsonl"
    write_records(path, [article("sha256:a", "2025-03-19T06:00:00Z")])
    merged, counts = merge_day(path, [article("sha256:b", "2025-03-20T06:00:00Z", title="更正")])
    write_records(path, merged)
    assert merged[0]["revisions"] == ["sha256:a"] and merged[0]["revised_at"] == "2025-03-20T06:00:00Z"
    merged, counts = merge_day(path, [article("sha256:c", "2025-03-21T06:00:00Z")])
    assert merged[0]["revisions"] == ["sha256:a", "sha256:b"] and counts.revised == 1
    # every earlier version is kept whole, oldest first: nothing collected is lost
    assert merged[0]["versions"] == [article("sha256:a", "2025-03-19T06:00:00Z"),
                                     article("sha256:b", "2025-03-20T06:00:00Z", title="更正")]
    write_records(path, merged)
    merged, counts = merge_day(path, [article("sha256:c", "2025-03-22T06:00:00Z", url="http://other/")])
    assert counts.replaced == 1 and len(merged[0]["versions"]) == 2  # replaced, not revised: history stays


def test_read_skips_malformed_lines(tmp_path):
    path = tmp_path / "day.jsonl"
    path.write_text('{"id": "a"}\nnot json\n[1]\n\n{"id": "b"}\n', encoding="utf-8")
    assert [r["id"] for r in read_records(path)] == ["a", "b"]
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0]) == {"id": "a"}


def test_stale_temp_files_of_a_day_are_removed(tmp_path):
    from crawler.archive import remove_stale_temp_files

    path = tmp_path / "p-2025-03-19.jsonl"
    (tmp_path / ".p-2025-03-19.jsonl.abc.tmp").write_text("half a rec", encoding="utf-8")
    (tmp_path / ".p-2025-03-20.jsonl.abc.tmp").write_text("another day", encoding="utf-8")
    remove_stale_temp_files(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".p-2025-03-20.jsonl.abc.tmp"]
