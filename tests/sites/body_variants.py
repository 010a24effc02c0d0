"""Article pages of the fixture sites whose body element is renamed so no platform selector finds it: the corpus
the body fallback (crawler/platforms/fallback.py) is measured and tested on.

Every article page of the four fixture papers (classic 西海岸新闻, new-i 人民日报, new-ii 菏泽日报, nbs 人民日报) is
rendered by its own site builder, then rewritten as string edits, so everything but the edit keeps the builder's
markup. Variants:
  renamed   the body element gets another tag, id or class (`<founder-content>` -> `<div class="article-text">`,
            `#ozoom` -> `#zoom2`, `div.newsdetatext` -> `div.detail-body`)
  wrapped   renamed, and the body element wrapped in a layout table and two divs
  sidebox   wrapped, with a side column beside the body (the issue's page list, the page's other titles, the
            今日导读 box) and a footer of <p> lines before </body>
  lines     wrapped, the paragraphs written as lines ended by <br> instead of <p> elements (older templates)
each in UTF-8 and in GBK bytes declaring gb2312; on request also "original", the page as its builder wrote it.
The expected paragraphs are `printed_paragraphs` (what the selectors give on the unrenamed page); `noise` is the
text of everything the variant put around the body, and the title, the page label and the photo captions: none of
it is body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tests.sites import founder_classic, founder_new, nbs
from tests.sites.model import Article, Issue, Page, printed_paragraphs
from tests.sites.render import Layout, esc
from tests.sites.rmrb_nbs import data as nbs_data

BASE_URL = "http://paper.example.test/"
VARIANTS = ("renamed", "wrapped", "sidebox", "lines")
ENCODINGS = {"utf-8": "utf-8", "gbk": "gb2312"}  # bytes codec -> charset the page declares


@dataclass(frozen=True)
class Family:
    """One fixture paper as its builder renders it, and the edits that hide its body element."""

    name: str
    platform: str
    issues: Sequence[Issue]
    paper_name: str
    layout: Layout
    render_article: Callable[[Issue, Page, Article, str, str], str]
    page_label: Callable[[Page], str]
    body_starts: tuple[str, ...]  # start tags of the element holding the paragraphs (after the renames), by preference
    renames: tuple[tuple[str, str], ...]  # (markup, replacement)


def _families() -> list[Family]:
    """The four fixture papers."""
    from tests.sites.heze import data as heze
    from tests.sites.rmrb import data as rmrb
    from tests.sites.xihaian import data as xihaian

    founder_content = (("<founder-content>", '<div class="article-text">'), ("</founder-content>", "</div>"))
    return [
        Family("classic", "founder-classic", xihaian.ISSUES, xihaian.PAPER_NAME, founder_classic.LAYOUT,
               founder_classic.render_article, founder_classic.node_name,
               ('<div class="article-text">', '<div id="zoom2" style="zoom:100%">'),
               (*founder_content, ('id="ozoom"', 'id="zoom2"'))),
        Family("new-i", "founder-new", rmrb.ISSUES, rmrb.PAPER_NAME, founder_new.layout("i"),
               founder_new.render_article_i, founder_new.page_label,
               ('<div id="zoom2" data-fontsize="16">',), (('id="ozoom"', 'id="zoom2"'),)),
        Family("new-ii", "founder-new", heze.ISSUES, heze.PAPER_NAME, founder_new.layout("ii"),
               founder_new.render_article_ii, founder_new.page_label,
               ('<div class="article-text">',),
               (*founder_content, ('class="newsdetatext"', 'class="detail-body"'))),
        Family("nbs", "nbs", nbs_data.ISSUES, nbs_data.PAPER_NAME, nbs.LAYOUT, nbs.render_article, nbs.page_label,
               ('<div class="c_c" id="zoom2">',), (('id="ozoom"', 'id="zoom2"'),)),
    ]


@dataclass(frozen=True)
class VariantPage:
    """One rewritten article page: its bytes and what the fallback must make of them."""

    family: str
    variant: str
    encoding: str
    url: str
    body: bytes
    title: str
    paragraphs: list[str]  # expected body paragraphs
    noise: frozenset[str]  # texts that must never come out as a paragraph

    @property
    def name(self) -> str:
        """A test id: family-variant-encoding-path."""
        return f"{self.family}-{self.variant}-{self.encoding}-{self.url.rsplit('/', 1)[-1]}"


def element_end(html: str, start: int) -> int:
    """Where the element whose start tag begins at `start` ends (after its end tag); counts same-name tags."""
    name = re.match(r"<([A-Za-z][\w-]*)", html[start:]).group(1)
    tags = re.compile(rf"<(/?){name}\b[^>]*>", re.IGNORECASE)
    depth = 0
    for tag in tags.finditer(html, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return tag.end()
    raise ValueError(f"<{name}> at {start} is not closed")


def _wrap(element: str) -> str:
    """The body element inside a layout table and two divs."""
    return (
        '<table width="100%" border="0" cellspacing="0" cellpadding="0" class="layout-main">\n'
        '<tr><td valign="top"><div class="content-wrap"><div class="inner">\n'
        f"{element}\n</div></div></td></tr>\n</table>\n"
    )


def _side_column(issue: Issue, page: Page, article: Article, family: Family) -> tuple[str, list[str]]:
    """(HTML, texts) of a side column: the issue's page list, the page's other titles, the 今日导读 box."""
    others = [a.title for a in page.articles if a is not article] or [
        a.title for p in issue.pages for a in p.articles if a is not article][:4]
    guide = [g for p in issue.pages for g in p.guide] or others
    links = "\n".join(f'<li><a href="{p.node}">{esc(family.page_label(p))}</a></li>' for p in issue.pages)
    titles = "\n".join(f'<li><a href="#t{i}">{esc(t)}</a></li>' for i, t in enumerate(others))
    items = "\n".join(f"<li>{esc(g)}</li>" for g in guide)
    html = (
        '<div class="side-box">\n'
        f'<div class="bmdh"><h3>版面导航</h3>\n<ul>\n{links}\n</ul>\n</div>\n'
        f'<div class="titles"><h3>本版其他新闻</h3>\n<ul>\n{titles}\n</ul>\n</div>\n'
        f'<div class="daodu"><h3>今日导读</h3>\n<ul>\n{items}\n</ul>\n</div>\n'
        "</div>\n"
    )
    return html, ["版面导航", "本版其他新闻", "今日导读", *map(family.page_label, issue.pages), *others, *guide]


def _footer(paper_name: str) -> tuple[str, list[str]]:
    """(HTML, lines) of a site footer written as paragraphs."""
    lines = [
        f"{paper_name}社版权所有，未经书面授权不得复制或建立镜像",
        "地址：新闻大厦十二层 邮编：266000 电话：0532-80000000",
        "技术支持：方正电子 备案序号：ICP备00000000号",
    ]
    return '<div class="footer">\n' + "\n".join(f"<p>{esc(line)}</p>" for line in lines) + "\n</div>\n", lines


def rewrite(
    html: str, variant: str, family: Family, issue: Issue, page: Page, article: Article
) -> tuple[str, list[str]]:
    """(HTML, noise texts added) of one variant of a rendered article page ("original": as rendered)."""
    if variant == "original":
        return html, []
    for markup, replacement in family.renames:
        html = html.replace(markup, replacement)
    if variant == "renamed":
        return html, []
    start = next((i for tag in family.body_starts if (i := html.find(tag)) >= 0), -1)
    if start < 0:
        raise ValueError(f"{family.name}: no body element in article {article.key}")
    end = element_end(html, start)
    element, noise = html[start:end], []
    if variant == "lines":
        element = re.sub(r"</p>", "<br>", re.sub(r"<p\b[^>]*>", "", element, flags=re.IGNORECASE), flags=re.IGNORECASE)
    if variant == "sidebox":
        side, noise = _side_column(issue, page, article, family)
        element = (
            '<table width="100%" border="0" cellspacing="0" cellpadding="0">\n'
            f'<tr><td width="70%" valign="top">{element}</td>\n<td width="30%" valign="top">{side}</td></tr>\n'
            "</table>"
        )
    html = html[:start] + _wrap(element) + html[end:]
    if variant == "sidebox":
        footer, lines = _footer(family.paper_name)
        noise += lines
        html = html.replace("</body>", footer + "</body>").replace("</BODY>", footer + "</BODY>")
    return html, noise


def variant_pages(variants: Sequence[str] = VARIANTS, encodings: Sequence[str] = tuple(ENCODINGS)) -> list[VariantPage]:
    """Every article page of the four fixture papers in each variant and encoding."""
    pages: list[VariantPage] = []
    for family in _families():
        for issue in family.issues:
            for page in issue.pages:
                for article in page.articles:
                    url = BASE_URL + family.layout.article_path(issue, page, article)
                    expected = printed_paragraphs(article)
                    # every template shows the title and the page label; photos keep their captions
                    shown = {article.title, family.page_label(page)} | {c for _src, c in article.images if c}
                    for variant in variants:
                        for encoding in encodings:
                            rendered = family.render_article(issue, page, article, ENCODINGS[encoding],
                                                             family.paper_name)
                            html, noise = rewrite(rendered, variant, family, issue, page, article)
                            # gb18030 is GBK for every character GBK has; it holds the few it lacks
                            codec = "gb18030" if encoding == "gbk" else encoding
                            pages.append(VariantPage(
                                family.name, variant, encoding, url, html.encode(codec), article.title,
                                expected, frozenset((set(noise) | shown) - set(expected)),
                            ))
    return pages


def platform_of(page: VariantPage) -> str:
    """The platform whose selectors the page was written for."""
    return next(f.platform for f in _families() if f.name == page.family)

