"""人民日报 "nbs era" e-paper (used until Dec 2024; 光明日报 and others run the same system).

Pages are html/YYYY-MM/DD/nbs.D110000renmrb_NN.htm, articles nw.D110000renmrb_YYYYMMDD_K-NN.htm
(article K on page NN); 光明日报 writes D110000gmrb instead, so the patterns take any D<digits><code>.
Pages list every page as `a#pageLink` ("第01版：要闻"), name themselves in `div.l_t`, link the PDF in
`div.ban_t` and show the scan in `div.ban` with an image map; the article list is `#titleList`.
Articles put 引题 / title / 副题 / author in `div.text_c` as h3 / h1 / h2 / h4, photos in a table
(caption in the next row) above the body paragraphs in `#ozoom` (some sites: `#articleContent`).
The article key is "K-NN" (e.g. "1-01"): unique within an issue and readable.
"""

from __future__ import annotations

DEFAULTS = {
    "issue_url": "html/{yyyy}-{mm}/{dd}/{first_node}",
    "latest_url": "index.htm",
    "first_node": "nbs.D110000renmrb_01.htm",
    "page_url_pattern": r"/html/(?P<yyyy>\d{4})-(?P<mm>\d{2})/(?P<dd>\d{2})/nbs\.D\d+[A-Za-z]\w*?_\w+\.html?$",
    "article_url_pattern": r"/html/\d{4}-\d{2}/\d{2}/nw\.D\d+[A-Za-z]\w*?_\d{8}_(?P<key>\d+-[A-Za-z]?\d+)\.html?$",
    "page_links": "a#pageLink",
    "current_page_label": "div.l_t",
    "article_links": ["#titleList ul li a", "div.ban map area"],
    "pdf_link": "div.ban_t a[href$='.pdf'], div.ban_t a[href$='.PDF']",
    "page_image": ["div.ban img[usemap]", "div.ban img"],
    "guide": "div.daodu li",
    "pretitle": "div.text_c h3",
    "title": "div.text_c h1",
    "subtitle": "div.text_c h2",
    "author": "div.text_c h4",
    "body": ["#ozoom", "#articleContent"],
    "images": "#ozoom img[src], #articleContent img[src]",
    "image_caption": "xpath:ancestor::tr[1]/following-sibling::tr[1]/td",
}
