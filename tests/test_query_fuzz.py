"""Hostile queries: thousands of random strings at the search API and the CLI. Never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import search_cli
from indexer.build.writer import build_index
from indexer.errors import EpaperIndexError
from indexer.query.search import search
from indexer.synth import make_records
from tests.conftest import ROOT

PIECES = ['"', "(", ")", ":", "：", "*", "~", "-", "AND", "OR", "NOT", "W/", "PRE/", "title:", "author:", "page:",
          "paper:", "foo:", "高质量", "发展", "董家口", "臺灣", "\x00", "\x07", "\u200b", "\n", "\t", " ", "10", "A3",
          "“", "”", "\\", "/", "%", "'", "😀", "𠀀"]
queries = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.text(max_size=60),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FFFF), max_size=30),
    st.builds(lambda s, n: s * n, st.sampled_from(["高质量发展 ", '"', "(", "a OR "]), st.integers(100, 800)),
)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small index of synthetic articles."""
    folder = tmp_path_factory.mktemp("fuzz")
    archive = folder / "archive.jsonl"
    archive.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in make_records(60, seed=3)), "utf-8")
    build_index(folder / "index", [archive])
    return folder / "index"


@settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries)
def test_search_api_answers_or_refuses_cleanly(index_dir, query):
    try:
        result = search(index_dir, query, limit=5)
    except EpaperIndexError as exc:
        message = str(exc)
        assert message and "\n" not in message.strip()
    else:
        assert result.total >= len(result.hits)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries, fmt=st.sampled_from(["table", "jsonl"]))
def test_cli_exits_0_or_2_with_one_line(index_dir, query, fmt, capsys):
    try:
        code = search_cli.main(["--index", str(index_dir), "--format", fmt, "--limit", "3", "--", query])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and err.startswith("search_cli.py: error:")
    assert "Traceback" not in err


@pytest.mark.parametrize("query", ['"', "((", "title:", "foo:bar", "NOT", "\x07\x1b", "高质量" * 3000, "a W/x b",
                                   '"a" ~', "*", ")(", "AND OR", "臺灣 PRE/3 台湾"])
def test_cli_subprocess_never_tracebacks(index_dir, query):
    result = subprocess.run([sys.executable, "search_cli.py", "--index", str(index_dir), "--", query], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode in (0, 2)
    assert "Traceback" not in result.stderr
    if result.returncode == 2:
        assert len(result.stderr.strip().splitlines()) == 1
