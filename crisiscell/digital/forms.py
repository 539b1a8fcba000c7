"""Forms of the digital evidence pages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crisiscell.cases.models import Offence
from crisiscell.core.forms import ModelMultipleChoiceField
from crisiscell.digital.models import DateOrder, NciiService
from crisiscell.digital.peca import peca_offences

DATE_ORDER_CHOICES = [("", _("Work it out from the dates (recorded)")), *DateOrder.choices]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File or archive"))
    description = forms.CharField(label=_("What it is"), max_length=300, required=False)
    timezone = forms.CharField(
        label=_("Time zone of the phone"),
        max_length=64,
        initial="Asia/Karachi",
        help_text=_("WhatsApp writes local times without a zone; this is the zone they are read in."),
    )
    date_order = forms.ChoiceField(label=_("Date order"), choices=DATE_ORDER_CHOICES, required=False)
    intimate = forms.BooleanField(label=_("Intimate images: blur them for everyone"), required=False)


class TimezoneForm(forms.Form):
    timezone = forms.CharField(label=_("Time zone of the phone"), max_length=64)


class DateOrderForm(forms.Form):
    date_order = forms.ChoiceField(
        label=_("Date order the phone writes"),
        choices=DATE_ORDER_CHOICES[1:],
        help_text=_("Read the chat's dates again in this order; the messages and exhibits stay."),
    )


class PecaChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Offence) -> str:
        return f"PECA {obj.section}: {obj.display_title}"


class ExhibitForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    offences = PecaChoiceField(
        label=_("PECA offences it shows"),
        queryset=Offence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["offences"]
        if isinstance(field, forms.ModelMultipleChoiceField):
            field.queryset = peca_offences()


class UnblurForm(forms.Form):
    reason = forms.CharField(label=_("Why you need to see it"), max_length=300, min_length=10)


# Names of fields a PIN would be posted in, and values shaped like a PIN rather than a case number.
_PIN_FIELD = re.compile(r"pin|passcode|password", re.IGNORECASE)
_PIN_VALUE = re.compile(r"[0-9]{4,8}")


class NciiForm(forms.Form):
    """The StopNCII / Take It Down case number. Never the PIN: the form refuses anything like one."""

    service = forms.ChoiceField(label=_("Service"), choices=NciiService.choices)
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=64,
        help_text=_("Only the case number. Never write the PIN here: it stays with her."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if any(_PIN_FIELD.search(key) for key in self.data):
            raise forms.ValidationError(
                _("This form takes no PIN. Record only the case number; the PIN stays with her."), code="pin"
            )
        number = str(cleaned.get("case_number") or "").strip()
        if number and _PIN_VALUE.fullmatch(re.sub(r"[\s-]", "", number)):
            self.add_error(
                "case_number",
                forms.ValidationError(
                    _("This looks like a PIN, not a case number. Record only the case number."), code="pin"
                ),
            )
        return cleaned


class PackForm(forms.Form):
    recipient = forms.CharField(label=_("Office it goes to"), max_length=200, initial=_("NCCIA reporting centre"))
    purpose = forms.CharField(label=_("Purpose"), max_length=300, initial=_("Complaint under PECA 2016"))
    order_reference = forms.CharField(
        label=_("Order or request reference (if there is no consent to sharing)"), max_length=200, required=False
    )
