"""Body fallback benchmark: trafilatura against GNE on article pages whose body element no selector finds.

The corpus is tests/sites/body_variants.py: every article page of the four fixture papers (Founder classic, new-i,
new-ii, nbs) with its body element renamed, wrapped in layout tables, flanked by a side column (page list, other
titles, 今日导读) and a footer, or written as <br> lines; in UTF-8 and in GBK. Pages are decoded as the crawler
decodes them (crawler.encoding.response_text); each extractor then gets the page's text and URL.

Per extractor: paragraph precision and recall (the mean over pages of each page's share of returned paragraphs
that are expected, and of expected paragraphs that are returned; a page expected empty that comes back empty
counts 1), exact bodies (the paragraph list equals the expected one), pages where any page furniture, title,
page label or caption came out as a paragraph, and milliseconds per page (the fastest of --repeat runs). Then
exact bodies per variant and per family, and title accuracy. Prints the command that reproduces it.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere

import trafilatura  # noqa: E402
from gne import GeneralNewsExtractor, TitleExtractor, html2element  # noqa: E402
from lxml import etree  # noqa: E402
from scrapy.http import HtmlResponse  # noqa: E402

from crawler.encoding import response_text  # noqa: E402
from crawler.platforms import fallback  # noqa: E402
from crawler.text import element_paragraphs, normalize_inline  # noqa: E402
from tests.sites.body_variants import ENCODINGS, VARIANTS, VariantPage, variant_pages  # noqa: E402

Extractor = Callable[[str, str], list[str]]


def _lines(text: str | None) -> list[str]:
    """Non-empty stripped lines of an extractor's plain-text output."""
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


def _squashed(text: str) -> str:
    """Text without any whitespace, to find a block of extracted text among the page's elements."""
    return "".join(text.split())


def trafilatura_text(html: str, url: str) -> list[str]:
    """trafilatura as it comes: its text output, one paragraph a line."""
    return _lines(trafilatura.extract(html, url=url, include_comments=False))


def _trafilatura_elements(html: str, url: str) -> tuple[list[object], list[str]]:
    """(page elements, unmatched blocks): trafilatura's text blocks found again among the page's own elements
    (its own output joins hard-wrapped lines with spaces, which no later step can undo)."""
    xml = trafilatura.extract(html, url=url, include_comments=False, output_format="xml")
    if not xml:
        return [], []
    doc = etree.fromstring(xml.encode("utf-8"))
    blocks = [b for el in doc.iter("p", "head", "item", "cell", "quote") if (b := _squashed("".join(el.itertext())))]
    elements: dict[str, object] = {}
    for el in fallback.page_tree(html).iter():
        if isinstance(el.tag, str) and el.tag not in ("html", "body"):
            key = _squashed("".join(el.itertext()))
            if key and (key not in elements or el.tag == "p"):
                elements[key] = el
    found = [elements[b] for b in blocks if b in elements]
    return found, [b for b in blocks if b not in elements]


def trafilatura_read(html: str, url: str) -> list[str]:
    """trafilatura's blocks read by crawler.text as the selectors read a body (unmatched blocks as they come)."""
    found, unmatched = _trafilatura_elements(html, url)
    return element_paragraphs(found) + [normalize_inline(b) for b in unmatched]


def trafilatura_rules(html: str, url: str) -> list[str]:
    """The innermost element holding all of trafilatura's blocks, read with the fallback's rules (as GNE's is)."""
    found, _unmatched = _trafilatura_elements(html, url)
    if not found:
        return []
    chains = [[el, *el.iterancestors()] for el in found]
    common = next(el for el in chains[0] if all(el in chain for chain in chains[1:]))
    return fallback.content_paragraphs(common)


def gne_text(html: str, url: str) -> list[str]:
    """GNE as it comes: its content text, one paragraph a line ([] when it finds no content)."""
    try:
        return _lines(GeneralNewsExtractor().extract(html)["content"])
    except Exception:  # GNE raises NoContentException on a page it cannot score
        return []


def gne_read(html: str, url: str) -> list[str]:
    """GNE's content element, read by crawler.text with none of the fallback's rules (all its <p>, or its text)."""
    node = fallback.main_element(fallback.page_tree(html))
    if node is None:
        return []
    paragraphs = [node] if node.tag == "p" else node.findall(".//p")
    return element_paragraphs(paragraphs or [node])


EXTRACTORS: dict[str, Extractor] = {
    "trafilatura text": trafilatura_text,
    "trafilatura + crawler.text": trafilatura_read,
    "trafilatura + fallback rules": trafilatura_rules,
    "gne text": gne_text,
    "gne + crawler.text": gne_read,
    "fallback.main_paragraphs": fallback.main_paragraphs,
}


def trafilatura_title(html: str, url: str) -> str:
    """trafilatura's metadata title."""
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    return normalize_inline(doc.title or "") if doc else ""


def gne_title(html: str, url: str) -> str:
    """GNE's title, as GeneralNewsExtractor computes it (<br> removed before parsing)."""
    return normalize_inline(TitleExtractor().extract(html2element(html)) or "")


TITLES: dict[str, Callable[[str, str], str]] = {
    "trafilatura": trafilatura_title,
    "gne": gne_title,
    "fallback.main_title": fallback.main_title,
}


class Tally:
    """Sums over pages for one extractor (and one slice of the corpus)."""

    def __init__(self) -> None:
        self.pages = self.exact = self.noisy = 0
        self.precision = self.recall = self.seconds = 0.0

    def add(self, page: VariantPage, got: list[str], seconds: float) -> None:
        """Count one page's result."""
        expected, returned = set(page.paragraphs), set(got)
        hits = len(expected & returned)
        self.precision += hits / len(returned) if returned else float(not expected)
        self.recall += hits / len(expected) if expected else float(not returned)
        self.exact += got == page.paragraphs
        self.noisy += bool(returned & page.noise)
        self.pages += 1
        self.seconds += seconds


def decoded(page: VariantPage) -> str:
    """The page's text as the crawler decodes its bytes (no charset header: the page's meta decides)."""
    return response_text(HtmlResponse(url=page.url, body=page.body, headers={"Content-Type": "text/html"}))


def measure(pages: list[VariantPage], repeat: int = 1, show_failures: int = 0) -> dict[tuple[str, str], Tally]:
    """Run every extractor on every page `repeat` times (the fastest run's time counts; results do not vary):
    tallies by (extractor, "all" | variant | family)."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    texts = [decoded(page) for page in pages]
    for name, extract in EXTRACTORS.items():
        shown = 0
        for page, html in zip(pages, texts, strict=True):
            seconds = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                got = extract(html, page.url)
                seconds = min(seconds, time.perf_counter() - start)
            for key in ("all", page.variant, page.family):
                tallies[name, key].add(page, got, seconds)
            if got != page.paragraphs and shown < show_failures:
                shown += 1
                print(f"  {name} on {page.name}: expected {page.paragraphs[:2]}..., got {got[:2]}...")
    return tallies


def title_accuracy(pages: list[VariantPage]) -> dict[str, int]:
    """Exact titles per title extractor."""
    texts = [decoded(page) for page in pages]
    return {name: sum(extract(html, page.url) == page.title for page, html in zip(pages, texts, strict=True))
            for name, extract in TITLES.items()}


def main(argv: list[str] | None = None) -> int:
    """CLI: measure and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--encodings", nargs="+", choices=list(ENCODINGS), default=list(ENCODINGS))
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="runs per page; the fastest is timed")
    parser.add_argument("--failures", type=int, default=0, metavar="N", help="print up to N misses per extractor")
    args = parser.parse_args(argv)

    pages = variant_pages(args.variants, args.encodings)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    tallies = measure(pages, args.repeat, args.failures)
    print(f"\nBody fallback on {len(pages)} article pages whose body no selector finds "
          f"(variants: {', '.join(args.variants)}; encodings: {', '.join(args.encodings)})\n")
    print(f"{'extractor':<30} {'precision':>9} {'recall':>7} {'exact':>11} {'noisy':>6} {'ms/page':>8}")
    for name in EXTRACTORS:
        t = tallies[name, "all"]
        print(f"{name:<30} {t.precision / t.pages:>9.3f} {t.recall / t.pages:>7.3f} "
              f"{f'{t.exact}/{t.pages}':>11} {t.noisy:>6} {1000 * t.seconds / t.pages:>8.1f}")
    for label, keys in (("variant", args.variants), ("family", sorted({p.family for p in pages}))):
        print(f"\nexact bodies by {label}")
        print(f"{'extractor':<30} " + " ".join(f"{k:>9}" for k in keys))
        for name in EXTRACTORS:
            cells = (tallies[name, k] for k in keys)
            print(f"{name:<30} " + " ".join(f"{f'{t.exact}/{t.pages}':>9}" for t in cells))
    print("\nexact titles")
    for name, right in title_accuracy(pages).items():
        print(f"{name:<30} {right}/{len(pages)}")
    print("\nreproduce: .venv/bin/python bench/bench_body_fallback.py "
          + shlex.join(["--variants", *args.variants, "--encodings", *args.encodings, "--repeat", str(args.repeat)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
