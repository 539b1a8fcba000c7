"""Reading staff and memberships, scoped by the actor's access and audited."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell, memberships_cached
from crisiscell.accounts.models import Invitation, Membership, User
from crisiscell.audit.services import audit_record
from crisiscell.cells.models import Cell


def staff_list_for(actor: User, cell: Cell) -> QuerySet[Membership]:
    """The cell's memberships, for someone who administers it. Audits ``admin.staff_listed``."""
    if not allows_in_cell(actor, cell, Section.ADMINISTRATION, Action.VIEW):
        raise Http404
    audit_record(
        action="admin.staff_listed",
        actor=actor,
        cell=cell,
        object_type="cell",
        object_ref=cell.code,
    )
    return Membership.objects.filter(cell=cell).select_related("user").order_by("-is_active", "role", "user__username")


def pending_invitations(cell: Cell) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        user__memberships__cell=cell,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).distinct()


def membership_get_for_admin(actor: User, cell: Cell, membership_id: str) -> Membership:
    """A membership of this cell the actor may administer; 404 otherwise."""
    if not allows_in_cell(actor, cell, Section.ADMINISTRATION, Action.EDIT):
        raise Http404
    membership = Membership.objects.filter(pk=membership_id, cell=cell).select_related("user", "cell").first()
    if membership is None:
        raise Http404
    return membership


def memberships_summary(actor: User) -> list[Membership]:
    return memberships_cached(actor)


def user_for_login(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()
