"""Bylines, datelines and kinds parsed out of body paragraphs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
        ("（湖北日报全媒记者 仪博文 通讯员 丁霞 董梅雪 摄）", ["仪博文", "丁霞", "董梅雪"]),
        ("(楚天都市报融媒记者 刘洋、孙晓 摄)", ["刘洋", "孙晓"]),
        ("湖北日报全媒体记者 赵堃 通讯员 王喆", ["赵堃", "王喆"]),
        ("本报驻京记者 陈镕", ["陈镕"]),
        ("新华社见习记者 买买提·艾力 摄", ["买买提·艾力"]),
        ("（本报记者 刘堃摄）", ["刘堃"]),
        ("□ 湖北日报评论员", ["湖北日报评论员"]),
        ("本报评论员", ["本报评论员"]),
        ("新华社评论员", ["新华社评论员"]),
        ("本报特约评论员 孙晓", ["孙晓"]),
    ],
)
def test_bylines(text, names):
    assert parse_byline(text) == names


@pytest.mark.parametrize(
    "text",
    ["孙永红对客人的到来表示欢迎。", "记者从市里获悉", "本报讯 3月14日", "", "会议强调", "（下转第二版）",
     "□" + "很长的一段文字" * 10, "记者手记", "记者获悉", "（全文完）", "（新华社）", "(孙永红)",
     "新华社记者近日获悉，新区金融业呈现快速发展态势。", "本报评论员指出，要继续加大对新区科技创新的支持。",
     "湖北日报评论员文章", "（记者从市里获悉）"],
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
        ("据新华社北京2月10日电 国务院", "据新华社北京2月10日电", "国务院"),
        ("据新华社电 国务院", "据新华社电", "国务院"),
        ("据新华社电国务院", "据新华社电", "国务院"),
        ("据人民日报 新区金融业", "据人民日报", "新区金融业"),
        ("据《人民日报》 新区金融业", "据《人民日报》", "新区金融业"),
        ("湖北日报讯 今天上午", "湖北日报讯", "今天上午"),
        ("本报北京讯 今天上午", "本报北京讯", "今天上午"),
        ("本报3月18日电 今天上午", "本报3月18日电", "今天上午"),
        ("据新华社报道，国务院", "", "据新华社报道，国务院"),
        ("据人民日报报道，新区金融业", "", "据人民日报报道，新区金融业"),
        ("据人民日报 报道，新区金融业", "", "据人民日报 报道，新区金融业"),
        ("本报通讯员近日从市里获悉", "", "本报通讯员近日从市里获悉"),
        ("新华社北京电视台报道", "", "新华社北京电视台报道"),
        ("新华社消息，国务院", "", "新华社消息，国务院"),
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


@pytest.mark.parametrize(
    ("paragraphs", "byline", "dateline", "names", "body"),
    [
        (["正文。", "（湖北日报全媒记者 仪博文 通讯员 丁霞 董梅雪 摄）"],
         "（湖北日报全媒记者 仪博文 通讯员 丁霞 董梅雪 摄）", "", ["仪博文", "丁霞", "董梅雪"], ["正文。"]),
        (["正文。（湖北日报全媒记者 仪博文 通讯员 丁霞、董梅雪 摄）"],
         "（湖北日报全媒记者 仪博文 通讯员 丁霞、董梅雪 摄）", "", ["仪博文", "丁霞", "董梅雪"], ["正文。"]),
        (["正文。", "（据新华社北京2月10日电）"], "", "据新华社北京2月10日电", [], ["正文。"]),
        (["正文。(据新华社电)"], "", "据新华社电", [], ["正文。"]),
        (["正文。", "（据人民日报）"], "", "据人民日报", [], ["正文。"]),
        (["正文。", "（据《人民日报》）"], "", "据《人民日报》", [], ["正文。"]),
        (["正文。（据新华社北京2月10日电）", "（记者 刘洋 摄）"], "（记者 刘洋 摄）", "据新华社北京2月10日电", ["刘洋"],
         ["正文。"]),
        (["□记者 刘洋 报道", "本报讯 正文。（记者 刘洋 孙晓 摄）"], "□记者 刘洋 报道 （记者 刘洋 孙晓 摄）", "本报讯",
         ["刘洋", "孙晓"], ["正文。"]),
        (["□ 湖北日报评论员", "正文。"], "□ 湖北日报评论员", "", ["湖北日报评论员"], ["正文。"]),
    ],
    ids=["credit", "credit-glued", "closing-dateline", "closing-glued-halfwidth", "source", "source-book-marks",
         "dateline-then-credit", "opening-and-closing", "collective"],
)
def test_closing_bylines_and_datelines(paragraphs, byline, dateline, names, body):
    text = split_article_text(paragraphs)
    assert (text.byline, text.dateline, text.names, text.paragraphs) == (byline, dateline, names, body)


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["第一段。", "活动现场（记者 仪博文 摄）气氛热烈。"],  # a parenthetical in the middle of a paragraph
        ["第一段。", "孙永红会见了交通银行青岛分行党委书记周曦（右）"],  # a group without a role word
        ["第一段。", "据悉，本报记者仪博文和通讯员丁霞参加了活动。"],  # mentions 记者 and 通讯员
        ["新华社记者在现场看到，氢能大厦正式启用。", "第二段（完）"],
        ["第一段。", "此前新华社曾报道此事（据新华社报道称）。"],
        ["第一段。", "（全文完）"],
    ],
)
def test_body_paragraphs_that_look_like_bylines_stay(paragraphs):
    text = split_article_text(paragraphs)
    assert (text.paragraphs, text.byline, text.dateline) == (paragraphs, "", "")


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
     ("关于停水的通知", "", "", "notice"), ("新区召开大会", "正文", "要闻", "article"),
     ("青岛某资产管理公司债权处置公告", "正文", "要闻", "notice"), ("遗失声明", "正文", "", "notice"),
     ("拍卖公告", "正文", "要闻", "notice"), ("寻人启事", "正文", "", "notice"),
     ("关于停水的通告", "正文", "", "notice"),
     ("某公司减资公告 第2号", "正文", "", "notice"), ("公告（第3号）", "正文", "", "notice"),
     ("西海岸新区建设项目公示", "正文", "要闻", "notice"), ("广告经营许可证遗失声明", "正文", "广告", "notice"),
     ("市政府发布公告", "正文", "要闻", "article"), ("公告发布后市民踊跃参与", "正文", "", "article"),
     ("新区召开公告工作会", "正文", "", "article"), ("市政府发布《禁燃公告》", "正文", "", "article"),
     ("“遗失声明”背后的故事", "正文", "", "article"), ("中俄联合声明", "正文", "要闻", "article")],
)
def test_kinds(title, body, page_name, kind):
    assert classify(title, body, page_name) == kind


def test_author_from_byline_when_the_site_has_none():
    fields = article_fields({"title": "t", "author": "", "body": "□记者 刘洋 通讯员 孙晓 报道\n本报讯 正文。"})
    assert (fields["author"], fields["dateline"], fields["body"]) == ("刘洋、孙晓", "本报讯", "正文。")


@pytest.mark.parametrize(
    ("body", "author", "byline", "dateline", "text"),
    [
        ("正文。\n（湖北日报全媒记者 仪博文 通讯员 丁霞 董梅雪 摄）", "仪博文、丁霞、董梅雪",
         "（湖北日报全媒记者 仪博文 通讯员 丁霞 董梅雪 摄）", "", "正文。"),
        ("□ 湖北日报评论员\n正文。", "湖北日报评论员", "□ 湖北日报评论员", "", "正文。"),
        ("据新华社北京2月10日电 正文。", "", "", "据新华社北京2月10日电", "正文。"),
    ],
)
def test_article_fields_of_real_paper_forms(body, author, byline, dateline, text):
    fields = article_fields({"title": "t", "author": "", "body": body})
    assert (fields["author"], fields["byline"], fields["dateline"], fields["body"]) == (author, byline, dateline, text)


def test_site_author_wins_over_byline():
    fields = article_fields({"title": "t", "author": "仪博文", "body": "□记者 丁霞 报道\n正文。"})
    assert (fields["author"], fields["byline"]) == ("仪博文", "□记者 丁霞 报道")


# Generated articles: the body is sentences of our seed front page (some merely mention 记者, 新华社 or hold a
# parenthetical), wrapped in the bylines and datelines real papers print around it.
SENTENCES = [
    "孙永红对客人的到来表示欢迎，并简要介绍了新区经济社会发展情况。",
    "周曦表示，交通银行青岛分行将继续发挥自身优势，更好助力新区高质量发展。",
    "青岛市氢能产业园是新区四个新兴产业专业园区之一。",
    "记者从市里获悉，新区金融业呈现快速发展态势。",
    "据新华社报道，各类金融业态加速集聚。",
    "本报记者近日从泊里镇获悉，便民服务点同步启用。",
    "氢能大厦（启用）活动举行，氢能国际会客厅正式启用。",
    "活动现场（记者 仪博文 摄）气氛热烈。",
    "会议明确了2025年董家口经济区的“1531”发展思路。",
]
NAMES = ["仪博文", "丁霞", "董梅雪", "孙晓", "刘洋", "赵堃", "王喆", "陈镕", "买买提·艾力"]
ORGS = ["", "本报", "湖北日报", "新华社", "楚天都市报", "西海岸新闻网"]
ROLES = ["记者", "全媒记者", "融媒记者", "全媒体记者", "见习记者", "首席记者"]

names_st = st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True)


@st.composite
def byline_st(draw, closing: bool = False) -> tuple[str, list[str]]:
    """A printed byline and its names: [mark] org+role names [通讯员 names] [报道/摄], maybe in brackets."""
    writers, helpers = draw(names_st), draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))
    helpers = [n for n in helpers if n not in writers]
    sep = draw(st.sampled_from([" ", "、"]))
    parts = [draw(st.sampled_from(ORGS)) + draw(st.sampled_from(ROLES)), sep.join(writers)]
    if helpers:
        parts += ["通讯员", sep.join(helpers)]
    verb = draw(st.sampled_from(["摄"] if closing else ["", "报道", "摄"]))
    text = " ".join(parts + ([verb] if verb else []))
    if closing or draw(st.booleans()):
        text = draw(st.sampled_from(["（{}）", "({})"])).format(text)
    elif draw(st.booleans()):
        text = draw(st.sampled_from(["□", "□ ", "■"])) + text
    return text, writers + helpers


DATELINES = ["本报讯", "本报3月18日讯", "新华社北京3月18日电", "据新华社北京2月10日电", "据新华社电", "据人民日报",
             "湖北日报讯"]
CLOSING_DATELINES = ["据新华社北京2月10日电", "据新华社电", "据人民日报", "据《人民日报》"]
COLLECTIVES = ["□ 湖北日报评论员", "本报评论员", "新华社评论员", "■本报特约评论员"]


@st.composite
def article_st(draw) -> tuple[list[str], list[str], list[str], str, list[str]]:
    """(printed paragraphs, expected body, expected names, expected dateline, expected byline parts)."""
    body = draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4))
    printed, names, datelines, bylines = list(body), [], [], []
    opening = draw(st.sampled_from(["", "byline", "collective"]))
    if opening == "collective":
        collective = draw(st.sampled_from(COLLECTIVES))
        bylines.append(collective)
        names.append(collective.lstrip("□■ "))
    elif opening == "byline":
        text, opening_names = draw(byline_st())
        bylines.append(text)
        names += opening_names
    if dateline := draw(st.sampled_from(["", *DATELINES])):
        datelines.append(dateline)
        bracket = ""
        if not bylines and dateline != "据人民日报" and draw(st.booleans()):
            bracket, bracket_names = draw(byline_st())
            if not bracket.startswith(("（", "(")):
                bracket = f"（{bracket.lstrip('□■ ')}）"
            names += bracket_names
            bylines.append(bracket)
        # a source without 电 stands apart from the text (据人民日报报道，… is a sentence)
        space = " " if dateline == "据人民日报" and not bracket else draw(st.sampled_from(["", " "]))
        printed[0] = f"{dateline}{bracket}{space}{printed[0]}"
    closing: list[str] = []
    if draw(st.booleans()):
        closing_dateline = draw(st.sampled_from(CLOSING_DATELINES))
        closing.append(f"（{closing_dateline}）")
        datelines.append(closing_dateline)
    if draw(st.booleans()):
        credit, credit_names = draw(byline_st(closing=True))
        closing.append(credit)
        names += [n for n in credit_names if n not in names]
    for piece in closing:  # a closing piece is its own paragraph or ends the last one
        if draw(st.booleans()):
            printed.append(piece)
        else:
            printed[-1] += piece
        if not piece.startswith(("（据", "(据")):
            bylines.append(piece)
    if opening:
        printed.insert(0, bylines[0])
    return printed, body, names, " ".join(datelines), bylines


@settings(max_examples=300, deadline=None)
@given(article=article_st())
def test_generated_articles_split_exactly(article):
    printed, body, names, dateline, bylines = article
    text = split_article_text(printed)
    assert text.paragraphs == body
    assert (text.names, text.dateline) == (names, dateline)
    assert text.byline == " ".join(bylines)


FRAGMENTS = SENTENCES + NAMES + DATELINES + [
    "□", "■ ", "（", "）", "(", ")", " ", "记者", "通讯员", "新华社", "湖北日报全媒记者", "评论员", "据", "本报讯",
    "电", "摄", "报道", "3月18日", "北京", "、"]


def _squeeze(text: str) -> str:
    """Text without whitespace (splitting drops the spaces around what it takes off)."""
    return "".join(text.split())


@settings(max_examples=400, deadline=None)
@given(paragraphs=st.lists(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6).map("".join).map(str.strip)
                           .filter(bool), max_size=5))
def test_splitting_never_loses_or_invents_text(paragraphs):
    """What is taken off plus what stays is the input, in order: nothing lost, nothing made up."""
    text = split_article_text(paragraphs)
    rebuilt = text.printed_before + text.paragraphs + text.printed_after
    assert _squeeze("".join(rebuilt)) == _squeeze("".join(paragraphs))
    for kept in text.paragraphs:
        assert any(kept in original for original in paragraphs)
    for piece in text.printed_before + text.printed_after:
        assert piece and (piece in text.byline or piece.strip("（()）") in text.dateline)
