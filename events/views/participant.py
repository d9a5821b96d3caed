"""Event pages for participants: the public list, my events, the event page, calendars.

Views check access, read through events.selectors or call a service, respond; which
stage of its life allows what is the event's own knowledge (events.models.Event). The event page is public for visible
events; what a participant sees beyond the description (suggested counterparts,
requests, the schedule) needs a membership of a registered organization.
"""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.forms import posted_pk
from core.errors import DomainError
from core.models import Organization
from core.ratelimit import ratelimit
from events.ics import ics_for
from events.models import Event, Meeting, MeetingRequest, Registration
from events.selectors import check_in as check_in_selectors
from events.selectors import participants as selectors
from events.selectors import schedules as schedule_selectors
from events.services import feeds, follow_up, online
from events.services import requests as request_services
from matchmaking.models import Need, Solution

PAGE_SIZE = 20
# Where a participant's event stands, as a badge colour (site.css: ok / warn / err / grey).
EVENT_BADGE = {
    Event.Status.PUBLISHED: "ok",
    Event.Status.REGISTRATION_CLOSED: "warn",
    Event.Status.SCHEDULED: "ok",
    Event.Status.RUNNING: "ok",
    Event.Status.FINISHED: "grey",
    Event.Status.CANCELLED: "err",
}
REGISTRATION_BADGE = {
    Registration.Status.INVITED: "warn",
    Registration.Status.REGISTERED: "ok",
    Registration.Status.CHECKED_IN: "ok",
    Registration.Status.WAITLISTED: "warn",
    Registration.Status.DECLINED: "grey",
    Registration.Status.NO_SHOW: "err",
}
REQUEST_BADGE = {
    MeetingRequest.Status.REQUESTED: "warn",
    MeetingRequest.Status.ACCEPTED: "ok",
    MeetingRequest.Status.DECLINED: "grey",
    MeetingRequest.Status.EXPIRED: "grey",
    MeetingRequest.Status.CANCELLED: "grey",
}


def _organization(request: HttpRequest) -> Organization | None:
    membership = request.user.primary_membership if request.user.is_authenticated else None
    return membership.organization if membership else None


def _badge(event: Event) -> Event:
    event.badge = EVENT_BADGE.get(event.status, "grey")
    return event


def event_list(request: HttpRequest) -> HttpResponse:
    """对接活动: upcoming events open to the public eye (title, date, venue, theme)."""
    events = selectors.upcoming_events(timezone.localdate())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        _badge(event)
    return render(request, "events/participant/event_list.html", {"page": page})


@login_required
def my_events(request: HttpRequest) -> HttpResponse:
    """我的活动: my organizations' registrations, upcoming first, then past events."""
    upcoming, past = selectors.my_registrations(request.user, timezone.localdate())
    for registration in (*upcoming, *past):
        _badge(registration.event)
        registration.badge = REGISTRATION_BADGE.get(registration.status, "grey")
    return render(
        request, "events/participant/my_events.html", {"upcoming": upcoming, "past": past}
    )


def _requests_of(event: Event, organization: Organization, side: str) -> dict[str, list]:
    groups = selectors.requests_of(event, organization, side)
    for items in groups.values():
        for item in items:
            item.badge = REQUEST_BADGE.get(item.status, "grey")
    return groups


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The event page: details for everyone; requests and schedule for participants."""
    event = get_object_or_404(
        Event.objects.visible().select_related("venue", "domain"),
        pk=pk,
    )
    _badge(event)
    organization = _organization(request)
    registration = selectors.registration_of(event, organization)
    context = {
        "event": event,
        "organization": organization,
        "registration": registration,
        "slot_count": event.slot_count,
    }
    if registration is not None:
        registration.badge = REGISTRATION_BADGE.get(registration.status, "grey")
        side = registration.side
        context["side"] = side
        context["requests_open"] = event.accepts_requests
        if registration.is_attending:
            if context["requests_open"]:
                context["suggestions"] = selectors.suggested_counterparts(event, organization)
            context |= _requests_of(event, organization, side)
        # Once the event is under way, the participants' next step is the feedback form.
        context["feedback_open"] = registration.is_attending and event.feedback_open()
        context["followup_open"] = (
            context["feedback_open"] and event.followup_requested_at is not None
        )
        meetings = list(schedule_selectors.meetings_of(organization.pk, event=event))
        context["meetings"] = schedule_selectors.with_labels(event, meetings, organization.pk)
        if event.status in Event.SCHEDULE_OUT:
            context["unscheduled"] = schedule_selectors.unscheduled_for(event, organization.pk)
        if meetings:
            feed = feeds.feed_of(user=request.user, organization=organization)
            context["feed_url"] = (
                request.build_absolute_uri(reverse("calendar-feed", args=[feed.token]))
                if feed
                else None
            )
    return render(request, "events/participant/event_detail.html", context)


@login_required
@require_POST
@ratelimit("form")
def request_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a meeting request to a registered participant of the other side."""
    event = get_object_or_404(Event.objects.visible(), pk=pk)
    organization = _organization(request)
    if organization is None:
        raise Http404
    to_org = get_object_or_404(Organization, pk=posted_pk(request.POST.get("to")))
    need = _optional(Need, request.POST.get("need"))
    solution = _optional(Solution, request.POST.get("solution"))
    try:
        meeting_request = request_services.request_meeting(
            event=event,
            from_org=organization,
            to_org=to_org,
            by=request.user,
            message=request.POST.get("message", ""),
            need=need,
            solution=solution,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if meeting_request.status == MeetingRequest.Status.ACCEPTED:
            messages.success(
                request,
                _("%(org)s had asked you too: the meeting is accepted.")
                % {"org": to_org.display_name},
            )
        else:
            messages.success(
                request,
                _("Request sent to %(org)s. We will email you when they answer.")
                % {"org": to_org.display_name},
            )
    return redirect(f"{event_url(event)}#requests")


def _optional(model, value: str | None):
    if not value:
        return None
    try:
        return model.objects.filter(pk=int(value)).first()
    except ValueError:
        return None


def event_url(event: Event) -> str:
    return reverse("event-detail", args=[event.pk])


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept, decline or cancel a meeting request of one of my organizations."""
    meeting_request = get_object_or_404(selectors.my_meeting_requests(request.user), pk=pk)
    action = request.POST.get("action")
    try:
        if action in ("accept", "decline"):
            request_services.answer_request(
                request=meeting_request, accept=action == "accept", by=request.user
            )
            messages.success(
                request,
                _("Accepted: the meeting will be in your schedule.")
                if action == "accept"
                else _("Declined. The other organization is told."),
            )
        elif action == "cancel":
            request_services.cancel_request(request=meeting_request, by=request.user)
            messages.info(request, _("Request cancelled."))
        elif action == "thread":
            thread = follow_up.thread_for_request(request=meeting_request, by=request.user)
            return redirect("thread-detail", pk=thread.pk)
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(f"{event_url(meeting_request.event)}#requests")


@login_required
@require_POST
@ratelimit("form")
def meeting_video_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Set or clear the video-conference link of one of my organizations' meetings."""
    meeting = get_object_or_404(Meeting.objects.select_related("event"), pk=pk)
    if not rules.has_perm("events.set_meeting_link", request.user, meeting):
        raise Http404
    try:
        online.set_video_link(
            meeting=meeting, url=request.POST.get("video_url", ""), by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The video-conference link is saved."))
    return redirect(f"{event_url(meeting.event)}#schedule")


@login_required
def schedule_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """My organization's meetings at one event as an .ics download."""
    event = get_object_or_404(Event.objects.visible(), pk=pk)
    organization = _organization(request)
    if organization is None:
        raise Http404
    registration = selectors.registration_of(event, organization)
    meetings = list(schedule_selectors.meetings_of(organization.pk, event=event))
    if registration is None and not meetings:
        raise Http404
    content = ics_for(
        organization,
        meetings or [event],
        check_in_codes=check_in_selectors.codes_of(organization.pk, event),
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-schedule.ics"'
    return response


@login_required
@require_POST
def calendar_link(request: HttpRequest) -> HttpResponse:
    """Make (once) my personal calendar subscription link for my organization's schedule."""
    organization = _organization(request)
    if organization is None:
        raise Http404
    feeds.calendar_feed_for(user=request.user, organization=organization)
    messages.success(
        request,
        _("Your calendar link is ready. Add it to your calendar app as a subscription."),
    )
    target = posted_pk(request.POST.get("event"))
    if target:
        return redirect(f"{event_url(Event(pk=target))}#schedule")
    return redirect(f"{reverse('profile')}#calendar")


@login_required
@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    """Replace my calendar link by a new one (the old one stops working)."""
    organization = _organization(request)
    if organization is None:
        raise Http404
    feeds.rotate_calendar_feed(user=request.user, organization=organization)
    messages.success(
        request,
        _(
            "Your calendar link was replaced. Subscribe to the new one; the old one no longer works."
        ),
    )
    return redirect(f"{reverse('profile')}#calendar")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private subscription feed: no login, the token is the secret.

    Answers only while the feed's owner is an active member of the organization; a
    feed whose owner left answers 410 Gone, without any of the schedule.
    """
    feed = feeds.live_feed(token)
    if feed is None:
        if feeds.feed_exists(token):
            return HttpResponse(
                _("This calendar link no longer works."),
                status=410,
                content_type="text/plain; charset=utf-8",
            )
        raise Http404
    content = ics_for(
        feed.organization,
        feeds.feed_items(feed.organization),
        check_in_codes=check_in_selectors.codes_of(feed.organization_id),
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


urlpatterns = [
    path("", event_list, name="event-list"),
    path("mine/", my_events, name="my-events"),
    path("<int:pk>/", event_detail, name="event-detail"),
    path("<int:pk>/requests/", request_meeting, name="event-request-meeting"),
    path("<int:pk>/schedule.ics", schedule_ics, name="event-schedule-ics"),
    path("requests/<int:pk>/", request_action, name="meeting-request-action"),
    path("meetings/<int:pk>/video/", meeting_video_link, name="meeting-video-link"),
    path("calendar/link/", calendar_link, name="calendar-link"),
    path("calendar/rotate/", calendar_rotate, name="calendar-rotate"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
]
