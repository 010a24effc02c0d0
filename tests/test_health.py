"""No silent loss: the warnings a crawl raises when a page or an issue holds more than it took."""

from __future__ import annotations

from crawler import health
from crawler.platforms.extract import PageData, PageLink


def _page(**changes) -> PageData:
    values = dict(url="http://e.test/html/2025-03/19/node_2.htm", date="2025-03-19", page_no="01", page_name="要闻",
                  pdf_url="", image_url="", pages=[PageLink("u1", "01", "要闻"), PageLink("u2", "02", "综合")],
                  article_urls=["a"])
    return PageData(**{**values, **changes})


def _kinds(warnings):
    return sorted(w.kind for w in warnings)


def test_a_complete_page_raises_nothing():
    assert health.page_warnings(_page(labels_shown=["01", "02"])) == []


def test_unmatched_article_links_are_a_warning():
    page = _page(article_urls=[], notes=["3 link(s) look like articles but match no article shape"])
    assert _kinds(health.page_warnings(page)) == ["article_links_unmatched"]


def test_empty_number_and_name_are_warnings():
    assert _kinds(health.page_warnings(_page(page_no="", page_name=""))) == ["empty_page_name", "empty_page_no"]


def test_page_labels_no_link_leads_to_are_a_warning():
    warnings = health.page_warnings(_page(labels_shown=["01", "02", "03", "A04"]))
    assert _kinds(warnings) == ["page_labels_unmatched"] and "pages 03, A04 " in warnings[0].reason


def test_article_without_title_or_body():
    assert _kinds(health.article_warnings("u", "", [])) == ["empty_body", "empty_title"]
    assert health.article_warnings("u", "标题", ["正文"]) == []


def _issue(n, **blank):
    return [{"url": f"u{i}", "page_no": f"0{i}", "page_name": "名", "pdf_url": "p", "image_url": "i", "articles": 3,
             **(blank if i == n - 1 else {})} for i in range(n)]


def test_a_field_the_other_pages_have_is_missing_here():
    warnings = health.issue_warnings(_issue(4, pdf_url=""))
    assert [(w.kind, w.url) for w in warnings] == [("field_missing", "u3")]
    assert "pdf_url" in warnings[0].reason


def test_a_page_without_articles_in_an_issue_whose_pages_have_them():
    assert [(w.kind, w.url) for w in health.issue_warnings(_issue(3, articles=0))] == [("no_articles", "u2")]


def test_a_field_most_pages_lack_is_not_the_issues():
    pages = _issue(4)
    for page in pages[:3]:
        page["pdf_url"] = ""
    assert health.issue_warnings(pages) == []


def test_a_single_page_issue_is_a_warning():
    assert _kinds(health.issue_warnings(_issue(1))) == ["single_page_issue"]


def test_health_line():
    assert health.health_line({"failed": 0}) == "health: ok"
    assert health.health_line({"empty_title": 2, "failed": 5}) == "health: WARN failed 5, empty_title 2"
