"""The comparison benchmark (bench/bench_engines.py): runs end to end on a tiny corpus, and every engine answers
the same queries with the same hit counts as ours (not a performance test)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.synth import SEED_ARTICLES, article_body, make_records

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "bench" / "bench_engines.py"


def load_bench():
    """bench/bench_engines.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_engines", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    return load_bench()


def test_tiny_run_prints_every_figure_and_all_engines_agree(tmp_path: Path) -> None:
    args = ["--docs", "300", "--queries", "3", "--fresh-runs", "1", "--cache", str(tmp_path / "cache"),
            "--json", str(tmp_path / "out.json")]
    done = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    [result] = report["results"]
    assert result["mismatches"] == []
    assert "fairness: every answer equals ours (8 classes × 3 queries)" in done.stdout
    for engine in ("ours", "tantivy", "fts5"):
        build = result["builds"][engine]
        assert build["cpu_s"] > 0 and build["peak_mb"] > 10 and build["index_bytes"] > build["text_bytes"] / 10
        assert not build["reused"]
        for name, figures in result["latency"][engine].items():
            assert 0 < figures["p50"] <= figures["p95"] <= figures["max"], (engine, name)
        assert all(times["median"] > 0 for times in result["fresh"][engine].values())
    assert set(result["fresh"]["ours"]) >= {"search_cli.py"}
    # Words are drawn from titles and phrases from bodies, so every query finds at least its own article.
    assert all(result["latency"]["ours"][name]["avg_hits"] >= 1 for name in ("one word", "phrase 4", "phrase 10"))
    for figure in ("build CPU ms per article", "build peak PSS MB", "index MB per MB of text",
                   "top 20 + snippets: warm p95 ms", "fresh process, one phrase: median s (ours: search_cli.py)"):
        assert f"| {figure}" in done.stdout, figure
    assert ("reproduce: .venv/bin/python bench/bench_engines.py --docs 300 --engines ours tantivy fts5 --queries 3 "
            "--fresh-runs 1 --seed 1 --cache") in done.stdout
    again = subprocess.run([sys.executable, str(SCRIPT), *args[:-2], "--engines", "fts5"],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "build figures reused from the cache: fts5" in again.stdout and "| index MB per MB of text |" in again.stdout


def test_engines_match_ours_across_fields_lines_and_word_forms(bench, tmp_path: Path) -> None:
    records = make_records(len(SEED_ARTICLES), seed=7)
    for record, article in zip(records, SEED_ARTICLES, strict=True):
        record.update({name: article[name] for name in ("pretitle", "title", "subtitle")}, body=article_body(article))
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    first, last = sorted(r["date"] for r in records)[1:3]
    query = bench.BenchQuery
    queries = {
        "across title and body": query(("phrase", "客人本报")),
        "across a line break": query(("phrase", "一行。孙永红")),
        "pretitle": query(("phrase", "◆董家口")),
        "words, not literal": query(("word", "发展高质量")),
        "two characters": query(("word", "新区")),
        "one character": query(("phrase", "氢")),
        "boolean": query(("not", ("or", [("word", "项目"), ("phrase", "金融")]), ("word", "氢能"))),
        "dates": query(("word", "发展"), date_from=first, date_to=last),
        "months": query(("word", "发展"), kind="months"),
        "top": query(("word", "攻坚"), kind="top"),
    }
    answers = {}
    for engine in bench.ENGINES:
        bench.ENGINE_CLASSES[engine].build(corpus, tmp_path / engine)
        opened = bench.ENGINE_CLASSES[engine](tmp_path / engine)
        answers[engine] = {name: opened.run(q) for name, q in queries.items()}
    ours = answers["ours"]
    assert ours["across title and body"] == 0 and ours["across a line break"] == 1 and ours["pretitle"] == 1
    assert ours["words, not literal"] >= 2 and ours["top"] == 2 and sum(ours["months"].values()) >= 3
    for engine in ("tantivy", "fts5"):
        assert answers[engine] == ours, engine


def test_mismatches_are_listed_not_hidden(bench) -> None:
    queries = {"one word": [bench.BenchQuery(("word", "新区")), bench.BenchQuery(("word", "项目"))],
               "count by month": [bench.BenchQuery(("word", "新区"), kind="months")]}
    answers = {"ours": {"one word": [3, 5], "count by month": [{"2024-01": 2, "2024-02": 1}]},
               "fts5": {"one word": [3, 4], "count by month": [{"2024-01": 1, "2024-02": 2}]}}
    assert bench.mismatches(answers, queries) == [
        "fts5 one word '项目': ours 5, fts5 4",
        "fts5 count by month '新区': ours 3, fts5 3 (per month differs)",
    ]
    answers["fts5"] = answers["ours"]
    assert bench.mismatches(answers, queries) == []


def test_growth_table_has_a_column_per_size(bench) -> None:
    def result(docs: int, cpu_s: float, p95: float) -> dict:
        latency = {name: {"p50": p95 / 2, "p95": p95} for name in bench.CLASSES}
        return {"docs": docs, "builds": {"ours": {"cpu_s": cpu_s}}, "latency": {"ours": latency}}

    lines = bench.growth([result(20_000, 100.0, 12.5), result(100_000, 600.0, 30.0)], ["ours"])
    assert lines[0] == "| engine | figure | 20,000 | 100,000 |"
    assert "| ours | build CPU ms per article | 5.00 | 6.00 |" in lines
    assert "| ours | phrase 10: p95 ms | 12.5 | 30.0 |" in lines and len(lines) == 2 + 1 + len(bench.CLASSES)


def test_bad_arguments_are_one_line_errors(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--docs", "0", "--cache", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--docs: must be at least 1, got 0" in done.stderr
    assert "Traceback" not in done.stderr and not list(tmp_path.iterdir())
