"""（下转…）/（上接…） markers and the linking of the halves of continued articles."""

import pytest

from crawler.continuations import chinese_number, join_parts, label_page, link_continuations, strip_jump_markers


@pytest.mark.parametrize(("text", "number"), [("二", 2), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105)])
def test_chinese_numbers(text, number):
    assert chinese_number(text) == number


@pytest.mark.parametrize(
    ("label", "page"), [("第二版", ("", 2)), ("A3版", ("A", 3)), ("第04版", ("", 4)), ("第十二版", ("", 12)),
                        ("B10版", ("B", 10))],
)
def test_label_page(label, page):
    assert label_page(label) == page


def test_strip_markers():
    body, to, frm = strip_jump_markers(["（上接第一版）特殊业务", "常规业务“就地办”、（下转A3版）"])
    assert (body, to, frm) == (["特殊业务", "常规业务“就地办”、"], "A3版", "第一版")


def test_marker_alone_in_a_paragraph_leaves_no_empty_paragraph():
    assert strip_jump_markers(["正文。", "（下转第二版）"]) == (["正文。"], "第二版", "")


def test_marker_after_byline_paragraph():
    assert strip_jump_markers(["□记者 丁霞 报道", "（上接第一版）正文"]) == (["□记者 丁霞 报道", "正文"], "", "第一版")


def test_join_mid_sentence_without_break():
    assert join_parts("通过常规业务“就地办”、", "特殊业务“帮代办”。") == "通过常规业务“就地办”、特殊业务“帮代办”。"
    assert join_parts("加快平台开发建设。", "城市更新") == "加快平台开发建设。\n城市更新"
    assert join_parts("他说：“好。”", "下文") == "他说：“好。”\n下文"


def article(id_, page_no, title, body="正文", jump_to="", jump_from="", position=0):
    return {"type": "article", "id": id_, "page_no": page_no, "title": title, "body": body, "jump_to": jump_to,
            "jump_from": jump_from, "position": position}


def test_link_by_page_and_title():
    records = [
        article("a", "01", "以项目之“进”聚发展之“势”", "前半。", jump_to="第二版"),
        article("b", "01", "孙永红会见客人", "前半、", jump_to="第二版", position=1),
        article("c", "02", "孙永红会见客人", "后半。", jump_from="第一版"),
        article("d", "02", "以项目之“进”聚发展之“势”", "后半二。", jump_from="第一版", position=1),
        article("e", "03", "以项目之“进”聚发展之“势”", "别的版。", jump_from="第一版"),
    ]
    link_continuations(records)
    by_id = {r["id"]: r for r in records}
    assert (by_id["a"]["continued_on"], by_id["d"]["continued_from"]) == ("d", "a")
    assert (by_id["b"]["continued_on"], by_id["c"]["continued_from"]) == ("c", "b")
    assert by_id["a"]["full_body"] == "前半。\n后半二。"
    assert by_id["b"]["full_body"] == "前半、后半。"
    assert by_id["e"]["continued_from"] == "" and by_id["c"]["full_body"] == ""


def test_single_candidate_links_even_with_a_different_title():
    records = [article("a", "A1", "长标题", jump_to="A3版"), article("b", "A03", "短", jump_from="A1版")]
    link_continuations(records)
    assert records[0]["continued_on"] == "b"


def test_no_candidate_on_the_named_page_links_nothing():
    records = [article("a", "01", "标题", jump_to="第二版"), article("b", "03", "标题", jump_from="第一版")]
    link_continuations(records)
    assert records[0]["continued_on"] == "" and records[0]["full_body"] == ""
