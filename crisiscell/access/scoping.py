"""Who may act where: the policy table applied to a user's memberships.

Selectors call these to scope every query to the cells the actor may see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from crisiscell.access.policy import Action, Section, roles_allowing

if TYPE_CHECKING:
    from crisiscell.accounts.models import Membership, User
    from crisiscell.cells.models import Cell


def active_memberships(user: User) -> QuerySet[Membership]:
    from crisiscell.accounts.models import Membership

    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, is_active=True).filter(Q(cell__isnull=True) | Q(cell__is_active=True))


def memberships_cached(user: User) -> list[Membership]:
    """The user's active memberships, loaded once per request (cached on the user object)."""
    cached: list[Membership] | None = getattr(user, "_crisiscell_memberships", None)
    if cached is None:
        cached = list(active_memberships(user).select_related("cell"))
        vars(user)["_crisiscell_memberships"] = cached
    return cached


def is_verified(user: object) -> bool:
    """Did this session pass the second factor? (django-otp's ``is_verified``.)"""
    check = getattr(user, "is_verified", None)
    return bool(getattr(user, "is_authenticated", False) and check is not None and check())


def has_any_membership(user: User) -> bool:
    return bool(memberships_cached(user))


def allows_somewhere(user: User, section: Section, action: Action) -> bool:
    roles = roles_allowing(section, action)
    return any(m.role in roles for m in memberships_cached(user))


def allows_in_cell(user: User, cell: Cell, section: Section, action: Action) -> bool:
    """True if a role the user holds in ``cell`` (or nationally) allows the action."""
    roles = roles_allowing(section, action)
    return any(m.role in roles and (m.cell_id is None or m.cell_id == cell.pk) for m in memberships_cached(user))


def allows_nationally(user: User, section: Section, action: Action) -> bool:
    roles = roles_allowing(section, action)
    return any(m.role in roles and m.cell_id is None for m in memberships_cached(user))


def cell_ids_for(user: User, section: Section, action: Action) -> list[Any] | None:
    """The ids of the active cells where the user may perform ``action`` on ``section``.

    ``None`` means every active cell (a national role). Read from the memberships
    already loaded for the request (which leave out inactive cells): no query.
    """
    if allows_nationally(user, section, action):
        return None
    roles = roles_allowing(section, action)
    return [m.cell_id for m in memberships_cached(user) if m.role in roles and m.cell_id]


def cells_for(user: User, section: Section, action: Action) -> QuerySet[Cell]:
    """The cells in which the user may perform ``action`` on ``section``, as a query."""
    from crisiscell.cells.models import Cell

    cell_ids = cell_ids_for(user, section, action)
    active = Cell.objects.filter(is_active=True)
    return active if cell_ids is None else active.filter(pk__in=cell_ids)


def roles_in(user: User, cell: Cell | None) -> list[str]:
    return [
        m.role for m in memberships_cached(user) if m.cell_id is None or (cell is not None and m.cell_id == cell.pk)
    ]
