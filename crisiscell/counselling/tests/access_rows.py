"""Access-matrix rows for counselling.

``prepare`` adds, to the shared world (the KHI case ``world.case``, an adult):

* her consent to counselling, a session she attended (with a note), a booked session and a
  missed one (awaiting the team's contact attempt), a measure and a safety plan;
* ``notice``: the notice the KHI psychologist received when the cell head broke glass;
* ``world.other_psychologist``: a psychologist of the other cell (LHR1), who holds the
  counselling section but never in KHI, so every counselling page is a 404 to her.

``crisiscell/counselling/tests/test_notes_access.py`` checks the note views over every role.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.cases.services import consent_record
from crisiscell.counselling.models import Attendance, BreakGlassNotice
from crisiscell.counselling.services import (
    SafetyPlanContent,
    measure_record,
    notes_break_glass,
    safety_plan_save,
    session_book,
    session_record,
)
from crisiscell.tests.factories import make_staff
from crisiscell.tests.matrix import Row, World, cell_kwargs

NOTE_TEXT = "Matrix note text (synthetic)"


def prepare(world: World) -> None:
    psychologist = world.users[Role.PSYCHOLOGIST]
    case = world.case
    consent_record(
        actor=world.users[Role.DESK_OFFICER],
        case=case,
        purpose="counselling",
        decision="given",
        given_by="survivor",
        method="signed_form",
    )
    attended = session_book(
        actor=psychologist,
        case=case,
        kind="individual",
        mode="in_person",
        scheduled_at=timezone.now() - timedelta(minutes=30),
        duration_minutes=50,
    )
    session_record(actor=psychologist, session=attended, attendance=Attendance.ATTENDED, notes=NOTE_TEXT)
    missed = session_book(
        actor=psychologist,
        case=case,
        kind="individual",
        mode="phone",
        scheduled_at=timezone.now() - timedelta(minutes=10),
        duration_minutes=50,
    )
    session_record(actor=psychologist, session=missed, attendance=Attendance.MISSED)
    world.extra["attended"] = attended
    world.extra["missed"] = missed
    world.extra["booked"] = session_book(
        actor=psychologist,
        case=case,
        kind="individual",
        mode="in_person",
        scheduled_at=timezone.now() + timedelta(days=7),
        duration_minutes=50,
    )
    measure_record(actor=psychologist, case=case, instrument="gad7", language="en", answers=[1] * 7)
    safety_plan_save(actor=psychologist, case=case, content=SafetyPlanContent(safe_places="A friend's house"))
    notes_break_glass(
        actor=world.users[Role.CELL_HEAD], case=case, reason="Court order received for the counselling record"
    )
    world.extra["notice"] = BreakGlassNotice.objects.get(user=psychologist)
    # The World has no psychologist in the other cell; the counselling rows need one.
    world.other_psychologist = make_staff(Role.PSYCHOLOGIST, world.other_cell)


def _case(w: World) -> dict[str, Any]:
    return {"code": w.case.code}


def _session(name: str) -> Any:
    return lambda w: {"session_id": w.extra[name].pk}


OTHER_PSY = "other_psychologist"
NOT_FOUND = frozenset({404})
REDIRECT = frozenset({302})

# fmt: off
ROWS = [
    Row("counselling:home", kwargs=cell_kwargs, allowed=Role.PSYCHOLOGIST, wrong=Role.CASE_WORKER,
        other_cell_user=OTHER_PSY),
    Row("counselling:case", kwargs=_case, allowed=Role.PSYCHOLOGIST, wrong=Role.CELL_HEAD, other_cell_user=OTHER_PSY),
    Row("counselling:book", kwargs=_case, method="post",
        data=lambda w: {"kind": "individual", "mode": "in_person", "duration_minutes": "50",
                        "scheduled_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")},
        allowed=Role.PSYCHOLOGIST, wrong=Role.CASE_WORKER, other_cell_user=OTHER_PSY, ok_status=REDIRECT),
    Row("counselling:first_aid", kwargs=_case, method="post",
        data=lambda w: {"at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "mode": "in_person",
                        "duration_minutes": "20", "notes": "First aid (synthetic)"},
        allowed=Role.PSYCHOLOGIST, wrong=Role.LEGAL_ADVISER, other_cell_user=OTHER_PSY, ok_status=REDIRECT),
    Row("counselling:decline", kwargs=_case, method="post", data=lambda w: {"reason": "Not now (synthetic)"},
        allowed=Role.PSYCHOLOGIST, wrong=Role.DESK_OFFICER, other_cell_user=OTHER_PSY, ok_status=REDIRECT),
    Row("counselling:measure", kwargs=lambda w: {"code": w.case.code, "instrument": "phq9"},
        allowed=Role.PSYCHOLOGIST, wrong=Role.MEDICO_LEGAL_OFFICER, other_cell_user=OTHER_PSY),
    Row("counselling:risk", kwargs=_case, allowed=Role.PSYCHOLOGIST, wrong=Role.POLICE_LIAISON,
        other_cell_user=OTHER_PSY),
    Row("counselling:safety_plan", kwargs=_case, allowed=Role.PSYCHOLOGIST, wrong=Role.CASE_WORKER,
        other_cell_user=OTHER_PSY),
    Row("counselling:safety_plan_pdf", kwargs=_case, allowed=Role.PSYCHOLOGIST, wrong=Role.CELL_HEAD,
        other_cell_user=OTHER_PSY),
    Row("counselling:plan", kwargs=_case, method="post", data=lambda w: {"planned_sessions": "8"},
        allowed=Role.PSYCHOLOGIST, wrong=Role.AUDITOR, other_cell_user=OTHER_PSY, ok_status=REDIRECT),
    Row("counselling:close", kwargs=_case, method="post", data=lambda w: {"reason": "lost_to_follow_up"},
        allowed=Role.PSYCHOLOGIST, wrong=Role.EVIDENCE_CUSTODIAN, other_cell_user=OTHER_PSY, ok_status=REDIRECT),
    # Break glass: the cell head or legal adviser of the case's own cell; the case worker never.
    Row("counselling:break_glass", kwargs=_case, allowed=Role.CELL_HEAD, wrong=Role.CASE_WORKER,
        other_cell_user="other_head"),
    Row("counselling:child_protection", kwargs=_case, method="post",
        data=lambda w: {"organisation": "Child Protection Bureau (synthetic)", "purpose": "Children at risk",
                        "due_on": timezone.localdate().isoformat()},
        allowed=Role.CASE_WORKER, wrong=Role.PSYCHOLOGIST, other_cell_user="other_desk", ok_status=REDIRECT),
    Row("counselling:session_record", kwargs=_session("booked"), allowed=Role.PSYCHOLOGIST,
        wrong=Role.CASE_WORKER, other_cell_user=OTHER_PSY),
    Row("counselling:note", kwargs=_session("attended"), allowed=Role.PSYCHOLOGIST, wrong=Role.CELL_HEAD,
        other_cell_user=OTHER_PSY),
    Row("counselling:missed_contact", kwargs=_session("missed"), method="post",
        data=lambda w: {"method": "call", "outcome": "no_answer"},
        allowed=Role.CASE_WORKER, wrong=Role.PSYCHOLOGIST, other_cell_user="other_desk", ok_status=REDIRECT),
    # Each psychologist sees only her own notices: another's is a 404.
    Row("counselling:notice_seen", kwargs=lambda w: {"notice_id": w.extra["notice"].pk}, method="post",
        allowed=Role.PSYCHOLOGIST, wrong=Role.CASE_WORKER, other_cell_user=OTHER_PSY, ok_status=REDIRECT),
]
# fmt: on
