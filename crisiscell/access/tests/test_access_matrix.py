"""The access matrix: every URL, seen by anonymous, another cell, the wrong role and the right role.

Adding a URL without a row here fails ``test_every_url_has_a_matrix_row``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crisiscell.access.policy import Role
from crisiscell.accounts.models import Membership
from crisiscell.cases.services import case_register, draft_save
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.tests.factories import CellFactory, comparable_page, login_client, make_staff
from crisiscell.tests.urlwalk import all_url_names


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


@pytest.fixture
def world(db: None) -> World:
    cell = CellFactory(code="KHI")
    other = CellFactory(code="LHR1")
    users = {role: make_staff(role, cell) for role in Role if role not in (Role.NATIONAL_ANALYST,)}
    users[Role.NATIONAL_ANALYST] = make_staff(Role.NATIONAL_ANALYST, None)
    target_user = make_staff(Role.CASE_WORKER, cell, username="target")
    desk = users[Role.DESK_OFFICER]
    case = case_register(actor=desk, cell=cell, data=intake_data())
    return World(
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


def _cell(w: World) -> dict[str, Any]:
    return {"cell_code": w.cell.code}


def _case(w: World) -> dict[str, Any]:
    return {"code": w.case.code}


def _draft(w: World) -> dict[str, Any]:
    return {"cell_code": w.cell.code, "draft_id": w.draft.pk}


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
    Row("staff:list", kwargs=_cell, allowed=Role.CELL_HEAD, wrong=Role.DESK_OFFICER),
    Row("staff:invite", kwargs=_cell, allowed=Role.CELL_HEAD, wrong=Role.CASE_WORKER),
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
    Row("cases:list", kwargs=_cell, allowed=Role.DESK_OFFICER, wrong=Role.AUDITOR,
        other_cell_user="other_desk"),
    Row("cases:intake", kwargs=_cell, allowed=Role.DESK_OFFICER, wrong=Role.EVIDENCE_CUSTODIAN,
        other_cell_user="other_desk"),
    Row("cases:intake_draft", kwargs=_draft, allowed=Role.DESK_OFFICER, wrong=Role.PSYCHOLOGIST,
        other_cell_user="other_desk"),
    Row("cases:intake_discard", kwargs=_draft, method="post", allowed=Role.DESK_OFFICER,
        wrong=Role.MEDICO_LEGAL_OFFICER, other_cell_user="other_desk", ok_status=frozenset({302})),
    Row("cases:detail", kwargs=_case, allowed=Role.DESK_OFFICER, wrong=Role.AUDITOR,
        other_cell_user="other_desk"),
    Row("cases:edit", kwargs=_case, allowed=Role.CASE_WORKER, wrong=Role.PSYCHOLOGIST,
        other_cell_user="other_desk"),
    Row("cases:consent_add", kwargs=_case, method="post",
        data=lambda w: {"purpose": "photographs", "decision": "given", "given_by": "survivor",
                        "method": "verbal", "child_assent": "n/a"},
        allowed=Role.DESK_OFFICER, wrong=Role.LEGAL_ADVISER, other_cell_user="other_desk",
        ok_status=frozenset({302})),
    Row("cases:consent_revoke", kwargs=lambda w: {"code": w.case.code, "consent_id": w.consent.pk},
        method="post", allowed=Role.CASE_WORKER, wrong=Role.EVIDENCE_CUSTODIAN,
        other_cell_user="other_desk", ok_status=frozenset({302})),
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
ROWS_BY_NAME = {row.name: row for row in ROWS}


def _request(client: Client, row: Row, w: World) -> Any:
    url = reverse(row.name, kwargs=row.kwargs(w))
    call = getattr(client, row.method)
    return call(url, row.data(w)) if row.method == "post" else call(url)


def test_every_url_has_a_matrix_row() -> None:
    missing = sorted(set(all_url_names()) - set(ROWS_BY_NAME))
    assert not missing, f"URLs without an access-matrix row: {missing}"
    stale = sorted(set(ROWS_BY_NAME) - set(all_url_names()))
    assert not stale, f"Matrix rows for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_anonymous(row: Row, world: World) -> None:
    response = _request(Client(), row, world)
    if row.public:
        assert response.status_code in row.public_status
        assert response.status_code < 500
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("row", [r for r in ROWS if not r.public], ids=lambda r: r.name)
def test_password_without_second_factor_never_reaches_the_page(row: Row, world: World) -> None:
    user = world.users[row.allowed or Role.CELL_HEAD]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = _request(client, row, world)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("row", [r for r in ROWS if not r.public], ids=lambda r: r.name)
def test_without_membership(row: Row, world: World) -> None:
    user = make_staff(Role.DESK_OFFICER, world.cell, username="former")
    Membership.objects.filter(user=user).update(is_active=False)
    response = _request(login_client(user), row, world)
    assert response.status_code == 403


@pytest.mark.parametrize("row", [r for r in ROWS if not r.public], ids=lambda r: r.name)
def test_other_cell(row: Row, world: World) -> None:
    user = getattr(world, row.other_cell_user)
    response = _request(login_client(user), row, world)
    assert response.status_code in row.other_cell_status


@pytest.mark.parametrize("row", [r for r in ROWS if not r.public and r.wrong], ids=lambda r: r.name)
def test_wrong_role(row: Row, world: World) -> None:
    response = _request(login_client(world.users[row.wrong]), row, world)
    assert response.status_code in {403, 404}


@pytest.mark.parametrize("row", [r for r in ROWS if not r.public], ids=lambda r: r.name)
def test_allowed_role(row: Row, world: World) -> None:
    response = _request(login_client(world.users[row.allowed]), row, world)
    assert response.status_code in row.ok_status


def test_missing_and_forbidden_objects_look_the_same(world: World) -> None:
    head = login_client(world.users[Role.CELL_HEAD])
    forbidden = head.get(reverse("staff:list", kwargs={"cell_code": world.other_cell.code}))
    missing = head.get(reverse("staff:list", kwargs={"cell_code": "NOPE"}))
    missing_member = head.get(
        reverse("staff:detail", kwargs={"cell_code": world.cell.code, "membership_id": uuid.uuid4()})
    )
    assert forbidden.status_code == missing.status_code == missing_member.status_code == 404
    assert comparable_page(forbidden.content) == comparable_page(missing.content)
