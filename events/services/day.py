"""The event's day: what may happen before it, and the staff override.

Checking in, starting, finishing and marking no-shows belong to the event's day
(Beijing time, events.models.LOCAL_TIME_ZONE); a no-show also waits for the event's
start. Done earlier, they would count an event weeks ahead as held. The programme
office may still do them early — a rehearsal, a corrected date — by saying so
explicitly (`override=True`, a confirmed checkbox on the pages); each such override
is written to the audit log.

`now()` is the one clock of the event-day services, so that a test can stand on the
event's day.
"""

from __future__ import annotations

from datetime import date, datetime

import rules
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.audit import record
from core.errors import DomainError, NotAllowedError
from core.models import User
from events.models import Event
from events.models.events import LOCAL_TIME_ZONE

CHECK_IN, START, FINISH, NO_SHOW = "check_in", "start", "finish", "no_show"
ACTIONS = {
    CHECK_IN: _("Check-in"),
    START: _("Starting the event"),
    FINISH: _("Finishing the event"),
    NO_SHOW: _("Marking no-shows"),
}


class NotEventDayError(DomainError):
    """Refused because it is too early; staff may override (the pages offer it)."""

    overridable = True


def now() -> datetime:
    return timezone.now()


def local_date(moment: datetime | None = None) -> date:
    """The date in Beijing at `moment` (now by default)."""
    return (moment or now()).astimezone(LOCAL_TIME_ZONE).date()


def is_same_local_day(moment: datetime | None) -> bool:
    """Whether `moment` fell on today's date in Beijing (the window of every undo)."""
    return moment is not None and local_date(moment) == local_date()


def refusal(event: Event, action: str, *, at: datetime | None = None) -> str | None:
    """Why `action` may not happen at `event` yet, or None when its time has come."""
    at = at or now()
    today = local_date(at)
    if today < event.date:
        return _(
            "Not yet: %(action)s opens on the event's day, %(date)s (today is %(today)s, "
            "Beijing time)."
        ) % {
            "action": ACTIONS[action],
            "date": date_format(event.date, "Y-m-d"),
            "today": date_format(today, "Y-m-d"),
        }
    if action == NO_SHOW and at < event.starts_at:
        return _("Not yet: no-shows can be marked once the event has started, at %(time)s.") % {
            "time": event.start_time.strftime("%H:%M")
        }
    return None


def require_event_day(event: Event, action: str, *, by: User, override: bool = False) -> bool:
    """Raise NotEventDayError unless `action`'s time has come, or staff override it.

    Returns whether the override was used; the override is audited here, with the
    reason it was needed, in the caller's transaction.
    """
    reason = refusal(event, action)
    if reason is None:
        return False
    if not override:
        raise NotEventDayError(reason)
    if not rules.has_perm("events.override_event_day", by, event):
        raise NotAllowedError(_("Only the programme office can act before the event's day."))
    record(by, "event.day_overridden", event, step=action, refusal=str(reason))
    return True
