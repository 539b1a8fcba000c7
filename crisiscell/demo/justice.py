"""Investigations, trials and legal aid in the demo: what happened after the FIR.

Without them the justice page, its panel on the case page and the trial, appeal and
legal aid clocks had nothing to show, and every case that reached the police stopped at
its FIR. For each police case, fixed draws (per case, from the seed) say what followed,
and each step is recorded through the justice services once its day has come:

- the police telling her of her right to a lawyer (CrPC 161A), hours after the FIR (most);
- an arrest, days after the FIR (a bit over half);
- her statement under section 164: requested within days, recorded once, on video;
- the Legal Aid and Justice Authority: she applies within days of arriving, it decides
  (mostly within its seven days, sometimes late) and a panel lawyer is assigned;
- the final report (challan) for most; then the special court takes cognizance, hears
  the case every few weeks (some hearings adjourned, a few trials past ARITA's two
  adjournments), and gives judgment, conviction or acquittal; some judgments are appealed;
- now and then someone tries to settle the case, which is flagged when an offence is
  non-compoundable.

A few survivors whose FIR the police never registered have the refusal recorded. Every
name, number and court in these records is synthetic and says "(demo)".
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.models import Case
from crisiscell.cells.models import Cell
from crisiscell.demo.network import demo_staff
from crisiscell.demo.police import registered_after
from crisiscell.justice.models import (
    AppealOutcome,
    AppealParty,
    CourtCase,
    LegalAid,
    LegalAidDecision,
    PanelLawyer,
    PoliceCase,
    Verdict,
)
from crisiscell.justice.services import (
    appeal_decide,
    appeal_record,
    arrest_record,
    compromise_record,
    court_case_open,
    hearing_record,
    judgment_record,
    legal_aid_apply,
    legal_aid_assign,
    legal_aid_decide,
    panel_lawyer_add,
    police_case_update,
    refusal_record,
    section164_record,
    section164_request,
)

PANEL_SIZE = 3
REFUSAL_RECORDED = 0.3  # of the survivors whose FIR was never registered


@dataclass(frozen=True)
class Path:
    """What followed one FIR, as dates after it (None: it did not happen)."""

    rights_notice: timedelta | None
    arrest: timedelta | None
    s164_requested: timedelta | None
    s164_recorded: timedelta | None  # after the request
    legal_aid_applied: timedelta | None  # after her arrival
    legal_aid_decided: timedelta | None  # after the application
    legal_aid_granted: bool
    challan: timedelta | None
    cognizance: timedelta | None  # after the challan
    hearings: list[timedelta] = field(default_factory=list)  # after cognizance, in order
    adjourned: list[bool] = field(default_factory=list)
    judgment: timedelta | None = None  # after cognizance
    convicted: bool = False
    appeal: timedelta | None = None  # after the judgment
    appeal_decided: timedelta | None = None  # after the appeal
    appeal_outcome: str = AppealOutcome.UPHELD
    compromise: timedelta | None = None


def path_after_fir(seed: int, case_code: str) -> Path:
    """What followed this case's FIR: a fixed draw per case."""
    rng = random.Random(f"{seed}:justice:{case_code}")  # noqa: S311 - synthetic demo data, reproducible

    def days(low: int, high: int) -> timedelta:
        return timedelta(days=rng.randint(low, high))

    rights_notice = timedelta(hours=rng.uniform(1, 12)) if rng.random() < 0.7 else None
    arrest = days(1, 20) if rng.random() < 0.55 else None
    s164_requested = days(2, 10) if rng.random() < 0.6 else None
    s164_recorded = days(3, 12) if rng.random() < 0.85 else None
    aid_applied = days(1, 10) if rng.random() < 0.5 else None
    aid_decided = days(2, 12) if rng.random() < 0.9 else None
    granted = rng.random() < 0.8
    challan = days(20, 90) if rng.random() < 0.7 else None
    cognizance = days(10, 45) if rng.random() < 0.8 else None
    judgment = days(90, 300) if rng.random() < 0.75 else None
    hearings, adjourned, at = [], [], timedelta(0)
    while True:
        at += days(21, 60)
        if judgment is not None and at >= judgment:
            break
        if at > timedelta(days=400):
            break
        hearings.append(at)
        adjourned.append(rng.random() < 0.3)
    convicted = rng.random() < 0.35
    appeal = days(5, 30) if rng.random() < 0.4 else None
    appeal_decided = days(90, 240) if rng.random() < 0.5 else None
    outcome = rng.choice([AppealOutcome.UPHELD, AppealOutcome.UPHELD, AppealOutcome.MODIFIED, AppealOutcome.OVERTURNED])
    compromise = days(10, 60) if rng.random() < 0.08 else None
    return Path(
        rights_notice, arrest, s164_requested, s164_recorded, aid_applied, aid_decided, granted, challan, cognizance,
        hearings, adjourned, judgment, convicted, appeal, appeal_decided, outcome, compromise,
    )  # fmt: skip


def refusal_recorded(seed: int, case_code: str) -> bool:
    """Whether the cell recorded the police's refusal of an FIR that was never registered."""
    return random.Random(f"{seed}:refusal:{case_code}").random() < REFUSAL_RECORDED  # noqa: S311 - demo data


@dataclass
class JusticeCounts:
    arrests: int = 0
    statements: int = 0
    legal_aid: int = 0
    court_cases: int = 0
    hearings: int = 0
    judgments: int = 0
    appeals: int = 0
    compromises: int = 0
    refusals: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in vars(self).items())


def ensure_justice(*, seed: int = 2024, now: datetime | None = None) -> JusticeCounts:
    """Record, for every police case, the steps its draws say have come by now and are not yet recorded."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    advisers = demo_staff(Role.LEGAL_ADVISER)
    counts = JusticeCounts()
    panels = _ensure_panels(advisers)
    police_cases = (
        PoliceCase.objects.filter(case__cell__code__in=advisers)
        .select_related("case", "case__cell", "case__section164", "case__court_case", "case__legal_aid")
        .prefetch_related(
            "arrests",
            "case__offences",
            "case__compromise_attempts",
            "case__court_case__hearings",
            "case__court_case__appeals",
        )
        .order_by("registered_at")
    )
    for police_case in police_cases:
        case = police_case.case
        with transaction.atomic():
            _follow(
                police_case,
                path_after_fir(seed, case.code),
                advisers[case.cell.code],
                panels[case.cell.code],
                now,
                today,
                counts,
            )
    counts.refusals = _ensure_refusals(seed, now, advisers)
    return counts


def _ensure_panels(advisers: dict[str, User]) -> dict[str, list[PanelLawyer]]:
    """Each cell's legal aid panel: three synthetic lawyers."""
    panels: dict[str, list[PanelLawyer]] = {code: [] for code in advisers}
    for lawyer in PanelLawyer.objects.filter(cell__code__in=advisers).select_related("cell").order_by("name"):
        panels[lawyer.cell.code].append(lawyer)
    for cell in Cell.objects.filter(code__in=advisers):
        for n in range(len(panels[cell.code]) + 1, PANEL_SIZE + 1):
            panels[cell.code].append(
                panel_lawyer_add(
                    actor=advisers[cell.code],
                    cell=cell,
                    name=f"Panel lawyer {n} (demo)",
                    bar_number=f"DEMO-{cell.code}-{n:03d}",
                )
            )
    return panels


def _follow(
    police_case: PoliceCase,
    path: Path,
    actor: User,
    panel: list[PanelLawyer],
    now: datetime,
    today: date,
    counts: JusticeCounts,
) -> None:
    """One police case's steps whose day has come, each recorded once."""
    case = police_case.case
    fir_day = timezone.localtime(police_case.registered_at).date()
    city = case.cell.city
    notice_at = police_case.registered_at + path.rights_notice if path.rights_notice else None
    if notice_at and notice_at <= now and not police_case.rights_notice_given:
        police_case = police_case_update(
            actor=actor,
            police_case=police_case,
            expected_version=police_case.version,
            changes={"rights_notice_given": True, "rights_notice_at": notice_at},
        )
    if path.arrest and fir_day + path.arrest <= today and not police_case.arrests.all():
        arrest_record(actor=actor, police_case=police_case, arrested_on=fir_day + path.arrest, count=1)
        counts.arrests += 1
    _statement(case, path, actor, fir_day, today, city, counts)
    _legal_aid(case, path, actor, panel, now, counts)
    if path.compromise and fir_day + path.compromise <= today and not case.compromise_attempts.all():
        note = "Her family reported pressure to settle the case out of court (demo)."
        compromise_record(actor=actor, case=case, reported_on=fir_day + path.compromise, note=note)
        counts.compromises += 1
    if path.challan is None or fir_day + path.challan > today:
        return
    challan_on = fir_day + path.challan
    if police_case.challan_on is None:
        police_case = police_case_update(
            actor=actor,
            police_case=police_case,
            expected_version=police_case.version,
            changes={"challan_on": challan_on},
        )
    if path.cognizance is not None:
        _trial(case, path, actor, challan_on + path.cognizance, today, city, counts)


def _statement(case: Case, path: Path, actor: User, fir_day: date, today: date, city: str, c: JusticeCounts) -> None:
    if path.s164_requested is None or fir_day + path.s164_requested > today:
        return
    magistrate = f"Judicial Magistrate, {city} (demo)"
    requested_on = fir_day + path.s164_requested
    record = getattr(case, "section164", None)
    if record is None:
        record = section164_request(actor=actor, case=case, requested_on=requested_on, magistrate=magistrate)
    if path.s164_recorded and requested_on + path.s164_recorded <= today and record.recorded_on is None:
        section164_record(
            actor=actor,
            case=case,
            recorded_on=requested_on + path.s164_recorded,
            magistrate=magistrate,
            video_recorded=True,
            support_adviser_present=path.legal_aid_granted,
        )
        c.statements += 1


def _legal_aid(case: Case, path: Path, actor: User, panel: list[PanelLawyer], now: datetime, c: JusticeCounts) -> None:
    if path.legal_aid_applied is None or case.arrival_at + path.legal_aid_applied > now:
        return
    applied_at = case.arrival_at + path.legal_aid_applied
    aid: LegalAid | None = getattr(case, "legal_aid", None)
    if aid is None:
        aid = legal_aid_apply(actor=actor, case=case, applied_at=applied_at, authority_reference=f"LAJA-{case.code}")
        c.legal_aid += 1
    if path.legal_aid_decided is None or applied_at + path.legal_aid_decided > now or aid.decided_at is not None:
        return
    decision = LegalAidDecision.GRANTED if path.legal_aid_granted else LegalAidDecision.REFUSED
    aid = legal_aid_decide(actor=actor, aid=aid, decision=decision, decided_at=applied_at + path.legal_aid_decided)
    if path.legal_aid_granted and panel:
        lawyer = panel[int(case.code.rsplit("-", 1)[1]) % len(panel)]
        legal_aid_assign(actor=actor, aid=aid, lawyer=lawyer, support_adviser="Support adviser (demo)")


def _trial(case: Case, path: Path, actor: User, cognizance_on: date, today: date, city: str, c: JusticeCounts) -> None:
    if cognizance_on > today:
        return
    court_case: CourtCase | None = getattr(case, "court_case", None)
    if court_case is None:
        court_case = court_case_open(
            actor=actor,
            case=case,
            special_court=f"Special Court (ARITA), {city} (demo)",
            case_number=f"SC-{case.code} (demo)",
            cognizance_on=cognizance_on,
            in_camera_confirmed=True,
            testimony_video_recorded=True,
        )
        c.court_cases += 1
        held = 0
    else:
        held = len(court_case.hearings.all())
    for after, adjourned in list(zip(path.hearings, path.adjourned, strict=True))[held:]:
        if cognizance_on + after > today:
            break
        hearing_record(
            actor=actor,
            court_case=court_case,
            held_on=cognizance_on + after,
            what_happened="Adjourned (demo)." if adjourned else "Witnesses examined (demo).",
            adjourned=adjourned,
            adjournment_reason="The defence counsel was not present (demo)." if adjourned else "",
        )
        c.hearings += 1
    if path.judgment is None or cognizance_on + path.judgment > today:
        return
    judgment_on = cognizance_on + path.judgment
    if court_case.judgment_on is None:
        convictions = (
            [(o.code, "Imprisonment and a fine as the section provides (demo)") for o in case.offences.all()]
            if path.convicted
            else []
        )
        court_case = judgment_record(
            actor=actor,
            court_case=court_case,
            judgment_on=judgment_on,
            verdict=Verdict.CONVICTION if path.convicted and convictions else Verdict.ACQUITTAL,
            convictions=convictions or None,
        )
        c.judgments += 1
    if path.appeal is None or judgment_on + path.appeal > today:
        return
    appeals = list(court_case.appeals.all())
    if not appeals:
        filed_by = AppealParty.ACCUSED if court_case.verdict == Verdict.CONVICTION else AppealParty.STATE
        court = f"High Court bench, {city} (demo)"
        appeals = [
            appeal_record(
                actor=actor, court_case=court_case, filed_on=judgment_on + path.appeal, filed_by=filed_by, court=court
            )
        ]
        c.appeals += 1
    appeal = appeals[0]
    decided_on = appeal.filed_on + path.appeal_decided if path.appeal_decided else None
    if decided_on and decided_on <= today and appeal.outcome == AppealOutcome.PENDING:
        appeal_decide(actor=actor, appeal=appeal, outcome=path.appeal_outcome, decided_on=decided_on)


def _ensure_refusals(seed: int, now: datetime, advisers: dict[str, User]) -> int:
    """The refusals a cell recorded among the survivors who reported and whose FIR never came."""
    recorded = 0
    waiting = (
        Case.objects.filter(cell__code__in=advisers, choice_police="now", police_case__isnull=True)
        .exclude(fir_refusals__isnull=False)
        .select_related("cell", "cell__police_reporting_centre")
        .order_by("arrival_at")
    )
    for case in waiting:
        refused_at = case.arrival_at + timedelta(days=1)
        if registered_after(seed, case.code) is not None or not refusal_recorded(seed, case.code) or refused_at > now:
            continue
        centre = case.cell.police_reporting_centre
        refusal_record(
            actor=advisers[case.cell.code],
            case=case,
            police_station=centre.name if centre else f"{case.cell.city} police station (demo)",
            refused_on=timezone.localtime(refused_at).date(),
            note="The station asked her to settle with the family first (demo).",
        )
        recorded += 1
    return recorded
