"""Referrals and transfers in the demo: where survivors were sent on to, and two cases that moved.

Without them the case page's *Referrals and transfers* panel, the referral screens and
the receiving cells' transfer queues were empty throughout the demo. For each open
case a fixed draw says whether the cell referred her, where (a shelter, legal aid, an
NGO, psychiatry, and child protection for children, weighted by what her intake
recorded: danger at home, self-harm, her choice about the police), when it was sent
and how the organisation answered (accepted then completed, rejected with a reason,
or withdrawn by the cell). Once the draw says it was sent, the case worker records it
through ``referral_create`` and each answer that has come by now through
``referral_transition``, so every status reached is one the service allows.

Consent: a child protection referral of a child needs none (the service records that
exception). Every other referral needs her consent to sharing, which no demo intake
records. It is never forged: when her ledger has no sharing decision but she (or her
guardian) gave consent to release her record to the police, and it still stands, the
case worker records a sharing consent given the same way (same giver, guardian, method
and child's view) through ``consent_record``, as a cell asks before it refers. A
survivor who did not let her record leave the cell, or who refused sharing, is not
referred anywhere that needs it.

Only open cases: ``referral_create`` refuses a closed case, so the closed history gets
no referrals. The services stamp each step with the time it is recorded, so the demo's
referrals are all sent today, and their response dates cannot be earlier than today.

Then ``TRANSFERS`` open cases of adults who arrived one to eight weeks ago, chosen by
a fixed draw, are moved to a cell in another city, as when she goes to live with
relatives there: her cell's head asks for each, the receiving cell's head accepts the
first, and the second stays waiting in the receiving cell's queue. Transfers are made
once: none is added while any transfer exists.

Every organisation name ends in "(demo)"; no text names a real person or organisation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.models import Case, CaseStatus, Consent, ConsentDecision, ConsentGiver, ConsentPurpose
from crisiscell.cases.services import consent_in_force_among, consent_record
from crisiscell.cells.models import Cell
from crisiscell.demo.network import demo_staff
from crisiscell.referrals.models import ReferralKind, ReferralStatus, Transfer
from crisiscell.referrals.services import referral_create, referral_transition, transfer_accept, transfer_request

# Chance that the cell refers her anywhere: higher for children and for survivors at risk.
REFERRED = 0.3
REFERRED_AT_RISK = 0.55
# How the organisation answers, and the chance that an accepted referral is completed in time.
ANSWERS = [ReferralStatus.ACCEPTED, ReferralStatus.REJECTED, ReferralStatus.REVOKED]
ANSWER_WEIGHTS = [70, 20, 10]
COMPLETED = 0.8
TRANSFERS = 2
# A survivor moves after her first weeks at the cell, while the case is still open.
MOVED_AFTER = timedelta(days=7)
MOVED_BEFORE = timedelta(days=56)

# Two synthetic names per kind; {city} and {district} are the case's.
ORGANISATIONS: dict[str, tuple[str, str]] = {
    ReferralKind.SHELTER: ("Women's shelter home, {city} (demo)", "Safe house for women, {city} (demo)"),
    ReferralKind.CHILD_PROTECTION: ("Child protection unit, {district} (demo)", "Child welfare office, {city} (demo)"),
    ReferralKind.LEGAL_AID: (
        "Legal aid desk, district courts, {city} (demo)",
        "Women's legal aid clinic, {city} (demo)",
    ),
    ReferralKind.NGO: ("Survivor support network, {city} (demo)", "Women's livelihood programme, {city} (demo)"),
    ReferralKind.HOSPITAL_DEPARTMENT: (
        "Psychiatry department, government teaching hospital, {city} (demo)",
        "Psychiatry outpatients, district headquarters hospital, {city} (demo)",
    ),
}
REJECTED_BECAUSE: dict[str, str] = {
    ReferralKind.SHELTER: "No place free this month; asked the cell to refer her again next week.",
    ReferralKind.CHILD_PROTECTION: "The child's home district is covered by another unit.",
    ReferralKind.LEGAL_AID: "Outside the districts the organisation covers.",
    ReferralKind.NGO: "The programme is full until next quarter.",
    ReferralKind.HOSPITAL_DEPARTMENT: "Asked for a fresh referral letter from the cell's doctor.",
}
REVOKED_BECAUSE = "She decided not to go ahead with it."


@dataclass(frozen=True)
class ReferralDraw:
    """Where one survivor is referred and how far the referral gets, fixed per case."""

    kind: str
    organisation: str
    purpose: str
    sent_after: timedelta  # after her arrival
    answered_after: timedelta  # after it was sent
    answer: str
    completed_after: timedelta | None  # after it was accepted; None: the service goes on
    response_days: int


def _kind_weights(case: Case) -> list[tuple[str, float]]:
    """Where a cell would refer this survivor, weighted by what her intake recorded."""
    unsafe_at_home = case.risk_immediate_danger or case.risk_perpetrator_in_household
    pursuing = case.choice_police != "not"
    return [
        (ReferralKind.CHILD_PROTECTION, (6 + 6 * unsafe_at_home) if case.is_child else 0),
        (ReferralKind.SHELTER, 0 if case.is_child else 1 + 6 * unsafe_at_home),
        (ReferralKind.LEGAL_AID, 4 if pursuing else 1),
        (ReferralKind.HOSPITAL_DEPARTMENT, 1 + 5 * case.risk_self_harm),
        (ReferralKind.NGO, 2),
    ]


def _purpose(kind: str, case: Case) -> str:
    if kind == ReferralKind.SHELTER:
        if case.risk_perpetrator_in_household:
            return "A safe place to stay away from the household where the accused lives."
        return "A safe place to stay: she cannot go back home for now."
    if kind == ReferralKind.CHILD_PROTECTION:
        return "Assessment of the child's safety at home and follow-up by a child protection officer."
    if kind == ReferralKind.LEGAL_AID:
        if case.choice_police == "now":
            return "Free legal representation in the criminal case."
        return "Legal advice before she decides whether and when to report to the police."
    if kind == ReferralKind.HOSPITAL_DEPARTMENT:
        if case.risk_self_harm:
            return "Psychiatric assessment: a risk of self-harm was noted at intake."
        return "Psychiatric assessment for persistent distress after the assault."
    return "Peer support group and help back to work or school."


def referral_drawn(seed: int, case: Case) -> ReferralDraw | None:
    """Where the cell referred her and how it went, or None if it did not: a fixed draw per case.

    Needs ``case.cell``. Always makes the same draws in the same order, so the answer
    depends only on the seed, the case code and what her intake recorded.
    """
    rng = random.Random(f"{seed}:referral:{case.code}")  # noqa: S311 - synthetic demo data, reproducible
    at_risk = case.is_child or case.risk_immediate_danger or case.risk_self_harm or case.risk_perpetrator_in_household
    referred = rng.random() < (REFERRED_AT_RISK if at_risk else REFERRED)
    kinds, weights = zip(*_kind_weights(case), strict=True)
    kind = rng.choices(kinds, weights)[0]
    name = ORGANISATIONS[kind][rng.randrange(2)]
    sent_after = timedelta(hours=rng.uniform(2, 96))
    answered_after = timedelta(days=rng.uniform(1, 10))
    answer = rng.choices(ANSWERS, ANSWER_WEIGHTS)[0]
    completes, completed_days = rng.random() < COMPLETED, rng.uniform(7, 45)
    response_days = rng.choice([7, 10, 14])
    if not referred:
        return None
    return ReferralDraw(
        kind=kind,
        organisation=name.format(city=case.cell.city, district=case.district or case.cell.city),
        purpose=_purpose(kind, case),
        sent_after=sent_after,
        answered_after=answered_after,
        answer=answer,
        completed_after=timedelta(days=completed_days) if completes else None,
        response_days=response_days,
    )


def statuses_by(draw: ReferralDraw, arrival_at: datetime, now: datetime) -> list[str]:
    """The statuses the referral has passed through by ``now``, in order; empty if not yet sent."""
    sent_at = arrival_at + draw.sent_after
    if sent_at > now:
        return []
    answered_at = sent_at + draw.answered_after
    if answered_at > now:
        return [ReferralStatus.SENT]
    path = [ReferralStatus.SENT, draw.answer]
    if draw.answer == ReferralStatus.ACCEPTED and draw.completed_after and answered_at + draw.completed_after <= now:
        path.append(ReferralStatus.COMPLETED)
    return path


def sharing_source(ledger: list[Consent]) -> Consent | None:
    """The consent a sharing consent may mirror: her release to the police, if it stands and sharing is undecided."""
    if any(c.purpose == ConsentPurpose.SHARING for c in ledger):
        return None
    source = consent_in_force_among(ledger, ConsentPurpose.RELEASE_POLICE)
    if source is None or (source.given_by == ConsentGiver.GUARDIAN and source.guardian is None):
        return None
    if source.guardian is not None and source.guardian.is_alleged_perpetrator:
        return None
    return source


def transfer_rank(seed: int, case_code: str) -> float:
    """Where a case stands in the order of cases that move: a fixed draw per case; the lowest move."""
    return random.Random(f"{seed}:transfer:{case_code}").random()  # noqa: S311 - synthetic demo data


def ensure_referrals(*, seed: int = 2024, now: datetime | None = None) -> tuple[int, int]:
    """Referrals of open cases that the draws say were sent by now, then the demo's transfers.

    Returns (referrals created, transfers created). A case that has any referral is
    left alone, and no transfer is made once one exists, so a second run adds nothing.
    """
    now = now or timezone.now()
    referrals = _ensure_referrals(seed, now)
    transfers = 0 if Transfer.objects.exists() else _ensure_transfers(seed, now)
    return referrals, transfers


def _ensure_referrals(seed: int, now: datetime) -> int:
    workers = demo_staff(Role.CASE_WORKER)
    today = timezone.localdate()
    unreferred = (
        Case.objects.filter(status=CaseStatus.OPEN, referrals__isnull=True, cell__code__in=workers)
        .select_related("cell")
        .prefetch_related(Prefetch("consents", queryset=Consent.objects.select_related("guardian")))
        .order_by("arrival_at")
    )
    created = 0
    for case in unreferred:
        draw = referral_drawn(seed, case)
        path = statuses_by(draw, case.arrival_at, now) if draw else []
        if draw is None or not path:
            continue
        # The consent to mirror into a sharing consent, when she needs one and has none in force.
        source: Consent | None = None
        exempt = draw.kind == ReferralKind.CHILD_PROTECTION and case.is_child
        ledger = list(case.consents.all())
        if not exempt and consent_in_force_among(ledger, ConsentPurpose.SHARING) is None:
            source = sharing_source(ledger)
            if source is None:
                continue
        sent_on = timezone.localdate(case.arrival_at + draw.sent_after)
        with transaction.atomic():
            if source is not None:
                consent_record(
                    actor=workers[case.cell.code],
                    case=case,
                    purpose=ConsentPurpose.SHARING,
                    decision=ConsentDecision.GIVEN,
                    given_by=source.given_by,
                    method=source.method,
                    guardian=source.guardian,
                    child_assent=source.child_assent,
                )
            _refer(workers[case.cell.code], case, draw, path, max(sent_on + timedelta(days=draw.response_days), today))
        created += 1
    return created


def _refer(worker: User, case: Case, draw: ReferralDraw, path: list[str], due_on: date) -> None:
    referral = referral_create(
        actor=worker,
        case=case,
        kind=draw.kind,
        organisation=draw.organisation,
        purpose=draw.purpose,
        due_on=due_on,
    )
    reasons: dict[str, str] = {
        ReferralStatus.REJECTED: REJECTED_BECAUSE[draw.kind],
        ReferralStatus.REVOKED: REVOKED_BECAUSE,
    }
    for status in path[1:]:
        referral = referral_transition(
            actor=worker, referral=referral, to_status=status, reason=reasons.get(status, "")
        )


def _ensure_transfers(seed: int, now: datetime) -> int:
    """Ask for ``TRANSFERS`` transfers to a cell in another city; the receiving cell accepts the first."""
    candidates = Case.objects.filter(
        status=CaseStatus.OPEN,
        survivor_age_years__gte=18,
        arrival_at__lte=now - MOVED_AFTER,
        arrival_at__gte=now - MOVED_BEFORE,
    ).select_related("cell")
    moving = sorted(candidates, key=lambda case: (transfer_rank(seed, case.code), case.code))[:TRANSFERS]
    if not moving:
        return 0
    cells = list(Cell.objects.filter(is_active=True).order_by("code"))
    heads = demo_staff(Role.CELL_HEAD)
    created = 0
    for case in moving:
        elsewhere = [cell for cell in cells if cell.city != case.cell.city and cell.code in heads]
        if not elsewhere or case.cell.code not in heads:
            continue
        rng = random.Random(f"{seed}:transfer-to:{case.code}")  # noqa: S311 - synthetic demo data, reproducible
        to_cell = rng.choice(elsewhere)
        with transaction.atomic():
            transfer = transfer_request(
                actor=heads[case.cell.code],
                case=case,
                to_cell=to_cell,
                reason=f"She has moved to live with relatives in {to_cell.city}; "
                "her follow-up and court dates are easier to keep there.",
            )
            if created == 0:
                transfer_accept(actor=heads[to_cell.code], transfer=transfer)
        created += 1
    return created
