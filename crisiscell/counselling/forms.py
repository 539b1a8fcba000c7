"""Forms for counselling. They parse input; the services check every rule again."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from crisiscell.cases.forms import LocalDateTimeInput
from crisiscell.counselling import helplines, instruments
from crisiscell.counselling.models import (
    Attendance,
    ClosureReason,
    DeviceCheck,
    GuardianInvolvement,
    Language,
    Measure,
    PsychiatricReferral,
    RiskLevel,
    SelfHarm,
    SessionKind,
    SessionMode,
    TeamFlag,
)
from crisiscell.counselling.services import RiskInput, SafetyPlanContent
from crisiscell.referrals.forms import DateInput
from crisiscell.survivors.models import Guardian

DATETIME_INPUT = ["%Y-%m-%dT%H:%M"]


def _guardian_choices(guardians: list[Guardian]) -> list[tuple[str, str]]:
    # Named by relationship only: the form never decrypts a guardian's identity.
    return [("", "—")] + [
        (str(g.pk), str(g.get_relationship_display())) for g in guardians if not g.is_alleged_perpetrator
    ]


class _GuardianFields(forms.Form):
    """The guardian's part in a child's session; hidden for an adult."""

    guardian = forms.ChoiceField(label=_("Guardian taking part"), required=False, choices=[])
    guardian_involvement = forms.ChoiceField(
        label=_("Guardian's involvement"), choices=GuardianInvolvement.choices, initial=GuardianInvolvement.NONE
    )

    def __init__(self, *args: Any, child: bool = False, guardians: list[Guardian] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.child = child
        self._guardians = {str(g.pk): g for g in guardians or []}
        if child:
            cast(forms.ChoiceField, self.fields["guardian"]).choices = _guardian_choices(guardians or [])
            cast(forms.ChoiceField, self.fields["guardian_involvement"]).choices = [
                c for c in GuardianInvolvement.choices if c[0] != GuardianInvolvement.NOT_APPLICABLE
            ]
        else:
            del self.fields["guardian"]
            del self.fields["guardian_involvement"]

    def guardian_values(self) -> dict[str, Any]:
        if not self.child:
            return {"guardian": None, "guardian_involvement": GuardianInvolvement.NOT_APPLICABLE}
        return {
            "guardian": self._guardians.get(self.cleaned_data.get("guardian") or ""),
            "guardian_involvement": self.cleaned_data["guardian_involvement"],
        }


class BookForm(_GuardianFields):
    kind = forms.ChoiceField(label=_("Kind of session"), choices=[])
    mode = forms.ChoiceField(label=_("How"), choices=SessionMode.choices)
    scheduled_at = forms.DateTimeField(
        label=_("Date and time"), widget=LocalDateTimeInput(), input_formats=DATETIME_INPUT
    )
    duration_minutes = forms.IntegerField(label=_("Duration in minutes"), min_value=5, max_value=240, initial=50)

    field_order = ["kind", "mode", "scheduled_at", "duration_minutes", "guardian", "guardian_involvement"]

    def __init__(self, *args: Any, child: bool = False, **kwargs: Any):
        super().__init__(*args, child=child, **kwargs)
        adult = [SessionKind.INDIVIDUAL, SessionKind.GROUP]
        kinds = [SessionKind.INDIVIDUAL, SessionKind.WITH_GUARDIAN, SessionKind.PLAY, SessionKind.DRAWING,
                 SessionKind.GROUP] if child else adult  # fmt: skip
        cast(forms.ChoiceField, self.fields["kind"]).choices = [(k.value, k.label) for k in kinds]


class FirstAidForm(_GuardianFields):
    at = forms.DateTimeField(label=_("When"), widget=LocalDateTimeInput(), input_formats=DATETIME_INPUT)
    mode = forms.ChoiceField(label=_("How"), choices=SessionMode.choices)
    duration_minutes = forms.IntegerField(label=_("Duration in minutes"), min_value=5, max_value=240, initial=30)
    notes = forms.CharField(
        label=_("Note (restricted to psychologists)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )

    field_order = ["at", "mode", "duration_minutes", "guardian", "guardian_involvement", "notes"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("at", timezone.localtime().strftime(DATETIME_INPUT[0]))


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(
        label=_("What happened"),
        choices=[(a.value, a.label) for a in Attendance if a != Attendance.SCHEDULED],
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Session note (restricted to psychologists)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
    )
    goals = forms.CharField(label=_("Goals"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    progress = forms.CharField(
        label=_("Progress"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    duration_minutes = forms.IntegerField(label=_("Duration in minutes"), required=False, min_value=5, max_value=240)
    guardian_involvement = forms.ChoiceField(
        label=_("Guardian's involvement"),
        required=False,
        choices=[("", "—")] + [c for c in GuardianInvolvement.choices if c[0] != GuardianInvolvement.NOT_APPLICABLE],
    )

    def __init__(self, *args: Any, child: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not child:
            del self.fields["guardian_involvement"]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Her reason, in a few words"),
        max_length=300,
        help_text=_("The team sees this on the case page."),
    )


class MeasureForm(forms.Form):
    """One instrument's items, labelled in the language it is administered in."""

    def __init__(self, *args: Any, instrument: str, language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.spec = instruments.definition(instrument)
        self.language = language
        with translation.override(language):
            self.stem = str(self.spec.stem)
            options = [(str(i), str(label)) for i, label in enumerate(self.spec.options)]
            for number, item in enumerate(self.spec.items, start=1):
                self.fields[f"item_{number}"] = forms.TypedChoiceField(
                    label=f"{number}. {item}", choices=options, coerce=int, widget=forms.RadioSelect
                )

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"item_{n}"] for n in range(1, len(self.spec.items) + 1)]


class RiskForm(forms.Form):
    immediate_danger = forms.BooleanField(label=_("She is in immediate danger"), required=False)
    perpetrator_lives_with_her = forms.BooleanField(label=_("The perpetrator lives with her"), required=False)
    perpetrator_threats = forms.BooleanField(label=_("She has been threatened"), required=False)
    perpetrator_weapons = forms.BooleanField(label=_("The perpetrator has or has used a weapon"), required=False)
    stalking_online = forms.BooleanField(label=_("She is followed, watched or harassed online"), required=False)
    self_harm = forms.ChoiceField(label=_("Self-harm and suicide"), choices=SelfHarm.choices, widget=forms.RadioSelect)
    children_at_risk = forms.BooleanField(label=_("Children in her household are at risk"), required=False)
    psychiatric_referral = forms.ChoiceField(
        label=_("Psychiatric referral"), choices=PsychiatricReferral.choices, widget=forms.RadioSelect
    )
    called = forms.MultipleChoiceField(
        label=_("Numbers called now"), required=False, choices=helplines.helpline_choices,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    danger_judged = forms.ChoiceField(
        label=_("Your judgement of the risk from others (may only raise the level)"),
        required=False,
        choices=[("", "—"), *RiskLevel.choices],
    )
    self_harm_judged = forms.ChoiceField(
        label=_("Your judgement of the risk of self-harm (may only raise the level)"),
        required=False,
        choices=[("", "—"), *RiskLevel.choices],
    )
    formulation = forms.CharField(
        label=_("Formulation (restricted to psychologists)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )
    lower_flags = forms.BooleanField(
        label=_("Lower a board flag this assessment no longer supports"),
        required=False,
        help_text=_("A flag this assessment supports always stays raised."),
    )

    def to_input(self) -> RiskInput:
        return RiskInput(**self.cleaned_data)


class SafetyPlanForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of her printed plan"), choices=Language.choices)
    safe_places = forms.CharField(
        label=_("Safe places she can go"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    trusted_people = forms.CharField(
        label=_("People she trusts and how to reach them"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    code_word = forms.CharField(label=_("A code word that means she needs help"), required=False, max_length=100)
    how_to_leave = forms.CharField(
        label=_("How she would leave in a hurry"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )  # fmt: skip
    what_to_take = forms.CharField(
        label=_("What to take (documents, medicines, money, phone charger)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    phone_safety = forms.CharField(
        label=_("Using her phone safely"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    device_checks = forms.MultipleChoiceField(
        label=_("Phone checks to print"), required=False, choices=DeviceCheck.choices,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    emergency_numbers = forms.MultipleChoiceField(
        label=_("Numbers to print"), required=False, choices=helplines.helpline_choices,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def to_content(self) -> SafetyPlanContent:
        return SafetyPlanContent(**self.cleaned_data)


class PlanForm(forms.Form):
    planned_sessions = forms.IntegerField(label=_("Planned sessions"), min_value=1, max_value=52)
    shared_flags = forms.MultipleChoiceField(
        label=_("Flags shared with the team"),
        required=False,
        choices=TeamFlag.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The case worker and the cell head see these on the case page. They never see notes."),
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why counselling closes"), choices=ClosureReason.choices)
    final_measure = forms.ChoiceField(label=_("Final measure"), required=False, choices=[])

    def __init__(self, *args: Any, measures: list[Measure] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._measures = {str(m.pk): m for m in measures or []}
        cast(forms.ChoiceField, self.fields["final_measure"]).choices = [("", "—")] + [
            (str(m.pk), f"{m.get_instrument_display()} · {timezone.localtime(m.administered_at):%Y-%m-%d} · {m.total}")
            for m in reversed(measures or [])
        ]

    def measure(self) -> Measure | None:
        return self._measures.get(self.cleaned_data.get("final_measure") or "")


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you must read these notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The psychologists of this cell will see your name, the time and this reason."),
    )
    order_reference = forms.CharField(
        label=_("Court order or letter reference, if there is one"), required=False, max_length=200
    )


class ChildProtectionReferralForm(forms.Form):
    # Fields, choices and initial values fixed: rendered once per language (core.blank_forms).
    static_fields = True

    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        initial=_("Child Protection Bureau"),
        help_text=_("The organisation's name, never a person's."),
    )
    purpose = forms.CharField(
        label=_("What for"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        initial=_("A child at risk at home."),
    )
    due_on = forms.DateField(label=_("Response expected by"), widget=DateInput(), input_formats=["%Y-%m-%d"])
