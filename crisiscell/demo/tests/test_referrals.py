"""The demo refers a share of open cases as each case's fixed draw says, and moves two cases to other cells."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.models import Case, Consent, ConsentPurpose
from crisiscell.cases.services import ConsentInput, case_close, case_register
from crisiscell.cases.tests.helpers import child_intake, intake_data
from crisiscell.cells.models import Cell
from crisiscell.demo.network import demo_username
from crisiscell.demo.referrals import (
    MOVED_AFTER,
    MOVED_BEFORE,
    TRANSFERS,
    ensure_referrals,
    referral_drawn,
    statuses_by,
    transfer_rank,
)
from crisiscell.referrals.models import (
    REFERRAL_TRANSITIONS,
    ConsentBasis,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralStep,
    Transfer,
    TransferStatus,
)

pytestmark = pytest.mark.django_db

RELEASE = ConsentInput("release_police", "given", "survivor", "thumbprint")


def _guardian_release(age: int) -> ConsentInput:
    return ConsentInput("release_police", "given", "guardian", "signed_form", 0, "yes" if age >= 12 else "not_able")


def test_referrals_follow_their_draws_consent_rules_and_legal_moves_and_two_open_cases_move(
    khi: Cell, khi_staff: Callable[[str], User]
) -> None:
    # given the demo network (no history) and, in KHI, open cases from two hours to two months old:
    # adults who let their record go to the police, with different risks and police choices;
    # adults who did not; one who refused sharing; children (half with a guardian's release).
    # The adult case of one to eight weeks that would move first is closed: it must stay put.
    desk, head = khi_staff(Role.DESK_OFFICER), khi_staff(Role.CELL_HEAD)
    now = timezone.now()

    def register(days: float, **overrides: object) -> Case:
        return case_register(actor=desk, cell=khi, data=intake_data(arrival_at=now - timedelta(days=days), **overrides))

    released = [
        register(
            0.1 + 3 * i,
            consents=[RELEASE],
            choice_police=["now", "later", "not"][i % 3],
            risk_immediate_danger=i % 4 == 0,
            risk_self_harm=i % 5 == 1,
            risk_perpetrator_in_household=i % 3 == 2,
        )
        for i in range(18)
    ]
    kept = [register(2 + 5 * i, risk_immediate_danger=True) for i in range(4)]
    refused = register(
        20, consents=[RELEASE, ConsentInput("sharing", "refused", "survivor", "signed_form")], risk_self_harm=True
    )
    children = [
        case_register(
            actor=desk,
            cell=khi,
            data=child_intake(
                age,
                arrival_at=now - timedelta(days=4 + 6 * i),
                consents=[_guardian_release(age)] if i % 2 else [],
                risk_perpetrator_in_household=i % 3 == 0,
            ),
        )
        for i, age in enumerate([6, 9, 11, 13, 15, 16, 17, 14])
    ]
    closed, *moving = sorted(
        (c for c in [*released, *kept, refused] if now - MOVED_BEFORE <= c.arrival_at <= now - MOVED_AFTER),
        key=lambda c: (transfer_rank(2024, c.code), c.code),
    )[: TRANSFERS + 1]
    case_close(actor=head, case=closed, reason="services_completed")
    open_cases = [c for c in [*released, *kept, refused, *children] if c != closed]
    # what each case's draw says, read before any case moves cell (the names carry the city)
    draws = {case.pk: referral_drawn(2024, case) for case in open_cases}
    may_share = {case.pk for case in released} | {case.pk for case in children[1::2]}

    # when the demo records the referrals and transfers
    referrals, transfers = ensure_referrals(now=now)

    # then a case has a referral exactly when its draw says it was sent by now and the law lets the
    # cell share: a child protection referral of a child needs nothing, any other her consent,
    # which the case worker recorded only for survivors who had let their record go to the police
    worker = khi_staff(Role.CASE_WORKER)
    expected = 0
    for case in open_cases:
        draw = draws[case.pk]
        path = statuses_by(draw, case.arrival_at, now) if draw else []
        exempt = draw is not None and draw.kind == ReferralKind.CHILD_PROTECTION and case.is_child
        found = list(Referral.objects.filter(case=case))
        sharing = list(Consent.objects.filter(case=case, purpose=ConsentPurpose.SHARING, decision="given"))
        if not path or not (exempt or case.pk in may_share):
            assert found == []
            assert sharing == []
            continue
        assert draw is not None
        expected += 1
        [referral] = found
        assert (referral.kind, referral.organisation, referral.purpose) == (draw.kind, draw.organisation, draw.purpose)
        assert referral.organisation.endswith(" (demo)")
        assert referral.sent_by == worker
        assert referral.due_on >= timezone.localdate()
        if exempt:
            assert (referral.consent_basis, referral.consent, sharing) == (ConsentBasis.CHILD_PROTECTION, None, [])
        else:
            release = Consent.objects.get(case=case, purpose=ConsentPurpose.RELEASE_POLICE)
            assert referral.consent_basis == ConsentBasis.CONSENT
            assert sharing == [referral.consent]
            assert (sharing[0].given_by, sharing[0].method, sharing[0].guardian_id, sharing[0].child_assent) == (
                release.given_by,
                release.method,
                release.guardian_id,
                release.child_assent,
            )
        # every status it reached, in order, each move one the table allows, rejections with a reason
        steps = list(ReferralStep.objects.filter(referral=referral))
        assert [step.to_status for step in steps] == path
        assert referral.status == path[-1]
        assert steps[0].from_status == ""
        for before, step in pairwise(steps):
            assert step.from_status == before.to_status
            assert step.to_status in REFERRAL_TRANSITIONS[before.to_status]
            assert bool(step.reason) or step.to_status != ReferralStatus.REJECTED
    assert referrals == expected == Referral.objects.count()
    # a share, not all: some were referred, some not (a fixed draw over the 30 open cases)
    assert 0 < expected < len(open_cases)
    # the survivor who refused sharing and the closed case were referred nowhere that needs consent
    assert not Referral.objects.filter(case=closed).exists()
    assert not Referral.objects.filter(case=refused, consent_basis=ConsentBasis.CONSENT).exists()

    # and the lowest-ranked open adult cases of one to eight weeks moved to a cell in another city:
    # the first accepted there (the case is now that cell's), the next still waiting
    assert transfers == len(moving) == Transfer.objects.count() == TRANSFERS
    for position, case in enumerate(moving):
        transfer = Transfer.objects.select_related("to_cell").get(case=case)
        assert transfer.from_cell == khi
        assert transfer.to_cell.city != khi.city
        assert transfer.requested_by == head
        case.refresh_from_db()
        if position == 0:
            assert transfer.status == TransferStatus.ACCEPTED
            assert transfer.decided_by is not None
            assert transfer.decided_by.username == demo_username(transfer.to_cell.code, Role.CELL_HEAD)
            assert case.cell_id == transfer.to_cell_id
        else:
            assert transfer.status == TransferStatus.REQUESTED
            assert case.cell_id == khi.pk
    assert not Transfer.objects.filter(case__in=[closed, *children]).exists()

    # and running it again adds nothing
    counts = [m.objects.count() for m in (Referral, ReferralStep, Consent, Transfer)]
    assert ensure_referrals(now=now) == (0, 0)
    assert [m.objects.count() for m in (Referral, ReferralStep, Consent, Transfer)] == counts
