"""Forms for accounts and organizations."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.identity import verify_password
from core.models import Industry, Invitation, Membership, Organization, User
from core.validators import normalize_phone, normalize_uscc


class SignUpForm(forms.Form):
    """Sign-up that registers a new organization or asks to join an existing one."""

    NEW = "new"
    JOIN = "join"

    email = forms.EmailField(label=_("Email"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not easy to guess: a few unrelated words work well."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    organization_mode = forms.ChoiceField(
        label=_("Organization"),
        choices=[
            (NEW, _("Register a new organization")),
            (JOIN, _("Join an organization that is already registered")),
        ],
        initial=NEW,
        widget=forms.RadioSelect,
    )
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_("The 18-character code on the business licence."),
    )
    organization_name = forms.CharField(
        label=_("Organization name"), max_length=120, required=False
    )
    organization_kind = forms.ChoiceField(
        label=_("Organization type"), choices=Organization.Kind.choices, required=False
    )
    industry = forms.ModelChoiceField(
        label=_("Industry"), queryset=Industry.objects.all(), required=False
    )
    district = forms.CharField(label=_("District"), max_length=40, required=False)
    consent = forms.BooleanField(label=_("I have read and accept the privacy notice"))

    def __init__(self, *args, invitation: Invitation | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["consent"].label = format_html(
            '{} <a href="{}" target="_blank" rel="noopener">{}</a>',
            _("I have read and accept the"),
            reverse_lazy("privacy"),
            _("privacy notice"),
        )
        if invitation is not None:
            # The invitation decides the organization; only the person's details remain.
            for name in (
                "organization_mode",
                "uscc",
                "organization_name",
                "organization_kind",
                "industry",
                "district",
            ):
                del self.fields[name]
            # The invitation is for its address only: a forwarded link does not let
            # someone else join under theirs.
            self.fields["email"].initial = invitation.email
            self.fields["email"].disabled = True

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("An account with this email already exists. Sign in or reset your password."),
                code="email_taken",
            )
        return email

    def clean_uscc(self) -> str:
        return normalize_uscc(self.cleaned_data["uscc"])

    def clean(self) -> dict:
        data = super().clean()
        password = data.get("password1")
        if password and data.get("password2") and password != data["password2"]:
            self.add_error("password2", _("The two passwords do not match."))
        if password:
            candidate = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        if self.invitation is None and data.get("uscc"):
            self._clean_organization(data)
        return data

    def _clean_organization(self, data: dict) -> None:
        existing = Organization.objects.filter(uscc=data["uscc"]).first()
        if data.get("organization_mode") == self.JOIN:
            if existing is None:
                self.add_error(
                    "uscc",
                    _(
                        "No organization with this code is registered yet. Choose "
                        "“Register a new organization”."
                    ),
                )
            data["join"] = existing
            return
        if existing is not None:
            self.add_error(
                "uscc",
                _(
                    "“%(name)s” is already registered with this code. Choose “Join an "
                    "organization that is already registered” to ask its owners to add you."
                )
                % {"name": existing.name},
            )
        for name in ("organization_name", "organization_kind"):
            if not data.get(name):
                self.add_error(name, _("This field is required to register an organization."))


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The email or password is not correct."),
        "inactive": _("This account is inactive."),
    }


class LockoutPasswordChangeForm(PasswordChangeForm):
    """Password change whose check of the old password counts towards the lockout."""

    def __init__(self, user, *args, request=None, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if not verify_password(self.request, self.user, old_password):
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class PasswordResetRequestForm(forms.Form):
    """The address a reset link is asked for. Nothing is looked up here: the view queues
    the look-up and the email (core/services/accounts.py request_password_reset)."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "language"]

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "")
        return normalize_phone(phone) if phone else ""


class OrganizationForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = ["name", "name_en", "kind", "industry", "district", "website", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's email"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial="member")


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that my account and my personal data will be deleted and cannot be restored"
        )
    )

    def __init__(self, user, *args, request=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # Through the lockout, like every other place that checks a password.
        if not verify_password(self.request, self.user, password):
            raise ValidationError(_("The password is not correct."), code="wrong_password")
        return password
