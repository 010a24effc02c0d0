"""Search that never misleads (issue 12): operators in any case, near-miss operators, unknown papers and
pages, dates outside the archive, punctuation-only queries, queries starting with '-', Latin terms matching
whole words, variant characters. Unit tests through the API, then the CLI as a subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.analyzers import _CJK_RANGES, _NOT_FOLDED, EXTRA_VARIANTS, _convert_chars, fold, fold_char
from indexer.build.writer import build_index
from indexer.errors import QueryError, SchemaVersionError
from indexer.query.count import count
from indexer.query.search import clear_searcher_cache, coverage_note, search
from indexer.query.snippets import find_literal
from indexer.schema import META_FILE, open_index
from tests.corpus import _record, write_jsonl

REPO = Path(__file__).resolve().parents[1]
# The issue's pairs: each side must find the other.
PAIRS = [("卫生", "衞生"), ("着力", "著力"), ("青年", "靑年"), ("研究", "硏究")]


def records() -> list[dict]:
    """Variant and standard forms in separate articles, Latin words, an advertisement, two papers."""
    return [
        _record("variant", "xihaian", "西海岸新闻", "2025-03-03", "01", "要闻", "公共衞生服务体系",
                "新区著力推进公共衞生服务体系建设，靑年志愿者参与硏究。"),
        _record("standard", "xihaian", "西海岸新闻", "2025-03-04", "02", "综合", "卫生健康",
                "着力提升卫生服务水平，青年研究人员走进社区。"),
        _record("mail", "qingdao", "青岛日报", "2025-03-05", "A01", "要闻", "DAILY MAIL 报道港口",
                "DAILY MAIL 报道了董家口港区的新项目。"),
        _record("ai", "qingdao", "青岛日报", "2025-03-06", "A02", "科技", "AI芯片产业园开工",
                "AI芯片产业园开工，董家口项目用 AI 提升效率，MAIL 不算。"),
        _record("ad", "xihaian", "西海岸新闻", "2025-03-07", "04", "广告", "招商广告",
                "董家口项目招商广告，欢迎垂询。"),
    ]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("misleads")
    build_index(where / "index", [write_jsonl(where / "a.jsonl", records())], rebuild=True, procs=1)
    return where / "index"


def ids(index_dir: Path, query: str, **options) -> set[str]:
    return {hit["id"] for hit in search(index_dir, query, limit=None, **options).hits}


@pytest.fixture(params=["", "whoosh"], ids=["engine", "general"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test on the array engine and on the general path."""
    monkeypatch.setenv("EPAPER_QUERY_ENGINE", request.param)
    return request.param


# ---------------------------------------------------------------- variants


@pytest.mark.parametrize(("standard", "variant"), PAIRS)
def test_issue_pairs_fold_alike(standard: str, variant: str) -> None:
    assert fold(standard) == fold(variant)
    assert len(fold(variant)) == len(variant)


def test_a_few_hundred_opencc_variant_pairs_fold_alike() -> None:
    chars = [chr(code) for lo, hi in _CJK_RANGES for code in range(lo, hi + 1)]
    pairs = [(variant, standard) for config in ("hk2t", "tw2t")
             for variant, standard in _convert_chars(config, chars).items()
             if variant not in _NOT_FOLDED and standard not in _NOT_FOLDED]
    assert len(pairs) > 400
    for variant, standard in random.Random(12).sample(pairs, 300):
        assert fold_char(variant) == fold_char(standard), (variant, standard)
    # A fold is final: folding a folded character changes nothing.
    assert all(fold_char(fold_char(ch)) == fold_char(ch) for ch in chars[::7])


def test_extra_variants_are_not_in_opencc_and_distinct_characters_stay_apart() -> None:
    for variant, standard in EXTRA_VARIANTS.items():
        for config in ("t2s", "hk2t", "tw2t", "t2jp"):
            assert _convert_chars(config, [variant, standard]) == {}
    assert fold("缺豫什么") == "缺豫什么"  # t2jp's 缺→欠, 豫→予 and Taiwan's 么→幺 are not applied


@pytest.mark.parametrize(("standard", "variant"), PAIRS)
def test_variant_pairs_find_each_other(index_dir: Path, path: str, standard: str, variant: str) -> None:
    for query in (standard, variant, f'"{standard}"', f'"{variant}"'):
        assert ids(index_dir, query) == {"variant", "standard"}, query
    hit = next(hit for hit in search(index_dir, f'"{standard}"').hits if hit["id"] == "variant")
    assert any(hit["snippet"][start:end] == variant for start, end in hit["highlights"])


def test_an_index_with_the_old_folding_is_refused_in_one_line(index_dir: Path, tmp_path: Path) -> None:
    import shutil

    old = tmp_path / "old"
    shutil.copytree(index_dir, old)
    meta = json.loads((old / META_FILE).read_text(encoding="utf-8"))
    (old / META_FILE).write_text(json.dumps({**meta, "schema_version": 2}), encoding="utf-8")
    with pytest.raises(SchemaVersionError) as caught:
        open_index(old)
    message = str(caught.value)
    assert "variant forms" in message and "--rebuild" in message and "\n" not in message


# ---------------------------------------------------------------- Latin words


def test_latin_terms_match_whole_words_only() -> None:
    text = "DAILY MAIL 报道 AI芯片，用 AI 提升，ai。"
    assert [text[a:b] for a, b in find_literal(text, "AI")] == ["AI", "AI", "ai"]
    assert find_literal("2025年3月23日", "3日") == []  # a digit run is a word too
    assert find_literal("第3日", "3日") == [(1, 3)]
    assert find_literal("港口新区", "口新") == [(1, 3)]  # CJK stays substring-exact


def test_latin_boundaries_in_search_count_and_highlights(index_dir: Path, path: str) -> None:
    assert ids(index_dir, "AI") == ids(index_dir, '"AI"') == ids(index_dir, "ai") == {"ai"}
    assert ids(index_dir, "MAIL") == {"mail", "ai"}
    assert ids(index_dir, "AI*") == {"ai"}  # AI芯片: AI then a CJK character; not inside MAIL
    assert ids(index_dir, "AI PRE/5 董家口") == set()  # MAIL 报道了董家口: the AI inside MAIL is none
    assert ids(index_dir, "董家口 W/3 AI") == {"ai"}
    hit = search(index_dir, "AI").hits[0]
    assert {hit["snippet"][start:end] for start, end in hit["highlights"]} == {"AI"}
    assert "MAIL" in hit["snippet"] and len(hit["highlights"]) == 2
    result = count(index_dir, "AI", "year")
    assert (result.total_hits, result.total_occurrences) == (1, 3)  # title once, body twice


# ---------------------------------------------------------------- filters and dates


def test_unknown_paper_or_page_lists_what_the_index_holds(index_dir: Path, path: str) -> None:
    for query, options in (("paper:nosuch", {}), ("董家口", {"paper": "nosuch"}), ("董家口 -paper:nosuch", {})):
        with pytest.raises(QueryError) as caught:
            search(index_dir, query, **options)
        assert str(caught.value).startswith("unknown paper 'nosuch'")
        assert "xihaian (西海岸新闻)" in str(caught.value) and "qingdao (青岛日报)" in str(caught.value)
    with pytest.raises(QueryError) as caught:
        search(index_dir, "董家口 page:Z9")
    assert "unknown page 'Z9'" in str(caught.value) and "01 要闻" in str(caught.value)
    # Held values of another paper give 0 hits, not an error.
    assert ids(index_dir, "董家口 page:A01", paper="xihaian") == set()
    assert ids(index_dir, "page:综 OR paper:青岛日报") == {"standard", "mail", "ai"}


def test_coverage_note_names_the_archived_dates(index_dir: Path) -> None:
    note = coverage_note(index_dir, "1899-01-01", "1899-12-31")
    assert note and "1899-01-01 to 1899-12-31" in note and "2025-03-03 to 2025-03-07" in note
    assert "5 days" in note
    assert "2025-03-05 to 2025-03-06" in coverage_note(index_dir, "2025-03-01", None, paper="qingdao")
    assert coverage_note(index_dir, "2025-03-03", "2025-03-07") is None
    assert coverage_note(index_dir, "2025-03-05", "2025-03-06", paper="xihaian").startswith("no archived")
    assert coverage_note(index_dir, None, None) is None


# ---------------------------------------------------------------- the CLI


def run_cli(*args: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("EPAPER_INDEX", "EPAPER_QUERY_ENGINE")}
    return subprocess.run([sys.executable, str(REPO / "search_cli.py"), *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60, env={**environ, "COLUMNS": "200"})


def jsonl_ids(done: subprocess.CompletedProcess) -> list[str]:
    assert done.returncode == 0, done.stderr
    return [json.loads(line)["id"] for line in done.stdout.splitlines()]


def one_line_error(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    return done.stderr


def test_cli_lowercase_operators_and_near_misses(index_dir: Path) -> None:
    index = ["--index", str(index_dir), "--format", "jsonl", "--all"]
    assert set(jsonl_ids(run_cli("董家口 and 广告", *index))) == {"ad"}
    assert set(jsonl_ids(run_cli("卫生 or 广告", *index))) == {"variant", "standard", "ad"}
    assert set(jsonl_ids(run_cli("董家口 w/0 项目", *index))) == {"ai", "ad"}
    assert set(jsonl_ids(run_cli("董家口 pre/5 项目", *index))) == {"mail", "ai", "ad"}
    for query in ("董家口 NEAR/10 项目", "董家口 W/ 项目"):
        stderr = one_line_error(run_cli(query, *index))
        assert "is not an operator" in stderr and "W/N" in stderr and "PRE/N" in stderr


def test_cli_unknown_paper_and_page(index_dir: Path) -> None:
    for args in (["paper:nosuch"], ["董家口", "--paper", "nosuch"], ["count", "董家口", "--paper", "nosuch"]):
        stderr = one_line_error(run_cli(*args, "--index", str(index_dir)))
        assert "unknown paper 'nosuch'" in stderr and "qingdao (青岛日报), xihaian (西海岸新闻)" in stderr
    stderr = one_line_error(run_cli("董家口 page:Z9", "--index", str(index_dir)))
    assert "unknown page 'Z9'" in stderr and "A02 科技" in stderr


def test_cli_zero_hits_outside_the_archive_say_which_dates_it_holds(index_dir: Path) -> None:
    done = run_cli("董家口", "--index", str(index_dir), "--year", "1899")
    assert done.returncode == 0 and done.stdout.startswith("0 hits")
    assert done.stderr.count("\n") == 1 and "note:" in done.stderr
    assert "2025-03-03 to 2025-03-07" in done.stderr
    done = run_cli("count", "董家口", "--index", str(index_dir), "--from", "2025-01-01", "--to", "2025-03-31",
                   "--format", "csv")
    assert done.returncode == 0 and "2025-03-03 to 2025-03-07" in done.stderr and "outside" in done.stderr
    done = run_cli("董家口", "--index", str(index_dir), "--month", "2025-03")  # covered: no note
    assert done.returncode == 0 and done.stderr == ""
    done = run_cli("董家口", "--index", str(index_dir), "--limit", "1", "--page", "9")
    assert done.returncode == 0 and "past the last page (3) of 3 hits" in done.stderr


def test_cli_nothing_searchable(index_dir: Path) -> None:
    stderr = one_line_error(run_cli("，。！？", "--index", str(index_dir)))
    assert "nothing to search for" in stderr
    assert jsonl_ids(run_cli('"，"', "--index", str(index_dir), "--format", "jsonl"))  # quoted: the character


def test_cli_queries_starting_with_a_dash(index_dir: Path) -> None:
    expected = {hit["id"] for hit in search(index_dir, "-广告", limit=None).hits}
    assert expected == {"variant", "standard", "mail", "ai"}
    for args in (["--", "-广告", "--format", "jsonl", "--all"], ["-广告", "--format", "jsonl", "--all"],
                 ["--format", "jsonl", "--all", "--", "-广告"]):
        assert set(jsonl_ids(run_cli(*args, "--index", str(index_dir)))) == expected
    done = run_cli("count", "--", "-广告", "--by", "year", "--format", "csv", "--index", str(index_dir))
    assert done.returncode == 0
    rows = list(csv.DictReader(io.StringIO(done.stdout.lstrip("\ufeff"))))
    assert [(r["bucket"], r["-广告 articles"], r["-广告 occurrences"]) for r in rows] == [("2025", "4", "0")]


def test_cli_latin_words_and_variants(index_dir: Path) -> None:
    assert jsonl_ids(run_cli("AI", "--index", str(index_dir), "--format", "jsonl")) == ["ai"]
    done = run_cli("count", "AI", "--by", "year", "--index", str(index_dir), "--format", "csv")
    assert done.returncode == 0
    rows = list(csv.DictReader(io.StringIO(done.stdout.lstrip("\ufeff"))))
    assert [(r["bucket"], r["AI articles"], r["AI occurrences"]) for r in rows] == [("2025", "1", "3")]
    for forms in (" ".join(standard for standard, _ in PAIRS), " ".join(f'"{variant}"' for _, variant in PAIRS)):
        assert set(jsonl_ids(run_cli(forms, "--index", str(index_dir), "--format", "jsonl"))) == \
            {"variant", "standard"}


def test_cli_old_index_needs_a_rebuild(index_dir: Path, tmp_path: Path) -> None:
    import shutil

    old = tmp_path / "old"
    shutil.copytree(index_dir, old)
    meta = json.loads((old / META_FILE).read_text(encoding="utf-8"))
    (old / META_FILE).write_text(json.dumps({**meta, "schema_version": 2}), encoding="utf-8")
    clear_searcher_cache()
    stderr = one_line_error(run_cli("卫生", "--index", str(old)))
    assert "variant forms" in stderr and "--rebuild" in stderr
