"""Event pages: answering an invitation (RSVP, no login) and self-registration.

The RSVP page is reached through the personal link in the invitation email; the
token in its URL is the only key, so an unknown token, or one of an event that is
still a draft, is a plain 404. The pages are never cached and never indexed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from config.forms import posted_pk
from core.errors import DomainError
from core.models import Organization
from core.ratelimit import ratelimit
from core.selectors import member_org_ids
from events.models import Event, Registration
from events.selectors import participants as selectors
from events.selectors import schedules as schedule_selectors
from events.services import registration as services


class RsvpForm(forms.Form):
    attendees = forms.CharField(
        label=gettext_lazy("Who will come"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Names of the people who will come, separated by commas."),
    )


class UnavailabilityForm(forms.Form):
    slots = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Time slots in which you cannot meet"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slots"].choices = [(i, event.slot_label(i)) for i in range(event.slot_count)]


def _registration(token: str) -> Registration:
    registration = get_object_or_404(
        Registration.objects.select_related("event", "event__venue", "organization"),
        rsvp_token=token,
    )
    if registration.event.status == Event.Status.DRAFT:
        raise Http404
    return registration


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@ratelimit("form")
def rsvp(request: HttpRequest, token: str) -> HttpResponse:
    """The organization's answer to its invitation: attend (with names) or decline."""
    registration = _registration(token)
    event = registration.event
    form = RsvpForm(request.POST or None, initial={"attendees": registration.attendees})
    if request.method == "POST":
        attending = request.POST.get("answer") == "attend"
        if request.POST.get("answer") not in ("attend", "decline"):
            messages.error(request, _("Choose whether you will attend."))
        elif form.is_valid():
            try:
                registration = services.respond_rsvp(
                    registration=registration,
                    attending=attending,
                    attendees=form.cleaned_data["attendees"],
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _answer_message(registration))
                return redirect("event-rsvp", token=token)
    return _private(render(request, "events/rsvp/rsvp.html", _context(registration, event, form)))


def _answer_message(registration: Registration) -> str:
    status = registration.status
    if status == Registration.Status.REGISTERED:
        return _(
            "Thank you: you are registered. Tell us below when you cannot meet; "
            "your meeting schedule follows by email."
        )
    if status == Registration.Status.WAITLISTED:
        return _(
            "The event is full on your side, so you are on the waiting list. "
            "We email you as soon as a place becomes free."
        )
    return _("Thank you for letting us know that you cannot attend.")


def _context(registration: Registration, event: Event, form: RsvpForm) -> dict:
    blocked = set(registration.unavailable_slots.values_list("slot", flat=True))
    return {
        "registration": registration,
        "event": event,
        "organization": registration.organization,
        "form": form,
        "can_change": event.registration_open,
        "attending": registration.status in Registration.ATTENDING,
        "slots": [
            {"index": i, "label": event.slot_label(i), "blocked": i in blocked}
            for i in range(event.slot_count)
        ],
        "waiting_position": selectors.waiting_position(registration),
        "themed_needs": selectors.themed_needs(registration),
    }


@never_cache
@require_POST
@ratelimit("form")
def rsvp_unavailability(request: HttpRequest, token: str) -> HttpResponse:
    """Replace the slots in which the registered organization cannot meet."""
    registration = _registration(token)
    form = UnavailabilityForm(request.POST, event=registration.event)
    if not form.is_valid():
        messages.error(request, _("This event has no such time slot."))
    else:
        try:
            services.set_unavailability(registration=registration, slots=form.cleaned_data["slots"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            count = len(form.cleaned_data["slots"])
            messages.success(
                request,
                _("Saved: we will not schedule meetings in the %(count)d slot(s) you marked.")
                % {"count": count}
                if count
                else _("Saved: you can meet in every time slot."),
            )
    return redirect(f"{reverse('event-rsvp', args=[registration.rsvp_token])}#availability")


@login_required
@require_POST
@ratelimit("form")
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in member registers their organization for a published event."""
    event = get_object_or_404(Event.objects.visible(), pk=pk)
    organization = _acting_organization(request)
    try:
        registration = services.register(
            event=event,
            organization=organization,
            side=request.POST.get("side") or None,
            by=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _back(request, event, None)
    messages.success(request, _answer_message(registration))
    if registration.status == Registration.Status.REGISTERED:
        # The message says “tell us below when you cannot meet”: the form is there.
        return redirect(f"{reverse('event-rsvp', args=[registration.rsvp_token])}#availability")
    return _back(request, event, registration)


def _acting_organization(request: HttpRequest) -> Organization:
    """The organization chosen in the form (one of the user's), else their primary one."""
    chosen = request.POST.get("organization")
    if chosen:
        return get_object_or_404(
            Organization, pk=posted_pk(chosen), pk__in=member_org_ids(request.user)
        )
    membership = request.user.primary_membership
    if membership is None:
        raise Http404
    return membership.organization


def _back(request: HttpRequest, event: Event, registration: Registration | None) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    try:
        return redirect(reverse("event-detail", args=[event.pk]))
    except NoReverseMatch:
        pass
    if registration is not None:
        return redirect("event-rsvp", token=registration.rsvp_token)
    return redirect("home")


@never_cache
def printable_schedule(request: HttpRequest, token: str) -> HttpResponse:
    """The organization's schedule on one printable page, with its check-in code and QR
    (reached from the event page, the RSVP page and the schedule email)."""
    registration = _registration(token)
    if not registration.is_attending:
        raise Http404
    event = registration.event
    meetings = schedule_selectors.with_labels(
        event,
        list(schedule_selectors.meetings_of(registration.organization_id, event=event)),
        registration.organization_id,
    )
    context = {"registration": registration, "event": event, "meetings": meetings}
    return _private(render(request, "events/rsvp/printable_schedule.html", context))


urlpatterns = [
    path("rsvp/<str:token>/", rsvp, name="event-rsvp"),
    path("rsvp/<str:token>/schedule/", printable_schedule, name="event-schedule-print"),
    path(
        "rsvp/<str:token>/unavailability/",
        rsvp_unavailability,
        name="event-rsvp-unavailability",
    ),
    path("<int:pk>/register/", register, name="event-register"),
]
