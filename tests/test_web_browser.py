"""The reading room in a real browser: Debian's chromium driven by Playwright against a real `epaper serve`.

Type a query and see the right hits, open an article and see the highlight, draw the counts chart and hover a
point, download a CSV equal to the CLI's, and read a hostile article without any script running. Screenshots go
to each test's tmp folder. Without /usr/bin/chromium (`make chromium` installs it as root) the tests skip, and
fail when CI is set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.query.search import search
from tests.web_corpus import IN_CI, run_epaper, serve, web_index

CHROMIUM = Path("/usr/bin/chromium")


def _need_browser() -> None:
    """Skip without chromium or Playwright on a developer machine; fail in CI."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "playwright is not installed (pip install -e '.[test]')"
    else:
        problem = "" if CHROMIUM.exists() else f"{CHROMIUM} not found (run `make chromium` as root)"
    if problem:
        if IN_CI:
            pytest.fail(f"{problem}; CI must run the browser tests, not skip them")
        pytest.skip(problem)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need_browser()
    return web_index(tmp_path_factory)


@pytest.fixture(scope="module")
def base_url(index_dir: Path):
    with serve(index_dir) as url:
        yield url


@pytest.fixture(scope="module")
def browser(index_dir: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser, base_url: str, tmp_path: Path):
    """A fresh page; every dialog (alert, confirm) it opens is recorded in page.dialogs and dismissed; requests
    leaving the server are refused (the reading room must work offline)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    opened.dialogs = []
    opened.errors = []

    def dialog(found) -> None:
        opened.dialogs.append(found.message)
        found.dismiss()

    opened.on("dialog", dialog)
    opened.on("pageerror", lambda error: opened.errors.append(str(error)))
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url)
                  else route.abort())
    yield opened
    opened.screenshot(path=str(tmp_path / "last.png"), full_page=True)
    context.close()


def test_type_a_query_see_the_hits_and_open_the_article(page, base_url: str, index_dir: Path,
                                                        tmp_path: Path) -> None:
    page.goto(base_url + "/")
    page.fill("#q", "董家口 PRE/10 项目")
    page.select_option("select[name=paper]", "qingdao")
    page.press("#q", "Enter")
    page.wait_for_selector("#summary")
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
    expected = search(index_dir, "董家口 PRE/10 项目", paper="qingdao")
    assert page.inner_text("#total") == str(expected.total)
    assert page.locator("li.hit a.title").all_inner_texts() == [hit["title"] for hit in expected.hits]
    assert page.locator("li.hit mark").count() >= 2
    page.click(f"li.hit a.title >> text={expected.hits[0]['title']}")
    page.wait_for_selector("#article")
    page.screenshot(path=str(tmp_path / "article.png"), full_page=True)
    assert page.inner_text("h1.title") == expected.hits[0]["title"]
    marks = page.locator("#body mark").all_inner_texts()
    assert "董家口" in marks and "项目" in marks
    assert page.errors == [] and page.dialogs == []


def test_counts_view_draws_the_chart_and_hover_shows_the_number(page, base_url: str, index_dir: Path,
                                                                tmp_path: Path) -> None:
    page.goto(base_url + "/?q=董家口")
    page.click("nav >> text=Counts")
    page.wait_for_selector("#chart")
    page.fill("input[name=q] >> nth=1", '"氢能"')
    page.select_option("select[name=by]", "month")
    page.click("button >> text=Count")
    page.wait_for_selector("#chart svg circle")
    points = page.locator("#chart circle")
    assert page.locator("#chart path.series").count() == 2
    last = points.nth(points.count() // 2 - 1)  # the last bucket of the first query (2025-03)
    last.hover()
    page.wait_for_selector(".tooltip:not([hidden])")
    page.screenshot(path=str(tmp_path / "counts.png"), full_page=True)
    tip = page.inner_text(".tooltip")
    expected = search(index_dir, "董家口", date_from="2025-03-01", date_to="2025-03-31").total
    assert tip.startswith(f"2025-03 · 董家口: {expected} articles")
    assert page.locator("#counts tbody tr").count() == int(page.get_attribute("#chart", "data-drawn"))
    assert page.errors == []


def test_exported_csv_is_the_clis_file(page, base_url: str, index_dir: Path, tmp_path: Path) -> None:
    page.goto(base_url + "/?q=港口&sort=-date")
    with page.expect_download() as download:
        page.click("#export-csv")
    saved = tmp_path / "export.csv"
    download.value.save_as(saved)
    command = page.inner_text("#cli-csv")
    assert command == "epaper search --sort=-date --all --format csv -- '港口'"
    assert saved.read_bytes() == run_epaper(command, index_dir)


def test_hostile_article_runs_no_script(page, base_url: str, tmp_path: Path) -> None:
    page.goto(base_url + "/?q=" + "新开工一批重点项目")
    page.click("a.title:has-text('alert(\"title\")')")  # the hostile title, shown as text
    page.wait_for_selector("#article")
    page.mouse.move(200, 200)
    page.hover("p.pretitle")
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
    assert page.dialogs == []
    assert '<script>alert("title")</script>' in page.inner_text("h1.title")
    assert '<img src=x onerror=alert("img")>' in page.inner_text("#body")
    assert page.locator("#body img, #body script, #body a, h1 script").count() == 0
    links = page.eval_on_selector_all("a[href], img[src]", "nodes => nodes.map(n => n.href || n.src)")
    assert links and all(link.startswith(("http://", "https://")) for link in links)
    page.goto(base_url + "/?q=" + "港口")
    assert page.dialogs == [] and page.errors == []
