"""Builders for intake data, shared by the case tests and the benchmark."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from crisiscell.cases import rules
from crisiscell.cases.services import ConsentInput, GuardianInput, IntakeData, PerpetratorInput
from crisiscell.survivors.services import GuardianIdentity, SurvivorIdentity

FORMAT = "%Y-%m-%dT%H:%M"


def intake_data(**overrides: Any) -> IntakeData:
    """A complete adult intake with synthetic identity; override any field."""
    arrival = overrides.pop("arrival_at", timezone.now() - timedelta(hours=1))
    values: dict[str, Any] = {
        "existing_survivor": None,
        "identity": SurvivorIdentity(
            name="Test Survivor (synthetic)",
            relative_name="Test Relative (synthetic)",
            cnic="35202-1234567-1",
            phones=["0300 1234567"],
            address="House 1, Test Street (synthetic)",
            code_word="jasmine",
        ),
        "sex": "female",
        "age_years": 24,
        "age_estimated": False,
        "may_call": True,
        "may_text": False,
        "call_window": "day",
        "guardians": [],
        "source": "walk_in",
        "source_detail": "",
        "arrival_at": arrival,
        "incident_time_kind": "exact",
        "incident_at": arrival - timedelta(hours=5),
        "incident_earliest": None,
        "incident_latest": None,
        "place_type": "survivor_home",
        "district": "Karachi South",
        "answers": rules.GbvAnswers(penetration=True),
        "transactional": False,
        "held_captive": False,
        "harmful_practice": False,
        "perpetrators": [PerpetratorInput(1, "male", "26-40", "neighbour", "Neighbour, 0301 7654321")],
        "offence_codes": ["PPC-375"],
        "disabilities": [],
        "reported_elsewhere": False,
        "reported_elsewhere_to": "",
        "choice_medical": "yes",
        "choice_evidence": "collect",
        "choice_police": "later",
        "risk_immediate_danger": False,
        "risk_self_harm": False,
        "risk_perpetrator_in_household": False,
        "consents": [ConsentInput("examination", "given", "survivor", "signed_form")],
    }
    values.update(overrides)
    return IntakeData(**values)


def child_intake(age: int, *, perpetrator_guardian: bool = False, **overrides: Any) -> IntakeData:
    guardian = GuardianInput(
        identity=GuardianIdentity(name="Test Guardian (synthetic)", cnic="35202-7654321-3", phone="03009876543"),
        relationship="father" if perpetrator_guardian else "mother",
        identity_checked="cnic_seen",
        is_alleged_perpetrator=perpetrator_guardian,
    )
    return intake_data(
        age_years=age,
        guardians=[guardian],
        identity=SurvivorIdentity(name="Test Child (synthetic)"),
        consents=overrides.pop("consents", []),
        **overrides,
    )


def intake_post(**overrides: Any) -> dict[str, Any]:
    """What the intake page posts for a complete adult case."""
    arrival = timezone.localtime() - timedelta(hours=2)
    post: dict[str, Any] = {
        "action": "register",
        "name": "Browser Survivor (synthetic)",
        "relative_name": "",
        "cnic": "42101-1111111-1",
        "phone1": "0321 5550000",
        "phone2": "",
        "address": "",
        "date_of_birth": "",
        "sex": "female",
        "age_years": "29",
        "call_window": "never",
        "code_word": "",
        "guardian_name": "",
        "guardian_relationship": "",
        "guardian_cnic": "",
        "guardian_phone": "",
        "guardian_identity_checked": "",
        "source": "walk_in",
        "source_detail": "",
        "arrival_at": arrival.strftime(FORMAT),
        "incident_time_kind": "exact",
        "incident_at": (arrival - timedelta(hours=10)).strftime(FORMAT),
        "incident_earliest": "",
        "incident_latest": "",
        "place_type": "street",
        "district": "Karachi East",
        "penetration": "on",
        "offences": ["PPC-375"],
        "perp_count": "1",
        "perp_sex": "male",
        "perp_age_group": "unknown",
        "perp_relationship": "stranger",
        "perp_identifiers": "",
        "choice_medical": "yes",
        "choice_evidence": "collect",
        "choice_police": "now",
        "consent_given_by": "survivor",
        "consent_method": "signed_form",
        "consent_child_assent": "n/a",
        "consent_examination": "given",
        "consent_treatment": "given",
        "consent_statistics": "refused",
    }
    post.update(overrides)
    return post


def local(dt: datetime) -> str:
    return timezone.localtime(dt).strftime(FORMAT)
