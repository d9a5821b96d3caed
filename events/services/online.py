"""Online and hybrid meetings: the video-conference link of a meeting.

Either organization of a meeting, or the programme office, sets or clears the link;
it is shown in the schedule, the schedule and reminder emails and the calendar files
(LOCATION, URL and description). Changing it moves the meeting's `updated_at`, so
calendar clients take the new copy.
"""

from __future__ import annotations

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import record
from core.errors import DomainError, NotAllowedError
from core.models import User
from core.validators import validate_video_url
from events.models import Event, Meeting


@transaction.atomic
def set_video_link(*, meeting: Meeting, url: str, by: User) -> Meeting:
    """Set (or, with an empty `url`, clear) the meeting's video-conference link."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("event").get(pk=meeting.pk)
    )
    if not rules.has_perm("events.set_meeting_link", by, meeting):
        raise NotAllowedError(_("Only the two organizations can change this meeting."))
    if meeting.status == Meeting.Status.CANCELLED or meeting.event.status == Event.Status.FINISHED:
        raise DomainError(_("This meeting is cancelled or over; its link no longer changes."))
    url = (url or "").strip()
    if url:
        validate_video_url(url)
    if url == meeting.video_url:
        return meeting
    meeting.video_url = url
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=["video_url", "updated_at"])
    record(by, "meeting.video_link_set" if url else "meeting.video_link_removed", meeting)
    return meeting
