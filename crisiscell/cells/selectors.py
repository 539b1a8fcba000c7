"""Reading cells, always through the actor's access."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell, memberships_cached
from crisiscell.cells.models import Cell

if TYPE_CHECKING:
    from crisiscell.accounts.models import User


def cell_get_for(actor: User, code: str, section: Section, action: Action = Action.VIEW) -> Cell:
    """The cell with this code if the actor may act on ``section`` there; else 404.

    A cell that does not exist and a cell the actor may not see look the same.
    """
    cell = Cell.objects.filter(code=code, is_active=True).select_related("police_reporting_centre").first()
    if cell is None or not allows_in_cell(actor, cell, section, action):
        raise Http404
    return cell


def cells_of(actor: User) -> QuerySet[Cell]:
    """The cells where the actor holds any active role (national roles: none listed)."""
    ids = [m.cell_id for m in memberships_cached(actor) if m.cell_id]
    return Cell.objects.filter(pk__in=ids, is_active=True)
