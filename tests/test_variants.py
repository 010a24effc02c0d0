"""Template variants (issue #10): the three families' articles rendered through generated template choices
(tests/sites/variants.py), parsed by the pure extractors, every field of every page and article compared with
the data the files were rendered from; and a real crawl of a site whose article links carry query strings.

One test per template change on its own (test_one_template_choice, ids like
`founder-new-page_list=swiper`) says which changes the extraction does not survive; test_random_variants
draws many changes at once (hypothesis, shrinking towards the family's own template).
"""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import COLLECTED, read_archive, run_scrapy, stat
from tests.platform_cases import E2E_FIELDS
from tests.sites import render
from tests.sites.server import serve
from tests.sites.variants import (
    FAMILIES,
    PAPER,
    PAPER_NAME,
    build_site,
    cases,
    choice_cases,
    describe,
    layout,
    mismatches,
    missing_rules,
    native,
    render_files,
    sample_issue,
)

CHOICE_CASES = choice_cases()


@pytest.mark.parametrize("family", FAMILIES)
def test_the_familys_own_template_parses_exactly(family):
    variant = native(family)
    assert mismatches(variant, sample_issue(variant)) == []


@pytest.mark.parametrize(("family", "choice", "value"), CHOICE_CASES,
                         ids=[f"{family}-{choice}={value}" for family, choice, value in CHOICE_CASES])
def test_one_template_choice(family, choice, value):
    variant = native(family, **{choice: value})
    assert mismatches(variant, sample_issue(variant)) == []


@pytest.mark.parametrize("family", FAMILIES)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_random_variants(family, data):
    variant, issue = data.draw(cases(family), label="variant and issue")
    assert mismatches(variant, issue) == [], describe(variant)


GENERIC = {"page_list": "generic", "title_list": "generic", "body": "generic"}


@pytest.mark.parametrize("generic", [False, True], ids=["own-names", "generic-names"])
@pytest.mark.parametrize("family", FAMILIES)
def test_every_field_found_names_its_rule(family, generic):
    """PageData.rules / ArticleData.rules: field name -> label of the rule that produced it."""
    variant = native(family, **(GENERIC if generic else {}))
    assert missing_rules(variant, sample_issue(variant)) == []


def test_rendered_files_show_the_choices():
    """The generator writes what a variant says (else the tests above would prove nothing)."""
    variant = native("founder-classic", encoding="utf-8-sig", line_ends="crlf", quoting="none", case="upper",
                     hidden_menu="yes", article_link_suffix="half", spaced_names="yes", enp="prefixed", pdf="btn",
                     page_image_suffix=".jpg.2", list_label="bare-halfwidth-space")
    issue = sample_issue(variant)
    files = render_files(variant, issue)
    assert all(data.startswith(codecs.BOM_UTF8) for data in files.values())
    assert all(data.count(b"\n") == data.count(b"\r\n") > 0 for data in files.values())
    page = files["html/2025-03/19/node_2.htm"].decode("utf-8-sig")
    assert "<DIV ID=pgn STYLE=display:none><UL><LI><A ID=pageLink HREF=node_2.htm>01： 要 闻</A>" in page
    assert "<A ID=pageLink HREF=node_3.htm>02: 综 合</A>" in page
    assert "HREF=content_1001.htm?div=-1>" in page and "HREF=content_1001.htm?div=0>" in page
    assert "HREF=content_1003.htm#p1>" in page and "HREF=content_1002.htm>" in page
    assert ".pdf DOWNLOAD>" in page and "HREF=../../../attachement/202503/19/" in page
    assert "SRC=../../../page/2025-03/19/01/2025031901_brief.jpg.2 " in page
    article = files["html/2025-03/19/content_1002.htm"].decode("utf-8-sig")
    assert article.startswith("<!--enpproperty <founder-articleid>1002</founder-articleid>")
    gbk = render_files(native("nbs"), sample_issue(native("nbs")))["html/2025-03/19/nbs.D110000renmrb_01.htm"]
    assert b'charset=gb2312"' in gbk and "各地扎实做好冬季民生保障工作" in gbk.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")


# --- end to end: half the article links carry query strings or fragments ----------------------------


@pytest.fixture(scope="module")
def query_crawl(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A Founder-classic site whose title list links every second article with ?div=-1 or #p1 and whose image
    map links it with ?div=0, crawled for its one day."""
    variant = native("founder-classic", article_link_suffix="half")
    issue = sample_issue(variant)
    site = build_site(tmp_path_factory.mktemp("variants-site"), variant, [issue])
    archive = tmp_path_factory.mktemp("variants-crawl")
    with serve(site) as base:
        result = run_scrapy("crawl", "epaper", "-a", "platform=founder-classic", "-a", f"paper={PAPER}",
                            "-a", f"name={PAPER_NAME}", "-a", f"base_url={base}", "-a", f"date={issue.date}",
                            "-s", f"ARCHIVE_DIR={archive}")
    want = render.expected_records([issue], base, PAPER, PAPER_NAME, layout(variant))
    return {"result": result, "got": read_archive(archive), "want": want}


def test_query_string_links_crawl_collects_every_article_exactly_once(query_crawl):
    result, got, want = query_crawl["result"], query_crawl["got"], query_crawl["want"]
    assert result.returncode in COLLECTED, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    want_articles = sorted(r["url"] for r in want if r["type"] == "article")
    assert sorted(r["url"] for r in got if r["type"] == "article") == want_articles
    assert stat(result.stderr, "epaper/articles") == len(want_articles)  # each fetched and parsed once
    by_url = {r["url"]: r for r in want}
    assert sorted(r["url"] for r in got) == sorted(by_url)
    for record in got:
        fields = E2E_FIELDS[record["type"]]
        assert {k: record[k] for k in fields} == {k: by_url[record["url"]][k] for k in fields}
