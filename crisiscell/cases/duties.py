"""Writes to the work owed on a case: duties, offers, follow-ups, clock resolutions, contact.

Each function checks the access policy itself (who may act on a task depends on
its kind: the medico-legal examination is the medical section's, the FIR the
legal section's), runs in one transaction and writes its audit event.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.models import (
    DUTY_KINDS,
    OFFER_KINDS,
    Alert,
    Case,
    ClockResolution,
    ClockState,
    ContactAttempt,
    ContactMethod,
    Task,
    TaskKind,
    TaskStatus,
)

# The section whose edit right lets a staff member take or close each kind of task.
TASK_SECTION: dict[str, Section] = {
    TaskKind.MLE: Section.MEDICAL,
    TaskKind.EVIDENCE: Section.EVIDENCE,
    TaskKind.FORENSIC: Section.EVIDENCE,
    TaskKind.FIR: Section.LEGAL,
    TaskKind.OTHER_ACTION: Section.CASE,
    TaskKind.COUNSELLING: Section.COUNSELLING,
    TaskKind.LEGAL_AID: Section.LEGAL,
    TaskKind.CHILD_PROTECTION: Section.CASE,
    TaskKind.FOLLOW_UP: Section.CASE,
}
# Follow-up visits scheduled for a survivor who wants medical care (rule keys).
FOLLOW_UP_RULES = ("fu_2w", "fu_1m", "fu_3m", "fu_6m")
# The clock a staff member may resolve, and the section that may do it.
CLOCK_SECTION: dict[str, Section] = {
    "ec": Section.MEDICAL,
    "pep": Section.MEDICAL,
    "hep_b": Section.MEDICAL,
    "swab_hvs": Section.EVIDENCE,
    "swab_anal": Section.EVIDENCE,
    "swab_oral": Section.EVIDENCE,
    "urine": Section.EVIDENCE,
}
# Messages a survivor may receive. They name no cell, case, crime or service: a phone
# may be read by the person she fears.
CONTACT_TEMPLATES: dict[str, Promise] = {
    "appointment": gettext_lazy(
        "Reminder: you have an appointment on {date}. Reply OK or call back at a time that suits you."
    ),
    "check_in": gettext_lazy("Hello, this is a routine check-in. Please call back when it is convenient for you."),
}
# The languages a message is offered in: staff send her the one she reads, whatever the page's language.
MESSAGE_LANGUAGES = ("ur", "en")


def contact_messages() -> list[dict[str, str]]:
    """Each message template's text in every language of ``MESSAGE_LANGUAGES``, keyed by language."""
    texts = []
    for template in CONTACT_TEMPLATES.values():
        text = {}
        for language in MESSAGE_LANGUAGES:
            with translation.override(language):
                text[language] = str(template)
        texts.append(text)
    return texts


CALL_WINDOWS = {"day": (time(9, 0), time(17, 0)), "evening": (time(17, 0), time(21, 0))}


def may_act_on(actor: User, task: Task) -> bool:
    return allows_in_cell(actor, task.case.cell, TASK_SECTION[task.kind], Action.EDIT)


def _require_task(actor: User, task: Task) -> None:
    if not may_act_on(actor, task):
        raise PermissionDenied


def duties_create(case: Case) -> list[Task]:
    """The five ARITA s.5 duties and the two offers, plus follow-ups if she wants medical care.

    Called by ``case_register`` inside its transaction (it writes the audit event).
    """
    tasks = [Task(case=case, kind=kind) for kind in [*DUTY_KINDS, *OFFER_KINDS]]
    if case.choice_medical != "no":
        tasks += [Task(case=case, kind=TaskKind.FOLLOW_UP, rule_key=key) for key in FOLLOW_UP_RULES]
    return Task.objects.bulk_create(tasks)


@transaction.atomic
def task_take(*, actor: User, task: Task) -> Task:
    """Take an open task (one click on the board). Audits ``task.taken``."""
    _require_task(actor, task)
    updated = Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
        owner=actor, taken_at=timezone.now(), version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("This task is already closed."))
    task.refresh_from_db()
    audit_record(
        action="task.taken",
        actor=actor,
        cell=task.case.cell,
        object_type="case",
        object_ref=task.case.code,
        details={"task": task.kind, "rule": task.rule_key},
    )
    return task


@transaction.atomic
def task_close(*, actor: User, task: Task, status: str, reason: str = "", done_at: datetime | None = None) -> Task:
    """Complete a task, or record that she declined it or that it does not apply.

    A reason is required unless it was done. Audits ``task.closed``. Completing the
    medico-legal examination or the FIR stops their clocks.
    """
    _require_task(actor, task)
    if status not in (TaskStatus.DONE, TaskStatus.DECLINED, TaskStatus.NOT_APPLICABLE):
        raise ValidationError(_("Choose done, declined or not applicable."))
    if status != TaskStatus.DONE and not reason.strip():
        raise ValidationError({"reason": _("Say why, in a few words.")})
    when = done_at or timezone.now()
    if when > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"done_at": _("This time is in the future.")})
    updated = Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
        status=status,
        closed_at=when,
        closed_by=actor,
        owner=F("owner") if task.owner_id else actor,
        reason=reason.strip()[:300],
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError(_("This task is already closed."))
    task.refresh_from_db()
    audit_record(
        action="task.closed",
        actor=actor,
        cell=task.case.cell,
        object_type="case",
        object_ref=task.case.code,
        details={"task": task.kind, "rule": task.rule_key, "status": status},
    )
    return task


@transaction.atomic
def clock_resolve(
    *, actor: User, case: Case, clock_key: str, state: str, done_at: datetime | None = None, note: str = ""
) -> ClockResolution:
    """Record that a timed action was done (and when), declined, or does not apply. Audits ``clock.resolved``."""
    section = CLOCK_SECTION.get(clock_key)
    if section is None:
        raise ValidationError(_("This clock is closed by its own record, not by hand."))
    if not allows_in_cell(actor, case.cell, section, Action.EDIT):
        raise PermissionDenied
    if state not in (ClockState.MET, ClockState.DECLINED, ClockState.NOT_APPLICABLE):
        raise ValidationError(_("Choose done, declined or not applicable."))
    if state == ClockState.MET and done_at is None:
        raise ValidationError({"done_at": _("Enter when it was done.")})
    if state != ClockState.MET and not note.strip():
        raise ValidationError({"note": _("Say why, in a few words.")})
    if done_at is not None and done_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"done_at": _("This time is in the future.")})
    resolution = ClockResolution.objects.create(
        case=case,
        clock_key=clock_key,
        state=state,
        done_at=done_at,
        note=note.strip()[:300],
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    if clock_key == "pep" and state == ClockState.MET:
        Task.objects.get_or_create(case=case, kind=TaskKind.FOLLOW_UP, rule_key="pep_course")
    audit_record(
        action="clock.resolved",
        actor=actor,
        cell=case.cell,
        object_type="case",
        object_ref=case.code,
        details={"clock": clock_key, "state": state},
    )
    return resolution


def contact_allowed(case: Case, method: str, at: datetime) -> str | None:
    """None if we may contact her this way now; otherwise why not, in plain words."""
    survivor = case.survivor
    if method == ContactMethod.CALL:
        if not survivor.may_call or survivor.call_window == "never":
            return _("She asked not to be phoned.")
        window = CALL_WINDOWS.get(survivor.call_window)
        if window is not None and not window[0] <= timezone.localtime(at).time() < window[1]:
            return _("She may only be phoned %(start)s to %(end)s.") % {
                "start": window[0].strftime("%H:%M"),
                "end": window[1].strftime("%H:%M"),
            }
        return None
    if method == ContactMethod.TEXT:
        return None if survivor.may_text else _("She asked not to receive text messages.")
    return _("Unknown way of contact.")


@transaction.atomic
def contact_attempt_record(
    *, actor: User, case: Case, method: str, outcome: str, template: str = "", task: Task | None = None
) -> ContactAttempt:
    """Record an attempt to reach her. Refuses one her safe-contact choices do not allow.

    Audits ``contact.attempted`` (method and outcome; never the number or message).
    """
    if not allows_in_cell(actor, case.cell, Section.CASE, Action.EDIT):
        raise PermissionDenied
    now = timezone.now()
    refusal = contact_allowed(case, method, now)
    if refusal:
        raise ValidationError(refusal)
    if template and template not in CONTACT_TEMPLATES:
        raise ValidationError(_("Unknown message template."))
    attempt = ContactAttempt.objects.create(
        case=case, task=task, method=method, template=template, outcome=outcome, made_by=actor, made_at=now
    )
    audit_record(
        action="contact.attempted",
        actor=actor,
        cell=case.cell,
        object_type="case",
        object_ref=case.code,
        details={"method": method, "outcome": outcome},
    )
    return attempt


def alerts_mark_read(*, actor: User, case_id: Any = None, kind: str = "") -> int:
    """Mark the actor's own unread alerts read: of one case (and kind), or all. Returns how many."""
    alerts = Alert.objects.filter(user=actor, read_at__isnull=True)
    if case_id is not None:
        alerts = alerts.filter(case_id=case_id)
    if kind:
        alerts = alerts.filter(kind=kind)
    return alerts.update(read_at=timezone.now())
