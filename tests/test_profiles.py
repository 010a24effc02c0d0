"""Profiles are data: overrides of any selector or URL template, checked before the crawl starts."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from crawler.platforms import get_platform
from crawler.profiles import ProfileError, load_profile
from tests.conftest import COLLECTED, ROOT, read_archive, run_scrapy, stat
from tests.sites.server import serve

GOOD = """
name = "测试报"
platform = "founder-classic"
base_url = "http://127.0.0.1:9/"
"""


@pytest.fixture
def profiles(tmp_path, monkeypatch):
    """A profile folder searched before the bundled one."""
    monkeypatch.setenv("EPAPER_PROFILES", str(tmp_path))
    return tmp_path


def write(folder, key, text):
    (folder / f"{key}.toml").write_text(text, encoding="utf-8")


def test_override_is_applied(profiles):
    """A profile's selectors come first, the platform's after them (each once); templates are replaced."""
    write(profiles, "ov", GOOD + '[overrides]\ntitle = ["h1.atitle", "founder-title"]\nfirst_node = "node_1.htm"\n')
    cfg = load_profile("ov").platform_config()
    platform = get_platform("founder-classic").selectors("title")
    assert cfg.selectors("title") == ["h1.atitle", "founder-title", *[q for q in platform if q != "founder-title"]]
    assert [cfg.source("title", n) for n in range(3)] == ["profile", "profile", "platform"]
    assert cfg.values["first_node"] == "node_1.htm"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('color = "red"\n', "unknown keys ['color']"),
        ('[overrides]\ntitel = "h1"\n', "unknown override key(s) ['titel']"),
        ('[overrides]\ntitle = "h1[[["\n', "title: bad selector 'h1[[['"),
        ('[overrides]\nbody = "xpath://div[@id="\n', "body: bad selector"),
        ('[overrides]\nissue_url = "html/{year}/{first_node}"\n', "issue_url: unknown placeholder(s) ['year']"),
        ('[overrides]\narticle_url_pattern = "content_(\\\\d+).htm"\n', "lacks named group(s) ['key']"),
        ('[overrides]\npage_url_pattern = "(unclosed"\n', "page_url_pattern: bad regex"),
        ("[overrides]\ntitle = 3\n", "title: expected a selector string or a list"),
    ],
)
def test_profile_errors_are_reported_at_load(profiles, extra, message):
    write(profiles, "bad", GOOD + extra)
    with pytest.raises(ProfileError, match=re.escape(message)):
        load_profile("bad")


def test_not_toml_is_reported(profiles):
    write(profiles, "broken", "name = [unclosed")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile("broken")


def test_bad_profile_stops_the_crawl_before_fetching(profiles):
    write(profiles, "bad", GOOD + '[overrides]\ntitle = "h1[[["\n')
    result = run_scrapy("crawl", "epaper", "-a", "paper=bad", "-a", "date=2025-03-19")
    assert result.returncode == 2
    assert "scrapy crawl epaper: error: profile bad: title: bad selector" in result.stderr
    assert "Traceback" not in result.stderr and "Spider opened" not in result.stderr


def test_a_changed_template_needs_only_a_profile(xihaian_site, profiles, tmp_path):
    """The same site with titles moved to <span class="atitle">, no enpproperty: the main-content fallback still
    reads them (and the stats say so), and one override pins the selector (and the stats say that)."""
    site = tmp_path / "site"
    shutil.copytree(xihaian_site, site)
    for path in (site / "html/2025-03/19").glob("content_*.htm"):
        html = path.read_bytes()
        html = re.sub(rb"<!--enpproperty.*?/enpproperty-->", b"", html, flags=re.S)
        html = html.replace(b"<founder-title>", b'<span class="atitle">').replace(b"</founder-title>", b"</span>")
        html = html.replace(b'class="font01"', b'class="headline"')
        path.write_bytes(html)
    with serve(site) as base:
        write(profiles, "moved", GOOD.replace("http://127.0.0.1:9/", base) + '[overrides]\ntitle = "span.atitle"\n')
        with_profile = run_scrapy("crawl", "epaper", "-a", "paper=moved", "-a", "date=2025-03-19",
                                  "-s", f"ARCHIVE_DIR={tmp_path / 'a'}")
        write(profiles, "plain", GOOD.replace("http://127.0.0.1:9/", base))
        without = run_scrapy("crawl", "epaper", "-a", "paper=plain", "-a", "date=2025-03-19",
                             "-s", f"ARCHIVE_DIR={tmp_path / 'b'}")
    assert with_profile.returncode in COLLECTED and without.returncode in COLLECTED

    def titles(folder):
        return {r["title"] for r in read_archive(folder) if r["type"] == "article"}

    assert titles(tmp_path / "a") == titles(tmp_path / "b")
    assert "孙永红会见交通银行青岛分行客人" in titles(tmp_path / "a") and "" not in titles(tmp_path / "a")
    assert stat(with_profile.stderr, "extract/article/title/profile:span.atitle") == 10
    assert stat(without.stderr, "extract/article/title/fallback:gne") == 10
    assert "empty_title" not in with_profile.stderr + without.stderr
    # the fallback's reading is reported, so a changed template is noticed; the pinned selector silences it
    assert "title_by_fallback" in without.stderr and "title_by_fallback" not in with_profile.stderr


def test_papers_command_lists_profiles_with_sources():
    result = subprocess.run([sys.executable, "-m", "crawler", "papers", "-v"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    keys = [line.split("\t")[0] for line in result.stdout.splitlines() if not line.startswith("\t")]
    assert keys == ["ahrb", "demo", "fzrb", "gmrb", "gmrb-nbs", "grrb", "hbrb", "jjckb", "jjrb", "jxrb", "kjrb",
                    "mrdx", "nfrb", "rmrb", "rmrb-nbs", "xihaian", "zglyb"]
    assert result.stdout.count("\tsource: ") == len(keys)


def test_list_papers_with_a_broken_profile_is_one_line(profiles):
    write(profiles, "bad", GOOD + '[overrides]\ntitel = "h1"\n')
    result = run_scrapy("list-papers")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and "unknown override key(s) ['titel']" \
        in result.stderr
