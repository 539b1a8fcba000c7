"""The access matrix: every URL, seen by anonymous, another cell, the wrong role and the right role.

The rows live in ``crisiscell/tests/matrix.py`` and each domain's ``tests/access_rows.py``.
Adding a URL without a row fails ``test_every_url_has_a_matrix_row``.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crisiscell.access.policy import Role
from crisiscell.accounts.models import Membership
from crisiscell.tests.factories import comparable_page, login_client, make_staff
from crisiscell.tests.matrix import Row, World, all_rows, build_world
from crisiscell.tests.urlwalk import all_url_names

ROWS = all_rows()
ROWS_BY_NAME = {row.name: row for row in ROWS}


@pytest.fixture
def world(db: None) -> World:
    return build_world()


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
