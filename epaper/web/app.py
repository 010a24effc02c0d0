"""The reading room's web app: server-rendered pages and a JSON API under /api/, both over epaper.web.views.

Read-only. Every index call runs on one worker thread: Whoosh readers are not thread-safe and the search API
caches one open searcher per thread, so one thread keeps one searcher (and its memory) per index.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException

from epaper.web import views
from epaper.web.views import MAX_EXPORT, MAX_LIMIT, MAX_PAGE, MAX_QUERY, MAX_WIDTH, Filters
from indexer.errors import EpaperIndexError, QueryError
from indexer.query.count import BYS
from indexer.query.search import NotFoundError

HERE = Path(__file__).resolve().parent
logger = logging.getLogger("epaper.web")
# No inline script or style anywhere: crawled text that slips into markup still cannot run. Images may come from
# the papers' own sites (linked, not proxied); everything else only from this server.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' http: https:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}

QueryText = Annotated[str, Query(max_length=MAX_QUERY, description="a query in the CLI's query language")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="hits per page")]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="which page of hits (1 = first)")]
Width = Annotated[int, Query(ge=1, le=MAX_WIDTH, description="KWIC context characters on each side")]
By = Annotated[Literal[BYS], Query(description="count per day, ISO week, month, year, paper or page")]  # type: ignore[valid-type]
Queries = Annotated[list[str] | None, Query(description="one or more queries, counted side by side (repeat q)")]
Order = Annotated[Literal["hit", "left", "right"],
                  Query(description="KWIC order: as the hits rank, or by the text left / right of the match")]


def get_filters(
    paper: Annotated[str | None, Query(max_length=200, description="paper key or name")] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10, description="earliest date YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10, description="latest date YYYY-MM-DD")] = None,
    year: Annotated[str | None, Query(max_length=4, description="only this year, YYYY (not with from/to)")] = None,
    month: Annotated[str | None, Query(max_length=7, description="only this month, YYYY-MM (not with from/to)")] = None,
    page_no: Annotated[str | None, Query(max_length=40, description="版面: a page number or name")] = None,
    sort: Annotated[Literal["relevance", "date", "-date"],
                    Query(description="relevance, date (oldest first) or -date (newest first)")] = "relevance",
    collapse: Annotated[bool, Query(description="one hit per near-duplicate cluster")] = False,
) -> Filters:
    """The shared filters of a request (empty form fields are no filter)."""
    return Filters(paper or None, date_from or None, date_to or None, year or None, month or None, page_no or None,
                   sort, collapse)


FiltersParam = Annotated[Filters, Depends(get_filters)]


def _status(exc: Exception) -> int:
    """The HTTP status of an error: 400 bad input, 404 no such article, 503 no usable index."""
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, (QueryError, RequestValidationError)):
        return 400
    return 503


def _one_line(exc: RequestValidationError) -> str:
    """The first validation error as one line: `limit: Input should be less than or equal to 100`."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
    return f"{where}: {error.get('msg', 'invalid value')}"


def create_app(index_dir: Path | str) -> FastAPI:
    """The reading room over the index in index_dir (it may not exist yet: pages then say how to build it)."""
    index = Path(index_dir)
    templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                            lstrip_blocks=True)
    templates.globals.update(web_url=views.web_url, marked=views.marked, SORTS=views.SORTS, BYS=BYS,
                             MAX_QUERY=MAX_QUERY, MAX_EXPORT=MAX_EXPORT, index_dir=str(index))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.pool = ThreadPoolExecutor(1, thread_name_prefix="epaper-index")
        yield
        app.state.pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="epaper reading room", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Read-only JSON API over the e-paper index: the same search API, query language "
                              "and export files as the `epaper` command.")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    async def run(fn, *args, **kwargs):
        """Run an index call on the index thread."""
        return await asyncio.get_running_loop().run_in_executor(app.state.pool, partial(fn, index, *args, **kwargs))

    def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
        """Render a page template."""
        def url(path: str, **params) -> str:
            found = {key: value for key, value in params.items() if value not in (None, "", False, [])}
            return path + ("?" + urlencode(found, doseq=True) if found else "")

        filters, queries = context.get("filters"), context.get("queries") or [""]
        nav_params = {"q": context.get("q") or queries[0], **(filters.params() if filters else {})}
        html = templates.get_template(name).render(request=request, url=url, nav_params=nav_params, **context)
        return HTMLResponse(html, status_code=status_code)

    def error_page(request: Request, status: int, message: str) -> HTMLResponse:
        """The error page: the one-line message, and how to build an index when there is none."""
        return render(request, "error.html", status, status=status, message=message)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        # the server's own time, for bench/bench_web.py and the browser's developer tools
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    def api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(EpaperIndexError)
    async def index_error(request: Request, exc: EpaperIndexError):
        if api(request):
            return JSONResponse({"error": str(exc)}, _status(exc), headers=SECURITY_HEADERS)
        return error_page(request, _status(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        if api(request):
            return JSONResponse({"error": _one_line(exc)}, 400, headers=SECURITY_HEADERS)
        return error_page(request, 400, _one_line(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        message = {404: "no such page", 405: "method not allowed: the reading room is read-only"}.get(
            exc.status_code, str(exc.detail))
        if api(request):
            return JSONResponse({"error": message}, exc.status_code, headers=SECURITY_HEADERS)
        return error_page(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception):
        logger.exception("error answering %s", request.url.path)
        message = f"internal error ({type(exc).__name__}); the server's log has the details"
        if api(request):
            return JSONResponse({"error": message}, 500, headers=SECURITY_HEADERS)
        return error_page(request, 500, message)

    # ------------------------------------------------------------ JSON API

    @app.get("/api/overview", tags=["api"])
    async def api_overview() -> dict:
        """What the index holds: papers, first and last day, days with articles."""
        return await run(views.overview)

    @app.get("/api/search", tags=["api"])
    async def api_search(q: QueryText, filters: FiltersParam, limit: Limit = 20, page: PageNumber = 1) -> dict:
        """One page of hits with highlighted snippets (`highlights`: [start, end] offsets into `snippet`), as
        `epaper search --format json` gives them; `note` says when the dates asked reach outside the archive."""
        return await run(views.search_view, q, filters, limit, page)

    @app.get("/api/article/{doc_id}", tags=["api"])
    async def api_article(doc_id: str, q: Annotated[str | None, Query(max_length=MAX_QUERY)] = None) -> dict:
        """One article as `epaper show --format json` gives it, with `highlights` of query q, its near-duplicate
        `copies` and the `version_report` of a revised article. 404 for an unknown id."""
        return await run(views.article_view, doc_id, q or None)

    @app.get("/api/kwic", tags=["api"])
    async def api_kwic(q: QueryText, filters: FiltersParam, limit: Limit = 20, page: PageNumber = 1,
                       width: Width = 20, order: Order = "hit") -> dict:
        """Keyword in context: one line per literal occurrence in one page of hits (`epaper kwic --format json`)."""
        return await run(views.kwic_view, q, filters, limit, page, width, order)

    @app.get("/api/count", tags=["api"])
    async def api_count(filters: FiltersParam, q: Queries = None, by: By = "month") -> dict:
        """Matching articles and occurrences per bucket for each query, with what the archive holds there
        (`epaper count --format json`; `data` false = no archived issue in that bucket)."""
        return await run(views.count_view, [query for query in q or [] if query], filters, by)

    @app.get("/api/export", tags=["api"], response_class=Response,
             responses={200: {"content": {MEDIA_TYPES["csv"]: {}, MEDIA_TYPES["jsonl"]: {}},
                              "description": "the file the CLI writes"}})
    async def api_export(
        filters: FiltersParam,
        q: Queries = None,
        view: Annotated[Literal["search", "kwic", "count"], Query(description="what to export")] = "search",
        format: Annotated[Literal["csv", "jsonl"], Query(description="csv: UTF-8 with a BOM")] = "csv",  # noqa: A002
        limit: Annotated[int | None, Query(ge=1, le=MAX_EXPORT, description="hits (default: all, at most "
                                           f"{MAX_EXPORT:,} for search; 20 for kwic)")] = None,
        page: PageNumber = 1,
        width: Width = 20,
        by: By = "month",
        full: Annotated[bool, Query(description="search: include body and full_body")] = False,
        order: Order = "hit",
    ) -> Response:
        """The current result set as the CSV or JSONL file the CLI writes for the same query, byte for byte:
        search (`epaper search … --all --format csv`), kwic (one page of hits) or count."""
        queries = [query for query in q or [] if query]
        if view == "count":
            data = await run(views.count_export, queries, filters, format, by)
        elif len(queries) != 1:
            raise QueryError(f"{view} exports one query, got {len(queries)}")
        elif view == "kwic":
            data = await run(views.kwic_export, queries[0], filters, format, limit or 20, page, width, order)
        else:
            data = await run(views.search_export, queries[0], filters, format, full, limit, page)
        name = f"epaper-{view}.{format}"
        return Response(data, media_type=MEDIA_TYPES[format],
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    # ------------------------------------------------------------ pages

    @app.get("/", include_in_schema=False)
    async def search_page(request: Request, filters: FiltersParam, q: QueryText = "", limit: Limit = 20,
                          page: PageNumber = 1):
        held = await run(views.overview)
        found, error = None, None
        if q.strip():
            try:
                found = await run(views.search_view, q, filters, limit, page)
            except QueryError as exc:
                error = str(exc)
        commands = {fmt: views.cli_command(*views.search_export_args(q, filters, fmt, found["total"]))
                    for fmt in ("csv", "jsonl")} if found else {}
        return page_or_error(request, "search.html", error, held=held, q=q, filters=filters, found=found,
                             limit=limit, commands=commands)

    def page_or_error(request: Request, name: str, error: str | None, **context) -> HTMLResponse:
        """The page, with the error line in it and status 400 when the input was bad."""
        return render(request, name, 400 if error else 200, error=error, **context)

    @app.get("/article/{doc_id}", include_in_schema=False)
    async def article_page(request: Request, doc_id: str, filters: FiltersParam,
                           q: Annotated[str, Query(max_length=MAX_QUERY)] = "", page: PageNumber = 1):
        held = await run(views.overview)
        article = await run(views.article_view, doc_id, q or None)
        # the way back: the same query, filters and page of hits the article was opened from
        back = {"q": q, "page": page if page > 1 else None, **filters.params()}
        return render(request, "article.html", held=held, q=q, article=article, back=back)

    @app.get("/kwic", include_in_schema=False)
    async def kwic_page(request: Request, filters: FiltersParam, q: QueryText = "", limit: Limit = 20,
                        page: PageNumber = 1, width: Width = 20, order: Order = "hit"):
        held = await run(views.overview)
        found, error = None, None
        if q.strip():
            try:
                found = await run(views.kwic_view, q, filters, limit, page, width, order)
            except QueryError as exc:
                error = str(exc)
        commands = {fmt: views.cli_command(*views.kwic_export_args(q, filters, fmt, limit, page, width, order))
                    for fmt in ("csv", "jsonl")} if found else {}
        return page_or_error(request, "kwic.html", error, held=held, q=q, filters=filters, found=found,
                             limit=limit, page=page, width=width, order=order, commands=commands)

    @app.get("/counts", include_in_schema=False)
    async def counts_page(request: Request, filters: FiltersParam, q: Queries = None, by: By = "month",
                          normalize: bool = False):
        held = await run(views.overview)
        queries = [query for query in q or [] if query.strip()]
        found, error = None, None
        if queries:
            try:
                found = await run(views.count_view, queries, filters, by)
            except QueryError as exc:
                error = str(exc)
        commands = {fmt: views.cli_command(*views.count_export_args(queries, filters, fmt, by))
                    for fmt in ("csv", "jsonl")} if found else {}
        return page_or_error(request, "counts.html", error, held=held, queries=queries, filters=filters, by=by,
                             normalize=normalize, found=found, commands=commands)

    @app.get("/docs", include_in_schema=False)
    async def docs_page(request: Request):
        return render(request, "docs.html", spec=app.openapi())

    return app
