"""Forms to post needs and solutions, in the sections users fill them in."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from config.forms import IdsChoiceField
from core.models import Industry
from core.validators import normalize_phone, validate_attachment
from matchmaking.models import Deployment, Need, ReturnReason, Solution
from matchmaking.services import pending_uploads
from matchmaking.services.catalog import date_and_budget_errors, submission_errors

SUBMIT = "submit"
SAVE_DRAFT = "draft"
KEEP_ATTACHMENT = "keep_attachment"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several attachments at once, each checked by size and real content type."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        limit = settings.ATTACHMENTS_PER_SAVE  # read here, so that a test can change it
        if len(files) > limit:
            raise ValidationError(_("Upload at most %(n)d files at a time.") % {"n": limit})
        cleaned = []
        for upload in files:
            upload = super().clean(upload, initial)
            try:
                validate_attachment(upload)
            except ValidationError as error:
                raise ValidationError(
                    _("%(name)s: %(error)s")
                    % {"name": upload.name[:80], "error": error.messages[0]},
                    code=error.code,
                ) from error
            cleaned.append(upload)
        return cleaned


class CatalogForm(forms.ModelForm):
    """Shared behaviour: section layout, phone format, submit checks."""

    kind = ""
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()

    new_attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, DOCX, XLSX, PNG or JPEG, up to 10 MB each."),
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.submitting = False
        self.user = user
        # Files chosen in an earlier try of this form, still ticked “keep”
        # (matchmaking.services.pending_uploads); attached on the successful save.
        self.kept_uploads: list[pending_uploads.PendingUpload] = []
        if self.is_bound and user is not None:
            claimed = (
                pending_uploads.claim(by=user, token=token)
                for token in dict.fromkeys(self.data.getlist(KEEP_ATTACHMENT))
            )
            self.kept_uploads = [item for item in claimed if item is not None]
        for name in ("capabilities", "industries"):
            if name in self.fields:
                self.fields[name].widget = forms.CheckboxSelectMultiple()
                self.fields[name].queryset = self.fields[name].queryset.order_by("sort_order")
        if "industry" in self.fields:
            self.fields["industry"].queryset = Industry.objects.order_by("sort_order")
        self.fields["title"].widget.attrs.update({"maxlength": 120, "minlength": 4})
        for name in ("summary",):
            self.fields[name].widget = forms.Textarea(attrs={"rows": 3, "maxlength": 600})
        self.fields["description"].widget = forms.Textarea(attrs={"rows": 8})

    def fieldsets(self):
        """(legend, [bound fields]) in the order the page shows them."""
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.sections
        ]

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data.get("contact_phone", "")
        return normalize_phone(phone) if phone else ""

    def clean_new_attachments(self) -> list:
        uploads = self.cleaned_data.get("new_attachments") or []
        limit = settings.ATTACHMENTS_PER_SAVE
        if uploads and len(uploads) + len(self.kept_uploads) > limit:
            raise ValidationError(_("Upload at most %(n)d files at a time.") % {"n": limit})
        return uploads

    def keep_uploads(self) -> None:
        """The form goes back to the user with an error: put the files chosen this time
        aside, so that the page can show them as kept instead of losing them."""
        cleaned = getattr(self, "cleaned_data", None)  # an empty POST binds no form
        if self.user is None or cleaned is None:
            return
        for upload in cleaned.get("new_attachments") or []:
            self.kept_uploads.append(pending_uploads.stash(by=self.user, upload=upload))
        self.cleaned_data["new_attachments"] = []

    def clean(self) -> dict:
        # The money range is the model's rule (Need.clean / Solution.clean), which the
        # model form applies after this.
        data = super().clean()
        if self.submitting:
            values = self._submission_values(data)
            errors = submission_errors(self.kind, values)
            for field, messages in date_and_budget_errors(self.kind, values).items():
                errors.setdefault(field, []).extend(messages)
            for field, messages in errors.items():
                for message in messages:
                    if field in self.fields and field not in self.errors:
                        self.add_error(field, message)
        return data

    def _submission_values(self, data: dict) -> dict:
        return dict(data)


class NeedForm(CatalogForm):
    kind = "need"
    sections = (
        (
            _("About the scenario"),
            ("title", "industry", "summary", "description", "capabilities", "capabilities_unsure"),
        ),
        (
            _("Requirements"),
            ("deployment", "requires_filing", "data_readiness", "region", "confidentiality"),
        ),
        (_("Budget and timing"), ("budget_min", "budget_max", "deadline")),
        (
            _("Contact (private until both sides agree to an introduction)"),
            ("contact_name", "contact_phone", "contact_email"),
        ),
        (_("Attachments"), ("new_attachments", "share_attachments")),
    )

    class Meta:
        model = Need
        fields = [
            "title",
            "industry",
            "capabilities",
            "capabilities_unsure",
            "summary",
            "description",
            "deployment",
            "requires_filing",
            "data_readiness",
            "region",
            "confidentiality",
            "budget_min",
            "budget_max",
            "deadline",
            "contact_name",
            "contact_phone",
            "contact_email",
            "share_attachments",
        ]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        field_classes = {"capabilities": IdsChoiceField}
        help_texts = {
            "capabilities": _(
                "Tick what fits, or accept a suggestion below. Not sure? Leave them empty "
                "and tick “not sure”: matching reads your description."
            ),
            "budget_min": _("In 万元 (10,000 CNY); leave empty if not decided."),
            "region": _("For example 上海市徐汇区."),
        }


DEPLOYMENT_FIELD_NAMES = tuple(Solution.DEPLOYMENT_FIELDS.values())


class SolutionForm(CatalogForm):
    kind = "solution"
    sections = (
        (
            _("About the solution"),
            ("title", "industries", "capabilities", "summary", "description"),
        ),
        (_("Delivery"), ("deployment_modes", "base_model", "filing_number", "maturity", "cases")),
        (_("Price"), ("price_min", "price_max")),
        (
            _("Contact (private until both sides agree to an introduction)"),
            ("contact_name", "contact_phone", "contact_email"),
        ),
        (_("Attachments"), ("new_attachments", "share_attachments")),
    )

    deployment_modes = forms.MultipleChoiceField(
        label=_("Deployment modes"),
        choices=Deployment.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Solution
        fields = [
            "title",
            "industries",
            "capabilities",
            "summary",
            "description",
            "base_model",
            "filing_number",
            "maturity",
            "cases",
            "price_min",
            "price_max",
            "contact_name",
            "contact_phone",
            "contact_email",
            "share_attachments",
        ]
        widgets = {"cases": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"capabilities": IdsChoiceField, "industries": IdsChoiceField}
        help_texts = {"price_min": _("In 万元 (10,000 CNY); leave empty to discuss.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("deployment_modes", self.instance.deployment_modes)

    def clean_filing_number(self) -> str:
        return " ".join(self.cleaned_data.get("filing_number", "").split())

    def _post_clean(self) -> None:
        super()._post_clean()
        self.instance.deployment_modes = self.cleaned_data.get("deployment_modes", [])


def bound_form(form_class: type[CatalogForm], request, **kwargs) -> CatalogForm:
    """A form bound to the request, knowing whether the user pressed “submit”."""
    form = form_class(request.POST or None, request.FILES or None, user=request.user, **kwargs)
    form.submitting = request.POST.get("action") == SUBMIT
    return form


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reviewer's feedback"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to the submitter by email; say what to change."),
    )


class ReviewDecisionForm(forms.Form):
    """Approve a submission from its own page, or return it with reasons from the
    office's templates (ReturnReason) and words of the reviewer's own."""

    APPROVE = "approve"
    RETURN = "return"

    decision = forms.ChoiceField(
        choices=[(APPROVE, _("Approve and publish")), (RETURN, _("Return to the submitter"))],
        widget=forms.HiddenInput,
    )
    reasons = forms.ModelMultipleChoiceField(
        label=_("Reasons"),
        queryset=ReturnReason.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The office edits these under “Return reasons”."),
    )
    note = forms.CharField(
        label=_("In your own words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the submitter by email after the reasons; say what to change."),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") == self.RETURN
            and not data.get("reasons")
            and not data.get("note", "").strip()
        ):
            raise ValidationError(
                _("Choose a reason or write one, so the submitter knows what to change.")
            )
        return data
