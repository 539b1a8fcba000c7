"""fetch_rows returns exactly what the ORM's values_list returns, on either database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.cases.models import Case, Task
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.core.rows import fetch_rows

pytestmark = pytest.mark.django_db


def test_rows_equal_the_orms_values_list_with_nulls_datetimes_uuids_and_booleans(cell, staff):
    # given two cases, one task closed (a datetime) and the others open (null)
    desk = staff(Role.DESK_OFFICER, cell)
    for hours in (3, 30):
        case_register(actor=desk, cell=cell, data=intake_data(arrival_at=timezone.now() - timedelta(hours=hours)))
    task = Task.objects.filter(case__cell=cell).first()
    assert task is not None
    Task.objects.filter(pk=task.pk).update(status="done", closed_at=timezone.now(), owner=desk)
    tasks = Task.objects.order_by("case__code", "kind", "rule_key").values_list(
        "id", "case_id", "kind", "status", "owner_id", "owner__username", "closed_at", "case__arrival_at"
    )
    cases = Case.objects.order_by("code").values_list("id", "code", "arrival_at", "incident_earliest", "risk_self_harm")
    # when read both ways, then the rows are the same values of the same types
    for queryset in (tasks, cases):
        fast, orm = fetch_rows(queryset), list(queryset.all())
        assert fast == orm
        assert [tuple(map(type, row)) for row in fast] == [tuple(map(type, row)) for row in orm]
    assert any(row[6] is not None for row in fetch_rows(tasks))  # the closed task's time came through
    assert any(row[6] is None for row in fetch_rows(tasks))


def test_an_empty_filter_gives_no_rows_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert fetch_rows(Case.objects.filter(pk__in=[]).values_list("id")) == []
