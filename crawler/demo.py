"""`make demo`: build the bundled demo e-paper, serve it on loopback, crawl it, index it, search it; end by pointing
at the reading room (`epaper serve`).

Every step is the real thing a user runs (`scrapy crawl`, `python -m indexer build`, `search_cli.py`),
started as subprocesses and echoed, so the output doubles as a tutorial.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "demo"


def _run(argv: list[str], ok: tuple[int, ...] = (0,)) -> None:
    """Echo a command, run it from the repo root, stop the demo if it fails."""
    print(f"\n$ {shlex.join(argv)}", flush=True)
    result = subprocess.run(argv, cwd=ROOT)
    if result.returncode not in ok:
        sys.exit(f"demo: step failed with exit code {result.returncode}: {shlex.join(argv)}")


def main() -> None:
    """Run the whole demo end to end."""
    sys.path.insert(0, str(ROOT))
    from tests.sites.founder_classic import build_site
    from tests.sites.server import serve

    shutil.rmtree(OUT, ignore_errors=True)
    site = build_site(OUT / "site", encoding="gbk")
    archive, index = OUT / "archive", OUT / "index"
    print(f"demo: built the demo e-paper (Founder classic, GBK pages) in {site.relative_to(ROOT)}")
    epaper = str(Path(sys.executable).parent / "epaper")  # the installed command (pyproject [project.scripts])
    with serve(site) as base_url:
        print(f"demo: serving it at {base_url}")
        # exit 4: everything was fetched but the health line warns (page 03 has no PDF; see README)
        _run([epaper,
            "crawl", "-a", "paper=demo", "-a", f"base_url={base_url}",
            "-a", "start=2025-03-17", "-a", "end=2025-03-19",
            "-s", f"ARCHIVE_DIR={archive}", "-s", f"INDEX_DIR={index}",
            "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING",
        ], ok=(0, 4))
    files = sorted(archive.rglob("*.jsonl"))
    print("demo: archive files:", *(f"  {p.relative_to(ROOT)}" for p in files), sep="\n")
    _run([epaper, "index", "build", "--index", str(index), str(archive)])
    search = [epaper, "search", "--index", str(index)]
    _run(search + ["董家口", "--limit", "5"])
    _run(search + ['"高质量发展"', "--limit", "5"])
    _run(search + ["项目 AND NOT 氢能", "--from", "2025-03-19", "--to", "2025-03-19", "--limit", "5"])
    _run(search + ['"董家口" AND pretitle:项目攻坚年', "--format", "jsonl", "--limit", "2"])
    print(f"\ndemo: done. To use the demo's archive and index from any folder (README examples included):\n"
          f"  . {Path(sys.executable).parent / 'activate'}\n"
          f"  export EPAPER_ARCHIVE={shlex.quote(str(archive))} EPAPER_INDEX={shlex.quote(str(index))}\n"
          f"  epaper search '\"董家口经济区\"'\n"
          f"or read the demo paper in a web browser (search, articles, KWIC, counts):\n"
          f"  epaper serve --index {shlex.quote(str(index.relative_to(ROOT)))}   # then open http://127.0.0.1:8000/")


if __name__ == "__main__":
    main()
