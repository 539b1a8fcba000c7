"""The demo's examinations: a realistic share, signed and sealed, through the services for the last days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.models import ClockResolution, Task, TaskKind, TaskStatus
from crisiscell.cells.models import Cell
from crisiscell.demo.medical import ensure_medical
from crisiscell.demo.network import demo_username
from crisiscell.medical.models import ExamStatus, MedicoLegalExamination
from crisiscell.medical.services import narrative_of, verify_seal
from crisiscell.medical.tests.helpers import consenting_case, events

pytestmark = pytest.mark.django_db


def test_the_demo_examines_a_realistic_share_and_seals_every_record() -> None:
    # given the demo network (no history) and a few synthetic cases in one cell, old and recent
    call_command("demo", years=[1999])
    cell = Cell.objects.get(code="KHI")
    desk = User.objects.get(username=demo_username("KHI", Role.DESK_OFFICER))
    now = timezone.now()
    old = [consenting_case(desk, cell, arrival_at=now - timedelta(days=40 + i)) for i in range(10)]
    recent = [consenting_case(desk, cell, arrival_at=now - timedelta(hours=5 + i)) for i in range(3)]
    declined = consenting_case(desk, cell, arrival_at=now - timedelta(days=60), choice_medical="no")
    # when the demo adds examinations
    live, archived = ensure_medical()
    # then the last days were examined through the services: one signed, one being written
    assert live == 2
    recent_exams = MedicoLegalExamination.objects.filter(case__in=recent)
    assert sorted(recent_exams.values_list("status", flat=True)) == [ExamStatus.DRAFT, ExamStatus.SIGNED]
    assert len(events("medical.examination_signed")) == 1
    # and a realistic share of the older cases have a signed, sealed record whose duty is done
    assert 5 <= archived <= 10
    archive = list(MedicoLegalExamination.objects.filter(case__in=old).select_related("case", "examiner"))
    assert len(archive) == archived
    for exam in archive:
        assert exam.status == ExamStatus.SIGNED
        assert verify_seal(exam)
        assert exam.examiner.gender == "female"
        assert "synthetic" in narrative_of(exam)["history"]
        assert Task.objects.get(case=exam.case, kind=TaskKind.MLE).status == TaskStatus.DONE
        assert ClockResolution.objects.filter(case=exam.case, clock_key="pep").exists()
    assert not MedicoLegalExamination.objects.filter(case=declined).exists()
    # and running it again adds nothing
    assert ensure_medical() == (0, 0)


def test_a_changed_record_no_longer_matches_its_seal(mlo, case) -> None:
    from crisiscell.medical.models import Treatment
    from crisiscell.medical.tests.helpers import complete_examination

    exam = complete_examination(mlo, case, sign=True)
    assert verify_seal(exam)
    Treatment.objects.filter(examination=exam, kind="pep").update(details="Changed afterwards")
    assert not verify_seal(exam)
