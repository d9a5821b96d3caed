"""Pages for accounts and the visitor's organization. Thin: check, call a service, respond."""

from __future__ import annotations

import rules
from axes.utils import reset as reset_lockout
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from core.acting import acting_membership, choose_organization
from core.errors import DomainError
from core.forms import (
    DeleteAccountForm,
    EmailAuthenticationForm,
    InviteForm,
    LockoutPasswordChangeForm,
    OrganizationForm,
    PasswordResetRequestForm,
    ProfileForm,
    SignUpForm,
)
from core.identity import client_ip, normalize_identity
from core.models import Membership
from core.ratelimit import ratelimit
from core.services import accounts as services
from core.services import credentials, organizations, privacy

# The language a visitor picked with the header's switch before signing in (session key).
LANGUAGE_CHOSEN = "language_chosen"


def switch_language(request: HttpRequest) -> HttpResponse:
    """The header's language buttons: Django's set_language, remembered for the person.

    A signed-in user's choice becomes their saved preference (emails, next sign-in); a
    visitor's choice is kept in the session, so that signing in does not undo it.
    """
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and settings.LANGUAGE_COOKIE_NAME in response.cookies:
        if request.user.is_authenticated:
            services.remember_language(user=request.user, language=language)
        else:
            request.session[LANGUAGE_CHOSEN] = language
    return response


def _client_ip(request: HttpRequest) -> str | None:
    return client_ip(request) or None


def _set_language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@ratelimit("signup")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("workspace")
    token = request.GET.get("invitation") or request.POST.get("invitation") or ""
    invitation = services.open_invitation(token)
    if token and invitation is None:
        messages.error(request, _("This invitation has expired or was already used."))
    form = SignUpForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_org = None
        if invitation is None and data["organization_mode"] == SignUpForm.NEW:
            new_org = services.NewOrganization(
                name=data["organization_name"],
                kind=data["organization_kind"],
                uscc=data["uscc"],
                industry=data.get("industry"),
                district=data.get("district", ""),
            )
        try:
            user = services.sign_up(
                email=data["email"],
                full_name=data["full_name"],
                password=data["password1"],
                language=request.LANGUAGE_CODE,
                organization=new_org,
                join=data.get("join"),
                invitation=invitation,
                ip_address=_client_ip(request),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            request.session["signup_email"] = user.email
            return redirect("signup-done")
    return render(request, "registration/signup.html", {"form": form, "invitation": invitation})


def signup_done(request: HttpRequest) -> HttpResponse:
    return render(
        request, "registration/signup_done.html", {"email": request.session.get("signup_email", "")}
    )


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.verify_email(token=token)
    except DomainError as error:
        return render(
            request, "registration/verify_failed.html", {"error": error.message}, status=400
        )
    messages.success(request, _("Your email address is verified. Welcome!"))
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("workspace")
    return redirect("login")


@login_required
@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    if request.user.email_verified:
        messages.info(request, _("Your email address is already verified."))
    else:
        services.send_verification_email(user=request.user)
        messages.success(
            request,
            _("We sent a new verification link to %(email)s.") % {"email": request.user.email},
        )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("workspace")


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        chosen = self.request.session.pop(LANGUAGE_CHOSEN, None)
        response = super().form_valid(form)
        user = form.get_user()
        if chosen:
            # Picked with the header's switch just before signing in: it wins, and sticks.
            services.remember_language(user=user, language=chosen)
        return _set_language_cookie(response, user.language)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): 429, JSON for the API."""
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": _("Too many failed sign-in attempts. Try again later.")}, status=429
        )
    else:
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
    response["Retry-After"] = retry_after
    return response


@method_decorator(ratelimit("password_reset"), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Request a reset link. The request only queues the work, the same whether or not
    the address has an account, so neither the answer nor its time tells."""

    form_class = PasswordResetRequestForm

    def form_valid(self, form) -> HttpResponse:
        services.request_password_reset(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change my password: the old one is checked through the lockout; API tokens go
    (core/services/credentials.py), and Django ends my other sessions."""

    form_class = LockoutPasswordChangeForm

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}


@method_decorator(ratelimit("password_reset"), name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from a reset link. Whoever holds the link controls the address,
    so a lockout of the account ends with it."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        reset_lockout(username=normalize_identity(form.user.email))
        return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.update_profile(user=request.user, fields=form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return _set_language_cookie(redirect("profile"), user.language)
    context = {"form": form, "api_tokens": credentials.tokens_of(request.user)}
    return render(request, "account/profile.html", context)


@login_required
@require_POST
def revoke_api_token(request: HttpRequest) -> HttpResponse:
    """Revoke one of my API tokens (the account page)."""
    if credentials.revoke_own_api_token(user=request.user, key=request.POST.get("key", "")):
        messages.success(request, _("The API token was revoked. Programs using it are signed out."))
    else:
        messages.error(request, _("This API token no longer exists."))
    return redirect("profile")


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    """The header's switcher: act for another of my organizations from now on."""
    membership = choose_organization(request, request.POST.get("organization", ""))
    messages.success(
        request,
        _("You now act for %(name)s.") % {"name": membership.organization.display_name},
    )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("workspace")


def _membership_or_404(request: HttpRequest) -> Membership:
    membership = acting_membership(request)
    if membership is None:
        raise Http404
    return membership


@login_required
def organization(request: HttpRequest) -> HttpResponse:
    """My organization: details, members, join requests, invitations (owners edit)."""
    membership = acting_membership(request)
    if membership is None:
        pending = request.user.memberships.select_related("organization").first()
        return render(request, "account/no_organization.html", {"pending": pending})
    org = membership.organization
    manages = rules.has_perm("core.manage_members", request.user, org)
    form = None
    if manages:
        form = OrganizationForm(request.POST or None, instance=org)
        if request.method == "POST" and form.is_valid():
            was_verified = org.verified
            org = organizations.update_organization(
                by=request.user, organization=org, fields=form.cleaned_data
            )
            messages.success(request, _("The organization's details are saved."))
            if was_verified and not org.verified:
                messages.warning(
                    request,
                    _(
                        "The name or kind changed, so the organization is no longer shown as "
                        "verified until the programme office has checked it again."
                    ),
                )
            return redirect("organization")
    members = org.memberships.select_related("user").order_by("status", "role", "created_at")
    context = {
        "organization": org,
        "membership": membership,
        "manages": manages,
        "form": form,
        "members": members,
        "invitations": org.invitations.filter(accepted_at__isnull=True),
        "invite_form": InviteForm(),
    }
    return render(request, "account/organization.html", context)


@login_required
@require_POST
@ratelimit("form")
def invite(request: HttpRequest) -> HttpResponse:
    membership = _membership_or_404(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invite_member(
                by=request.user,
                organization=membership.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("organization")


@login_required
@require_POST
def decide_member(request: HttpRequest, pk: int) -> HttpResponse:
    own = _membership_or_404(request)
    target = get_object_or_404(Membership, pk=pk, organization=own.organization)
    try:
        action = request.POST.get("action")
        if action == "remove":
            services.remove_member(by=request.user, membership=target)
            messages.success(request, _("The member was removed."))
        else:
            services.decide_join_request(
                by=request.user, membership=target, approve=action == "approve"
            )
            messages.success(request, _("Your decision was recorded."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("organization")


@login_required
def export_data(request: HttpRequest) -> JsonResponse:
    """Download all personal data the platform holds about me (PIPL art. 45)."""
    response = JsonResponse(
        privacy.export_personal_data(request.user),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = 'attachment; filename="aiplus-personal-data.json"'
    return response


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    """Erase my account: personal data removed everywhere, statistics kept anonymous."""
    form = DeleteAccountForm(request.user, request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        privacy.erase_account(request.user)
        logout(request)
        messages.success(request, _("Your account and your personal data were deleted."))
        return redirect("home")
    return render(request, "account/delete.html", {"form": form})
