"""Good behaviour: never leave the allowed domains (links and redirects), cap response sizes, no path tricks."""

from __future__ import annotations

import re
import shutil

from tests.conftest import COLLECTED, read_archive, run_scrapy
from tests.sites.server import serve


def requested_paths(log: str, host: str) -> list[str]:
    """URLs on a host that the crawl actually downloaded (Scrapy's 'Crawled (...)' debug lines)."""
    return re.findall(rf"Crawled \(\d+\) <GET (http://{re.escape(host)}[^ >]*)>", log)


def test_offsite_links_and_redirects_are_never_requested(xihaian_site, tmp_path):
    offsite_root = tmp_path / "offsite"
    shutil.copytree(xihaian_site, offsite_root)
    with serve(offsite_root) as offsite:
        other = offsite.replace("127.0.0.1", "localhost")  # same machine, another host name: offsite
        site = tmp_path / "site"
        shutil.copytree(xihaian_site, site)
        page = site / "html/2025-03/19/node_2.htm"
        html = page.read_bytes().replace(
            b"</BODY>",
            f'<a id="pageLink" href="{other}html/2025-03/19/node_3.htm">x</a>'
            f'<div id="main-ed-articlenav-list"><a href="{other}html/2025-03/19/content_1001.htm">x</a>'
            f'<a href="content_9001.htm">redirect</a></div></BODY>'.encode())
        page.write_bytes(html)
        (site / "html/2025-03/19/content_9001.htm").write_text(
            f'<html><head><meta http-equiv="refresh" content="0; url={other}html/2025-03/19/content_1002.htm">'
            "</head></html>", encoding="utf-8")
        with serve(site) as base:
            result = run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}",
                                "-a", "date=2025-03-19", "-s", f"ARCHIVE_DIR={tmp_path / 'a'}", "-s", "LOG_LEVEL=DEBUG")
    assert result.returncode == 3
    assert requested_paths(result.stderr, "127.0.0.1"), "the site itself was crawled"
    assert requested_paths(result.stderr, other.split("//")[1].rstrip("/")) == []
    assert "Filtered offsite request" in result.stderr
    records = read_archive(tmp_path / "a")
    assert all(r["url"].startswith(base) for r in records)


def test_oversized_responses_are_dropped_logged_and_listed(xihaian_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(xihaian_site, site)
    big = site / "html/2025-03/19/content_1001.htm"
    big.write_bytes(big.read_bytes() + b"<!--" + b"x" * 200_000 + b"-->")
    with serve(site) as base:
        result = run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}", "-a", "date=2025-03-19",
                            "-s", f"ARCHIVE_DIR={tmp_path / 'a'}", "-s", "DOWNLOAD_MAXSIZE=100000")
    assert result.returncode == 3
    assert "larger than download max size" in result.stderr
    assert f"failed: {base}html/2025-03/19/content_1001.htm" in result.stderr
    ids = {r["id"] for r in read_archive(tmp_path / "a")}
    assert "xihaian-20250319-1001" not in ids and "xihaian-20250319-1003" in ids


def test_page_dates_and_keys_never_become_paths(xihaian_site, tmp_path):
    """An article link whose id looks like a path is not an article; a paper key like ../x is refused."""
    site = tmp_path / "site"
    shutil.copytree(xihaian_site, site)
    page = site / "html/2025-03/19/node_2.htm"
    page.write_bytes(page.read_bytes().replace(b"</BODY>", b'<td class="default"><a href="content_..%2F..%2Fx.htm">'
                                               b"x</a></td></BODY>"))
    with serve(site) as base:
        result = run_scrapy("crawl", "epaper", "-a", "paper=xihaian", "-a", f"base_url={base}", "-a", "date=2025-03-19",
                            "-s", f"ARCHIVE_DIR={tmp_path / 'a'}")
    assert result.returncode in COLLECTED
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()
                     and not p.is_relative_to(site))
    assert all(p.startswith("a/") for p in written)
    ids = [r["id"] for r in read_archive(tmp_path / "a")]
    assert ids and not any(".." in i or "/" in i or "%" in i for i in ids)
    refused = run_scrapy("crawl", "epaper", "-a", "paper=../../x", "-a", "platform=founder-classic",
                         "-a", f"base_url={base}", "-s", f"ARCHIVE_DIR={tmp_path / 'a'}")
    assert refused.returncode == 2 and "invalid paper key '../../x'" in refused.stderr
