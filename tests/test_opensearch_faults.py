"""The OpenSearch backend under node failures on the real two-node cluster: every query of a loop answers
(correctly) while the non-manager node is stopped and restarted, and a bulk load interrupted by killing a node
resumes and ends with exactly the archive's articles."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from indexer.backends import opensearch as osb
from indexer.synth import make_records
from tests.corpus import build_extended_index
from tests.opensearch_cluster import Cluster
from tests.test_opensearch_backend import FIXTURE_QUERIES

QUERIES = FIXTURE_QUERIES[:12] + ["董家口 W/5 项目", "氢能*", "page:要闻 -高质量发展"]


def test_every_query_answers_while_a_node_is_lost_and_back(opensearch: Cluster, tmp_path: Path) -> None:
    build_extended_index(tmp_path)
    target = osb.Target.parse(",".join(opensearch.urls) + "/faults")
    osb.build(target, [tmp_path / "archive"], rebuild=True, shards=2, replicas=1)
    opensearch.wait_for("green")
    expected = {query: {hit["id"] for hit in osb.search(target, query, limit=None).hits} for query in QUERIES}
    assert len({frozenset(hits) for hits in expected.values()}) > 5  # the queries differ
    answers: list[tuple[str, set]] = []
    failures: list[str] = []
    done = threading.Event()

    def loop() -> None:
        while not done.is_set():
            for query in QUERIES:
                try:
                    answers.append((query, {hit["id"] for hit in osb.search(target, query, limit=None).hits}))
                except Exception as error:  # noqa: BLE001 - every failure is a test failure, reported below
                    failures.append(f"{query}: {error}")

    worker = threading.Thread(target=loop)
    worker.start()
    try:
        lost = 1 - opensearch.manager()
        time.sleep(1)
        before = len(answers)
        opensearch.stop_node(lost)
        health = opensearch.wait_for("yellow", nodes=1)
        assert health["active_primary_shards"] >= 2
        time.sleep(2)
        during = len(answers)
        opensearch.start_node(lost)
        opensearch.wait_for("green", nodes=2)
        time.sleep(1)
    finally:
        done.set()
        worker.join()
    assert failures == []
    assert before > 0 and during > before and len(answers) > during  # queries ran before, during and after
    assert [query for query, hits in answers if hits != expected[query]] == []
    osb.drop(target)


def test_a_bulk_load_interrupted_by_killing_a_node_resumes_without_duplicates(
        opensearch: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    records = make_records(1500, seed=11, body_chars=120)
    archive = tmp_path / "archive.jsonl"
    # Every 10th id twice: the later line wins, once.
    lines = [*records, *(dict(record, body=record["body"] + "改") for record in records[::10])]
    archive.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
    monkeypatch.setattr(osb, "CHUNK", 50)
    target = osb.Target.parse(",".join(opensearch.urls) + "/resume")
    lost = 1 - opensearch.manager()
    progress: list[int] = []
    killed = threading.Event()

    def kill_midway(what: str, done: int, total: int | None) -> None:
        if what != "indexing articles":
            return
        progress.append(done)
        if done >= total // 3 and not killed.is_set():
            killed.set()
            opensearch.processes[lost].kill()  # SIGKILL: no clean leave
            opensearch.processes[lost].wait()

    try:
        osb.build(target, [archive], rebuild=True, shards=2, replicas=1, progress=kill_midway)
        finished = True
    except osb.BackendError:
        finished = False
    assert killed.is_set() and progress[0] < len(records) // 3
    opensearch.start_node(lost)
    opensearch.wait_for("green", nodes=2)
    if not finished:  # resumed: the unfinished index is filled again, then the alias swapped to it
        osb.build(target, [archive], rebuild=True, shards=2, replicas=1)
    client = osb.connect(target)
    client.indices.refresh(index=target.alias)
    ids = [hit["_id"] for hit in osb._scan(client, target, {"query": {"match_all": {}}, "_source": False})]
    assert len(ids) == len(set(ids)) == len(records)
    assert set(ids) == {record["id"] for record in records}
    assert client.count(index=target.alias)["count"] == len(records)
    changed = osb.search(target, '"改"', limit=None)
    assert {hit["id"] for hit in changed.hits} >= {record["id"] for record in records[::10]}
    osb.drop(target)
