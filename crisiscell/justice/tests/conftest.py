"""Fixtures for the justice tests: a cell's team and an adult case."""

from __future__ import annotations

from typing import Any

import pytest

from crisiscell.access.policy import Role
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data


@pytest.fixture
def team(cell, staff) -> dict[str, Any]:
    return {
        role: staff(role, cell, username=f"khi-{role}")
        for role in Role
        if role not in (Role.NATIONAL_ANALYST, Role.AUDITOR)
    }


@pytest.fixture
def adviser(team):
    return team[Role.LEGAL_ADVISER]


@pytest.fixture
def liaison(team):
    return team[Role.POLICE_LIAISON]


@pytest.fixture
def desk(team):
    return team[Role.DESK_OFFICER]


@pytest.fixture
def case(cell, desk):
    """An adult case that arrived an hour ago; no consent to release to the police yet."""
    return case_register(actor=desk, cell=cell, data=intake_data())
