"""A real two-node OpenSearch cluster (tests/opensearch_cluster.py): how it tokenizes our text, exact phrases over
characters, and a node lost and restarted with every query still answered from the replicas."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from indexer.analyzers import char_tokens, normalize
from tests.opensearch_cluster import Cluster
from tests.sites.xihaian.data import ISSUES

INDEX = "xihaian-articles"
# One token per non-whitespace character, lowercased: the terms of our Whoosh char field (indexer.analyzers).
# (?U) makes \S Unicode-aware, so the full-width spaces (U+3000) that indent paragraphs are whitespace too.
CHAR_ANALYSIS = {
    "tokenizer": {"one_char": {"type": "pattern", "pattern": "(?U)\\S", "group": 0}},
    "analyzer": {"chars": {"type": "custom", "tokenizer": "one_char", "filter": ["lowercase"]}},
}
MIXED = "董家口港区550余亿元重点项目，开工率实现70%以上（LNG码头）3.5万吨"
WRAPPED = "　　本报3月18日讯 今天上午，西\n海岸新区工委书记、区委书记"  # hard-wrapped and indented, as printed
# Phrases across a line break, with punctuation, part of a number, Latin in another case; the last two occur nowhere.
PHRASES = ["西海岸新区", "交通银行青岛分行", "高质量发展", "“项目攻坚年”", "3月18日", "项目攻坚", "0%以",
           "lng码头", "分行青岛", "年攻坚项目"]


def fixture_articles() -> dict[str, str]:
    """Every article of the xihaian fixture paper (real front-page text), title and paragraphs, by key; and the two
    texts above."""
    articles = {article.key: "\n".join([article.title, *article.paragraphs])
                for issue in ISSUES for page in issue.pages for article in page.articles}
    return {**articles, "mixed": MIXED, "wrapped": WRAPPED}


def literal_hits(articles: dict[str, str], phrase: str) -> set[str]:
    """Ids whose text contains the phrase, whitespace ignored: what our phrase search returns."""
    return {key for key, text in articles.items() if normalize(phrase) in normalize(text)}


@pytest.fixture(scope="module")
def indexed(opensearch_session: Cluster) -> Iterator[dict[str, str]]:
    """The fixture articles in an index of 2 primaries with 1 replica each, refreshed; deleted afterwards."""
    opensearch = opensearch_session
    articles = fixture_articles()
    opensearch.request("PUT", f"/{INDEX}", {
        "settings": {"number_of_shards": 2, "number_of_replicas": 1, "analysis": CHAR_ANALYSIS},
        "mappings": {"properties": {"body": {"type": "text", "analyzer": "chars"}}},
    })
    bulk = "".join(json.dumps({"index": {"_id": key}}) + "\n" + json.dumps({"body": text}, ensure_ascii=False) + "\n"
                   for key, text in articles.items())
    reply = opensearch.request("POST", f"/{INDEX}/_bulk?refresh=true", bulk)
    assert not reply["errors"], reply
    opensearch.wait_for("green")
    yield articles
    opensearch.request("DELETE", f"/{INDEX}")


def phrase_hits(cluster: Cluster, phrase: str) -> set[str]:
    """Ids a match_phrase on the char field finds; every shard must answer."""
    reply = cluster.request("POST", f"/{INDEX}/_search", {"size": 100, "_source": False,
                                                          "query": {"match_phrase": {"body": phrase}}})
    assert reply["_shards"]["failed"] == 0, reply["_shards"]
    return {hit["_id"] for hit in reply["hits"]["hits"]}


def test_standard_tokenizer_splits_cjk_per_character_but_keeps_latin_and_digit_runs(opensearch: Cluster) -> None:
    reply = opensearch.request("POST", "/_analyze", {"tokenizer": "standard", "text": MIXED})
    tokens = [(t["token"], t["type"], t["position"]) for t in reply["tokens"]]
    # Every ideograph alone, at consecutive positions; digits and Latin kept whole; punctuation dropped without a gap.
    assert [t for t, _, _ in tokens] == [*"董家口港区", "550", *"余亿元重点项目开工率实现", "70", *"以上", "LNG",
                                         *"码头", "3.5", *"万吨"]
    assert {kind for _, kind, _ in tokens} == {"<IDEOGRAPHIC>", "<NUM>", "<ALPHANUM>"}
    assert [pos for _, _, pos in tokens] == list(range(len(tokens)))


def test_pattern_tokenizer_gives_exactly_our_char_tokens(opensearch: Cluster, indexed: dict[str, str]) -> None:
    for text in list(indexed.values())[-5:]:
        reply = opensearch.request("POST", f"/{INDEX}/_analyze", {"analyzer": "chars", "text": text})
        assert [t["token"] for t in reply["tokens"]] == char_tokens(text)
        assert [t["position"] for t in reply["tokens"]] == list(range(len(reply["tokens"])))


def test_phrases_are_exact_and_survive_losing_a_node(opensearch: Cluster, indexed: dict[str, str]) -> None:
    expected = {phrase: literal_hits(indexed, phrase) for phrase in PHRASES}
    # The sample discriminates: some phrases hit some articles and miss others, some hit none.
    assert any(0 < len(hits) < len(indexed) for hits in expected.values())
    assert expected["分行青岛"] == expected["年攻坚项目"] == set()
    shards = opensearch.request("GET", f"/_cat/shards/{INDEX}?format=json")
    assert sorted(s["prirep"] for s in shards) == ["p", "p", "r", "r"]
    assert len({s["node"] for s in shards}) == 2  # primaries and replicas spread over both nodes
    assert {phrase: phrase_hits(opensearch, phrase) for phrase in PHRASES} == expected

    # With two cluster-manager-eligible nodes only the elected manager votes: the other one is the one we can lose.
    lost = 1 - opensearch.manager()
    opensearch.stop_node(lost)
    assert {phrase: phrase_hits(opensearch, phrase) for phrase in PHRASES} == expected
    opensearch.wait_for("yellow", nodes=1)
    # this index's health: other tests' indexes on the shared cluster have shards of their own
    health = opensearch.request("GET", f"/_cluster/health/{INDEX}")
    assert health["unassigned_shards"] == 2  # the replicas that lived on the lost node; all 2 primaries active
    assert health["active_primary_shards"] == 2
    assert {phrase: phrase_hits(opensearch, phrase) for phrase in PHRASES} == expected

    opensearch.start_node(lost)
    opensearch.wait_for("green", nodes=2)
    assert opensearch.request("GET", f"/_cluster/health/{INDEX}")["active_shards"] == 4
    assert {phrase: phrase_hits(opensearch, phrase) for phrase in PHRASES} == expected
