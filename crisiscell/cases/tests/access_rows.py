"""Access-matrix rows for the case URLs: intake, cases, the board, tasks, clocks, alerts, rules."""

from __future__ import annotations

from typing import Any

from crisiscell.access.policy import Role
from crisiscell.cases.models import Alert, TaskKind
from crisiscell.tests.matrix import Row, World, cell_kwargs


def prepare(world: World) -> None:
    world.extra["task"] = world.case.tasks.get(kind=TaskKind.OTHER_ACTION)
    world.extra["alerts"] = {
        user.pk: Alert.objects.create(user=user, case=world.case, kind="new_case", created_at=world.case.arrival_at)
        for user in [*world.users.values(), world.other_desk, world.other_head, world.other_auditor]
    }


def _case(w: World) -> dict[str, Any]:
    return {"code": w.case.code}


def _draft(w: World) -> dict[str, Any]:
    return {"cell_code": w.cell.code, "draft_id": w.draft.pk}


def _task(w: World) -> dict[str, Any]:
    return {"task_id": w.extra["task"].pk}


# fmt: off
ROWS = [
    Row("cases:list", kwargs=cell_kwargs, allowed=Role.DESK_OFFICER, wrong=Role.AUDITOR,
        other_cell_user="other_desk"),
    Row("cases:intake", kwargs=cell_kwargs, allowed=Role.DESK_OFFICER, wrong=Role.EVIDENCE_CUSTODIAN,
        other_cell_user="other_desk"),
    Row("cases:intake_draft", kwargs=_draft, allowed=Role.DESK_OFFICER, wrong=Role.PSYCHOLOGIST,
        other_cell_user="other_desk"),
    Row("cases:intake_discard", kwargs=_draft, method="post", allowed=Role.DESK_OFFICER,
        wrong=Role.MEDICO_LEGAL_OFFICER, other_cell_user="other_desk", ok_status=frozenset({302})),
    Row("cases:detail", kwargs=_case, allowed=Role.DESK_OFFICER, wrong=Role.AUDITOR,
        other_cell_user="other_desk"),
    Row("cases:edit", kwargs=_case, allowed=Role.CASE_WORKER, wrong=Role.PSYCHOLOGIST,
        other_cell_user="other_desk"),
    Row("cases:consent_add", kwargs=_case, method="post",
        data=lambda w: {"purpose": "photographs", "decision": "given", "given_by": "survivor",
                        "method": "verbal", "child_assent": "n/a"},
        allowed=Role.DESK_OFFICER, wrong=Role.LEGAL_ADVISER, other_cell_user="other_desk",
        ok_status=frozenset({302})),
    Row("cases:consent_revoke", kwargs=lambda w: {"code": w.case.code, "consent_id": w.consent.pk},
        method="post", allowed=Role.CASE_WORKER, wrong=Role.EVIDENCE_CUSTODIAN,
        other_cell_user="other_desk", ok_status=frozenset({302})),
    Row("cases:board", kwargs=cell_kwargs, allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.AUDITOR,
        other_cell_user="other_desk"),
    Row("cases:board_rows", kwargs=cell_kwargs, allowed=Role.DESK_OFFICER, wrong=Role.NATIONAL_ANALYST,
        other_cell_user="other_desk"),
    Row("cases:national_board", allowed=Role.NATIONAL_ANALYST, wrong=Role.CELL_HEAD,
        other_cell_user="other_head", other_cell_status=frozenset({403})),
    Row("cases:rules", allowed=Role.EVIDENCE_CUSTODIAN, other_cell_status=frozenset({200})),
    Row("cases:task_take", method="post", data=lambda w: {"task": str(w.extra["task"].pk)},
        allowed=Role.CASE_WORKER, wrong=Role.AUDITOR, other_cell_user="other_desk", ok_status=frozenset({302})),
    Row("cases:task_close", kwargs=_task, method="post", data=lambda w: {"status": "done"},
        allowed=Role.CASE_WORKER, wrong=Role.AUDITOR, other_cell_user="other_desk",
        ok_status=frozenset({302})),
    Row("cases:clock_resolve", kwargs=_case, method="post",
        data=lambda w: {"clock_key": "swab_oral", "state": "n/a", "note": "not indicated"},
        allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.AUDITOR, other_cell_user="other_desk",
        ok_status=frozenset({302})),
    Row("cases:contact_attempt", kwargs=_case, method="post",
        data=lambda w: {"method": "text", "outcome": "reached"},
        allowed=Role.CASE_WORKER, wrong=Role.PSYCHOLOGIST, other_cell_user="other_desk",
        ok_status=frozenset({302})),
    Row("cases:alerts", allowed=Role.PSYCHOLOGIST, other_cell_status=frozenset({200})),
    # Anyone may mark her own alerts read, only her own (another's are untouched: test_board).
    Row("cases:alerts_read", method="post", data=lambda w: {"case": w.case.pk, "kind": "new_case"},
        allowed=Role.DESK_OFFICER, other_cell_user="other_desk",
        other_cell_status=frozenset({302}), ok_status=frozenset({302})),
]
# fmt: on
