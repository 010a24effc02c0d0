"""Bylines, datelines and kinds parsed out of body paragraphs."""

import pytest

from crawler.bylines import classify, normalize_author, parse_byline, split_article_text
from crawler.pipelines.fields import article_fields


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("□记者 仪博文 报道", ["仪博文"]),
        ("□本报记者 董梅雪", ["董梅雪"]),
        ("本报记者 张晓", ["张晓"]),
        ("■ 李明", ["李明"]),
        ("（记者 王五 通讯员 赵六）", ["王五", "赵六"]),
        ("(记者 王五)", ["王五"]),
        ("记者 文静 摄", ["文静"]),
        ("新华社记者 张三 李四", ["张三", "李四"]),
        ("□记者 刘洋 通讯员 孙晓 报道", ["刘洋", "孙晓"]),
        ("文/图 张三", ["张三"]),
        ("本报记者 买买提·艾力", ["买买提·艾力"]),
    ],
)
def test_bylines(text, names):
    assert parse_byline(text) == names


@pytest.mark.parametrize(
    "text",
    ["孙永红对客人的到来表示欢迎。", "记者从市里获悉", "本报讯 3月14日", "", "会议强调", "（下转第二版）",
     "□" + "很长的一段文字" * 10],
)
def test_not_bylines(text):
    assert parse_byline(text) is None


@pytest.mark.parametrize(
    ("first", "dateline", "rest"),
    [
        ("本报3月18日讯 今天上午，西海岸", "本报3月18日讯", "今天上午，西海岸"),
        ("本报讯 3月14日，青岛市", "本报讯", "3月14日，青岛市"),
        ("新华社北京3月18日电 国务院", "新华社北京3月18日电", "国务院"),
        ("本报北京3月18日电 记者从", "本报北京3月18日电", "记者从"),
        ("本报记者近日从市电力公司获悉", "", "本报记者近日从市电力公司获悉"),
    ],
)
def test_datelines(first, dateline, rest):
    text = split_article_text([first, "第二段。"])
    assert (text.dateline, text.paragraphs) == (dateline, [rest, "第二段。"])


def test_byline_paragraph_is_removed_from_body():
    text = split_article_text(["□记者 仪博文 报道", "本报3月18日讯 今天上午。", "第二段。"])
    assert (text.byline, text.names, text.paragraphs) == ("□记者 仪博文 报道", ["仪博文"], ["今天上午。", "第二段。"])


def test_byline_in_brackets_after_dateline():
    text = split_article_text(["本报讯（记者 王五 通讯员 赵六）3月14日，青岛。"])
    assert (text.dateline, text.byline, text.names) == ("本报讯", "（记者 王五 通讯员 赵六）", ["王五", "赵六"])
    assert text.paragraphs == ["3月14日，青岛。"]


def test_byline_as_last_paragraph():
    text = split_article_text(["正文。", "（记者 张三）"])
    assert (text.byline, text.paragraphs) == ("（记者 张三）", ["正文。"])


@pytest.mark.parametrize(
    ("site", "normalized"),
    [("刘洋 孙晓", "刘洋、孙晓"), ("本报记者 刘洋", "刘洋"), ("仪博文", "仪博文"), ("Xinhua", "Xinhua")],
)
def test_site_author_normalized(site, normalized):
    assert normalize_author(site) == normalized


@pytest.mark.parametrize(
    ("title", "body", "page_name", "kind"),
    [("广告", "", "", "ad"), ("某某楼盘", "欢迎垂询", "广告", "ad"), ("今日导读", "新区推动退役军人就业", "", "guide"),
     ("关于停水的通知", "", "", "notice"), ("新区召开大会", "正文", "要闻", "article")],
)
def test_kinds(title, body, page_name, kind):
    assert classify(title, body, page_name) == kind


def test_author_from_byline_when_the_site_has_none():
    fields = article_fields({"title": "t", "author": "", "body": "□记者 刘洋 通讯员 孙晓 报道\n本报讯 正文。"})
    assert (fields["author"], fields["dateline"], fields["body"]) == ("刘洋、孙晓", "本报讯", "正文。")


def test_site_author_wins_over_byline():
    fields = article_fields({"title": "t", "author": "仪博文", "body": "□记者 丁霞 报道\n正文。"})
    assert (fields["author"], fields["byline"]) == ("仪博文", "□记者 丁霞 报道")
