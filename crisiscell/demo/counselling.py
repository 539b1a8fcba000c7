"""Synthetic counselling for the demo: sessions, measures over time, risk assessments, safety plans.

Added through the real services, by each cell's demo psychologist, to a share of the open
demo cases whose survivor consented to counselling. Every note and plan says it is
synthetic; no text describes a real person. Idempotent: it does nothing once any
counselling session exists. Scores are generated to improve over the weeks, as they
often do; a few survivors answer PHQ-9 item 9 above zero so the risk follow-up and the
board flag can be seen.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.models import Case, CaseStatus, ConsentPurpose, TaskKind, TaskStatus
from crisiscell.cases.services import consent_in_force
from crisiscell.counselling import instruments
from crisiscell.counselling.models import (
    Attendance,
    CounsellingSession,
    DeviceCheck,
    GuardianInvolvement,
    Language,
    Measure,
    PsychiatricReferral,
    SelfHarm,
    SessionKind,
    SessionMode,
    TeamFlag,
)
from crisiscell.counselling.services import (
    RiskInput,
    SafetyPlanContent,
    first_aid_record,
    measure_record,
    offer_decline,
    plan_update,
    risk_assess,
    safety_plan_save,
    session_book,
    session_record,
)
from crisiscell.demo.network import demo_username
from crisiscell.survivors.models import Guardian

# One open case in SHARE gets counselling; one in DECLINE_SHARE of the rest declines the offer.
SHARE = 3
DECLINE_SHARE = 5


def _answers(rng: random.Random, instrument: str, level: float, *, item9: int = 0) -> list[int]:
    """Synthetic answers whose total is about ``level`` (0-1) of the maximum."""
    spec = instruments.definition(instrument)
    answers = [max(0, min(spec.max_item, round(rng.gauss(level * spec.max_item, 0.7)))) for _ in spec.items]
    if instrument == instruments.Instrument.PHQ9:
        answers[instruments.PHQ9_SELF_HARM_ITEM - 1] = item9
    return answers


def _measure(
    rng: random.Random, psychologist: User, case: Case, instrument: str, level: float, at: datetime, item9: int = 0
) -> Measure:
    measure = measure_record(
        actor=psychologist,
        case=case,
        instrument=instrument,
        language=rng.choice([Language.URDU, Language.ENGLISH]),
        answers=_answers(rng, instrument, level, item9=item9),
    )
    # Demo only: place the measure on the day it would have been given.
    Measure.objects.filter(pk=measure.pk).update(administered_at=at)
    return measure


def _guardian(case: Case) -> tuple[Guardian | None, str]:
    """A child's guardian who takes part (never an alleged perpetrator), and how."""
    if not case.is_child:
        return None, GuardianInvolvement.NOT_APPLICABLE
    guardian = case.survivor.guardians.filter(is_alleged_perpetrator=False).first()
    return (guardian, GuardianInvolvement.PRESENT) if guardian else (None, GuardianInvolvement.NONE)


def _counsel(rng: random.Random, psychologist: User, case: Case, now: datetime) -> None:
    guardian, involvement = _guardian(case)
    if now - case.arrival_at < timedelta(hours=72):
        first_aid_record(
            actor=psychologist,
            case=case,
            at=min(case.arrival_at + timedelta(minutes=40), now),
            mode=SessionMode.IN_PERSON,
            duration_minutes=30,
            notes="Synthetic demo note: first aid at arrival; listened, explained what happens next (synthetic).",
            guardian=guardian,
            guardian_involvement=involvement,
        )
    if not case.is_child:
        kinds = [SessionKind.INDIVIDUAL, SessionKind.INDIVIDUAL, SessionKind.GROUP]
    elif guardian is not None:
        kinds = [SessionKind.PLAY, SessionKind.DRAWING, SessionKind.WITH_GUARDIAN]
    else:
        kinds = [SessionKind.PLAY, SessionKind.DRAWING]
    # Weekly sessions from the day after arrival (at most seven), then the next one to come.
    start = case.arrival_at + timedelta(days=1, hours=rng.randrange(2, 6))
    times = [start + timedelta(weeks=k) for k in range(7) if start + timedelta(weeks=k) <= now]
    if len(times) < 7:
        times.append(max(start + timedelta(weeks=len(times)), now + timedelta(days=rng.randint(1, 6))))
    level = rng.uniform(0.45, 0.8)
    item9 = 1 if rng.random() < 0.12 else 0
    for week, at in enumerate(times):
        kind = rng.choice(kinds)
        # A guardian sits in on sessions "with a guardian" and is told about the others.
        if guardian is not None and kind != SessionKind.WITH_GUARDIAN:
            session_involvement: str = GuardianInvolvement.INFORMED
        else:
            session_involvement = involvement
        session = session_book(
            actor=psychologist,
            case=case,
            kind=kind,
            mode=rng.choice([SessionMode.IN_PERSON, SessionMode.IN_PERSON, SessionMode.PHONE]),
            scheduled_at=at,
            duration_minutes=45 if case.is_child else 50,
            guardian=guardian,
            guardian_involvement=session_involvement,
        )
        if at > now:
            break  # the next appointment, still to come
        if week and rng.random() < 0.12:
            session_record(actor=psychologist, session=session, attendance=Attendance.MISSED)
            continue
        session_record(
            actor=psychologist,
            session=session,
            attendance=Attendance.ATTENDED,
            notes=f"Synthetic demo note for week {week + 1}: mood, sleep and daily routine discussed (synthetic).",
            goals="Synthetic goal: sleep through the night; return to daily activities (synthetic).",
            progress=f"Synthetic progress note, week {week + 1} (synthetic).",
        )
        if week % 2 == 0 and not case.is_child:
            _measure(rng, psychologist, case, instruments.Instrument.PHQ9, level, at, item9=item9 if not week else 0)
            _measure(rng, psychologist, case, instruments.Instrument.GAD7, level, at)
            if week == 0 and rng.random() < 0.5:
                _measure(rng, psychologist, case, instruments.Instrument.PCL5, level, at)
            if item9 and not week:
                risk_assess(
                    actor=psychologist,
                    case=case,
                    data=RiskInput(
                        self_harm=SelfHarm.THOUGHTS,
                        psychiatric_referral=PsychiatricReferral.NOT_NEEDED,
                        formulation="Synthetic demo formulation: passive thoughts, no plan; reviewed weekly.",
                    ),
                )
        level = max(0.05, level - rng.uniform(0.05, 0.15))
    if rng.random() < 0.3:
        plan_update(
            actor=psychologist,
            case=case,
            planned_sessions=8,
            shared_flags=[rng.choice([TeamFlag.NO_RETELLING, TeamFlag.ACCOMPANY, TeamFlag.NOT_READY_FOR_STATEMENT])],
        )
    if rng.random() < 0.35:
        safety_plan_save(
            actor=psychologist,
            case=case,
            content=SafetyPlanContent(
                safe_places="Synthetic: a cousin's house in the next street (synthetic).",
                trusted_people="Synthetic: an aunt, a neighbour (synthetic).",
                code_word="synthetic-mango",
                how_to_leave="Synthetic: through the back lane when he is at work (synthetic).",
                what_to_take="CNIC copy, medicines, some money, phone charger (synthetic).",
                phone_safety="Synthetic: keep the phone locked; do not share the PIN (synthetic).",
                device_checks=[DeviceCheck.LOCATION, DeviceCheck.PASSWORDS, DeviceCheck.SPARE],
                emergency_numbers=["police", "rescue", "punjab_women"],
                language=Language.URDU,
            ),
        )


def ensure_counselling(*, seed: int = 2026, now: datetime | None = None) -> int:
    """Add synthetic counselling to a share of the open demo cases. Returns how many cases got it."""
    if CounsellingSession.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, reproducible on purpose
    now = now or timezone.now()
    psychologists: dict[str, User | None] = {}
    added = 0
    cases = Case.objects.filter(status=CaseStatus.OPEN).select_related("cell", "survivor").order_by("arrival_at")
    for number, case in enumerate(cases):
        code = case.cell.code
        if code not in psychologists:
            psychologists[code] = User.objects.filter(username=demo_username(code, Role.PSYCHOLOGIST)).first()
        psychologist = psychologists[code]
        if psychologist is None or consent_in_force(case, ConsentPurpose.COUNSELLING) is None:
            continue
        offer_open = case.tasks.filter(kind=TaskKind.COUNSELLING, status=TaskStatus.OPEN).exists()
        with transaction.atomic():
            if number % SHARE == 0:
                _counsel(rng, psychologist, case, now)
                added += 1
            elif offer_open and number % DECLINE_SHARE == 1:
                offer_decline(actor=psychologist, case=case, reason="Prefers to wait for now (synthetic)")
    return added
