"""The local-names user dictionary: one word per name, jieba identity, recorded in the index."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import jieba
import pytest
from whoosh import index

from indexer.analyzers import cut_words, jieba_words, read_userdict, use_userdict
from indexer.build.writer import build_index
from indexer.errors import UserDictMismatchError
from indexer.query.search import search
from indexer.schema import index_userdict, read_meta
from indexer.synth import seed_text
from tests.corpus import build_fixture_index, write_archive

REPO = Path(__file__).resolve().parents[1]
STARTER = REPO / "indexer" / "dicts" / "xihaian.txt"

jieba.setLogLevel(60)


@pytest.fixture(autouse=True)
def default_dictionary():
    """Every test starts and ends with the default dictionary active."""
    use_userdict(None)
    yield
    use_userdict(None)


def test_names_the_default_dictionary_splits_become_one_word() -> None:
    text = "区委副书记孙永红毛军响调研董家口经济区和西海岸新区"
    assert "孙永红" not in cut_words(text) and "董家口经济区" not in cut_words(text)
    use_userdict(read_userdict(STARTER))
    words = cut_words(text)
    for name in ("孙永红", "毛军响", "董家口经济区", "西海岸新区"):
        assert name in words


def test_words_equal_jieba_with_the_same_dictionary_loaded() -> None:
    userdict = read_userdict(STARTER)
    tokenizer = jieba.Tokenizer()
    for word, freq, tag in userdict.entries:
        tokenizer.add_word(word, freq, tag or None)
    use_userdict(userdict)
    for text in (seed_text(), "孙永红毛军响董家口经济区西海岸新区泊里镇氢能产业园"):
        assert jieba_words(text) == tokenizer.lcut(text)


def test_userdict_without_freq_and_bad_lines(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("# comment\n孙永红\n\n毛军响 100 nr\n", encoding="utf-8")
    entries = read_userdict(good).entries
    assert [(w, t) for w, _, t in entries] == [("孙永红", ""), ("毛军响", "nr")]
    use_userdict(read_userdict(good))
    assert "孙永红" in cut_words("孙永红毛军响")
    bad = tmp_path / "bad.txt"
    bad.write_text("孙永红 many\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.txt:1: expected `word freq"):
        read_userdict(bad)


def test_index_records_and_uses_its_dictionary(tmp_path: Path) -> None:
    logging.getLogger("indexer").setLevel(logging.ERROR)
    archive = write_archive(tmp_path / "archive")
    build_index(tmp_path / "index", [archive], userdict=STARTER)
    assert read_meta(tmp_path / "index")["userdict"]["source"] == str(STARTER)
    assert index_userdict(tmp_path / "index").digest == read_userdict(STARTER).digest
    with index.open_dir(str(tmp_path / "index")).reader() as reader:
        body_words = {term.decode() for term in reader.lexicon("body")}
    assert {"孙永红", "毛军响", "董家口经济区"} <= body_words
    use_userdict(None)
    # a search activates the index's dictionary for query-time cutting
    assert {hit["id"] for hit in search(tmp_path / "index", "孙永红").hits} == {"xh-sun"}
    assert "孙永红" in cut_words("孙永红毛军响")
    # an update keeps the dictionary; another one needs --rebuild
    assert build_index(tmp_path / "index", [archive]).unchanged == 8
    other = tmp_path / "other.txt"
    other.write_text("胶州湾 100 ns\n", encoding="utf-8")
    with pytest.raises(UserDictMismatchError, match="was built with user dictionary .*--rebuild"):
        build_index(tmp_path / "index", [archive], userdict=other)
    build_index(tmp_path / "index", [archive], userdict=other, rebuild=True)
    assert index_userdict(tmp_path / "index").source == str(other)


def test_index_without_dictionary_resets_the_words(tmp_path: Path) -> None:
    logging.getLogger("indexer").setLevel(logging.ERROR)
    index_dir = build_fixture_index(tmp_path)
    use_userdict(read_userdict(STARTER))
    search(index_dir, "新区")
    assert "孙永红" not in cut_words("孙永红毛军响")


def test_cli_build_with_userdict_and_warning_on_mismatch(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "archive")
    env_run = {"cwd": REPO, "capture_output": True, "text": True, "timeout": 120}
    done = subprocess.run([sys.executable, "-m", "indexer", "build", "--index", str(tmp_path / "index"),
                           "--userdict", str(STARTER), str(archive)], **env_run)
    assert done.returncode == 0, done.stderr
    other = tmp_path / "other.txt"
    other.write_text("胶州湾 100 ns\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "indexer", "build", "--index", str(tmp_path / "index"),
                           "--userdict", str(other), str(archive)], **env_run)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "was built with user dictionary" in done.stderr and "--rebuild" in done.stderr
    done = subprocess.run([sys.executable, "search_cli.py", "孙永红", "--index", str(tmp_path / "index"),
                           "--userdict", str(other), "--format", "jsonl"], **env_run)
    assert done.returncode == 0
    assert done.stderr.startswith("search_cli.py: warning: index") and len(done.stderr.splitlines()) == 1
    assert [line for line in done.stdout.splitlines() if '"xh-sun"' in line]
