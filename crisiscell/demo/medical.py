"""Synthetic medico-legal examinations for the demo.

Two parts, both idempotent (nothing happens once any examination exists):

* **the last days** (cases that arrived within ``RECENT``): in each cell, the demo
  medico-legal officer (a woman) examines a few survivors through the real services
  (start, record, injuries on the diagrams, findings, samples registered as evidence,
  treatment against the clocks, opinion with reasons) and signs; one more is left being
  written, and the rest still wait for their examination on the board;
* **the archive** (older cases): a realistic share (``ARCHIVE_SHARE`` of the survivors
  who wanted medical care and consented) has a signed examination, written in bulk so the
  demo stays fast, as a cell's paper register would be imported: the narrative is
  encrypted in the vault like any other, the record is sealed with the same hash as a
  signature would give it, the examination duty is done and the EC/PEP/hepatitis B
  clocks are resolved at the time of treatment. The archive has no per-record audit
  events (nobody wrote it in this system) and no samples of its own: samples are
  linked when the case already has evidence items, else the record says they are in
  the paper register.

Then **the examinations that never happened** (``ensure_unexamined_recorded``, also
idempotent): on an open case older than ``RECENT`` with no examination begun and its
duty still open, the medico-legal officer records the duty as declined, with why: she
declined medical care, or she left before the examination and did not come back. A
cell records that; left open, the duty stayed overdue on the board for months.

Every text says it is synthetic; nothing describes a real person.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.duties import task_close
from crisiscell.cases.models import Case, ClockResolution, ClockState, Consent, ConsentPurpose, Task, TaskKind
from crisiscell.cases.models import TaskStatus as TS
from crisiscell.cases.services import consent_in_force
from crisiscell.demo.network import demo_username
from crisiscell.evidence.models import EvidenceItem
from crisiscell.evidence.services import item_register
from crisiscell.medical import services
from crisiscell.medical.models import (
    TREATMENT_CLOCK,
    ExamStatus,
    Injury,
    MedicoLegalExamination,
    OpinionItem,
    Treatment,
    TreatmentKind,
)
from crisiscell.survivors import vault
from crisiscell.survivors.models import VaultRecord

RECENT = timedelta(days=7)
SIGNED_RECENT_PER_CELL = 1
DRAFT_RECENT_PER_CELL = 1
ARCHIVE_SHARE = 0.8

# (diagram, site, x %, y %) where injuries are commonly recorded.
SITES = [
    ("front", "Left forearm", 24, 44),
    ("front", "Right forearm", 76, 44),
    ("front", "Left wrist", 20, 49),
    ("front", "Right upper arm", 72, 26),
    ("front", "Inner left thigh", 44, 62),
    ("front", "Inner right thigh", 56, 62),
    ("front", "Neck, front", 50, 15),
    ("back", "Upper back", 50, 24),
    ("back", "Left shoulder blade", 40, 22),
    ("back", "Lower back", 50, 42),
    ("head", "Left cheek", 36, 50),
    ("head", "Lower lip", 50, 63),
    ("head", "Right side of the neck", 60, 84),
    ("genital", "Posterior fourchette", 50, 55),
]
KINDS = ["bruise", "abrasion", "abrasion", "bruise", "laceration", "bite"]
COLOURS = {"bruise": "red-blue", "abrasion": "red, scabbed", "laceration": "red", "bite": "purple"}
HISTORIES = [
    "She says a man she knows forced her into a room and assaulted her (synthetic history).",
    "She says she was taken in a vehicle and assaulted by two men (synthetic history).",
    "She says a relative assaulted her at home at night (synthetic history).",
    "She says she was assaulted on her way back from work (synthetic history).",
]
OPINIONS = [
    (
        "The findings are consistent with her account of recent assault.",
        "Fresh bruises and abrasions of the forearms and thighs, of an age matching the time she gives.",
    ),
    (
        "The absence of genital injury neither confirms nor excludes sexual assault.",
        "Most survivors of sexual assault have no genital injury; her history and the samples are to be weighed.",
    ),
    (
        "Final opinion reserved until the laboratory reports are received.",
        "Swabs and reference blood have been sent for DNA analysis; the opinion depends on their results.",
    ),
]
ESCORTS = [
    ("Mother", "Test Mother (synthetic)"),
    ("Sister", "Test Sister (synthetic)"),
    ("Lady constable", "LC Test (synthetic)"),
]


def _examiners(codes: set[str]) -> dict[str, User]:
    """Each cell's demo medico-legal officer (a woman, see ``demo.network``)."""
    wanted = {demo_username(code, Role.MEDICO_LEGAL_OFFICER): code for code in codes}
    return {wanted[u.username]: u for u in User.objects.filter(username__in=wanted, gender="female")}


def _narrative(rng: random.Random, came_alone: bool) -> dict[str, str]:
    relationship, name = rng.choice(ESCORTS)
    return {
        "escort_name": "" if came_alone else name,
        "escort_relationship": "" if came_alone else relationship,
        "escort_address": "" if came_alone else "Street 1, Test Town (synthetic)",
        "history": rng.choice(HISTORIES),
        "physical_state": "Conscious, oriented, walking unaided; vital signs within normal limits (synthetic).",
        "mental_state_notes": "Tearful at times, answered questions clearly (synthetic).",
        "other_particulars": "",
        "anogenital_description": "Findings as recorded; swabs taken before any washing (synthetic).",
    }


def _injuries(rng: random.Random, male: bool) -> list[services.InjuryInput]:
    count = rng.choices([0, 1, 2, 3], [25, 35, 25, 15])[0]
    chosen = rng.sample([s for s in SITES if not (male and s[0] == "genital")], count)
    injuries = []
    for view, site, x, y in chosen:
        kind = rng.choice(KINDS)
        injuries.append(
            services.InjuryInput(
                view=view,
                x=x + rng.uniform(-2, 2),
                y=y + rng.uniform(-2, 2),
                site=site,
                kind=kind,
                estimated_age=rng.choice(["fresh", "fresh", "recent"]),
                length_mm=rng.randint(5, 60),
                width_mm=rng.randint(3, 30),
                colour=COLOURS.get(kind, ""),
            )
        )
    return injuries


def _findings(rng: random.Random, injuries: list[services.InjuryInput]) -> dict[str, str]:
    genital = any(i.view == "genital" for i in injuries)
    if rng.random() < 0.08:
        return {"examined": "declined"}
    return {
        "examined": "yes",
        "external_genitalia": "injury" if genital else "no_injury",
        "perineum": "no_injury",
        "anus": "no_injury",
        "bleeding": "none",
        "discharge": rng.choice(["none", "none", "present"]),
    }


def _treatments(case: Case, at: datetime, rng: random.Random) -> list[tuple[str, bool, str]]:
    """(kind, given, details or reason) for each treatment, as the delayed-presentation path allows."""
    incident = case.incident_at or case.incident_latest
    since = (case.arrival_at - incident) if incident else None
    late_pep = since is not None and since > timedelta(hours=72)
    late_ec = since is not None and since > timedelta(hours=120)
    rows: list[tuple[str, bool, str]] = []
    if case.survivor_sex != "male":
        if late_ec:
            rows.append(("ec", False, "Arrived after 120 hours: not indicated"))
        else:
            rows.append(("ec", True, "Levonorgestrel 1.5 mg by mouth"))
    if late_pep:
        rows.append(("pep", False, "Arrived after 72 hours: not indicated"))
    elif rng.random() < 0.1:
        rows.append(("pep", False, "She declined PEP after counselling"))
    else:
        rows.append(("pep", True, "TDF/3TC/DTG, 28-day course started"))
    rows.append(("sti", True, "Ceftriaxone, azithromycin, metronidazole"))
    rows.append(("hep_b", True, "Hepatitis B vaccine, first dose"))
    if rng.random() < 0.5:
        rows.append(("tetanus", True, "Tetanus toxoid 0.5 ml IM"))
    else:
        rows.append(("tetanus", False, "Immunised within the last 5 years"))
    return rows


def _examine_live(rng: random.Random, examiner: User, case: Case, now: datetime, *, sign: bool) -> None:
    """One examination through the real services, as an officer would write it."""
    start = min(case.arrival_at + timedelta(minutes=rng.randint(30, 90)), now - timedelta(minutes=70))
    start = max(start, case.arrival_at)
    finish = min(start + timedelta(minutes=rng.randint(35, 60)), now - timedelta(minutes=10))
    exam = services.examination_start(actor=examiner, case=case, started_at=start)
    if not sign:
        return
    came_alone = rng.random() < 0.2
    narrative = _narrative(rng, came_alone)
    injuries = _injuries(rng, case.survivor_sex == "male")
    exam = services.record_save(
        actor=examiner,
        examination=exam,
        values=services.RecordInput(
            started_at=start,
            finished_at=finish,
            came_alone=came_alone,
            escort_name=narrative["escort_name"],
            escort_relationship=narrative["escort_relationship"],
            escort_address=narrative["escort_address"],
            history=narrative["history"],
            general_condition="injured_stable" if injuries else "stable",
            physical_state=narrative["physical_state"],
            mental_state=rng.choice(["distressed", "calm", "withdrawn"]),
            mental_state_notes=narrative["mental_state_notes"],
            no_injuries_seen=not injuries,
        ),
    )
    for injury in injuries:
        services.injury_add(actor=examiner, examination=exam, injury=injury)
    services.findings_save(
        actor=examiner,
        examination=exam,
        findings=_findings(rng, injuries),
        description=narrative["anogenital_description"],
    )
    if case.choice_evidence != "no" and consent_in_force(case, ConsentPurpose.EVIDENCE) is not None:
        kinds = ["swab_hvs" if case.survivor_sex != "male" else "swab_anal", "ref_blood"]
        for kind in kinds:
            item_register(
                actor=examiner, case=case, kind=kind, collected_at=finish - timedelta(minutes=15), examination=exam
            )
    else:
        exam.no_samples_reason = "She declined evidence collection (synthetic)"
        MedicoLegalExamination.objects.filter(pk=exam.pk).update(no_samples_reason=exam.no_samples_reason)
    for kind, given, text in _treatments(case, finish, rng):
        services.treatment_record(
            actor=examiner,
            examination=exam,
            kind=kind,
            given=given,
            at=finish - timedelta(minutes=5) if given else None,
            details=text if given else "",
            declined_reason="" if given else text,
        )
    for conclusion, reasons in OPINIONS[: rng.randint(1, 3)]:
        services.opinion_add(actor=examiner, examination=exam, conclusion=conclusion, reasons=reasons)
    exam.refresh_from_db()
    services.examination_sign(actor=examiner, examination=exam)


def _eligible(cases: list[Case]) -> list[Case]:
    consented = set(
        Consent.objects.filter(
            case__in=cases, purpose=ConsentPurpose.EXAMINATION, decision="given", revoked_at__isnull=True
        ).values_list("case_id", flat=True)
    )
    return [c for c in cases if c.pk in consented and c.choice_medical != "no"]


def _archive(rng: random.Random, examiners: dict[str, User], cases: list[Case]) -> int:
    """Signed examinations for older cases, in bulk (see the module docstring)."""
    records: list[VaultRecord] = []
    narratives: list[dict[str, str]] = []
    exams: list[MedicoLegalExamination] = []
    injuries: list[Injury] = []
    treatments: list[Treatment] = []
    opinions: list[OpinionItem] = []
    resolutions: list[ClockResolution] = []
    done_at: dict[Any, datetime] = {}
    items_by_case: dict[Any, list[Any]] = defaultdict(list)
    for item_id, case_id in (
        EvidenceItem.objects.filter(case__in=cases, examination__isnull=True)
        .exclude(kind="photograph")
        .values_list("pk", "case_id")
    ):
        items_by_case[case_id].append(item_id)
    links: list[tuple[Any, Any]] = []
    for case in cases:
        if rng.random() >= ARCHIVE_SHARE:
            continue
        examiner = examiners.get(case.cell.code)
        if examiner is None:
            continue
        start = case.arrival_at + timedelta(minutes=rng.randint(30, 180))
        finish = start + timedelta(minutes=rng.randint(35, 60))
        came_alone = rng.random() < 0.2
        record_id = uuid.uuid4()
        aad = vault.record_aad(services.VAULT_KIND, str(record_id))
        narrative = _narrative(rng, came_alone)
        narratives.append(narrative)
        env = vault.encrypt(narrative, aad=aad)
        records.append(
            VaultRecord(
                id=record_id,
                kind=services.VAULT_KIND,
                key_id=env.key_id,
                wrapped_key=env.wrapped_key,
                ciphertext=env.ciphertext,
            )
        )
        found = _injuries(rng, case.survivor_sex == "male")
        exam = MedicoLegalExamination(
            case=case,
            examiner=examiner,
            status=ExamStatus.SIGNED,
            started_at=start,
            finished_at=finish,
            narrative_id=record_id,
            general_condition="injured_stable" if found else "stable",
            mental_state=rng.choice(["distressed", "calm", "withdrawn", "distressed"]),
            came_alone=came_alone,
            no_injuries_seen=not found,
            anogenital_findings=_findings(rng, found),
            no_samples_reason=""
            if items_by_case.get(case.pk)
            else "Samples recorded in the paper register (synthetic archive)",
            signed_at=finish + timedelta(minutes=rng.randint(5, 40)),
            signed_by=examiner,
        )
        exams.append(exam)
        done_at[case.pk] = finish
        for item_id in items_by_case.get(case.pk, []):
            links.append((item_id, exam.pk))
        for injury in found:
            injuries.append(
                Injury(
                    examination=exam,
                    view=injury.view,
                    x=round(injury.x, 2),
                    y=round(injury.y, 2),
                    site=injury.site,
                    kind=injury.kind,
                    length_mm=injury.length_mm,
                    width_mm=injury.width_mm,
                    colour=injury.colour,
                    estimated_age=injury.estimated_age,
                )
            )
        given_at = finish - timedelta(minutes=5)
        for kind, given, text in _treatments(case, finish, rng):
            treatments.append(
                Treatment(
                    examination=exam,
                    kind=kind,
                    given=given,
                    at=given_at if given else None,
                    details=text if given else "",
                    declined_reason="" if given else text,
                )
            )
            clock = TREATMENT_CLOCK.get(TreatmentKind(kind))
            if clock is not None:
                resolutions.append(
                    ClockResolution(
                        case=case,
                        clock_key=clock,
                        state=ClockState.MET if given else ClockState.DECLINED,
                        done_at=given_at if given else None,
                        note="" if given else text,
                        recorded_by=examiner,
                        recorded_at=given_at,
                    )
                )
        for order, (conclusion, reasons) in enumerate(OPINIONS[: rng.randint(1, 3)]):
            opinions.append(OpinionItem(examination=exam, order=order, conclusion=conclusion, reasons=reasons))
    # Children first (the foreign keys are checked at commit), so each record is sealed
    # before it is written, exactly as signing would seal it (``services.verify_seal`` agrees).
    VaultRecord.objects.bulk_create(records, batch_size=1000)
    Injury.objects.bulk_create(injuries, batch_size=1000)
    Treatment.objects.bulk_create(treatments, batch_size=1000)
    OpinionItem.objects.bulk_create(opinions, batch_size=1000)
    ClockResolution.objects.bulk_create(resolutions, batch_size=1000)
    narrative_by = {e.pk: n for e, n in zip(exams, narratives, strict=True)}
    injuries_of: dict[Any, list[tuple[Injury, list[str]]]] = defaultdict(list)
    for row in injuries:
        injuries_of[row.examination_id].append((row, []))
    treatments_of: dict[Any, list[Treatment]] = defaultdict(list)
    for treatment in treatments:
        treatments_of[treatment.examination_id].append(treatment)
    opinion_of: dict[Any, list[OpinionItem]] = defaultdict(list)
    for item in opinions:
        opinion_of[item.examination_id].append(item)
    samples_of: dict[Any, list[str]] = defaultdict(list)
    if links:
        numbers = dict(EvidenceItem.objects.filter(pk__in=[i for i, _ in links]).values_list("pk", "human_id"))
        for item_id, exam_id in links:
            samples_of[exam_id].append(numbers[item_id])
    for exam in exams:
        related = services.Related(
            narrative_by[exam.pk],
            injuries_of[exam.pk],
            samples_of[exam.pk],
            treatments_of[exam.pk],
            opinion_of[exam.pk],
        )
        exam.seal_sha256 = services.content_sha256(services.canonical_content(exam, related))
    MedicoLegalExamination.objects.bulk_create(exams, batch_size=1000)
    for item_id, exam_id in links:
        EvidenceItem.objects.filter(pk=item_id).update(examination_id=exam_id)
    by_case = {e.case_id: e for e in exams}
    for duty_id, case_id in Task.objects.filter(case_id__in=done_at, kind=TaskKind.MLE, status=TS.OPEN).values_list(
        "pk", "case_id"
    ):
        Task.objects.filter(pk=duty_id).update(
            status=TS.DONE, closed_at=done_at[case_id], closed_by_id=by_case[case_id].examiner_id, reason=""
        )
    return len(exams)


def ensure_medical(*, seed: int = 164, now: datetime | None = None) -> tuple[int, int]:
    """Add the demo examinations unless there are some. Returns (through the services, archive)."""
    if MedicoLegalExamination.objects.exists():
        return 0, 0
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, reproducible on purpose
    now = now or timezone.now()
    cases = list(Case.objects.select_related("cell", "survivor").order_by("arrival_at"))
    examiners = _examiners({c.cell.code for c in cases})
    eligible = _eligible(cases)
    recent = [c for c in eligible if c.arrival_at >= now - RECENT and c.status == "open"]
    older = [c for c in eligible if c.arrival_at < now - RECENT]
    live = 0
    per_cell: dict[str, int] = defaultdict(int)
    for case in recent:
        code = case.cell.code
        examiner = examiners.get(code)
        if examiner is None or per_cell[code] >= SIGNED_RECENT_PER_CELL + DRAFT_RECENT_PER_CELL:
            continue
        if case.arrival_at > now - timedelta(hours=2):
            continue  # she has only just arrived: her examination is still to come
        with transaction.atomic():
            _examine_live(rng, examiner, case, now, sign=per_cell[code] < SIGNED_RECENT_PER_CELL)
        per_cell[code] += 1
        live += 1
    with transaction.atomic():
        archived = _archive(rng, examiners, older)
    return live, archived


DECLINED_CARE = "She declined medical care and the examination (synthetic note)."
DID_NOT_RETURN = "She left before the examination and did not come back (synthetic note)."


def ensure_unexamined_recorded(*, now: datetime | None = None) -> int:
    """Close, as declined, the open examination duties of open cases older than ``RECENT``. Returns how many."""
    now = now or timezone.now()
    duties = (
        Task.objects.filter(kind=TaskKind.MLE, status=TS.OPEN, case__status="open", case__arrival_at__lt=now - RECENT)
        .exclude(case__in=MedicoLegalExamination.objects.values("case"))  # one begun is finished, not declined
        .select_related("case", "case__cell")
        .order_by("case__arrival_at")
    )
    duties_list = list(duties)
    examiners = _examiners({duty.case.cell.code for duty in duties_list})
    recorded = 0
    for duty in duties_list:
        examiner = examiners.get(duty.case.cell.code)
        if examiner is None:
            continue
        reason = DECLINED_CARE if duty.case.choice_medical == "no" else DID_NOT_RETURN
        with transaction.atomic():
            task_close(
                actor=examiner,
                task=duty,
                status=TS.DECLINED,
                reason=reason,
                done_at=duty.case.arrival_at + timedelta(hours=3),
            )
        recorded += 1
    return recorded
