"""Fixtures for the medical tests: a cell's team with a female medico-legal officer, a consenting case."""

from __future__ import annotations

from typing import Any

import pytest

from crisiscell.access.policy import Role
from crisiscell.medical.tests.helpers import consenting_case


@pytest.fixture
def team(cell, staff) -> dict[str, Any]:
    """One staff member per cell role in KHI, keyed by role; the medico-legal officer is a woman."""
    members: dict[str, Any] = {}
    for role in Role:
        if role in (Role.NATIONAL_ANALYST, Role.AUDITOR):
            continue
        extra = {"gender": "female"} if role == Role.MEDICO_LEGAL_OFFICER else {}
        members[role] = staff(role, cell, username=f"khi-{role}", **extra)
    return members


@pytest.fixture
def mlo(team):
    return team[Role.MEDICO_LEGAL_OFFICER]


@pytest.fixture
def desk(team):
    return team[Role.DESK_OFFICER]


@pytest.fixture
def case(cell, desk):
    """An adult woman's case, arrived an hour ago, with every consent the examination needs."""
    return consenting_case(desk, cell)
