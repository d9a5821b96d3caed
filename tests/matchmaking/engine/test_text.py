"""Tokenization: Chinese, English and mixed text in one vocabulary."""

from __future__ import annotations

from matchmaking.engine import EngineConfig, fit, match_all
from matchmaking.engine.text import Tokenizer, fold_word, pick_terms
from tests.matchmaking.engine.conftest import need, solution


def counts(text: str, *, use_glossary: bool = False) -> dict[str, float]:
    result: dict[str, float] = {}
    Tokenizer(use_glossary=use_glossary).count(text, 1, result)
    return result


def test_tokenize_mixed_text_yields_chinese_ngrams_and_latin_words():
    tokens = counts("基于LLM的Knowledge Base问答")

    assert tokens == {
        "基": 1, "基于": 1, "llm": 1,
        "knowledge": 1, "base": 1, "knowledge base": 1,
        "问": 1, "问答": 1, "答": 1,
    }  # fmt: skip


def test_tokenize_full_width_latin_matches_half_width():
    assert counts("ＡＩ质检 ＰＣＢ") == counts("AI质检 PCB")


def test_tokenize_stopword_breaks_latin_bigrams():
    tokens = counts("quality of service")

    assert tokens == {"quality": 1, "service": 1}


def test_tokenize_punctuation_breaks_chinese_bigrams():
    tokens = counts("检测，预测")

    assert "测，" not in tokens
    assert "测预" not in tokens
    assert tokens["检测"] == 1
    assert tokens["预测"] == 1


def test_fold_word_plural_onto_singular_but_keeps_analysis():
    assert [fold_word(w) for w in ("defects", "batteries", "processes", "analysis", "logistics")] == [
        "defect", "battery", "process", "analysis", "logistics",
    ]  # fmt: skip


def test_glossary_english_phrase_adds_canonical_chinese_tokens():
    tokens = counts("defect inspection", use_glossary=True)

    assert tokens["缺陷"] == 1
    assert tokens["检测"] == 1


def test_glossary_chinese_synonym_adds_canonical_term():
    tokens = counts("布匹瑕疵", use_glossary=True)

    assert tokens["缺陷"] == 1


def test_english_need_finds_chinese_solution_only_through_glossary():
    needs = [need(1, "Surface defect inspection for stamped parts")]
    solutions = [solution(1, "冲压件表面缺陷检测"), solution(2, "电网负荷预测")]

    with_glossary = fit(needs, solutions)
    plain = fit(needs, solutions, EngineConfig(use_glossary=False))

    assert match_all(with_glossary).for_need(1)[0].components["text"] > 0.2
    assert match_all(plain).for_need(1)[0].components["text"] == 0.0


def test_pick_terms_skips_unigram_contained_in_listed_bigram():
    ranked = ["defect", "defect inspection", "缺陷", "缺陷检测", "ai", "robot"]

    assert pick_terms(ranked, 3) == ("defect inspection", "缺陷检测", "ai")
