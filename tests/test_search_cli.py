"""search_cli.py as a subprocess: output formats and one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.query.search import search
from tests.corpus import build_fixture_index

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_index(tmp_path_factory.mktemp("cli"))


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run search_cli.py with a wide terminal so table rows are not wrapped."""
    environ = {k: v for k, v in os.environ.items() if k != "EPAPER_INDEX"}
    environ.update(COLUMNS="220", **(env or {}))
    return subprocess.run([sys.executable, str(REPO / "search_cli.py"), *args], cwd=REPO, env=environ,
                          capture_output=True, text=True, timeout=60)


def test_jsonl_output_equals_the_api(index_dir: Path) -> None:
    done = run_cli("高质量发展", "--index", str(index_dir), "--format", "jsonl", "--all")
    assert done.returncode == 0 and done.stderr == ""
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    expected = search(index_dir, "高质量发展", limit=None).hits
    assert lines == expected
    assert [hit["id"] for hit in lines][-1] == "jz-quality"
    for key in ("id", "date", "paper", "page_no", "page_name", "title", "url", "score", "snippet"):
        assert key in lines[0]
    assert "高质量发展" in done.stdout  # ensure_ascii=False


def test_table_output(index_dir: Path) -> None:
    done = run_cli('"新区工委"', "--index", str(index_dir), "--limit", "5")
    assert done.returncode == 0 and done.stderr == ""
    out = done.stdout
    assert "孙永红会见交通银行青岛分行客人" in out and "Qingdao港口货物吞吐量创新高" in out
    assert "01 要闻" in out and "02 港口" in out and "西海岸新闻" in out and "2025-02-10" in out
    assert "港口观察" in out and "智慧港口建设提速" in out  # pretitle/subtitle
    assert re.fullmatch(r"2 hits \(showing 2\) in \d+ ms", out.splitlines()[-1])


def test_limit_and_filters(index_dir: Path) -> None:
    done = run_cli("高质量发展", "--index", str(index_dir), "--limit", "1")
    assert re.fullmatch(r"4 hits \(showing 1\) in \d+ ms", done.stdout.splitlines()[-1])
    done = run_cli("新区", "--index", str(index_dir), "--paper", "jiaozhou", "--from", "2025-01-01",
                   "--to", "2025-12-31", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["jz-port"]


def test_no_hits(index_dir: Path) -> None:
    done = run_cli('"不存在的短语"', "--index", str(index_dir))
    assert done.returncode == 0
    assert re.fullmatch(r"0 hits \(showing 0\) in \d+ ms\n", done.stdout)


def test_index_from_environment(index_dir: Path) -> None:
    done = run_cli("人民共和", "--format", "jsonl", env={"EPAPER_INDEX": str(index_dir)})
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["qd-national-day"]


def test_help_documents_the_query_language() -> None:
    done = run_cli("--help")
    assert done.returncode == 0
    for text in ("高质量发展", '"新区工委"', "title:", "author:", "paper:", "page:", "NOT", "--all"):
        assert text in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--from", "2025-13-01"], "argument --from: invalid date '2025-13-01': use YYYY-MM-DD"),
        (["x", "--to", "yesterday"], "argument --to: invalid date 'yesterday': use YYYY-MM-DD"),
        (["x", "--from", "2025-03-02", "--to", "2025-03-01"], "--from 2025-03-02 is after --to 2025-03-01"),
        ([""], "empty query"),
        (['"新区'], "unbalanced quotes: the quote at position 1 is never closed"),
        (["(新区"], "unbalanced parentheses: missing ')'"),
        (["新区 OR"], "dangling operator 'OR': it needs a term after it"),
        (["foo:bar"], "unknown field 'foo:'; known fields: title:, author:, body:, pretitle:, subtitle:, "
                      "paper:, page:"),
        (["x", "--limit", "0"], "argument --limit: invalid number '0': use a whole number >= 1"),
        (["x", "--limit", "3", "--all"], "argument --all: not allowed with argument --limit"),
        (["x", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
    ],
)
def test_bad_input_is_one_line_exit_2(index_dir: Path, args: list[str], message: str) -> None:
    done = run_cli(*args, "--index", str(index_dir))
    assert done.returncode == 2
    assert done.stdout == ""
    # Exact message; only argparse's own choice list wording varies across Python versions.
    assert done.stderr.startswith(f"search_cli.py: error: {message}")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    if "invalid choice" not in message:
        assert done.stderr == f"search_cli.py: error: {message}\n"


def test_missing_index_is_one_line(tmp_path: Path) -> None:
    done = run_cli("新区", "--index", str(tmp_path / "none"))
    assert done.returncode == 2
    assert done.stderr == (f"search_cli.py: error: no index at {tmp_path / 'none'}; build one with "
                           "`python -m indexer build --index DIR ARCHIVE_DIR`\n")
