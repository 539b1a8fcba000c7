"""Builders shared by the medical tests and the access-matrix rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from crisiscell.audit.models import AuditEvent
from crisiscell.cases.models import Case
from crisiscell.cases.services import ConsentInput, case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.evidence.services import item_register
from crisiscell.medical.models import MedicoLegalExamination
from crisiscell.medical.services import (
    InjuryInput,
    RecordInput,
    examination_start,
    findings_save,
    injury_add,
    opinion_add,
    record_save,
    sample_link,
    treatment_record,
)

ALL_CONSENTS = ("examination", "photographs", "evidence", "treatment", "release_police")
HISTORY = "She says a neighbour forced his way in at night (synthetic test history)."


def consenting_case(desk: Any, cell: Any, *, purposes: tuple[str, ...] = ALL_CONSENTS, **overrides: Any) -> Case:
    """A case registered an hour ago whose survivor consented to ``purposes``."""
    consents = [ConsentInput(p, "given", "survivor", "signed_form") for p in purposes]
    return case_register(actor=desk, cell=cell, data=intake_data(consents=consents, **overrides))


def record_values(exam: MedicoLegalExamination, **overrides: Any) -> RecordInput:
    now = timezone.now()
    values: dict[str, Any] = {
        "started_at": now - timedelta(minutes=40),
        "finished_at": now - timedelta(minutes=5),
        "escort_name": "Test Escort (synthetic)",
        "escort_relationship": "Mother",
        "escort_address": "House 2, Test Street (synthetic)",
        "history": HISTORY,
        "general_condition": "injured_stable",
        "physical_state": "Conscious, oriented, walking unaided.",
        "mental_state": "distressed",
        "mental_state_notes": "Tearful, answered clearly.",
        "other_particulars": "",
        "no_injuries_seen": False,
        "no_samples_reason": "",
    }
    values.update(overrides)
    return RecordInput(**values)


def complete_examination(examiner: Any, case: Case, *, sign: bool = False) -> MedicoLegalExamination:
    """An examination with every part the completeness check asks for."""
    from crisiscell.medical.services import examination_sign

    exam = examination_start(actor=examiner, case=case, started_at=timezone.now() - timedelta(minutes=40))
    exam = record_save(actor=examiner, examination=exam, values=record_values(exam))
    injury_add(
        actor=examiner,
        examination=exam,
        injury=InjuryInput("front", 40, 30, "Left forearm", "bruise", "fresh", 30, 20, "red-blue"),
    )
    findings_save(
        actor=examiner,
        examination=exam,
        findings={"examined": "yes", "external_genitalia": "injury", "perineum": "no_injury", "anus": "no_injury"},
        description="Small abrasion at the posterior fourchette.",
    )
    sample = item_register(
        actor=examiner, case=case, kind="swab_hvs", collected_at=timezone.now() - timedelta(minutes=20)
    )
    sample_link(actor=examiner, examination=exam, item=sample)
    given = timezone.now() - timedelta(minutes=10)
    for kind in ("ec", "pep", "sti", "hep_b", "tetanus"):
        if kind == "ec" and case.survivor_sex == "male":
            continue
        treatment_record(actor=examiner, examination=exam, kind=kind, given=True, at=given, details="As per protocol")
    opinion_add(
        actor=examiner,
        examination=exam,
        conclusion="The findings are consistent with her account of recent force.",
        reasons="A fresh bruise on the forearm and an abrasion at the fourchette, both under 24 hours old.",
    )
    exam.refresh_from_db()
    if sign:
        exam = examination_sign(actor=examiner, examination=exam)
    return exam


def events(action: str, **details: Any) -> list[AuditEvent]:
    found = list(AuditEvent.objects.filter(action=action).order_by("id"))
    return [e for e in found if all(e.details_dict().get(k) == v for k, v in details.items())]
