"""The auditor's log view: scoped to the auditor's cells, filterable, and itself audited."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.audit.services import audit_record
from crisiscell.tests.factories import login_client


@pytest.fixture
def events(cell, other_cell):
    with transaction.atomic():
        audit_record(action="admin.staff_listed", actor=None, cell=cell, object_ref="ALPHA-1")
        audit_record(action="admin.staff_listed", actor=None, cell=other_cell, object_ref="BRAVO-2")
        audit_record(action="auth.login_failed", actor=None, object_ref="CHARLIE-3")


def test_cell_auditor_sees_only_their_cell(events, cell, staff):
    client = login_client(staff(Role.AUDITOR, cell))
    page = client.get(reverse("audit:log")).content
    assert b"ALPHA-1" in page
    assert b"BRAVO-2" not in page
    assert b"CHARLIE-3" not in page


def test_national_auditor_sees_every_cell(events, staff):
    page = login_client(staff(Role.AUDITOR, None)).get(reverse("audit:log")).content
    assert b"ALPHA-1" in page
    assert b"BRAVO-2" in page
    assert b"CHARLIE-3" in page


def test_filters_and_the_viewing_is_audited(events, staff):
    auditor = staff(Role.AUDITOR, None)
    page = login_client(auditor).get(reverse("audit:log"), {"object_ref": "BRAVO-2"}).content
    assert b"BRAVO-2" in page
    assert b"ALPHA-1" not in page
    viewed = AuditEvent.objects.filter(action="audit.log_viewed").get()
    assert viewed.actor_id == auditor.pk
    assert viewed.details_dict() == {"object_ref": "BRAVO-2"}


def test_times_are_shown_in_karachi(events, staff):
    event = AuditEvent.objects.order_by("id").first()
    page = login_client(staff(Role.AUDITOR, None)).get(reverse("audit:log")).content.decode()
    local = event.at.astimezone(ZoneInfo("Asia/Karachi"))
    # in a <time>, which keeps it on one line, left to right, on an Urdu page too
    shown = local.strftime("%Y-%m-%d %H:%M:%S")
    assert f'<time datetime="{local.isoformat()}">{shown}</time>' in page
