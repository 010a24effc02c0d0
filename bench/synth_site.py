"""Generate a synthetic Founder "classic" e-paper site: N days x P pages x A articles, deterministic by seed.

    .venv/bin/python bench/synth_site.py OUT_DIR --days 30 --pages 12 --articles 6 --seed 1

Issues are built as `tests.sites.model` dataclasses and rendered with `tests.sites.founder_classic`'s own
`render_page` / `render_article` (the markup the crawler's tests are written against), GBK-encoded and
declaring gb2312 as real sites do. Text comes from `indexer.synth.TextMaker` (seed-page sentences mixed with
jieba dictionary words drawn by frequency). Each day has its own generator seeded from (seed, day), so days
are independent: they are rendered on all CPU cores, and the site of N days is a prefix of the site of N+1.

Only what a crawler fetches is written: page (node_*.htm) and article (content_*.htm) files, paperindex.htm
and robots.txt. Page scans and PDFs are linked (and recorded by the spider) but not written: neither the
spider nor the bare benchmark spider fetches them. A `manifest.json` written last marks a complete site.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # run as a script from anywhere

from indexer.synth import PAGE_NAMES, TextMaker  # noqa: E402
from tests.sites import founder_classic as fc  # noqa: E402
from tests.sites.model import Article, Issue, Page  # noqa: E402

GENERATOR_VERSION = 1  # bump when the output changes, so cached sites are rebuilt
START = date(2024, 1, 1)
PAPER_NAME = "基准日报"
FIRST_NODE = 2  # pages are node_2.htm, node_3.htm, ... as on the real sites
KEY_BASE = 100_000  # article ids: content_100001.htm ...
EXTRA_PAGE_NAMES = ("专题", "国际", "教育", "健康", "副刊", "法治", "农业", "科技", "旅游", "广告")


@dataclass(frozen=True)
class SiteSpec:
    """What to generate."""

    days: int
    pages: int
    articles: int
    seed: int = 1

    @property
    def key(self) -> str:
        """A folder name unique to these parameters and the generator version."""
        return f"founder-classic-v{GENERATOR_VERSION}-d{self.days}-p{self.pages}-a{self.articles}-s{self.seed}"

    @property
    def start(self) -> str:
        return START.isoformat()

    @property
    def end(self) -> str:
        return (START + timedelta(days=self.days - 1)).isoformat()

    @property
    def total_pages(self) -> int:
        return self.days * self.pages

    @property
    def total_articles(self) -> int:
        return self.days * self.pages * self.articles


def day_date(day: int) -> str:
    """ISO date of day number `day` (0 = START)."""
    return (START + timedelta(days=day)).isoformat()


def article_key(spec: SiteSpec, day: int, page: int, position: int) -> str:
    """The site's content id of an article: unique across the whole site, computed, not counted."""
    return str(KEY_BASE + 1 + (day * spec.pages + page) * spec.articles + position)


def expected_article_ids(spec: SiteSpec, paper: str) -> set[str]:
    """The archive ids a complete crawl of the site must produce ({paper}-{YYYYMMDD}-{key})."""
    return {
        f"{paper}-{day_date(day).replace('-', '')}-{article_key(spec, day, page, position)}"
        for day in range(spec.days) for page in range(spec.pages) for position in range(spec.articles)
    }


def page_name(page: int) -> str:
    """A 版面 name: the usual sections first, then more."""
    names = PAGE_NAMES + EXTRA_PAGE_NAMES
    return names[page % len(names)]


def make_article(maker: TextMaker, key: str, iso: str) -> Article:
    """One article of realistic shape: 300-1500 characters, sometimes 引题/副题, dateline, byline."""
    rng = maker.rng
    author = "".join(maker.draw_words(1))[:3]
    month, day = int(iso[5:7]), int(iso[8:10])
    return Article(
        key=key,
        title=maker.title(),
        paragraphs=maker.body(rng.randint(300, 1500)).split("\n"),
        pretitle=maker.title() if rng.random() < 0.2 else "",
        subtitle=maker.title() if rng.random() < 0.2 else "",
        authors=[author],
        site_author=author,
        dateline=f"本报{month}月{day}日讯" if rng.random() < 0.5 else "",
    )


def make_issue(spec: SiteSpec, day: int) -> Issue:
    """The issue of one day, from its own seeded generator."""
    maker = TextMaker(spec.seed * 1_000_003 + day)
    iso = day_date(day)
    pages = []
    for page in range(spec.pages):
        articles = [make_article(maker, article_key(spec, day, page, position), iso)
                    for position in range(spec.articles)]
        pages.append(Page(node=f"node_{FIRST_NODE + page}.htm", page_no=f"{page + 1:02d}",
                          page_name=page_name(page), articles=articles))
    return Issue(date=iso, pages=pages)


def write_days(out: str, spec: SiteSpec, days: range) -> int:
    """Render and write the issues of some days (one worker's share); returns bytes written."""
    charset = fc.ENCODINGS["gbk"]
    written = 0
    for day in days:
        issue = make_issue(spec, day)
        folder = Path(out) / fc.issue_dir(issue)
        folder.mkdir(parents=True, exist_ok=True)
        for page in issue.pages:
            # strict GBK: a character the codec cannot hold must fail the build, not turn into "?"
            data = fc.render_page(issue, page, charset, PAPER_NAME).encode("gbk")
            (folder / page.node).write_bytes(data)
            written += len(data)
            for article in page.articles:
                data = fc.render_article(issue, page, article, charset, PAPER_NAME).encode("gbk")
                (folder / fc.article_file(article)).write_bytes(data)
                written += len(data)
    return written


def build(out_dir: Path, spec: SiteSpec, workers: int | None = None) -> dict:
    """Write the whole site under out_dir (reused as is if its manifest matches); return the manifest."""
    out = Path(out_dir)
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("spec") == asdict(spec) and manifest.get("version") == GENERATOR_VERSION:
            manifest["reused"] = True
            return manifest
        manifest_path.unlink()
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    workers = max(1, min(workers or os.cpu_count() or 1, spec.days))
    shares = [range(w, spec.days, workers) for w in range(workers)]
    if workers == 1:
        written = write_days(str(out), spec, shares[0])
    else:
        with ProcessPoolExecutor(workers) as pool:
            written = sum(pool.map(write_days, [str(out)] * workers, [spec] * workers, shares))
    last = Issue(date=spec.end, pages=[Page(node=f"node_{FIRST_NODE}.htm", page_no="01", page_name="", articles=[])])
    first = f"{fc.issue_dir(last)}{last.pages[0].node}"
    index = (f'<HTML><HEAD><META http-equiv="Content-Type" content="text/html; charset=gb2312">\n'
             f'<meta http-equiv="refresh" content="0; url={first}">\n'
             f"<TITLE>{fc.esc(PAPER_NAME)}</TITLE></HEAD><BODY></BODY></HTML>\n")
    (out / "paperindex.htm").write_bytes(index.encode("gbk"))
    (out / "robots.txt").write_bytes(b"User-agent: *\nDisallow:\n")
    manifest = {
        "version": GENERATOR_VERSION, "spec": asdict(spec), "start": spec.start, "end": spec.end,
        "pages": spec.total_pages, "articles": spec.total_articles, "files": spec.total_pages + spec.total_articles,
        "bytes": written, "build_seconds": round(time.perf_counter() - started, 2), "workers": workers,
    }
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    manifest["reused"] = False
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--articles", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all CPU cores)")
    args = parser.parse_args(argv)
    if min(args.days, args.pages, args.articles) < 1:
        parser.error("--days, --pages and --articles must be at least 1")
    spec = SiteSpec(args.days, args.pages, args.articles, args.seed)
    manifest = build(args.out, spec, args.workers)
    how = "reused" if manifest["reused"] else f"built in {manifest['build_seconds']} s ({manifest['workers']} workers)"
    print(f"site {args.out}: {manifest['start']} … {manifest['end']}, {manifest['pages']} pages, "
          f"{manifest['articles']} articles, {manifest['bytes'] / 2**20:.1f} MB; {how}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
