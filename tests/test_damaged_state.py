"""Damaged state: torn or undecodable archive lines, wrong field types, a locked or damaged seen-store, a full
disk. Nothing already written is lost, damaged lines are kept aside and their articles fetched again, and
whatever could not be stored ends the crawl with one line and a non-zero exit."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat as stat_mode
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler import archive
from crawler.archive import day_file, quarantine_file, read_day, write_records
from crawler.coverage import EventLog, coverage
from crawler.pipelines.archive import STORAGE_ERROR, ArchivePipeline
from crawler.pipelines.dedupe import DedupePipeline
from crawler.seen import SeenStore, SeenStoreError
from crawler.spiders.epaper import EpaperSpider
from crawler.summary import summary_lines
from tests.conftest import COLLECTED, ROOT, read_archive, run_scrapy, stat

DATE = "2025-03-19"


def article(n: int, **extra) -> dict:
    return {"type": "article", "id": f"p-20250319-{n}", "paper": "p", "date": DATE, "page_no": "01",
            "position": n, "title": f"标题{n}", "body": "正文", "url": f"http://e.test/content_{n}.htm",
            "content_hash": f"sha256:{n}", "fetched_at": "2025-03-19T06:00:00Z", **extra}


def line(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def pipeline(archive_dir: Path, **settings) -> ArchivePipeline:
    crawler = get_crawler(EpaperSpider, {"ARCHIVE_DIR": str(archive_dir), **settings})
    crawler.stats.open_spider()
    return ArchivePipeline(crawler)


# --- reading a damaged day file -------------------------------------------------------------------------


def damaged_day(tmp_path: Path) -> tuple[Path, list[bytes]]:
    """A day file with five good records and four damaged lines: torn, not UTF-8, page_no int, page_no list."""
    path = day_file(tmp_path, "p", DATE)
    path.parent.mkdir(parents=True)
    bad = [line(article(2))[:40] + b"\n", line(article(3)).replace("标题".encode(), b"\xff\xfe"),
           line(article(4, page_no=1)), line(article(5, page_no=["01"]))]
    good = [line(article(n)) for n in (1, 6, 7, 8, 9)]
    path.write_bytes(good[0] + bad[0] + bad[1] + good[1] + bad[2] + good[2] + bad[3] + good[3] + good[4])
    return path, bad


def test_read_day_keeps_the_good_records_and_names_each_damaged_line(tmp_path):
    path, bad = damaged_day(tmp_path)
    records, damaged = read_day(path)
    assert [r["id"] for r in records] == [f"p-20250319-{n}" for n in (1, 6, 7, 8, 9)]
    assert [d.number for d in damaged] == [2, 3, 5, 7]
    assert [d.raw for d in damaged] == bad
    assert damaged[0].reason.startswith("not JSON") and damaged[1].reason == f"not UTF-8 (byte {bad[1].index(0xff)})"
    assert damaged[2].reason == "page_no is a int" and damaged[3].reason == "page_no is a list"
    # a torn line's URL is gone; the others still show theirs
    assert [d.url for d in damaged] == ["", *(f"http://e.test/content_{n}.htm" for n in (3, 4, 5))]


def test_event_logs_still_read_after_a_torn_or_undecodable_line(tmp_path):
    log = EventLog(tmp_path)
    log.add("p", "failed_url", url="http://e.test/a", reason="HTTP 500")
    with open(tmp_path / "p" / "crawl-events.log", "ab") as handle:
        handle.write(b'{"event": "torn\n\xff\xfe\n')
    log.add("p", "no_issue", date="2025-03-18")
    assert [e["event"] for e in log.read("p")] == ["failed_url", "no_issue"]


# --- the archive pipeline on a damaged day --------------------------------------------------------------


def test_damaged_lines_are_quarantined_unmarked_reported_and_the_rest_is_written(tmp_path):
    path, bad = damaged_day(tmp_path)
    store = SeenStore(tmp_path)
    store.record([article(n) for n in range(1, 10)])  # everything was archived once
    store.close()
    pipe = pipeline(tmp_path)
    pipe.process_item(article(10))
    pipe.close_spider()
    assert [r["id"] for r in read_day(path)[0]] == [f"p-20250319-{n}" for n in (1, 6, 7, 8, 9, 10)]
    assert read_day(path)[1] == []
    assert quarantine_file(path).read_bytes() == b"".join(bad)  # kept byte for byte
    store = SeenStore(tmp_path)
    assert [n for n in range(1, 11) if store.has(f"http://e.test/content_{n}.htm")] == [1, 6, 7, 8, 9, 10]
    stats = pipe.stats.get_stats()
    assert stats["archive/quarantined_lines"] == 4 and STORAGE_ERROR not in stats
    events = [e for e in EventLog(tmp_path).read("p") if e["event"] == "quarantined"]
    assert [e["url"] for e in events] == ["", *(f"http://e.test/content_{n}.htm" for n in (3, 4, 5))]
    assert all(str(quarantine_file(path)) in e["reason"] for e in events)
    assert coverage(tmp_path, "p", dt.date(2025, 3, 19), dt.date(2025, 3, 19)).quarantined == [
        {"date": DATE, "file": str(quarantine_file(path)), "lines": 4}]


def test_day_files_follow_the_umask(tmp_path, monkeypatch):
    for mask, mode in ((0o022, 0o644), (0o027, 0o640)):
        monkeypatch.setattr(archive, "_UMASK", mask)
        path = tmp_path / f"{mask:o}.jsonl"
        write_records(path, [article(1)])
        assert stat_mode.S_IMODE(path.stat().st_mode) == mode


# --- a locked seen-store --------------------------------------------------------------------------------


def lock(archive_dir: Path) -> sqlite3.Connection:
    """Hold the seen-store's exclusive lock (as a stuck process would)."""
    SeenStore(archive_dir).close()
    holder = sqlite3.connect(archive_dir / "seen.sqlite3", isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO seen VALUES ('x', 'p', 'd', 'i', 'h', 'f', 'l')")
    return holder


def test_a_seen_store_locked_at_flush_time_keeps_the_day_written_and_marks_it_later(tmp_path):
    pipe = pipeline(tmp_path, SEEN_TIMEOUT=0.2)
    holder = lock(tmp_path)
    pipe.process_item(article(1))
    pipe.flush()
    assert [r["id"] for r in read_day(day_file(tmp_path, "p", DATE))[0]] == ["p-20250319-1"]
    assert "is locked by another process (waited 0.2 s)" in pipe.stats.get_value(STORAGE_ERROR)
    assert "\n" not in pipe.stats.get_value(STORAGE_ERROR)
    holder.execute("ROLLBACK")
    holder.close()
    pipe.close_spider()  # the lock is gone: the next flush marks what waited
    assert SeenStore(tmp_path).has("http://e.test/content_1.htm")
    assert pipe.stats.get_value("seen/errors") == 1


def test_has_answers_not_seen_when_the_store_cannot_be_read(tmp_path):
    store = SeenStore(tmp_path, timeout=0.1)
    store.record([article(1)])
    assert store.has("http://e.test/content_1.htm") is True
    (tmp_path / "garbage").write_bytes(b"not a database\n" * 300)
    store.db.close()
    store.db = sqlite3.connect(tmp_path / "garbage")  # as if the file had been overwritten under it
    assert store.has("http://e.test/content_1.htm") is False  # fetched again: safe
    with pytest.raises(SeenStoreError, match="is damaged"):
        store.record([article(2)])


def test_check_names_a_damaged_store_and_rebuild_restores_it_from_the_archive(tmp_path):
    write_records(day_file(tmp_path, "p", DATE), [article(1), article(2), {**article(3), "type": "page"}])
    (tmp_path / "seen.sqlite3").write_bytes(b"this is not a database\n" * 100)
    with pytest.raises(SeenStoreError) as caught:
        SeenStore.check(tmp_path)
    message = str(caught.value)
    assert "is damaged" in message and f"python -m crawler.seen --rebuild {tmp_path}" in message
    assert "\n" not in message
    checked = subprocess.run([sys.executable, "-m", "crawler.seen", str(tmp_path)], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
    assert checked.returncode == 1 and checked.stderr.count("\n") == 1 and "Traceback" not in checked.stderr
    rebuilt = subprocess.run([sys.executable, "-m", "crawler.seen", "--rebuild", str(tmp_path)], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "2 article URLs" in rebuilt.stdout
    assert SeenStore.check(tmp_path) == 2
    assert [p.name.split("-")[0] for p in tmp_path.glob("seen.sqlite3.damaged-*")] == ["seen.sqlite3.damaged"]


# --- dedupe: an id taken by another URL -----------------------------------------------------------------


def test_pages_without_a_page_number_are_kept_apart_and_true_duplicates_are_counted():
    crawler = get_crawler(EpaperSpider)
    crawler.stats.open_spider()
    dedupe = DedupePipeline(crawler)
    ids = [dedupe.process_item({"id": "p-20250319-p", "url": f"http://e.test/node_{n}.htm"})["id"] for n in (1, 2, 3)]
    assert ids[0] == "p-20250319-p" and len(set(ids)) == 3
    assert all(i.startswith("p-20250319-p-") and len(i) == len("p-20250319-p-") + 8 for i in ids[1:])
    with pytest.raises(DropItem):  # the same page again: a duplicate, whatever id it would get
        dedupe.process_item({"id": "p-20250319-p", "url": "http://e.test/node_2.htm"})
    stats = crawler.stats.get_stats()
    assert stats["dedupe/renamed"] == 3 and stats["dedupe/dropped"] == 1
    spider = SimpleNamespace(profile=SimpleNamespace(key="p", name="P"), plan=SimpleNamespace(days=()))
    lines = summary_lines(spider, {**stats, "validate/dropped": 2}, "finished")
    assert "dropped 3 (invalid 2, duplicate 1)  renamed (id taken) 3" in lines[2]


# --- end to end: crawls over damaged state --------------------------------------------------------------


def crawl(base: str, archive_dir: Path, *extra: str):
    return run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}", "-a", "start=2025-03-17",
                      "-a", "end=2025-03-19", "-s", f"ARCHIVE_DIR={archive_dir}", *extra)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("scrapy crawl epaper: error:")]


@pytest.fixture(scope="module")
def complete(xihaian_url, tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    """An archive of the three days, and its records by id (fetch times aside)."""
    archive_dir = tmp_path_factory.mktemp("complete")
    assert crawl(xihaian_url, archive_dir).returncode in COLLECTED
    return archive_dir, by_id(archive_dir)


def by_id(archive_dir: Path) -> dict[str, dict]:
    return {r["id"]: {k: v for k, v in r.items() if k != "fetched_at"} for r in read_archive(archive_dir)}


def copy_archive(source: Path, target: Path) -> Path:
    subprocess.run(["cp", "-a", f"{source}/.", str(target)], check=True)
    return target


def test_a_torn_and_an_undecodable_line_are_fetched_again(xihaian_url, complete, tmp_path):
    archive_dir = copy_archive(complete[0], tmp_path / "a")
    path = day_file(archive_dir, "xihaian", DATE)
    lines = path.read_bytes().splitlines(keepends=True)
    articles = [n for n, raw in enumerate(lines) if b'"type": "article"' in raw]
    torn, undecodable = articles[1], articles[3]
    lost = {json.loads(lines[n])["id"] for n in (torn, undecodable)}
    lines[torn] = lines[torn][:60] + b"\n"
    lines[undecodable] = lines[undecodable].replace(b'"title": "', b'"title": "\xff', 1)
    path.write_bytes(b"".join(lines))
    first = crawl(xihaian_url, archive_dir)
    assert first.returncode in COLLECTED, first.stderr[-2000:]
    assert "Traceback" not in first.stderr and "damaged archive lines kept aside 2" in first.stderr
    assert set(complete[1]) - set(by_id(archive_dir)) == lost  # the rest was written
    assert len(quarantine_file(path).read_bytes().splitlines()) == 2
    second = crawl(xihaian_url, archive_dir)  # their URLs were un-marked: fetched again
    assert second.returncode in COLLECTED and stat(second.stderr, "epaper/articles") == 2
    assert by_id(archive_dir) == complete[1]


def test_a_locked_seen_store_stops_the_crawl_before_it_fetches_anything(xihaian_url, complete, tmp_path):
    archive_dir = copy_archive(complete[0], tmp_path / "a")
    before = {p: p.read_bytes() for p in archive_dir.rglob("*.jsonl")}
    holder = lock(archive_dir)
    try:
        result = crawl(xihaian_url, archive_dir, "-s", "SEEN_TIMEOUT=0.5")
    finally:
        holder.close()
    assert result.returncode == 1
    assert error_lines(result.stderr) == [f"scrapy crawl epaper: error: seen-store {archive_dir / 'seen.sqlite3'} is "
                                          "locked by another process (waited 0.5 s); nothing was crawled"]
    assert "Traceback" not in result.stderr and "Crawled (" not in result.stderr
    assert {p: p.read_bytes() for p in archive_dir.rglob("*.jsonl")} == before


def test_a_damaged_seen_store_stops_the_crawl_and_names_the_rebuild(xihaian_url, complete, tmp_path):
    archive_dir = copy_archive(complete[0], tmp_path / "a")
    seen = archive_dir / "seen.sqlite3"
    seen.write_bytes(seen.read_bytes()[:100] + os.urandom(4096))
    result = crawl(xihaian_url, archive_dir)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = error_lines(result.stderr)
    assert "is damaged" in line and "--rebuild" in line
    assert subprocess.run([sys.executable, "-m", "crawler.seen", "--rebuild", str(archive_dir)], cwd=ROOT,
                          capture_output=True, timeout=60).returncode == 0
    again = crawl(xihaian_url, archive_dir)
    assert again.returncode in COLLECTED and stat(again.stderr, "epaper/articles") == 0  # nothing fetched twice
    assert by_id(archive_dir) == complete[1]


# --- a full disk ----------------------------------------------------------------------------------------


@pytest.fixture
def small_disk():
    """Mounts a 256 KiB tmpfs on a folder (root only; skipped otherwise, but on CI as root it must work)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted: list[Path] = []

    def mount(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], capture_output=True,
                              text=True)
        if done.returncode != 0:
            if os.environ.get("CI"):
                pytest.fail(f"cannot mount a tmpfs as root on CI: {done.stderr.strip()}")
            pytest.skip(f"cannot mount a tmpfs: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill the file system holding folder; returns the filler file."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as handle:  # unbuffered: closing has nothing left to write
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def test_a_full_disk_exits_1_with_one_line_and_keeps_what_was_written(xihaian_url, complete, small_disk, tmp_path):
    """The seen-store has room, the paper's folder (its own full tmpfs) has none."""
    archive_dir = copy_archive(complete[0], tmp_path / "a")
    paper_dir = archive_dir / "xihaian"
    (archive_dir / "seen.sqlite3").unlink()  # nothing seen: every article is fetched and must be written
    subprocess.run(["mv", str(paper_dir), str(tmp_path / "paper")], check=True)
    small_disk(paper_dir)
    subprocess.run(["cp", "-a", f"{tmp_path / 'paper'}/.", str(paper_dir)], check=True)
    before = {p.name: p.read_bytes() for p in paper_dir.rglob("*.jsonl")}
    day = day_file(archive_dir, "xihaian", DATE)
    day.unlink()  # this day has to be written anew, on a full disk
    filler = fill(paper_dir)
    result = crawl(xihaian_url, archive_dir)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    [line] = error_lines(result.stderr)
    assert "could not be written" in line and "No space left on device" in line
    assert {p.name: p.read_bytes() for p in paper_dir.rglob("*.jsonl")} == {
        name: data for name, data in before.items() if name != day.name}  # untouched, none torn
    assert not list(paper_dir.rglob("*.tmp"))
    filler.unlink()
    again = crawl(xihaian_url, archive_dir)  # nothing was marked seen that is not archived
    assert again.returncode in COLLECTED, again.stderr[-2000:]
    assert by_id(archive_dir) == complete[1]
