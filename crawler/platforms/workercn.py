"""工人日报-style e-paper (中工网 media.workercn.cn): YYYY_MM/DD/GRPP00.htm pages, GRPPNN.htm articles.

工人日报 and the provincial workers' papers on the same host (sites/media/grrb/, jlgrb/, lnzgb/ …). Page PP of a
day is `GRPP00.htm`; its article NN is `GRPPNN.htm` in the same folder (id "PPNN"). Public crawlers document the
page list (`#page_content` table links), the image map (`area[shape=poly]`), the title (`div.text_c h1`) and the
body (`#ozoom div span p`); 引题 / 副题 / author (h3 / h2 / h4), the page labels ("第01版：要闻"), the title list,
photos and the latest-issue page are modelled on the nbs family, not seen on a live page.
"""

from __future__ import annotations

DEFAULTS = {
    "issue_url": "{yyyy}_{mm}/{dd}/{first_node}",
    "latest_url": "index.htm",
    "first_node": "GR0100.htm",
    "page_url_pattern": r"/(?P<yyyy>\d{4})_(?P<mm>\d{2})/(?P<dd>\d{2})/GR\d{2}00\.htm$",
    "article_url_pattern": r"/\d{4}_\d{2}/\d{2}/GR(?P<key>\d{2}(?!00)\d{2})\.htm$",
    "page_links": "#page_content td a",
    "current_page_label": "",
    "article_links": ["#titleList li a", "map area[href]"],
    "pdf_link": "a[href$='.pdf'], a[href$='.PDF']",
    "page_image": "img[usemap]",
    "guide": "",
    "pretitle": "div.text_c h3",
    "title": "div.text_c h1",
    "subtitle": "div.text_c h2",
    "author": "div.text_c h4",
    "body": "#ozoom",
    "images": "#ozoom img[src]",
    "image_caption": "xpath:ancestor::tr[1]/following-sibling::tr[1]/td",
}
