"""A synthetic case history for the demo network, registered through the real services.

The 2024 figures match the published ones: 437 survivors served across the network,
219 of them children. 2025 and 2026 (to date) follow the same patterns, and the
last days hold open cases so the live screens have work on them. Everything is
generated from a fixed seed and marked synthetic; no record describes a real person.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases import rules
from crisiscell.cases.models import Case
from crisiscell.cases.services import (
    ConsentInput,
    GuardianInput,
    IntakeData,
    PerpetratorInput,
    case_close,
    case_register,
)
from crisiscell.cells.models import Cell
from crisiscell.demo.network import demo_username
from crisiscell.survivors.services import GuardianIdentity, SurvivorIdentity

KARACHI = ZoneInfo("Asia/Karachi")

# Survivors served in 2024 per cell (sum 437) and the children among them (sum 219).
SERVED_2024 = {"KHI": 112, "LHR1": 84, "LHR2": 63, "ISB": 68, "RWP": 58, "MUL": 52}
CHILDREN_2024 = {"KHI": 54, "LHR1": 44, "LHR2": 33, "ISB": 31, "RWP": 30, "MUL": 27}
# Later years grow as the cells become known.
GROWTH = {2025: 1.12}
RECENT_OPEN_PER_CELL = 6
# Consents refused by a survivor who declined medical care, or evidence collection.
DECLINED_WITH_CARE = {"examination", "treatment"}
DECLINED_WITH_EVIDENCE = {"evidence", "photographs"}


@dataclass(frozen=True)
class Weighted:
    values: list[str]
    weights: list[float]

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.values, self.weights)[0]


SOURCES = Weighted(["walk_in", "police", "hospital_ward", "helpline", "referral", "other"], [38, 31, 16, 5, 8, 2])
PLACES = Weighted(
    ["survivor_home", "perpetrator_home", "other_home", "street", "vehicle", "workplace", "school", "field", "unknown"],
    [24, 22, 10, 12, 6, 6, 7, 8, 5],
)
RELATIONSHIPS_ADULT = Weighted(
    ["husband", "former_partner", "family", "neighbour", "acquaintance", "employer", "stranger", "online"],
    [12, 4, 10, 18, 20, 8, 22, 6],
)
RELATIONSHIPS_CHILD = Weighted(
    ["family", "neighbour", "acquaintance", "teacher", "stranger", "online"], [22, 30, 18, 12, 14, 4]
)
DISTRICTS = {
    "KHI": ["Karachi South", "Karachi East", "Karachi Central", "Korangi", "Malir", "Keamari"],
    "LHR1": ["Lahore"],
    "LHR2": ["Lahore", "Kasur", "Sheikhupura"],
    "ISB": ["Islamabad", "Rawalpindi"],
    "RWP": ["Rawalpindi", "Attock", "Chakwal"],
    "MUL": ["Multan", "Khanewal", "Muzaffargarh"],
}


def _arrival(rng: random.Random, year: int, until: datetime | None = None) -> datetime:
    start = datetime(year, 1, 1, tzinfo=KARACHI)
    end = min(datetime(year + 1, 1, 1, tzinfo=KARACHI), until) if until else datetime(year + 1, 1, 1, tzinfo=KARACHI)
    moment = start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))
    # More arrivals in the evening and at night, when police bring survivors in.
    hour = rng.choices(range(24), [3, 3, 2, 2, 2, 2, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5, 5, 6, 6, 7, 7, 6, 5, 4])[0]
    return moment.replace(hour=hour, minute=rng.randrange(60))


def _age(rng: random.Random, child: bool) -> int:
    if child:
        return rng.choices(range(3, 18), [1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7])[0]
    return rng.choices(range(18, 56), [6] * 8 + [5] * 10 + [3] * 10 + [1] * 10)[0]


def _sex(rng: random.Random, child: bool) -> str:
    if child:
        return rng.choices(["female", "male", "transgender"], [70, 29, 1])[0]
    return rng.choices(["female", "male", "transgender"], [93, 4, 3])[0]


def _intake(rng: random.Random, *, number: int, cell: Cell, arrival: datetime, child: bool) -> IntakeData:
    age = _age(rng, child)
    sex = _sex(rng, child)
    delay = timedelta(hours=rng.choices([2, 8, 20, 40, 70, 110, 200, 600], [18, 22, 20, 14, 10, 6, 6, 4])[0])
    delay += timedelta(minutes=rng.randrange(120))
    kind = rng.choices(["exact", "approximate", "unknown"], [70, 22, 8])[0]
    incident = arrival - delay
    sexual = rng.random() < 0.86
    penetration = sexual and rng.random() < 0.66
    relationship = (RELATIONSHIPS_CHILD if child else RELATIONSHIPS_ADULT).pick(rng)
    guardians = []
    consents_by = "survivor"
    assent = "n/a"
    guardian_index: int | None = None
    if child:
        guardians.append(
            GuardianInput(
                identity=GuardianIdentity(name=f"Demo Guardian {number:05d} (synthetic)"),
                relationship=rng.choices(["mother", "father", "grandparent", "aunt_uncle"], [55, 25, 10, 10])[0],
                identity_checked=rng.choice(["cnic_seen", "b_form", "known"]),
            )
        )
        consents_by, guardian_index = "guardian", 0
        assent = "yes" if age >= rules.GUARDIAN_ONLY_BELOW_AGE else "not_able"
    purposes = ["examination", "treatment", "counselling", "statistics"]
    if rng.random() < 0.8:
        purposes += ["evidence", "photographs"]
    if rng.random() < 0.6:
        purposes.append("release_police")
    method = rng.choices(["signed_form", "thumbprint", "verbal"], [60, 30, 10])[0]
    data = IntakeData(
        existing_survivor=None,
        identity=SurvivorIdentity(
            name=f"Demo Survivor {number:05d} (synthetic)",
            cnic="" if child else f"00000-{number:07d}-{number % 10}",
            phones=[] if child or rng.random() < 0.3 else [f"+92399{number:07d}"],
            address=f"Demo address {number} (synthetic)",
        ),
        sex=sex,
        age_years=age,
        age_estimated=rng.random() < 0.15,
        may_call=not child and rng.random() < 0.6,
        may_text=False,
        call_window=rng.choice(["day", "evening", "never"]),
        guardians=guardians,
        source=SOURCES.pick(rng),
        source_detail="",
        arrival_at=arrival,
        incident_time_kind=kind,
        incident_at=incident if kind == "exact" else None,
        incident_earliest=incident - timedelta(hours=6) if kind == "approximate" else None,
        incident_latest=min(incident + timedelta(hours=6), arrival) if kind == "approximate" else None,
        place_type=PLACES.pick(rng),
        district=rng.choice(DISTRICTS[cell.code]),
        answers=rules.GbvAnswers(
            penetration=penetration,
            sexual_contact=sexual and not penetration,
            physical_assault=not sexual and rng.random() < 0.7,
            forced_marriage=not sexual and rng.random() < 0.2,
            psychological_abuse=rng.random() < 0.5,
        ),
        transactional=rng.random() < 0.03,
        held_captive=rng.random() < 0.01,
        harmful_practice=rng.random() < 0.02,
        perpetrators=[
            PerpetratorInput(
                count=rng.choices([1, 2, 3], [85, 10, 5])[0],
                sex="male",
                age_group=rng.choice(["18-25", "26-40", "41-60", "unknown"]),
                relationship=relationship,
            )
        ],
        offence_codes=(["PPC-375"] if penetration else ["PPC-354"]) + (["PPC-377B"] if child and sexual else []),
        disabilities=["intellectual"] if rng.random() < 0.03 else [],
        reported_elsewhere=rng.random() < 0.05,
        reported_elsewhere_to="",
        choice_medical=rng.choices(["yes", "no", "undecided"], [88, 4, 8])[0],
        choice_evidence=rng.choices(["collect", "keep", "no"], [70, 18, 12])[0],
        choice_police=rng.choices(["now", "later", "not"], [55, 30, 15])[0],
        risk_immediate_danger=rng.random() < 0.08,
        risk_self_harm=rng.random() < 0.06,
        risk_perpetrator_in_household=relationship in {"husband", "family"} and rng.random() < 0.6,
        consents=[],
    )
    # The ledger agrees with her choices: what she declined is recorded as refused. Built after
    # the choices are drawn, without a draw of its own, so every later draw stays as it was.
    refused = (DECLINED_WITH_CARE if data.choice_medical == "no" else set()) | (
        DECLINED_WITH_EVIDENCE if data.choice_evidence == "no" else set()
    )
    data.consents = [
        ConsentInput(p, "refused" if p in refused else "given", consents_by, method, guardian_index, assent)
        for p in purposes
    ]
    return data


def load_history(
    *,
    seed: int = 2024,
    today: datetime | None = None,
    years: set[int] | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Register the demo history unless it is already there. Returns the number of cases added."""
    if Case.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, reproducible on purpose
    now = today or timezone.now()
    cells = {c.code: c for c in Cell.objects.filter(code__in=SERVED_2024)}
    desks = {code: User.objects.get(username=demo_username(code, Role.DESK_OFFICER)) for code in cells}
    heads = {code: User.objects.get(username=demo_username(code, Role.CELL_HEAD)) for code in cells}
    plan: list[tuple[datetime, str, bool]] = []
    for code in cells:
        plan += [(_arrival(rng, 2024), code, i < CHILDREN_2024[code]) for i in range(SERVED_2024[code])]
        n2025 = round(SERVED_2024[code] * GROWTH[2025])
        plan += [(_arrival(rng, 2025), code, rng.random() < 0.5) for _ in range(n2025)]
        if now.year >= 2026:
            share = min(1.0, (now - datetime(2026, 1, 1, tzinfo=KARACHI)).days / 365)
            n2026 = round(n2025 * 1.08 * share)
            until = now - timedelta(days=8)
            plan += [(_arrival(rng, 2026, until), code, rng.random() < 0.5) for _ in range(n2026)]
        recent = [now - timedelta(hours=rng.uniform(0.5, 7 * 24)) for _ in range(RECENT_OPEN_PER_CELL)]
        plan += [(arrival, code, rng.random() < 0.45) for arrival in recent]
    if years is not None:
        plan = [entry for entry in plan if entry[0].year in years]
    # Registered in arrival order, so case numbers run with time as they would in a cell.
    plan.sort()
    added = 0
    for number, (arrival, code, child) in enumerate(plan, start=1):
        cell = cells[code]
        with transaction.atomic():
            case = case_register(
                actor=desks[code], cell=cell, data=_intake(rng, number=number, cell=cell, arrival=arrival, child=child)
            )
            if arrival < now - timedelta(days=120):
                case_close(actor=heads[code], case=case, reason="services_completed")
        added += 1
        if progress and added % 250 == 0:
            progress(f"{added} demo cases registered")
    return added
