"""How promptly introductions and meeting requests are answered (the dashboard's figures).

For each kind: how many were asked, answered (accepted or declined), accepted,
expired, still waiting and nudged; the response rate (answered among those that were
answered or expired — a request still waiting has not had its chance yet) and the
median time to an answer. Withdrawn introductions and cancelled requests count
nowhere: their asker took them back. Two queries per kind; the median is taken in
Python so it reads the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from statistics import median
from typing import Any

from django.db.models import Count, Q, QuerySet

from events.models import MeetingRequest, Season
from matchmaking.models import Interest


def _figures(rows: QuerySet, statuses: dict[str, str]) -> dict[str, Any]:
    counts = rows.aggregate(
        asked=Count("pk"),
        accepted=Count("pk", filter=Q(status=statuses["accepted"])),
        declined=Count("pk", filter=Q(status=statuses["declined"])),
        expired=Count("pk", filter=Q(status=statuses["expired"])),
        waiting=Count("pk", filter=Q(status=statuses["waiting"])),
        nudged=Count("pk", filter=Q(nudged_at__isnull=False)),
    )
    answered = counts["accepted"] + counts["declined"]
    decided = answered + counts["expired"]
    hours = [
        (responded - created).total_seconds() / 3600
        for created, responded in rows.filter(
            status__in=[statuses["accepted"], statuses["declined"]], responded_at__isnull=False
        ).values_list("created_at", "responded_at")
    ]
    return {
        **counts,
        "answered": answered,
        "response_rate": round(answered / decided, 3) if decided else None,
        "median_hours": round(median(hours), 1) if hours else None,
    }


def response_figures(*, season: Season | None = None) -> list[dict[str, Any]]:
    """Introductions (those started within the season's dates) and the season's meeting
    requests between participants (not those made from introductions or by the office)."""
    interests = Interest.objects.exclude(status=Interest.Status.WITHDRAWN)
    requests = MeetingRequest.objects.filter(source=MeetingRequest.Source.PARTICIPANT).exclude(
        status=MeetingRequest.Status.CANCELLED
    )
    if season is not None:
        interests = interests.filter(
            created_at__date__gte=season.start, created_at__date__lte=season.end
        )
        requests = requests.filter(event__season=season)
    return [
        {
            "kind": "introductions",
            **_figures(
                interests,
                {
                    "accepted": Interest.Status.ACCEPTED,
                    "declined": Interest.Status.DECLINED,
                    "expired": Interest.Status.EXPIRED,
                    "waiting": Interest.Status.PENDING,
                },
            ),
        },
        {
            "kind": "meeting_requests",
            **_figures(
                requests,
                {
                    "accepted": MeetingRequest.Status.ACCEPTED,
                    "declined": MeetingRequest.Status.DECLINED,
                    "expired": MeetingRequest.Status.EXPIRED,
                    "waiting": MeetingRequest.Status.REQUESTED,
                },
            ),
        },
    ]
