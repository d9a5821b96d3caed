"""Who may do what at the docking events: named predicates (see core/rules.py for how
they are read, with `rules.has_perm(name, user, obj)` and `{% has_perm %}`).

- acting for an organization (registering it, asking for meetings in its name) is
  core's `core.act_for_organization`: its members and staff;
- a meeting request is answered by the side that was asked, and withdrawn by either
  side; staff may do both for them;
- one side's outcome of a meeting is reported by that side's members, or by staff on
  their behalf (a phone survey);
- the door (check-in, no-shows) and the programme dashboard are the programme
  office's (staff pages, `staff_member_required`); so is acting before the event's
  day (events.services.day), which is refused to everyone else.
"""

from __future__ import annotations

import rules

from core.enums import Side
from core.rules import is_member_of, is_staff
from core.selectors import is_member


def _asked_side(request) -> str:
    return Side.PROVIDER if request.requested_by_side == Side.ENTERPRISE else Side.ENTERPRISE


@rules.predicate
def is_asked_side(user, request) -> bool:
    """A member of the organization a meeting request was sent to."""
    return is_member(user, request.party(_asked_side(request)).pk)


@rules.predicate
def is_either_side(user, request) -> bool:
    """A member of either organization of a meeting request."""
    return is_member(user, request.enterprise_id) or is_member(user, request.provider_id)


@rules.predicate
def is_meeting_party(user, meeting) -> bool:
    """A member of either organization of a meeting."""
    return is_member(user, meeting.enterprise_id) or is_member(user, meeting.provider_id)


rules.add_perm("events.answer_meeting_request", is_staff | is_asked_side)
# The video-conference link of an online or hybrid meeting: either side, or the office.
rules.add_perm("events.set_meeting_link", is_staff | is_meeting_party)
rules.add_perm("events.withdraw_meeting_request", is_staff | is_either_side)
# The object is the organization whose side of the meeting is reported.
rules.add_perm("events.report_outcome_for", is_staff | is_member_of)
# The object is the event; see events.services.day.
rules.add_perm("events.override_event_day", is_staff)
