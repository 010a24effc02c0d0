"""Founder (方正) "new" e-paper: {root}YYYYMM/DD/node_XX.html pages, …/YYYYMM/DD/content_ID.html articles.

人民日报 (since Dec 2024) and many city papers (菏泽日报, 寿光日报, 沂蒙晚报, 现代快报) under `pc/layout/`; the same
system runs under other roots: `html/layout/` (光明日报, 文摘报), `layout/` (安徽日报), `html/` (南方日报), `paper/`
(中国旅游报), `pc/col/` (福建日报) and the mobile `pad/layout/` / `pad/column/` editions. The patterns take any root
(the `root` group, made of those folder names); a profile gives its paper's root in `issue_url` and `latest_url`.
Page files are node_01.html, node_A01.html or node_A1.html; articles sit under content/, con/ or next to the pages;
{root}index.html shows (or refreshes to) the latest issue. Template families, covered by selector alternatives
(the first that finds text wins):

  (i)  page list `ul#layoutlist li a` ("01版：要闻"), this page `span#layout`, PDF in `div.pull-right`;
       article p#PreTitle / h2#Title / p#SubTitle, body div#ozoom, photos in div.attachment tables.
  (ii) page list `div.Therestlist li a`, this page `div.newslisttit em`; article div.intro /
       div.newsdetatit h3 / div.sub, body div.newsdetatext (often wrapping <founder-content>).
  (pad) the mobile edition's articles: font#intro-title / font#main-title / font#sub-title / font#author
       inside a caption div (a page template like (i)).

Some sites list a page's articles in reverse reading order; `position` keeps the markup order.
"""

from __future__ import annotations

_CAPTION_ROW = "xpath:ancestor::tr[1]/following-sibling::tr[1]/td"
_CAPTION_SIBLING = "xpath:following-sibling::*[contains(concat(' ', normalize-space(@class), ' '), ' pic-txt ')][1]"

DEFAULTS = {
    "issue_url": "pc/layout/{yyyy}{mm}/{dd}/{first_node}",
    "latest_url": "pc/layout/index.html",
    "first_node": "node_01.html",
    # root: the folders between the paper's base URL and the date (auto-detection cuts the base URL there)
    "page_url_pattern": r"/(?P<root>(?:(?:pc|pad|html|paper|layout|column|col)/)*)"
                        r"(?P<yyyy>\d{4})(?P<mm>\d{2})/(?P<dd>\d{2})/node_[A-Za-z]?\d+\.html?$",
    "article_url_pattern": r"/\d{6}/\d{2}/content_(?P<key>\d+(?:_\d+)*)\.html?$",
    "page_links": ["ul#layoutlist li a", "div.Therestlist li a"],
    "current_page_label": ["span#layout", "div.newslisttit em"],
    "article_links": ["ul.news-list li a", "div.newslist li a", "map area[href]"],
    # Not any a[href$=.pdf]: family i lists every page's PDF in the page list, so a page without its
    # own PDF would get another page's.
    "pdf_link": ["div.pull-right a[href$='.pdf']", "div.newslisttit a[href$='.pdf']"],
    "page_image": ["img[usemap]", "div.paper img", "div.bmimg img"],
    "guide": ["div.guide li", "div.jrdd li"],
    "pretitle": ["founder-introtitle", "p#PreTitle", "div.intro", "font#intro-title"],
    "title": ["founder-title", "h2#Title", "div.newsdetatit h3", "font#main-title"],
    "subtitle": ["founder-subtitle", "p#SubTitle", "div.sub", "font#sub-title"],
    "author": ["founder-author", "#Author", "div.newsdetainfo span.author", "font#author"],
    "body": ["founder-content", "div#ozoom", "div.newsdetatext"],
    "images": ["div.attachment img[src]", "div.newsdetatext img[src]"],
    "image_caption": [_CAPTION_ROW, _CAPTION_SIBLING],
}
