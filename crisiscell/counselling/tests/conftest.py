"""Fixtures for the counselling tests: a cell's team, an adult case with her counselling consent."""

from __future__ import annotations

from typing import Any

import pytest

from crisiscell.access.policy import Role
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.counselling.tests.helpers import give_counselling_consent


@pytest.fixture
def team(cell, staff) -> dict[str, Any]:
    """One staff member per cell role in KHI, keyed by role."""
    return {
        role: staff(role, cell, username=f"khi-{role}")
        for role in Role
        if role not in (Role.NATIONAL_ANALYST, Role.AUDITOR)
    }


@pytest.fixture
def psychologist(team):
    return team[Role.PSYCHOLOGIST]


@pytest.fixture
def desk(team):
    return team[Role.DESK_OFFICER]


@pytest.fixture
def case(cell, desk):
    """An adult case, arrived an hour ago, with her consent to counselling."""
    registered = case_register(actor=desk, cell=cell, data=intake_data())
    give_counselling_consent(desk, registered)
    return registered
