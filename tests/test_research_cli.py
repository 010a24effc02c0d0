"""Research extras through search_cli.py as a subprocess: counts side by side, --normalize, no-data buckets,
--collapse on count and search, collocates, and plots that draw Chinese (a missing glyph fails the test)."""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
import sys
import warnings
from collections import Counter
from pathlib import Path

import pytest

from indexer.analyzers import cut_words, normalize
from indexer.query.collocates import listable, log_likelihood, stopwords
from indexer.query.count import count
from tests.corpus import TEXT_FIELDS, all_records, build_extended_index
from tests.test_search_cli import REPO
from tests.test_search_cli_extras import cli

QUERIES = ('"氢能"', "董家口", '"新区工委"')


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    logging.getLogger("indexer").setLevel(logging.ERROR)
    return build_extended_index(tmp_path_factory.mktemp("research"))


def json_of(index_dir: Path, *args: str) -> dict:
    done = cli(index_dir, *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# ---------------------------------------------------------------- count: several queries, normalize, no data


def test_count_puts_several_queries_side_by_side(index_dir: Path) -> None:
    done = cli(index_dir, "count", *QUERIES, "--by", "month")
    assert done.returncode == 0 and done.stderr == ""
    header = next(line for line in done.stdout.splitlines() if "month" in line and "┃" in line)
    assert [cell.strip() for cell in header.strip("┃ ").split("┃")] == ["month", *QUERIES]
    march = next(line for line in done.stdout.splitlines() if line.startswith("│ 2025-03"))
    expected = [count(index_dir, query, "month") for query in QUERIES]
    cells = [b for result in expected for b in result.buckets if b.label == "2025-03"]
    assert [cell.strip() for cell in march.strip("│ ").split("│")][1:] == [f"{b.hits} ({b.occurrences})"
                                                                          for b in cells]
    for result in expected:
        assert f"{result.query}: {result.total_hits} articles, {result.total_occurrences} occurrences" in done.stdout
    # the same table as CSV and JSON: one column (group) per query
    rows = list(csv.DictReader(io.StringIO(cli(index_dir, "count", *QUERIES, "--by", "month", "--format",
                                                "csv").stdout.removeprefix("\ufeff"))))
    data = json_of(index_dir, "count", *QUERIES, "--by", "month")
    assert data["queries"] == list(QUERIES) and [row["bucket"] for row in rows] == [r["bucket"] for r in data["rows"]]
    for result in expected:
        for bucket, row, nested in zip(result.buckets, rows, data["rows"], strict=True):
            cell = next(c for c in nested["counts"] if c["query"] == result.query)
            if row["data"] == "yes":
                assert row[f"{result.query} articles"] == str(bucket.hits) == str(cell["articles"])
                assert row[f"{result.query} occurrences"] == str(bucket.occurrences) == str(cell["occurrences"])
            else:
                assert row[f"{result.query} articles"] == "" and cell["articles"] is None


def test_buckets_without_an_archived_issue_say_no_data(index_dir: Path) -> None:
    """2024-11 and 2024-12 hold no article and no page of any paper: no data, never 0."""
    archived_months = {record["date"][:7] for record in all_records()}
    data = json_of(index_dir, "count", '"氢能"', "--by", "month")
    assert [(row["bucket"], row["data"]) for row in data["rows"]] == [
        (month, month in archived_months) for month in ("2024-10", "2024-11", "2024-12", "2025-01", "2025-02",
                                                        "2025-03")]
    assert [row["counts"][0]["articles"] for row in data["rows"]] == [0, None, None, 0, 0, 6]
    table = cli(index_dir, "count", '"氢能"', "--by", "month").stdout
    assert re.search(r"│ 2024-11 +│ +no data │", table) and re.search(r"│ 2024-10 +│ +0 │ +0 │", table)
    assert "in 6 buckets (2 without data)" in table


def test_normalize_gives_shares_and_rates_beside_raw_counts(index_dir: Path) -> None:
    data = json_of(index_dir, "count", '"氢能"', "董家口", "--by", "paper", "--normalize")
    records = all_records()
    for row in data["rows"]:
        mine = [r for r in records if r["paper"] == row["bucket"]]
        chars = sum(len(normalize(r.get(name, ""))) for r in mine for name in TEXT_FIELDS)
        assert (row["archive_articles"], row["archive_chars"]) == (len(mine), chars)
        for cell in row["counts"]:
            assert cell["share"] == round(cell["articles"] / len(mine), 6)
            assert cell["per_10k_chars"] == round(cell["occurrences"] * 10_000 / chars, 6)
    jiaozhou = next(row for row in data["rows"] if row["bucket"] == "jiaozhou")
    assert (jiaozhou["archive_articles"], jiaozhou["counts"][0]["articles"]) == (5, 3)
    done = cli(index_dir, "count", '"氢能"', "--by", "paper", "--normalize")
    assert re.search(r"│ jiaozhou +│ 胶州日报 +│ +5 │ +3 │ +\d+ │ +60\.0% │ +\d+\.\d\d │", done.stdout), done.stdout
    # a paper without an issue in the range: no data, not 0 %
    data = json_of(index_dir, "count", '"氢能"', "--by", "paper", "--normalize", "--from", "2025-03-01")
    assert {row["bucket"]: row["data"] for row in data["rows"]} == {"jiaozhou": True, "qingdao": True,
                                                                      "taiwan": True, "xihaian": True}
    data = json_of(index_dir, "count", '"氢能"', "--by", "paper", "--normalize", "--year", "2024")
    qingdao = {row["bucket"]: row for row in data["rows"]}
    assert qingdao["qingdao"]["data"] and not qingdao["jiaozhou"]["data"]
    assert qingdao["jiaozhou"]["counts"][0]["share"] is None


def test_count_collapse_counts_a_reprint_once_in_its_earliest_bucket(index_dir: Path) -> None:
    args = ("count", '"便民服务网点"', "--by", "day", "--from", "2025-03-19", "--to", "2025-03-21")
    plain = json_of(index_dir, *args)
    collapsed = json_of(index_dir, *args, "--collapse")
    assert [row["counts"][0]["articles"] for row in plain["rows"]] == [1, 1, 1]  # xh-hydro and its two copies
    assert [row["counts"][0]["articles"] for row in collapsed["rows"]] == [1, 0, 0]
    assert collapsed["collapse"] is True
    assert "near-duplicates counted once" in cli(index_dir, *args, "--collapse").stdout


def test_search_collapse_shows_the_clusters_earliest_copy(index_dir: Path) -> None:
    """Newest first puts dup-hydro-2 (03-21) on top, but the cluster is shown as xh-hydro (03-19)."""
    newest = cli(index_dir, '"便民服务网点"', "--sort", "-date", "--format", "jsonl")
    assert json.loads(newest.stdout.splitlines()[0])["id"] == "dup-hydro-2"
    done = cli(index_dir, '"便民服务网点"', "--collapse", "--sort", "-date", "--format", "jsonl")
    (hit,) = map(json.loads, done.stdout.splitlines())
    assert (hit["id"], hit["date"], hit["cluster"], hit["copies"]) == ("xh-hydro", "2025-03-19", "xh-hydro", 3)


@pytest.mark.parametrize(("args", "message"), [
    (["count", "x", "--plot", "out.pdf"], "argument --plot: 'out.pdf' must end in .png or .svg"),
    (["count"], "the following arguments are required: QUERY"),
    (["collocates", "x", "--window", "0"], "argument --window: invalid number '0'"),
    (["collocates", "x", "--by", "decade"], "argument --by: invalid choice 'decade'"),
    (["collocates", '"x'], "unbalanced quotes"),
])
def test_bad_research_arguments_are_one_line_exit_2(index_dir: Path, args: list[str], message: str) -> None:
    done = cli(index_dir, *args)
    assert done.returncode == 2 and done.stdout == "" and len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"search_cli.py {args[0]}: error: {message}") or done.stderr.startswith(
        f"search_cli.py: error: {message}"), done.stderr


# ---------------------------------------------------------------- collocates


def test_log_likelihood_is_dunnings_g2() -> None:
    # a: word near the node, b: other words near it, c: the word elsewhere, d: other words elsewhere
    a, b, c, d = 10, 90, 40, 860
    n = a + b + c + d
    cells = [(a, (a + b) * (a + c) / n), (b, (a + b) * (b + d) / n), (c, (c + d) * (a + c) / n),
             (d, (c + d) * (b + d) / n)]
    assert log_likelihood(a, a + b, a + c, n) == pytest.approx(2 * sum(o * math.log(o / e) for o, e in cells))
    assert log_likelihood(5, 50, 10, 100) == pytest.approx(0.0)  # observed = expected
    assert "的" in stopwords() and "了" in stopwords() and not listable("的") and not listable("2025")


def test_collocates_lists_words_near_the_query_beyond_chance(index_dir: Path) -> None:
    data = json_of(index_dir, "collocates", '"氢能"', "--window", "5")
    (period,) = data["periods"]
    words = [c["word"] for c in period["collocates"]]
    assert words[0] == "产业园"  # 青岛市氢能产业园, in four articles
    corpus = Counter(word for record in all_records() for name in TEXT_FIELDS for word in cut_words(record[name]))
    assert period["corpus_words"] == sum(corpus.values())
    for c in period["collocates"]:
        assert c["frequency"] == corpus[c["word"]] and c["near"] >= 2 and listable(c["word"])
        assert c["expected"] == pytest.approx(period["window_words"] * c["frequency"] / period["corpus_words"],
                                              abs=1e-3)
        assert c["near"] > c["expected"] and c["llr"] >= 3.84
        assert c["llr"] == pytest.approx(log_likelihood(c["near"], period["window_words"], c["frequency"],
                                                        period["corpus_words"]), abs=1e-3)
    assert "氢能" not in words and not set(words) & stopwords()
    assert [c["llr"] for c in period["collocates"]] == sorted((c["llr"] for c in period["collocates"]), reverse=True)
    # the general path (no sidecars) cuts the stored texts instead of reading postings: the same list
    general = cli(index_dir, "collocates", '"氢能"', "--format", "json", env={"EPAPER_QUERY_ENGINE": "whoosh"})
    assert json.loads(general.stdout) == data


def test_collocates_per_period_and_as_a_table(index_dir: Path) -> None:
    data = json_of(index_dir, "collocates", "董家口", "--by", "paper", "--window", "3", "--limit", "2",
                   "--min-count", "1")
    assert {p["period"] for p in data["periods"]} == {"qingdao", "xihaian", "taiwan"}
    assert all(len(period["collocates"]) <= 2 for period in data["periods"])
    # each period against its own reference corpus: that paper's articles
    xihaian = next(period for period in data["periods"] if period["period"] == "xihaian")
    assert xihaian["corpus_words"] == sum(len(cut_words(record[name])) for record in all_records()
                                          if record["paper"] == "xihaian" for name in TEXT_FIELDS)
    assert xihaian["collocates"] and xihaian["articles"] == 3
    done = cli(index_dir, "collocates", '"氢能"', "--limit", "3")
    assert done.returncode == 0
    assert re.search(r"│ 产业园 +│ +17 │ +20 │ +\d+\.\d\d │ +\d+\.\d │", done.stdout), done.stdout
    assert "6 articles, 28 occurrences" in done.stdout
    rows = list(csv.DictReader(io.StringIO(cli(index_dir, "collocates", '"氢能"', "--limit", "3", "--format",
                                                "csv").stdout.removeprefix("\ufeff"))))
    assert [row["word"] for row in rows] == [c["word"] for c in json_of(index_dir, "collocates", '"氢能"', "--limit",
                                                                          "3")["periods"][0]["collocates"]]


# ---------------------------------------------------------------- plots


def test_plot_renders_chinese_with_no_missing_glyph(index_dir: Path, tmp_path: Path) -> None:
    """matplotlib's "Glyph … missing from font" warning is an error here: through the CLI (-W) and in-process."""
    import subprocess

    png, svg = tmp_path / "count.png", tmp_path / "count.svg"
    argv = [sys.executable, "-W", "error:Glyph", str(REPO / "search_cli.py"), "count", *QUERIES, "--by", "paper",
            "--normalize", "--index", str(index_dir)]
    for path in (png, svg):
        done = subprocess.run([*argv, "--plot", str(path)], cwd=REPO, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "warning" not in done.stderr.lower(), done.stderr
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml") and "西海岸新闻" in svg.read_text("utf-8")
    from PIL import Image

    with Image.open(png) as image:
        assert json.loads(image.info["Description"])["queries"] == list(QUERIES)

    from indexer.query.count import count_table
    from indexer.query.plot import cjk_font, draw

    table = count_table(index_dir, list(QUERIES), "paper")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing from font")
        draw(table, font=cjk_font())
    # the check can fail: without a CJK font the same labels warn
    with pytest.warns(UserWarning, match="Glyph .* missing from font"):
        draw(table, font=None)


def test_plot_layout_title_legend_and_date_ticks(index_dir: Path) -> None:
    from matplotlib import pyplot as plt

    from indexer.query.count import count_table
    from indexer.query.plot import cjk_font, draw

    long_queries = [*QUERIES, '"资源延伸·网点办" OR 便民服务网点', "港口 W/10 项目"]
    table = count_table(index_dir, long_queries, "day", date_from="2025-01-01", date_to="2025-03-31")
    figure, _ = draw(table, font=cjk_font())
    renderer = figure.canvas.get_renderer()
    box = figure.bbox
    title = figure._suptitle.get_window_extent(renderer)
    assert box.x0 <= title.x0 and title.x1 <= box.x1 and title.y1 <= box.y1  # not clipped (wrapped)
    for axis in figure.axes:
        legend = axis.get_legend()
        assert [text.get_text() for text in legend.get_texts()][: len(long_queries)] == long_queries
    labels = [label for label in figure.axes[1].get_xticklabels() if label.get_text()]
    boxes = [label.get_window_extent(renderer) for label in labels]
    assert 3 <= len(boxes) <= 12
    assert all(a.x1 <= b.x0 for a, b in zip(boxes, boxes[1:], strict=False))  # no two tick labels overlap
    plt.close(figure)


def test_cjk_font_is_found_when_matplotlibs_cache_is_stale(tmp_path: Path, monkeypatch) -> None:
    """A font installed after matplotlib cached its list is found by rescanning the font folders."""
    from matplotlib import font_manager

    from indexer.query.plot import _covers, cjk_font, packaged_font

    fonts = tmp_path / "fonts"
    fonts.mkdir()
    (fonts / "cjk.otf").symlink_to(packaged_font())
    stale = font_manager.FontManager()  # knows the system's fonts, not this folder's
    monkeypatch.setattr(font_manager, "fontManager", stale)
    system = [f.fname for f in stale.ttflist if _covers(f.fname)]
    name = cjk_font(use_package=False, font_dirs=[str(fonts)])
    assert name is not None
    if not system:  # a fresh machine: only the rescanned folder has one
        assert name == "Noto Sans CJK SC" and str(fonts / "cjk.otf") in {f.fname for f in stale.ttflist}
