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
