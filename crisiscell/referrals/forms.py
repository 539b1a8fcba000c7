"""Forms for referrals and transfers. The services validate again; these only parse input."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from crisiscell.cells.models import Cell
from crisiscell.core.forms import ModelChoiceField
from crisiscell.referrals.models import ReferralKind, ReferralStatus


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ReferralForm(forms.Form):
    # Fields, choices and initial values fixed: rendered once per language (core.blank_forms).
    static_fields = True

    kind = forms.ChoiceField(label=_("Refer to"), choices=ReferralKind.choices)
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("The organisation's name, never a person's."),
    )
    purpose = forms.CharField(label=_("What for"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("Response expected by"), widget=DateInput(), input_formats=["%Y-%m-%d"])


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("What happened"), choices=ReferralStatus.choices)
    reason = forms.CharField(
        label=_("Reason or note"),
        max_length=300,
        required=False,
        help_text=_("Required when the organisation rejected it."),
    )

    def __init__(self, *args: Any, next_statuses: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if next_statuses is not None:
            field = cast(forms.ChoiceField, self.fields["to_status"])
            field.choices = [(s, label) for s, label in ReferralStatus.choices if s in next_statuses]


class TransferRequestForm(forms.Form):
    to_cell = ModelChoiceField(label=_("Receiving cell"), queryset=Cell.objects.none())
    reason = forms.CharField(label=_("Why the case should move"), max_length=300)

    def __init__(self, *args: Any, current_cell: Cell, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(ModelChoiceField, self.fields["to_cell"])
        field.queryset = Cell.objects.filter(is_active=True).exclude(pk=current_cell.pk).order_by("code")


class TransferDeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why the transfer is declined"), max_length=300)
