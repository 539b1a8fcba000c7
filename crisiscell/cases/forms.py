"""The intake form (one page, in sections) and the case forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crisiscell.cases import rules
from crisiscell.cases.models import (
    AgeGroup,
    Alert,
    ChildAssent,
    ClockState,
    ConsentDecision,
    ConsentGiver,
    ConsentMethod,
    ConsentPurpose,
    ContactMethod,
    ContactOutcome,
    Disability,
    EvidenceChoice,
    IncidentTimeKind,
    MedicalChoice,
    Offence,
    PerpetratorRelationship,
    PlaceType,
    PoliceChoice,
    Source,
    TaskStatus,
)
from crisiscell.cases.services import (
    EDITABLE_FIELDS,
    ConsentInput,
    GuardianInput,
    IntakeData,
    PerpetratorInput,
)
from crisiscell.survivors.identity import cnic_hint_lazy, normalise_cnic, normalise_phone
from crisiscell.survivors.models import (
    CallWindow,
    GuardianRelationship,
    IdentityCheck,
    Sex,
    Survivor,
)
from crisiscell.survivors.services import GuardianIdentity, SurvivorIdentity

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _dt(label: Any, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, widget=LocalDateTimeInput(), input_formats=[DATETIME_FORMAT]
    )


BLANK: list[tuple[str, Any]] = [("", "—")]
CONSENT_CHOICES = [("", _("Not asked yet")), *ConsentDecision.choices]

# Sections of the intake page, in order: (heading, field names).
INTAKE_SECTIONS: list[tuple[Any, list[str]]] = [
    (_("The survivor"), ["name", "relative_name", "cnic", "phone1", "phone2", "address", "date_of_birth",
                         "sex", "age_years", "age_estimated"]),
    (_("Safe contact"), ["may_call", "may_text", "call_window", "code_word"]),
    (_("Guardian (for a child)"), ["guardian_name", "guardian_relationship", "guardian_cnic", "guardian_phone",
                                   "guardian_identity_checked", "guardian_is_alleged_perpetrator"]),
    (_("Arrival and incident"), ["source", "source_detail", "arrival_at", "incident_time_kind", "incident_at",
                                 "incident_earliest", "incident_latest", "place_type", "district"]),
    (_("What happened"), ["penetration", "sexual_contact", "physical_assault", "forced_marriage",
                          "denial_of_resources", "psychological_abuse", "transactional", "held_captive",
                          "harmful_practice", "offences"]),
    (_("Alleged perpetrator"), ["perp_count", "perp_sex", "perp_age_group", "perp_relationship",
                                "perp_identifiers"]),
    (_("Her choices and safety"), ["choice_medical", "choice_evidence", "choice_police",
                                   "risk_immediate_danger", "risk_self_harm", "risk_perpetrator_in_household",
                                   "disabilities", "reported_elsewhere", "reported_elsewhere_to"]),
    (_("Consent"), ["consent_given_by", "consent_method", "consent_child_assent",
                    *[f"consent_{p}" for p in ConsentPurpose.values]]),
]  # fmt: skip


class IntakeForm(forms.Form):
    existing_survivor = forms.UUIDField(required=False, widget=forms.HiddenInput)

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    relative_name = forms.CharField(label=_("Father's or husband's name"), max_length=200, required=False)
    cnic = forms.CharField(
        label=_("CNIC"),
        max_length=20,
        required=False,
        help_text=cnic_hint_lazy(),
    )
    phone1 = forms.CharField(label=_("Phone"), max_length=30, required=False)
    phone2 = forms.CharField(label=_("Second phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False, widget=forms.RadioSelect)
    age_years = forms.IntegerField(label=_("Age in years"), min_value=0, max_value=120, required=False)
    age_estimated = forms.BooleanField(label=_("The age is an estimate"), required=False)

    may_call = forms.BooleanField(label=_("We may phone her"), required=False)
    may_text = forms.BooleanField(label=_("We may send a text message"), required=False)
    call_window = forms.ChoiceField(label=_("When we may call"), choices=CallWindow.choices, initial=CallWindow.NEVER)
    code_word = forms.CharField(
        label=_("Code word"), max_length=60, required=False,
        help_text=_("A word she chooses so she knows a call is really from the cell."),
    )  # fmt: skip

    guardian_name = forms.CharField(label=_("Guardian's name"), max_length=200, required=False)
    guardian_relationship = forms.ChoiceField(
        label=_("Relationship to the child"),
        choices=BLANK + GuardianRelationship.choices,
        required=False,
    )
    guardian_cnic = forms.CharField(label=_("Guardian's CNIC"), max_length=20, required=False)
    guardian_phone = forms.CharField(label=_("Guardian's phone"), max_length=30, required=False)
    guardian_identity_checked = forms.ChoiceField(
        label=_("How the guardian's identity was checked"),
        choices=BLANK + IdentityCheck.choices,
        required=False,
    )
    guardian_is_alleged_perpetrator = forms.BooleanField(
        label=_("This guardian is an alleged perpetrator"), required=False
    )

    source = forms.ChoiceField(label=_("How the cell learned of it"), choices=Source.choices, initial=Source.WALK_IN)
    source_detail = forms.CharField(label=_("Details (which police station, ward...)"), max_length=200, required=False)
    arrival_at = _dt(_("Arrival at the cell"), required=True)
    incident_time_kind = forms.ChoiceField(
        label=_("Is the incident time known?"), choices=IncidentTimeKind.choices, widget=forms.RadioSelect,
        initial=IncidentTimeKind.EXACT,
    )  # fmt: skip
    incident_at = _dt(_("Incident time"))
    incident_earliest = _dt(_("Earliest possible time"))
    incident_latest = _dt(_("Latest possible time"))
    place_type = forms.ChoiceField(label=_("Where it happened"), choices=PlaceType.choices, initial=PlaceType.UNKNOWN)
    district = forms.CharField(label=_("District"), max_length=100, required=False)

    penetration = forms.BooleanField(
        label=_("Penetration, however slight (of any body part or object)"), required=False
    )
    sexual_contact = forms.BooleanField(label=_("Unwanted sexual contact without penetration"), required=False)
    physical_assault = forms.BooleanField(label=_("Physical violence that is not sexual"), required=False)
    forced_marriage = forms.BooleanField(label=_("Marriage against her will"), required=False)
    denial_of_resources = forms.BooleanField(label=_("Denial of resources, opportunities or services"), required=False)
    psychological_abuse = forms.BooleanField(label=_("Psychological or emotional abuse"), required=False)
    transactional = forms.BooleanField(label=_("Money, goods or favours were exchanged"), required=False)
    held_captive = forms.BooleanField(label=_("Held or controlled over time for sexual purposes"), required=False)
    harmful_practice = forms.BooleanField(
        label=_("A harmful traditional practice (such as vani or swara)"), required=False
    )
    offences = forms.MultipleChoiceField(
        label=_("Alleged offences"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )

    perp_count = forms.IntegerField(label=_("How many"), min_value=1, max_value=50, initial=1)
    perp_sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[("male", _("Male")), ("female", _("Female")), ("unknown", _("Unknown"))],
    )
    perp_age_group = forms.ChoiceField(label=_("Age"), choices=AgeGroup.choices, initial=AgeGroup.UNKNOWN)
    perp_relationship = forms.ChoiceField(
        label=_("Relationship to her"),
        choices=PerpetratorRelationship.choices,
        initial=PerpetratorRelationship.UNKNOWN,
    )
    perp_identifiers = forms.CharField(
        label=_("Names, phone numbers, profile links"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the encrypted vault."),
    )  # fmt: skip

    choice_medical = forms.ChoiceField(label=_("Medical care"), choices=MedicalChoice.choices, widget=forms.RadioSelect)
    choice_evidence = forms.ChoiceField(
        label=_("Evidence collection"), choices=EvidenceChoice.choices, widget=forms.RadioSelect
    )
    choice_police = forms.ChoiceField(
        label=_("Report to the police"), choices=PoliceChoice.choices, widget=forms.RadioSelect
    )
    risk_immediate_danger = forms.BooleanField(label=_("She is in immediate danger"), required=False)
    risk_self_harm = forms.BooleanField(label=_("Risk of self-harm"), required=False)
    risk_perpetrator_in_household = forms.BooleanField(
        label=_("The perpetrator lives in her household"), required=False
    )
    disabilities = forms.MultipleChoiceField(
        label=_("Disabilities"),
        choices=Disability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reported_elsewhere = forms.BooleanField(label=_("Already reported to another GBV service"), required=False)
    reported_elsewhere_to = forms.CharField(label=_("Reported to"), max_length=200, required=False)

    consent_given_by = forms.ChoiceField(label=_("Consent given by"), choices=ConsentGiver.choices)
    consent_method = forms.ChoiceField(label=_("How consent was given"), choices=ConsentMethod.choices)
    consent_child_assent = forms.ChoiceField(
        label=_("For a child: her own view"),
        choices=ChildAssent.choices,
        initial=ChildAssent.NOT_APPLICABLE,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offences = cast(forms.MultipleChoiceField, self.fields["offences"])
        offences.choices = [(o.code, f"{o.law} {o.section}: {o.display_title}") for o in Offence.objects.all()]
        for purpose in ConsentPurpose:
            self.fields[f"consent_{purpose.value}"] = forms.ChoiceField(
                label=purpose.label, choices=CONSENT_CHOICES, required=False
            )
        if not self.is_bound and "arrival_at" not in self.initial:
            self.initial["arrival_at"] = timezone.localtime().strftime(DATETIME_FORMAT)

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in INTAKE_SECTIONS]

    def clean_cnic(self) -> str:
        raw: str = self.cleaned_data["cnic"]
        return normalise_cnic(raw) if raw.strip() else ""

    def clean_guardian_cnic(self) -> str:
        raw: str = self.cleaned_data["guardian_cnic"]
        return normalise_cnic(raw) if raw.strip() else ""

    def _phone(self, name: str) -> str:
        raw: str = self.cleaned_data[name]
        return normalise_phone(raw) if raw.strip() else ""

    def clean_phone1(self) -> str:
        return self._phone("phone1")

    def clean_phone2(self) -> str:
        return self._phone("phone2")

    def clean_guardian_phone(self) -> str:
        return self._phone("guardian_phone")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        returning = bool(data.get("existing_survivor"))
        if not returning:
            if not data.get("sex"):
                self.add_error("sex", _("Choose her sex."))
            if data.get("age_years") is None and not data.get("date_of_birth"):
                self.add_error("age_years", _("Enter her age, or an estimate and tick the box below."))
        kind = data.get("incident_time_kind")
        if kind == IncidentTimeKind.EXACT and not data.get("incident_at"):
            self.add_error("incident_at", _("Enter the incident time, or choose approximate or unknown."))
        if kind == IncidentTimeKind.APPROXIMATE:
            if not data.get("incident_earliest"):
                self.add_error("incident_earliest", _("Enter the earliest possible time."))
            if not data.get("incident_latest"):
                self.add_error("incident_latest", _("Enter the latest possible time."))
        guardian_given = any(data.get(f) for f in ("guardian_name", "guardian_relationship", "guardian_cnic"))
        if guardian_given and not data.get("guardian_relationship"):
            self.add_error("guardian_relationship", _("Choose the guardian's relationship to the child."))
        if guardian_given and not data.get("guardian_identity_checked"):
            self.add_error("guardian_identity_checked", _("Say how the guardian's identity was checked."))
        asked = [p for p in ConsentPurpose.values if data.get(f"consent_{p}")]
        if asked and data.get("consent_given_by") == ConsentGiver.GUARDIAN:
            if not guardian_given:
                self.add_error("consent_given_by", _("Record the guardian above first."))
            elif data.get("guardian_is_alleged_perpetrator"):
                self.add_error(
                    "consent_given_by",
                    _("A guardian who is an alleged perpetrator cannot consent. Ask child protection."),
                )
        if asked and not self.errors:
            age = data.get("age_years")
            try:
                rules.check_consent_giver(
                    age_years=age if not returning else None,
                    given_by=data["consent_given_by"],
                    guardian_is_alleged_perpetrator=bool(data.get("guardian_is_alleged_perpetrator")),
                    child_assent=data["consent_child_assent"],
                    decision=ConsentDecision.GIVEN,
                )
            except rules.ConsentNotValid as error:
                if returning:
                    pass  # checked again against her recorded age when the case is registered
                else:
                    self.add_error("consent_given_by", str(error))
        return data

    def to_intake(self, existing: Survivor | None) -> IntakeData:
        d = self.cleaned_data
        guardians = []
        if d.get("guardian_relationship"):
            guardians.append(
                GuardianInput(
                    identity=GuardianIdentity(
                        name=d["guardian_name"], cnic=d["guardian_cnic"], phone=d["guardian_phone"]
                    ),
                    relationship=d["guardian_relationship"],
                    identity_checked=d["guardian_identity_checked"],
                    is_alleged_perpetrator=d["guardian_is_alleged_perpetrator"],
                )
            )
        consents = [
            ConsentInput(
                purpose=p,
                decision=d[f"consent_{p}"],
                given_by=d["consent_given_by"],
                method=d["consent_method"],
                guardian_index=0 if d["consent_given_by"] == ConsentGiver.GUARDIAN and guardians else None,
                child_assent=d["consent_child_assent"],
            )
            for p in ConsentPurpose.values
            if d.get(f"consent_{p}")
        ]
        age = d.get("age_years")
        if age is None and d.get("date_of_birth"):
            born = d["date_of_birth"]
            today = timezone.localdate()
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return IntakeData(
            existing_survivor=existing,
            identity=SurvivorIdentity(
                name=d["name"],
                relative_name=d["relative_name"],
                cnic=d["cnic"],
                phones=[p for p in (d["phone1"], d["phone2"]) if p],
                address=d["address"],
                date_of_birth=d["date_of_birth"].isoformat() if d.get("date_of_birth") else "",
                code_word=d["code_word"],
            ),
            sex=d.get("sex") or "",
            age_years=age,
            age_estimated=d["age_estimated"],
            may_call=d["may_call"],
            may_text=d["may_text"],
            call_window=d["call_window"],
            guardians=guardians,
            source=d["source"],
            source_detail=d["source_detail"],
            arrival_at=d["arrival_at"],
            incident_time_kind=d["incident_time_kind"],
            incident_at=d.get("incident_at"),
            incident_earliest=d.get("incident_earliest"),
            incident_latest=d.get("incident_latest"),
            place_type=d["place_type"],
            district=d["district"],
            answers=rules.GbvAnswers(
                penetration=d["penetration"],
                sexual_contact=d["sexual_contact"],
                physical_assault=d["physical_assault"],
                forced_marriage=d["forced_marriage"],
                denial_of_resources=d["denial_of_resources"],
                psychological_abuse=d["psychological_abuse"],
            ),
            transactional=d["transactional"],
            held_captive=d["held_captive"],
            harmful_practice=d["harmful_practice"],
            perpetrators=[
                PerpetratorInput(
                    count=d["perp_count"],
                    sex=d["perp_sex"],
                    age_group=d["perp_age_group"],
                    relationship=d["perp_relationship"],
                    identifiers=d["perp_identifiers"],
                )
            ],
            offence_codes=list(d["offences"]),
            disabilities=list(d["disabilities"]),
            reported_elsewhere=d["reported_elsewhere"],
            reported_elsewhere_to=d["reported_elsewhere_to"],
            choice_medical=d["choice_medical"],
            choice_evidence=d["choice_evidence"],
            choice_police=d["choice_police"],
            risk_immediate_danger=d["risk_immediate_danger"],
            risk_self_harm=d["risk_self_harm"],
            risk_perpetrator_in_household=d["risk_perpetrator_in_household"],
            consents=consents,
        )


class LookupForm(forms.Form):
    lookup_cnic = forms.CharField(label=_("CNIC"), max_length=20, required=False)
    lookup_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("lookup_cnic") or "").strip() and not (data.get("lookup_phone") or "").strip():
            raise ValidationError(_("Enter a CNIC or a phone number to look her up."))
        return data


class CaseEditForm(forms.Form):
    """The recorded facts of a case that may be corrected after intake."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    source = IntakeForm.base_fields["source"]
    source_detail = IntakeForm.base_fields["source_detail"]
    arrival_at = IntakeForm.base_fields["arrival_at"]
    incident_time_kind = IntakeForm.base_fields["incident_time_kind"]
    incident_at = IntakeForm.base_fields["incident_at"]
    incident_earliest = IntakeForm.base_fields["incident_earliest"]
    incident_latest = IntakeForm.base_fields["incident_latest"]
    place_type = IntakeForm.base_fields["place_type"]
    district = IntakeForm.base_fields["district"]
    penetration = IntakeForm.base_fields["penetration"]
    sexual_contact = IntakeForm.base_fields["sexual_contact"]
    physical_assault = IntakeForm.base_fields["physical_assault"]
    forced_marriage = IntakeForm.base_fields["forced_marriage"]
    denial_of_resources = IntakeForm.base_fields["denial_of_resources"]
    psychological_abuse = IntakeForm.base_fields["psychological_abuse"]
    transactional = IntakeForm.base_fields["transactional"]
    held_captive = IntakeForm.base_fields["held_captive"]
    harmful_practice = IntakeForm.base_fields["harmful_practice"]
    choice_medical = IntakeForm.base_fields["choice_medical"]
    choice_evidence = IntakeForm.base_fields["choice_evidence"]
    choice_police = IntakeForm.base_fields["choice_police"]
    risk_immediate_danger = IntakeForm.base_fields["risk_immediate_danger"]
    risk_self_harm = IntakeForm.base_fields["risk_self_harm"]
    risk_perpetrator_in_household = IntakeForm.base_fields["risk_perpetrator_in_household"]
    disabilities = IntakeForm.base_fields["disabilities"]
    reported_elsewhere = IntakeForm.base_fields["reported_elsewhere"]
    reported_elsewhere_to = IntakeForm.base_fields["reported_elsewhere_to"]

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in EDITABLE_FIELDS}


class ConsentForm(forms.Form):
    # Fields, choices and initial values fixed: rendered once per language (core.blank_forms).
    static_fields = True

    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    decision = forms.ChoiceField(label=_("Decision"), choices=ConsentDecision.choices, widget=forms.RadioSelect)
    given_by = forms.ChoiceField(label=_("Given by"), choices=ConsentGiver.choices)
    guardian = forms.UUIDField(label=_("Guardian"), required=False)
    child_assent = forms.ChoiceField(
        label=_("For a child: her own view"),
        choices=ChildAssent.choices,
        initial=ChildAssent.NOT_APPLICABLE,
    )
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)


# Where a task's id goes in the close fields, rendered once and shown under every open task
# (the ``for_task`` filter fills it in, so that no two controls on the case page share an id).
TASK_ID_SLOT = "TASKID"


class TaskCloseForm(forms.Form):
    # Fields, choices and initial values fixed: rendered once per language (core.blank_forms).
    static_fields = True

    status = forms.ChoiceField(
        label=_("What happened"),
        choices=[(TaskStatus.DONE, _("Done")), (TaskStatus.DECLINED, TaskStatus.DECLINED.label),
                 (TaskStatus.NOT_APPLICABLE, TaskStatus.NOT_APPLICABLE.label)],
    )  # fmt: skip
    done_at = _dt(_("When (leave empty for now)"))
    reason = forms.CharField(label=_("Reason or note"), max_length=300, required=False)


class ClockResolveForm(forms.Form):
    # Fields, choices and initial values fixed: rendered once per language (core.blank_forms).
    static_fields = True

    clock_key = forms.ChoiceField(label=_("What"), choices=[])
    state = forms.ChoiceField(
        label=_("What happened"),
        choices=[(ClockState.MET, _("Done")), (ClockState.DECLINED, ClockState.DECLINED.label),
                 (ClockState.NOT_APPLICABLE, ClockState.NOT_APPLICABLE.label)],
    )  # fmt: skip
    done_at = _dt(_("When it was done"))
    note = forms.CharField(label=_("Reason or note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from crisiscell.cases.deadlines import DEFAULTS
        from crisiscell.cases.duties import CLOCK_SECTION

        field = cast(forms.ChoiceField, self.fields["clock_key"])
        field.choices = [(key, DEFAULTS[key].label) for key in CLOCK_SECTION]


class ContactForm(forms.Form):
    # Fields, choices and initial values fixed: rendered once per language (core.blank_forms).
    static_fields = True

    method = forms.ChoiceField(label=_("How"), choices=ContactMethod.choices)
    outcome = forms.ChoiceField(label=_("What happened"), choices=ContactOutcome.choices)
    template = forms.ChoiceField(
        label=_("Message used"),
        required=False,
        choices=[("", "—"), ("appointment", _("Appointment reminder")), ("check_in", _("Routine check-in"))],
    )


class AlertsReadForm(forms.Form):
    """Which of her own alerts to mark read: one case's of one kind, or (both empty) all."""

    case = forms.UUIDField(required=False)
    kind = forms.ChoiceField(choices=[("", ""), *Alert.Kind.choices], required=False)
