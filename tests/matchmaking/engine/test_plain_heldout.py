"""An independent held-out check of plain-language matching (issue 16).

`plain_heldout.json` was written without looking at the engine's glossary, cue words
or development needs: everyday problems of factories, hospitals, shops, offices and
farms, judged against `solutions.json` by reading the solution texts. The engine must
stay above the plain TF-IDF baseline on it whether the author ticks the reviewer's
capabilities, a vague or wrong one, or none, and meet the issue's bars.
"""

from __future__ import annotations

import json

import pytest

from matchmaking.engine.evaluation import DATA_DIR, load_dataset
from matchmaking.engine.evaluation.plain import CONDITIONS, HELD_OUT, evaluate_plain


@pytest.fixture(scope="module")
def report():
    return evaluate_plain(filename=HELD_OUT)


def test_the_held_out_set_is_plain_bilingual_and_judged_against_the_catalog():
    needs = json.loads((DATA_DIR / HELD_OUT).read_text(encoding="utf-8"))
    solution_keys = set(load_dataset().solution_keys.values())
    chinese = [n for n in needs if any("\u4e00" <= ch <= "\u9fff" for ch in n["title"])]
    assert len(needs) >= 30
    assert len(chinese) >= 20
    assert len(needs) - len(chinese) >= 10
    for need in needs:
        assert set(need["relevant"]) <= solution_keys
        assert 2 in need["relevant"].values()
        assert set(need["vague_capabilities"]) != set(need["capabilities"])
        text = f"{need['title']} {need['summary']} {need['description']}"
        for jargon in ("AI", "人工智能", "大模型", "算法", "智能"):
            assert jargon not in text, (need["key"], jargon)


@pytest.mark.parametrize("condition", CONDITIONS)
def test_engine_beats_plain_tfidf_on_held_out_needs(report, condition):
    figures = report.conditions[condition]
    assert figures.engine.ndcg_at_10 > figures.baseline.ndcg_at_10


def test_held_out_needs_meet_the_issue_bars(report):
    # Measured 0.962 / 0.966 / 0.962 (baseline 0.639); the issue asks 0.95 and 0.85.
    assert report.conditions["reviewer"].engine.ndcg_at_10 >= 0.95
    assert report.conditions["vague"].engine.ndcg_at_10 >= 0.85


def test_suggestions_name_the_reviewers_capabilities_on_held_out_needs(report):
    # Measured 0.985.
    assert report.suggestion_recall_at_3 >= 0.9
