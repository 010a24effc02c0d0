"""Tests of the fixture e-paper site (built and served by conftest): Founder layout, encodings, the server and
its fault routes."""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.sites.founder_classic import expected_records
from tests.sites.render import hard_wrap
from tests.sites.xihaian.data import ISSUES, MISSING_DATES, PAPER, PAPER_NAME

GBK_ONLY = "镕"  # in GBK but not GB2312: proves the bytes are GBK whatever the meta claims


def fetch(url: str, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """GET url; return status, headers and body, also for HTTP error statuses."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_gbk_only_character_really_needs_gbk() -> None:
    """The chosen character must be outside GB2312, else the encoding test proves nothing."""
    GBK_ONLY.encode("gbk")
    with pytest.raises(UnicodeEncodeError):
        GBK_ONLY.encode("gb2312")


@pytest.mark.parametrize("site", ["xihaian_site", "xihaian_site_utf8"], ids=["gbk_site", "utf8_site"])
def test_founder_paths_exist(site: str, request: pytest.FixtureRequest) -> None:
    """Every page, article, scan, PDF and photo sits at its Founder path."""
    root: Path = request.getfixturevalue(site)
    for issue in ISSUES:
        ym, dd = issue.date[:7], issue.date[8:]
        folder = root / "html" / ym / dd
        assert [p.node for p in issue.pages][0] == "node_2.htm"
        for page in issue.pages:
            assert (folder / page.node).is_file()
            stem = root / f"page/{ym}/{dd}/{page.page_no}/{issue.date.replace('-', '')}{page.page_no}"
            assert stem.with_name(stem.name + "_brief.jpg").is_file()
            pdf = stem.with_name(stem.name + "_pdf.pdf")
            assert pdf.is_file() == page.pdf
            for article in page.articles:
                assert (folder / f"content_{article.key}.htm").is_file()
                for src, _ in article.images:
                    assert (root / src).is_file()
    assert (root / "robots.txt").is_file()
    assert "url=html/2025-03/19/node_2.htm" in (root / "paperindex.htm").read_text("ascii", errors="replace")
    assert (root / "html/2025-03/19/content_12_3.htm").is_file()


def test_missing_day_has_no_issue(xihaian_site: Path) -> None:
    """2025-03-18 is a day without a paper."""
    for day in MISSING_DATES:
        assert not (xihaian_site / "html" / day[:7] / day[8:]).exists()
    assert "2025-03-18" not in {i.date for i in ISSUES}


def test_gbk_pages_are_gbk_bytes(xihaian_site: Path) -> None:
    """GBK pages declare gb2312, decode as gb18030 and are not UTF-8."""
    page = (xihaian_site / "html/2025-03/19/node_4.htm").read_bytes()
    article = (xihaian_site / "html/2025-03/19/content_1006.htm").read_bytes()
    for raw in (page, article):
        assert b'charset=gb2312"' in raw
        assert GBK_ONLY in raw.decode("gb18030")
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        with pytest.raises(UnicodeDecodeError):
            raw.decode("gb2312")  # the declared charset is a lie
    assert "赵堃" in (xihaian_site / "html/2025-03/19/content_12_3.htm").read_bytes().decode("gb18030")


def test_utf8_pages_are_utf8(xihaian_site_utf8: Path) -> None:
    """UTF-8 pages declare utf-8 and decode as UTF-8."""
    raw = (xihaian_site_utf8 / "html/2025-03/19/node_4.htm").read_bytes()
    assert b'charset=utf-8"' in raw
    assert GBK_ONLY in raw.decode("utf-8")


def test_page_markup(xihaian_site: Path) -> None:
    """A page has page links, an image map and title list in reading order, the PDF link and the guide."""
    text = (xihaian_site / "html/2025-03/19/node_2.htm").read_bytes().decode("gb18030")
    nodes = re.findall(r'<a id="pageLink" href="(node_\d+\.htm)">', text)
    assert nodes == ["node_2.htm", "node_3.htm", "node_4.htm"]
    assert '<a id="pageLink" href="node_3.htm">第02版：综合</a>' in text
    assert 'USEMAP="#PagePicMap"' in text
    order = ["content_1001.htm", "content_1002.htm", "content_1003.htm"]
    assert re.findall(r'<AREA [^>]*href="([^"]+)"', text) == order
    nav = text.split('<div id="main-ed-articlenav-list">', 1)[1].split("</div>\n", 1)[0]
    assert re.findall(r'<a href="(content_[\d_]+\.htm)">', nav) == order
    assert '<a href="../../../page/2025-03/19/01/2025031901_pdf.pdf"' in text
    assert "今日导读" in text and "新区推动退役军人就业" in text
    page3 = (xihaian_site / "html/2025-03/19/node_4.htm").read_bytes().decode("gb18030")
    assert "_pdf.pdf" not in page3
    assert 'href="content_12_3.htm"' in page3


def test_article_markup(xihaian_site: Path) -> None:
    """Articles are hard-wrapped, use entities, carry enpproperty only in the 2025-03-19 issue."""
    new = (xihaian_site / "html/2025-03/19/content_1001.htm").read_bytes().decode("gb18030")
    assert new.startswith("<!--enpproperty <articleid>1001</articleid><date>2025-03-19</date>")
    assert "<author>仪博文</author>" in new.split("/enpproperty-->", 1)[0]
    assert "<nodename>第01版：要闻</nodename>" in new
    assert "<founder-title>孙永红会见交通银行青岛分行客人</founder-title>" in new
    assert "<founder-author>仪博文</founder-author>" in new
    assert "<P>　　□记者 仪博文 报道</P>" in new
    assert "&ldquo;活水&rdquo;" in new
    assert "<P>　　本报3月18日讯 今天上午，\n西海岸新区工委书记" in new  # hard-wrapped like the print columns
    old = (xihaian_site / "html/2025-03/17/content_902.htm").read_bytes().decode("gb18030")
    assert "enpproperty" not in old and "founder-" not in old
    assert '<td class="font02" align="center">——今年以来新签约技术合同成交额同比增长32%</td>' in old
    assert '<td class="font03" align="center">作者：丁霞</td>' in old
    pic = (xihaian_site / "html/2025-03/19/content_1006.htm").read_bytes().decode("gb18030")
    assert '<img src="../../../res/1/20250319/1742368815421.jpg"' in pic
    caption = "招聘会现场，退役军人在咨询岗位信息。□记者 王喆 摄"
    assert f'<td class="pic-caption" align="center">{caption}</td>' in pic


def test_hard_wrap_loses_nothing() -> None:
    """Joining the wrapped lines gives the paragraph back, and no line starts or ends with a space."""
    for issue in ISSUES:
        for page in issue.pages:
            for article in page.articles:
                for para in article.paragraphs:
                    lines = hard_wrap(para)
                    assert "".join(lines) == para
                    assert all(not (ln.startswith(" ") or ln.endswith(" ")) for ln in lines)


def test_served_bytes_equal_disk(xihaian_site: Path, xihaian_url: str) -> None:
    """Files come back byte for byte, pages as bare text/html."""
    for rel in ("html/2025-03/19/node_2.htm", "html/2025-03/19/content_12_3.htm", "paperindex.htm"):
        status, headers, body = fetch(xihaian_url + rel)
        assert status == 200
        assert headers["Content-Type"] == "text/html"
        assert body == (xihaian_site / rel).read_bytes()
    status, headers, body = fetch(xihaian_url + "page/2025-03/19/01/2025031901_pdf.pdf")
    assert (status, headers["Content-Type"]) == (200, "application/pdf")
    assert body.startswith(b"%PDF")
    status, headers, _ = fetch(xihaian_url + "res/1/20250319/1742368815421.jpg")
    assert (status, headers["Content-Type"]) == (200, "image/jpeg")
    status, _, body = fetch(xihaian_url + "robots.txt")
    assert status == 200 and b"User-agent: *" in body


def test_missing_pages_are_404(xihaian_url: str) -> None:
    """The no-paper day, unknown files and escapes from the root are 404."""
    assert fetch(xihaian_url + "html/2025-03/18/node_2.htm")[0] == 404
    assert fetch(xihaian_url + "html/2025-03/19/content_9999.htm")[0] == 404
    assert fetch(xihaian_url + "html/")[0] == 404
    assert fetch(xihaian_url + "..%2f..%2fetc/passwd")[0] == 404


def test_fault_routes(xihaian_site: Path, xihaian_url: str) -> None:
    """/__status, /__delay, /__drop and /__gb18030 behave as documented."""
    assert fetch(xihaian_url + "__status/503")[0] == 503
    assert fetch(xihaian_url + "__status/404")[0] == 404
    start = time.monotonic()
    status, _, body = fetch(xihaian_url + "__delay/0.5/html/2025-03/19/node_2.htm")
    assert status == 200 and time.monotonic() - start >= 0.5
    assert body == (xihaian_site / "html/2025-03/19/node_2.htm").read_bytes()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, urllib.error.URLError)):
        urllib.request.urlopen(xihaian_url + "__drop", timeout=5)
    status, headers, body = fetch(xihaian_url + "__gb18030/html/2025-03/19/node_2.htm")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=gb2312"
    assert body == (xihaian_site / "html/2025-03/19/node_2.htm").read_bytes()
    assert fetch(xihaian_url + "__gb18030/nope.htm")[0] == 404


def test_expected_records() -> None:
    """The contract records: counts, unique ids, bylines/datelines/jumps out of bodies, captions out."""
    base = "http://127.0.0.1:8000/"
    records = expected_records(ISSUES, base, PAPER, PAPER_NAME)
    pages = [r for r in records if r["type"] == "page"]
    articles = [r for r in records if r["type"] == "article"]
    assert len(pages) == 5 and len(articles) == 14
    assert len({a["id"] for a in articles}) == len(articles)
    assert len({p["url"] for p in pages}) == len(pages)
    by_id = {a["id"]: a for a in articles}
    a1001 = by_id["xihaian-20250319-1001"]
    assert a1001["body"].startswith("今天上午，西海岸新区工委书记")
    assert (a1001["byline"], a1001["dateline"], a1001["author"]) == ("□记者 仪博文 报道", "本报3月18日讯", "仪博文")
    assert a1001["body"].endswith("更好助力新区高质量发展。")
    assert a1001["url"] == base + "html/2025-03/19/content_1001.htm"
    assert a1001["page_url"] == base + "html/2025-03/19/node_2.htm"
    assert a1001["pdf_url"] == base + "page/2025-03/19/01/2025031901_pdf.pdf"
    a1003 = by_id["xihaian-20250319-1003"]
    assert a1003["pretitle"].startswith("◆董家口经济区") and a1003["subtitle"].startswith("◆加快打造")
    assert a1003["body"].endswith("加快平台开发建设。")
    assert a1003["continued_on"] == "xihaian-20250319-1005"
    assert by_id["xihaian-20250319-1005"]["continued_from"] == "xihaian-20250319-1003"
    assert a1003["full_body"] == a1003["body"] + "\n" + by_id["xihaian-20250319-1005"]["body"]
    a1002 = by_id["xihaian-20250319-1002"]
    assert a1002["full_body"] == a1002["body"] + by_id["xihaian-20250319-1004"]["body"]  # mid-sentence: no break
    assert by_id["xihaian-20250319-1010"]["author"] == "刘洋、孙晓"
    a1006 = by_id["xihaian-20250319-1006"]
    caption = "招聘会现场，退役军人在咨询岗位信息。□记者 王喆 摄"
    assert a1006["images"] == [{"url": base + "res/1/20250319/1742368815421.jpg", "caption": caption}]
    assert "招聘会现场，退役军人在咨询" not in a1006["body"]
    assert by_id["xihaian-20250319-12_3"]["pdf_url"] == ""
    assert by_id["xihaian-20250319-1009"]["author"] == ""
    assert any("人民共和国" in a["body"] for a in articles)
    assert sum("高质量发展" in a["body"] for a in articles) >= 4
    for page in pages:
        assert all(aid in by_id for aid in page["article_ids"])
    assert pages[0]["article_ids"] == ["xihaian-20250317-901", "xihaian-20250317-902"]
