"""Fixtures for the evidence tests: a cell's team and an adult case with her consents."""

from __future__ import annotations

from typing import Any

import pytest

from crisiscell.access.policy import Role
from crisiscell.cases.services import case_register, consent_record
from crisiscell.cases.tests.helpers import intake_data


@pytest.fixture
def team(cell, staff) -> dict[str, Any]:
    """One staff member per cell role in KHI, keyed by role."""
    return {
        role: staff(role, cell, username=f"khi-{role}")
        for role in Role
        if role not in (Role.NATIONAL_ANALYST, Role.AUDITOR)
    }


@pytest.fixture
def custodian(team):
    return team[Role.EVIDENCE_CUSTODIAN]


@pytest.fixture
def mlo(team):
    return team[Role.MEDICO_LEGAL_OFFICER]


@pytest.fixture
def desk(team):
    return team[Role.DESK_OFFICER]


@pytest.fixture
def case(cell, desk):
    """An adult case, incident six hours ago, with her consent to evidence collection and release."""
    registered = case_register(actor=desk, cell=cell, data=intake_data())
    for purpose in ("evidence", "release_police"):
        consent_record(
            actor=desk, case=registered, purpose=purpose, decision="given", given_by="survivor", method="signed_form"
        )
    return registered
