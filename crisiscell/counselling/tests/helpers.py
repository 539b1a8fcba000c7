"""Builders shared by the counselling tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from crisiscell.audit.models import AuditEvent
from crisiscell.cases.services import consent_record
from crisiscell.counselling.models import Attendance
from crisiscell.counselling.services import session_book, session_record


def give_counselling_consent(actor, case):
    return consent_record(
        actor=actor, case=case, purpose="counselling", decision="given", given_by="survivor", method="signed_form"
    )


def book(psychologist, case, *, minutes_from_now: int = 60 * 24, **overrides):
    values = {
        "kind": "individual",
        "mode": "in_person",
        "scheduled_at": timezone.now() + timedelta(minutes=minutes_from_now),
        "duration_minutes": 50,
    }
    values.update(overrides)
    return session_book(actor=psychologist, case=case, **values)


def attended_session(psychologist, case, notes: str, *, goals: str = "", progress: str = "", **overrides):
    """A session booked twenty minutes ago and recorded as attended, with its note."""
    session = book(psychologist, case, minutes_from_now=-20, **overrides)
    return session_record(
        actor=psychologist,
        session=session,
        attendance=Attendance.ATTENDED,
        notes=notes,
        goals=goals,
        progress=progress,
    )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))
