"""Reading the audit log: auditors only, scoped to their cells, and itself audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_nationally, cells_for
from crisiscell.accounts.models import User
from crisiscell.audit.models import AuditEvent, TreeHead
from crisiscell.audit.services import audit_record


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    cell_code: str = ""
    object_ref: str = ""
    since: date | None = None
    until: date | None = None

    def as_details(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v}


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events_for(actor: User, flt: AuditFilter) -> QuerySet[AuditEvent]:
    """Events the actor may read, newest first. Audits ``audit.log_viewed`` with the filter."""
    events = AuditEvent.objects.select_related("cell").order_by("-id")
    if not allows_nationally(actor, Section.AUDIT, Action.VIEW):
        events = events.filter(cell__in=cells_for(actor, Section.AUDIT, Action.VIEW))
    if flt.action:
        events = events.filter(action__startswith=flt.action)
    if flt.actor:
        events = events.filter(actor_label=flt.actor)
    if flt.cell_code:
        events = events.filter(cell__code=flt.cell_code)
    if flt.object_ref:
        events = events.filter(object_ref=flt.object_ref)
    if flt.since:
        events = events.filter(at__gte=_start_of(flt.since))
    if flt.until:
        events = events.filter(at__lt=_start_of(flt.until) + timedelta(days=1))
    audit_record(action="audit.log_viewed", actor=actor, object_type="audit_log", details=flt.as_details())
    return events


def latest_tree_head() -> TreeHead | None:
    return TreeHead.objects.order_by("-tree_size").first()
