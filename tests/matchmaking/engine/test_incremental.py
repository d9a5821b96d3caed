"""Incremental scoring gives what a full recompute with the same vocabulary gives."""

from __future__ import annotations

import dataclasses

import pytest

from matchmaking.engine import (
    Exclusion,
    TopKEntry,
    match_all,
    merge_into_topk,
    remove_from_lists,
    score_need,
    score_solution,
)
from matchmaking.engine.synthetic import generate_needs, generate_solutions


def stored_lists(result, side):
    """{owner id: [TopKEntry]} of one side, as the persistence layer keeps them."""
    lists: dict[int, list[TopKEntry]] = {}
    for pair in result:
        if side == "solution" and pair.rank_for_solution:
            lists.setdefault(pair.solution_id, []).append(TopKEntry(pair.need_id, pair.score))
        if side == "need" and pair.rank_for_need:
            lists.setdefault(pair.need_id, []).append(TopKEntry(pair.solution_id, pair.score))
    return {owner: sorted(entries, key=lambda e: e.sort_key) for owner, entries in lists.items()}


def apply(update, stored, rescore):
    """Apply an ItemScores to the other side's stored lists, refilling when told to."""
    lists = {owner: list(entries) for owner, entries in stored.items()}
    for owner, merged in update.update_other_lists(stored).items():
        if merged.complete:
            lists[owner] = list(merged.entries)
        else:
            lists[owner] = [TopKEntry(other, p.score) for p, other in rescore(owner)]
    return {owner: entries for owner, entries in lists.items() if entries}


def own_view(pairs, side):
    """What the item's own list stores: the other id, score, explanation and own rank."""
    if side == "need":
        return [(p.solution_id, p.score, p.components, p.terms, p.rank_for_need) for p in pairs]
    return [(p.need_id, p.score, p.components, p.terms, p.rank_for_solution) for p in pairs]


def entry_tuples(lists):
    return {owner: [(e.other_id, e.score) for e in entries] for owner, entries in lists.items()}


@pytest.fixture
def new_need(corpus):
    base = generate_needs(1, seed=99)[0]
    return dataclasses.replace(base, id=10_000, organization_id=77)


def test_new_need_top_equals_full_recompute(corpus_model, new_need):
    full = match_all(corpus_model.with_needs([new_need]))

    update = score_need(corpus_model, new_need)

    assert update.top == tuple(full.for_need(new_need.id)) or [
        (p.solution_id, p.score, p.components, p.terms, p.rank_for_need) for p in update.top
    ] == [
        (p.solution_id, p.score, p.components, p.terms, p.rank_for_need)
        for p in full.for_need(new_need.id)
    ]


def test_new_need_merged_into_solution_lists_equals_full_recompute(
    corpus_model, corpus_result, new_need
):
    # Arrange
    updated_model = corpus_model.with_needs([new_need])
    expected = stored_lists(match_all(updated_model), "solution")

    # Act
    update = score_need(corpus_model, new_need)
    lists = apply(
        update,
        stored_lists(corpus_result, "solution"),
        lambda owner: pytest.fail("a new need never forces a refill"),
    )

    # Assert
    assert entry_tuples(lists) == entry_tuples(expected)


def test_edited_need_merged_into_solution_lists_equals_full_recompute(
    corpus, corpus_model, corpus_result
):
    # Arrange: a need that sits in many solution lists gets a very different text.
    stored = stored_lists(corpus_result, "solution")
    counts: dict[int, int] = {}
    for entries in stored.values():
        for entry in entries:
            counts[entry.other_id] = counts.get(entry.other_id, 0) + 1
    popular = max(counts, key=lambda need_id: (counts[need_id], -need_id))
    original = next(n for n in corpus[0] if n.id == popular)
    edited = dataclasses.replace(
        original,
        title="Crop disease recognition",
        summary="作物病虫害识别",
        capabilities=("translation",),
    )
    updated_model = corpus_model.with_needs([edited])
    expected = stored_lists(match_all(updated_model), "solution")
    solutions = {s.id: s for s in corpus[1]}

    refilled = []

    def rescore(owner):
        refilled.append(owner)
        return [(p, p.need_id) for p in score_solution(updated_model, solutions[owner]).top]

    # Act
    update = score_need(corpus_model, edited)
    lists = apply(update, stored, rescore)

    # Assert
    assert entry_tuples(lists) == entry_tuples(expected)
    assert refilled  # the edit dropped the need from full lists: the refill path ran
    assert own_view(update.top, "need") == own_view(
        match_all(updated_model).for_need(edited.id), "need"
    )


def test_new_solution_top_and_need_lists_equal_full_recompute(corpus_model, corpus_result):
    # Arrange
    new_solution = dataclasses.replace(
        generate_solutions(1, seed=5)[0], id=10_000, organization_id=88
    )
    full = match_all(corpus_model.with_solutions([new_solution]))

    # Act
    update = score_solution(corpus_model, new_solution)
    lists = apply(
        update,
        stored_lists(corpus_result, "need"),
        lambda owner: pytest.fail("a new solution never forces a refill"),
    )

    # Assert
    assert own_view(update.top, "solution") == own_view(
        full.for_solution(new_solution.id), "solution"
    )
    assert entry_tuples(lists) == entry_tuples(stored_lists(full, "need"))


def test_score_need_hides_need_side_exclusion_from_its_own_list_only(corpus_model, new_need):
    best = score_need(corpus_model, new_need).top[0].solution_id

    update = score_need(corpus_model, new_need, [Exclusion(new_need.id, best, "need")])

    assert best not in [p.solution_id for p in update.top]
    assert best in update.entries_for_others()


def test_merge_into_topk_new_entry_inserted_in_order():
    existing = [TopKEntry(1, 0.9), TopKEntry(2, 0.5), TopKEntry(3, 0.4)]

    merged = merge_into_topk(existing, [TopKEntry(4, 0.5)], k=3)

    assert merged.entries == (TopKEntry(1, 0.9), TopKEntry(2, 0.5), TopKEntry(4, 0.5))
    assert (merged.entered, merged.left, merged.complete) == ((4,), (3,), True)


def test_merge_into_topk_edited_entry_falling_out_of_full_list_is_incomplete():
    existing = [TopKEntry(1, 0.9), TopKEntry(2, 0.5)]

    merged = merge_into_topk(existing, [TopKEntry(1, 0.1)], k=2)

    assert merged.entries == (TopKEntry(2, 0.5),)
    assert (merged.left, merged.complete) == ((1,), False)


def test_merge_into_topk_edited_entry_still_above_old_last_is_complete():
    existing = [TopKEntry(1, 0.9), TopKEntry(2, 0.5)]

    merged = merge_into_topk(existing, [TopKEntry(1, 0.6)], k=2)

    assert merged.entries == (TopKEntry(1, 0.6), TopKEntry(2, 0.5))
    assert merged.complete is True


def test_remove_from_lists_marks_full_lists_for_refill():
    stored = {
        7: [TopKEntry(1, 0.9), TopKEntry(2, 0.5)],
        8: [TopKEntry(1, 0.3)],
        9: [TopKEntry(3, 0.2)],
    }

    changes = remove_from_lists(1, stored, k=2)

    assert {owner: (m.entries, m.complete) for owner, m in changes.items()} == {
        7: ((TopKEntry(2, 0.5),), False),
        8: ((), True),
    }
