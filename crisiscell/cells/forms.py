"""Forms of the duty roster. Times are entered in Karachi time and stored in UTC."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from crisiscell.accounts.models import Membership
from crisiscell.cells.services import MAX_STANDARD_DAYS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class LocalDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ShiftForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts (Karachi time)"), widget=LocalDateTimeInput(), input_formats=[DATETIME_FORMAT]
    )
    ends_at = forms.DateTimeField(
        label=_("Ends (Karachi time)"), widget=LocalDateTimeInput(), input_formats=[DATETIME_FORMAT]
    )


class StandardWeekForm(forms.Form):
    first_day = forms.DateField(label=_("First day"), widget=LocalDateInput(), input_formats=["%Y-%m-%d"])
    days = forms.IntegerField(
        label=_("Days"),
        min_value=1,
        max_value=MAX_STANDARD_DAYS,
        initial=7,
        help_text=_("Three shifts a day: 00:00-08:00, 08:00-16:00 and 16:00-24:00. Days already planned are kept."),
    )


class AssignForm(forms.Form):
    """Choose a staff member of the cell in one of their roles (one choice per membership)."""

    membership = forms.ChoiceField(label=_("Staff member and role"), choices=[])

    def __init__(self, memberships: list[Membership], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = {str(m.pk): m for m in memberships}
        field = cast(forms.ChoiceField, self.fields["membership"])
        field.choices = [("", "—")] + [
            (key, f"{m.user.display_name} · {m.get_role_display()}") for key, m in self.memberships.items()
        ]

    @property
    def choices(self) -> list[tuple[str, str]]:
        return list(cast(forms.ChoiceField, self.fields["membership"]).choices)  # type: ignore[arg-type]

    def clean_membership(self) -> Membership:
        return self.memberships[self.cleaned_data["membership"]]
