"""The staff home page and the health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from crisiscell.access.decorators import public, staff
from crisiscell.access.policy import Action, Role, Section
from crisiscell.access.scoping import allows_in_cell, allows_nationally, allows_somewhere, memberships_cached
from crisiscell.accounts.models import User


@public
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: "ok" when the database answers. Says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@staff
def home(request: HttpRequest) -> HttpResponse:
    """Where a staff member lands: their cells and roles, and what they may open."""
    user: User = request.user  # type: ignore[assignment]
    memberships = memberships_cached(user)
    administered = sorted({m.cell.code for m in memberships if m.cell and m.role == Role.CELL_HEAD})
    cells = {m.cell.code: m.cell for m in memberships if m.cell}
    cell_links = [
        {
            "cell": cell,
            "cases": allows_in_cell(user, cell, Section.CASE, Action.VIEW),
            "intake": allows_in_cell(user, cell, Section.IDENTITY, Action.EDIT),
        }
        for _code, cell in sorted(cells.items())
    ]
    return render(
        request,
        "core/home.html",
        {
            "memberships": memberships,
            "administered": administered,
            "cell_links": cell_links,
            "can_audit": allows_somewhere(user, Section.AUDIT, Action.VIEW),
            # The network's counts are national: a cell's own staff see their board instead.
            "national_statistics": allows_nationally(user, Section.STATISTICS, Action.VIEW),
        },
    )
