"""`python -m crawler probe`: every field with its rule on each family's pages; what is missing, exit 1."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.__main__ import main
from tests.conftest import ROOT
from tests.sites import founder_classic, founder_new, nbs
from tests.sites.rmrb import data as rmrb
from tests.sites.rmrb_nbs import data as rmrb_nbs
from tests.sites.xihaian import data as xihaian

BASE = "http://paper.example.test/"


def _classic(out: Path) -> tuple[Path, list[dict]]:
    site = founder_classic.build_site(out, xihaian.ISSUES)
    return site, founder_classic.expected_records(xihaian.ISSUES, BASE)


def _new(out: Path) -> tuple[Path, list[dict]]:
    site = founder_new.build_site(out, rmrb.ISSUES, family=rmrb.FAMILY, encoding=rmrb.ENCODING,
                                  paper_name=rmrb.PAPER_NAME)
    return site, founder_new.expected_records(rmrb.ISSUES, BASE, rmrb.PAPER, rmrb.PAPER_NAME, family=rmrb.FAMILY)


def _nbs(out: Path) -> tuple[Path, list[dict]]:
    site = nbs.build_site(out, rmrb_nbs.ISSUES)
    return site, nbs.expected_records(rmrb_nbs.ISSUES, BASE, rmrb_nbs.PAPER, rmrb_nbs.PAPER_NAME)


FAMILIES = {"founder-classic": _classic, "founder-new": _new, "nbs": _nbs}


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def family(request, tmp_path_factory):
    site, records = FAMILIES[request.param](tmp_path_factory.mktemp(request.param))
    return request.param, site, records


def _probe(capsys, url: str, path: Path, *extra: str) -> tuple[int, str]:
    status = main(["probe", url, "--file", str(path), *extra])
    return status, capsys.readouterr().out


def _row(out: str, name: str) -> tuple[str, str]:
    """(value, rule) of a field's row."""
    match = re.search(rf"^  {name}\s+(.*?)(?:    \[(.*)\])?$", out, re.MULTILINE)
    assert match, f"no row for {name} in:\n{out}"
    return match.group(1), match.group(2) or ""


def test_probe_a_page_prints_every_field_with_its_rule(capsys, family):
    name, site, records = family
    page = next(r for r in records if r["type"] == "page" and r["pdf_url"])
    status, out = _probe(capsys, page["url"], site / page["url"][len(BASE):])
    assert status == 0, out
    assert f"platform {name}" in out and "kind page" in out
    assert _row(out, "page_no")[0] == page["page_no"] and _row(out, "page_name")[0] == page["page_name"]
    assert _row(out, "pdf_url")[0] == page["pdf_url"]
    assert _row(out, "article_urls")[0].startswith(f"{len(page['article_ids'])}: ")
    for field in ("date", "page_no", "page_name", "pages", "article_urls", "pdf_url", "image_url"):
        assert _row(out, field)[1], f"{field} has no rule:\n{out}"
    assert "missing: nothing essential" in out


def test_probe_an_article_prints_every_field_with_its_rule(capsys, family):
    name, site, records = family
    art = next(r for r in records if r["type"] == "article" and r["title"])
    status, out = _probe(capsys, art["url"], site / art["url"][len(BASE):])
    assert status == 0, out
    assert "kind article" in out and _row(out, "title") == (art["title"], _row(out, "title")[1])
    for field in ("article_key", "title", "body"):
        assert _row(out, field)[1], f"{field} has no rule:\n{out}"


def test_probe_says_what_is_missing_and_suggests_overrides(capsys, tmp_path, family):
    """An article whose title and body sit where no selector looks: the body fallback reads the body (and probe
    says so), the title is named missing (exit 1); the snippet pins both."""
    name, site, records = family
    art = next(r for r in records if r["type"] == "article" and len(r["body"]) > 60)
    paragraphs = "".join(f"<p>{p}</p>" for p in art["body"].split("\n"))
    html = (f'<html><head><meta charset="utf-8"></head><body><div class="nav"><a href="../x.htm">首页</a></div>'
            f'<div class="headline-x">{art["title"]}</div><div class="story-x">{paragraphs}</div></body></html>')
    path = tmp_path / "moved.htm"
    path.write_text(html, encoding="utf-8")
    status, out = _probe(capsys, art["url"], path, "--platform", name)
    assert status == 1
    assert "missing: title\n" in out
    assert _row(out, "body")[1] == "fallback:gne", out
    assert '    title = "div.headline-x"' in out and '    body = "div.story-x"' in out
    assert "body read by the main-content fallback" in out


def test_probe_bad_usage_is_one_line_and_exit_2(tmp_path):
    for args in (["http://e.test/x.htm", "--file", str(tmp_path / "none.htm")],
                 ["http://e.test/x.htm", "--file", __file__, "--platform", "nosuch"],
                 ["ftp://e.test/x.htm"]):
        result = subprocess.run([sys.executable, "-m", "crawler", "probe", *args], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_probe_pins_the_element_the_fallback_read_the_title_from(capsys, tmp_path, family):
    """The title moved to a div beside the 副题: the snippet names the element holding exactly that title."""
    name, site, records = family
    art = next(r for r in records if r["type"] == "article" and r["subtitle"] and len(r["body"]) > 60)
    paragraphs = "".join(f"<p>　　{p}</p>" for p in art["body"].split("\n"))
    html = (f'<html><head><meta charset="utf-8"><title>{art["title"]}-报</title></head><body>'
            f'<div class="headline">{art["title"]}</div><div class="sub-x">{art["subtitle"]}</div>'
            f'<div class="story-x">{paragraphs}</div></body></html>')
    path = tmp_path / "moved.htm"
    path.write_text(html, encoding="utf-8")
    status, out = _probe(capsys, art["url"], path, "--platform", name)
    if _row(out, "title")[1].startswith("fallback:"):
        assert '    title = "div.headline"' in out, out
    assert status == 0 or "missing: title\n" in out


@pytest.mark.parametrize("body", [b"%PDF-1.4\n%...", b"\xff\xd8\xff\xe0\x00\x10JFIF", b"", b"\x00\x01\x02binary"])
def test_probe_refuses_what_is_no_html_page(tmp_path, body):
    path = tmp_path / "x.htm"
    path.write_bytes(body)
    result = subprocess.run([sys.executable, "-m", "crawler", "probe", "http://e.test/x.htm", "--file", str(path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_probe_kind_and_shape_notes(capsys, family):
    """A page saved under a URL of no known shape: said so; --kind page reads it as a page."""
    name, site, records = family
    page = next(r for r in records if r["type"] == "page")
    path = site / page["url"][len(BASE):]
    saved_as = page["url"].rsplit("/", 1)[0] + "/saved.htm"  # same folder: relative links still resolve
    status, out = _probe(capsys, saved_as, path, "--platform", name, "--kind", "page")
    assert "kind page" in out and "neither the page nor the article shape" in out
    assert _row(out, "article_urls")[0].startswith(f"{len(page['article_ids'])}: ")


def test_probe_names_a_client_side_redirect(capsys, tmp_path):
    path = tmp_path / "index.htm"
    path.write_text('<html><head><meta http-equiv="refresh" content="0; url=html/2025-03/19/node_2.htm"></head>'
                    "<body></body></html>", encoding="utf-8")
    _, out = _probe(capsys, "http://e.test/paperindex.htm", path, "--platform", "founder-classic")
    assert "redirects (meta-refresh) to http://e.test/html/2025-03/19/node_2.htm: probe that one" in out
