"""Forms of the events pages and admin views that more than one of them uses."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.models import Outcome


class FeedbackForm(forms.Form):
    """One meeting's outcome as one side reports it; left empty, the meeting is skipped."""

    rating = forms.TypedChoiceField(
        label=gettext_lazy("How useful was the meeting?"),
        help_text=gettext_lazy("1 = not at all, 5 = very"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    next_step = forms.ChoiceField(
        label=gettext_lazy("Next step"),
        choices=[("", "—"), *Outcome.NextStep.choices],
        required=False,
    )
    deal_value = forms.IntegerField(
        label=gettext_lazy("Deal value (10k CNY)"),
        help_text=gettext_lazy("Optional: the value of the NDA, pilot or contract, in 万元."),
        min_value=0,
        max_value=10_000_000,
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict:
        data = super().clean()
        self.is_blank = not any(
            data.get(name) not in (None, "")
            for name in ("rating", "next_step", "deal_value", "note")
        )
        if not self.is_blank:
            for name in ("rating", "next_step"):
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, _("Please answer this to save the meeting's feedback."))
        return data
