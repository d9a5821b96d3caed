"""The batch tokenizer counts exactly what the reference tokenizer counts.

`tokens.BatchTokenizer` applies `text.Tokenizer`'s rules to many documents
as array work; these tests hold it to the reference per document on the
development set, on synthetic catalogs and on generated text full of the
edge cases (的 breaks, stop characters, glossary words and phrases across
punctuation and languages, word joiners, full-width and Unicode spaces).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaking.engine import tokens as tokens_module
from matchmaking.engine.evaluation import load_dataset
from matchmaking.engine.synthetic import generate_needs, generate_solutions
from matchmaking.engine.text import Tokenizer, default_glossary, vectorize
from matchmaking.engine.tokens import BatchTokenizer


def reference_counts(documents, *, use_glossary: bool, title_weight: int) -> list[dict]:
    tokenizer = Tokenizer(use_glossary=use_glossary)
    return [tokenizer.document(title, body, title_weight) for title, body in documents]


def batch_counts(documents, *, use_glossary: bool, title_weight: int) -> list[dict]:
    batch = BatchTokenizer(use_glossary=use_glossary).tokenize(documents, title_weight)
    result, at = [], 0
    for length in batch.lengths.tolist():
        ids = batch.term_ids[at : at + length].tolist()
        counts = batch.counts[at : at + length].tolist()
        result.append({batch.terms[i]: c for i, c in zip(ids, counts, strict=True)})
        at += length
    return result


def texts(records) -> list[tuple[str, tuple[str, str]]]:
    return [(r.title, (r.summary, r.description)) for r in records]


@pytest.mark.parametrize("use_glossary", [True, False])
def test_batch_tokenizer_equals_reference_on_the_development_set(use_glossary):
    dataset = load_dataset()
    documents = texts(dataset.needs + dataset.solutions)

    got = batch_counts(documents, use_glossary=use_glossary, title_weight=2)

    assert got == reference_counts(documents, use_glossary=use_glossary, title_weight=2)


@pytest.mark.parametrize(("seed", "use_glossary", "title_weight"), [(0, True, 2), (5, False, 3)])
def test_batch_tokenizer_equals_reference_on_synthetic_catalogs(seed, use_glossary, title_weight):
    documents = texts(generate_needs(1200, seed) + generate_solutions(600, seed))

    got = batch_counts(documents, use_glossary=use_glossary, title_weight=title_weight)

    assert got == reference_counts(documents, use_glossary=use_glossary, title_weight=title_weight)


def test_batch_tokenizer_keeps_term_ids_across_batches(monkeypatch):
    monkeypatch.setattr(tokens_module, "BATCH_DOCUMENTS", 7)
    documents = texts(generate_needs(40, 2) + generate_solutions(25, 2))

    got = batch_counts(documents, use_glossary=True, title_weight=2)

    assert got == reference_counts(documents, use_glossary=True, title_weight=2)


def _glossary_pieces() -> list[str]:
    glossary = default_glossary()
    pieces = sorted(glossary.long_words)[:40] + sorted(glossary.chinese)[:40]
    pieces += [" ".join(phrase) for phrase in sorted(glossary.english)[:60]]
    return pieces


PIECES = [
    *_glossary_pieces(),
    "的", "了", "和", "模型", "大模型", "检测", "缺陷", "质检", "知识库", "问答",
    "llm", "gpt-4o", "qwen2.5", "r&d", "e.g", "i.e", "model's", "a.b.c", "x..y", "-z", "7", "42",
    "123", "defects", "batteries", "analysis", "the", "of", "and", "quality of", "ＡＩ", "ＰＣＢ",
    "，", "。", "、", ",", ".", "-", "+", "#", "&", "'", "(", ")", "é", "ß", "\x00", "🙂",
    " ", "  ", "\t", "\n", "\u3000", "\u00a0", "\u2028", "\x1c",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
            st.lists(st.lists(st.sampled_from(PIECES), max_size=25).map("".join), max_size=2),
        ),
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
)
def test_batch_tokenizer_equals_reference_on_generated_text(documents, use_glossary):
    got = batch_counts(documents, use_glossary=use_glossary, title_weight=2)

    assert got == reference_counts(documents, use_glossary=use_glossary, title_weight=2)


def test_space_table_covers_every_whitespace_character():
    spaces = [c for c in range(0x110000) if chr(c).isspace()]

    assert tokens_module.space_codes().tolist() == spaces


def test_vectorize_equals_per_row_arithmetic():
    rng = np.random.default_rng(3)
    lengths = rng.integers(0, 30, size=200)
    term_ids = np.concatenate([rng.choice(500, size=n, replace=False) for n in lengths])
    term_ids[rng.random(len(term_ids)) < 0.1] = -1  # out of the vocabulary
    counts = rng.integers(1, 9, size=len(term_ids)).astype(np.float64)
    idf = 1.0 + rng.random(500)

    matrix = vectorize(term_ids, counts, lengths, idf)

    at = 0
    for row, length in enumerate(lengths.tolist()):
        terms = sorted(
            (t, c)
            for t, c in zip(term_ids[at : at + length], counts[at : at + length], strict=True)
            if t >= 0
        )
        at += length
        weights = [(1.0 + math.log(c)) * idf[t] for t, c in terms]
        total = 0.0
        for w in weights:  # sequentially, in term order
            total += w * w
        expected = [w / math.sqrt(total) for w in weights]
        start, stop = matrix.indptr[row], matrix.indptr[row + 1]
        assert matrix.indices[start:stop].tolist() == [t for t, _ in terms]
        assert matrix.data[start:stop].tolist() == expected
