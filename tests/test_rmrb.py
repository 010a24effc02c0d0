"""Founder new, template family i (人民日报 fixture): extractors per field on the built bytes, then a real crawl."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.platforms import extract, get_platform
from crawler.spiders.epaper import page_id
from crawler.text import normalize_inline
from tests.conftest import run_scrapy
from tests.sites.founder_new import build_site, expected_records
from tests.sites.model import printed_paragraphs
from tests.sites.rmrb.data import ENCODING, FAMILY, ISSUES, MISSING_DATES, PAPER, PAPER_NAME
from tests.sites.server import serve

BASE = "http://paper.example.test/"
CFG = get_platform("founder-new")
EXPECTED = expected_records(ISSUES, BASE, PAPER, PAPER_NAME, family=FAMILY)
ARTICLES = [r for r in EXPECTED if r["type"] == "article"]
PAGES = [r for r in EXPECTED if r["type"] == "page"]
DATA = {a.key: a for issue in ISSUES for page in issue.pages for a in page.articles}
GUIDES = {(issue.date, page.page_no): page.guide for issue in ISSUES for page in issue.pages}


def source(record: dict):
    """The fixture Article behind an expected article record."""
    return DATA[record["id"].rsplit("-", 1)[1]]


@pytest.fixture(scope="module", params=[ENCODING, "gbk" if ENCODING == "utf-8" else "utf-8"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site, in the paper's own encoding and in the other one."""
    return build_site(tmp_path_factory.mktemp(f"rmrb-{request.param}"), ISSUES, family=FAMILY,
                      encoding=request.param, paper_name=PAPER_NAME)


def response_for(site: Path, url: str) -> HtmlResponse:
    """A response with a saved file's bytes and no charset header: the page's own meta decides."""
    return HtmlResponse(url=url, body=(site / url[len(BASE):]).read_bytes(), headers={"Content-Type": "text/html"})


def article(site: Path, expected: dict) -> extract.ArticleData:
    return extract.parse_article(response_for(site, expected["url"]), CFG)


def page(site: Path, expected: dict) -> extract.PageData:
    return extract.parse_page(response_for(site, expected["url"]), CFG)


ids = [r["id"] for r in ARTICLES]
page_ids = [f"{r['date']}-p{r['page_no']}" for r in PAGES]


# --- articles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_title(site, expected):
    assert article(site, expected).title == expected["title"]


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_pretitle(site, expected):
    assert article(site, expected).pretitle == expected["pretitle"]


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_subtitle(site, expected):
    assert article(site, expected).subtitle == expected["subtitle"]


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_author_is_what_the_page_shows(site, expected):
    assert article(site, expected).author == normalize_inline(source(expected).site_author)


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_paragraphs_as_printed(site, expected):
    assert article(site, expected).paragraphs == printed_paragraphs(source(expected))


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_images_with_captions(site, expected):
    assert article(site, expected).images == expected["images"]


@pytest.mark.parametrize("expected", [r for r in ARTICLES if r["images"]], ids=lambda r: r["id"])
def test_captions_are_not_paragraphs(site, expected):
    parsed = article(site, expected)
    assert not {i["caption"] for i in parsed.images} & set(parsed.paragraphs)


@pytest.mark.parametrize("expected", ARTICLES, ids=ids)
def test_article_key(site, expected):
    assert article(site, expected).article_key == expected["id"].rsplit("-", 1)[1]


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("expected", PAGES, ids=page_ids)
def test_page_number_and_name(site, expected):
    parsed = page(site, expected)
    assert (parsed.page_no, parsed.page_name) == (expected["page_no"], expected["page_name"])


@pytest.mark.parametrize("expected", PAGES, ids=page_ids)
def test_page_date(site, expected):
    assert page(site, expected).date == expected["date"]


@pytest.mark.parametrize("expected", PAGES, ids=page_ids)
def test_page_pdf_url(site, expected):
    assert page(site, expected).pdf_url == expected["pdf_url"]


@pytest.mark.parametrize("expected", PAGES, ids=page_ids)
def test_page_image_url(site, expected):
    assert page(site, expected).image_url == expected["image_url"]


@pytest.mark.parametrize("expected", PAGES, ids=page_ids)
def test_page_articles_in_markup_order(site, expected):
    parsed = page(site, expected)
    keys = [extract.article_key(u, CFG) for u in parsed.article_urls]
    assert [f"{PAPER}-{parsed.date.replace('-', '')}-{k}" for k in keys] == expected["article_ids"]


@pytest.mark.parametrize("expected", PAGES, ids=page_ids)
def test_page_lists_every_page_of_its_issue(site, expected):
    same_day = [(p["url"], p["page_no"], p["page_name"]) for p in PAGES if p["date"] == expected["date"]]
    assert [(link.url, link.page_no, link.page_name) for link in page(site, expected).pages] == same_day


@pytest.mark.parametrize("expected", PAGES, ids=page_ids)
def test_page_guide_items(site, expected):
    assert page(site, expected).guide == GUIDES[(expected["date"], expected["page_no"])]


def test_fixture_has_what_the_platform_must_handle():
    kinds = {source(r).kind for r in ARTICLES}
    assert {"article", "ad"} <= kinds
    assert any(r["pretitle"] and r["subtitle"] for r in ARTICLES)
    assert any(source(r).byline and not source(r).site_author for r in ARTICLES)
    assert any(r["continued_on"] for r in ARTICLES) and any(r["continued_from"] for r in ARTICLES)
    assert any(p["pdf_url"] == "" for p in PAGES) and any(g for g in GUIDES.values())


def test_characters_outside_gb2312_survive(site):
    texts = [a.title + "".join(a.paragraphs) + "".join(i["caption"] for i in a.images)
             for a in (article(site, r) for r in ARTICLES)]
    assert all(any(ch in t for t in texts) for ch in "镕堃喆")
    assert not any("\ufffd" in t for t in texts)


@pytest.mark.parametrize(
    ("url", "key"),
    [("http://x/pc/content/202503/18/content_30061001.html", "30061001"),
     ("http://x/pc/con/202503/18/content_3265101.html", "3265101"),
     ("http://x/pc/layout/202503/18/node_01.html", "")],
)
def test_article_key_from_url(url, key):
    assert extract.article_key(url, CFG) == key


@pytest.mark.parametrize("node", ["node_01.html", "node_A01.html", "node_A1.html", "node_A10.html"])
def test_page_url_pattern_accepts_every_node_style(node):
    assert extract.date_from_url(f"http://x/pc/layout/202503/18/{node}", CFG) == "2025-03-18"


def test_issue_and_latest_urls():
    assert CFG.issue_url(BASE, dt.date(2025, 3, 9)) == BASE + "pc/layout/202503/09/node_01.html"
    assert CFG.latest_url(BASE) == BASE + "pc/layout/index.html"


# --- end to end: a real crawl over loopback HTTP ----------------------------------------------

E2E_FIELDS = {
    "article": ("type", "id", "paper", "date", "page_no", "page_name", "position", "title", "pretitle", "subtitle",
                "images", "url", "page_url", "pdf_url", "author", "byline", "dateline", "body", "kind", "jump_to",
                "jump_from", "continued_on", "continued_from", "full_body"),
    "page": ("type", "paper", "date", "page_no", "page_name", "url", "pdf_url", "image_url", "article_ids"),
}


def read_archive(archive: Path) -> list[dict]:
    """Every record of every day file, in file order."""
    paths = sorted(archive.rglob("*.jsonl"))
    return [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()]


def stat(log: str, name: str) -> int:
    """A counter from Scrapy's closing stats dump (0 when absent)."""
    match = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(match.group(1)) if match else 0


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """The site in its own encoding, served on loopback."""
    root = build_site(tmp_path_factory.mktemp("rmrb-served"), ISSUES, family=FAMILY, encoding=ENCODING,
                      paper_name=PAPER_NAME)
    with serve(root) as url:
        yield url


@pytest.fixture(scope="module")
def crawl(served: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Crawl 2025-03-18..20 (the 20th has no issue)."""
    out = tmp_path_factory.mktemp("rmrb-crawl")
    result = run_scrapy(
        "crawl", "epaper", "-a", "platform=founder-new", "-a", f"base_url={served}", "-a", f"paper={PAPER}",
        "-a", f"name={PAPER_NAME}", "-a", "start=2025-03-18", "-a", "end=2025-03-20",
        "-s", f"ARCHIVE_DIR={out / 'archive'}",
    )
    return {"result": result, "archive": out / "archive", "base": served}


def test_crawl_succeeds(crawl):
    assert crawl["result"].returncode == 0, crawl["result"].stderr[-3000:]
    assert "Traceback" not in crawl["result"].stderr
    assert stat(crawl["result"].stderr, "log_count/ERROR") == 0


def test_missing_day_is_logged_as_no_issue(crawl):
    log = crawl["result"].stderr
    assert f"no issue: {PAPER} has no issue on {MISSING_DATES[0]}" in log
    assert stat(log, "epaper/no_issue_days") == 1


def test_one_file_per_issue_day(crawl):
    files = sorted(p.name for p in crawl["archive"].rglob("*.jsonl"))
    assert files == [f"{PAPER}-{issue.date}.jsonl" for issue in ISSUES]


def test_archive_holds_the_expected_records(crawl):
    expected = {r["url"]: r for r in expected_records(ISSUES, crawl["base"], PAPER, PAPER_NAME, family=FAMILY)}
    got = read_archive(crawl["archive"])
    assert sorted(r["url"] for r in got) == sorted(expected)
    for record in got:
        want = expected[record["url"]]
        fields = E2E_FIELDS[want["type"]]
        assert {k: record[k] for k in fields} == {k: want[k] for k in fields}
        if record["type"] == "page":
            assert record["id"] == page_id(PAPER, record["date"], record["page_no"])


def test_no_dates_crawls_the_latest_issue_only(served, tmp_path):
    result = run_scrapy("crawl", "epaper", "-a", "platform=founder-new", "-a", f"base_url={served}",
                        "-a", f"paper={PAPER}", "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode == 0, result.stderr[-3000:]
    latest = max(issue.date for issue in ISSUES)
    assert [p.name for p in tmp_path.rglob("*.jsonl")] == [f"{PAPER}-{latest}.jsonl"]
    expected = {r["url"] for r in expected_records(ISSUES, served, PAPER, PAPER_NAME, family=FAMILY)
                if r["date"] == latest}
    assert {r["url"] for r in read_archive(tmp_path)} == expected


def test_auto_detects_founder_new_from_a_page_url(served, tmp_path):
    page = served + "pc/layout/202503/18/node_02.html"
    result = run_scrapy("crawl", "epaper", "-a", "platform=auto", "-a", f"base_url={page}", "-a", f"paper={PAPER}",
                        "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"auto: detected platform founder-new from the URL {page}" in result.stderr
    assert [p.name for p in tmp_path.rglob("*.jsonl")] == [f"{PAPER}-2025-03-18.jsonl"]
