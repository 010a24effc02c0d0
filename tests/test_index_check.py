"""A damaged index is detected by the checksums recorded at commit: one line, exit 2, from search_cli.py and
`python -m indexer`; `indexer check` lists the problems (exit 1) and `--repair` fixes what can be recomputed.
Also: user dictionaries in other encodings, odd paths, a record with a lone surrogate."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.build import commit, sidecar
from indexer.build.check import check_index
from indexer.query.search import clear_searcher_cache, search
from indexer.synth import make_records
from tests.conftest import ROOT

QUERY = '"发展"'


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m indexer ARGS` (or search_cli.py ARGS when the first one is "search")."""
    program = ["search_cli.py", *args[1:]] if args[0] == "search" else ["-m", "indexer", *args]
    return subprocess.run([sys.executable, *program], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """An archive (articles in two files, page records, two verbatim reprints) and its index, in two commits."""
    folder = tmp_path_factory.mktemp("check")
    records = make_records(60, seed=41, body_chars=300)
    records += [dict(records[i], id=f"reprint-{i}", content_hash=f"reprint-{i}") for i in (4, 9)]
    pages = [{"type": "page", "id": f"synth-p{n}", "paper": "synth", "date": "2024-05-01", "page_no": f"{n:02d}",
              "page_name": "要闻", "article_ids": []} for n in (1, 2)]
    archive = folder / "archive"
    archive.mkdir()
    (archive / "a.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[:40]),
                                     encoding="utf-8")
    (archive / "b.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[40:] + pages),
                                     encoding="utf-8")
    index_dir = folder / "index"
    assert cli("build", "--index", str(index_dir), str(archive / "a.jsonl")).returncode == 0
    assert cli("build", "--index", str(index_dir), str(archive)).returncode == 0
    clear_searcher_cache()
    return {"archive": archive, "index": index_dir, "total": search(index_dir, QUERY, limit=None).total}


def record(index_dir: Path) -> dict:
    return commit.read_record(index_dir, commit.latest_generation(index_dir))


def largest(index_dir: Path, ext: str) -> Path:
    return max(index_dir.glob(f"*{ext}"), key=lambda path: path.stat().st_size)


def scribble(path: Path) -> None:
    """Random-looking bytes in the middle of a file (same size)."""
    with path.open("r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        handle.write(bytes(range(7, 256, 3)))


def scribble_array(path: Path, name: str) -> None:
    """Random-looking bytes in the middle of one array of a sidecar (same size). A query checks the blocks it
    reads, so the damage goes where a phrase query reads: every segment's document starts."""
    data = path.read_bytes()
    head_at, head_len, _crc = struct.unpack_from("<QQI", data, len(sidecar.MAGIC))  # the header follows the arrays
    offset, dtype, count, _ = json.loads(data[head_at : head_at + head_len])["arrays"][name]
    start = -(-(len(sidecar.MAGIC) + sidecar._FIXED) // sidecar._ALIGN) * sidecar._ALIGN + offset
    with path.open("r+b") as handle:
        handle.seek(start + count * int(dtype[-1]) // 2)
        handle.write(bytes(range(7, 256, 3))[:8])


def derived(index_dir: Path, kind: str) -> Path:
    return index_dir / record(index_dir)["files"][kind]["name"]


SEARCH = ["search", QUERY]
DAMAGE: dict[str, tuple[Callable[[Path], None], list[str] | None, bool]] = {
    # name: (damage, the search_cli.py command that reads the damaged file, can --repair fix it)
    "deleted .seg": (lambda ix: largest(ix, ".seg").unlink(), SEARCH, False),
    "truncated .seg": (lambda ix: os.truncate(largest(ix, ".seg"), 1000), SEARCH, False),
    "truncated TOC": (lambda ix: os.truncate(ix / f"_MAIN_{commit.latest_generation(ix)}.toc", 40), SEARCH, False),
    "random bytes in a sidecar": (lambda ix: scribble_array(largest(ix, ".epx"), "body_c.starts"), SEARCH, True),
    "broken clusters": (lambda ix: derived(ix, "clusters").write_text("{", encoding="utf-8"),
                        [*SEARCH, "--collapse"], True),
    "broken pages": (lambda ix: derived(ix, "pages").write_text('{"x": 1}', encoding="utf-8"), ["search", "stats"],
                     True),
    "deleted signatures": (lambda ix: derived(ix, "minhash").unlink(), None, True),  # read by builds only
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damage_is_one_line_exit_2_and_check_repairs_or_names_the_rebuild(built, tmp_path, damage):
    index_dir = tmp_path / "index"
    shutil.copytree(built["index"], index_dir)
    harm, reader, repairable = DAMAGE[damage]
    harm(index_dir)
    if reader is not None:
        done = cli(*reader, "--index", str(index_dir))
        assert done.returncode == 2 and "Traceback" not in done.stderr
        (line,) = done.stderr.splitlines()
        assert f"index {index_dir} is damaged" in line
    checked = cli("check", "--index", str(index_dir))
    assert checked.returncode == 1
    lines = checked.stdout.splitlines()
    assert lines and all(line.startswith(f"index {index_dir}: ") for line in lines)
    repaired = cli("check", "--repair", "--index", str(index_dir), "--archive", str(built["archive"]))
    if repairable:
        assert repaired.returncode == 0, repaired.stdout + repaired.stderr
        assert repaired.stdout.splitlines()[-1].startswith(f"index {index_dir} is healthy")
        clear_searcher_cache()
        assert search(index_dir, QUERY, limit=None).total == built["total"]
        assert check_index(index_dir, built["archive"]).healthy
    else:
        assert repaired.returncode == 1 and "needs `python -m indexer build --rebuild`" in repaired.stdout
        build = cli("build", "--index", str(index_dir), str(built["archive"]))
        assert build.returncode == 2 and "--rebuild" in build.stderr and len(build.stderr.splitlines()) == 1
        assert cli("build", "--rebuild", "--index", str(index_dir), str(built["archive"])).returncode == 0
        assert check_index(index_dir, built["archive"]).healthy
        clear_searcher_cache()
        assert search(index_dir, QUERY, limit=None).total == built["total"]


def test_a_healthy_index_checks_clean_against_its_archive(built):
    done = cli("check", "--index", str(built["index"]), "--archive", str(built["archive"]))
    assert done.returncode == 0
    assert done.stdout.splitlines() == [f"index {built['index']} is healthy: 62 articles in "
                                        f"{len(record(built['index'])['segments'])} segments, generation "
                                        f"{commit.latest_generation(built['index'])}"]


def test_check_finds_articles_missing_from_the_index_and_others_not_in_the_archive(built, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(built["archive"], archive)
    extra = dict(make_records(1, seed=42)[0], id="only-in-archive")
    with (archive / "b.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(extra, ensure_ascii=False) + "\n")
    (archive / "a.jsonl").unlink()
    done = cli("check", "--index", str(built["index"]), "--archive", str(archive))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert any("1 archived articles are not indexed (only-in-archive)" in line for line in lines)
    assert any("40 indexed articles are not in the archive" in line for line in lines)


@pytest.mark.parametrize("args", [["check"], ["check", "--index"], ["check", "--index", "/nonexistent/ix"]])
def test_check_bad_usage_is_exit_2(args):
    done = cli(*args)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


def test_a_lone_surrogate_is_replaced_not_fatal(tmp_path):
    good = make_records(3, seed=43, body_chars=200)
    line = json.dumps(dict(good[0], title="坏\ud800字"), ensure_ascii=True)  # "\\ud800" in the file
    source = tmp_path / "a.jsonl"
    source.write_text(line + "\n" + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in good[1:]),
                      encoding="utf-8")
    done = cli("build", "--index", str(tmp_path / "index"), str(source))
    assert done.returncode == 0, done.stderr
    assert "3 added" in done.stdout and "lone surrogate replaced" in done.stderr
    clear_searcher_cache()
    (hit,) = search(tmp_path / "index", '"坏\ufffd字"').hits
    assert hit["id"] == good[0]["id"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk"])
def test_user_dictionaries_in_utf8_with_bom_or_gb18030_work(tmp_path, encoding):
    (tmp_path / "dict.txt").write_bytes("董家口经济区 10 n\n氢能大厦 5\n".encode(encoding))
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps(dict(make_records(1, seed=44)[0], body="董家口经济区的氢能大厦启用。"),
                                 ensure_ascii=False) + "\n", encoding="utf-8")
    done = cli("build", "--index", str(tmp_path / "index"), "--userdict", str(tmp_path / "dict.txt"), str(source))
    assert done.returncode == 0, done.stderr
    from indexer.schema import index_userdict

    assert [entry[0] for entry in index_userdict(tmp_path / "index").entries] == ["董家口经济区", "氢能大厦"]
    searched = cli("search", "董家口经济区", "--index", str(tmp_path / "index"), "--userdict",
                   str(tmp_path / "dict.txt"), "--format", "jsonl")
    assert searched.returncode == 0 and searched.stderr == ""  # the same dictionary: no warning
    assert len(searched.stdout.splitlines()) == 1


def test_a_dictionary_in_another_encoding_is_refused_in_one_line_naming_file_and_line(tmp_path):
    (tmp_path / "dict.txt").write_bytes("董家口 10\n".encode() + b"\xff\xfe\xfd 3\n")
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps(make_records(1, seed=45)[0], ensure_ascii=False) + "\n", encoding="utf-8")
    for done in (cli("build", "--index", str(tmp_path / "index"), "--userdict", str(tmp_path / "dict.txt"),
                     str(source)),
                 cli("search", "发展", "--index", str(tmp_path / "index"), "--userdict", str(tmp_path / "dict.txt"))):
        assert done.returncode == 2 and "Traceback" not in done.stderr
        (line,) = done.stderr.splitlines()
        assert f"{tmp_path / 'dict.txt'}:2:" in line and "neither UTF-8 nor GB18030" in line
    assert not (tmp_path / "index").exists()


def test_odd_paths_are_one_line_exit_2_and_create_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    done = cli("build", "--index", str(tmp_path / "index"), str(tmp_path / "empty"))
    assert done.returncode == 2 and "no archive files (*.jsonl)" in done.stderr
    assert len(done.stderr.splitlines()) == 1 and not (tmp_path / "index").exists()
    (tmp_path / "README.md").write_text("not an index\n", encoding="utf-8")
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps(make_records(1, seed=46)[0], ensure_ascii=False) + "\n", encoding="utf-8")
    done = cli("build", "--index", str(tmp_path / "README.md"), str(source))
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert "is not a directory" in line and "Errno" not in line
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "not an index\n"


def test_an_unchanged_rerun_writes_no_new_generation(tmp_path):
    """Re-running a build over the same archive publishes nothing: no new commit, no rewritten page records."""
    from tests.corpus import write_archive

    archive, index_dir = write_archive(tmp_path / "archive"), tmp_path / "index"
    assert cli("build", "--index", str(index_dir), str(archive)).returncode == 0
    def published() -> dict[str, int]:
        """The commit record, TOC and derived files (segment parts a build leaves are cleaned up, not published)."""
        return {p.name: p.stat().st_mtime_ns for p in index_dir.iterdir() if not p.name.startswith("MAIN_")}

    files = published()
    again = cli("build", "--index", str(index_dir), str(archive))
    assert again.returncode == 0 and " 0 added, 0 updated" in again.stdout
    assert published() == files
