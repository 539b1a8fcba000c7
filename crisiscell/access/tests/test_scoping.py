"""Scoping helpers: the cells a user may act in, from the memberships the request has read."""

from __future__ import annotations

from crisiscell.access.policy import Action, Role, Section
from crisiscell.access.scoping import cell_ids_for, cells_for
from crisiscell.accounts.models import Membership
from crisiscell.cells.models import Cell
from crisiscell.tests.factories import CellFactory, make_staff


def test_cell_ids_are_the_active_cells_of_the_roles_that_allow_it(cell, other_cell, django_assert_num_queries):
    closed: Cell = CellFactory(code="OLD", is_active=False)
    desk = make_staff(Role.DESK_OFFICER, cell)
    Membership.objects.create(user=desk, cell=closed, role=Role.DESK_OFFICER)
    Membership.objects.create(user=desk, cell=other_cell, role=Role.EVIDENCE_CUSTODIAN)  # no identity section
    assert cell_ids_for(desk, Section.CASE, Action.VIEW) is not None  # reads her memberships once
    with django_assert_num_queries(0):
        identity = cell_ids_for(desk, Section.IDENTITY, Action.VIEW)
        evidence = cell_ids_for(desk, Section.EVIDENCE, Action.EDIT)
    assert identity == [cell.pk]
    assert set(identity) == set(cells_for(desk, Section.IDENTITY, Action.VIEW).values_list("pk", flat=True))
    assert evidence == [other_cell.pk]
    assert cell_ids_for(desk, Section.AUDIT, Action.VIEW) == []


def test_a_national_role_may_act_in_every_active_cell(cell, other_cell):
    CellFactory(code="OLD", is_active=False)
    auditor = make_staff(Role.AUDITOR, None)
    assert cell_ids_for(auditor, Section.AUDIT, Action.VIEW) is None  # "every active cell", as cells_for says:
    assert set(cells_for(auditor, Section.AUDIT, Action.VIEW)) == {cell, other_cell}
    assert not Cell.objects.get(code="OLD").is_active
