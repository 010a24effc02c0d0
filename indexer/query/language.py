"""Our query language: parse a query string into an AST and compile it to Whoosh queries.

Grammar (NOT binds tighter than AND, AND tighter than OR; juxtaposition is AND)::

    query   := or_expr
    or_expr := and_expr ("OR" and_expr)*
    and_expr:= unary (["AND"] unary)*
    unary   := ("NOT" | "-") unary | near
    near    := primary [("W/" N | "PRE/" N) primary]      (both sides single terms)
    primary := "(" or_expr ")" | [field ":"] (WORD | WORD "*" | '"' phrase '"' ["~" N])

A quoted phrase matches texts containing the string literally (char fields).
A plain word matches literally (top rank tier) or as all of its jieba words.
``X*`` matches the literal X followed by at least one more letter, digit or
CJK character.  ``A W/N B`` (or ``"A B"~N``) matches when occurrences of A and
B in the same field are at most N characters apart in either order, ``A PRE/N
B`` when A comes first; "apart" is the number of non-whitespace characters
between the end of one and the start of the other (0 = adjacent; the two must
not overlap).  Proximity and wildcard terms are literal (no jieba-word form)
and are checked exactly on the stored text after a char-field candidate pass.

Operators are case-insensitive (``and``, ``Or``, ``w/5``); quoted, ``"and"`` is
the word.  A token that looks like an operator but is none (``NEAR/10``,
``W/``) is an error naming the accepted forms, and so is an unquoted term with
no letter, digit or CJK character (``，。！？``).  A literal match whose
first (last) character is a Latin letter or digit must not have a Latin
letter or digit right before (after) it: ``AI`` does not match inside
``DAILY``; CJK ends stay substring matches (``snippets.find_literal``).  Such
terms are checked on the stored text like wildcards (``bounded``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.analyzers import active_userdict_digest, char_tokens, cut_words
from indexer.errors import QueryError
from indexer.query.phrases import FastPhrase
from indexer.query.snippets import find_literal, find_near, find_prefix, fold_needle, folded_view, is_latin, merge
from indexer.schema import TEXT_FIELDS, char_field, normalize_page_no

FIELDS = ("title", "author", "body", "pretitle", "subtitle", "paper", "page")
# Fields whose values are matched literally even when unquoted.
LITERAL_FIELDS = ("author", "paper", "page")
OPERATORS = ("AND", "OR", "NOT")
_FIELD_PREFIX = re.compile(r"([A-Za-z]+):")
_NEAR_OPERATOR = re.compile(r"(W|PRE)/(\d+)", re.IGNORECASE)
# Tokens users write for operators we do not have (or ours without their number): refused, not searched.
_OPERATOR_LIKE = re.compile(r"(?i:[a-z]+/\d*)|(?i:(?:w|pre|near|adj)/\S*)|NEAR\d*|ADJ\d*")
ACCEPTED_OPERATORS = 'AND, OR, NOT (or -), W/N, PRE/N (N a number, e.g. W/10) and "a b"~N'

_PROXIMITY_SUFFIX = re.compile(r"~(\d+)")
_SURROGATE = re.compile("[\ud800-\udfff]")
_WORD_STOP = '()"'
MAX_DISTANCE = 10_000


@dataclass(frozen=True)
class Leaf:
    """A search term: a plain word, a prefix (wildcard) or a quoted phrase, optionally limited to one field."""

    text: str
    quoted: bool
    field: str | None = None
    wildcard: bool = False  # `text*`: text followed by at least one more letter/digit/CJK char


@dataclass(frozen=True)
class Near:
    """Two literal terms at most `distance` chars apart in one field; ordered=True: left comes first."""

    left: Leaf
    right: Leaf
    distance: int
    ordered: bool = False

    @property
    def field(self) -> str | None:
        """The field both sides are limited to (None = any text field)."""
        return self.left.field or self.right.field


@dataclass(frozen=True)
class And:
    """All children must match."""

    children: tuple


@dataclass(frozen=True)
class Or:
    """Any child may match."""

    children: tuple


@dataclass(frozen=True)
class Not:
    """The child must not match."""

    child: object


Node = Leaf | Near | And | Or | Not


# ---------------------------------------------------------------- lexer


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """Return the phrase starting at the quote at text[start] and the index after its end quote."""
    end = text.find('"', start + 1)
    if end < 0:
        raise QueryError(f'unbalanced quotes: the quote at position {start + 1} is never closed')
    return text[start + 1 : end], end + 1


def _lex_word(text: str, start: int) -> tuple[tuple, int]:
    """Lex a bare word (maybe an operator or a field-prefixed term) starting at text[start]."""
    end = start
    while end < len(text) and not text[end].isspace() and text[end] not in _WORD_STOP:
        end += 1
    word = text[start:end]
    if word.upper() in OPERATORS:
        return (word.upper(),), end
    near = _NEAR_OPERATOR.fullmatch(word)
    if near:
        return ("NEAR", near.group(1).upper() == "PRE", _distance(near.group(2))), end
    if _OPERATOR_LIKE.fullmatch(word):
        raise QueryError(f"'{word}' is not an operator; operators are {ACCEPTED_OPERATORS} "
                         f"(any case); quote it to search for the text: \"{word}\"")
    prefix = _FIELD_PREFIX.match(word)
    if not prefix:
        return ("TERM", _plain(word)), end
    name = prefix.group(1).lower()
    if name not in FIELDS:
        raise QueryError(f"unknown field '{prefix.group(1)}:'; known fields: {', '.join(f + ':' for f in FIELDS)}")
    rest = word[prefix.end() :]
    if rest:
        leaf = _plain(rest, field=name)
        if leaf.wildcard and name in LITERAL_FIELDS:
            raise QueryError(f"wildcard '*' works on text fields, not on '{name}:'")
        return ("TERM", leaf), end
    if end < len(text) and text[end] == '"':
        return _quoted(text, end, field=name)
    raise QueryError(f"field '{name}:' must be followed by a word or a quoted phrase")


def _distance(digits: str) -> int:
    """Return a proximity distance, checking its range (before int(), which refuses over 4,300 digits)."""
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(MAX_DISTANCE)) or int(significant) > MAX_DISTANCE:
        shown = significant if len(significant) <= 12 else f"{significant[:6]}…({len(significant)} digits)"
        raise QueryError(f"proximity distance {shown} is too large (at most {MAX_DISTANCE})")
    return int(significant)


def _plain(word: str, field: str | None = None) -> Leaf:
    """Return the leaf of an unquoted word; a trailing '*' makes it a prefix term."""
    stem = word[:-1] if word.endswith("*") else word
    if "*" in stem:
        raise QueryError(f"wildcard '*' is only allowed at the end of a term, got '{word}'")
    if word.endswith("*") and not stem:
        raise QueryError("wildcard '*' needs a prefix before it, e.g. 氢能*")
    return Leaf(stem, quoted=False, field=field, wildcard=word.endswith("*"))


def _quoted(text: str, start: int, field: str | None = None) -> tuple[tuple, int]:
    """Lex a quoted phrase at text[start], with an optional `~N` proximity suffix."""
    phrase, after = _read_quoted(text, start)
    if after < len(text) and text[after] == "~":
        suffix = _PROXIMITY_SUFFIX.match(text, after)
        if not suffix:
            raise QueryError(f'proximity needs a number after \'~\', e.g. "{phrase}"~10')
        parts = phrase.split()
        if len(parts) != 2:
            raise QueryError(f'a proximity phrase needs exactly two space-separated parts, got "{phrase}"')
        left, right = (Leaf(part, quoted=True, field=field) for part in parts)
        return ("TERM", Near(left, right, _distance(suffix.group(1)))), suffix.end()
    return ("TERM", Leaf(phrase, quoted=True, field=field)), after


def tokenize(text: str) -> list[tuple]:
    """Split a query string into tokens: ("(",), (")",), ("AND",), ("OR",), ("NOT",), ("TERM", Leaf)."""
    tokens: list[tuple] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch.isspace():
            pos += 1
        elif ch in "()":
            tokens.append((ch,))
            pos += 1
        elif ch == '"':
            token, pos = _quoted(text, pos)
            tokens.append(token)
        elif ch == "-":
            if pos + 1 >= len(text) or text[pos + 1].isspace() or text[pos + 1] == ")":
                raise QueryError("dangling operator '-': it must be followed by a term, e.g. -广告")
            tokens.append(("NOT",))
            pos += 1
        else:
            token, pos = _lex_word(text, pos)
            tokens.append(token)
    return tokens


# ---------------------------------------------------------------- parser


class _Parser:
    """Recursive-descent parser over the token list."""

    MAX_DEPTH = 64  # nested groups and NOTs: deeper is no real query, and would exhaust the stack

    def __init__(self, tokens: list[tuple]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def descend(self) -> None:
        """Count one more level of nesting, refusing absurd depths with a clear message."""
        self.depth += 1
        if self.depth > self.MAX_DEPTH:
            raise QueryError(f"query nested too deeply (more than {self.MAX_DEPTH} levels of parentheses or NOT)")

    def peek(self) -> str | None:
        """Return the kind of the next token, or None at the end."""
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self) -> tuple:
        """Consume and return the next token."""
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect_operand(self, operator: str) -> None:
        """Raise if the operator just consumed has nothing to apply to."""
        if self.peek() in (None, ")", "AND", "OR", "NEAR"):
            raise QueryError(f"dangling operator '{operator}': it needs a term after it")

    def parse(self) -> Node:
        """Parse the whole token list."""
        if not self.tokens:
            raise QueryError("empty query")
        node = self.or_expr()
        if self.peek() == ")":
            raise QueryError("unbalanced parentheses: unexpected ')'")
        return node

    def or_expr(self) -> Node:
        """Parse OR-separated conjunctions."""
        children = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            self.expect_operand("OR")
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        """Parse explicitly or implicitly ANDed unary terms."""
        children = [self.unary()]
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.take()
                self.expect_operand("AND")
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        """Parse NOT/- prefixes."""
        if self.peek() == "NOT":
            self.take()
            self.expect_operand("NOT")
            self.descend()
            node = Not(self.unary())
            self.depth -= 1
            return node
        return self.near()

    def near(self) -> Node:
        """Parse `term W/N term` and `term PRE/N term`."""
        left = self.primary()
        if self.peek() != "NEAR":
            return left
        _, ordered, distance = self.take()
        name = f"{'PRE' if ordered else 'W'}/{distance}"
        if self.peek() in (None, ")", "AND", "OR", "NOT", "NEAR"):
            raise QueryError(f"dangling operator '{name}': it needs a term after it")
        right = self.primary()
        if self.peek() == "NEAR":
            raise QueryError(f"'{name}' joins exactly two terms; combine several with AND, e.g. (a W/5 b) (b W/5 c)")
        return _near(left, right, distance, ordered, name)

    def primary(self) -> Node:
        """Parse a parenthesised group or a term."""
        kind = self.peek()
        if kind is None:
            raise QueryError("unbalanced parentheses: missing ')' (the query ends inside a group)")
        if kind == "NEAR":
            _, ordered, distance = self.tokens[self.pos]
            raise QueryError(f"dangling operator '{'PRE' if ordered else 'W'}/{distance}': it needs a term before it")
        if kind in ("AND", "OR"):
            raise QueryError(f"dangling operator '{kind}': it needs a term before it")
        if kind == ")":
            raise QueryError("unbalanced parentheses: unexpected ')'")
        token = self.take()
        if kind == "TERM":
            return token[1]
        if self.peek() == ")":
            raise QueryError("empty parentheses '()'")
        self.descend()
        node = self.or_expr()
        if self.peek() != ")":
            raise QueryError("unbalanced parentheses: missing ')'")
        self.take()
        self.depth -= 1
        return node


def _near(left: Node, right: Node, distance: int, ordered: bool, name: str) -> Near:
    """Check the operands of a proximity operator and return the node."""
    for side in (left, right):
        if not isinstance(side, Leaf):
            raise QueryError(f"'{name}' needs a word or quoted phrase on each side, not a group or a proximity")
        if side.wildcard:
            raise QueryError(f"'{name}' does not take wildcard terms")
        if side.field in LITERAL_FIELDS:
            raise QueryError(f"'{name}' works on text fields, not on '{side.field}:'")
    if left.field and right.field and left.field != right.field:
        raise QueryError(f"'{name}' needs both terms in the same field, got '{left.field}:' and '{right.field}:'")
    return Near(left, right, distance, ordered)


def parse(text: str) -> Node:
    """Parse a query string into an AST; raise QueryError with a human message if invalid."""
    if _SURROGATE.search(text):
        raise QueryError("the query contains bytes that are not valid text (check the terminal's encoding)")
    node = _Parser(tokenize(text)).parse()
    for leaf in leaves(node):
        if not char_tokens(leaf.text):
            raise QueryError('empty quoted phrase ""')
        if not leaf.quoted and not any(ch.isalnum() for ch in leaf.text):
            raise QueryError(f"nothing to search for in '{leaf.text}' (no letter, digit or CJK character); "
                             f"quote punctuation to search for it literally: \"{leaf.text}\"")
    return node


def bounded(leaf: Leaf) -> bool:
    """True if a text-field leaf starts or ends with a Latin letter or digit (its matches need word boundaries)."""
    folded = fold_needle(leaf.text)
    return leaf.field not in LITERAL_FIELDS and bool(folded) and (is_latin(folded[0]) or is_latin(folded[-1]))


def terms(node: Node, positive: bool | None = None) -> list[Leaf | Near]:
    """Return the terms (leaves and proximity pairs) of node; positive=True: only those not under a NOT."""
    if isinstance(node, (Leaf, Near)):
        return [node]
    if isinstance(node, Not):
        return [] if positive else terms(node.child, positive)
    return [term for child in node.children for term in terms(child, positive)]


def leaves(node: Node, positive: bool | None = None) -> list[Leaf]:
    """Return the leaves of node (both sides of proximity pairs); positive=True: only those not under a NOT."""
    if isinstance(node, Near):
        return [node.left, node.right]
    if isinstance(node, Leaf):
        return [node]
    if isinstance(node, Not):
        return [] if positive else leaves(node.child, positive)
    return [leaf for child in node.children for leaf in leaves(child, positive)]


# ---------------------------------------------------------------- compiler
#
# Boolean structure is evaluated on docnum sets in Python, not with Whoosh
# And/Or/AndNot matchers: whoosh's AndNotMatcher drops exclusions when the
# excluded side is an intersection of unions (a multi-word plain term), which
# broke e.g. `page:要闻 -高质量发展`.  Whoosh only evaluates leaf queries (Term,
# Phrase over one field) and computes BM25 scores.


def _char_phrase(fieldname: str, chars: list[str]) -> wq.Query:
    """Match the char sequence in one char field (one char is a plain term)."""
    if len(chars) == 1:
        return wq.Term(fieldname, chars[0])
    return FastPhrase(fieldname, chars)


def literal_queries(leaf: Leaf) -> list[wq.Query]:
    """Return single-field queries whose union is the set of docs containing leaf's text literally."""
    value = leaf.text.strip()
    if leaf.field == "paper":
        return [wq.Term("paper", value), wq.Term("paper_name", value)]
    chars = char_tokens(leaf.text)
    if leaf.field == "page":
        return [wq.Term("page_no", normalize_page_no(value)), _char_phrase("page_name", chars)]
    fields = TEXT_FIELDS if leaf.field is None else (leaf.field,)
    return [_char_phrase(char_field(name), chars) for name in fields]


def word_queries(leaf: Leaf) -> list[list[wq.Query]]:
    """Return, per jieba word of a plain leaf, the term queries (one per field) that find it."""
    if leaf.quoted or leaf.wildcard or leaf.field in LITERAL_FIELDS:
        return []
    fields = TEXT_FIELDS if leaf.field is None else (leaf.field,)
    return [[wq.Term(name, word) for name in fields] for word in _words(leaf.text, active_userdict_digest())]


@lru_cache(maxsize=1024)
def _words(text: str, userdict_digest: str) -> tuple[str, ...]:
    """The distinct jieba words of a term (cached per dictionary: one query asks for them several times)."""
    return tuple(dict.fromkeys(cut_words(text)))


class _Evaluator:
    """Evaluates an AST to docnum sets with one searcher, caching leaf results."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.cache: dict[wq.Query, frozenset[int]] = {}
        self._all: frozenset[int] | None = None
        self._stored: dict[int, dict] = {}
        self._verified: dict[Leaf | Near, frozenset[int]] = {}

    def stored(self, docnum: int) -> dict:
        """Return the stored fields of a document (cached)."""
        if docnum not in self._stored:
            self._stored[docnum] = self.searcher.stored_fields(docnum)
        return self._stored[docnum]

    def verified(self, term: Leaf | Near) -> frozenset[int]:
        """Docs where a wildcard, proximity or bounded term really matches: char-field candidates checked on
        stored text."""
        if term not in self._verified:
            found: set[int] = set()
            for name in TEXT_FIELDS if term.field is None else (term.field,):
                sides = [term.left, term.right] if isinstance(term, Near) else [term]
                candidates = frozenset.intersection(
                    *(self.docs(_char_phrase(char_field(name), char_tokens(side.text))) for side in sides))
                found.update(docnum for docnum in candidates - found
                             if term_spans(term, self.stored(docnum).get(name, "")))
            self._verified[term] = frozenset(found)
        return self._verified[term]

    def docs(self, query: wq.Query) -> frozenset[int]:
        """Return the live docnums matching one leaf query."""
        if query not in self.cache:
            self.cache[query] = frozenset(self.searcher.docs_for_query(query))
        return self.cache[query]

    def union(self, queries: list[wq.Query]) -> frozenset[int]:
        """Return the docs matching any of the queries."""
        return frozenset().union(*(self.docs(query) for query in queries))

    def all_docs(self) -> frozenset[int]:
        """Return every live docnum."""
        if self._all is None:
            self._all = frozenset(self.searcher.reader().all_doc_ids())
        return self._all

    def leaf(self, leaf: Leaf, strict: bool) -> frozenset[int]:
        """Literal matches, plus (unless strict) docs containing all the leaf's words."""
        found = self.verified(leaf) if bounded(leaf) else self.union(literal_queries(leaf))
        per_word = word_queries(leaf)
        if strict or not per_word:
            return found
        return found | frozenset.intersection(*(self.union(queries) for queries in per_word))

    def evaluate(self, node: Node, strict: bool) -> frozenset[int]:
        """Return the docs matching node; strict=True counts plain words as literal only."""
        if isinstance(node, Near) or (isinstance(node, Leaf) and node.wildcard):
            return self.verified(node)
        if isinstance(node, Leaf):
            return self.leaf(node, strict)
        if isinstance(node, Or):
            return frozenset().union(*(self.evaluate(child, strict) for child in node.children))
        children = node.children if isinstance(node, And) else (node,)
        positive = [self.evaluate(c, strict) for c in children if not isinstance(c, Not)]
        result = frozenset.intersection(*positive) if positive else self.all_docs()
        for child in children:
            if isinstance(child, Not):
                # Exclusion always uses the loose form: a word is excluded in every form it matches.
                result = result - self.evaluate(child.child, strict=False)
        return result


def term_spans(term: Leaf | Near, text: str, view: tuple | None = None) -> list[tuple[int, int]]:
    """Return the spans of text where a text-field term matches literally (merged, non-overlapping).

    view: snippets.folded_view(text), shared by the terms of one query.
    """
    if isinstance(term, Near):
        return merge(find_near(text, term.left.text, term.right.text, term.distance, term.ordered, view))
    if term.wildcard:
        return merge(find_prefix(text, term.text, view))
    return merge(find_literal(text, term.text, view))


@dataclass
class CompiledQuery:
    """A parsed query, the strings to highlight, and the evaluation entry points."""

    text: str
    ast: Node
    phrases: list[str] = field(default_factory=list)  # literal strings to highlight
    words: list[str] = field(default_factory=list)  # jieba words of plain terms (loose hits)

    @cached_property
    def positive_terms(self) -> list[Leaf | Near]:
        """The query's positive terms (walked once, then read for every hit)."""
        return terms(self.ast, positive=True)

    @property
    def has_words(self) -> bool:
        """True if some plain term can match by words only (so rank tiers can differ)."""
        return any(word_queries(leaf) for leaf in leaves(self.ast))

    def matches(self, searcher: Searcher) -> tuple[frozenset[int], frozenset[int]]:
        """Return (hits, strict hits): all matching docnums and those matching literally."""
        evaluator = _Evaluator(searcher)
        loose = evaluator.evaluate(self.ast, strict=False)
        strict = evaluator.evaluate(self.ast, strict=True) if self.has_words else loose
        return loose, strict

    def match_spans(self, field_name: str | None, text: str, view: tuple | None = None) -> list[tuple[int, int]]:
        """Spans of text (a stored text field) matched literally by the query's positive terms.

        These are the occurrences counted by `count` and listed by KWIC: quoted phrases and plain
        words as literal strings, `X*` as X plus the next char, proximity pairs as both their sides.
        The text is folded once for all terms (view, when the caller has it), so the cost per text is
        one fold plus one substring search per term, not one fold per term.
        """
        spans = []
        for term in self.positive_terms:
            if term.field in LITERAL_FIELDS or (None not in (term.field, field_name) and term.field != field_name):
                continue
            view = view or folded_view(text)
            spans += term_spans(term, text, view)
        return merge(spans)

    def scoring_query(self) -> wq.Query | None:
        """Return an OR of every positive leaf query, whose BM25 score ranks hits within a tier."""
        parts: list[wq.Query] = []
        for leaf in leaves(self.ast, positive=True):
            parts += literal_queries(leaf)
            parts += [query for queries in word_queries(leaf) for query in queries]
        parts = list(dict.fromkeys(parts))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.Or(parts)


def compile_query(text: str) -> CompiledQuery:
    """Parse text and collect the strings hits are highlighted with."""
    ast = parse(text)
    shown = [leaf for leaf in leaves(ast, positive=True) if leaf.field not in LITERAL_FIELDS and not leaf.wildcard]
    phrases = list(dict.fromkeys(leaf.text.strip() for leaf in shown))
    words = list(dict.fromkeys(w for leaf in shown if not leaf.quoted for w in cut_words(leaf.text)))
    return CompiledQuery(text, ast, phrases, words)
