"""The reading room over HTTP (FastAPI's TestClient): every route with good and bad input, the same answers as the
search API and the same export bytes as the CLI, escaping of hostile article text, and `epaper serve` itself."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from epaper.web.app import create_app
from epaper.web.serve import is_loopback
from indexer.errors import QueryError
from indexer.query.count import count_table
from indexer.query.search import get_article, kwic, search
from tests.web_corpus import EPAPER, hostile_record, run_epaper, serve, web_index


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return web_index(tmp_path_factory)


@pytest.fixture(scope="module")
def client(index_dir: Path):
    with TestClient(create_app(index_dir), raise_server_exceptions=False) as test_client:
        yield test_client


def ids(hits: list[dict]) -> list[str]:
    return [hit["id"] for hit in hits]


# ---------------------------------------------------------------- JSON API: the same answers as the search API


@pytest.mark.parametrize(("params", "query", "options"), [
    ({}, "董家口", {}),
    ({"paper": "qingdao"}, "董家口", {"paper": "qingdao"}),
    ({"from": "2025-03-04", "to": "2025-03-21"}, "董家口", {"date_from": "2025-03-04", "date_to": "2025-03-21"}),
    ({"year": "2024"}, "人民共和", {"date_from": "2024-01-01", "date_to": "2024-12-31"}),
    ({"month": "2025-03", "sort": "-date"}, "董家口", {"date_from": "2025-03-01", "date_to": "2025-03-31",
                                                      "sort": "-date"}),
    ({"sort": "date"}, '"资源延伸·网点办"', {"sort": "date"}),
    ({"collapse": "1"}, '"资源延伸·网点办"', {"collapse": True}),
    ({"page_no": "A01"}, "董家口", {}),
])
def test_search_api_answers_as_the_search_function(client, index_dir: Path, params: dict, query: str,
                                                    options: dict) -> None:
    response = client.get("/api/search", params={"q": query, **params})
    assert response.status_code == 200, response.text
    found = response.json()
    expected_query = f'({query}) page:"{params["page_no"]}"' if "page_no" in params else query
    expected = search(index_dir, expected_query, **options)
    assert found["total"] == expected.total > 0
    assert ids(found["hits"]) == ids(expected.hits)
    assert [hit["snippet"] for hit in found["hits"]] == [hit["snippet"] for hit in expected.hits]
    assert [hit["highlights"] for hit in found["hits"]] == [hit["highlights"] for hit in expected.hits]


def test_page_filter_keeps_only_that_page(client) -> None:
    hits = client.get("/api/search", params={"q": "董家口", "page_no": "A01"}).json()["hits"]
    assert hits and {hit["page_no"] for hit in hits} == {"A01"}


def test_paging_and_hit_fields(client, index_dir: Path) -> None:
    first = client.get("/api/search", params={"q": "董家口", "limit": 2}).json()
    second = client.get("/api/search", params={"q": "董家口", "limit": 2, "page": 2}).json()
    every = ids(search(index_dir, "董家口", limit=None).hits)
    assert ids(first["hits"]) + ids(second["hits"]) == every[:4]
    assert first["last_page"] == -(-len(every) // 2)
    hits = client.get("/api/search", params={"q": '"新开工一批重点项目"'}).json()["hits"]
    hit = next(hit for hit in hits if hit["id"] == "xss-1")
    assert hit["byline"] == hostile_record()["byline"] and hit["paper_name"] == "西海岸新闻" and "record" not in hit
    past = client.get("/api/search", params={"q": "董家口", "limit": 2, "page": 99}).json()
    assert past["hits"] == [] and "past the last page" in past["note"]


def test_dates_outside_the_archive_are_explained(client) -> None:
    found = client.get("/api/search", params={"q": "董家口", "year": "1999"}).json()
    assert found["total"] == 0
    assert found["note"].startswith("no archived articles from 1999-01-01 to 1999-12-31")


def test_kwic_api_lists_the_search_apis_lines_and_sorts_them(client, index_dir: Path) -> None:
    found = client.get("/api/kwic", params={"q": "董家口", "width": 8}).json()
    assert found["lines"] == kwic(index_dir, "董家口", width=8, limit=20)
    by_left = client.get("/api/kwic", params={"q": "董家口", "width": 8, "order": "left"}).json()["lines"]
    assert [line["left"][::-1] for line in by_left] == sorted(line["left"][::-1] for line in found["lines"])
    by_right = client.get("/api/kwic", params={"q": "董家口", "width": 8, "order": "right"}).json()["lines"]
    assert [line["right"] for line in by_right] == sorted(line["right"] for line in found["lines"])


def test_count_api_is_the_count_table(client, index_dir: Path) -> None:
    found = client.get("/api/count", params=[("q", "董家口"), ("q", '"氢能"'), ("by", "month")]).json()
    table = count_table(index_dir, ["董家口", '"氢能"'], "month").to_dict()
    assert {key: found[key] for key in table} == table
    assert any(not row["data"] for row in found["rows"])  # months without an issue are no data, not 0


def test_article_api_joins_parts_and_highlights_the_query(client, index_dir: Path) -> None:
    found = client.get("/api/article/cont-2", params={"q": "董家口"}).json()
    assert found["full_text"] == get_article(index_dir, "cont-2")["full_text"]
    assert [part["id"] for part in found["parts"]] == ["cont-1", "cont-2"]
    spans = found["highlights"]["full_text"]
    assert spans and all(found["full_text"][start:end] == "董家口" for start, end in spans)


def test_article_api_lists_near_duplicates_and_versions(client) -> None:
    copies = client.get("/api/article/xh-hydro").json()["copies"]
    assert [copy["id"] for copy in copies] == ["dup-hydro-1", "dup-hydro-2"]
    assert client.get("/api/article/hydro-other").json()["copies"] == []
    revised = client.get("/api/article/rev-1").json()
    report = "\n".join(revised["version_report"])
    assert "-新区举办退役军人专场招聘会，提供岗位一千余个。" in report
    assert "+新区举办退役军人专场招聘会，提供岗位一千二百余个。" in report


# ---------------------------------------------------------------- bad input: one line, the right status


@pytest.mark.parametrize(("path", "params", "status", "message"), [
    ("/api/search", {"q": '"董家口'}, 400, "unbalanced quotes: the quote at position 1 is never closed"),
    ("/api/search", {"q": "董家口 NEAR/3 项目"}, 400, "'NEAR/3' is not an operator"),
    ("/api/search", {"q": "董家口", "paper": "nosuch"}, 400, "unknown paper 'nosuch'"),
    ("/api/search", {"q": "董家口", "year": "2025", "from": "2025-01-01"}, 400,
     "year cannot be combined with from/to"),
    ("/api/search", {"q": "董家口", "from": "2025-03-09", "to": "2025-03-01"}, 400, "from 2025-03-09 is after to"),
    ("/api/search", {"q": "董家口", "from": "2025-02-30"}, 400, "date_from must be a date"),
    ("/api/search", {"q": "董家口", "month": "2025-13"}, 400, "month must look like 2025-03"),
    ("/api/search", {"q": "董家口", "limit": "1000"}, 400, "limit: Input should be less than or equal to 100"),
    ("/api/search", {"q": "董家口", "page": "0"}, 400, "page: Input should be greater than or equal to 1"),
    ("/api/search", {"q": "董家口", "sort": "newest"}, 400, "sort: Input should be"),
    ("/api/search", {"q": "港" * 1001}, 400, "q: String should have at most 1000 characters"),
    ("/api/search", {"q": "   "}, 400, "empty query"),
    ("/api/search", {}, 400, "q: Field required"),
    ("/api/search", {"q": "董家口", "page_no": '01" OR "x'}, 400, "page_no must not contain a quote"),
    ("/api/kwic", {"q": "董家口", "width": "0"}, 400, "width: Input should be greater than or equal to 1"),
    ("/api/count", {"q": "董家口", "by": "decade"}, 400, "by: Input should be"),
    ("/api/count", {"q": ["港"] * 7}, 400, "7 queries: at most 6 side by side"),
    ("/api/count", {}, 400, "count needs at least one query"),
    ("/api/export", {"q": "董家口", "format": "xlsx"}, 400, "format: Input should be"),
    ("/api/export", {"q": ["董家口", "氢能"], "view": "search"}, 400, "search exports one query, got 2"),
    ("/api/article/nosuch", {}, 404, "no article with id 'nosuch'"),
    ("/api/article/...", {}, 400, "not an article id: '...'"),
    ("/api/article/.profile", {}, 400, "not an article id"),
    ("/api/article/a..b", {}, 400, "not an article id"),
    ("/api/article/%00x", {}, 400, "not an article id"),
    ("/api/article/..%2F..%2Fpyproject.toml", {}, 404, "no such page"),
    ("/api/nosuch", {}, 404, "no such page"),
])
def test_bad_api_input_is_one_line_with_its_status(client, path: str, params: dict, status: int,
                                                   message: str) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert message in error and "\n" not in error


def test_a_broken_query_gives_the_clis_message(client, index_dir: Path) -> None:
    query = '(董家口 OR "港口'
    with pytest.raises(QueryError) as raised:
        search(index_dir, query)
    done = subprocess.run([EPAPER, "search", "--index", str(index_dir), query], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr == f"epaper: error: {raised.value}\n"
    assert client.get("/api/search", params={"q": query}).json() == {"error": str(raised.value)}
    page = client.get("/", params={"q": query})
    assert page.status_code == 400
    assert re.search(r'id="error">([^<]*)<', page.text).group(1) == str(raised.value).replace('"', "&#34;")


def test_the_api_is_read_only(client) -> None:
    response = client.post("/api/search", params={"q": "董家口"})
    assert response.status_code == 405 and "read-only" in response.json()["error"]


def test_static_files_do_not_leave_their_folder(client) -> None:
    assert client.get("/static/app.js").status_code == 200
    for path in ("/static/../app.py", "/static/..%2Fapp.py", "/static/%2e%2e/%2e%2e/pyproject.toml"):
        response = client.get(path)
        assert response.status_code == 404 and "import" not in response.text


# ---------------------------------------------------------------- a missing index is a clear page, not a 500


def test_a_missing_index_is_a_clear_page_and_503(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "none"), raise_server_exceptions=False) as missing:
        page = missing.get("/", params={"q": "董家口"})
        assert page.status_code == 503
        assert "no index at" in page.text and "epaper index build --index" in page.text
        api = missing.get("/api/search", params={"q": "董家口"})
        assert api.status_code == 503 and api.json()["error"].startswith("no index at")
        assert missing.get("/api/article/xh-sun").status_code == 503


# ---------------------------------------------------------------- pages


def test_search_page_shows_hits_filters_span_and_paging(client, index_dir: Path) -> None:
    page = client.get("/", params={"q": "董家口", "limit": 3, "paper": "xihaian"})
    assert page.status_code == 200
    expected = search(index_dir, "董家口", paper="xihaian", limit=3)
    assert re.search(r'id="total">(\d+)<', page.text).group(1) == str(expected.total)
    for hit in expected.hits:
        assert f'href="/article/{hit["id"]}?q=%E8%91%A3%E5%AE%B6%E5%8F%A3&amp;paper=xihaian"' in page.text
    assert "<mark>董家口</mark>" in page.text
    assert "2024-10-01 – 2025-03-22" in page.text  # the index's date span
    assert '<option value="xihaian" selected>' in page.text
    assert 'rel="next"' in page.text and "page=2" in page.text
    home = client.get("/")
    assert home.status_code == 200 and "Query syntax" in home.text and 'name="collapse"' in home.text


def test_collapsed_search_page_counts_reprints(client) -> None:
    page = client.get("/", params={"q": '"资源延伸·网点办"', "collapse": "1"})
    assert "+2 near-duplicate copies" in page.text and "clusters" in page.text


def test_article_page_shows_the_whole_article(client) -> None:
    page = client.get("/article/cont-1", params={"q": "融合"})
    assert page.status_code == 200
    assert "<mark>融合</mark>" in page.text  # in the second part, joined
    assert 'href="https://example.invalid/2025-03-21/01.pdf"' in page.text
    assert "Continued across 2 parts" in page.text
    copies = client.get("/article/xh-hydro").text
    assert "Near-duplicate copies" in copies and "/article/dup-hydro-1" in copies
    revised = client.get("/article/rev-1").text
    assert "Earlier versions" in revised and '<span class="add">+新区举办退役军人专场招聘会' in revised
    assert client.get("/article/nosuch").status_code == 404
    assert client.get("/article/...").status_code == 400


def test_kwic_and_counts_pages(client) -> None:
    page = client.get("/kwic", params={"q": "董家口", "order": "right"})
    assert page.status_code == 200 and page.text.count('<td class="match"><mark>董家口</mark></td>') == len(
        client.get("/api/kwic", params={"q": "董家口"}).json()["lines"])
    counts = client.get("/counts", params=[("q", "董家口"), ("q", "氢能"), ("by", "year"), ("normalize", "1")])
    assert counts.status_code == 200
    assert 'data-src="/api/count?q=%E8%91%A3%E5%AE%B6%E5%8F%A3&amp;q=%E6%B0%A2%E8%83%BD&amp;by=year"' in counts.text
    assert "<td>2025</td>" in counts.text and "per 10k chars" in counts.text
    assert client.get("/counts", params={"q": "董家口", "by": "decade"}).status_code == 400
    assert client.get("/kwic", params={"q": "(董家口"}).status_code == 400


def test_docs_and_openapi_describe_the_api(client) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/search", "/api/article/{doc_id}", "/api/kwic", "/api/count", "/api/export"} <= set(spec["paths"])
    assert not any(path in spec["paths"] for path in ("/", "/kwic", "/counts"))
    docs = client.get("/docs")
    assert docs.status_code == 200 and "GET /api/search" in docs.text and "cdn" not in docs.text.lower()


# ---------------------------------------------------------------- exports: the CLI's bytes


@pytest.mark.parametrize(("page", "params", "fmt"), [
    ("/", {"q": "董家口", "paper": "qingdao", "sort": "-date"}, "csv"),
    ("/", {"q": '"资源延伸·网点办"', "collapse": "1"}, "jsonl"),
    ("/kwic", {"q": "董家口", "width": "6", "page_no": "A01"}, "csv"),
    ("/kwic", {"q": "董家口", "width": "6", "order": "left"}, "jsonl"),
    ("/counts", {"q": ["董家口", "氢能"], "by": "year", "month": "2025-03"}, "csv"),
])
def test_exports_are_the_clis_bytes(client, index_dir: Path, page: str, params: dict, fmt: str) -> None:
    html = client.get(page, params=params).text
    link = re.search(rf'href="(/api/export[^"]*format={fmt}[^"]*)"', html).group(1).replace("&amp;", "&")
    command = re.search(r'id="cli-csv">([^<]*)<', html).group(1)
    command = command.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&").replace("&lt;", "<")
    command = command.replace("--format csv", f"--format {fmt}")
    exported = client.get(link)
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].startswith("attachment")
    if fmt == "csv":
        assert exported.content.startswith("\ufeff".encode())
        assert len(list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))) > 1
    else:
        assert all(json.loads(line)["id"] for line in exported.content.decode().splitlines())
    assert exported.content == run_epaper(command, index_dir)


# ---------------------------------------------------------------- hostile article text


def test_hostile_article_text_is_escaped_and_links_are_http_only(client) -> None:
    page = client.get("/article/xss-1", params={"q": "董家口"})
    assert page.status_code == 200
    html = page.text
    assert "<script>alert" not in html and "<img src=x" not in html and "<b onmouseover" not in html
    assert "&lt;script&gt;alert(&#34;body&#34;)&lt;/script&gt;" in html  # shown as text
    hrefs = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert "https://example.invalid/port.jpg" in hrefs
    assert not [link for link in hrefs if not link.startswith(("/", "https://", "http://"))]
    assert 'class="unsafe-link">javascript:alert' in html  # shown, not linked
    results = client.get("/", params={"q": "港口"}).text
    assert "<script>alert" not in results and "&lt;script&gt;" in results


def test_every_response_forbids_inline_script(client) -> None:
    for path in ("/", "/api/search?q=x", "/article/xss-1", "/static/app.js", "/nosuch", "/api/article/..."):
        policy = client.get(path).headers["content-security-policy"]
        script = re.search(r"script-src ([^;]*)", policy).group(1)
        assert script == "'self'" and "'unsafe-inline'" not in policy
        assert "default-src 'none'" in policy


def test_templates_have_no_inline_script_or_style(client) -> None:
    for path in ("/", "/?q=董家口", "/article/xh-hydro", "/kwic?q=董家口", "/counts?q=董家口", "/docs"):
        html = client.get(path).text
        assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/app.js" defer>']
        assert " style=" not in html and "<style" not in html and " on" not in re.sub(r">[^<]*<", "><", html)


# ---------------------------------------------------------------- epaper serve


def test_epaper_serve_answers_over_http(index_dir: Path) -> None:
    import httpx2

    with serve(index_dir) as url:
        assert url.startswith("http://127.0.0.1:")
        found = httpx2.get(f"{url}/api/search", params={"q": "董家口"}, timeout=30).json()
        assert found["total"] == search(index_dir, "董家口").total
        assert httpx2.get(f"{url}/article/{quote('xh-sun')}", timeout=30).status_code == 200


def test_serve_bad_arguments_are_one_line(index_dir: Path) -> None:
    with serve(index_dir) as url:
        port = url.rsplit(":", 1)[1]
        taken = subprocess.run([EPAPER, "serve", "--index", str(index_dir), "--port", port], capture_output=True,
                               text=True, timeout=60)
    assert taken.returncode == 2
    assert re.fullmatch(rf"epaper serve: error: cannot listen on 127\.0\.0\.1 port {port}: .+\n", taken.stderr)
    bad = subprocess.run([EPAPER, "serve", "--port", "70000"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "invalid port '70000'" in bad.stderr


def test_only_loopback_is_quiet() -> None:
    assert all(map(is_loopback, ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST")))
    assert not any(map(is_loopback, ("0.0.0.0", "::", "192.168.1.5", "example.org")))


def test_serve_warns_when_not_loopback_only_and_without_an_index(tmp_path: Path) -> None:
    server = subprocess.Popen([EPAPER, "serve", "--index", str(tmp_path / "none"), "--host", "0.0.0.0", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert line.startswith("epaper serve: reading room at http://0.0.0.0:")
    warnings = errors.splitlines()[:2]
    assert warnings[0].startswith("epaper serve: warning: listening on 0.0.0.0, not only this machine")
    assert warnings[1].startswith(f"epaper serve: warning: no index at {tmp_path / 'none'}")


def test_an_article_opened_from_filtered_results_links_back_to_them(client) -> None:
    """The hit's link carries the query, filters and page; the article's way back restores all of them."""
    params = {"q": "董家口", "paper": "xihaian", "year": "2025", "sort": "-date", "limit": 1, "page": 2}
    results = client.get("/", params=params)
    assert results.status_code == 200
    link = re.search(r'<a class="title" href="(/article/[^"]+)"', results.text).group(1).replace("&amp;", "&")
    assert all(part in link for part in ("paper=xihaian", "year=2025", "sort=-date", "page=2"))
    article = client.get(link)
    back = re.search(r'<p class="back"><a href="([^"]+)"', article.text).group(1).replace("&amp;", "&")
    assert back.startswith("/?") and all(part in back for part in ("paper=xihaian", "year=2025", "sort=-date",
                                                                   "page=2", "q=%E8%91%A3%E5%AE%B6%E5%8F%A3"))


def test_a_kwic_export_keeps_the_order_the_view_was_sorted_by(client) -> None:
    """Sorted by the left context in the page, the export lists the lines in that order, not the hits' order."""
    ranked = client.get("/api/export", params={"view": "kwic", "q": "董家口", "format": "jsonl"}).content
    by_left = client.get("/api/export", params={"view": "kwic", "q": "董家口", "format": "jsonl",
                                                "order": "left"}).content
    lefts = [json.loads(line)["left"][::-1] for line in by_left.decode().splitlines()]
    assert lefts == sorted(lefts) and sorted(ranked.splitlines()) == sorted(by_left.splitlines())
    assert ranked != by_left  # the fixture's lines are not already in left order
