"""Founder new at other roots than pc/layout/: 光明日报's html/layout/ (fixture from the 人民日报 articles) field by
field and crawled through the bundled gmrb profile; 安徽日报's layout/, 南方日报's html/ (articles beside the
pages) and 中国旅游报's paper/ parsed record by record; auto-detection of each root."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.platforms import detect, extract
from tests.conftest import COLLECTED, read_archive, run_scrapy
from tests.platform_cases import PlatformCases, crawl_tests
from tests.sites.founder_roots import build_site, expected_records
from tests.sites.model import printed_paragraphs
from tests.sites.rmrb.data import ISSUES, MISSING_DATES

PAPER, PAPER_NAME, ROOT = "gmrb", "光明日报", "html/layout/"
BASE = "http://epaper.example.test/gmrb/"
CASES = PlatformCases("founder-new", BASE, ISSUES, expected_records(ISSUES, BASE, PAPER, PAPER_NAME, root=ROOT),
                      PAPER)
CFG, ARTICLES, PAGES = CASES.cfg, CASES.articles, CASES.pages
globals().update(CASES.field_tests())


def build_paper(folder: Path, encoding: str, root: str = ROOT) -> Path:
    """The paper's folder (its base URL), robots.txt above it."""
    return build_site(folder / PAPER, ISSUES, root=root, encoding=encoding, paper_name=PAPER_NAME)


site = CASES.site_fixture(build_paper, ["utf-8", "gbk"])


@pytest.mark.parametrize("root", ["layout/", "html/", "paper/"])
def test_every_record_of_a_site_under_another_root(root, tmp_path):
    """Each page and article of the site parsed as the records say: numbers, names, files, ids, text, photos."""
    built = build_paper(tmp_path, "utf-8", root)
    records = expected_records(ISSUES, BASE, PAPER, PAPER_NAME, root=root)
    for want in records:
        body = (built / want["url"][len(BASE):]).read_bytes()
        response = HtmlResponse(url=want["url"], body=body, headers={"Content-Type": "text/html"})
        if want["type"] == "page":
            got = extract.parse_page(response, CFG)
            keys = [f"{PAPER}-{want['date'].replace('-', '')}-{extract.article_key(u, CFG)}" for u in got.article_urls]
            assert (got.date, got.page_no, got.page_name, got.pdf_url, got.image_url, keys) == (
                want["date"], want["page_no"], want["page_name"], want["pdf_url"], want["image_url"],
                want["article_ids"])
            assert [link.url for link in got.pages] == [p["url"] for p in records
                                                        if p["type"] == "page" and p["date"] == want["date"]]
        else:
            got = extract.parse_article(response, CFG)
            assert (got.pretitle, got.title, got.subtitle, got.images) == (
                want["pretitle"], want["title"], want["subtitle"], want["images"])
            assert got.paragraphs == printed_paragraphs(CASES.source(want))
            assert want["id"].endswith(f"-{got.article_key}")


@pytest.mark.parametrize(
    ("url", "base", "issue_url", "latest_url"),
    [
        ("https://epaper.gmw.cn/gmrb/html/layout/202601/05/node_01.html", "https://epaper.gmw.cn/gmrb/",
         "html/layout/{yyyy}{mm}/{dd}/{first_node}", "html/layout/index.html"),
        ("https://szb.ahnews.com.cn/ahrb/layout/202212/02/node_01.html#c947867", "https://szb.ahnews.com.cn/ahrb/",
         "layout/{yyyy}{mm}/{dd}/{first_node}", "layout/index.html"),
        ("https://epaper.southcn.com/nfdaily/html/202511/22/node_A01.html", "https://epaper.southcn.com/nfdaily/",
         "html/{yyyy}{mm}/{dd}/{first_node}", "html/index.html"),
        ("https://www.ctnews.com.cn/paper/202304/04/node_01.html?v=1", "https://www.ctnews.com.cn/",
         "paper/{yyyy}{mm}/{dd}/{first_node}", "paper/index.html"),
        ("http://paper.ce.cn/pad/layout/202307/05/node_02.html", "http://paper.ce.cn/",
         "pad/layout/{yyyy}{mm}/{dd}/{first_node}", "pad/layout/index.html"),
        ("http://e.test/epaper/202503/19/node_3.html", "http://e.test/epaper/",
         "{yyyy}{mm}/{dd}/{first_node}", "index.html"),
    ],
)
def test_detection_cuts_the_base_url_at_the_root(url, base, issue_url, latest_url):
    found = detect.from_url(url)
    assert (found.platform, found.base_url, found.page_url) == ("founder-new", base, url)
    assert found.overrides == {"issue_url": issue_url, "latest_url": latest_url}


def test_a_pc_layout_page_needs_no_override():
    url = "http://paper.people.com.cn/rmrb/pc/layout/202503/19/node_01.html"
    assert detect.from_url(url) == detect.Detection("founder-new", "http://paper.people.com.cn/rmrb/", url,
                                                    "2025-03-19")


@pytest.mark.parametrize("url", ["http://e.test/gmrb/html/layout/202502/30/node_01.html",
                                 "http://e.test/gmrb/html/layout/202503/19/index.html",
                                 "http://e.test/gmrb/html/content/202503/19/content_30062001.html"])
def test_not_a_page_url(url):
    assert detect.from_url(url) is None


# --- end to end: real crawls over loopback HTTP ------------------------------------------------------



# The bundled gmrb profile (its issue_url names the html/layout/ root), 2025-03-18..20; the 20th has no issue.
globals().update(crawl_tests(platform="founder-new", paper=PAPER, paper_name=PAPER_NAME, issues=ISSUES,
                             missing_day=MISSING_DATES[0],
                             build=partial(build_site, issues=ISSUES, root=ROOT, encoding="utf-8",
                                           paper_name=PAPER_NAME),
                             expected=partial(expected_records, ISSUES, paper=PAPER, paper_name=PAPER_NAME, root=ROOT),
                             start="2025-03-18",
                             end="2025-03-20", site_dir=f"{PAPER}/", profile=True))


def test_auto_from_the_paper_folder_finds_the_html_layout_root(served, tmp_path):
    result = run_scrapy("crawl", "epaper", "-a", "platform=auto", "-a", f"base_url={served}", "-a", "paper=x",
                        "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode == 0, result.stderr[-3000:]
    # the probe of html/layout/index.html is refreshed to the latest first page, which names the platform
    assert f"founder-new from a link on {served}html/layout/202503/19/node_01.html (base URL {served})" in result.stderr
    assert {r["date"] for r in read_archive(tmp_path)} == {"2025-03-19"}


def test_auto_with_dates_uses_the_detected_root(served, tmp_path):
    page = f"{served}html/layout/202503/19/node_01.html"
    result = run_scrapy("crawl", "epaper", "-a", "platform=auto", "-a", f"base_url={page}", "-a", "paper=x",
                        "-a", "start=2025-03-18", "-a", "end=2025-03-19", "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode in COLLECTED, result.stderr[-3000:]
    assert sorted({r["date"] for r in read_archive(tmp_path)}) == ["2025-03-18", "2025-03-19"]
