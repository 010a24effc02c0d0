"""count(): hits and occurrences per bucket, empty buckets, and the PNG drawn from the same result."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from indexer.analyzers import normalize
from indexer.errors import QueryError
from indexer.query.count import count, count_table, period_labels
from indexer.query.stats import index_stats
from tests.corpus import TEXT_FIELDS, all_records, build_extended_index


def brute_occurrences(needle: str, follow: bool = False, **where) -> tuple[int, int]:
    """(articles, non-overlapping occurrences) of needle (+ one alnum char if follow) in matching records."""
    target, hits, total = normalize(needle), 0, 0
    for record in all_records():
        if any(record.get(key) != value for key, value in where.items()):
            continue
        found = 0
        for name in TEXT_FIELDS:
            text, i = normalize(record.get(name, "")), 0
            while (i := text.find(target, i)) >= 0:
                end = i + len(target)
                if not follow or (end < len(text) and text[end].isalnum()):
                    found += 1
                    i = end + (1 if follow else 0)
                else:
                    i += 1
        hits += found > 0
        total += found
    return hits, total


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    logging.getLogger("indexer").setLevel(logging.ERROR)
    return build_extended_index(tmp_path_factory.mktemp("count"))


def table(result) -> list[tuple[str, int, int]]:
    return [(b.label, b.hits, b.occurrences) for b in result.buckets]


def test_by_day_includes_empty_days(index_dir: Path) -> None:
    result = count(index_dir, '"台湾"', "day", date_from="2025-03-06", date_to="2025-03-09")
    # tw-trad (03-07): 臺灣 in title and body; tw-simp (03-08): 台湾 in title and body
    assert table(result) == [("2025-03-06", 0, 0), ("2025-03-07", 1, 2), ("2025-03-08", 1, 2),
                             ("2025-03-09", 0, 0)]
    assert (result.total_hits, result.total_occurrences) == (2, 4)


def test_by_month_spans_the_index_without_dates(index_dir: Path) -> None:
    result = count(index_dir, "新区工委", "month")
    assert [b.label for b in result.buckets] == ["2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]
    # xh-project matches by words only: a hit without literal occurrences
    assert table(result)[-2:] == [("2025-02", 1, 1), ("2025-03", 2, 1)]


def test_by_week_year_paper_page(index_dir: Path) -> None:
    assert table(count(index_dir, '"氢能"', "year")) == [("2024", 0, 0), ("2025", *brute_occurrences("氢能"))]
    weeks = count(index_dir, '"氢能"', "week", date_from="2025-03-03", date_to="2025-03-23")
    hits, occurrences = brute_occurrences("氢能")
    # W10: wild-1 and wild-2 (03-06); W12: xh-hydro, its two copies, hydro-other (03-19..03-22)
    assert table(weeks) == [("2025-W10", 2, 2), ("2025-W11", 0, 0), ("2025-W12", hits - 2, occurrences - 2)]
    papers = count(index_dir, '"氢能"', "paper")
    assert [(b.label, b.name, b.hits) for b in papers.buckets] == [
        ("jiaozhou", "胶州日报", 3), ("qingdao", "青岛日报", 2), ("taiwan", "臺灣日報", 0),
        ("xihaian", "西海岸新闻", 1)]
    assert [(b.hits, b.occurrences) for b in papers.buckets] == [
        brute_occurrences("氢能", paper=key) for key in ("jiaozhou", "qingdao", "taiwan", "xihaian")]
    pages = count(index_dir, '"氢能"', "page", paper="jiaozhou")
    assert [b.label for b in pages.buckets] == ["01", "02", "03", "A01", "A02", "A03", "A04", "A05"]
    assert [(b.label, b.hits) for b in pages.buckets if b.hits] == [("02", 1), ("03", 2)]


def test_occurrences_count_literal_matches(index_dir: Path) -> None:
    (bucket,) = [b for b in count(index_dir, "氢能*", "paper").buckets if b.label == "jiaozhou"]
    assert (bucket.hits, bucket.occurrences) == brute_occurrences("氢能", follow=True, paper="jiaozhou")
    assert bucket.hits == 2  # wild-2 (氢能汽) and dup-hydro-1; not wild-1 (氢能，)


def test_period_labels() -> None:
    assert period_labels("2024-12-30", "2025-01-06", "week") == ["2025-W01", "2025-W02"]
    assert period_labels("2024-11-15", "2025-02-01", "month") == ["2024-11", "2024-12", "2025-01", "2025-02"]


def test_bad_by(index_dir: Path) -> None:
    with pytest.raises(QueryError, match="--by must be one of"):
        count(index_dir, "x", "decade")


def test_plot_draws_the_counted_result(index_dir: Path, tmp_path: Path) -> None:
    from PIL import Image

    from indexer.query.plot import plot_counts

    table_ = count_table(index_dir, ['"氢能"', "董家口"], "week", date_from="2025-03-03", date_to="2025-03-23")
    path = tmp_path / "plot.png"
    drawn = plot_counts(table_, path)
    assert len(table_.results) == len(drawn.panels["matching articles"]) == 2
    for result in table_.results:
        # one line per query; the week without an archived issue (W11) is a gap, not 0
        assert drawn.panels["matching articles"][result.query] == [
            bucket.hits if bucket.label != "2025-W11" else None for bucket in result.buckets]
    assert drawn.panels["matching articles"]['"氢能"'] == [2, None, 4]
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] >= 400 and image.size[1] >= 300
        assert json.loads(image.info["Description"]) == table_.to_dict()


def test_stats(index_dir: Path) -> None:
    stats = index_stats(index_dir)
    assert stats["articles"] == 20 and stats["pages"] == 3
    assert (stats["first"], stats["last"]) == ("2024-10-01", "2025-03-22")
    assert [paper["paper"] for paper in stats["papers"]] == ["jiaozhou", "qingdao", "taiwan", "xihaian"]
    xihaian = stats["papers"][-1]
    assert (xihaian["articles"], xihaian["pages"], xihaian["first"], xihaian["last"]) == (7, 3, "2025-03-19",
                                                                                          "2025-03-21")
    assert xihaian["gap_days"] == 0
    jiaozhou = stats["papers"][0]
    assert jiaozhou["gaps"][0] == "2025-01-16..2025-02-09"
    assert stats["duplicate_clusters"] == 1 and stats["articles_in_duplicate_clusters"] == 3
