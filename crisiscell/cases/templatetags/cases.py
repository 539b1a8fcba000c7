"""Filters for the case pages and the board."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from crisiscell.cases.duties import may_act_on
from crisiscell.cases.forms import TASK_ID_SLOT
from crisiscell.cases.models import Task

register = template.Library()


@register.filter
def for_task(fields: SafeString, task: Task) -> SafeString:
    """The task-close fields with this task's ids, so that no two controls on the page share one."""
    return mark_safe(fields.replace(TASK_ID_SLOT, task.pk.hex))  # noqa: S308 - a hex id into safe HTML


@register.filter
def takeable_by(task: Task, user: Any) -> bool:
    """May this staff member take or close this task (their role and cell)?"""
    return bool(getattr(user, "is_authenticated", False)) and may_act_on(user, task)


@register.filter
def clock_badge(clock: Any) -> str:
    from crisiscell.cases.board_render import clock_badge as render

    return render(clock)
