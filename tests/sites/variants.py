"""Template variants of the three Founder-style families (issue #10): an issue of fixture articles rendered
through randomly chosen but realistic markup choices, and what a perfect parse of every file must give.

A `Variant` is a family plus one value for each choice in CHOICES[family]. Each choice's first value is what
the family's own template writes (as the builders in founder_classic / founder_new / nbs do); every other value
is a shape real sites use: wrapper tables and divs; the class and id names of the family's other templates, or a
generic one no selector names; attribute quoting and tag case; query strings and fragments on links; a hidden
duplicate page menu; page labels with and without 第/版, either colon, spaces inside page names; a carousel page
list; two headings of the same class; other first-page file names; photos inside or outside the body element;
the author in its own element or only in the byline; the enpproperty comment plain, prefixed or absent;
GBK / UTF-8 / UTF-8 with BOM, LF or CRLF; PDF links under attachement/ with `download`; scans ending `.jpg.2`.

`cases(family)` draws (variant, issue) for hypothesis; `render_files` gives an issue's HTML files as bytes;
`build_site` writes a servable site; `mismatches` parses every file with the platform's pure extractors and
lists every field that differs from the data the files were rendered from.
"""

from __future__ import annotations

import hashlib
import importlib
import posixpath
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from scrapy.http import HtmlResponse

from crawler.pipelines.fields import article_fields as derived_fields
from crawler.platforms import extract, get_platform
from crawler.text import normalize_body, normalize_inline
from tests.sites import render
from tests.sites.model import Article, Issue, Page, article_fields, printed_paragraphs
from tests.sites.render import FAKE_JPEG, FAKE_PDF, ROBOTS, esc, latest, long_date, neighbours, write

BASE_URL = "http://paper.example.test/variants/"
PAPER = "variants"
PAPER_NAME = "变体日报"
FAMILIES = ("founder-classic", "founder-new", "nbs")
DATA_MODULES = ("xihaian", "heze", "rmrb", "rmrb_nbs")

# Page label formats by name (ASCII, for readable test ids): with and without 第/版, full- or half-width colon.
LABELS = {
    "di-ban-fullwidth": "第{no}版：{name}",
    "ban-fullwidth": "{no}版：{name}",
    "di-ban-halfwidth": "第{no}版:{name}",
    "ban-halfwidth-space": "{no}版: {name}",
    "bare-fullwidth": "{no}：{name}",
    "bare-halfwidth-space": "{no}: {name}",
}
HIDDEN_LABEL = "{no}： {name}"  # the hidden duplicate menu's label: no 第, no 版
NEW_LABELS = ("ban-fullwidth", *(name for name in LABELS if name != "ban-fullwidth"))  # founder-new: "01版：要闻"

_COMMON: dict[str, tuple[str, ...]] = {
    "encoding": ("gbk", "utf-8", "utf-8-sig"),
    "line_ends": ("lf", "crlf"),
    "quoting": ("double", "single", "none"),
    "case": ("lower", "upper"),
    "wrapper": ("none", "div", "table", "table+div"),
    "numbering": ("digits", "letters", "short-letters"),
    "list_label": tuple(LABELS),  # the page list's entries
    "own_label": tuple(LABELS),  # the page naming itself (and the enpproperty nodename)
    "spaced_names": ("no", "yes"),  # 综合 printed as 综 合
    "hidden_menu": ("no", "yes"),
    "page_link_query": ("no", "yes"),  # node_3.htm?v=1
    "article_link_suffix": ("none", "half", "all"),  # ?div=-1 / #p1 in the title list, ?div=0 on the image map
    "map_order": ("same", "reversed"),  # the image map's areas against the title list's order
    "page_image_suffix": (".jpg", ".jpg.2"),
    "enp": ("plain", "prefixed", "none"),
    "author": ("element", "byline"),
    "image_markup": ("table", "pic-txt", "bare-p"),
    "image_place": ("outside", "inside"),  # photos outside or inside the element holding the paragraphs
}
_FAMILY: dict[str, dict[str, tuple[str, ...]]] = {
    "founder-classic": {
        "first_node": ("node_2.htm", "node_1.htm", "node_187.htm", "node_2.html"),
        "page_list": ("table", "ul", "generic"),
        "own_label_at": ("bmname", "ban", "none"),
        "title_list": ("articlenav", "td.default", "map-only", "generic"),
        "pdf": ("native", "btn"),
        "head": ("founder-rows", "plain-rows", "founder-bare", "author-in-subtitle-row"),
        "body": ("ozoom+founder-content", "content+founder-content", "ozoom", "articleContent", "generic"),
    },
    "founder-new": {
        "encoding": ("utf-8", "gbk", "utf-8-sig"),
        "list_label": NEW_LABELS,
        "own_label": NEW_LABELS,
        "first_node": ("node_01.html", "node_A1.html", "node_A01.html", "node_1.html", "node_2.html"),
        "content_dir": ("content", "con"),
        "page_list": ("layoutlist", "Therestlist", "swiper", "generic"),
        "own_label_at": ("span#layout", "newslisttit", "ban", "none"),
        "title_list": ("news-list", "newslist", "generic"),
        "page_image": ("paper", "bmimg", "usemap"),
        "pdf": ("pull-right", "newslisttit", "btn"),
        "head": ("i", "ii", "founder-bare"),
        "body": ("ozoom", "newsdetatext+founder-content", "newsdetatext", "content+founder-content", "generic"),
    },
    "nbs": {
        "enp": ("none", "plain", "prefixed"),
        "image_place": ("inside", "outside"),
        "site_code": ("D110000renmrb", "D110000gmrb"),
        "page_list": ("swiper", "ul", "generic"),
        "own_label_at": ("l_t", "l_t-twice", "ban", "none"),
        "title_list": ("titleList", "map-only", "generic"),
        "page_image": ("ban", "usemap"),
        "pdf": ("ban_t", "btn"),
        "body": ("ozoom", "articleContent", "generic"),
    },
}
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {family: {**_COMMON, **own} for family, own in _FAMILY.items()}

# First-page file name -> (format of the n-th page's file name, n of the first page)
NODE_NAMES = {
    "node_2.htm": ("node_{}.htm", 2), "node_1.htm": ("node_{}.htm", 1), "node_187.htm": ("node_{}.htm", 187),
    "node_2.html": ("node_{}.html", 2), "node_1.html": ("node_{}.html", 1), "node_01.html": ("node_{:02d}.html", 1),
    "node_A1.html": ("node_A{}.html", 1), "node_A01.html": ("node_A{:02d}.html", 1),
}
LATEST_URLS = {"founder-classic": "paperindex.htm", "founder-new": "pc/layout/index.html", "nbs": "index.htm"}
# The element holding the paragraphs: (outer element or None, inner element), each (tag, attributes)
CONTAINERS: dict[str, tuple[tuple[str, dict[str, str]] | None, tuple[str, dict[str, str]]]] = {
    "ozoom+founder-content": (("div", {"id": "ozoom"}), ("founder-content", {})),
    "content+founder-content": (("div", {"id": "content"}), ("founder-content", {})),
    "newsdetatext+founder-content": (("div", {"class": "newsdetatext"}), ("founder-content", {})),
    "ozoom": (None, ("div", {"id": "ozoom"})),
    "articleContent": (None, ("div", {"id": "articleContent"})),
    "newsdetatext": (None, ("div", {"class": "newsdetatext"})),
    "generic": (None, ("div", {"class": "article-text"})),
}
_UNQUOTABLE = re.compile(r"[\s\"'<>`]")
# Field -> its key in PageData.rules / ArticleData.rules: the rule that found it must be named whenever it has a value.
PAGE_RULES = {name: name for name in ("date", "page_no", "page_name", "pdf_url", "image_url", "pages", "article_urls",
                                      "guide")}
ARTICLE_RULES = {**{name: name for name in ("pretitle", "title", "subtitle", "author", "images", "date", "page_no",
                                            "page_name", "article_key")}, "paragraphs": "body"}
# The fields the byline / dateline / jump-marker stage derives from a parsed article.
DERIVED_FIELDS = ("author", "byline", "dateline", "body", "jump_to", "jump_from", "kind")


@dataclass(frozen=True)
class Variant:
    """A family and one value per template choice."""

    family: str
    choices: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        """The value of one choice."""
        return self.choices[name]


def native(family: str, **changes: str) -> Variant:
    """The family's own template (every choice at its first value), with the given choices changed."""
    wrong = [f"{k}={v}" for k, v in changes.items() if v not in CHOICES[family].get(k, ())]
    if wrong:
        raise ValueError(f"{family} has no choice(s) {', '.join(wrong)}; see CHOICES[{family!r}]")
    return Variant(family, {**{name: values[0] for name, values in CHOICES[family].items()}, **changes})


# --- markup -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Markup:
    """Tags as a variant writes them: attribute quoting (double, single, none) and tag/attribute case."""

    quoting: str
    upper: bool

    def name(self, name: str) -> str:
        """A tag or attribute name in the variant's case."""
        return name.upper() if self.upper else name

    def value(self, value: str) -> str:
        """An attribute value, quoted as the variant quotes (unquoted only where HTML allows it)."""
        value = esc(value)
        if self.quoting == "none" and value and not _UNQUOTABLE.search(value):
            return value
        return f"'{value}'" if self.quoting == "single" else f'"{value}"'

    def open(self, tag: str, attrs: Mapping[str, str | None] | None = None) -> str:
        """A start tag; an attribute whose value is None is written bare (`download`)."""
        parts = [self.name(tag)]
        for key, value in (attrs or {}).items():
            parts.append(self.name(key) if value is None else f"{self.name(key)}={self.value(value)}")
        return "<" + " ".join(parts) + ">"

    def close(self, tag: str) -> str:
        """An end tag."""
        return f"</{self.name(tag)}>"

    def el(self, tag: str, inner: str, attrs: Mapping[str, str | None] | None = None) -> str:
        """An element with its content (already HTML)."""
        return self.open(tag, attrs) + inner + self.close(tag)


def markup(variant: Variant) -> Markup:
    """How a variant writes tags."""
    return Markup(variant["quoting"], variant["case"] == "upper")


def wrap(variant: Variant, m: Markup, inner: str) -> str:
    """Content inside the variant's extra wrapper tables and divs (names no selector uses)."""
    kind = variant["wrapper"]
    if "div" in kind:
        inner = m.el("div", "\n" + inner + "\n", {"class": "box"})
    if "table" in kind:
        inner = m.el("table", m.el("tr", m.el("td", "\n" + inner + "\n", {"valign": "top"})), {"width": "100%"})
    return inner + "\n"


def rel(here: str, target: str) -> str:
    """A site-root path as a link from a file in folder `here`."""
    return posixpath.relpath(target, here.rstrip("/") or ".")


# --- the issue ----------------------------------------------------------------------------------


def _pool() -> tuple[tuple[str, str, Article], ...]:
    """(data module, date, article) for every article of every fixture site's data: our own text."""
    found = []
    for module in DATA_MODULES:
        data = importlib.import_module(f"tests.sites.{module}.data")
        found += [(module, i.date, a) for i in data.ISSUES for p in i.pages for a in p.articles]
    return tuple(found)


POOL = _pool()
PAGE_NAMES = ("要闻", "综合", "经济", "民生", "评论", "文化")
DATES = ("2025-03-19", "2024-11-30", "2026-03-10")


def pooled(module: str, key: str, date: str | None = None) -> Article:
    """One article of the pool, by data module, key and (where keys repeat across days) date."""
    return next(a for m, d, a in POOL if m == module and a.key == key and date in (None, d))


def page_number(variant: Variant, n: int) -> str:
    """The n-th (0-based) page's number as printed: 01, A01 or A1."""
    return {"digits": f"{n + 1:02d}", "letters": f"A{n + 1:02d}", "short-letters": f"A{n + 1}"}[variant["numbering"]]


def node_file(variant: Variant, n: int, page_no: str) -> str:
    """The n-th page's file name."""
    if variant.family == "nbs":
        return f"nbs.{variant['site_code']}_{page_no}.htm"
    pattern, first = NODE_NAMES[variant["first_node"]]
    return pattern.format(first + n)


def _placed(variant: Variant, article: Article, key: str) -> Article:
    """An article re-keyed for this issue, standing alone, its author where the variant puts it."""
    article = replace(article, key=key, continues="")
    if variant["author"] == "byline":
        byline = article.byline or (f"□记者 {' '.join(article.authors)} 报道" if article.authors else "")
        article = replace(article, site_author="", byline=byline)
    return article


def make_issue(variant: Variant, date: str, groups: Sequence[Sequence[Article]], names: Sequence[str],
               pdfs: Sequence[bool]) -> Issue:
    """An issue of len(groups) pages holding those articles in that order; the first page's guide teases the
    others' lead articles."""
    pages = []
    for n, (articles, name, pdf) in enumerate(zip(groups, names, pdfs, strict=True)):
        no = page_number(variant, n)
        keys = [f"{i + 1}-{no}" if variant.family == "nbs" else str(1000 * (n + 1) + i + 1)
                for i in range(len(articles))]
        pages.append(Page(node=node_file(variant, n, no), page_no=no, page_name=name, pdf=pdf,
                          articles=[_placed(variant, a, k) for a, k in zip(articles, keys, strict=True)]))
    pages[0].guide = [f"{p.articles[0].title}（{p.page_no}版）" for p in pages[1:] if p.articles]
    return Issue(date=date, pages=pages, enpproperty=variant["enp"] != "none")


def sample_issue(variant: Variant, date: str = "2025-03-19") -> Issue:
    """A fixed issue: 引题, 副题, photos with and without captions, bylines of every shape, a page without PDF."""
    groups = [
        [pooled("rmrb_nbs", "1-01", "2024-11-29"), pooled("xihaian", "902"), pooled("xihaian", "1006")],
        [pooled("rmrb", "30061002"), pooled("heze", "3265107")],
        [pooled("xihaian", "1009"), pooled("rmrb", "30061011")],
    ]
    return make_issue(variant, date, groups, ["要闻", "综合", "民生"], [True, True, False])


def variants(family: str) -> st.SearchStrategy[Variant]:
    """Any variant of a family; shrinks towards the family's own template."""
    values = {name: st.sampled_from(alternatives) for name, alternatives in CHOICES[family].items()}
    return st.fixed_dictionaries(values).map(lambda chosen: Variant(family, chosen))


@st.composite
def cases(draw: st.DrawFn, family: str) -> tuple[Variant, Issue]:
    """A variant of a family and an issue of 2-3 pages with 2-6 articles drawn from the pool."""
    variant = draw(variants(family))
    n_pages = draw(st.integers(2, 3))
    picks = draw(st.lists(st.integers(0, len(POOL) - 1), min_size=n_pages, max_size=6, unique=True))
    names = draw(st.lists(st.sampled_from(PAGE_NAMES), min_size=n_pages, max_size=n_pages))
    pdfs = [True, *draw(st.lists(st.booleans(), min_size=n_pages - 1, max_size=n_pages - 1))]
    groups = [[POOL[i][2] for i in picks[n::n_pages]] for n in range(n_pages)]
    return variant, make_issue(variant, draw(st.sampled_from(DATES)), groups, names, pdfs)


# --- paths (site-relative) ----------------------------------------------------------------------


def _ymd(issue: Issue) -> tuple[str, str, str]:
    """Year, month, day of an issue."""
    y, mo, d = issue.date.split("-")
    return y, mo, d


def page_dir(variant: Variant, issue: Issue) -> str:
    """Folder of an issue's page files."""
    y, mo, d = _ymd(issue)
    return f"pc/layout/{y}{mo}/{d}/" if variant.family == "founder-new" else f"html/{y}-{mo}/{d}/"


def article_dir(variant: Variant, issue: Issue) -> str:
    """Folder of an issue's article files."""
    y, mo, d = _ymd(issue)
    return f"pc/{variant['content_dir']}/{y}{mo}/{d}/" if variant.family == "founder-new" else page_dir(variant, issue)


def page_path(variant: Variant, issue: Issue, page: Page) -> str:
    """A page file."""
    return page_dir(variant, issue) + page.node


def article_path(variant: Variant, issue: Issue, page: Page, article: Article) -> str:
    """An article file: content_KEY.htm(l) next to its page's suffix, or nbs's nw.CODE_YYYYMMDD_K-NN.htm."""
    if variant.family == "nbs":
        name = f"nw.{variant['site_code']}_{issue.date.replace('-', '')}_{article.key}.htm"
    else:
        name = f"content_{article.key}{'.html' if page.node.endswith('.html') else '.htm'}"
    return article_dir(variant, issue) + name


def _digest(*parts: str) -> str:
    """A stable hex name, like the hashed names Founder gives scans and PDFs."""
    return hashlib.md5("|".join(parts).encode("utf-8")).hexdigest()


def page_image_path(variant: Variant, issue: Issue, page: Page) -> str:
    """The page scan."""
    y, mo, d = _ymd(issue)
    ymd, no, suffix = y + mo + d, page.page_no, variant["page_image_suffix"]
    if variant.family == "founder-new":
        return f"pc/pic/{y}{mo}/{d}/{_digest(issue.date, page.node)}{suffix}"
    if variant.family == "nbs":
        return f"images/{y}-{mo}/{d}/{no}/rmrb{ymd}{no}_b{suffix}"
    return f"page/{y}-{mo}/{d}/{no}/{ymd}{no}_brief{suffix}"


def page_pdf_path(variant: Variant, issue: Issue, page: Page) -> str:
    """The page PDF ("" when the page has none); attachement/…/<uuid>.pdf for the `btn` shape."""
    if not page.pdf:
        return ""
    y, mo, d = _ymd(issue)
    ymd, no = y + mo + d, page.page_no
    root = "pc/" if variant.family == "founder-new" else ""
    if variant["pdf"] == "btn":
        return f"{root}attachement/{y}{mo}/{d}/{uuid.UUID(_digest(issue.date, page.node, 'pdf'))}.pdf"
    if variant.family == "founder-new":
        return f"pc/attachement/{y}{mo}/{d}/{_digest(issue.date, page.node, 'pdf')}.pdf"
    if variant.family == "nbs":
        return f"images/{y}-{mo}/{d}/{no}/rmrb{ymd}{no}.pdf"
    return f"page/{y}-{mo}/{d}/{no}/{ymd}{no}_pdf.pdf"


def layout(variant: Variant) -> render.Layout:
    """Where the variant puts its files, for render.expected_records."""
    return render.Layout(
        lambda i, p: page_path(variant, i, p),
        lambda i, p, a: article_path(variant, i, p, a),
        lambda i, p: page_image_path(variant, i, p),
        lambda i, p: page_pdf_path(variant, i, p),
    )


# --- page (版面) files --------------------------------------------------------------------------


def label(variant: Variant, form: str, page: Page) -> str:
    """A page label in a LABELS form (or a format string), the name spaced out when the variant says so."""
    name = " ".join(page.page_name) if variant["spaced_names"] == "yes" else page.page_name
    return LABELS.get(form, form).format(no=page.page_no, name=name)


def link_suffix(variant: Variant, index: int, on_map: bool) -> str:
    """What the variant adds to the link of a page's index-th article: a query string or a fragment."""
    mode = variant["article_link_suffix"]
    if mode == "none" or (mode == "half" and index % 2):
        return ""
    if on_map:
        return "?div=0"
    return ("?div=-1", "#p1")[(index // 2 if mode == "half" else index) % 2]


def _page_href(variant: Variant, page: Page) -> str:
    """A link to a page of the same issue."""
    return page.node + ("?v=1" if variant["page_link_query"] == "yes" else "")


def _article_href(variant: Variant, issue: Issue, page: Page, article: Article) -> str:
    """A link from a page file to one of its articles, without suffix."""
    return rel(page_dir(variant, issue), article_path(variant, issue, page, article))


def _items(m: Markup, links: Iterable[str], attrs: Mapping[str, str] | None = None) -> str:
    """<li> items."""
    return "\n".join(m.el("li", link, attrs) for link in links)


def _own_label(variant: Variant, m: Markup, page: Page) -> str:
    """Where the page names itself."""
    at, text = variant["own_label_at"], esc(label(variant, variant["own_label"], page))
    if at == "bmname":
        return m.el("table", m.el("tr", m.el("td", m.el("strong", text), {"class": "bmname"})), {"class": "bmdh"})
    if at == "ban":
        return m.el("p", text, {"class": "left ban"})
    if at == "span#layout":
        return m.el("div", m.el("span", text, {"id": "layout"}), {"class": "pull-left"})
    if at == "newslisttit":
        return m.el("div", m.el("em", text), {"class": "newslisttit"})
    if at in ("l_t", "l_t-twice"):
        return m.el("div", m.el("div", text, {"class": "l_t"}), {"class": "right_title"})
    return ""


def _pdf(variant: Variant, m: Markup, issue: Issue, page: Page) -> str:
    """This page's PDF link, in the variant's shape."""
    path = page_pdf_path(variant, issue, page)
    if not path:
        return ""
    href = rel(page_dir(variant, issue), path)
    shape = variant["pdf"]
    if shape == "btn":
        return m.el("p", m.el("a", "PDF下载", {"href": href, "download": None}), {"class": "right btn"})
    if shape == "newslisttit":
        return m.el("div", m.el("span", m.el("a", "下载本版PDF", {"href": href}), {"class": "pdf"}),
                    {"class": "newslisttit"})
    css = {"native": "bmpdf", "pull-right": "pull-right", "ban_t": "ban_t"}[shape]
    return m.el("div", m.el("a", "PDF下载", {"href": href, "target": "_blank"}), {"class": css})


def _scan(variant: Variant, m: Markup, issue: Issue, page: Page) -> str:
    """The page scan, with an image map of the articles unless the template has none."""
    src = rel(page_dir(variant, issue), page_image_path(variant, issue, page))
    shape = variant.choices.get("page_image", "usemap")
    if shape == "bmimg":
        return m.el("div", m.open("img", {"src": src, "width": "560"}), {"class": "bmimg"})
    order = list(enumerate(page.articles))
    if variant["map_order"] == "reversed" and variant["title_list"] != "map-only":
        order.reverse()
    areas = "\n".join(
        m.open("area", {"shape": "rect", "coords": f"20,{20 + 60 * i},460,{70 + 60 * i}",
                        "href": _article_href(variant, issue, page, a) + link_suffix(variant, i, on_map=True)})
        for i, a in order
    )
    picture = m.open("img", {"src": src, "border": "0", "usemap": "#PagePicMap"})
    mapping = m.el("map", "\n" + areas + "\n", {"name": "PagePicMap", "id": "PagePicMap"})
    css = {"paper": "paper", "ban": "ban", "usemap": "pagepic"}[shape]
    return m.el("div", picture + "\n" + mapping, {"class": css})


def _page_turns(variant: Variant, m: Markup, issue: Issue, page: Page) -> str:
    """上一版 / 下一版 links."""
    prev_page, next_page = (p for node in neighbours(issue, page) for p in issue.pages if p.node == node)
    return m.el("div", m.el("a", "上一版", {"id": "prePageLink", "href": _page_href(variant, prev_page)})
                + " " + m.el("a", "下一版", {"id": "nextPageLink", "href": _page_href(variant, next_page)}),
                {"class": "pagenav"})


def _hidden_menu(variant: Variant, m: Markup, issue: Issue) -> str:
    """A hidden duplicate page menu before the real list, labels without 第 or 版."""
    links = (m.el("a", esc(label(variant, HIDDEN_LABEL, p)), {"id": "pageLink", "href": _page_href(variant, p)})
             for p in issue.pages)
    return m.el("div", m.el("ul", _items(m, links)), {"id": "pgn", "style": "display:none"}) + "\n"


def _page_list(variant: Variant, m: Markup, issue: Issue) -> str:
    """Every page of the issue, in the variant's list markup."""
    kind = variant["page_list"]
    with_id = {} if kind in ("generic", "layoutlist", "Therestlist") else {"id": "pageLink"}
    links = [m.el("a", esc(label(variant, variant["list_label"], p)), {**with_id, "href": _page_href(variant, p)})
             for p in issue.pages]
    if kind == "table":
        rows = (m.el("tr", m.el("td", link, {"class": "default"})) for link in links)
        return m.el("table", "\n".join(rows), {"id": "bmdhTable"})
    if kind == "swiper":
        slides = "\n".join(m.el("div", link, {"class": "swiper-slide"}) for link in links)
        return m.el("div", m.el("div", slides, {"class": "swiper-wrapper"}), {"class": "swiper-container"})
    if kind == "layoutlist":  # family i lists every page's PDF next to its name
        here = page_dir(variant, issue)
        links = [link + (m.el("a", "PDF", {"class": "pdf", "href": rel(here, page_pdf_path(variant, issue, p))})
                         if p.pdf else "") for link, p in zip(links, issue.pages, strict=True)]
        return m.el("ul", _items(m, links, {"class": "posRelative"}), {"id": "layoutlist", "class": "list"})
    if kind == "ul":
        return m.el("ul", _items(m, links), {"class": "bmlist"})
    css = {"Therestlist": "Therestlist", "generic": "bmnav"}[kind]
    return m.el("div", m.el("ul", _items(m, links)), {"class": css})


def _title_list(variant: Variant, m: Markup, issue: Issue, page: Page) -> str:
    """The page's articles in reading order."""
    kind = variant["title_list"]
    links = [m.el("a", esc(a.title), {"href": _article_href(variant, issue, page, a) + link_suffix(variant, i, False)})
             for i, a in enumerate(page.articles)]
    if kind == "map-only":
        return ""
    if kind in ("articlenav", "td.default"):
        rows = m.el("table", "\n".join(m.el("tr", m.el("td", link, {"class": "default"})) for link in links))
        return m.el("div", rows, {"id": "main-ed-articlenav-list"}) if kind == "articlenav" else rows
    if kind == "news-list":
        return m.el("ul", _items(m, links), {"class": "news-list"})
    if kind == "titleList":
        return m.el("div", m.el("ul", _items(m, links), {"class": "news-list"}), {"class": "news", "id": "titleList"})
    return m.el("div", m.el("ul", _items(m, links)), {"class": {"newslist": "newslist", "generic": "bm-titles"}[kind]})


def _guide(variant: Variant, m: Markup, page: Page) -> str:
    """The 今日导读 box in the family's own markup."""
    if not page.guide:
        return ""
    if variant.family == "founder-classic":
        rows = [m.el("tr", m.el("td", "今日导读", {"class": "guide-title"}))]
        rows += [m.el("tr", m.el("td", esc(g), {"class": "guide-item"})) for g in page.guide]
        return m.el("div", m.el("table", "\n".join(rows)), {"class": "guide"})
    box = m.el("h3", "今日导读") + m.el("ul", _items(m, (esc(g) for g in page.guide)))
    return m.el("div", box, {"class": "guide" if variant.family == "founder-new" else "daodu"})


def _masthead(m: Markup, issue: Issue) -> str:
    """Paper name and date at the top of every file."""
    return m.el("div", m.el("span", esc(PAPER_NAME), {"class": "logo"}) + m.el("span", long_date(issue.date),
                {"class": "date"}), {"class": "header"}) + "\n"


def _document(variant: Variant, m: Markup, title: str, body: str, before: str = "") -> str:
    """A whole HTML file: what comes before the doctype, head with the charset, body."""
    charset = "gb2312" if variant["encoding"] == "gbk" else "utf-8"
    meta = m.open("meta", {"http-equiv": "Content-Type", "content": f"text/html; charset={charset}"})
    return (
        before + "<!DOCTYPE html>\n" + m.open("html") + "\n" + m.el("head", f"\n{meta}\n{m.el('title', esc(title))}\n")
        + "\n" + m.el("body", "\n" + body + m.el("div", f"{esc(PAPER_NAME)} 版权所有", {"class": "footer"}) + "\n")
        + "\n" + m.close("html") + "\n"
    )


def render_page(variant: Variant, issue: Issue, page: Page) -> str:
    """The HTML of one page (版面) file."""
    m = markup(variant)
    left = (_own_label(variant, m, page) + "\n" + _pdf(variant, m, issue, page) + "\n" + _scan(variant, m, issue, page)
            + "\n" + _page_turns(variant, m, issue, page))
    second_heading = m.el("div", "版面目录", {"class": "l_t l_t1"}) if variant["own_label_at"] == "l_t-twice" else ""
    right = (second_heading + "\n" + _page_list(variant, m, issue) + "\n" + _title_list(variant, m, issue, page)
             + "\n" + _guide(variant, m, page))
    body = ((_hidden_menu(variant, m, issue) if variant["hidden_menu"] == "yes" else "") + _masthead(m, issue)
            + wrap(variant, m, left) + wrap(variant, m, right))
    return _document(variant, m, f"{PAPER_NAME}-{label(variant, variant['own_label'], page)}", body)


# --- article files ------------------------------------------------------------------------------


def _enpproperty(variant: Variant, issue: Issue, page: Page, article: Article) -> str:
    """The Founder metadata comment: plain tags, founder- prefixed tags, or none."""
    if variant["enp"] == "none":
        return ""
    date = issue.date if variant.family == "founder-classic" else f"{issue.date} 00:00:00:0"
    text = render.enpproperty(article, date, page.page_no, label(variant, variant["own_label"], page))
    if variant["enp"] == "prefixed":
        text = re.sub(r"<(/?)(\w+)>", lambda t: f"<{t[1]}founder-{'pagenum' if t[2] == 'page' else t[2]}>", text)
    return text


def _article_head(variant: Variant, m: Markup, article: Article) -> str:
    """引题, title, 副题 and author in one of the family's known markups."""
    kind, shown = variant.choices.get("head", "text_c"), variant["author"] == "element"
    pre, title, sub, author = (esc(t) for t in (article.pretitle, article.title, article.subtitle,
                                                  article.site_author))

    def row(css: str, inner: str) -> str:
        """A centred one-cell table row."""
        return m.el("tr", m.el("td", inner, {"class": css, "align": "center"}))

    def founder(name: str, text: str) -> str:
        """A <founder-*> tag."""
        return m.el(f"founder-{name}", text)

    if kind in ("founder-rows", "author-in-subtitle-row"):
        rows = [row("font02", founder("introtitle", pre)), row("font01", founder("title", title))]
        if kind == "founder-rows":
            rows.append(row("font02", founder("subtitle", sub)))
            rows += [row("font03", founder("author", author))] if shown else []
        else:  # the author tag sits in the 副题 row, which has no subtitle tag when there is no 副题
            rows.append(row("font02", (founder("subtitle", sub) if sub else "")
                            + (founder("author", author) if shown else "")))
        return m.el("table", "\n".join(rows), {"width": "100%"})
    if kind == "plain-rows":
        rows = [row("font02", pre), row("font01", title), row("font02", sub)]
        rows += [row("font03", f"作者：{author}" if author else "")] if shown else []
        return m.el("table", "\n".join(rows), {"width": "100%", "class": "article-head"})
    if kind == "founder-bare":
        return m.el("div", m.el("h3", founder("introtitle", pre)) + m.el("h1", founder("title", title))
                    + m.el("h2", founder("subtitle", sub))
                    + (m.el("p", founder("author", author), {"class": "author"}) if shown else ""), {"class": "title"})
    if kind == "i":
        return (m.el("p", pre, {"id": "PreTitle"}) + "\n" + m.el("h2", title, {"id": "Title"}) + "\n"
                + m.el("p", sub, {"id": "SubTitle"}) + "\n"
                + (m.el("p", m.el("span", author, {"id": "Author"}), {"class": "sec"}) if shown else ""))
    if kind == "ii":
        info = m.el("div", m.el("span", f"作者：{author}", {"class": "author"}), {"class": "newsdetainfo"})
        return m.el("div", m.el("div", pre, {"class": "intro"}) + m.el("h3", title) + m.el("div", sub, {"class": "sub"})
                    + (info if shown else ""), {"class": "newsdetatit"})
    return m.el("div", m.el("h3", pre) + m.el("h1", title) + m.el("h2", sub)
                + (m.el("h4", author.replace(" ", "\u3000")) if shown else ""), {"class": "text_c"})


def _pictures(variant: Variant, m: Markup, issue: Issue, article: Article) -> str:
    """The article's photos with their captions, in the variant's markup."""
    if not article.images:
        return ""
    here, kind = article_dir(variant, issue), variant["image_markup"]

    def img(src: str) -> str:
        """An <img> linking a site-root path from the article's folder."""
        return m.open("img", {"src": rel(here, src), "border": "0"})

    if kind == "table":
        rows = "".join(m.el("tr", m.el("td", img(src), {"align": "center"})) + "\n"
                       + m.el("tr", m.el("td", esc(caption), {"class": "pic-caption", "align": "center"})) + "\n"
                       for src, caption in article.images)
        html = m.el("table", "\n" + rows, {"width": "100%", "class": "pic-table"})
    elif kind == "pic-txt":
        html = "".join(m.el("div", img(src) + (m.el("p", esc(caption), {"class": "pic-txt"}) if caption else ""),
                            {"class": "picbox"}) for src, caption in article.images)
    else:  # an image followed by its caption as a bare paragraph
        html = "".join(img(src) + (m.el("p", esc(caption)) if caption else "") for src, caption in article.images)
    if variant.family == "founder-new" and variant["image_place"] == "outside":
        html = m.el("div", html, {"class": "attachment"})
    return html + "\n"


def _content(variant: Variant, m: Markup, pictures: str, paragraphs: str) -> str:
    """The element holding the paragraphs, with the photos inside it or just outside it."""
    outer, (tag, attrs) = CONTAINERS[variant["body"]]
    outside = variant["image_place"] == "outside"
    inner = m.el(tag, ("" if outside else pictures) + paragraphs, attrs)
    inner = (pictures if outside else "") + inner
    return m.el(outer[0], "\n" + inner + "\n", outer[1]) if outer else inner


def render_article(variant: Variant, issue: Issue, page: Page, article: Article) -> str:
    """The HTML of one article file."""
    m = markup(variant)
    paragraphs = "\n".join(render.body_paragraph(p, start=m.open("p") + "　　", end=m.close("p"))
                           for p in printed_paragraphs(article))
    body = _content(variant, m, _pictures(variant, m, issue, article),
                    f"<!--enpcontent-->{paragraphs}<!--/enpcontent-->")
    back = m.el("div", m.el("a", esc(label(variant, variant["own_label"], page)),
                            {"href": rel(article_dir(variant, issue), page_path(variant, issue, page))}),
                {"class": "crumb"})
    main = _article_head(variant, m, article) + "\n" + body
    return _document(variant, m, f"{article.title}--{PAPER_NAME}",
                     _masthead(m, issue) + back + "\n" + wrap(variant, m, main),
                     before=_enpproperty(variant, issue, page, article))


def encode(variant: Variant, html: str) -> bytes:
    """A file's bytes: the variant's line ends and encoding (GBK, UTF-8, UTF-8 with BOM)."""
    if variant["line_ends"] == "crlf":
        html = html.replace("\n", "\r\n")
    return html.encode(variant["encoding"])  # strict: a character GBK lacks must fail the build


def render_files(variant: Variant, issue: Issue) -> dict[str, bytes]:
    """Every HTML file of an issue: site-relative path -> bytes."""
    files = {}
    for page in issue.pages:
        files[page_path(variant, issue, page)] = encode(variant, render_page(variant, issue, page))
        for article in page.articles:
            html = render_article(variant, issue, page, article)
            files[article_path(variant, issue, page, article)] = encode(variant, html)
    return files


def build_site(out: Path, variant: Variant, issues: Sequence[Issue], latest_page: str = "") -> Path:
    """Write a servable site: every issue's files, scans, PDFs and photos, robots.txt and the latest-issue
    page (latest_page if given, else a meta refresh to the newest issue's first page)."""
    for issue in issues:
        for path, data in render_files(variant, issue).items():
            write(out / path, data)
        for page in issue.pages:
            write(out / page_image_path(variant, issue, page), FAKE_JPEG)
            if page.pdf:
                write(out / page_pdf_path(variant, issue, page), FAKE_PDF)
            for src, _caption in (img for a in page.articles for img in a.images):
                write(out / src, FAKE_JPEG)
    newest = latest(issues)
    first = rel(posixpath.dirname(LATEST_URLS[variant.family]), page_path(variant, newest, newest.pages[0]))
    index = latest_page or (f'<html><head><meta http-equiv="refresh" content="0; url={first}"></head>'
                            "<body></body></html>\n")
    write(out / LATEST_URLS[variant.family], index.encode("utf-8"))
    write(out / "robots.txt", ROBOTS)
    return out


# --- what a perfect parse gives -----------------------------------------------------------------


def expected_page(variant: Variant, issue: Issue, page: Page) -> dict[str, Any]:
    """PageData fields of one page, from the data."""
    pdf = page_pdf_path(variant, issue, page)
    return {
        "url": BASE_URL + page_path(variant, issue, page),
        "date": issue.date,
        "page_no": page.page_no,
        "page_name": page.page_name,
        "pdf_url": BASE_URL + pdf if pdf else "",
        "image_url": BASE_URL + page_image_path(variant, issue, page),
        "pages": [(BASE_URL + page_path(variant, issue, p), p.page_no, p.page_name) for p in issue.pages],
        "article_urls": [BASE_URL + article_path(variant, issue, page, a) for a in page.articles],
        "guide": list(page.guide),
    }


def expected_article(variant: Variant, issue: Issue, page: Page, article: Article) -> dict[str, Any]:
    """ArticleData fields of one article, from the data; date and page only where the enpproperty gives them."""
    want = {
        "url": BASE_URL + article_path(variant, issue, page, article),
        "article_key": article.key,
        "pretitle": article.pretitle,
        "title": article.title,
        "subtitle": article.subtitle,
        "author": normalize_inline(article.site_author),
        "paragraphs": printed_paragraphs(article),
        "images": [{"url": BASE_URL + src, "caption": caption} for src, caption in article.images],
    }
    if variant["enp"] != "none":
        want |= {"date": issue.date, "page_no": page.page_no, "page_name": page.page_name}
    return want


def response(path: str, body: bytes) -> HtmlResponse:
    """A response carrying a file's bytes, no charset in the header (the page's own declaration decides)."""
    return HtmlResponse(url=BASE_URL + path, body=body, headers={"Content-Type": "text/html"})


def _page_view(parsed: extract.PageData) -> dict[str, Any]:
    """The comparable fields of a parsed page."""
    return {**vars(parsed), "pages": [(link.url, link.page_no, link.page_name) for link in parsed.pages]}


def _derived(parsed: extract.ArticleData, page_name: str) -> dict[str, Any]:
    """What the byline / dateline / jump-marker stage makes of a parsed article."""
    record = {"title": parsed.title, "author": parsed.author, "page_name": page_name,
              "body": normalize_body("\n".join(parsed.paragraphs))}
    return derived_fields(record)


def _differences(where: str, got: Mapping[str, Any], want: Mapping[str, Any]) -> list[str]:
    """One line per field whose value is not the wanted one."""
    return [f"{where} {key}: got {str(got.get(key, '<missing>'))[:240]!r}, want {str(value)[:240]!r}"
            for key, value in want.items() if got.get(key, "<missing>") != value]


def parsed_files(variant: Variant, issue: Issue) -> Iterable[tuple[Page, Article | None, Any]]:
    """(page, article or None, what the platform's extractor made of that file) for every file of an issue."""
    cfg = get_platform(variant.family)
    files = render_files(variant, issue)
    for page in issue.pages:
        path = page_path(variant, issue, page)
        yield page, None, extract.parse_page(response(path, files[path]), cfg)
        for article in page.articles:
            path = article_path(variant, issue, page, article)
            yield page, article, extract.parse_article(response(path, files[path]), cfg)


def mismatches(variant: Variant, issue: Issue) -> list[str]:
    """Every field of every page and article that the extractors got wrong, one line each ([] = all right).
    Articles are also checked after the byline stage: author, byline, dateline, body, jump markers, kind."""
    found: list[str] = []
    for page, article, parsed in parsed_files(variant, issue):
        if article is None:
            found += _differences(page.node, _page_view(parsed), expected_page(variant, issue, page))
            continue
        where = f"{page.node} > {article.key}"
        found += _differences(where, vars(parsed), expected_article(variant, issue, page, article))
        want = {k: v for k, v in article_fields(article, issue, PAPER).items() if k in DERIVED_FIELDS}
        found += _differences(f"{where} (record)", _derived(parsed, page.page_name), want)
    return found


def missing_rules(variant: Variant, issue: Issue) -> list[str]:
    """Every field the extractors filled without naming the rule that found it in `.rules`."""
    found: list[str] = []
    for page, article, parsed in parsed_files(variant, issue):
        rules = getattr(parsed, "rules", None)
        keys = ARTICLE_RULES if article else PAGE_RULES
        where = f"{page.node} > {article.key}" if article else page.node
        if not isinstance(rules, Mapping):
            found.append(f"{where}: no rules mapping (got {type(rules).__name__})")
            continue
        found += [f"{where} {name}: no rule named" for name, key in keys.items()
                  if getattr(parsed, name) and not (isinstance(rules.get(key), str) and rules[key])]
    return found


def choice_cases() -> list[tuple[str, str, str]]:
    """(family, choice, value) for every value but the family's own of every choice: one template change each."""
    return [(family, name, value) for family in FAMILIES for name, values in CHOICES[family].items()
            for value in values[1:]]


def describe(variant: Variant) -> str:
    """The choices where a variant differs from its family's own template."""
    own = native(variant.family)
    changed = [f"{k}={v}" for k, v in variant.choices.items() if own[k] != v]
    return f"{variant.family}: {', '.join(changed) or 'its own template'}"

