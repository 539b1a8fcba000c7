"""Alerts: tell the owner and the cell head when a clock enters its warning window or is missed.

Run by the worker every minute (``crisiscell worker``), never in a request. An
alert is raised once per person, case, clock and kind (a database constraint).
A miss is told while there is something to do about it: a target whose work is
still due (the examination, the FIR, an interim report), or a window from the
incident that closed within ``MISSED_NEWS``. A window that closed days ago (her
case came in late, the worker was stopped, the history was imported) and a deadline
met late are on the board, not news: they once flooded a cell head's alerts.
E-mail, when configured, says only that there are alerts: never a case or a name.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from crisiscell.access.policy import Role
from crisiscell.accounts.models import Membership, User
from crisiscell.audit.services import audit_record
from crisiscell.cases.board import build_rows
from crisiscell.cases.models import Alert, Case, CaseStatus, ClockState, TaskKind
from crisiscell.cases.rules_in_force import rules_in_force

# How long a window from the incident that has closed is still news.
MISSED_NEWS = timedelta(hours=24)

# Whose duty a clock belongs to: its owner is told first.
CLOCK_DUTY = {
    "mle": TaskKind.MLE,
    "ec": TaskKind.MLE,
    "pep": TaskKind.MLE,
    "hep_b": TaskKind.MLE,
    "swab_hvs": TaskKind.EVIDENCE,
    "swab_anal": TaskKind.EVIDENCE,
    "swab_oral": TaskKind.EVIDENCE,
    "urine": TaskKind.EVIDENCE,
    "fir": TaskKind.FIR,
    "interim_report": TaskKind.FIR,
    "legal_aid": TaskKind.LEGAL_AID,
}


def _cell_heads() -> dict[object, list[int]]:
    heads: dict[object, list[int]] = defaultdict(list)
    for cell_id, user_id in Membership.objects.filter(
        role=Role.CELL_HEAD, is_active=True, user__is_active=True
    ).values_list("cell_id", "user_id"):
        heads[cell_id].append(user_id)
    return heads


@transaction.atomic
def alerts_scan(*, now: datetime) -> int:
    """Raise the alerts due now. Returns how many were new. Audits ``alert.raised`` with the count."""
    cases = list(Case.objects.filter(status=CaseStatus.OPEN).select_related("cell"))
    rows = build_rows(cases, now, rules_in_force())
    heads = _cell_heads()
    wanted: set[tuple[int, Any, str, str]] = set()
    for row in rows:
        owners = {t.kind: t.owner_id for t in row.open_tasks if t.owner_id}
        for clock in row.clocks:
            if clock.state == ClockState.MISSED:
                since = clock.closed_for  # None once done, if late
                if since is None or (not clock.overdue and since > MISSED_NEWS):
                    continue  # done late, or a window that closed long ago
                kind = Alert.Kind.MISSED
            elif clock.state == ClockState.OPEN and clock.warning:
                kind = Alert.Kind.WARNING
            else:
                continue
            recipients = set(heads.get(row.case.cell_id, []))
            owner = owners.get(CLOCK_DUTY.get(clock.key, ""))
            if owner:
                recipients.add(owner)
            wanted.update((user_id, row.case.pk, kind, clock.key) for user_id in recipients)
    existing = set(
        Alert.objects.filter(case__status=CaseStatus.OPEN).values_list("user_id", "case_id", "kind", "clock_key")
    )
    new = [
        Alert(user_id=user_id, case_id=case_id, kind=kind, clock_key=key, created_at=now)
        for user_id, case_id, kind, key in sorted(wanted - existing, key=str)
    ]
    Alert.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        audit_record(action="alert.raised", actor=None, details={"alerts": len(new)})
        if settings.CRISISCELL_ALERT_EMAIL:
            transaction.on_commit(lambda: _email({a.user_id for a in new}))
    return len(new)


def alert_new_case(*, case: Case, user_ids: list[int], now: datetime) -> int:
    """Offer a new case to the staff on duty. Called inside the registration transaction."""
    rows = [Alert(user_id=u, case=case, kind=Alert.Kind.NEW_CASE, created_at=now) for u in sorted(set(user_ids))]
    Alert.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        audit_record(
            action="alert.raised",
            actor=None,
            cell=case.cell,
            object_type="case",
            object_ref=case.code,
            details={"alerts": len(rows), "kind": "new_case"},
        )
    return len(rows)


def _email(user_ids: set[int]) -> None:
    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""):
        # Nothing about any case: a mailbox may be read by others.
        send_mail(
            _("crisiscell: you have new alerts"),
            _("You have new alerts in crisiscell. Log in to see them."),
            None,
            [user.email],
        )
