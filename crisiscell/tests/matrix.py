"""The access matrix's shared parts: the world every row is checked in, and the rows.

Each domain lists the rows of its own URLs in ``crisiscell/<domain>/tests/access_rows.py``
(a ``ROWS`` list, and optionally ``prepare(world)`` to add the objects its URLs need
to ``world.extra``). Add the module to ``DOMAIN_ROW_MODULES`` below.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crisiscell.access.policy import Role
from crisiscell.accounts.models import Membership
from crisiscell.cases.services import case_register, draft_save
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.tests.factories import CellFactory, make_staff

DOMAIN_ROW_MODULES = [
    "crisiscell.cases.tests.access_rows",
    "crisiscell.cells.tests.access_rows",
    "crisiscell.referrals.tests.access_rows",
    "crisiscell.counselling.tests.access_rows",
    "crisiscell.medical.tests.access_rows",
    "crisiscell.digital.tests.access_rows",
    "crisiscell.justice.tests.access_rows",
    "crisiscell.api.tests.access_rows",
    "crisiscell.evidence.tests.access_rows",
]


@dataclass
class World:
    cell: Any
    other_cell: Any
    users: dict[str, Any]
    other_head: Any
    other_auditor: Any
    other_desk: Any
    target: Membership
    case: Any
    draft: Any
    consent: Any
    extra: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    cell = CellFactory(code="KHI")
    other = CellFactory(code="LHR1")
    users = {role: make_staff(role, cell) for role in Role if role not in (Role.NATIONAL_ANALYST,)}
    users[Role.NATIONAL_ANALYST] = make_staff(Role.NATIONAL_ANALYST, None)
    target_user = make_staff(Role.CASE_WORKER, cell, username="target")
    desk = users[Role.DESK_OFFICER]
    case = case_register(actor=desk, cell=cell, data=intake_data())
    world = World(
        cell=cell,
        other_cell=other,
        users=users,
        other_head=make_staff(Role.CELL_HEAD, other),
        other_auditor=make_staff(Role.AUDITOR, other),
        other_desk=make_staff(Role.DESK_OFFICER, other),
        target=Membership.objects.get(user=target_user),
        case=case,
        draft=draft_save(actor=desk, cell=cell, answers={"name": ["Draft (synthetic)"]}),
        consent=case.consents.get(),
    )
    for module in _domain_modules():
        prepare = getattr(module, "prepare", None)
        if prepare is not None:
            prepare(world)
    return world


def cell_kwargs(w: World) -> dict[str, Any]:
    return {"cell_code": w.cell.code}


def _member(w: World) -> dict[str, Any]:
    return {"cell_code": w.cell.code, "membership_id": w.target.pk}


@dataclass
class Row:
    name: str
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    method: str = "get"
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    public: bool = False
    public_status: frozenset[int] = frozenset({200})
    allowed: str | None = None  # a role in world.cell that may use it
    wrong: str | None = None  # a role in world.cell that may not
    other_cell_user: str = "other_head"  # who, in the other cell, holds the allowed role
    ok_status: frozenset[int] = frozenset({200})
    other_cell_status: frozenset[int] = frozenset({404})
    notes: list[str] = field(default_factory=list)


# fmt: off
ROWS = [
    Row("core:healthz", public=True),
    Row("core:home", allowed=Role.DESK_OFFICER, other_cell_status=frozenset({200})),
    Row("accounts:login", public=True),
    Row("accounts:login_verify", public=True, public_status=frozenset({302})),
    Row("accounts:logout", method="post", public=True, public_status=frozenset({302})),
    Row(
        "accounts:invitation_open",
        kwargs=lambda w: {"token": "not-a-token"},
        public=True,
        public_status=frozenset({404}),
    ),
    Row("accounts:invitation_password", public=True, public_status=frozenset({404})),
    Row("accounts:invitation_enrol", public=True, public_status=frozenset({404})),
    Row("accounts:password_reset", public=True),
    Row("accounts:password_reset_done", public=True),
    Row(
        "accounts:password_reset_confirm",
        kwargs=lambda w: {"uidb64": "MQ", "token": "bad-token"},
        public=True,
    ),
    Row("accounts:password_reset_complete", public=True),
    Row(
        "set_language",
        method="post",
        data=lambda w: {"language": "ur", "next": "/"},
        public=True,
        public_status=frozenset({302}),
    ),
    Row("staff:list", kwargs=cell_kwargs, allowed=Role.CELL_HEAD, wrong=Role.DESK_OFFICER),
    Row("staff:invite", kwargs=cell_kwargs, allowed=Role.CELL_HEAD, wrong=Role.CASE_WORKER),
    Row("staff:detail", kwargs=_member, allowed=Role.CELL_HEAD, wrong=Role.PSYCHOLOGIST),
    Row(
        "staff:change_role",
        kwargs=_member,
        method="post",
        data=lambda w: {"role": Role.DESK_OFFICER, "version": w.target.version},
        allowed=Role.CELL_HEAD,
        wrong=Role.AUDITOR,
        ok_status=frozenset({302}),
    ),
    Row(
        "staff:deactivate",
        kwargs=_member,
        method="post",
        allowed=Role.CELL_HEAD,
        wrong=Role.MEDICO_LEGAL_OFFICER,
        ok_status=frozenset({302}),
    ),
    Row(
        "staff:reinvite",
        kwargs=_member,
        method="post",
        allowed=Role.CELL_HEAD,
        wrong=Role.LEGAL_ADVISER,
    ),
    # A cell auditor of another cell may open the log but sees only that cell's events
    # (test_audit_views checks the scoping); the matrix checks the section rule.
    Row(
        "audit:log",
        allowed=Role.AUDITOR,
        wrong=Role.CELL_HEAD,
        other_cell_user="other_auditor",
        other_cell_status=frozenset({200}),
    ),
]
# fmt: on


def _domain_modules() -> list[Any]:
    return [importlib.import_module(name) for name in DOMAIN_ROW_MODULES]


def all_rows() -> list[Row]:
    rows = list(ROWS)
    for module in _domain_modules():
        rows.extend(module.ROWS)
    return rows
