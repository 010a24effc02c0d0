"""platform=auto: the family told from a URL's shape or from the pages a site links to."""

from __future__ import annotations

import pytest

from crawler.platforms import detect
from tests.conftest import COLLECTED, read_archive, run_scrapy
from tests.sites.server import serve


@pytest.mark.parametrize(
    ("url", "platform", "base", "date"),
    [
        ("http://e.test/html/2025-03/19/node_2.htm", "founder-classic", "http://e.test/", "2025-03-19"),
        ("http://e.test/paper/html/2025-03/19/node_15.htm", "founder-classic", "http://e.test/paper/", "2025-03-19"),
        ("http://e.test/rmrb/pc/layout/202503/19/node_01.html", "founder-new", "http://e.test/rmrb/", "2025-03-19"),
        ("http://e.test/pc/layout/202503/19/node_A1.html", "founder-new", "http://e.test/", "2025-03-19"),
        ("http://e.test/rmrb/html/2024-11/30/nbs.D110000renmrb_01.htm", "nbs", "http://e.test/rmrb/", "2024-11-30"),
        ("http://e.test/gmrb/html/2024-11/30/nbs.D110000gmrb_03.htm", "nbs", "http://e.test/gmrb/", "2024-11-30"),
        ("http://e.test/fzrb/content/20241130/Page01DK.htm", "paperindex", "http://e.test/fzrb/", "2024-11-30"),
        ("http://e.test/grrb/2024_11/30/GR0300.htm", "workercn", "http://e.test/grrb/", "2024-11-30"),
    ],
)
def test_detect_from_url(url, platform, base, date):
    assert detect.from_url(url) == detect.Detection(platform, base, url, date)


@pytest.mark.parametrize("url", ["http://e.test/", "http://e.test/html/2025-02/30/node_2.htm",
                                 "http://e.test/news/2025/03/19/a.html"])
def test_unknown_urls(url):
    assert detect.from_url(url) is None


@pytest.mark.parametrize(
    ("base", "first_probes"),
    [("http://e.test/rmrb", ["http://e.test/rmrb", "http://e.test/rmrb/pc/layout/index.html"]),
     ("http://e.test/epaper/index.html", ["http://e.test/epaper/index.html", "http://e.test/epaper/pc/layout/index.html"])],
)
def test_probe_urls_treat_file_and_folder_urls_right(base, first_probes):
    assert detect.probe_urls(base)[:2] == first_probes


def days_in(archive) -> list[str]:
    return sorted({r["date"] for r in read_archive(archive)})


def test_auto_from_the_site_root_finds_the_latest_issue(xihaian_url, tmp_path):
    result = run_scrapy("crawl", "epaper", "-a", "platform=auto", "-a", f"base_url={xihaian_url}", "-a", "paper=x",
                        "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode in COLLECTED, result.stderr[-2000:]
    assert "auto: detected platform founder-classic from a link on " + xihaian_url in result.stderr
    assert days_in(tmp_path) == ["2025-03-19"]


def test_auto_from_a_page_url_crawls_that_issue(xihaian_url, tmp_path):
    page = xihaian_url + "html/2025-03/17/node_3.htm"
    result = run_scrapy("crawl", "epaper", "-a", "platform=auto", "-a", f"base_url={page}", "-a", "paper=x",
                        "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"auto: detected platform founder-classic from the URL {page}" in result.stderr
    records = read_archive(tmp_path)
    assert {r["date"] for r in records} == {"2025-03-17"}
    assert {r["page_no"] for r in records if r["type"] == "page"} == {"01", "02"}


def test_auto_with_dates_uses_the_detected_scheme(xihaian_url, tmp_path):
    result = run_scrapy("crawl", "epaper", "-a", "platform=auto", "-a", f"base_url={xihaian_url}", "-a", "paper=x",
                        "-a", "start=2025-03-17", "-a", "end=2025-03-19", "-s", f"ARCHIVE_DIR={tmp_path}")
    assert result.returncode in COLLECTED
    assert days_in(tmp_path) == ["2025-03-17", "2025-03-19"]


def test_unknown_layout_is_a_clear_error(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body><a href='news/1.html'>新闻</a></body></html>", encoding="utf-8")
    with serve(site) as base:
        result = run_scrapy("crawl", "epaper", "-a", "platform=auto", "-a", f"base_url={base}index.html",
                            "-a", "paper=x", "-s", f"ARCHIVE_DIR={tmp_path / 'a'}")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "] ERROR:" in line]
    assert len(errors) == 1
    tried = ", ".join(base + p for p in ("index.html", "pc/layout/index.html", "index.htm", "content/PaperIndex.htm",
                                         "paperindex.htm", "html/layout/index.html", "layout/index.html",
                                         "pad/layout/index.html"))
    assert f"unknown layout at {base}index.html: tried {tried};" in errors[0]
    assert "founder-classic (html/{yyyy}-{mm}/{dd}/{first_node})" in errors[0]
    assert not (tmp_path / "a").exists()


@pytest.mark.parametrize(
    "redirect",
    [
        '<META HTTP-EQUIV="Refresh" CONTENT="0; URL=pc/layout/202503/19/node_01.html">',
        '<noscript><meta http-equiv="refresh" content="0;url=\'pc/layout/202503/19/node_01.html\'"></noscript>',
        '<script>window.location.href = "pc/layout/202503/19/node_01.html";</script>',
        "<script>location.replace('pc/layout/202503/19/node_01.html')</script>",
    ],
)
def test_a_site_root_that_redirects_in_the_client_is_detected(redirect):
    """A root page that only redirects (meta refresh in any case, inside <noscript>, or by script) leads to the
    platform, as the spider itself would follow it."""
    from scrapy.http import HtmlResponse

    html = f"<html><head>{redirect}</head><body></body></html>".encode()
    found = detect.in_page(HtmlResponse("http://e.test/rmrb/", body=html, encoding="utf-8"))
    assert found is not None
    assert (found.platform, found.base_url, found.date) == ("founder-new", "http://e.test/rmrb/", "2025-03-19")
