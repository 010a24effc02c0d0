"""The "PaperIndex" e-paper system: content/YYYYMMDD/PageNNXX.htm pages, ArticelNNNNNXX.htm articles.

法治日报 (epaper.legaldaily.com.cn/fzrb/), 新华每日电讯 (mrdx.cn), 齐鲁晚报. `content/PaperIndex.htm` refreshes to
`content/YYYYMMDD/IssueIndex.htm`, which refreshes to the issue's first page (`Page01DK.htm`; the two letters
after the page number change between papers and years, so a day is entered through its IssueIndex.htm).
Articles are `Articel` (sic) + page number + article number + the same letters, next to the pages; PDFs and
scans live in `PDF/YYYYMMDD/` and `IMAGE/YYYYMMDD/` beside `content/`. Public crawlers document the page list
(`.banlist-li a`, text "第01版：要闻"), the title list (`.newslist a`), the article's title (`.xha-view-title h1`),
photos (`.imagelist`) and body (`#article_view_content`); 引题 / 副题 / author, the captions and this page's own
PDF link are modelled on the nbs family's article head (h3 / h1 / h2 / h4), not seen on a live page.
"""

from __future__ import annotations

DEFAULTS = {
    "issue_url": "content/{yyyy}{mm}{dd}/{first_node}",
    "latest_url": "content/PaperIndex.htm",
    "first_node": "IssueIndex.htm",
    "page_url_pattern": r"/content/(?P<yyyy>\d{4})(?P<mm>\d{2})(?P<dd>\d{2})/Page\w+\.htm$",
    "article_url_pattern": r"/content/\d{8}/Articel(?P<key>\w+)\.htm$",
    "page_links": [".banlist-li a", "div.listdaohang h4 a"],
    "current_page_label": "div.ban-title span",
    "article_links": [".newslist a", "map area[href]"],
    # Not any .pdf link: the page list carries every page's PDF.
    "pdf_link": "div.ban-title a[href$='.pdf']",
    "page_image": "img[usemap]",
    "guide": "",
    "pretitle": ".xha-view-title h3",
    "title": ".xha-view-title h1",
    "subtitle": ".xha-view-title h2",
    "author": ".xha-view-title h4",
    "body": "#article_view_content",
    "images": ".imagelist img[src]",
    "image_caption": "xpath:following-sibling::p[1]",
}
