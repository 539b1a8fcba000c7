"""Access-matrix rows for evidence, custody, laboratories and the court bundle.

``prepare`` adds, to the shared world (``world.case``, in KHI, with consent to evidence
collection and to release):

* ``item``: a sealed swab, held by the KHI evidence custodian;
* ``pending``: a hand-over of a second item from the medico-legal officer to the
  custodian, waiting for the custodian's code;
* ``external``: a hand-over of a third item to a police officer, with its receipt;
* ``submission``: a laboratory docket for ``item``, received and with its result;
* ``other_custodian``: an evidence custodian of the other cell (LHR1), who must see
  none of it (set as an attribute of the world, for ``other_cell_user``).
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.cases.services import consent_record
from crisiscell.evidence import services
from crisiscell.tests.factories import make_staff
from crisiscell.tests.matrix import Row, World


def prepare(world: World) -> None:
    desk = world.users[Role.DESK_OFFICER]
    custodian = world.users[Role.EVIDENCE_CUSTODIAN]
    mlo = world.users[Role.MEDICO_LEGAL_OFFICER]
    for purpose in ("evidence", "release_police"):
        consent_record(
            actor=desk, case=world.case, purpose=purpose, decision="given", given_by="survivor", method="signed_form"
        )
    now = timezone.now()

    def ago(minutes: int) -> Any:
        return now - timedelta(minutes=minutes)

    item = services.item_register(actor=custodian, case=world.case, kind="swab_hvs", collected_at=ago(60))
    item = services.item_seal(actor=custodian, item=item, seal_number="S-1 (test)", sealer_initials="EC", at=ago(59))
    world.extra["item"] = item
    second = services.item_register(actor=mlo, case=world.case, kind="clothing", collected_at=ago(50))
    world.extra["pending"] = services.handover_request(
        actor=mlo, item=second, to_user=custodian, purpose="To the store", seal_intact=True
    )
    third = services.item_register(actor=custodian, case=world.case, kind="urine", collected_at=ago(40))
    world.extra["external"] = services.handover_external(
        actor=custodian, item=third, name="Officer (synthetic)", rank="ASI 123", organisation="Police station (test)",
        purpose="Investigation", seal_intact=True,
    )  # fmt: skip
    fourth = services.item_register(actor=custodian, case=world.case, kind="ref_blood", collected_at=ago(30))
    fourth = services.item_seal(
        actor=custodian, item=fourth, seal_number="S-4 (test)", sealer_initials="EC", at=ago(29)
    )
    submission = services.lab_submit(
        actor=custodian, case=world.case, laboratory="pfsa", docket_number="D-1 (test)", items=[fourth],
        dispatched_at=ago(20),
    )  # fmt: skip
    submission = services.lab_received(actor=custodian, submission=submission, received_at=ago(15))
    world.extra["submission"] = services.lab_result(
        actor=custodian, submission=submission, document=io.BytesIO(b"%PDF-1.4 synthetic result"),
        received_at=ago(10), name="result.pdf",
    )  # fmt: skip
    world.extra["open_submission"] = services.lab_submit(
        actor=custodian, case=world.case, laboratory="nfsa", docket_number="D-2 (test)", items=[item],
        dispatched_at=ago(3),
    )  # fmt: skip
    setattr(world, "other_custodian", make_staff(Role.EVIDENCE_CUSTODIAN, world.other_cell))  # noqa: B010 - not a World field


def _case(w: World) -> dict[str, Any]:
    return {"code": w.case.code}


def _item(w: World) -> dict[str, Any]:
    return {"human_id": w.extra["item"].human_id}


def _event(key: str) -> Any:
    return lambda w: {"event_id": w.extra[key].pk}


def _submission(key: str) -> Any:
    return lambda w: {"submission_id": w.extra[key].pk}


def _now() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


OTHER = "other_custodian"
POSTED = frozenset({302})

# fmt: off
ROWS = [
    Row("evidence:case", kwargs=_case, allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.PSYCHOLOGIST, other_cell_user=OTHER),
    Row("evidence:register", kwargs=_case, method="post",
        data=lambda w: {"kind": "fingernail", "collected_at": _now()},
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.POLICE_LIAISON, other_cell_user=OTHER, ok_status=POSTED),
    Row("evidence:labels", kwargs=_case, allowed=Role.CASE_WORKER, wrong=Role.DESK_OFFICER, other_cell_user=OTHER),
    Row("evidence:lab_submit", kwargs=_case, method="post",
        data=lambda w: {"laboratory": "pfsa", "docket_number": "D-9 (test)", "dispatched_at": _now(), "items": []},
        allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.LEGAL_ADVISER, other_cell_user=OTHER, ok_status=POSTED),
    Row("evidence:court_bundle", kwargs=_case, allowed=Role.LEGAL_ADVISER, wrong=Role.MEDICO_LEGAL_OFFICER,
        other_cell_user=OTHER),
    Row("evidence:item", kwargs=_item, allowed=Role.POLICE_LIAISON, wrong=Role.AUDITOR, other_cell_user=OTHER),
    Row("evidence:seal", kwargs=_item, method="post",
        data=lambda w: {"seal_number": "S-2", "sealer_initials": "EC", "sealed_on": timezone.localdate().isoformat()},
        allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.CELL_HEAD, other_cell_user=OTHER, ok_status=POSTED),
    Row("evidence:store", kwargs=_item, method="post", data=lambda w: {"place": "Fridge 1", "temperature": "4 C"},
        allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.CASE_WORKER, other_cell_user=OTHER, ok_status=POSTED),
    Row("evidence:status", kwargs=_item, method="post", data=lambda w: {"to": "returned"},
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.DESK_OFFICER, other_cell_user=OTHER, ok_status=POSTED),
    Row("evidence:handover", kwargs=_item, method="post", data=lambda w: {"purpose": "x"},
        allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.PSYCHOLOGIST, other_cell_user=OTHER, ok_status=POSTED),
    Row("evidence:handover_external", kwargs=_item, method="post", data=lambda w: {"name": ""},
        allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.POLICE_LIAISON, other_cell_user=OTHER, ok_status=POSTED),
    Row("evidence:handovers", allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.CASE_WORKER, other_cell_user=OTHER,
        other_cell_status=frozenset({200})),
    Row("evidence:handover_confirm", kwargs=_event("pending"), method="post", data=lambda w: {"token": "000000"},
        allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.LEGAL_ADVISER, other_cell_user=OTHER, ok_status=POSTED),
    Row("evidence:handover_cancel", kwargs=_event("pending"), method="post",
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.CELL_HEAD, other_cell_user=OTHER, ok_status=POSTED),
    Row("evidence:receipt", kwargs=_event("external"), allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.DESK_OFFICER,
        other_cell_user=OTHER),
    Row("evidence:lab_received", kwargs=_submission("open_submission"), method="post",
        data=lambda w: {"received_at": _now()},
        allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.POLICE_LIAISON, other_cell_user=OTHER, ok_status=POSTED),
    Row("evidence:lab_result", kwargs=_submission("open_submission"), method="post", data=lambda w: {},
        allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.LEGAL_ADVISER, other_cell_user=OTHER, ok_status=POSTED),
    Row("evidence:lab_download", kwargs=_submission("submission"), allowed=Role.LEGAL_ADVISER,
        wrong=Role.PSYCHOLOGIST, other_cell_user=OTHER),
]
# fmt: on
