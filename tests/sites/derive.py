"""What the newer platform families' fixture builders share: issues derived from the existing fixture papers'
data (our own text) — the same articles under the ids, page files and photo paths another URL scheme gives
them —, relative links between a site's files, writing a paper's site under its folder, and the CLI."""

from __future__ import annotations

import argparse
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from tests.sites import render
from tests.sites.model import Article, Issue, Page

# (issue, page index, page, article index, article) -> a new value
KeyOf = Callable[[Issue, int, Page, int, Article], str]


def rel(from_file: str, to_path: str) -> str:
    """The link from one site-relative file to another: "../../content/x.html"."""
    return posixpath.relpath(to_path, posixpath.dirname(from_file) or ".")


def rekey(
    issues: Sequence[Issue],
    key_of: KeyOf,
    *,
    node_of: Callable[[Issue, int, Page], str] | None = None,
    image_of: Callable[[Issue, Article, int, str], str] | None = None,
    guides: bool = True,
) -> list[Issue]:
    """Copies of issues whose articles get key_of(...) as key (continuations follow), pages node_of(...) as file
    name and photos image_of(issue, article, n, src) as path; anything not given stays as it was. guides=False
    drops the 今日导读 items, for a platform whose pages have no such box."""
    out = []
    for issue in issues:
        keys = {a.key: key_of(issue, p, page, n, a) for p, page in enumerate(issue.pages)
                for n, a in enumerate(page.articles)}
        pages = []
        for p, page in enumerate(issue.pages):
            articles = [
                replace(a, key=keys[a.key], continues=keys.get(a.continues, a.continues),
                        images=[(image_of(issue, a, i, src) if image_of else src, caption)
                                for i, (src, caption) in enumerate(a.images)])
                for a in page.articles
            ]
            pages.append(replace(page, node=node_of(issue, p, page) if node_of else page.node, articles=articles,
                                 guide=list(page.guide) if guides else []))
        out.append(replace(issue, pages=pages))
    return out


def refresh(target: str, charset: str) -> str:
    """A page that only sends the browser on to target (a latest-issue or a day's entry page)."""
    return (f'<HTML><HEAD><META http-equiv="Content-Type" content="text/html; charset={charset}">\n'
            f'<META HTTP-EQUIV="REFRESH" CONTENT="0; URL={target}"></HEAD><BODY></BODY></HTML>\n')


def write_site(out: Path, issues: Sequence[Issue], encoding: str, paper_name: str, layout: render.Layout,
               render_page: Callable, render_article: Callable, latest_page: str,
               first_page: Callable[[Issue], str]) -> Path:
    """Every file of every issue under out (the paper's base URL), latest_page refreshing to first_page(the
    newest issue) (a link relative to latest_page), robots.txt one level up (the host's root); returns out."""
    for issue in issues:
        render.write_issue(out, issue, encoding, paper_name, layout, render_page, render_article)
    if issues:
        page = refresh(first_page(render.latest(issues)), render.charset(encoding))
        render.write(out / latest_page, page.encode(encoding))
    render.write(out.parent / "robots.txt", render.ROBOTS)
    return out


def cli(description: str, build_site: Callable[..., Path], paper: str, encoding: str) -> Callable[..., int]:
    """A builder's main(argv): build the fixture paper into OUT_DIR/<paper>/ and print where."""

    def main(argv: Sequence[str] | None = None) -> int:
        parser = argparse.ArgumentParser(description=description)
        parser.add_argument("out_dir", type=Path)
        parser.add_argument("--encoding", choices=sorted(render.CHARSETS), default=encoding)
        args = parser.parse_args(argv)
        print(build_site(args.out_dir / paper, encoding=args.encoding))
        return 0

    return main
