"""normalize_text: the one function every platform's text goes through."""

from pathlib import Path

import pytest

from crawler.text import normalize_body, normalize_inline, normalize_paragraphs, normalize_text

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_ded83a70d0bdf8dd.txt"


def test_joins_hard_wrap_between_cjk_without_space():
    assert normalize_text("今天上午，西\n海岸新区工委书记") == "今天上午，西海岸新区工委书记"


def test_joins_hard_wrap_between_latin_words_with_space():
    assert normalize_text("<p>Qingdao West\nCoast</p>") == "Qingdao West Coast"


def test_hyphen_wrap_in_year_range_is_joined():
    assert normalize_text("《方案（2024-\n2026年）》") == "《方案（2024-2026年）》"


def test_drops_full_width_indent_and_splits_paragraphs():
    assert normalize_text("<P>　　第一段。</P><P>　　第二段。</P>") == "第一段。\n第二段。"


def test_br_is_a_paragraph_break():
    assert normalize_text("第一段。<br/>第二段。<BR>第三段。") == "第一段。\n第二段。\n第三段。"


def test_decodes_entities():
    assert normalize_text("&ldquo;活水&rdquo;&nbsp;&amp;") == "“活水” &"


def test_collapses_whitespace_runs():
    assert normalize_text("发展。 \t　 （下转第二版）") == "发展。 （下转第二版）"


def test_drops_empty_paragraphs_and_comments():
    assert normalize_paragraphs("<p> </p><!-- x --><p>　　</p><p>正文</p>") == ["正文"]


def test_never_changes_characters():
    raw = "镕堃喆“”《》・·—…１２３ABC"
    assert normalize_text(raw) == raw


def test_inline_joins_paragraphs_with_space():
    assert normalize_inline("<p>孙永红会见交通银行</p><p>青岛分行客人</p>") == "孙永红会见交通银行 青岛分行客人"


@pytest.mark.skipif(not SEED.exists(), reason="seed page not beside the checkout")
def test_seed_page_text_unwraps_mid_word():
    text = normalize_text(SEED.read_text(encoding="utf-8"))
    assert "今天上午，西海岸新区工委书记、区委书记孙永红会见了交通银行青岛分行党委书记周曦一行。" in text
    assert "\n孙永红对客人的到来表示欢迎，" in text
    assert "西\n海岸" not in text


def test_wrap_inside_a_number_is_joined():
    assert normalize_text("苗木200\n0余株") == "苗木2000余株"


def test_normalize_body_keeps_paragraph_lines_and_is_idempotent():
    body = normalize_text("<P>　　第一\n段。</P><P>　　第二段&nbsp;。</P>")
    assert normalize_body(body) == body == "第一段。\n第二段 。"
    assert normalize_body(" a \n\n　b ") == "a\nb"


@pytest.mark.parametrize("text", ["清洁的文本", "a b", "“活水”", "x\u3000y", " lead", "trail ", "a  b", "a&amp;b",
                                  "a<br>b", "a\nb", "a\x0bb", "a\u2028b", "a\x85b", "A\u00a0B", "a\u2003b", "a\u202fb"])
def test_inline_fast_path_agrees_with_the_full_normalization(text):
    assert normalize_inline(text) == " ".join(normalize_paragraphs(text))


# element_paragraphs reads paragraphs from lxml trees; it must give exactly what normalize_paragraphs gives
# for the same elements' serialized HTML (the extraction used to serialize every <p> and split that).
_TAGS = ["p", "br", "div", "span", "b", "li", "h2", "td", "img", "font", "script", "hr"]
_TEXTS = ["第一段。", "西\n海岸", "Qingdao\nWest", "　　缩进", "&amp;", " ", "\r\n", "a  b", "<", "（下转第二版）",
          "\xa0", ""]


def _fragment(draw, depth: int) -> str:
    """A random HTML fragment of the tags and texts above (may be malformed, as real pages are)."""
    from hypothesis import strategies as st

    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(st.sampled_from(_TAGS))
            attribute = draw(st.sampled_from(["", ' class="x"', ' style="a<b"']))
            parts.append(f"<{tag}{attribute}>{_fragment(draw, depth + 1)}</{tag}>")
        else:
            parts.append(draw(st.sampled_from(_TEXTS)))
    return "".join(parts)


def test_element_paragraphs_equal_normalize_paragraphs_of_the_html() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from lxml import etree
    from parsel import Selector

    from crawler.text import element_paragraphs

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def check(data) -> None:
        html = f"<html><body><div id='body'>{_fragment(data.draw, 0)}</div></body></html>"
        root = Selector(text=html).root
        paragraphs = root.xpath("//div[@id='body']//p") or root.xpath("//div[@id='body']")
        expected = [text for element in paragraphs for text in normalize_paragraphs(
            etree.tostring(element, method="html", encoding="unicode", with_tail=False))]
        assert element_paragraphs(paragraphs) == expected

    check()
