"""Follow-up visits in the demo: most attended when due, some missed, as in a real cell.

Without them every open case older than two weeks carried overdue visits, so the
board's *Overdue* filter picked nearly every case (59 of 60 in KHI) and showed
nothing a cell head could act on. Each due visit of an open case is recorded as
attended by the cell's case worker, within three days of its date, unless its own
fixed draw says she missed it: a missed visit stays open and overdue on the board.
The draw is per case and visit, so running the demo again keeps the same visits
missed and only decides the visits that have come due since.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.cases.duties import FOLLOW_UP_RULES, task_close
from crisiscell.cases.models import CaseStatus, Task, TaskKind, TaskStatus
from crisiscell.cases.rules_in_force import rules_in_force
from crisiscell.demo.network import demo_staff

ATTENDED = 0.8


def attended(seed: int, case_code: str, rule_key: str) -> timedelta | None:
    """How long after its date she came to this visit, or None if she missed it: a fixed draw per case and visit."""
    rng = random.Random(f"{seed}:{case_code}:{rule_key}")  # noqa: S311 - synthetic demo data, reproducible
    came, delay_hours = rng.random() < ATTENDED, rng.uniform(0, 72)
    return timedelta(hours=delay_hours) if came else None


def ensure_follow_ups(*, seed: int = 2024, now: datetime | None = None) -> int:
    """Record the attended visits that have come due on open cases. Returns how many it recorded."""
    now = now or timezone.now()
    rules = rules_in_force()
    workers = demo_staff(Role.CASE_WORKER)
    recorded = 0
    due_visits = (
        Task.objects.filter(
            case__status=CaseStatus.OPEN,
            kind=TaskKind.FOLLOW_UP,
            status=TaskStatus.OPEN,
            rule_key__in=[key for key in FOLLOW_UP_RULES if key in rules],
        )
        .select_related("case", "case__cell")
        .order_by("case__arrival_at", "rule_key")
    )
    for task in due_visits:
        case = task.case
        due = case.arrival_at + timedelta(hours=rules[task.rule_key].hours)
        delay = attended(seed, case.code, task.rule_key)
        if due > now or delay is None:
            continue
        with transaction.atomic():
            task_close(actor=workers[case.cell.code], task=task, status=TaskStatus.DONE, done_at=min(due + delay, now))
        recorded += 1
    return recorded
