"""Forms for evidence: registration, sealing, storage, status, hand-overs, laboratories."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crisiscell.cases.forms import DATETIME_FORMAT, LocalDateTimeInput
from crisiscell.documents.models import RecipientKind
from crisiscell.evidence.models import EvidenceKind, EvidenceStatus, Laboratory


def _dt(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, widget=LocalDateTimeInput(), input_formats=[DATETIME_FORMAT]
    )


class RegisterForm(forms.Form):
    kind = forms.ChoiceField(label=_("What was collected"), choices=EvidenceKind.choices)
    collected_at = _dt(_("Collected at"))
    description = forms.CharField(label=_("Description (site, garment...)"), max_length=300, required=False)


class SealForm(forms.Form):
    seal_number = forms.CharField(label=_("Seal number"), max_length=40)
    sealer_initials = forms.CharField(label=_("Sealer's initials"), max_length=8)
    sealed_on = forms.DateField(label=_("Date on the seal"), widget=forms.DateInput(attrs={"type": "date"}))


class StoreForm(forms.Form):
    place = forms.CharField(label=_("Storage place"), max_length=120)
    temperature = forms.CharField(label=_("Temperature"), max_length=40, required=False)


# Statuses the status form may set; the others have their own forms (seal, storage,
# laboratory docket, receipt and result) that record what goes with them.
BY_HAND = (EvidenceStatus.RETURNED, EvidenceStatus.DESTROYED)


class StatusForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=[(s.value, s.label) for s in BY_HAND])
    reason = forms.CharField(label=_("Reason and on whose order (required to destroy)"), max_length=300, required=False)

    def __init__(self, *args: Any, allowed: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["to"].choices = [(s.value, s.label) for s in BY_HAND if s in allowed]  # type: ignore[attr-defined]

    @property
    def offers_anything(self) -> bool:
        return bool(self.fields["to"].choices)  # type: ignore[attr-defined]


class HandoverForm(forms.Form):
    receiver = forms.ChoiceField(label=_("Hand to"), choices=[])
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    seal_intact = forms.BooleanField(label=_("The seal is intact"), required=False, initial=True)
    condition = forms.CharField(label=_("Condition"), max_length=300, required=False)

    def __init__(self, *args: Any, receivers: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiver"].choices = [  # type: ignore[attr-defined]
            (str(u.pk), u.get_full_name() or u.username) for u in receivers or []
        ]


class ExternalHandoverForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    rank = forms.CharField(label=_("Rank or badge number"), max_length=80)
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    seal_intact = forms.BooleanField(label=_("The seal is intact"), required=False, initial=True)
    condition = forms.CharField(label=_("Condition"), max_length=300, required=False)


class ConfirmForm(forms.Form):
    token = forms.RegexField(
        label=_("Your six-digit code"), regex=r"^\d{6}$", max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip


class LabSubmitForm(forms.Form):
    laboratory = forms.ChoiceField(label=_("Laboratory"), choices=Laboratory.choices)
    docket_number = forms.CharField(label=_("Docket or road certificate number"), max_length=60)
    dispatched_at = _dt(_("Dispatched at"))
    items = forms.MultipleChoiceField(label=_("Items"), widget=forms.CheckboxSelectMultiple, choices=[])

    def __init__(self, *args: Any, items: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = items or []  # type: ignore[attr-defined]


class LabReceivedForm(forms.Form):
    received_at = _dt(_("Received by the laboratory at"))


class LabResultForm(forms.Form):
    document = forms.FileField(label=_("Result document"))
    received_at = _dt(_("Result received at"))
    summary = forms.CharField(label=_("Result in brief"), max_length=300, required=False)


class BundleForm(forms.Form):
    recipient_kind = forms.ChoiceField(
        label=_("For"),
        choices=[(k.value, k.label) for k in (RecipientKind.COURT, RecipientKind.POLICE, RecipientKind.LAWYER)],
    )
    recipient = forms.CharField(label=_("Court or office"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    order_reference = forms.CharField(label=_("Court order or request reference"), max_length=200, required=False)
