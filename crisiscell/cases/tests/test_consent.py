"""The consent ledger: services refuse to act without consent, and the child rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.cases.models import Task
from crisiscell.cases.services import (
    ConsentInput,
    ConsentRequired,
    case_register,
    consent_in_force,
    consent_in_force_among,
    consent_record,
    consent_revoke,
    require_consent,
)
from crisiscell.cases.tests.helpers import child_intake, intake_data
from crisiscell.tests.factories import login_client


@pytest.fixture
def desk(cell, staff):
    return staff(Role.DESK_OFFICER, cell, username="desk")


def test_a_service_without_consent_refuses_and_names_the_purpose(cell, desk):
    case = case_register(actor=desk, cell=cell, data=intake_data(consents=[]))
    with pytest.raises(ConsentRequired, match="Photographs"):
        require_consent(case, "photographs")


def test_consent_in_force_follows_the_latest_decision_and_revocation(cell, desk):
    case = case_register(actor=desk, cell=cell, data=intake_data())
    consent = require_consent(case, "examination")
    assert consent.given_by == "survivor"
    consent_revoke(actor=desk, consent=consent)
    assert consent_in_force(case, "examination") is None
    with pytest.raises(ValidationError):
        consent_revoke(actor=desk, consent=consent)
    consent_record(
        actor=desk,
        case=case,
        purpose="examination",
        decision="given",
        given_by="survivor",
        method="verbal",
    )
    again = require_consent(case, "examination")
    assert again.witness == desk  # verbal consent records the staff witness
    consent_record(
        actor=desk,
        case=case,
        purpose="examination",
        decision="refused",
        given_by="survivor",
        method="verbal",
    )
    assert consent_in_force(case, "examination") is None
    assert {"consent.recorded", "consent.revoked"} <= set(AuditEvent.objects.values_list("action", flat=True))


def test_the_ledger_already_read_gives_the_same_answer_as_the_database(cell, desk):
    """The case page decides "sharing in force" from the ledger it shows (no second read)."""
    case = case_register(actor=desk, cell=cell, data=intake_data())
    purposes = ["examination", "sharing", "photographs"]

    def agree() -> list[bool]:
        ledger = list(case.consents.all())
        answers = []
        for purpose in purposes:
            from_db = consent_in_force(case, purpose)
            assert consent_in_force_among(ledger, purpose) == from_db, purpose
            answers.append(from_db is not None)
        return answers

    first = agree()
    consent_revoke(actor=desk, consent=require_consent(case, "examination"))
    for purpose, decision in [("sharing", "given"), ("photographs", "refused"), ("sharing", "refused")]:
        consent_record(actor=desk, case=case, purpose=purpose, decision=decision, given_by="survivor", method="verbal")
        agree()
    consent_record(actor=desk, case=case, purpose="examination", decision="given", given_by="survivor", method="verbal")
    last = agree()
    assert first[0]
    assert last[0]
    assert not last[1]
    assert not last[2]


def test_under_twelve_only_a_guardian_consents(cell, desk):
    case = case_register(actor=desk, cell=cell, data=child_intake(9))
    guardian = case.survivor.guardians.get()
    with pytest.raises(ValidationError, match="guardian"):
        consent_record(
            actor=desk,
            case=case,
            purpose="examination",
            decision="given",
            given_by="survivor",
            method="signed_form",
            child_assent="yes",
        )
    consent_record(
        actor=desk,
        case=case,
        purpose="examination",
        decision="given",
        given_by="guardian",
        guardian=guardian,
        method="signed_form",
        child_assent="not_able",
    )
    assert require_consent(case, "examination").guardian == guardian


def test_twelve_to_seventeen_records_the_childs_assent(cell, desk):
    case = case_register(actor=desk, cell=cell, data=child_intake(15))
    guardian = case.survivor.guardians.get()
    with pytest.raises(ValidationError, match="12"):
        consent_record(
            actor=desk,
            case=case,
            purpose="examination",
            decision="given",
            given_by="guardian",
            guardian=guardian,
            method="signed_form",
            child_assent="not_able",
        )
    consent = consent_record(
        actor=desk,
        case=case,
        purpose="examination",
        decision="given",
        given_by="guardian",
        guardian=guardian,
        method="signed_form",
        child_assent="yes",
    )
    assert consent.child_assent == "yes"


def test_a_guardian_who_is_an_alleged_perpetrator_cannot_consent(cell, desk):
    case = case_register(actor=desk, cell=cell, data=child_intake(10, perpetrator_guardian=True))
    # Registration itself raised the flag and created the task.
    case.refresh_from_db()
    assert case.child_protection_flag
    assert Task.objects.filter(case=case, kind="child_protection", status="open").count() == 1
    guardian = case.survivor.guardians.get()
    with pytest.raises(ValidationError, match="alleged perpetrator"):
        consent_record(
            actor=desk,
            case=case,
            purpose="examination",
            decision="given",
            given_by="guardian",
            guardian=guardian,
            method="signed_form",
            child_assent="not_able",
        )
    assert consent_in_force(case, "examination") is None
    assert AuditEvent.objects.filter(action="consent.refused_by_rules").exists()
    assert Task.objects.filter(case=case, kind="child_protection", status="open").count() == 1


def test_intake_refuses_consent_from_a_perpetrator_guardian_and_saves_nothing(cell, desk):
    data = child_intake(
        10, perpetrator_guardian=True,
        consents=[ConsentInput("examination", "given", "guardian", "signed_form", 0, "not_able")],
    )  # fmt: skip
    with pytest.raises(ValidationError):
        case_register(actor=desk, cell=cell, data=data)
    assert not Task.objects.exists()


def test_the_case_page_records_and_withdraws_consent(cell, desk):
    case = case_register(actor=desk, cell=cell, data=intake_data(consents=[]))
    client = login_client(desk)
    client.post(
        reverse("cases:consent_add", kwargs={"code": case.code}),
        {
            "purpose": "photographs",
            "decision": "given",
            "given_by": "survivor",
            "method": "thumbprint",
            "child_assent": "n/a",
        },
    )
    consent = require_consent(case, "photographs")
    client.post(reverse("cases:consent_revoke", kwargs={"code": case.code, "consent_id": consent.pk}))
    assert consent_in_force(case, "photographs") is None
