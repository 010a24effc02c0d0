"""The URL model: one canonical form per document, patterns matched on the path."""

from __future__ import annotations

import pytest

from crawler.platforms import extract, get_platform
from crawler.urls import canonical_url, file_stem, url_path

CLASSIC = get_platform("founder-classic")


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("http://e.test/html/2025-03/19/content_3.htm?div=-1", "http://e.test/html/2025-03/19/content_3.htm"),
        ("http://e.test/html/2025-03/19/content_3.htm?div=0", "http://e.test/html/2025-03/19/content_3.htm"),
        ("http://e.test/html/2025-03/19/content_3.htm#p1", "http://e.test/html/2025-03/19/content_3.htm"),
        ("http://e.test/html/2025-03/19/node_3.htm?v=1#top", "http://e.test/html/2025-03/19/node_3.htm"),
        ("http://e.test/pic/x.jpg.2?t=9", "http://e.test/pic/x.jpg.2"),
        # not a static document: its query may select the document, so it stays
        ("http://e.test/paper/index.jsp?date=2025-03-19", "http://e.test/paper/index.jsp?date=2025-03-19"),
        ("http://e.test/html/2025-03/19/node_3.htm", "http://e.test/html/2025-03/19/node_3.htm"),
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


@pytest.mark.parametrize("suffix", ["", "?div=-1", "?div=0", "#p1", "?v=1#x"])
def test_article_and_page_shapes_match_the_path_only(suffix):
    assert extract.article_key(f"http://e.test/html/2025-03/19/content_548643.htm{suffix}", CLASSIC) == "548643"
    assert extract.date_from_url(f"http://e.test/html/2025-03/19/node_3.htm{suffix}", CLASSIC) == "2025-03-19"


def test_url_path_and_file_stem():
    assert url_path("http://e.test/a/node_A01.html?x=1#y") == "/a/node_A01.html"
    assert file_stem("http://e.test/a/node_A01.html?x=1") == "node_A01"
