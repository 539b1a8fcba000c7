"""Synthetic evidence for the demo: items, their custody from hand to hand, laboratory dockets and results.

Added through the real services, by each cell's demo medico-legal officer (who collects
and seals) and evidence custodian (who receives, stores, sends to the laboratory and
records the result), to a share of the demo cases whose survivor chose to have evidence
collected and consented to it:

* the most recent open cases of each cell: items just collected and sealed, one
  hand-over still waiting for the custodian's code (her "waiting for me" list);
* older cases: the whole journey, dispatch to the province's laboratory under a
  synthetic docket, receipt, and, once the turnaround has passed, a synthetic result
  document stored with its SHA-256; now and then a garment goes to the police.

Times are placed when they would have happened, in order. The custodian's code is not
typed in the demo: the hand-over is settled as if she had confirmed it. Every name and
document says it is synthetic. Idempotent: it does nothing once any evidence item exists.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.models import Case, CaseStatus, ConsentPurpose
from crisiscell.cases.services import consent_in_force
from crisiscell.demo.network import demo_username
from crisiscell.evidence import services
from crisiscell.evidence.models import EvidenceItem, EvidenceKind, EvidenceStatus, Laboratory

RECENT_PER_CELL = 3  # open cases of the last days: collected, sealed, a hand-over waiting
OLDER_PER_CELL = 5  # cases of the last months: the whole journey to the laboratory and back
OLDER_WITHIN = timedelta(days=240)
# Where each demo cell sends its samples.
LAB_OF_CELL = {"KHI": Laboratory.SINDH, "ISB": Laboratory.NFSA, "RWP": Laboratory.NFSA}
STORES = ["Evidence fridge 1 (demo)", "Evidence fridge 2 (demo)", "Locked cabinet A (demo)"]


def _kinds(rng: random.Random, hours_after_incident: float) -> list[str]:
    """What an officer would collect this long after the incident (domain section 4)."""
    kinds: list[str] = [EvidenceKind.REFERENCE_BLOOD]
    if hours_after_incident <= 72:
        kinds.append(EvidenceKind.SWAB_HIGH_VAGINAL)
    if hours_after_incident <= 24 and rng.random() < 0.4:
        kinds.append(rng.choice([EvidenceKind.SWAB_ANAL, EvidenceKind.SWAB_ORAL]))
    if hours_after_incident <= 120 and rng.random() < 0.25:
        kinds.append(EvidenceKind.URINE)
    if rng.random() < 0.7:
        kinds.append(EvidenceKind.CLOTHING)
    if rng.random() < 0.3:
        kinds.append(EvidenceKind.FINGERNAIL)
    return kinds


def _hours_after_incident(case: Case) -> float:
    incident = case.incident_at or case.incident_latest or case.incident_earliest
    return (case.arrival_at - incident).total_seconds() / 3600 if incident else 200.0


def _collect(
    rng: random.Random, mlo: User, custodian: User, case: Case, now: datetime, *, settle: bool
) -> list[EvidenceItem]:
    """Collect and seal, then hand each item to the custodian (settled, or left waiting)."""
    start = min(case.arrival_at + timedelta(minutes=rng.randrange(50, 150)), now - timedelta(minutes=40))
    items = []
    for n, kind in enumerate(_kinds(rng, _hours_after_incident(case))):
        at = start + timedelta(minutes=4 * n)
        item = services.item_register(
            actor=mlo, case=case, kind=kind, collected_at=at, description="Synthetic demo item (synthetic)"
        )
        item = services.item_seal(
            actor=mlo,
            item=item,
            seal_number=f"DEMO-{case.code[-4:]}-{n + 1:02d}",
            sealer_initials="MO",
            at=at + timedelta(minutes=10),
        )
        items.append(item)
    for n, item in enumerate(items):
        offer = services.handover_request(
            actor=mlo,
            item=item,
            to_user=custodian,
            purpose="To the evidence store (synthetic)",
            seal_intact=True,
            condition="Sealed, dry, labelled",
            at=start + timedelta(minutes=30 + n),
        )
        if settle or n:
            # Demo only: settled as if the custodian had typed her code.
            services._handover_complete(actor=custodian, event=offer, at=offer.at + timedelta(minutes=5))
            item.holder = custodian
    return items


def _journey(rng: random.Random, custodian: User, case: Case, items: list[EvidenceItem], now: datetime) -> None:
    """Storage, the laboratory and back, each step at its time and never in the future."""
    first = max(m.at for item in items for m in item.custody.all()) + timedelta(minutes=10)
    to_lab = []
    for item in items:
        services.item_store(
            actor=custodian,
            item=item,
            place=rng.choice(STORES),
            temperature="2-8 °C" if item.kind != EvidenceKind.CLOTHING else "Room temperature, dry",
            at=first,
        )
        if item.kind == EvidenceKind.CLOTHING and rng.random() < 0.3 and consent_in_force(case, "release_police"):
            services.handover_external(
                actor=custodian,
                item=item,
                name="Demo Investigating Officer (synthetic)",
                rank="Sub-Inspector, badge 0000 (synthetic)",
                organisation="Demo police station (synthetic)",
                purpose="Case property for the investigation (synthetic)",
                seal_intact=True,
                condition="Sealed paper bag",
                at=first + timedelta(hours=3),
            )
        else:
            to_lab.append(item)
    dispatched = first + timedelta(hours=rng.randrange(18, 48))
    if not to_lab or dispatched > now:
        return
    laboratory = LAB_OF_CELL.get(case.cell.code, Laboratory.PFSA)
    submission = services.lab_submit(
        actor=custodian,
        case=case,
        laboratory=laboratory,
        docket_number=f"RC-DEMO-{case.code[-7:]} (synthetic)",
        items=to_lab,
        dispatched_at=dispatched,
    )
    received = dispatched + timedelta(hours=rng.randrange(20, 60))
    if received > now:
        return
    submission = services.lab_received(actor=custodian, submission=submission, received_at=received)
    result_at = dispatched + timedelta(days=rng.choice([9, 14, 21, 28, 35, 45]))
    if result_at > now:
        return
    report = (
        f"SYNTHETIC LABORATORY REPORT (demo, not a real document)\n"
        f"Docket {submission.docket_number}\nItems: {', '.join(i.human_id for i in to_lab)}\n"
        "Findings: synthetic text for the demonstration only.\n"
    ).encode()
    services.lab_result(
        actor=custodian,
        submission=submission,
        document=io.BytesIO(report),
        received_at=result_at,
        summary=rng.choice(["Profile obtained (synthetic)", "No foreign DNA detected (synthetic)"]),
        name="synthetic-lab-report.txt",
    )
    for item in to_lab:
        item.refresh_from_db()
        if item.status == EvidenceStatus.RESULT_RECEIVED and rng.random() < 0.6:
            services.item_transition(
                actor=custodian,
                item=item,
                to=EvidenceStatus.RETURNED,
                reason="Returned by the laboratory with its report (synthetic)",
                at=min(result_at + timedelta(days=2), now),
            )


def ensure_evidence(*, seed: int = 2027, now: datetime | None = None) -> int:
    """Add synthetic evidence to a share of the demo cases. Returns how many cases got some."""
    if EvidenceItem.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, reproducible on purpose
    now = now or timezone.now()
    added = 0
    cells = Case.objects.values_list("cell__code", flat=True).distinct()
    for code in sorted(set(cells)):
        mlo = User.objects.filter(username=demo_username(code, Role.MEDICO_LEGAL_OFFICER)).first()
        custodian = User.objects.filter(username=demo_username(code, Role.EVIDENCE_CUSTODIAN)).first()
        if mlo is None or custodian is None:
            continue
        chosen = Case.objects.filter(cell__code=code, choice_evidence="collect").select_related("cell")
        recent = chosen.filter(
            status=CaseStatus.OPEN, arrival_at__gte=now - timedelta(days=3), arrival_at__lte=now - timedelta(hours=3)
        ).order_by("-arrival_at")
        older = chosen.filter(arrival_at__lt=now - timedelta(days=3), arrival_at__gte=now - OLDER_WITHIN).order_by(
            "-arrival_at"
        )
        picked = [(c, True) for c in _with_consent(recent, RECENT_PER_CELL)]
        # Spread over the months (every n-th case), so dockets at every stage show.
        older_ids = list(older.values_list("pk", flat=True))
        stride = max(1, len(older_ids) // (OLDER_PER_CELL * 2))
        spread = Case.objects.filter(pk__in=older_ids[::stride]).select_related("cell").order_by("-arrival_at")
        picked += [(c, False) for c in _with_consent(spread, OLDER_PER_CELL)]
        for number, (case, is_recent) in enumerate(picked):
            with transaction.atomic():
                items = _collect(rng, mlo, custodian, case, now, settle=not (is_recent and number == 0))
                if not is_recent:
                    _journey(rng, custodian, case, items, now)
            added += 1
    return added


def _with_consent(cases: object, limit: int) -> list[Case]:
    found: list[Case] = []
    for case in cases:  # type: ignore[attr-defined]
        if len(found) == limit:
            break
        if consent_in_force(case, ConsentPurpose.EVIDENCE) is not None:
            found.append(case)
    return found
