"""A full run's solution ranks set by several connections at once (outside a transaction).

The chunks' rows are committed before the merge; the ranks of a large run are then
split by need between connections that each update their share. The result must be
exactly the single-connection one, and the old generation goes once the new is visible.
"""

import pytest
from django.db import connection

from matchmaking.catalog_io import import_catalog, parse_document
from matchmaking.models import Match, MatchRun
from matchmaking.services import match_rows, matching
from matchmaking.services.demo import demo_catalog_bytes
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def generation(run_id: int) -> set[tuple]:
    return set(
        Match.objects.filter(run_id=run_id).values_list(
            "need_id", "solution_id", "score", "rank_for_need", "rank_for_solution"
        )
    )


def test_ranks_set_in_parallel_equal_the_single_connection_ones(monkeypatch, settings):
    settings.MATCHING_CHUNK_NEEDS = 10
    import_catalog(parse_document(demo_catalog_bytes()), status="approved", by=StaffFactory())
    serial = matching.start_full_run()
    matching.run_full_in_process(serial.pk)
    expected = generation(serial.pk)

    monkeypatch.setattr(match_rows, "PARALLEL_MIN_ROWS", 1)
    used = []
    original = match_rows._in_own_connection  # noqa: SLF001

    def spy(function, *args):
        used.append(len(args[-1]))
        return original(function, *args)

    monkeypatch.setattr(match_rows, "_in_own_connection", spy)
    parallel = matching.start_full_run()
    matching.run_full_in_process(parallel.pk)

    assert generation(parallel.pk) == expected
    assert MatchRun.objects.get(pk=parallel.pk).status == MatchRun.Status.SUCCEEDED
    # Once the new generation is visible, the old one's rows are gone.
    assert not Match.objects.filter(run_id=serial.pk).exists()
    if connection.vendor == "postgresql":
        assert len(used) == match_rows.PARALLEL_CONNECTIONS
        assert (
            sum(used)
            == Match.objects.filter(
                run_id=parallel.pk,
                rank_for_solution__isnull=False,
                rank_for_need__isnull=False,
            ).count()
        )
    else:
        assert used == []  # SQLite: one connection does it all
