"""Template-independent body and title of an article page, for when a platform's selectors find nothing.

GNE (GeneralNewsExtractor, made for Chinese news pages) picks the main-content element by text and punctuation
density; its paragraphs are then read from the page's own tree exactly as the body selectors' are
(crawler.text.element_paragraphs), so hard-wrapped lines join the same way and the output matches what a selector
would have given. GNE beat trafilatura on renamed-template variants of every fixture family: see
bench/bench_body_fallback.py and README.md ("Body fallback").
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from gne import ContentExtractor, TitleExtractor, pre_parse
from gne import config as gne_settings
from gne.defaults import USELESS_ATTR, USELESS_TAG
from lxml import etree
from parsel import Selector

from crawler.text import element_paragraphs, normalize_inline

NAME = "gne"  # the library behind the fallback, as extraction's provenance names it (rule "fallback:gne")
logger = logging.getLogger(__name__)
# GNE loads settings (a body XPath, noise nodes, ...) from a `.gne` file in the working directory at import: a
# crawl must read pages the same wherever it is started.
gne_settings.clear()

# Every element gets its document-order number, so GNE's choice in its cleaned copy names an element of the page.
_NUMBER = "data-epaper-n"
# A body has at least one sentence; navigation, date lines, page lists and title lists have none.
_SENTENCE = re.compile(r"[。！？!?]")
# Elements that hold paragraphs rather than being one (a leaf of these is a paragraph).
_BLOCKS = frozenset(("p", "div", "table", "tbody", "tr", "td", "ul", "ol", "li", "section", "article", "center",
                     "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"))
# The nearest of these above a photo is its box; a box with a short text and at most one <p> is photo and caption.
_PICTURE_BOX = frozenset(("table", "div", "figure", "p", "center"))
_CAPTION_MAX = 200  # characters (whitespace excluded) a photo box may hold and still be only a caption
_HEADINGS = etree.XPath("//h1|//h2|//h3|//h4|//h5|//h6")
_TITLE_SEPARATOR = re.compile(r"\s*(?:_|-|--|——|\|)\s*")
_BR = re.compile(r"<\s*/?\s*br\b[^>]*>", re.IGNORECASE)


def page_tree(html: str) -> Any:
    """The page's lxml root element, parsed as the platform extractors parse it (parsel's HTML parser)."""
    return Selector(text=html).root


def _elements(node: Any) -> list[Any]:
    """Elements under node (itself included), without comments and processing instructions."""
    return [el for el in node.iter() if isinstance(el.tag, str)]


def _text(node: Any) -> str:
    """All text under an element, whitespace removed (for comparing and measuring, not for output)."""
    return "".join("".join(node.itertext()).split())


def main_element(root: Any) -> Any:
    """The element of root's tree that GNE scores highest as the main content (None if it scores none); GNE
    scores a cleaned copy, so root is left as it was. Raises what GNE raises on a tree it cannot read."""
    elements = _elements(root)
    for number, element in enumerate(elements):
        element.set(_NUMBER, str(number))
    work = copy.deepcopy(root)
    etree.strip_tags(work, "br")  # as GNE's own parser does before scoring
    ranked = ContentExtractor().extract(pre_parse(work))
    for element in elements:
        del element.attrib[_NUMBER]
    if not ranked:
        return None
    return elements[int(ranked[0][1]["node"].get(_NUMBER))]


def _is_noise(element: Any) -> bool:
    """What GNE removes before scoring: page furniture tags, and class/id words like share, footer, nav, ad."""
    if element.tag in USELESS_TAG:
        return True
    words = re.split(r"[\s_-]+", f"{element.get('class', '')} {element.get('id', '')}".lower())
    return any(word in USELESS_ATTR for word in words)


def _drop(element: Any) -> None:
    """Remove an element and what it holds, keeping the text that follows it."""
    if element.getparent() is not None:
        element.drop_tree()


def _drop_pictures(node: Any) -> None:
    """Remove every photo with its caption: the photo's nearest box when that box is no more than that."""
    for img in list(node.iter("img")):
        box = next((a for a in img.iterancestors() if a.tag in _PICTURE_BOX or a is node), node)
        if box is not node and len(box.findall(".//p")) <= 1 and len(_text(box)) < _CAPTION_MAX:
            _drop(box)


def _has_sentence(node: Any) -> bool:
    """Whether any text under the element ends or contains a sentence."""
    return bool(_SENTENCE.search("".join(node.itertext())))


def _narrow(node: Any) -> Any:
    """The innermost element under node that still holds every sentence, as long as it holds paragraphs (so
    heading lines beside the body, such as a date line or a 副题 in <p>, stay out)."""
    while True:
        own = (node.text or "") + "".join(child.tail or "" for child in node)
        holders = [child for child in node if isinstance(child.tag, str) and _has_sentence(child)]
        if _SENTENCE.search(own) or len(holders) != 1:
            return node
        if not any(el.tag in _BLOCKS for el in holders[0].iterdescendants()):
            return node  # the one holder is a paragraph: its neighbours (byline, headings) are body too
        node = holders[0]


def content_paragraphs(node: Any) -> list[str]:
    """The body paragraphs of a page's main-content element (an lxml element of a tree the caller owns: page
    furniture and photo boxes are removed from it). [] when no paragraph holds a sentence."""
    for element in [el for el in _elements(node) if el is not node and _is_noise(el)]:
        _drop(element)
    _drop_pictures(node)
    node = _narrow(node)
    paragraphs = [node] if node.tag == "p" else node.findall(".//p")
    texts = element_paragraphs(paragraphs or [node])
    return texts if any(_SENTENCE.search(t) for t in texts) else []


def main_body(root: Any) -> tuple[Any, list[str]]:
    """(element, paragraphs): GNE's main-content element of root's tree (None when it finds none) and the body
    paragraphs read from it as main_paragraphs gives them. root is left as it was (the paragraphs are read from a
    copy), so the element can still serve to find the photos beside the body. Raises what GNE raises."""
    node = main_element(root)
    if node is None:
        return None, []
    return node, content_paragraphs(copy.deepcopy(node))


def main_paragraphs(html: str, url: str) -> list[str]:
    """The body paragraphs of an article page whatever its template: list of normalized paragraphs in page order
    (byline, dateline and jump markers still in, photo captions out), as the body selectors would give them.

    [] when the page has no body (no paragraph with a sentence in it) or cannot be read; never raises.
    `url` only names the page in debug messages.
    """
    try:
        return main_body(page_tree(html))[1]
    except Exception as exc:  # a broken page must cost its body, never the crawl
        logger.debug("body fallback: cannot read %s: %r", url, exc)
        return []


def main_title(html: str, url: str) -> str:
    """The article title whatever the template ('' if none or the page cannot be read; never raises): GNE's
    title, or the heading it was cut from when GNE kept the <title>'s site-name suffix. `url` is for messages."""
    try:
        work = page_tree(_BR.sub("", html))  # a headline set in two lines is one title (one text node)
        title = normalize_inline(TitleExtractor().extract(work) or "")
        headings = [text for h in _HEADINGS(work) if (text := normalize_inline("".join(h.itertext())))]
    except Exception as exc:
        logger.debug("title fallback: cannot read %s: %r", url, exc)
        return ""
    if title in headings:
        return title
    cut = next((h for h in headings if _TITLE_SEPARATOR.match(title, len(h)) and title.startswith(h)), "")
    return cut or title
