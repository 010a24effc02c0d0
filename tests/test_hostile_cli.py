"""search_cli.py and the index API on hostile input: huge numbers, far dates, bytes that are not text, terminal
escapes and rich markup in crawled text, many-term exports, integer dates. One line and exit 2, never a
traceback; crawled text never reaches the terminal as control characters."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

import search_cli
from indexer.build.writer import build_index
from indexer.errors import QueryError
from indexer.query import language as query_module
from indexer.query.count import MAX_BUCKETS, bucket_count, bucket_of, period_labels
from indexer.query.language import compile_query, parse
from indexer.query.stats import index_stats

REPO = Path(__file__).resolve().parents[1]
HUGE = "9" * 5000
ESCAPES = ("\x1b]0;pwned\x07", "\x1b[2J", "\x9b31m", "\u202e", "\r")


def record(doc_id: str, title: str, body: str, date: object = "2025-03-19", **extra) -> dict:
    return {"type": "article", "id": doc_id, "paper": "xihaian", "paper_name": "西海岸新闻", "date": date,
            "page_no": "01", "page_name": "要闻", "title": title, "body": body, "url": f"http://e.test/{doc_id}",
            **extra}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    """Four articles: one full of terminal escapes and rich markup, one with an integer date."""
    root = tmp_path_factory.mktemp("hostile-index")
    records = [
        record("evil", "\x1b]0;pwned\x07港口[/x]建设\x1b[2J", "正文\x9b31m港口\u202e建设\r覆盖。", author="[bold]某"),
        record("int-date", "整数日期的港口", "港口新闻。", date=20250319),
        record("plain", "港口吞吐量创新高", "董家口港区港口货物吞吐量创新高。", date="2025-03-18"),
        record("evil-paper", "另一份报纸的港口", "港口。", paper="other", paper_name="坏\x1b[31m报"),
    ]
    archive = root / "archive.jsonl"
    archive.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    build_index(root / "index", [archive], rebuild=True)
    return root / "index"


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """search_cli.py as a subprocess (argv bytes decoded by Python itself, tracebacks as they would be)."""
    environ = {k: v for k, v in os.environ.items() if k != "EPAPER_INDEX"}
    environ.update({"COLUMNS": "200", **(env or {})})
    return subprocess.run([sys.executable, str(REPO / "search_cli.py"), *args], cwd=REPO, env=environ,
                          capture_output=True, timeout=60)


@pytest.fixture
def run(capsysbinary, monkeypatch):
    """search_cli.main in this process (faster than a subprocess), with the same result shape."""

    def run_main(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        monkeypatch.delenv("EPAPER_INDEX", raising=False)
        for name, value in {"COLUMNS": "200", **(env or {})}.items():
            monkeypatch.setenv(name, value)
        try:
            code = search_cli.main(list(args))
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        sys.stdout.flush()
        out, err = capsysbinary.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run_main


def one_error_line(done: subprocess.CompletedProcess) -> str:
    """The single stderr line of a refused command (exit 2, nothing on stdout, no traceback)."""
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, err
    assert b"Traceback" not in done.stderr and done.stdout == b""
    assert err.count("\n") == 1 and err.startswith("search_cli.py"), err
    return err


# --- huge numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [f"新区 W/{HUGE} 项目", f"新区 PRE/{HUGE} 项目", f'"新区 项目"~{HUGE}'])
def test_a_5000_digit_distance_is_refused_in_one_short_line(text, index_dir, run):
    with pytest.raises(QueryError, match=r"proximity distance 999999…\(5000 digits\) is too large"):
        parse(text)
    assert len(one_error_line(run(text, "--index", str(index_dir)))) < 200


def test_leading_zeros_are_still_a_distance():
    assert parse("新区 W/" + "0" * 5000 + "7 项目").distance == 7
    with pytest.raises(QueryError, match="10001 is too large"):
        parse("新区 W/10001 项目")


def test_a_5000_digit_limit_is_refused_in_one_short_line(index_dir, run):
    assert len(one_error_line(run("港口", "--index", str(index_dir), "--limit", HUGE))) < 200


# --- far dates and bucket counts ----------------------------------------------------------------------


def reference_labels(first: str, last: str, by: str) -> list[str]:
    """Day by day, as count listed buckets before (stopping at date.max instead of overflowing)."""
    labels, day, end = [], dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    while day <= end:
        label = bucket_of(day.isoformat(), by)
        if not labels or labels[-1] != label:
            labels.append(label)
        if day == dt.date.max:
            break
        day += dt.timedelta(days=1)
    return labels


def test_period_labels_match_the_day_by_day_walk_up_to_the_last_representable_day():
    rng = random.Random(16)
    ranges = [("9999-11-20", "9999-12-31"), ("0001-01-01", "0001-03-01"), ("2024-12-30", "2025-01-12")]
    for _ in range(40):
        first = dt.date.fromordinal(rng.randrange(1, dt.date.max.toordinal()))
        last = dt.date.fromordinal(min(dt.date.max.toordinal(), first.toordinal() + rng.randrange(0, 900)))
        ranges.append((first.isoformat(), last.isoformat()))
    for first, last in ranges:
        for by in ("day", "week", "month", "year"):
            labels = period_labels(first, last, by)
            assert labels == reference_labels(first, last, by), (first, last, by)
            assert bucket_count(first, last, by) == len(labels)


def test_too_many_buckets_are_refused_before_any_is_made():
    assert bucket_count("0001-01-01", "9999-12-31", "day") == 3_652_059
    with pytest.raises(QueryError, match="3,652,059 buckets, more than 10,000"):
        period_labels("0001-01-01", "9999-12-31", "day")
    assert len(period_labels("0001-01-01", "9999-12-31", "year")) == 9999 <= MAX_BUCKETS


def test_count_to_the_last_day_of_9999(index_dir, run):
    by_year = run("count", "港口", "--by", "year", "--to", "9999-12-31", "--index", str(index_dir), "--format", "csv")
    assert by_year.returncode == 0, by_year.stderr
    rows = by_year.stdout.decode("utf-8-sig").splitlines()
    # year 9999 holds no archived issue: "no data", its counts empty (columns as in test_research_cli.py)
    assert rows[1].startswith("2025,") and rows[-1] == "9999,,no data,0,0,,,," and len(rows) == 1 + 9999 - 2025 + 1
    assert "more than 10,000" in one_error_line(run("count", "港口", "--by", "day", "--from", "0001-01-01",
                                                     "--to", "9999-12-31", "--index", str(index_dir)))


# --- bytes that are not text --------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["港口", "--save", b"\xff"], ["港口", "--paper", b"\xfe\xff"], ["count", b"\xff"]])
def test_arguments_that_are_not_text_are_refused_in_one_line(argv, index_dir, run):
    args = [os.fsdecode(arg) for arg in argv]  # what Python makes of such bytes in sys.argv
    err = one_error_line(run(*args, "--index", str(index_dir), env={"EPAPER_SAVED": str(index_dir.parent / "s")}))
    assert "not valid text" in err
    assert not (index_dir.parent / "s").exists()


def test_show_of_a_byte_that_is_not_text_is_one_line_from_a_real_process(index_dir):
    done = cli("show", os.fsdecode(b"\xff"), "--index", str(index_dir))
    assert "argument 2 holds bytes that are not valid text" in one_error_line(done)


def test_a_file_name_may_be_any_bytes(index_dir, tmp_path, run):
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/\xff.png"))
    done = run("count", "港口", "--index", str(index_dir), "--by", "year", "--plot", str(odd))
    assert done.returncode == 0, done.stderr
    assert odd.exists()


def test_a_bad_columns_variable_is_ignored(index_dir, run):
    done = run("港口", "--index", str(index_dir), env={"COLUMNS": "abc"})
    assert done.returncode == 0 and b"Traceback" not in done.stderr


# --- crawled text on a terminal -----------------------------------------------------------------------


def no_controls(output: bytes) -> None:
    text = output.decode("utf-8")
    assert not any(escape in text for escape in ESCAPES), [e for e in ESCAPES if e in text]
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in text)


@pytest.mark.parametrize("argv", [["港口", "--all"], ['"港口"', "--kwic"], ["show", "evil"], ["show", "evil-paper"],
                                  ["count", "港口", "--by", "paper"], ["count", "[/x]"], ["stats"]])
def test_crawled_text_never_reaches_the_terminal_as_control_characters_or_markup(argv, index_dir, run):
    done = run(*argv, "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    no_controls(done.stdout)


def test_the_table_shows_the_markup_as_text(index_dir, run):
    out = run("港口", "--index", str(index_dir), "--all").stdout.decode("utf-8")
    assert "港口[/x]建设" in out and "\ufffd" in out


def test_machine_formats_keep_the_text_as_archived(index_dir, run):
    hits = [json.loads(line) for line in run("港口", "--index", str(index_dir), "--format", "jsonl", "--all").stdout
            .decode("utf-8").splitlines()]
    assert {h["id"]: h["title"] for h in hits}["evil"] == "\x1b]0;pwned\x07港口[/x]建设\x1b[2J"
    rows = run("港口", "--index", str(index_dir), "--format", "csv", "--all").stdout.decode("utf-8-sig")
    assert "\x1b]0;pwned\x07" in rows  # a pipe or a file gets the data; only a terminal gets it cleaned


# --- many terms ---------------------------------------------------------------------------------------


def test_a_text_is_folded_once_for_all_the_terms_of_a_query(monkeypatch):
    compiled = compile_query(" OR ".join(f'"词{n}"' for n in range(100)) + ' OR 港* OR "港口 建设"~3')
    calls = []
    real = query_module.folded_view
    monkeypatch.setattr(query_module, "folded_view", lambda text: calls.append(text) or real(text))
    spans = compiled.match_spans(None, "港口正在建设，词7和词42。")
    assert len(calls) == 1
    # 港* and the proximity pair's sides, 词7, and 词4 inside 词42 (merged with it)
    assert [("港口正在建设，词7和词42。"[a:b]) for a, b in spans] == ["港口", "建设", "词7", "词42"]


# --- dates that are not days --------------------------------------------------------------------------


def test_stats_do_not_take_an_integer_for_a_date(index_dir, run):
    stats = index_stats(index_dir)
    assert (stats["first"], stats["last"], stats["days"], stats["undated"]) == ("2025-03-18", "2025-03-19", 2, 1)
    paper = next(p for p in stats["papers"] if p["paper"] == "xihaian")
    assert (paper["first"], paper["last"], paper["undated"]) == ("2025-03-18", "2025-03-19", 1)
    out = run("stats", "--index", str(index_dir)).stdout.decode("utf-8")
    assert "1 articles without a valid date" in out and "20250319" not in out
