"""Session notes: readable by the cell's psychologists only, every read audited; break glass.

Every role is tried against every view that shows counselling content. Only a psychologist
of the case's cell reads notes; the cell head and the legal adviser may break glass, with a
written reason that is recorded and shown to the psychologists.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from crisiscell.access.policy import COUNSELLING_BREAK_GLASS_ROLES, Role
from crisiscell.cases.models import Task, TaskKind, TaskStatus
from crisiscell.counselling.models import BreakGlassNotice, BreakGlassRead, CounsellingSession
from crisiscell.counselling.selectors import team_view_for
from crisiscell.counselling.services import (
    RiskInput,
    SafetyPlanContent,
    plan_update,
    risk_assess,
    safety_plan_save,
)
from crisiscell.counselling.tests.helpers import attended_session, book, events
from crisiscell.survivors.models import VaultRecord
from crisiscell.tests.factories import login_client

NOTE = "She spoke of the night at the well (synthetic note)"
GOAL = "Sleep without the light on (synthetic goal)"
FORMULATION = "Passive thoughts after the hearing date (synthetic formulation)"
PLAN_PLACE = "Khala's house behind the mosque (synthetic place)"
SECRETS = (NOTE, GOAL, FORMULATION, PLAN_PLACE)
EVERY_ROLE = list(Role)


@pytest.fixture
def everyone(team, cell, staff):
    people = dict(team)
    people[Role.NATIONAL_ANALYST] = staff(Role.NATIONAL_ANALYST, None, username="analyst")
    people[Role.AUDITOR] = staff(Role.AUDITOR, None, username="national-auditor")
    return people


@pytest.fixture
def noted(case, psychologist):
    """The case with a note, a risk formulation and a safety plan, all holding text that must not leak."""
    session = attended_session(psychologist, case, NOTE, goals=GOAL)
    risk_assess(actor=psychologist, case=case, data=RiskInput(self_harm="thoughts", formulation=FORMULATION))
    safety_plan_save(actor=psychologist, case=case, content=SafetyPlanContent(safe_places=PLAN_PLACE))
    return session


def _no_secret(response) -> None:
    body = response.content.decode(errors="replace")
    for secret in SECRETS:
        assert secret not in body


@pytest.mark.parametrize("role", EVERY_ROLE, ids=str)
def test_a_note_is_readable_by_psychologists_only(role, everyone, case, noted):
    # Given a note written by the cell's psychologist
    client = login_client(everyone[role])
    # When each role opens the note
    response = client.get(reverse("counselling:note", kwargs={"session_id": noted.pk}))
    # Then only the psychologist reads it, and only her read is audited
    if role == Role.PSYCHOLOGIST:
        assert response.status_code == 200
        assert NOTE in response.content.decode()
        assert len(events("counselling.note_read")) == 1
    else:
        assert response.status_code in {403, 404}
        _no_secret(response)
        assert not events("counselling.note_read")


@pytest.mark.parametrize("role", EVERY_ROLE, ids=str)
@pytest.mark.parametrize(
    "name", ["counselling:case", "counselling:risk", "counselling:safety_plan", "counselling:safety_plan_pdf"]
)
def test_counselling_pages_are_the_psychologists(role, name, everyone, case, noted):
    response = login_client(everyone[role]).get(reverse(name, kwargs={"code": case.code}))
    if role == Role.PSYCHOLOGIST:
        assert response.status_code == 200
    else:
        assert response.status_code in {403, 404}
        _no_secret(response)


def test_the_psychologists_page_lists_sessions_but_shows_no_note_text(case, noted, psychologist):
    response = login_client(psychologist).get(reverse("counselling:case", kwargs={"code": case.code}))
    assert response.status_code == 200
    assert NOTE not in response.content.decode()
    assert reverse("counselling:note", kwargs={"session_id": noted.pk}) in response.content.decode()
    assert not events("counselling.note_read")
    assert len(events("counselling.viewed")) == 1


def test_another_cells_psychologist_cannot_read_the_note(case, noted, other_cell, staff):
    stranger = staff(Role.PSYCHOLOGIST, other_cell, username="lhr-psychologist")
    response = login_client(stranger).get(reverse("counselling:note", kwargs={"session_id": noted.pk}))
    assert response.status_code == 404
    _no_secret(response)


def test_every_read_of_a_note_is_audited_each_time(case, noted, psychologist, team, staff, cell):
    # Given the note's author and another psychologist of the same cell
    colleague = staff(Role.PSYCHOLOGIST, cell, username="khi-psychologist-2")
    url = reverse("counselling:note", kwargs={"session_id": noted.pk})
    # When the author reads it twice and the colleague once
    login_client(psychologist).get(url)
    login_client(psychologist).get(url)
    assert NOTE in login_client(colleague).get(url).content.decode()
    # Then three reads are in the log, naming the note, never its text
    reads = events("counselling.note_read")
    assert [e.actor_label for e in reads] == [psychologist.username, psychologist.username, colleague.username]
    assert all(str(noted.pk) in e.details and NOTE not in e.details for e in reads)
    assert all(e.object_type == "counselling" and e.object_ref == case.code for e in reads)


def test_the_risk_page_audits_each_formulation_it_decrypts(case, noted, psychologist):
    response = login_client(psychologist).get(reverse("counselling:risk", kwargs={"code": case.code}))
    assert FORMULATION in response.content.decode()
    assert len(events("counselling.note_read")) == 1


def test_notes_are_encrypted_at_rest(case, noted):
    record = VaultRecord.objects.get(pk=noted.note_id)
    assert record.kind == "counselling"
    assert NOTE.encode() not in bytes(record.ciphertext)
    assert not CounsellingSession.objects.filter(pk=noted.pk, note__isnull=True).exists()


@pytest.mark.parametrize("role", EVERY_ROLE, ids=str)
def test_the_case_page_shows_no_counselling_content_to_any_role(role, everyone, case, noted):
    response = login_client(everyone[role]).get(reverse("cases:detail", kwargs={"code": case.code}))
    assert response.status_code in {200, 403, 404}
    _no_secret(response)
    # Counselling events never reach the case timeline the whole team reads.
    assert "counselling.session" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.CELL_HEAD])
def test_the_team_sees_that_counselling_is_ongoing_and_the_next_appointment(role, team, case, noted, psychologist):
    # Given a next appointment in three days and a flag the psychologist shares
    upcoming = book(psychologist, case, minutes_from_now=3 * 24 * 60, mode="phone")
    plan_update(actor=psychologist, case=case, planned_sessions=6, shared_flags=["no_retelling"])
    # When the case worker or the cell head opens the case page
    response = login_client(team[role]).get(reverse("cases:detail", kwargs={"code": case.code}))
    page = response.content.decode()
    # Then the panel says counselling is ongoing, when and how the next appointment is, and the flag
    assert response.status_code == 200
    assert 'id="counselling-h"' in page
    assert "Ongoing" in page
    assert timezone.localtime(upcoming.scheduled_at).strftime("%Y-%m-%d %H:%M") in page
    assert "By phone" in page
    assert "Do not ask her to repeat her account" in page
    # And nothing the psychologist wrote
    _no_secret(response)


def test_the_panel_reads_the_same_from_the_tasks_the_page_holds_as_from_the_database(team, case, psychologist):
    """The case page hands the panel the tasks it has read; the panel must not differ for it."""
    worker = team[Role.CASE_WORKER]
    offer = Task.objects.get(case=case, kind=TaskKind.COUNSELLING)

    def both() -> str:
        held = list(case.tasks.order_by("created_at"))
        from_db, from_page = team_view_for(worker, case), team_view_for(worker, case, tasks=held)
        assert from_page == from_db
        return from_db.state

    states = [both()]
    Task.objects.filter(pk=offer.pk).update(status=TaskStatus.DECLINED)
    states.append(both())
    Task.objects.create(case=case, kind=TaskKind.CHILD_PROTECTION, status=TaskStatus.OPEN)
    assert team_view_for(worker, case, tasks=list(case.tasks.order_by("created_at"))).child_protection_open
    states.append(both())
    book(psychologist, case, minutes_from_now=24 * 60, mode="phone")
    plan_update(actor=psychologist, case=case, planned_sessions=4, shared_flags=[])
    states.append(both())
    assert states == ["offered", "declined", "declined", "ongoing"]


@pytest.mark.parametrize("role", [Role.DESK_OFFICER, Role.POLICE_LIAISON, Role.EVIDENCE_CUSTODIAN])
def test_other_roles_see_nothing_of_counselling_on_the_case_page(role, team, case, noted):
    page = login_client(team[role]).get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert 'id="counselling-h"' not in page


# --- Break glass ---------------------------------------------------------------------------------


def _break_glass(client, case, reason="Sessions court order no. 12/2026 requires the counselling record", order=""):
    return client.post(
        reverse("counselling:break_glass", kwargs={"code": case.code}), {"reason": reason, "order_reference": order}
    )


@pytest.mark.parametrize("role", EVERY_ROLE, ids=str)
def test_only_the_cell_head_and_the_legal_adviser_may_break_glass(role, everyone, case, noted):
    response = _break_glass(login_client(everyone[role]), case)
    if role in COUNSELLING_BREAK_GLASS_ROLES:
        assert response.status_code == 200
        assert NOTE in response.content.decode()
    else:
        # Psychologists read notes the normal way; nobody else reads them at all.
        assert response.status_code in {403, 404}
        _no_secret(response)
    assert BreakGlassRead.objects.count() == (1 if role in COUNSELLING_BREAK_GLASS_ROLES else 0)


def test_break_glass_needs_a_written_reason(team, case, noted):
    # Given the cell head
    client = login_client(team[Role.CELL_HEAD])
    # When she gives no reason, or a word
    for reason in ("", "court"):
        response = _break_glass(client, case, reason=reason)
        # Then nothing is read, recorded or shown
        assert response.status_code == 400
        _no_secret(response)
    assert not BreakGlassRead.objects.exists()
    assert not events("counselling.break_glass")
    assert not events("counselling.note_read")


def test_break_glass_is_audited_and_shown_to_the_psychologists(team, case, noted, psychologist, staff, cell):
    # Given a second psychologist of the cell, and one of another cell
    colleague = staff(Role.PSYCHOLOGIST, cell, username="khi-psychologist-2")
    head = team[Role.LEGAL_ADVISER]
    # When the legal adviser breaks glass for a court order
    response = _break_glass(login_client(head), case, order="SC-KHI-2026-117")
    assert NOTE in response.content.decode()
    # Then the read is recorded with the reason and the order, apart from the audit log
    read = BreakGlassRead.objects.get()
    assert read.actor == head
    assert read.order_reference == "SC-KHI-2026-117"
    assert "court order" in read.reason
    assert read.actor_roles == [Role.LEGAL_ADVISER]
    glass = events("counselling.break_glass")
    assert len(glass) == 1
    assert "court order" not in glass[0].details
    assert "SC-KHI" not in glass[0].details
    assert '"with_order":true' in glass[0].details
    reads = events("counselling.note_read")
    assert len(reads) == 1
    assert '"break_glass":true' in reads[0].details
    # And each psychologist of the cell has a notice, on her counselling pages
    assert set(BreakGlassNotice.objects.values_list("user_id", flat=True)) == {psychologist.pk, colleague.pk}
    page = login_client(psychologist).get(reverse("counselling:case", kwargs={"code": case.code})).content.decode()
    for shown in (head.username, "SC-KHI-2026-117", "court order"):
        assert shown in page
    home = login_client(colleague).get(reverse("counselling:home", kwargs={"cell_code": case.cell.code}))
    assert head.username in home.content.decode()
    # And her case page flags it too, until she marks it seen
    detail = login_client(psychologist).get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert "Notes read by break glass" in detail
    notice = BreakGlassNotice.objects.get(user=psychologist)
    login_client(psychologist).post(reverse("counselling:notice_seen", kwargs={"notice_id": notice.pk}))
    notice.refresh_from_db()
    assert notice.seen_at is not None
    detail = login_client(psychologist).get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert "Notes read by break glass" not in detail


def test_break_glass_get_shows_the_form_not_the_notes(team, case, noted):
    response = login_client(team[Role.CELL_HEAD]).get(reverse("counselling:break_glass", kwargs={"code": case.code}))
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    _no_secret(response)
    assert not events("counselling.break_glass")
    assert not events("counselling.note_read")
    assert not BreakGlassNotice.objects.exists()


def test_a_cell_head_of_another_cell_cannot_break_glass(case, noted, other_cell, staff):
    stranger = staff(Role.CELL_HEAD, other_cell, username="lhr-head")
    response = _break_glass(login_client(stranger), case)
    assert response.status_code == 404
    _no_secret(response)
    assert not BreakGlassRead.objects.exists()
