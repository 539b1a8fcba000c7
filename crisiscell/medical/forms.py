"""Forms of the examination record. Every form refuses a forbidden key or term before the service sees it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from crisiscell.accounts.models import User
from crisiscell.cases.forms import BLANK, LocalDateTimeInput, _dt
from crisiscell.core.forms import ModelChoiceField, ModelMultipleChoiceField
from crisiscell.documents.models import RecipientKind
from crisiscell.evidence.models import EvidenceItem
from crisiscell.medical import findings as rules
from crisiscell.medical.models import BodyView, GeneralCondition, InjuryAge, InjuryKind, MentalState, TreatmentKind
from crisiscell.medical.services import CERTIFICATE_RECIPIENTS, RecordInput

TEXTAREA = forms.Textarea(attrs={"rows": 3})
LONG_TEXTAREA = forms.Textarea(attrs={"rows": 6})


class GuardedForm(forms.Form):
    """Refuses, before anything else, a posted key or an examiner's text about the hymen,
    "habituation" or a finger test (ARITA s.13; LHC, 4 January 2021)."""

    # Fields holding the survivor's own words or the escort's identity: not the examiner's findings.
    unguarded: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        for key in self.data:
            if rules.is_forbidden_key(str(key)):
                raise rules.ForbiddenFinding()
        cleaned = super().clean() or {}
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and name not in self.unguarded and rules.FORBIDDEN_TERMS.search(value):
                self.add_error(name, rules.forbidden_message())
        return cleaned


class ExaminerChoice(ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class SampleChoice(ModelChoiceField):
    def label_from_instance(self, obj: EvidenceItem) -> str:
        return f"{obj.human_id} · {obj.get_kind_display()}"


class PhotographChoice(ModelMultipleChoiceField):
    def label_from_instance(self, obj: EvidenceItem) -> str:
        return obj.human_id


class StartForm(GuardedForm):
    examiner = ExaminerChoice(label=_("Examiner"), queryset=User.objects.none(), empty_label=None)
    started_at = _dt(_("Examination started"), required=True)

    def __init__(self, *args: Any, examiners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(ExaminerChoice, self.fields["examiner"])
        field.queryset = User.objects.filter(pk__in=[u.pk for u in examiners]).order_by("username")


class RecordForm(GuardedForm):
    unguarded = ("escort_name", "escort_relationship", "escort_address", "history")

    version = forms.IntegerField(widget=forms.HiddenInput)
    started_at = _dt(_("Examination started"))
    finished_at = _dt(_("Examination finished"))
    came_alone = forms.BooleanField(label=_("She came alone"), required=False)
    escort_name = forms.CharField(label=_("Name of the person who brought her"), max_length=200, required=False)
    escort_relationship = forms.CharField(label=_("Relationship to her"), max_length=100, required=False)
    escort_address = forms.CharField(label=_("Address of the person who brought her"), max_length=300, required=False)
    history = forms.CharField(
        label=_("History, in her own words"), widget=LONG_TEXTAREA, required=False, max_length=10000
    )
    general_condition = forms.ChoiceField(
        label=_("General physical condition"), choices=BLANK + GeneralCondition.choices, required=False
    )
    physical_state = forms.CharField(label=_("Physical state"), widget=TEXTAREA, required=False, max_length=10000)
    mental_state = forms.ChoiceField(label=_("Mental state"), choices=BLANK + MentalState.choices, required=False)
    mental_state_notes = forms.CharField(
        label=_("Mental state: what you saw"), widget=TEXTAREA, required=False, max_length=10000
    )
    other_particulars = forms.CharField(label=_("Other particulars"), widget=TEXTAREA, required=False, max_length=10000)
    no_injuries_seen = forms.BooleanField(label=_("The body was examined and no injury was seen"), required=False)
    no_samples_reason = forms.CharField(label=_("If no sample was taken: why"), max_length=300, required=False)

    def values(self) -> RecordInput:
        d = self.cleaned_data
        return RecordInput(**{name: d[name] for name in RecordInput.__dataclass_fields__})


class FindingsForm(GuardedForm):
    description = forms.CharField(
        label=_("Description of the ano-genital findings"), widget=TEXTAREA, required=False, max_length=10000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, (label, answers) in rules.ALLOWED_FINDINGS.items():
            self.fields[f"f_{key}"] = forms.ChoiceField(label=str(label), choices=BLANK + list(answers), required=False)
        self.order_fields([f"f_{key}" for key in rules.ALLOWED_FINDINGS] + ["description"])

    def findings(self) -> dict[str, str]:
        return {
            key: self.cleaned_data[f"f_{key}"] for key in rules.ALLOWED_FINDINGS if self.cleaned_data.get(f"f_{key}")
        }


class InjuryForm(GuardedForm):
    view = forms.ChoiceField(label=_("Diagram"), choices=BodyView.choices, required=False)
    x = forms.DecimalField(label=_("Across (0 to 100)"), min_value=0, max_value=100, decimal_places=2, required=False)
    y = forms.DecimalField(label=_("Down (0 to 100)"), min_value=0, max_value=100, decimal_places=2, required=False)
    site = forms.CharField(label=_("Site"), max_length=120)
    kind = forms.ChoiceField(label=_("Type"), choices=InjuryKind.choices)
    length_mm = forms.IntegerField(label=_("Length (mm)"), min_value=1, max_value=2000, required=False)
    width_mm = forms.IntegerField(label=_("Width (mm)"), min_value=1, max_value=2000, required=False)
    colour = forms.CharField(label=_("Colour"), max_length=60, required=False)
    estimated_age = forms.ChoiceField(label=_("Estimated age"), choices=InjuryAge.choices)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    photographs = PhotographChoice(
        label=_("Photographs of this injury"),
        queryset=EvidenceItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, photographs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(PhotographChoice, self.fields["photographs"])
        if photographs is not None:
            field.queryset = photographs


class SampleForm(GuardedForm):
    item = SampleChoice(label=_("Sample"), queryset=EvidenceItem.objects.none())

    def __init__(self, *args: Any, items: list[EvidenceItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(SampleChoice, self.fields["item"])
        field.queryset = EvidenceItem.objects.filter(pk__in=[i.pk for i in items])


class TreatmentForm(GuardedForm):
    kind = forms.ChoiceField(label=_("Treatment"), choices=TreatmentKind.choices)
    given = forms.TypedChoiceField(
        label=_("Given"),
        choices=[("yes", _("Given")), ("no", _("Not given (declined or not indicated)"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    at = forms.DateTimeField(
        label=_("Time given"), required=False, widget=LocalDateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    details = forms.CharField(label=_("Drug, dose, route"), max_length=200, required=False)
    declined_reason = forms.CharField(label=_("Why not given"), max_length=200, required=False)


class OpinionForm(GuardedForm):
    conclusion = forms.CharField(label=_("Conclusion"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    reasons = forms.CharField(label=_("Reasons for this conclusion"), widget=TEXTAREA, max_length=10000)


class AddendumForm(GuardedForm):
    text = forms.CharField(label=_("Addendum"), widget=LONG_TEXTAREA, max_length=10000)


class CertificateForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=[("en", _("English")), ("ur", _("Urdu"))])
    recipient_kind = forms.ChoiceField(
        label=_("Recipient"), choices=[(k.value, k.label) for k in CERTIFICATE_RECIPIENTS]
    )
    recipient = forms.CharField(label=_("Recipient's office or name"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    order_reference = forms.CharField(
        label=_("Order, summons or written request (if no consent covers it)"), max_length=200, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["recipient_kind"])
        field.choices = [(k.value, RecipientKind(k).label) for k in CERTIFICATE_RECIPIENTS]
