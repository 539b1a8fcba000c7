"""The examination record: examiner rule, consent, forbidden findings, completeness, sealing, addenda, clocks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.cases.board import facts_for
from crisiscell.cases.clocks import clocks_for
from crisiscell.cases.models import ClockResolution, ClockState, Task, TaskKind, TaskStatus
from crisiscell.cases.rules_in_force import rules_in_force
from crisiscell.cases.services import ConsentRequired
from crisiscell.medical.findings import ForbiddenFinding
from crisiscell.medical.models import ExamStatus, Injury, MedicoLegalExamination, Treatment
from crisiscell.medical.selectors import examination_page, treatment_clock
from crisiscell.medical.services import (
    Incomplete,
    InjuryInput,
    addendum_add,
    addendum_text,
    completeness,
    examination_sign,
    examination_start,
    findings_save,
    injury_add,
    opinion_add,
    record_save,
    treatment_record,
)
from crisiscell.medical.tests.helpers import HISTORY, complete_examination, consenting_case, events, record_values

pytestmark = pytest.mark.django_db


# --- The examiner ---------------------------------------------------------------------------


def test_a_female_survivor_is_examined_by_a_woman(cell, staff, case) -> None:
    # given a male and an unrecorded-gender medico-legal officer of the cell
    male = staff(Role.MEDICO_LEGAL_OFFICER, cell, username="male-mlo", gender="male")
    unknown = staff(Role.MEDICO_LEGAL_OFFICER, cell, username="unknown-mlo")
    # when either starts her examination, then it is refused, naming the rule
    with pytest.raises(ValidationError) as refused:
        examination_start(actor=male, case=case)
    assert "female medico-legal officer" in str(refused.value)
    with pytest.raises(ValidationError) as unrecorded:
        examination_start(actor=unknown, case=case)
    assert "gender is not recorded" in str(unrecorded.value)
    assert not MedicoLegalExamination.objects.exists()
    assert not events("medical.examination_started")


def test_a_woman_medico_legal_officer_starts_it_and_it_is_audited(mlo, case) -> None:
    exam = examination_start(actor=mlo, case=case)
    assert exam.examiner == mlo
    assert exam.status == ExamStatus.DRAFT
    assert exam.started_at is not None
    (event,) = events("medical.examination_started", examination=str(exam.pk))
    assert event.object_type == "medical"
    assert event.object_ref == case.code


def test_a_male_survivor_may_be_examined_by_a_man(cell, staff, desk) -> None:
    male = staff(Role.MEDICO_LEGAL_OFFICER, cell, username="male-mlo", gender="male")
    case = consenting_case(desk, cell, sex="male")
    assert examination_start(actor=male, case=case).examiner == male


def test_the_examiner_is_a_medico_legal_officer_of_the_cell(mlo, team, case, other_cell, staff) -> None:
    outsider = staff(Role.MEDICO_LEGAL_OFFICER, other_cell, username="lhr-mlo", gender="female")
    with pytest.raises(ValidationError, match="medico-legal officer of this cell"):
        examination_start(actor=mlo, case=case, examiner=outsider)
    with pytest.raises(PermissionDenied):
        examination_start(actor=team[Role.CASE_WORKER], case=case)
    with pytest.raises(PermissionDenied):
        examination_start(actor=outsider, case=case)
    assert not events("medical.examination_started")


def test_no_examination_without_her_consent_and_the_refusal_says_which(cell, desk, mlo) -> None:
    case = consenting_case(desk, cell, purposes=("treatment",))
    with pytest.raises(ConsentRequired) as refused:
        examination_start(actor=mlo, case=case)
    assert refused.value.purpose == "examination"
    assert "Medical examination" in str(refused.value)


def test_each_component_needs_its_own_consent(cell, desk, mlo) -> None:
    # given she consented to the examination only
    case = consenting_case(desk, cell, purposes=("examination",))
    exam = examination_start(actor=mlo, case=case)
    # then treatment is refused, naming the treatment consent
    with pytest.raises(ConsentRequired) as refused:
        treatment_record(actor=mlo, examination=exam, kind="pep", given=True, at=timezone.now())
    assert refused.value.purpose == "treatment"
    # but recording that it was not given needs no consent
    treatment_record(actor=mlo, examination=exam, kind="pep", given=False, declined_reason="She declined PEP.")
    assert Treatment.objects.filter(examination=exam, given=False).count() == 1


# --- Forbidden findings ---------------------------------------------------------------------

FORBIDDEN_KEYS = ["hymen", "hymenal_tear", "Habituated", "two_finger_test", "virginity", "finger-test"]


@pytest.mark.parametrize("key", FORBIDDEN_KEYS)
def test_the_service_refuses_every_forbidden_key(mlo, case, key) -> None:
    exam = examination_start(actor=mlo, case=case)
    with pytest.raises(ForbiddenFinding) as refused:
        findings_save(actor=mlo, examination=exam, findings={"examined": "yes", key: "intact"})
    message = " ".join(refused.value.messages)
    assert "s.13" in message
    assert "4 January 2021" in message
    exam.refresh_from_db()
    assert exam.anogenital_findings == {}
    assert not events("medical.findings_saved")


def test_a_forbidden_key_nested_or_in_text_is_refused(mlo, case) -> None:
    exam = examination_start(actor=mlo, case=case)
    with pytest.raises(ForbiddenFinding):
        findings_save(actor=mlo, examination=exam, findings={"examined": "yes", "notes": {"hymen": "x"}})
    with pytest.raises(ForbiddenFinding):
        findings_save(actor=mlo, examination=exam, findings={"examined": "yes"}, description="Hymen torn")
    with pytest.raises(ForbiddenFinding):
        opinion_add(actor=mlo, examination=exam, conclusion="Habituated to intercourse", reasons="x" * 20)
    with pytest.raises(ForbiddenFinding):
        record_save(actor=mlo, examination=exam, values=record_values(exam, physical_state="پردہ بکارت"))


def test_unknown_keys_and_answers_are_refused(mlo, case) -> None:
    exam = examination_start(actor=mlo, case=case)
    with pytest.raises(ValidationError, match="Unknown finding"):
        findings_save(actor=mlo, examination=exam, findings={"examined": "yes", "colour": "x"})
    with pytest.raises(ValidationError, match="Not an answer"):
        findings_save(actor=mlo, examination=exam, findings={"examined": "maybe"})
    saved = findings_save(actor=mlo, examination=exam, findings={"examined": "yes", "anus": "no_injury"})
    assert saved.anogenital_findings == {"examined": "yes", "anus": "no_injury"}
    assert events("medical.findings_saved", sites=["anus", "examined"])


# --- The record -----------------------------------------------------------------------------


def test_free_text_is_encrypted_at_rest(mlo, case) -> None:
    exam = examination_start(actor=mlo, case=case)
    exam = record_save(actor=mlo, examination=exam, values=record_values(exam))
    record = exam.narrative
    assert record is not None
    assert HISTORY.encode() not in bytes(record.ciphertext)
    assert b"Test Escort" not in bytes(record.ciphertext)
    page = examination_page(mlo, exam)
    assert page.narrative["history"] == HISTORY
    assert events("medical.record_saved", examination=str(exam.pk))
    assert events("medical.examination_viewed", examination=str(exam.pk))


def test_times_must_be_in_order(mlo, case) -> None:
    exam = examination_start(actor=mlo, case=case)
    now = timezone.now()
    with pytest.raises(ValidationError, match="finishes after it starts"):
        record_save(
            actor=mlo,
            examination=exam,
            values=record_values(exam, started_at=now - timedelta(minutes=5), finished_at=now - timedelta(minutes=10)),
        )
    with pytest.raises(ValidationError, match="future"):
        record_save(actor=mlo, examination=exam, values=record_values(exam, finished_at=now + timedelta(hours=1)))


def test_a_stale_version_is_refused(mlo, case) -> None:
    exam = examination_start(actor=mlo, case=case)
    record_save(actor=mlo, examination=exam, values=record_values(exam))
    with pytest.raises(ValidationError, match="after you opened it"):
        record_save(actor=mlo, examination=exam, values=record_values(exam), expected_version=1)


def test_only_the_examiner_writes_her_record(cell, staff, mlo, case) -> None:
    colleague = staff(Role.MEDICO_LEGAL_OFFICER, cell, username="colleague", gender="female")
    exam = examination_start(actor=mlo, case=case)
    with pytest.raises(PermissionDenied):
        record_save(actor=colleague, examination=exam, values=record_values(exam))


def test_an_opinion_without_reasons_is_refused(mlo, case) -> None:
    exam = examination_start(actor=mlo, case=case)
    with pytest.raises(ValidationError, match="without reasons"):
        opinion_add(actor=mlo, examination=exam, conclusion="Consistent with assault", reasons="")
    assert not exam.opinion.exists()
    item = opinion_add(
        actor=mlo, examination=exam, conclusion="Consistent with assault", reasons="Fresh bruises on both wrists."
    )
    assert item.reasons.startswith("Fresh")
    assert events("medical.opinion_added", item=str(item.pk))


def test_an_injury_is_placed_on_a_diagram_and_photographs_must_be_of_the_case(mlo, case, desk, cell) -> None:
    from crisiscell.evidence.services import item_register

    exam = examination_start(actor=mlo, case=case)
    photo = item_register(actor=mlo, case=case, kind="photograph", collected_at=timezone.now())
    injury = injury_add(
        actor=mlo,
        examination=exam,
        injury=InjuryInput("back", 52.5, 41, "Left shoulder blade", "abrasion", "recent", 40, 5, "brown"),
        photographs=[photo],
    )
    assert (injury.view, float(injury.x), float(injury.y)) == ("back", 52.5, 41.0)
    assert list(injury.photographs.all()) == [photo]
    assert events("medical.injury_added", injury=str(injury.pk), photographs=1)
    other = consenting_case(desk, cell)
    foreign = item_register(actor=mlo, case=other, kind="photograph", collected_at=timezone.now())
    with pytest.raises(ValidationError, match="photographs taken on this case"):
        injury_add(
            actor=mlo, examination=exam, injury=InjuryInput("back", 1, 1, "x", "bruise", "fresh"), photographs=[foreign]
        )
    with pytest.raises(ValidationError, match="0 to 100"):
        injury_add(actor=mlo, examination=exam, injury=InjuryInput("back", 101, 1, "x", "bruise", "fresh"))


# --- Completeness, signing, addenda ---------------------------------------------------------


def test_completeness_lists_exactly_what_is_missing(mlo, case) -> None:
    exam = examination_start(actor=mlo, case=case)
    exam.started_at = None
    missing = completeness(exam)
    assert missing == [
        "The exact time the examination started.",
        "The exact time the examination finished.",
        "The name, relationship and address of the person who brought her (or that she came alone).",
        "Her history, in her own words.",
        "Her general physical condition.",
        "A description of her general physical state.",
        "Her mental state.",
        "The injuries marked on the body diagrams, or that no injury was seen.",
        "The ano-genital examination: done, declined or not indicated.",
        "The samples taken (linked evidence items), or why none was taken.",
        "Treatment: Emergency contraception, given with its time, or not given with the reason.",
        "Treatment: HIV post-exposure prophylaxis, given with its time, or not given with the reason.",
        "Treatment: STI presumptive treatment, given with its time, or not given with the reason.",
        "Treatment: Hepatitis B vaccine, given with its time, or not given with the reason.",
        "Treatment: Tetanus protection, given with its time, or not given with the reason.",
        "The opinion: at least one conclusion with its reasons.",
    ]
    # when part is filled in, exactly that leaves the list
    exam = record_save(
        actor=mlo,
        examination=exam,
        values=record_values(exam, came_alone=True, escort_name="", escort_address="", no_injuries_seen=True),
    )
    left = completeness(exam)
    assert left[0] == "The ano-genital examination: done, declined or not indicated."
    assert len(left) == 8


def test_signing_is_refused_until_complete(mlo, case) -> None:
    exam = examination_start(actor=mlo, case=case)
    with pytest.raises(Incomplete) as refused:
        examination_sign(actor=mlo, examination=exam)
    assert "Her history, in her own words." in refused.value.missing
    exam.refresh_from_db()
    assert exam.status == ExamStatus.DRAFT
    assert not events("medical.examination_signed")


def test_signing_seals_the_record_and_completes_the_duty(mlo, case) -> None:
    # given a complete record and the examination duty open on the board
    exam = complete_examination(mlo, case)
    assert completeness(exam) == []
    duty = Task.objects.get(case=case, kind=TaskKind.MLE)
    assert duty.status == TaskStatus.OPEN
    # when the examiner signs
    signed = examination_sign(actor=mlo, examination=exam)
    # then the record is sealed with its hash, and the duty is done at the finishing time
    assert signed.status == ExamStatus.SIGNED
    assert len(signed.seal_sha256) == 64
    assert signed.signed_by == mlo
    assert signed.signed_at is not None
    duty.refresh_from_db()
    assert duty.status == TaskStatus.DONE
    assert duty.closed_at == signed.finished_at
    (event,) = events("medical.examination_signed", examination=str(exam.pk))
    assert event.details_dict()["sha256"] == signed.seal_sha256
    assert events("task.closed", task="mle", status="done")
    facts = facts_for(case, list(Task.objects.filter(case=case)), [])
    mle = next(c for c in clocks_for(facts, rules_in_force(), timezone.now()) if c.key == "mle")
    assert mle.state == ClockState.MET


def test_after_signing_every_edit_is_refused(mlo, case) -> None:
    exam = complete_examination(mlo, case, sign=True)
    attempts = [
        lambda: record_save(actor=mlo, examination=exam, values=record_values(exam)),
        lambda: findings_save(actor=mlo, examination=exam, findings={"examined": "yes"}),
        lambda: injury_add(actor=mlo, examination=exam, injury=InjuryInput("front", 1, 1, "x", "bruise", "fresh")),
        lambda: opinion_add(actor=mlo, examination=exam, conclusion="c", reasons="r" * 20),
        lambda: treatment_record(actor=mlo, examination=exam, kind="other", given=False, declined_reason="x"),
        lambda: examination_sign(actor=mlo, examination=exam),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="signed and sealed"):
            attempt()
    assert Injury.objects.filter(examination=exam).count() == 1


def test_addenda_are_signed_timestamped_and_only_after_signing(mlo, case) -> None:
    exam = complete_examination(mlo, case)
    with pytest.raises(ValidationError, match="after signing"):
        addendum_add(actor=mlo, examination=exam, text="The laboratory confirmed the swab was received.")
    exam = examination_sign(actor=mlo, examination=exam)
    before = timezone.now()
    addendum = addendum_add(actor=mlo, examination=exam, text="The laboratory confirmed the swab was received.")
    assert addendum.signed_by == mlo
    assert addendum.signed_at >= before
    assert len(addendum.seal_sha256) == 64
    assert addendum_text(addendum) == "The laboratory confirmed the swab was received."
    assert b"laboratory" not in bytes(addendum.text.ciphertext)
    assert events("medical.addendum_added", sha256=addendum.seal_sha256)
    exam.refresh_from_db()
    assert exam.status == ExamStatus.SIGNED


# --- Treatment clocks -----------------------------------------------------------------------


def test_treatment_in_time_meets_its_clock_and_the_board_reads_it(mlo, case) -> None:
    exam = examination_start(actor=mlo, case=case)
    treatment = treatment_record(actor=mlo, examination=exam, kind="pep", given=True, at=timezone.now())
    clock = treatment_clock(case, treatment, rules_in_force(), timezone.now())
    assert clock is not None
    assert clock.state == ClockState.MET
    resolutions = list(ClockResolution.objects.filter(case=case))
    board = clocks_for(facts_for(case, [], resolutions), rules_in_force(), timezone.now())
    assert next(c for c in board if c.key == "pep").state == ClockState.MET
    assert events("medical.treatment_recorded", treatment="pep", given=True)
    assert events("clock.resolved", clock="pep", state="met")


def test_treatment_after_its_window_misses_its_clock(cell, desk, mlo) -> None:
    # given she arrived 100 hours after the incident (PEP window: 72 hours)
    arrival = timezone.now() - timedelta(hours=1)
    case = consenting_case(desk, cell, arrival_at=arrival, incident_at=arrival - timedelta(hours=100))
    exam = examination_start(actor=mlo, case=case)
    pep = treatment_record(actor=mlo, examination=exam, kind="pep", given=True, at=timezone.now())
    ec = treatment_record(actor=mlo, examination=exam, kind="ec", given=True, at=timezone.now())
    assert treatment_clock(case, pep, rules_in_force(), timezone.now()).state == ClockState.MISSED
    assert treatment_clock(case, ec, rules_in_force(), timezone.now()).state == ClockState.MET
    sti = treatment_record(actor=mlo, examination=exam, kind="sti", given=True, at=timezone.now())
    assert treatment_clock(case, sti, rules_in_force(), timezone.now()) is None
