"""The rules in force: defaults from ``deadlines.RULES`` with a deployment's overrides applied."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.deadlines import DEFAULTS, Rule, default, with_override
from crisiscell.cases.models import RuleOverride


def rules_in_force() -> dict[str, Rule]:
    """Every rule, the newest override of each key applied. One query."""
    rules = dict(DEFAULTS)
    for override in RuleOverride.objects.order_by("key", "changed_at"):
        base = DEFAULTS.get(override.key)
        if base is None:
            continue
        # A later row with the default value restores the default.
        same = override.hours == base.hours
        rules[override.key] = base if same else with_override(base, override.hours, override.reason)
    return rules


@transaction.atomic
def rule_override(*, key: str, hours: float | None, reason: str, actor: User | None = None) -> Rule:
    """Change a rule for this deployment (``hours=None`` restores the default). Audits ``rules.overridden``."""
    rule = default(key)
    if not reason.strip():
        raise ValueError("An override needs a reason (the order, circular or decision behind it).")
    if hours is not None and not 0 < hours <= 24 * 366:
        raise ValueError("A window must be more than 0 hours and at most a year.")
    RuleOverride.objects.create(
        key=key,
        hours=rule.hours if hours is None else hours,
        reason=reason.strip(),
        changed_by=actor.username if actor else "system",
        changed_at=timezone.now(),
    )
    audit_record(
        action="rules.overridden",
        actor=actor,
        object_type="rule",
        object_ref=key,
        details={"hours": hours if hours is not None else rule.hours, "restored": hours is None},
    )
    return rules_in_force()[key]
