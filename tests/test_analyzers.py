"""The analyzers: jieba identity of the word analyzer, exactness of the char analyzer."""

from __future__ import annotations

import random

import jieba
import pytest
import rjieba

from indexer.analyzers import (
    char_analyzer,
    char_tokens,
    cut_words,
    fold_char,
    jieba_words,
    normalize,
    word_analyzer,
)
from indexer.synth import make_records, seed_text

jieba.setLogLevel(60)  # silence "Building prefix dict..." on stderr


def _rewrapped(text: str, width: int = 17) -> str:
    """Hard-wrap text every width chars, mid-word, the way the printed page is."""
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def _generated_texts() -> list[str]:
    """Return titles and bodies of a small synthetic corpus."""
    records = make_records(40, seed=7)
    return [record["title"] for record in records] + [record["body"] for record in records]


MIXED = [
    "2024-2026年港口规划", "COVID-19疫情防控", "e-mail地址", "user_name变量", "1.2.3版本", "C++语言",
    "AT&T公司", "3.5%的增长", "iPhone15发布", "Qingdao港 A03版 10.5亿元", "“资源延伸·网点办”",
]


@pytest.mark.parametrize("text", [seed_text(), _rewrapped(seed_text())], ids=["seed", "seed-rewrapped"])
def test_words_equal_jieba_lcut_on_seed_page(text: str) -> None:
    assert jieba_words(text) == jieba.lcut(text)


def test_words_equal_jieba_lcut_on_generated_corpus() -> None:
    texts = _generated_texts()
    assert sum(len(t) for t in texts) > 30_000
    for text in texts:
        assert jieba_words(text) == jieba.lcut(text)


@pytest.mark.parametrize("text", MIXED)
def test_words_equal_jieba_lcut_on_mixed_script(text: str) -> None:
    assert jieba_words(text) == jieba.lcut(text)


def test_words_equal_jieba_lcut_on_random_ascii_cjk_mixes() -> None:
    rng = random.Random(11)
    alphabet = list("abXY019.%+#&_-") + list("高质量发展新区工委的") + [" ", "，", "\n", "·"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        assert jieba_words(text) == jieba.lcut(text), text


def test_plain_rjieba_diverges_on_hyphenated_ascii_which_we_resplit() -> None:
    # Documents why indexer.analyzers re-splits some rjieba tokens.
    text = "方案（2024-2026年）"
    assert [w for w, _, _ in rjieba.tokenize(text)] != jieba.lcut(text)
    assert jieba_words(text) == jieba.lcut(text)


def test_cut_words_are_lowercased_jieba_words_without_punctuation() -> None:
    text = seed_text() + "\n" + " ".join(MIXED)
    expected = [w.lower() for w in jieba.lcut(text) if any(ch.isalnum() for ch in w)]
    assert cut_words(text) == expected
    assert "，" not in cut_words(text) and "“" not in cut_words(text)


def test_word_analyzer_positions_and_offsets() -> None:
    text = "本报讯 Qingdao港口，高质量发展！"
    tokens = [(t.text, t.pos, t.startchar, t.endchar)
              for t in word_analyzer()(text, positions=True, chars=True)]
    assert [t[0] for t in tokens] == ["本报讯", "qingdao", "港口", "高质量", "发展"]
    assert [t[1] for t in tokens] == list(range(len(tokens)))
    assert all(text[start:end].lower() == word for word, _, start, end in tokens)


def test_word_analyzer_tokens_equal_cut_words_on_seed() -> None:
    text = seed_text()
    assert [t.text for t in word_analyzer()(text)] == cut_words(text)


def test_char_analyzer_skips_whitespace_without_advancing_positions() -> None:
    text = "A b\n高　质"
    tokens = [(t.text, t.pos, t.startchar, t.endchar)
              for t in char_analyzer()(text, positions=True, chars=True)]
    assert tokens == [("a", 0, 0, 1), ("b", 1, 2, 3), ("高", 2, 4, 5), ("质", 3, 6, 7)]


def test_char_tokens_cover_every_non_whitespace_char_of_seed() -> None:
    text = seed_text()
    tokens = [t.text for t in char_analyzer()(text, positions=True)]
    assert tokens == char_tokens(text)
    assert "".join(tokens) == normalize(text)
    assert len(tokens) == sum(1 for ch in text if not ch.isspace())


def test_fold_char_keeps_one_char_per_char() -> None:
    assert fold_char("Q") == "q"
    assert fold_char("İ") == "İ"  # its lowercase is two code points
    assert normalize("Ab C\n高") == "abc高"
