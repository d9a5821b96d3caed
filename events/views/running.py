"""Event pages: running — the staff check-in page, RSVP QR codes, the participants'
feedback form, and the programme dashboard (mounted at /dashboard/ by config.urls).

Views check access, read through events.selectors or call events.services.running,
and respond; the queries, the rules and the state changes live there.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.timezone import localtime
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.forms import posted_pk
from core.errors import DomainError
from events import qr
from events.forms import FeedbackForm
from events.models import Event, Outcome, Registration
from events.models.registrations import normalize_check_in_code
from events.selectors import check_in as check_in_selectors
from events.selectors import dashboard as dashboard_selectors
from events.selectors import participants as participant_selectors
from events.selectors import responses
from events.services import day, running

RegStatus = Registration.Status

# --- check-in ------------------------------------------------------------------------

# What a barcode scanner types: the bare token, or a URL that ends with it.
TOKEN_PATTERN = re.compile(r"([A-Za-z0-9_-]{16,64})/?(?:qr\.svg)?/?$")


def token_from_scan(text: str) -> str | None:
    """The RSVP token in what was typed or scanned (a token, or a URL ending in one)."""
    match = TOKEN_PATTERN.search(text.strip().split("?")[0])
    return match.group(1) if match else None


def _check_in_redirect(event: Event, query: str, *, early: bool) -> HttpResponse:
    target = redirect("event-check-in", pk=event.pk)
    params = {key: value for key, value in (("q", query), ("early", "1" if early else "")) if value}
    if params:
        target["Location"] += "?" + urlencode(params)
    return target


def _checked_in_message(request: HttpRequest, registration: Registration, was: str) -> None:
    name = registration.organization.display_name
    if was == RegStatus.CHECKED_IN:
        messages.info(
            request,
            _("%(name)s was already checked in at %(time)s.")
            % {"name": name, "time": date_format(localtime(registration.checked_in_at), "H:i")},
        )
    elif was in running.WALK_IN:
        messages.success(
            request,
            _("%(name)s registered on the spot and checked in (%(status)s before).")
            % {"name": name, "status": RegStatus(was).label},
        )
    else:
        messages.success(request, _("%(name)s checked in.") % {"name": name})


def _unknown_code(request: HttpRequest, event: Event, scanned: str) -> None:
    other = check_in_selectors.event_of_code(scanned)
    if other is not None and other.pk != event.pk:
        messages.error(
            request,
            _("This check-in code is for another event: %(event)s.") % {"event": other},
        )
        return
    messages.error(
        request,
        _(
            "No registration for this event has that code. Check the event, "
            "or search for the organization by name."
        ),
    )


def _handle_check_in_post(request: HttpRequest, event: Event) -> None:
    action = request.POST.get("action")
    # Ticked and confirmed on the page before the event's day (events.services.day).
    override = request.POST.get("override") == "1"
    if action == "token":
        scanned = request.POST.get("token", "").strip()
        registration = check_in_selectors.registration_by_code(
            event, normalize_check_in_code(scanned) or token_from_scan(scanned)
        )
        if registration is None:
            _unknown_code(request, event, scanned)
            return
        action = "check_in"
    elif action in ("check_in", "undo"):
        registration = get_object_or_404(
            event.registrations.select_related("organization"),
            pk=posted_pk(request.POST.get("registration")),
        )
    else:
        raise Http404
    was = registration.status
    try:
        if action == "check_in":
            registration = running.check_in(
                registration=registration, by=request.user, override=override
            )
            _checked_in_message(request, registration, was)
        else:
            running.undo_check_in(registration=registration, by=request.user)
            messages.info(
                request,
                _("Check-in of %(name)s taken back.")
                % {"name": registration.organization.display_name},
            )
    except DomainError as error:
        messages.error(request, error.message)


@staff_member_required
@never_cache
def check_in_page(request: HttpRequest, pk: int) -> HttpResponse:
    """签到: scan or type an RSVP code, or find the organization and check it in."""
    event = get_object_or_404(Event.objects.select_related("venue"), pk=pk)
    if request.method == "POST":
        _handle_check_in_post(request, event)
        return _check_in_redirect(
            event, request.POST.get("q", "").strip(), early=request.POST.get("override") == "1"
        )
    query = request.GET.get("q", "").strip()
    too_early = day.refusal(event, day.CHECK_IN)
    context = {
        "too_early": too_early,
        # The office confirmed on this page that it checks in before the event's day.
        "early": bool(too_early) and request.GET.get("early") == "1",
        "event": event,
        "registrations": check_in_selectors.check_in_list(event, query),
        "query": query,
        "sides": check_in_selectors.check_in_counts(event),
        "open": event.check_in_open,
    }
    return render(request, "events/running/check_in.html", context)


@require_GET
def rsvp_qr(request: HttpRequest, token: str) -> HttpResponse:
    """The RSVP code as a QR image (admin's registration page; older badges)."""
    registration = get_object_or_404(Registration.objects.only("pk"), rsvp_token=token)
    return _svg_response(qr.svg(token), f"rsvp-{registration.pk}.svg")


@require_GET
def check_in_qr(request: HttpRequest, code: str) -> HttpResponse:
    """A check-in code as a QR image, for the HTML emails (which also attach it)."""
    registration = get_object_or_404(Registration.objects.only("pk"), check_in_code=code)
    return _svg_response(qr.svg(code), f"check-in-{registration.pk}.svg")


def _svg_response(image: str, filename: str) -> HttpResponse:
    response = HttpResponse(image, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- feedback ------------------------------------------------------------------------


def _feedback_rows(request: HttpRequest, event: Event, organization, stage: str) -> list[dict]:
    """The organization's meetings, each with a form (none for a no-show) filled with
    what its side reported so far, or with what was just posted."""
    data = request.POST if request.method == "POST" else None
    rows = []
    for row in participant_selectors.feedback_rows(event, organization, stage):
        outcome = row.outcome
        initial = (
            {
                "rating": outcome.rating,
                "next_step": outcome.next_step,
                "deal_value": outcome.deal_value,
                "note": outcome.note,
            }
            if outcome
            else {}
        )
        form = None
        if row.meeting.status != row.meeting.Status.NO_SHOW:
            form = FeedbackForm(data, prefix=f"m{row.meeting.pk}", initial=initial)
        rows.append(
            {
                "meeting": row.meeting,
                "side": row.side,
                "counterpart": row.counterpart,
                "outcome": outcome,
                "form": form,
            }
        )
    return rows


def _save_feedback(request: HttpRequest, rows: list[dict], stage: str) -> bool:
    forms_ = [row for row in rows if row["form"] is not None]
    if not all(row["form"].is_valid() for row in forms_):
        messages.error(request, _("Please correct the answers marked below."))
        return False
    saved = 0
    for row in forms_:
        form = row["form"]
        if form.is_blank:
            continue
        try:
            running.record_outcome(
                meeting=row["meeting"],
                side=row["side"],
                by=request.user,
                stage=stage,
                **form.cleaned_data,
            )
        except (DomainError, ValidationError) as error:
            message = error.message if isinstance(error, DomainError) else "; ".join(error.messages)
            messages.error(request, f"{row['counterpart'].display_name}: {message}")
            return False
        saved += 1
    if saved:
        messages.success(
            request,
            ngettext(
                "Thank you: your feedback on %(count)d meeting is saved. You can change it here.",
                "Thank you: your feedback on %(count)d meetings is saved. You can change it here.",
                saved,
            )
            % {"count": saved},
        )
    else:
        messages.warning(request, _("Nothing to save: rate at least one meeting."))
    return saved > 0


@login_required
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """成果反馈: my organization's meetings at an event, one short form each."""
    event = get_object_or_404(Event.objects.visible().select_related("venue"), pk=pk)
    stage = (
        Outcome.Stage.FOLLOW_UP if request.GET.get("stage") == "followup" else Outcome.Stage.EVENT
    )
    registration = participant_selectors.attending_registration(event, request.user)
    is_open = event.feedback_open(followup=stage == Outcome.Stage.FOLLOW_UP)
    rows = []
    if registration is not None and is_open:
        rows = _feedback_rows(request, event, registration.organization, stage)
        if request.method == "POST" and _save_feedback(request, rows, stage):
            return redirect(request.get_full_path())
    context = {
        "event": event,
        "stage": stage,
        "is_followup": stage == Outcome.Stage.FOLLOW_UP,
        "registration": registration,
        "is_open": is_open,
        "rows": rows,
    }
    return render(request, "events/running/feedback.html", context)


# --- the programme dashboard ---------------------------------------------------------


def _chart_data(figures: dict) -> dict:
    """The figures the charts draw, as plain JSON (the tables beside them show the same)."""
    domains = figures["domains"]
    return {
        "funnel": {
            "labels": [str(step["label"]) for step in figures["totals"]["funnel"]],
            "counts": [step["count"] for step in figures["totals"]["funnel"]],
        },
        "domains": {
            "labels": [_domain_name(row) for row in domains],
            "axes": {"events": _("Events"), "meetings": _("Meetings")},
            "series": [
                {
                    "label": _("Events planned"),
                    "axis": "events",
                    "data": [row["events_planned"] for row in domains],
                },
                {
                    "label": _("Events held"),
                    "axis": "events",
                    "data": [row["events_held"] for row in domains],
                },
                {
                    "label": _("Meetings held"),
                    "axis": "meetings",
                    "data": [row["met"] for row in domains],
                },
            ],
        },
    }


def _domain_name(row: dict) -> str:
    if not row["code"]:
        return _("No domain")
    english = (get_language() or "").startswith("en")
    return row["name_en"] if english else row["name_zh"]


@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """项目看板: events against the season's target, attendance, meetings and outcomes."""
    seasons = dashboard_selectors.seasons()
    chosen = request.GET.get("season", "")
    if chosen == "all" or not seasons:
        season = None
    elif chosen:
        season = next((s for s in seasons if str(s.pk) == chosen), None)
        if season is None:
            raise Http404
    else:
        season = seasons[0]
    figures = dashboard_selectors.dashboard_figures(season=season)
    for row in figures["domains"]:
        row["name"] = _domain_name(row)
    context = {
        "seasons": seasons,
        "season": season,
        "figures": figures,
        "totals": figures["totals"],
        "filings": dashboard_selectors.filing_figures(season=season),
        "chart_data": _chart_data(figures),
        "responses": responses.response_figures(season=season),
    }
    return render(request, "events/running/dashboard.html", context)


urlpatterns = [
    path("<int:pk>/check-in/", check_in_page, name="event-check-in"),
    path("<int:pk>/feedback/", feedback, name="event-feedback"),
    path("rsvp/<str:token>/qr.svg", rsvp_qr, name="event-rsvp-qr"),
    path("check-in/<str:code>/qr.svg", check_in_qr, name="event-check-in-qr"),
]
