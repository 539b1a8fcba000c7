"""Schemathesis against the OpenAPI schema, in process (WSGI), no network.

Every operation gets generated requests with a valid token of a client holding
every scope it could hold; the checks: no server error, status codes and content
types as documented, and every response body valid against its schema.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crisiscell.api.tests.helpers import lab_client, police_client
from crisiscell.audit.models import AuditEvent
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.tests.factories import CellFactory, make_staff
from crisiscell.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Keep the test's database connection open across in-process requests (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db: None, same_connection: None) -> dict[str, str]:
    cell = CellFactory(code="KHI")
    case_register(actor=make_staff("desk_officer", cell), cell=cell, data=intake_data())
    _c, police = police_client(cell, rate=100_000)
    _c, lab = lab_client("pfsa", rate=100_000)
    return {"police": police, "lab": lab}


def _operations() -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/schema", application)
    return [result.ok() for result in schema.get_all_operations()]


def test_the_schema_finds_no_server_error_and_no_schema_violation(tokens: dict[str, str]) -> None:
    operations = _operations()
    assert len(operations) == 6
    for operation in operations:
        _check(operation, tokens["lab"] if "/lab/" in operation.path else tokens["police"])
    # The generated requests got past authentication: real answers, audited, and none a 5xx.
    statuses = Counter(json.loads(e.details)["status"] for e in AuditEvent.objects.filter(action="api.called"))
    assert statuses[200] > 0
    assert sum(n for status, n in statuses.items() if status not in (401, 403)) > len(operations)
    assert not [status for status in statuses if status >= 500]


def _check(operation: Any, token: str) -> None:
    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples on every run: a failure is reproducible
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=CHECKS)

    run()
