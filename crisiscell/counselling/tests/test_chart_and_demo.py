"""The progress chart (server-side SVG) and the synthetic demo counselling."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.counselling.chart import progress_svg
from crisiscell.counselling.instruments import definition
from crisiscell.counselling.models import CounsellingSession, Measure, SafetyPlan
from crisiscell.counselling.services import decrypt_note, measure_record
from crisiscell.counselling.tests.helpers import give_counselling_consent
from crisiscell.demo.counselling import ensure_counselling
from crisiscell.demo.network import demo_username, ensure_network, ensure_staff
from crisiscell.tests.factories import login_client


def _measures(psychologist, case, totals):
    made = []
    for weeks_ago, total in zip(range(len(totals), 0, -1), totals, strict=True):
        answers = [min(3, max(0, total - 3 * i)) for i in range(7)]
        measure = measure_record(actor=psychologist, case=case, instrument="gad7", language="en", answers=answers)
        Measure.objects.filter(pk=measure.pk).update(administered_at=timezone.now() - timedelta(weeks=weeks_ago))
        made.append(measure)
    return list(Measure.objects.filter(pk__in=[m.pk for m in made]).order_by("administered_at"))


def test_the_chart_draws_one_point_per_measure_over_the_bands(case, psychologist):
    measures = _measures(psychologist, case, [17, 12, 8, 3])
    svg = str(progress_svg(definition("gad7"), measures))
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert svg.count("<circle") == 4
    assert svg.count("<rect") == 4  # the four GAD-7 bands
    assert "<polyline" in svg
    assert "style=" not in svg  # the CSP allows no inline styles
    assert "Severe" in svg
    assert "Minimal" in svg
    # Higher scores sit higher on the chart (smaller y).
    ys = [float(y) for y in re.findall(r'<circle cx="[^"]+" cy="([^"]+)"', svg)]
    assert ys == sorted(ys)


def test_the_pcl5_chart_marks_the_provisional_cutoff(case, psychologist):
    measure_record(actor=psychologist, case=case, instrument="pcl5", language="ur", answers=[2] * 20)
    svg = str(progress_svg(definition("pcl5"), list(Measure.objects.all())))
    assert "stroke-dasharray" in svg
    assert "Provisional cut-off: 33" in svg


def test_the_chart_follows_the_survivor_across_her_cases(case, psychologist, desk, cell):
    _measures(psychologist, case, [15, 9])
    returning = case_register(
        actor=desk, cell=cell, data=intake_data(existing_survivor=case.survivor, arrival_at=timezone.now())
    )
    give_counselling_consent(desk, returning)
    _measures(psychologist, returning, [6])
    page = login_client(psychologist).get(reverse("counselling:case", kwargs={"code": returning.code}))
    body = page.content.decode()
    assert body.count("<circle") == 3
    assert case.code in body  # the earlier case's measures, listed beside the chart


def test_demo_counselling_is_synthetic_and_idempotent(db):
    # Given the demo network with a handful of open cases in Karachi
    cells = ensure_network()
    ensure_staff(cells)
    desk = User.objects.get(username=demo_username("KHI", Role.DESK_OFFICER))
    for days in (40, 30, 20, 12, 6, 2, 1):
        arrival = timezone.now() - timedelta(days=days)
        case = case_register(
            actor=desk,
            cell=cells["KHI"],
            data=intake_data(arrival_at=arrival, incident_at=arrival - timedelta(hours=3)),
        )
        give_counselling_consent(desk, case)
    # When the demo adds counselling, twice
    added = ensure_counselling(seed=1)
    assert added >= 2
    sessions = CounsellingSession.objects.count()
    assert ensure_counselling(seed=1) == 0
    assert CounsellingSession.objects.count() == sessions
    # Then its notes say they are synthetic, and measures spread over time
    for session in CounsellingSession.objects.filter(note__isnull=False):
        assert "(synthetic)" in decrypt_note(session).notes
    dates = {m.administered_at.date() for m in Measure.objects.all()}
    assert len(dates) >= 2
    # And a few survivors have a safety plan
    assert SafetyPlan.objects.exists()
