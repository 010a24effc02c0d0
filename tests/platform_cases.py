"""The extractors of a platform, field by field, on a fixture site's saved bytes: one tiny test per field,
parametrized over every record a perfect crawl yields. Each paper's test file (tests/test_<paper>.py) makes a
`PlatformCases` for its site, takes the per-field tests with `globals().update(cases.field_tests())` and keeps
its paper-specific tests itself; it must define the module fixture `site` (the built site's folder).
`crawl_tests` gives, the same way, the end-to-end tests the Founder-new papers share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.platforms import extract, get_platform
from crawler.spiders.epaper import article_id, page_id
from crawler.text import normalize_inline
from tests.conftest import COLLECTED, read_archive, run_scrapy, stat
from tests.sites.model import Article, Issue, printed_paragraphs
from tests.sites.server import serve


class PlatformCases:
    """The expected records of one fixture site, and its files parsed by the platform's extractors."""

    def __init__(self, platform: str, base: str, issues: Sequence[Issue], records: list[dict], paper: str) -> None:
        self.cfg = get_platform(platform)
        self.base = base
        self.paper = paper
        self.articles = [r for r in records if r["type"] == "article"]
        self.pages = [r for r in records if r["type"] == "page"]
        self.data = {article_id(paper, i.date, a.key): a for i in issues for p in i.pages for a in p.articles}
        self.guides = {(i.date, p.page_no): p.guide for i in issues for p in i.pages}

    def site_fixture(self, build: Callable[[Path, str], Path], encodings: Sequence[str]) -> Callable:
        """A module fixture `site`: build(folder, encoding) for each of encodings, one after the other."""

        @pytest.fixture(scope="module", params=list(encodings))
        def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
            """The built site, in each encoding."""
            return build(tmp_path_factory.mktemp(f"{self.paper}-{request.param}"), request.param)

        return site

    def source(self, record: dict) -> Article:
        """The fixture Article behind an expected article record."""
        return self.data[record["id"]]

    def response_for(self, site: Path, url: str) -> HtmlResponse:
        """A response carrying a saved file's original bytes (no charset header: the page's meta decides)."""
        body = (site / url[len(self.base):]).read_bytes()
        return HtmlResponse(url=url, body=body, headers={"Content-Type": "text/html"})

    def article(self, site: Path, expected: dict) -> extract.ArticleData:
        return extract.parse_article(self.response_for(site, expected["url"]), self.cfg)

    def page(self, site: Path, expected: dict) -> extract.PageData:
        return extract.parse_page(self.response_for(site, expected["url"]), self.cfg)

    def field_tests(
        self, *, captions: bool = True, page_dates: bool = True, order_by: str = "ids", page_links: str = "full"
    ) -> dict[str, Callable]:
        """The per-field test functions, by name. Options for what a site's test file did not test (or
        tested another way): `captions`, captions are never paragraphs; `page_dates`, the page's date;
        `order_by` "ids" (the page's article ids) or "urls" (its article URLs); `page_links` "full" (URL,
        number and name of every page of the issue) or "urls"."""
        articles, pages, cfg, paper, guides = self.articles, self.pages, self.cfg, self.paper, self.guides
        article, page, source = self.article, self.page, self.source
        ids = [r["id"] for r in articles]
        page_ids = [r["id"] if "id" in r else f"{r['date']}-p{r['page_no']}" for r in pages]
        with_images = [r for r in articles if r["images"]]
        on_articles = pytest.mark.parametrize("expected", articles, ids=ids)
        on_pages = pytest.mark.parametrize("expected", pages, ids=page_ids)

        @on_articles
        def test_title(site, expected):
            assert article(site, expected).title == expected["title"]

        @on_articles
        def test_pretitle(site, expected):
            assert article(site, expected).pretitle == expected["pretitle"]

        @on_articles
        def test_subtitle(site, expected):
            assert article(site, expected).subtitle == expected["subtitle"]

        @on_articles
        def test_author_as_the_page_shows(site, expected):
            assert article(site, expected).author == normalize_inline(source(expected).site_author)

        @on_articles
        def test_paragraphs_as_printed(site, expected):
            """Raw paragraphs: byline paragraph, dateline and jump markers still in (later stages split them)."""
            assert article(site, expected).paragraphs == printed_paragraphs(source(expected))

        @on_articles
        def test_images_with_captions(site, expected):
            assert article(site, expected).images == expected["images"]

        @pytest.mark.parametrize("expected", with_images, ids=[r["id"] for r in with_images])
        def test_captions_are_not_paragraphs(site, expected):
            parsed = article(site, expected)
            assert not {i["caption"] for i in parsed.images} & set(parsed.paragraphs)

        @on_articles
        def test_article_key(site, expected):
            assert article(site, expected).article_key == source(expected).key

        @on_pages
        def test_page_number_and_name(site, expected):
            parsed = page(site, expected)
            assert (parsed.page_no, parsed.page_name) == (expected["page_no"], expected["page_name"])

        @on_pages
        def test_page_date(site, expected):
            assert page(site, expected).date == expected["date"]

        @on_pages
        def test_page_pdf_url(site, expected):
            assert page(site, expected).pdf_url == expected["pdf_url"]

        @on_pages
        def test_page_image_url(site, expected):
            assert page(site, expected).image_url == expected["image_url"]

        @on_pages
        def test_page_articles_in_markup_order(site, expected):
            parsed = page(site, expected)
            if order_by == "urls":
                assert parsed.article_urls == [r["url"] for r in articles if r["page_url"] == expected["url"]]
            else:
                keys = [extract.article_key(u, cfg) for u in parsed.article_urls]
                assert [article_id(paper, parsed.date, k) for k in keys] == expected["article_ids"]

        @on_pages
        def test_page_lists_every_page_of_its_issue(site, expected):
            same_day = [p for p in pages if p["date"] == expected["date"]]
            links = page(site, expected).pages
            if page_links == "urls":
                assert [link.url for link in links] == [p["url"] for p in same_day]
            else:
                want = [(p["url"], p["page_no"], p["page_name"]) for p in same_day]
                assert [(link.url, link.page_no, link.page_name) for link in links] == want

        @on_pages
        def test_page_rules_name_every_field_found(site, expected):
            """Provenance: a page field has a rule exactly when it has a value."""
            parsed = page(site, expected)
            values = {**vars(parsed), "pages": parsed.pages}
            for name in ("date", "page_no", "page_name", "pdf_url", "image_url", "pages", "article_urls"):
                assert bool(parsed.rules.get(name)) == bool(values[name]), name

        @on_articles
        def test_article_rules_name_every_field_found(site, expected):
            """Provenance: an article field has a rule exactly when it has a value."""
            parsed = article(site, expected)
            values = {**vars(parsed), "body": parsed.paragraphs}
            for name in ("pretitle", "title", "subtitle", "author", "body", "images", "article_key"):
                assert bool(parsed.rules.get(name)) == bool(values[name]), name

        @on_pages
        def test_page_guide_items(site, expected):
            assert page(site, expected).guide == guides[(expected["date"], expected["page_no"])]

        tests = {name: value for name, value in locals().items() if name.startswith("test_")}
        if not captions:
            del tests["test_captions_are_not_paragraphs"]
        if not page_dates:
            del tests["test_page_date"]
        return tests


# --- end to end: a real crawl over loopback HTTP ----------------------------------------------------------

E2E_FIELDS = {
    "article": ("type", "id", "paper", "date", "page_no", "page_name", "position", "title", "pretitle", "subtitle",
                "images", "url", "page_url", "pdf_url", "author", "byline", "dateline", "body", "kind", "jump_to",
                "jump_from", "continued_on", "continued_from", "full_body"),
    "page": ("type", "paper", "date", "page_no", "page_name", "url", "pdf_url", "image_url", "article_ids"),
}


def crawl_tests(
    *,
    platform: str,
    paper: str,
    paper_name: str,
    issues: Sequence[Issue],
    missing_day: str,
    build: Callable[[Path], Path],
    expected: Callable[[str], list[dict]],
    start: str,
    end: str,
    args: Sequence[str] = (),
    site_dir: str = "",
    profile: bool = False,
) -> dict[str, Callable]:
    """The module fixtures `served` (the site build(folder) makes, on loopback) and `crawl` (`scrapy crawl
    epaper -a platform=...` of start..end, the only day without an issue being missing_day), and the tests of
    that crawl, by name; expected(base_url) gives the records. `args` are further crawl arguments
    (e.g. first_node); `site_dir` is the paper's folder on the server (its base URL's path), which build(folder)
    then makes; `profile` crawls
    the bundled profile named `paper` (its URL templates and overrides) instead of `platform`'s defaults."""
    chosen = () if profile else ("-a", f"platform={platform}")
    common = ("crawl", "epaper", *chosen, "-a", f"paper={paper}", *args)

    @pytest.fixture(scope="module")
    def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
        """The site in its own encoding, served on loopback."""
        folder = tmp_path_factory.mktemp(f"{paper}-served")
        built = build(folder / site_dir) if site_dir else build(folder)
        with serve(folder if site_dir else built) as url:
            yield url + site_dir

    @pytest.fixture(scope="module")
    def crawl(served: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
        """The crawl of start..end."""
        out = tmp_path_factory.mktemp(f"{paper}-crawl")
        result = run_scrapy(*common, "-a", f"base_url={served}", "-a", f"name={paper_name}", "-a", f"start={start}",
                            "-a", f"end={end}", "-s", f"ARCHIVE_DIR={out / 'archive'}")
        return {"result": result, "archive": out / "archive", "base": served}

    def test_crawl_succeeds(crawl):
        assert crawl["result"].returncode in COLLECTED, crawl["result"].stderr[-3000:]
        assert "Traceback" not in crawl["result"].stderr
        assert stat(crawl["result"].stderr, "log_count/ERROR") == 0

    def test_missing_day_is_logged_as_no_issue(crawl):
        log = crawl["result"].stderr
        assert f"no issue: {paper} has no issue on {missing_day}" in log
        assert stat(log, "epaper/no_issue_days") == 1

    def test_one_file_per_issue_day(crawl):
        files = sorted(p.name for p in crawl["archive"].rglob("*.jsonl"))
        assert files == [f"{paper}-{issue.date}.jsonl" for issue in issues]

    def test_archive_holds_the_expected_records(crawl):
        want_by_url = {r["url"]: r for r in expected(crawl["base"])}
        got = read_archive(crawl["archive"])
        assert sorted(r["url"] for r in got) == sorted(want_by_url)
        for record in got:
            want = want_by_url[record["url"]]
            fields = E2E_FIELDS[want["type"]]
            assert {k: record[k] for k in fields} == {k: want[k] for k in fields}
            if record["type"] == "page":
                assert record["id"] == page_id(paper, record["date"], record["page_no"])

    def test_no_dates_crawls_the_latest_issue_only(served, tmp_path):
        result = run_scrapy(*common, "-a", f"base_url={served}", "-s", f"ARCHIVE_DIR={tmp_path}")
        assert result.returncode in COLLECTED, result.stderr[-3000:]
        latest = max(issue.date for issue in issues)
        assert [p.name for p in tmp_path.rglob("*.jsonl")] == [f"{paper}-{latest}.jsonl"]
        assert {r["url"] for r in read_archive(tmp_path)} == {r["url"] for r in expected(served) if r["date"] == latest}

    return {name: value for name, value in locals().items() if name in ("served", "crawl") or name.startswith("test_")}
