"""search_cli.py subcommands and new options as subprocesses: formats, KWIC, count/plot, show, stats, saved."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from pathlib import Path

import pytest

from indexer.query.count import count
from indexer.query.search import search
from indexer.schema import META_FILE, SCHEMA_VERSION
from tests.corpus import build_extended_index
from tests.test_search_cli import run_cli


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    logging.getLogger("indexer").setLevel(logging.ERROR)
    return build_extended_index(tmp_path_factory.mktemp("cli-extras"))


def cli(index_dir: Path, *args: str, env: dict | None = None):
    """Run the CLI against the extended index."""
    return run_cli(*args, env={"EPAPER_INDEX": str(index_dir), **(env or {})})


def test_csv_has_bom_and_every_record_field(index_dir: Path) -> None:
    done = cli(index_dir, "港口", "--format", "csv", "--all")
    assert done.returncode == 0 and done.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(done.stdout.removeprefix("\ufeff"))))
    expected = search(index_dir, "港口", limit=None).hits
    assert [row["id"] for row in rows] == [hit["id"] for hit in expected]
    assert "body" not in rows[0] and "full_body" not in rows[0]
    for column in ("type", "paper_name", "page_no", "continued_on", "images", "pdf_url", "fetched_at", "snippet"):
        assert column in rows[0]
    full = cli(index_dir, "title:港口转型 page:1", "--format", "csv", "--full")
    (row,) = csv.DictReader(io.StringIO(full.stdout.removeprefix("\ufeff")))
    assert row["body"] == "董家口港区今年将新开工一批重点项目。" and row["continued_on"] == "cont-2"
    assert row["full_body"].endswith("同时加快港城融合发展。") and json.loads(row["images"]) == []


def test_json_output_and_paging(index_dir: Path) -> None:
    done = cli(index_dir, "项目", "--format", "json", "--limit", "2", "--page", "2", "--sort", "-date")
    data = json.loads(done.stdout)
    expected = search(index_dir, "项目", limit=2, page=2, sort="-date")
    assert data["total"] == expected.total and [h["id"] for h in data["hits"]] == [h["id"] for h in expected.hits]


def test_year_month_filters(index_dir: Path) -> None:
    done = cli(index_dir, "新区", "--year", "2024", "--format", "jsonl")
    assert done.returncode == 0 and done.stdout == ""
    done = cli(index_dir, "港口", "--month", "2025-02", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["jz-port"]


def test_kwic_terminal_lines_are_aligned(index_dir: Path) -> None:
    done = cli(index_dir, '"新区工委"', "--kwic", "--width", "6", "--sort", "date")
    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "口集团表示，  新区工委  提出的目标正  2025-02-10  胶州日报  Qingdao港口货物吞吐量创新高",
        "上午，西海岸  新区工委  书记、区委书  2025-03-19  西海岸新闻  孙永红会见交通银行青岛分行客人",
        "2 occurrences",
    ]
    done = cli(index_dir, "董家口 PRE/5 项目 paper:qingdao", "--kwic", "--width", "4")
    from rich.cells import cell_len

    first, second = done.stdout.splitlines()[:2]
    # matches start in the same terminal column: CJK chars are two cells wide
    assert cell_len(first[: first.index("董家口")]) == cell_len(second[: second.index("项目")]) == 10
    assert first.startswith(" " * 8 + "  董家口")


def test_kwic_csv_and_jsonl(index_dir: Path) -> None:
    done = cli(index_dir, '"新区工委"', "--kwic", "--width", "3", "--format", "csv", "--sort", "date")
    rows = list(csv.DictReader(io.StringIO(done.stdout.removeprefix("\ufeff"))))
    assert [(r["left"], r["match"], r["right"], r["id"]) for r in rows] == [
        ("表示，", "新区工委", "提出的", "jz-port"), ("西海岸", "新区工委", "书记、", "xh-sun")]
    done = cli(index_dir, '"新区工委"', "--kwic", "--format", "jsonl")
    assert len(done.stdout.splitlines()) == 2 and json.loads(done.stdout.splitlines()[0])["field"] == "body"



@pytest.mark.parametrize(("order", "key"), [("left", lambda line: line["left"][::-1]),
                                            ("right", lambda line: line["right"])])
def test_kwic_lines_sorted_by_left_or_right_context(index_dir: Path, order: str, key) -> None:
    """--order left/right sorts the concordance by the words nearest the match; the lines stay the same."""
    ranked = [json.loads(line) for line in cli(index_dir, "董家口", "--kwic", "--format", "jsonl").stdout.splitlines()]
    done = cli(index_dir, "董家口", "--kwic", "--order", order, "--format", "jsonl")
    ordered = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(ordered) > 2 and ordered == sorted(ranked, key=key) and ordered != ranked


def test_count_table_json_and_plot(index_dir: Path, tmp_path: Path) -> None:
    from PIL import Image

    from indexer.query.count import count_table

    png = tmp_path / "out.png"
    args = ("count", '"氢能"', "--by", "week", "--from", "2025-03-03", "--to", "2025-03-23")
    done = cli(index_dir, *args, "--plot", str(png))
    assert done.returncode == 0, done.stderr
    expected = count(index_dir, '"氢能"', "week", date_from="2025-03-03", date_to="2025-03-23")
    for bucket in expected.buckets:
        shown = "no data │ +" if bucket.label == "2025-W11" else f"{bucket.hits} │ +{bucket.occurrences}"
        assert re.search(rf"│ {bucket.label} +│ +{shown} │", done.stdout), bucket
    assert "█" in done.stdout and f'"氢能": {expected.total_hits} articles' in done.stdout
    as_json = json.loads(cli(index_dir, *args, "--format", "json").stdout)
    assert as_json == count_table(index_dir, ['"氢能"'], "week", date_from="2025-03-03",
                                  date_to="2025-03-23").to_dict()
    assert [(row["bucket"], row["counts"][0]["articles"]) for row in as_json["rows"]] == [
        (b.label, b.hits if b.label != "2025-W11" else None) for b in expected.buckets]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(png) as image:
        assert image.size[0] > 300 and json.loads(image.info["Description"]) == as_json


def test_stats_subcommand(index_dir: Path) -> None:
    done = cli(index_dir, "stats")
    assert done.returncode == 0
    assert "4 papers, 20 articles, 3 pages, 2024-10-01 to 2025-03-22" in done.stdout
    assert "1 near-duplicate clusters (3 articles)" in done.stdout
    data = json.loads(cli(index_dir, "stats", "--format", "json").stdout)
    assert data["articles"] == 20


def test_show_subcommand(index_dir: Path) -> None:
    done = cli(index_dir, "show", "cont-2")
    assert done.returncode == 0
    out = done.stdout
    assert "港口转型升级提速" in out and "parts:    cont-1 (page 01) → cont-2 (page 02)" in out
    assert "pdf:" not in out  # the second part has no PDF of its own
    assert "pdf:      https://example.invalid/2025-03-21/01.pdf" in cli(index_dir, "show", "cont-1").stdout
    assert out.rstrip().endswith("董家口港区今年将新开工一批重点项目。\n同时加快港城融合发展。")
    assert json.loads(cli(index_dir, "show", "jz-port", "--format", "json").stdout)["author"] == "赵敏"


def test_collapse_in_the_cli(index_dir: Path) -> None:
    done = cli(index_dir, '"便民服务网点"', "--collapse")
    assert "(+2 near-duplicate copies)" in done.stdout
    assert re.fullmatch(r"1 clusters \(showing 1\) in \d+ ms", done.stdout.splitlines()[-1])
    (line,) = cli(index_dir, '"便民服务网点"', "--collapse", "--format", "jsonl").stdout.splitlines()
    assert json.loads(line)["copies"] == 3


def test_saved_searches(index_dir: Path, tmp_path: Path) -> None:
    env = {"EPAPER_SAVED": str(tmp_path / "saved.json")}
    assert cli(index_dir, "saved", env=env).stdout == "no saved searches\n"
    done = cli(index_dir, "港口", "--month", "2025-02", "--sort", "date", "--save", "gang", "--format", "jsonl",
               env=env)
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["jz-port"]
    assert json.loads((tmp_path / "saved.json").read_text(encoding="utf-8")) == {
        "gang": {"query": "港口", "options": {"month": "2025-02", "sort": "date"}}}
    assert cli(index_dir, "saved", env=env).stdout == "gang\t港口\t--month 2025-02 --sort date\n"
    rerun = cli(index_dir, "run", "gang", "--format", "jsonl", env=env)
    assert rerun.returncode == 0 and rerun.stdout == done.stdout
    cli(index_dir, "--save", "neg", "--format", "jsonl", "--", "-新区", env=env)
    assert cli(index_dir, "run", "neg", "--format", "jsonl", env=env).returncode == 0


def test_subcommand_names_can_be_searched(index_dir: Path) -> None:
    for args in (("search", "stats"), ("--", "stats")):
        done = cli(index_dir, *args)
        assert done.returncode == 0 and done.stdout.splitlines()[-1].startswith("0 hits")


def test_help_documents_the_new_syntax() -> None:
    done = run_cli("--help")
    for text in ("W/10", "PRE/10", '"董家口 项目"~10', "氢能*", "--year", "--month", "--sort", "--kwic",
                 "--collapse", "--save", "show ID", "count QUERY", "stats", "saved", "run NAME",
                 "search_cli.py search stats", "臺灣", "end of one and the start of the other"):
        assert text in done.stdout, text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (['"董家口 项目'], "unbalanced quotes: the quote at position 1 is never closed"),
        (["(董家口"], "unbalanced parentheses: missing ')'"),
        (["董家口)"], "unbalanced parentheses: unexpected ')'"),
        (["where:x"], "unknown field 'where:'"),
        (["x", "--from", "2025-02-30"], "argument --from: invalid date '2025-02-30': use YYYY-MM-DD"),
        (["x", "--year", "25"], "argument --year: invalid year '25': use YYYY, e.g. 2025"),
        (["x", "--month", "2025-13"], "argument --month: invalid month '2025-13': use YYYY-MM, e.g. 2025-03"),
        (["x", "--year", "2025", "--from", "2025-01-01"], "--year cannot be combined with --from/--to"),
        (["x", "--from", "2025-03-02", "--to", "2025-03-01"], "--from 2025-03-02 is after --to 2025-03-01"),
        ([""], "empty query"),
        (["董家口 W/5"], "dangling operator 'W/5': it needs a term after it"),
        (["x", "--page", "0"], "argument --page: invalid number '0': use a whole number >= 1"),
        (["count", "x", "--by", "decade"], "argument --by: invalid choice 'decade' (choose from day, week, month, "
                                           "year, paper, page)"),
        (["count", "x", "--from", "2025-03-02", "--to", "2025-03-01"], "--from 2025-03-02 is after --to 2025-03-01"),
        (["count", '"x'], "unbalanced quotes: the quote at position 1 is never closed"),
        (["show", "no-such-id"], "no article with id 'no-such-id' in "),
        (["run", "nothing"], "no saved search named 'nothing' (saved: none saved yet)"),
        (["run"], "run needs the name of a saved search: search_cli.py run NAME [options]"),
    ],
)
def test_bad_input_is_one_line_exit_2(index_dir: Path, tmp_path: Path, args: list[str], message: str) -> None:
    done = cli(index_dir, *args, env={"EPAPER_SAVED": str(tmp_path / "none.json")})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"search_cli.py: error: {message}"), done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [["新区"], ["count", "新区"], ["stats"], ["show", "jz-port"]])
def test_old_schema_says_rebuild(tmp_path: Path, args: list[str]) -> None:
    from tests.corpus import build_fixture_index

    logging.getLogger("indexer").setLevel(logging.ERROR)
    index_dir = build_fixture_index(tmp_path)
    (index_dir / META_FILE).write_text('{"schema_version": 1}', encoding="utf-8")
    done = cli(index_dir, *args)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert f"has schema version 1, this program needs version {SCHEMA_VERSION}" in done.stderr
    assert "python -m indexer build --rebuild" in done.stderr


def test_cold_start_imports_neither_jieba_nor_matplotlib() -> None:
    import subprocess
    import sys

    code = ("import sys, search_cli; search_cli.make_parser(); "
            "print(sorted(m for m in ('jieba', 'rjieba', 'matplotlib', 'whoosh', 'opencc', 'datasketch') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]"
