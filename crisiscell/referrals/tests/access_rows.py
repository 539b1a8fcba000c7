"""Access-matrix rows for referrals and transfers.

``prepare`` adds, to the shared world:

* ``referral``: a referral of ``world.case`` (KHI), on the survivor's consent to sharing;
* ``incoming``: a case of the other cell (LHR1) with a pending transfer to KHI, so the
  receiving cell's pages are allowed in KHI and refused to the sending cell;
* ``handed_over``: a second KHI case transferred to LHR1 and accepted, so the
  transferred-out page is allowed in KHI (the sending cell) and refused to LHR1.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.cases.services import case_register, consent_record
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.referrals.services import referral_create, transfer_accept, transfer_request
from crisiscell.tests.matrix import Row, World, cell_kwargs


def prepare(world: World) -> None:
    desk = world.users[Role.DESK_OFFICER]
    consent_record(
        actor=desk, case=world.case, purpose="sharing", decision="given", given_by="survivor", method="signed_form"
    )
    world.extra["referral"] = referral_create(
        actor=desk,
        case=world.case,
        kind="shelter",
        organisation="Dar-ul-Aman (synthetic)",
        purpose="Safe place to stay",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    incoming_case = case_register(actor=world.other_desk, cell=world.other_cell, data=intake_data())
    world.extra["incoming"] = transfer_request(
        actor=world.other_desk, case=incoming_case, to_cell=world.cell, reason="Closer to her family"
    )
    handed_over = case_register(actor=desk, cell=world.cell, data=intake_data())
    transfer = transfer_request(actor=desk, case=handed_over, to_cell=world.other_cell, reason="She moved to Lahore")
    world.extra["handed_over"] = transfer_accept(actor=world.other_head, transfer=transfer)


def _case(w: World) -> dict[str, Any]:
    return {"code": w.case.code}


def _incoming(w: World) -> dict[str, Any]:
    return {"transfer_id": w.extra["incoming"].pk}


# fmt: off
ROWS = [
    Row("referrals:referral_create", kwargs=_case, method="post",
        data=lambda w: {"kind": "legal_aid", "organisation": "Legal aid authority (synthetic)",
                        "purpose": "Representation", "due_on": timezone.localdate().isoformat()},
        allowed=Role.CASE_WORKER, wrong=Role.PSYCHOLOGIST, other_cell_user="other_desk",
        ok_status=frozenset({302})),
    Row("referrals:referral_transition", kwargs=lambda w: {"referral_id": w.extra["referral"].pk},
        method="post", data=lambda w: {"to_status": "accepted"},
        allowed=Role.DESK_OFFICER, wrong=Role.LEGAL_ADVISER, other_cell_user="other_desk",
        ok_status=frozenset({302})),
    Row("referrals:transfer_request", kwargs=_case, method="post",
        data=lambda w: {"to_cell": w.other_cell.pk, "reason": "She moved"},
        allowed=Role.CELL_HEAD, wrong=Role.EVIDENCE_CUSTODIAN, other_cell_user="other_head",
        ok_status=frozenset({302})),
    # The sending cell (LHR1) of the incoming transfer sees neither its list entry nor its review page.
    Row("referrals:transfer_list", kwargs=cell_kwargs, allowed=Role.CASE_WORKER, wrong=Role.AUDITOR,
        other_cell_user="other_head"),
    Row("referrals:transfer_review", kwargs=_incoming, allowed=Role.CASE_WORKER, wrong=Role.PSYCHOLOGIST,
        other_cell_user="other_head"),
    Row("referrals:transfer_accept", kwargs=_incoming, method="post", allowed=Role.CELL_HEAD,
        wrong=Role.POLICE_LIAISON, other_cell_user="other_head", ok_status=frozenset({302})),
    Row("referrals:transfer_decline", kwargs=_incoming, method="post", data=lambda w: {"reason": "No space"},
        allowed=Role.CASE_WORKER, wrong=Role.NATIONAL_ANALYST, other_cell_user="other_desk",
        ok_status=frozenset({302})),
    # The receiving cell (LHR1) of an accepted transfer has the case page; this page is the sender's.
    Row("referrals:transferred_out", kwargs=lambda w: {"transfer_id": w.extra["handed_over"].pk},
        allowed=Role.PSYCHOLOGIST, wrong=Role.AUDITOR, other_cell_user="other_head"),
]
# fmt: on
