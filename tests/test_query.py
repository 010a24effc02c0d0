"""The query language parser and compiler."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from indexer.errors import QueryError
from indexer.query.language import (
    FIELDS,
    And,
    Leaf,
    Near,
    Not,
    Or,
    bounded,
    compile_query,
    literal_queries,
    parse,
    word_queries,
)


def word(text: str, field: str | None = None) -> Leaf:
    """An unquoted term."""
    return Leaf(text, quoted=False, field=field)


def phrase(text: str, field: str | None = None) -> Leaf:
    """A quoted term."""
    return Leaf(text, quoted=True, field=field)


@pytest.mark.parametrize(
    ("query", "ast"),
    [
        ("高质量发展", word("高质量发展")),
        ("新区 工委", And((word("新区"), word("工委")))),
        ("新区 AND 工委", And((word("新区"), word("工委")))),
        ("a OR b c", Or((word("a"), And((word("b"), word("c")))))),
        ("NOT a b", And((Not(word("a")), word("b")))),
        ("-广告", Not(word("广告"))),
        ("a -b", And((word("a"), Not(word("b"))))),
        ("(a OR b) c", And((Or((word("a"), word("b"))), word("c")))),
        ('"新区 工委"', phrase("新区 工委")),
        ('title:"人民共和" author:丁霞', And((phrase("人民共和", "title"), word("丁霞", "author")))),
        ("TITLE:港口", word("港口", "title")),
        ("page:1", word("1", "page")),
        ("时间：2025", word("时间：2025")),  # full-width colon is text
        ("2024-2026", word("2024-2026")),  # a hyphen inside a word is text
        ('"and" "or" "not"', And((phrase("and"), phrase("or"), phrase("not")))),  # quoted: the words
        ("董家口 and 项目", And((word("董家口"), word("项目")))),  # operators in any case
        ("董家口 or 氢能", Or((word("董家口"), word("氢能")))),
        ("董家口 Not 广告", And((word("董家口"), Not(word("广告"))))),
        ("title:and", word("and", "title")),  # a field's value is never an operator
        ('ab"cd"', And((word("ab"), phrase("cd")))),
        ("NOT NOT a", Not(Not(word("a")))),
        ("((a))", word("a")),
    ],
)
def test_parse(query: str, ast: object) -> None:
    assert parse(query) == ast


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty query"),
        ("   ", "empty query"),
        ('"新区工委', "unbalanced quotes"),
        ('a "b" "c', "unbalanced quotes"),
        ("(新区 工委", "unbalanced parentheses: missing ')'"),
        ("新区)", "unbalanced parentheses: unexpected ')'"),
        (")", "unbalanced parentheses: unexpected ')'"),
        ("foo:bar", "unknown field 'foo:'"),
        ("新区 AND", "dangling operator 'AND'"),
        ("OR 新区", "dangling operator 'OR'"),
        ("新区 OR OR 工委", "dangling operator 'OR'"),
        ("NOT", "dangling operator 'NOT'"),
        ("新区 -", "dangling operator '-'"),
        ("(NOT)", "dangling operator 'NOT'"),
        ("()", "empty parentheses"),
        ("title:", "field 'title:' must be followed by a word or a quoted phrase"),
        ('""', "empty quoted phrase"),
        ("董家口 NEAR/10 项目", "'NEAR/10' is not an operator"),
        ("董家口 W/x 项目", "'W/x' is not an operator"),
        ("董家口 pre/-1 项目", "'pre/-1' is not an operator"),
        ("董家口 W/ 项目", "'W/' is not an operator"),
        ("董家口 pre/ 项目", "'pre/' is not an operator"),
        ("董家口 NEAR 项目", "'NEAR' is not an operator"),
        ("董家口 and", "dangling operator 'AND'"),
        ("，。！？", "nothing to search for in '，。！？'"),
        ("董家口 ——", "nothing to search for in '——'"),
        ("title:……", "nothing to search for"),
    ],
)
def test_parse_errors_have_one_clear_line(query: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_field_lists_the_known_ones() -> None:
    with pytest.raises(QueryError) as caught:
        parse("http://example.com")
    for name in FIELDS:
        assert f"{name}:" in str(caught.value)


def test_plain_word_has_literal_and_word_queries() -> None:
    leaf = parse("高质量发展")
    assert wq.Phrase("body_c", list("高质量发展")) in literal_queries(leaf)
    assert len(literal_queries(leaf)) == 4  # pretitle, title, subtitle, body
    assert [[q.text for q in queries] for queries in word_queries(leaf)] == [["高质量"] * 4, ["发展"] * 4]
    compiled = compile_query("高质量发展")
    assert compiled.phrases == ["高质量发展"] and compiled.words == ["高质量", "发展"]
    assert compiled.has_words


def test_quoted_phrase_and_literal_fields_have_no_word_form() -> None:
    for query in ('"人民共和"', "author:丁霞", "page:要闻", "paper:xihaian"):
        assert word_queries(parse(query)) == []
        assert not compile_query(query).has_words


def test_field_prefix_limits_the_fields() -> None:
    assert literal_queries(parse("title:港口")) == [wq.Phrase("title_c", ["港", "口"])]
    assert word_queries(parse("title:港口")) == [[wq.Term("title", "港口")]]


def test_single_char_phrase_is_a_term() -> None:
    assert literal_queries(parse('title:"氢"')) == [wq.Term("title_c", "氢")]


def test_scoring_query_leaves_out_negated_terms() -> None:
    scoring = compile_query("港口 -新区").scoring_query()
    assert wq.Phrase("body_c", ["港", "口"]) in scoring.subqueries
    assert all("新" not in str(query) for query in scoring.subqueries)
    assert compile_query("-新区").scoring_query() is None


def test_negated_terms_are_not_highlighted() -> None:
    compiled = compile_query("新区 -港口 author:丁霞")
    assert compiled.phrases == ["新区"]
    assert compiled.words == ["新区"]


def test_page_number_is_zero_padded() -> None:
    assert wq.Term("page_no", "03") in literal_queries(parse("page:3"))
    assert wq.Term("page_no", "A03") in literal_queries(parse("page:A03"))


@pytest.mark.parametrize("query", ["董家口 w/10 项目", "董家口 W/10 项目", "董家口 pre/10 项目", "董家口 Pre/10 项目"])
def test_proximity_operators_in_any_case(query: str) -> None:
    node = parse(query)
    assert isinstance(node, Near) and node.distance == 10
    assert node.ordered == ("pre" in query.lower())
    assert (node.left.text, node.right.text) == ("董家口", "项目")


def test_near_miss_errors_name_the_accepted_forms() -> None:
    with pytest.raises(QueryError) as caught:
        parse("董家口 NEAR/10 项目")
    message = str(caught.value)
    for form in ("W/N", "PRE/N", "AND", "OR", "NOT"):
        assert form in message
    assert '"NEAR/10"' in message  # how to search for the text itself
    assert parse('董家口 "NEAR/10"') == And((word("董家口"), phrase("NEAR/10")))


def test_quoted_punctuation_is_searchable() -> None:
    assert parse('"，。"') == phrase("，。")


@pytest.mark.parametrize(("query", "expected"), [("AI", True), ("ai芯片", True), ("芯片AI", True), ("5G", True),
                                                   ("新区", False), ('"新区A"', True), ("page:A03", False),
                                                   ("author:Li", False), ("“AI”", False)])
def test_bounded_terms_are_those_with_a_latin_end(query: str, expected: bool) -> None:
    assert bounded(parse(query)) is expected
