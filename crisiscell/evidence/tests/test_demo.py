"""The demo's evidence: true-to-life custody histories and laboratory results, synthetic, idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crisiscell.accounts.models import User
from crisiscell.cases.models import Case
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.cells.models import Cell
from crisiscell.demo.evidence import ensure_evidence
from crisiscell.demo.network import ensure_network, ensure_staff
from crisiscell.evidence.models import CustodyEvent, EvidenceItem, LabSubmission


@pytest.fixture
def demo_cases(db):
    cells = ensure_network()
    ensure_staff(cells)
    khi = Cell.objects.get(code="KHI")
    desk = User.objects.get(username="khi-desk")
    now = timezone.now()
    consents = [("examination",), ("evidence",), ("release_police",)]
    from crisiscell.cases.services import ConsentInput

    given = [ConsentInput(p[0], "given", "survivor", "signed_form") for p in consents]
    recent = [
        case_register(actor=desk, cell=khi, data=intake_data(arrival_at=now - timedelta(hours=h), consents=given))
        for h in (5, 30)
    ]
    older = [
        case_register(actor=desk, cell=khi, data=intake_data(arrival_at=now - timedelta(days=d), consents=given))
        for d in (20, 60, 100)
    ]
    refused = case_register(
        actor=desk,
        cell=khi,
        data=intake_data(arrival_at=now - timedelta(days=50), choice_evidence="no", consents=given),
    )
    return recent, older, refused


def test_demo_evidence_tells_each_samples_journey_and_runs_once(demo_cases, settings, tmp_path):
    recent, older, refused = demo_cases
    # When the demo adds evidence (twice)
    assert ensure_evidence() == 5
    assert ensure_evidence() == 0
    # Then every chosen case has sealed items, each collected by the officer, all synthetic
    for case in [*recent, *older]:
        items = EvidenceItem.objects.filter(case=case)
        assert items.count() >= 2
        assert all("(synthetic)" in i.description for i in items)
    assert not EvidenceItem.objects.filter(case=refused).exists()
    # The newest case has a hand-over waiting for the custodian's own code
    assert CustodyEvent.objects.filter(
        item__case=recent[0], state=CustodyEvent.State.PENDING, to_user__username="khi-evidence"
    ).exists()
    # Older cases went to the Sindh laboratory; those old enough have their result, hashed
    assert set(LabSubmission.objects.values_list("laboratory", flat=True)) == {"sindh"}
    with_result = LabSubmission.objects.exclude(result_file=None)
    assert with_result.filter(case__in=older[1:]).count() == 2
    assert all(len(s.result_file.sha256) == 64 for s in with_result)
    # Every custody history runs forward in time, and each movement is sealed by an audit event
    for item in EvidenceItem.objects.all():
        times = [m.at for m in item.custody.order_by("created_at")]
        assert times == sorted(times)
        assert not item.custody.filter(audit_event=None).exists()
    assert Case.objects.count() == 6
