"""Access-matrix rows for the duty roster: the page (case summary view) and the cell head's changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import Membership
from crisiscell.cells.services import assignment_add, shift_create
from crisiscell.tests.matrix import Row, World, cell_kwargs


def prepare(world: World) -> None:
    head = world.users[Role.CELL_HEAD]
    start = timezone.now().replace(second=0, microsecond=0)
    staffed = shift_create(actor=head, cell=world.cell, starts_at=start, ends_at=start + timedelta(hours=8))
    world.extra["shift"] = staffed
    world.extra["empty_shift"] = shift_create(
        actor=head, cell=world.cell, starts_at=start + timedelta(hours=8), ends_at=start + timedelta(hours=16)
    )
    world.extra["assignment"] = assignment_add(
        actor=head, shift=staffed, user=world.users[Role.MEDICO_LEGAL_OFFICER], role=Role.MEDICO_LEGAL_OFFICER
    )


def _shift(w: World) -> dict[str, Any]:
    return {"cell_code": w.cell.code, "shift_id": w.extra["shift"].pk}


def _empty_shift(w: World) -> dict[str, Any]:
    return {"cell_code": w.cell.code, "shift_id": w.extra["empty_shift"].pk}


def _assignment(w: World) -> dict[str, Any]:
    return {"cell_code": w.cell.code, "assignment_id": w.extra["assignment"].pk}


def _psychologist(w: World) -> dict[str, Any]:
    return {"membership": Membership.objects.get(user=w.users[Role.PSYCHOLOGIST], cell=w.cell).pk}


REDIRECT = frozenset({302})

# fmt: off
ROWS = [
    Row("cells:roster", kwargs=cell_kwargs, allowed=Role.PSYCHOLOGIST, wrong=Role.AUDITOR,
        other_cell_user="other_desk"),
    Row("cells:shift_create", kwargs=cell_kwargs, method="post",
        data=lambda w: {"starts_at": "2030-01-01T08:00", "ends_at": "2030-01-01T16:00"},
        allowed=Role.CELL_HEAD, wrong=Role.DESK_OFFICER, ok_status=REDIRECT),
    Row("cells:shift_week", kwargs=cell_kwargs, method="post", data=lambda w: {"first_day": "2030-01-01", "days": "7"},
        allowed=Role.CELL_HEAD, wrong=Role.CASE_WORKER, ok_status=REDIRECT),
    Row("cells:shift_delete", kwargs=_empty_shift, method="post", allowed=Role.CELL_HEAD,
        wrong=Role.MEDICO_LEGAL_OFFICER, ok_status=REDIRECT),
    Row("cells:assignment_add", kwargs=_shift, method="post", data=_psychologist, allowed=Role.CELL_HEAD,
        wrong=Role.PSYCHOLOGIST, ok_status=REDIRECT),
    Row("cells:assignment_remove", kwargs=_assignment, method="post", allowed=Role.CELL_HEAD,
        wrong=Role.AUDITOR, ok_status=REDIRECT),
]
# fmt: on
