"""FIRs and interim reports in the demo: most survivors who chose to report now have an FIR.

Without them every open case whose survivor chose to report now carried an overdue
FIR clock (25 of KHI's 60 open cases), because the demo recorded no police case, and
the closed cases of past years, none of them reported, had no investigation or trial
to follow (see ``crisiscell.demo.justice``).
For each such case a fixed draw says whether the police registered the FIR, and when
(two hours to two days after she arrived); once that time has passed, the police
liaison records it through ``fir_record``, which completes the FIR duty. The rest
stay without an FIR, the cases a liaison officer chases, overdue on the board.
Likewise the police send the interim report (CrPC 173: due within three days once the
investigation is 14 days old) for a bit over half of the FIRs, 14 to 17 days after
registration; the others are the reports the cell is still waiting for.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.models import Case
from crisiscell.demo.network import demo_staff
from crisiscell.justice.models import PoliceCase
from crisiscell.justice.services import fir_record, police_case_update

REGISTERED = 0.75
INTERIM_SENT = 0.6


def registered_after(seed: int, case_code: str) -> timedelta | None:
    """How long after her arrival the police registered the FIR, or None: a fixed draw per case."""
    rng = random.Random(f"{seed}:fir:{case_code}")  # noqa: S311 - synthetic demo data, reproducible
    registered, hours = rng.random() < REGISTERED, rng.uniform(2, 48)
    return timedelta(hours=hours) if registered else None


def interim_sent_after(seed: int, case_code: str) -> timedelta | None:
    """How long after the FIR the police sent the interim report, or None: a fixed draw per case."""
    rng = random.Random(f"{seed}:interim:{case_code}")  # noqa: S311 - synthetic demo data, reproducible
    sent, days = rng.random() < INTERIM_SENT, rng.randint(14, 17)
    return timedelta(days=days) if sent else None


def ensure_police(*, seed: int = 2024, now: datetime | None = None) -> tuple[int, int]:
    """FIRs, then interim reports, that the draws say have come by now: how many of each it recorded.

    Closed cases too: a case closes at the cell when her services end, not when the police do.
    """
    now = now or timezone.now()
    liaisons = demo_staff(Role.POLICE_LIAISON)
    firs = _ensure_firs(seed, now, liaisons)
    reports = 0
    awaited = PoliceCase.objects.filter(interim_report_on__isnull=True)
    for police_case in awaited.select_related("case", "case__cell").order_by("registered_at"):
        after = interim_sent_after(seed, police_case.case.code)
        if after is None or police_case.registered_at + after > now:
            continue
        sent_on = timezone.localtime(police_case.registered_at + after).date()
        police_case_update(
            actor=liaisons[police_case.case.cell.code],
            police_case=police_case,
            expected_version=police_case.version,
            changes={"interim_report_on": sent_on},
        )
        reports += 1
    return firs, reports


def _ensure_firs(seed: int, now: datetime, liaisons: dict[str, User]) -> int:
    recorded = 0
    waiting = (
        Case.objects.filter(choice_police="now", police_case__isnull=True)
        .select_related("cell", "cell__police_reporting_centre")
        .prefetch_related("offences")
        .order_by("arrival_at")
    )
    for case in waiting:
        after = registered_after(seed, case.code)
        if after is None or case.arrival_at + after > now:
            continue
        centre = case.cell.police_reporting_centre
        with transaction.atomic():
            fir_record(
                actor=liaisons[case.cell.code],
                case=case,
                fir_number=f"{int(case.code.rsplit('-', 1)[1]) + 100}/{case.arrival_at.year} (demo)",
                police_station=centre.name if centre else f"{case.cell.city} police station (demo)",
                registered_at=case.arrival_at + after,
                section_codes=[offence.code for offence in case.offences.all()],
            )
        recorded += 1
    return recorded
