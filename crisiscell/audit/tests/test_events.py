"""The audit writer refuses what must not be logged; the README lists every event code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import transaction

from crisiscell.audit.events import EVENT_CODES
from crisiscell.audit.services import AuditError, audit_record
from crisiscell.core import context

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_lists_exactly_the_event_codes() -> None:
    listed = re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", README.read_text(), re.M)
    assert listed == list(EVENT_CODES)


@pytest.mark.django_db
def test_unknown_codes_are_refused() -> None:
    with pytest.raises(AuditError, match="Unknown audit event code"):
        audit_record(action="case.invented", actor=None)


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["name", "CNIC", "phone", "address", "password", "note"])
def test_details_that_could_carry_identity_are_refused(key: str) -> None:
    with pytest.raises(AuditError):
        audit_record(action="audit.log_viewed", actor=None, details={key: "x"})


@pytest.mark.django_db
def test_details_must_be_flat() -> None:
    with pytest.raises(AuditError):
        audit_record(action="audit.log_viewed", actor=None, details={"filter": {"nested": 1}})


@pytest.mark.django_db
def test_an_event_carries_the_request_context_and_canonical_details() -> None:
    token = context.bind(context.RequestContext("abc123", "10.1.2.3"))
    try:
        with transaction.atomic():
            event = audit_record(action="audit.log_viewed", actor=None, details={"b": 2, "a": "x"})
    finally:
        context.unbind(token)
    event.refresh_from_db()
    assert (event.request_id, event.client_ip, event.actor_label) == (
        "abc123",
        "10.1.2.3",
        "system",
    )
    assert event.details == '{"a":"x","b":2}'
