"""Admin: what came of the meetings (成果). Staff record a side's outcome on the
meeting's own page — reached from the meeting's row, the event's schedule or the
organization's registration — never by typing a meeting's id. Both sides' forms sit
side by side and go through the same service as the participants' feedback form."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.enums import Side
from core.errors import DomainError
from events.forms import FeedbackForm
from events.models import Meeting, Outcome
from events.services import running

FIELDS = ("rating", "next_step", "deal_value", "note")
# A meeting's row wherever the admin lists meetings (the meetings list, an event's
# schedule): its columns, ending with the link to record its outcome.
MEETING_COLUMNS = [
    "time",
    "table_number",
    "enterprise",
    "provider",
    "status",
    "source",
    "published",
    "outcome",
]


def outcome_url(meeting: Meeting, stage: str = Outcome.Stage.EVENT) -> str:
    url = reverse("admin:events_meeting_outcome", args=[meeting.pk])
    return f"{url}?stage=followup" if stage == Outcome.Stage.FOLLOW_UP else url


def outcome_link(meeting: Meeting) -> str:
    """The "record the outcome" link of a meeting's row (none for a cancelled one)."""
    if meeting.status == Meeting.Status.CANCELLED:
        return "—"
    return format_html('<a href="{}">{}</a>', outcome_url(meeting), _("Record the outcome"))


class MeetingOutcomePage:
    """Mixed into MeetingAdmin: the page `<meeting>/outcome/` and its URL."""

    def outcome_urls(self):
        return [
            path(
                "<int:object_id>/outcome/",
                self.admin_site.admin_view(self.outcome_view),
                name="events_meeting_outcome",
            )
        ]

    def _sides(self, request, meeting: Meeting, stage: str) -> list[dict]:
        posted = request.POST.get("side") if request.method == "POST" else None
        existing = {o.side: o for o in Outcome.objects.filter(meeting=meeting, stage=stage)}
        sides = []
        for side, label in Side.choices:
            outcome = existing.get(side)
            try:
                running.check_outcome_allowed(
                    meeting=meeting, side=side, stage=stage, by=request.user
                )
                refusal = None
            except DomainError as error:
                refusal = error.message
            initial = {name: getattr(outcome, name) for name in FIELDS} if outcome else {}
            form = None
            if refusal is None:
                form = FeedbackForm(
                    request.POST if posted == side else None, prefix=side, initial=initial
                )
            sides.append(
                {
                    "side": side,
                    "label": label,
                    "organization": meeting.party(side),
                    "outcome": outcome,
                    "form": form,
                    "refusal": refusal,
                }
            )
        return sides

    def _save(self, request, meeting: Meeting, stage: str, entry: dict) -> bool:
        form = entry["form"]
        if form is None or not form.is_valid():
            return False
        if form.is_blank:
            form.add_error("rating", _("Please answer this to save the meeting's feedback."))
            return False
        try:
            running.record_outcome(
                meeting=meeting,
                side=entry["side"],
                by=request.user,
                stage=stage,
                **form.cleaned_data,
            )
        except (DomainError, ValidationError) as error:
            message = error.message if isinstance(error, DomainError) else "; ".join(error.messages)
            form.add_error(None, message)
            return False
        self.message_user(
            request,
            _("Outcome of %(organization)s saved.")
            % {"organization": entry["organization"].display_name},
            messages.SUCCESS,
        )
        return True

    def outcome_view(self, request, object_id: int):
        meeting = get_object_or_404(
            Meeting.objects.select_related("event", "enterprise", "provider"), pk=object_id
        )
        if not self.has_view_permission(request, meeting):
            raise Http404
        stage = (
            Outcome.Stage.FOLLOW_UP
            if request.GET.get("stage") == "followup"
            else Outcome.Stage.EVENT
        )
        sides = self._sides(request, meeting, stage)
        if request.method == "POST":
            entry = next((s for s in sides if s["side"] == request.POST.get("side")), None)
            if entry is None:
                raise Http404
            if self._save(request, meeting, stage, entry):
                return HttpResponseRedirect(request.get_full_path())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Outcome of the meeting"),
            "meeting": meeting,
            "time": self.time(meeting),
            "stage": stage,
            "stages": [
                (value, label, outcome_url(meeting, value), value == stage)
                for value, label in Outcome.Stage.choices
            ],
            "sides": sides,
            "opts": Meeting._meta,
            "check_in_url": reverse("event-check-in", args=[meeting.event_id]),
        }
        return TemplateResponse(request, "admin/events/meeting/outcome.html", context)


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    """Outcomes as the sides reported them, to read and filter; recording and
    correcting one happens on its meeting's page (the "meeting" column links there)."""

    list_display = [
        "meeting_event",
        "meeting_pair",
        "side",
        "stage",
        "rating",
        "next_step",
        "deal_value",
        "submitted_at",
    ]
    list_filter = ["stage", "side", "next_step", "meeting__event__season", "meeting__event__domain"]
    search_fields = ["meeting__enterprise__name", "meeting__provider__name", "note"]
    list_select_related = ["meeting__event", "meeting__enterprise", "meeting__provider"]
    fields = ["meeting", "side", "stage", "rating", "next_step", "deal_value", "note"]
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("event"), ordering="meeting__event__date")
    def meeting_event(self, obj: Outcome) -> str:
        return str(obj.meeting.event)

    @admin.display(description=_("meeting"))
    def meeting_pair(self, obj: Outcome) -> str:
        return format_html(
            '<a href="{}">{} ↔ {}</a>',
            outcome_url(obj.meeting, obj.stage),
            obj.meeting.enterprise,
            obj.meeting.provider,
        )
