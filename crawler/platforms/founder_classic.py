"""Founder (方正) "classic" e-paper: html/YYYY-MM/DD/node_N.htm pages, content_ID.htm articles.

The most common regional e-paper layout. Pages list every page as `a#pageLink` ("第01版：要闻"),
articles in a title list and an image map; articles carry <founder-*> tags and often an
<!--enpproperty--> comment; older templates put 引题 / title / 副题 / author in table rows
(td.font02 / font01 / font02 / font03) instead. 经济参考报's template lists pages in #bmdh and titles in
ul.ul02_l, and puts the title in td.hei16b and the body in td.black14 > founder-content.
"""

from __future__ import annotations

_HEAD_TITLE = "//td[contains(concat(' ', normalize-space(@class), ' '), ' font01 ')]"

DEFAULTS = {
    "issue_url": "html/{yyyy}-{mm}/{dd}/{first_node}",
    "latest_url": "paperindex.htm",
    "first_node": "node_2.htm",
    "page_url_pattern": r"/html/(?P<yyyy>\d{4})-(?P<mm>\d{2})/(?P<dd>\d{2})/node_\d+\.html?$",
    "article_url_pattern": r"/html/\d{4}-\d{2}/\d{2}/content_(?P<key>\d+(?:_\d+)*)\.html?$",
    "page_links": ["a#pageLink", "#bmdh td a"],
    "current_page_label": "",
    "article_links": ["#main-ed-articlenav-list a", "td.default a", "ul.ul02_l li a", "map[name=PagePicMap] area"],
    "pdf_link": "a[href$='.pdf'], a[href$='.PDF']",
    "page_image": "img[usemap]",
    "guide": ".guide td.guide-item",
    "pretitle": ["founder-introtitle", f"xpath:{_HEAD_TITLE}/ancestor::tr[1]/preceding-sibling::tr[1]/td"],
    "title": ["founder-title", f"xpath:{_HEAD_TITLE}", "td.hei16b"],
    "subtitle": ["founder-subtitle", f"xpath:{_HEAD_TITLE}/ancestor::tr[1]/following-sibling::tr[1]/td"],
    "author": ["founder-author", "xpath://td[contains(concat(' ', normalize-space(@class), ' '), ' font03 ')]"],
    "body": ["founder-content", "#ozoom", "#articleContent"],
    "images": ["#ozoom img[src]", "td.black14 img[src]"],
    "image_caption": "xpath:ancestor::tr[1]/following-sibling::tr[1]/td[contains(@class, 'caption')]",
}
