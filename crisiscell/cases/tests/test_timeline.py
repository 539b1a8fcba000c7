"""The case timeline: every event that changed the case, none of the reads, however many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.audit.events import EVENT_CODES, READ_CODES, label
from crisiscell.audit.models import AuditEvent
from crisiscell.audit.services import audit_record
from crisiscell.cases.selectors import case_timeline, case_timeline_entries
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.tests.factories import login_client


@pytest.fixture
def desk(cell, staff):
    return staff(Role.DESK_OFFICER, cell, username="desk")


def test_the_read_codes_are_codes_of_the_catalogue():
    assert set(READ_CODES).issubset(EVENT_CODES)  # a misspelt read code would show reads
    assert len(set(READ_CODES)) == len(READ_CODES)


def test_every_kind_of_event_on_the_case_is_shown_in_order_and_no_read(cell, desk):
    case = case_register(actor=desk, cell=cell, data=intake_data())
    before = [entry.label for entry in case_timeline_entries(case)]
    assert before[0] == label("case.registered")
    # Every code of the catalogue, recorded against the case: reads between the others.
    for code in sorted(EVENT_CODES):
        audit_record(action=code, actor=desk, cell=cell, object_type="case", object_ref=case.code)
    # An event about another object, or another kind of object with the same reference, is not shown.
    audit_record(action="case.updated", actor=desk, cell=cell, object_type="case", object_ref="KHI-2026-9999")
    audit_record(action="evidence.registered", actor=desk, cell=cell, object_type="evidence", object_ref=case.code)
    shown = [entry.label for entry in case_timeline_entries(case)]
    assert shown == before + [label(code) for code in sorted(EVENT_CODES) if code not in READ_CODES]


def test_a_case_opened_many_times_keeps_a_short_history(cell, desk):
    case = case_register(actor=desk, cell=cell, data=intake_data())
    client = login_client(desk)
    first = case_timeline_entries(case)
    for _ in range(5):
        assert client.get(reverse("cases:detail", kwargs={"code": case.code})).status_code == 200
    assert case_timeline_entries(case) == first


def test_the_timeline_is_read_through_the_index_of_events_that_are_not_reads(cell, desk):
    """The database must see that the query's condition implies the partial index's.

    Reordering the read codes, or binding them as parameters, would silently lose the
    index and make a case's history cost as much as every time it was opened.
    """
    case = case_register(actor=desk, cell=cell, data=intake_data())
    sql, params = case_timeline(case).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As in a working cell: the case opened many times among many other events, and
            # statistics that say so. On a near-empty table the planner may as well walk the
            # primary key, and which it picks then changes with when the table was analysed.
            now = timezone.now()
            AuditEvent.objects.bulk_create(
                AuditEvent(at=now, action="case.viewed", actor_label="desk", object_type="case", object_ref=ref)
                for ref in [case.code] * 300 + [f"KHI-2026-{n:04d}" for n in range(2, 2002)]
            )
            cursor.execute("ANALYZE audit_auditevent")
            cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is small enough to scan
            # Only the history index gives a case's events in id order without a sort (the
            # tests before this one leave the other indexes as bloated as it): without sorts,
            # the question is whether it can be used, not whether it is cheapest today.
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "audit_event_history" in plan, plan
