"""Forms for police and court records. They parse input; the services check every rule again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crisiscell.cases.forms import DATETIME_FORMAT, LocalDateTimeInput
from crisiscell.cases.models import Offence
from crisiscell.core.forms import ModelMultipleChoiceField
from crisiscell.justice.models import AppealOutcome, AppealParty, LegalAidDecision, StatementPlace, Verdict
from crisiscell.referrals.forms import DateInput


def _dt(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, widget=LocalDateTimeInput(), input_formats=[DATETIME_FORMAT]
    )


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


def _sections() -> ModelMultipleChoiceField:
    return ModelMultipleChoiceField(
        label=_("Sections applied"),
        queryset=Offence.objects.all(),
        required=False,
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )


class StatementForm(forms.Form):
    text = forms.CharField(label=_("Her statement, in her own words"), widget=forms.Textarea(attrs={"rows": 10}))
    language = forms.CharField(label=_("Language she spoke"), max_length=40)
    place = forms.ChoiceField(label=_("Where it was taken"), choices=StatementPlace.choices)
    companion_present = forms.BooleanField(
        label=_("A female relative or a person of her choice was present"), required=False
    )
    read_back_and_agreed = forms.BooleanField(
        label=_("It was read back to her and she agreed it may be given to the police"), required=False
    )


class DraftForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=[("ur", "اردو"), ("en", "English")])
    police_station = forms.CharField(label=_("Police station"), max_length=200)


class RefusalForm(forms.Form):
    police_station = forms.CharField(label=_("Police station"), max_length=200)
    refused_on = _date(_("Refused on"))
    note = forms.CharField(label=_("What the police said"), max_length=500, required=False)


class FirForm(forms.Form):
    fir_number = forms.CharField(label=_("FIR number"), max_length=40)
    police_station = forms.CharField(label=_("Police station"), max_length=200)
    registered_at = _dt(_("FIR registered at"))
    sections = _sections()
    investigating_officer = forms.CharField(label=_("Investigating officer"), max_length=150, required=False)
    investigating_unit = forms.CharField(label=_("Investigating unit"), max_length=150, required=False)


class PoliceCaseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    sections = _sections()
    investigating_officer = forms.CharField(label=_("Investigating officer"), max_length=150, required=False)
    investigating_unit = forms.CharField(label=_("Investigating unit"), max_length=150, required=False)
    supervising_officer = forms.CharField(label=_("Supervising officer"), max_length=150, required=False)
    rights_notice_given = forms.BooleanField(label=_("Legal-rights notice given (CrPC 161A)"), required=False)
    rights_notice_at = _dt(_("Notice given at"), required=False)
    interim_report_on = _date(_("Interim report submitted on"), required=False)
    challan_on = _date(_("Final report (challan) submitted on"), required=False)

    def changes(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("version")
        d["sections"] = [o.code for o in d["sections"]]
        return d


class TransferForm(forms.Form):
    requested_on = _date(_("Requested on"))
    reason = forms.CharField(label=_("Why she is dissatisfied"), max_length=500)
    transferred_to = forms.CharField(label=_("Transferred to"), max_length=200, required=False)


class ArrestForm(forms.Form):
    arrested_on = _date(_("Arrested on"))
    count = forms.IntegerField(label=_("How many accused"), min_value=1, max_value=50, initial=1)
    note = forms.CharField(label=_("Note (no names)"), max_length=300, required=False)


class Section164RequestForm(forms.Form):
    requested_on = _date(_("Requested on"))
    magistrate = forms.CharField(label=_("Magistrate or court"), max_length=200, required=False)


class Section164RecordForm(forms.Form):
    recorded_on = _date(_("Recorded on"))
    magistrate = forms.CharField(label=_("Magistrate or court"), max_length=200)
    video_recorded = forms.BooleanField(label=_("Recorded on video"), required=False)
    support_adviser_present = forms.BooleanField(label=_("An independent support adviser was present"), required=False)


class CourtCaseForm(forms.Form):
    special_court = forms.CharField(label=_("Special court"), max_length=200)
    case_number = forms.CharField(label=_("Court case number"), max_length=60)
    cognizance_on = _date(_("Cognizance taken on"))
    in_camera_confirmed = forms.BooleanField(label=_("Trial in camera confirmed"), required=False)
    testimony_video_recorded = forms.BooleanField(label=_("Her testimony video-recorded"), required=False)


class CourtConductForm(forms.Form):
    in_camera_confirmed = forms.BooleanField(label=_("Trial in camera confirmed"), required=False)
    testimony_video_recorded = forms.BooleanField(label=_("Her testimony video-recorded"), required=False)


class HearingForm(forms.Form):
    held_on = _date(_("Date"))
    what_happened = forms.CharField(label=_("What happened"), max_length=500)
    adjourned = forms.BooleanField(label=_("Adjourned"), required=False)
    adjournment_reason = forms.CharField(label=_("Reason for the adjournment"), max_length=300, required=False)


class JudgmentForm(forms.Form):
    judgment_on = _date(_("Judgment on"))
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices)
    conviction_sections = ModelMultipleChoiceField(
        label=_("Convicted under"), queryset=Offence.objects.all(), required=False, to_field_name="code"
    )
    sentence = forms.CharField(label=_("Sentence"), max_length=300, required=False)
    compensation_pkr = forms.IntegerField(label=_("Compensation ordered (PKR)"), min_value=0, required=False)

    def convictions(self) -> list[tuple[str, str]]:
        d = self.cleaned_data
        return [(o.code, d.get("sentence") or "") for o in d.get("conviction_sections") or []]


class CompromiseForm(forms.Form):
    reported_on = _date(_("Reported on"))
    note = forms.CharField(label=_("What happened"), max_length=500)


class AppealForm(forms.Form):
    filed_on = _date(_("Filed on"))
    filed_by = forms.ChoiceField(label=_("Filed by"), choices=AppealParty.choices)
    court = forms.CharField(label=_("Court"), max_length=200)


class AppealDecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[c for c in AppealOutcome.choices if c[0] != "pending"])
    decided_on = _date(_("Decided on"))


class LegalAidApplyForm(forms.Form):
    applied_at = _dt(_("Applied at"))
    authority_reference = forms.CharField(label=_("Authority's reference"), max_length=60, required=False)


class LegalAidDeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why, in her words or yours"), max_length=300)


class LegalAidDecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=LegalAidDecision.choices)
    decided_at = _dt(_("Decided at"))


class LegalAidAssignForm(forms.Form):
    lawyer = forms.UUIDField(label=_("Panel lawyer"), required=False, widget=forms.Select())
    support_adviser = forms.CharField(label=_("Independent support adviser"), max_length=150, required=False)

    def __init__(self, *args: Any, lawyers: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [("", "—")]
        choices += [(str(lawyer.pk), lawyer.name) for lawyer in lawyers or []]
        self.fields["lawyer"].widget.choices = choices


class PanelLawyerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    bar_number = forms.CharField(label=_("Bar Council enrolment number"), max_length=60, required=False)
    phone = forms.CharField(label=_("Office phone"), max_length=40, required=False)
