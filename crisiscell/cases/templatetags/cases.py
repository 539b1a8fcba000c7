"""Filters for the case pages and the board."""

from __future__ import annotations

from typing import Any

from django import template

from crisiscell.cases.duties import may_act_on
from crisiscell.cases.models import Task

register = template.Library()


@register.filter
def takeable_by(task: Task, user: Any) -> bool:
    """May this staff member take or close this task (their role and cell)?"""
    return bool(getattr(user, "is_authenticated", False)) and may_act_on(user, task)


@register.filter
def clock_badge(clock: Any) -> str:
    from crisiscell.cases.board_render import clock_badge as render

    return render(clock)
