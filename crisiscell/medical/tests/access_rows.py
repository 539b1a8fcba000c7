"""Access-matrix rows for the medico-legal examination.

On first use (``_build``; ``prepare`` only adds the other cell's officer) the rows add,
to the shared world, a case of its own (``medical_case``, an adult woman with every
consent) with a signed examination (``signed``) and one being written
(``draft``: an injury, a linked sample and a conclusion to remove), a female medico-legal
officer in KHI (the world's) and one in the other cell (``world.other_mlo``), who holds the
medical section but never in KHI, so every page of this case is a 404 to her.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.evidence.services import item_register
from crisiscell.medical.services import InjuryInput, examination_start, injury_add, opinion_add, sample_link
from crisiscell.medical.tests.helpers import complete_examination, consenting_case
from crisiscell.tests.factories import make_staff
from crisiscell.tests.matrix import Row, World


def prepare(world: World) -> None:
    world.other_mlo = make_staff(Role.MEDICO_LEGAL_OFFICER, world.other_cell, gender="female")


def _build(world: World) -> None:
    """The examination data, built on first use: rows of other domains never pay for it."""
    if "medical_case" in world.extra:
        return
    mlo = world.users[Role.MEDICO_LEGAL_OFFICER]
    mlo.gender = "female"
    mlo.save(update_fields=["gender"])
    case = consenting_case(world.users[Role.DESK_OFFICER], world.cell)
    world.extra["medical_case"] = case
    world.extra["signed"] = complete_examination(mlo, case, sign=True)
    draft = examination_start(actor=mlo, case=case)
    world.extra["draft"] = draft
    world.extra["injury"] = injury_add(
        actor=mlo, examination=draft, injury=InjuryInput("front", 50, 50, "Chin", "abrasion", "fresh")
    )
    world.extra["opinion"] = opinion_add(
        actor=mlo, examination=draft, conclusion="Consistent with her account", reasons="A fresh abrasion on the chin."
    )
    sample = item_register(actor=mlo, case=case, kind="ref_blood", collected_at=timezone.now())
    world.extra["sample"] = sample_link(actor=mlo, examination=draft, item=sample)


def _extra(w: World, name: str) -> Any:
    _build(w)
    return w.extra[name]


def _case(w: World) -> dict[str, Any]:
    return {"code": _extra(w, "medical_case").code}


def _exam(name: str) -> Any:
    return lambda w: {"examination_id": _extra(w, name).pk}


OTHER_MLO = "other_mlo"
REDIRECT = frozenset({302})
SHOWN_OR_REDIRECT = frozenset({200, 302})

# fmt: off
ROWS = [
    Row("medical:case", kwargs=_case, allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.DESK_OFFICER,
        other_cell_user=OTHER_MLO),
    Row("medical:start", kwargs=_case, method="post",
        data=lambda w: {"examiner": w.users[Role.MEDICO_LEGAL_OFFICER].pk,
                        "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.CASE_WORKER, other_cell_user=OTHER_MLO, ok_status=REDIRECT),
    Row("medical:examination", kwargs=_exam("draft"), allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.PSYCHOLOGIST,
        other_cell_user=OTHER_MLO),
    Row("medical:record", kwargs=_exam("draft"), method="post",
        data=lambda w: {"version": _extra(w, "draft").version, "came_alone": "on"},
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.CELL_HEAD, other_cell_user=OTHER_MLO,
        ok_status=SHOWN_OR_REDIRECT),
    Row("medical:findings", kwargs=_exam("draft"), method="post", data=lambda w: {"f_examined": "declined"},
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.LEGAL_ADVISER, other_cell_user=OTHER_MLO, ok_status=REDIRECT),
    Row("medical:injury", kwargs=_exam("draft"), method="post",
        data=lambda w: {"site": "Left wrist", "kind": "bruise", "estimated_age": "fresh",
                        "at_front.x": "30", "at_front.y": "150"},
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.CASE_WORKER, other_cell_user=OTHER_MLO, ok_status=REDIRECT),
    Row("medical:injury_remove", kwargs=lambda w: {"injury_id": _extra(w, "injury").pk}, method="post",
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.EVIDENCE_CUSTODIAN, other_cell_user=OTHER_MLO,
        ok_status=REDIRECT),
    Row("medical:sample", kwargs=_exam("draft"), method="post", data=lambda w: {},
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.EVIDENCE_CUSTODIAN, other_cell_user=OTHER_MLO),
    Row("medical:sample_unlink", kwargs=lambda w: {"examination_id": _extra(w, "draft").pk,
                                                   "item_id": _extra(w, "sample").pk},
        method="post", allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.POLICE_LIAISON, other_cell_user=OTHER_MLO,
        ok_status=REDIRECT),
    Row("medical:treatment", kwargs=_exam("draft"), method="post",
        data=lambda w: {"kind": "tetanus", "given": "no", "declined_reason": "Immunised last year"},
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.CASE_WORKER, other_cell_user=OTHER_MLO, ok_status=REDIRECT),
    Row("medical:opinion", kwargs=_exam("draft"), method="post",
        data=lambda w: {"conclusion": "No injury elsewhere", "reasons": "The rest of the body was examined."},
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.CELL_HEAD, other_cell_user=OTHER_MLO, ok_status=REDIRECT),
    Row("medical:opinion_remove", kwargs=lambda w: {"item_id": _extra(w, "opinion").pk}, method="post",
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.LEGAL_ADVISER, other_cell_user=OTHER_MLO, ok_status=REDIRECT),
    Row("medical:sign", kwargs=_exam("draft"), method="post",
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.CASE_WORKER, other_cell_user=OTHER_MLO, ok_status=REDIRECT),
    Row("medical:addendum", kwargs=_exam("signed"), method="post",
        data=lambda w: {"text": "Laboratory docket sent (synthetic addendum)."},
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.CELL_HEAD, other_cell_user=OTHER_MLO, ok_status=REDIRECT),
    # Export: the medico-legal officer and the legal adviser; the case worker and cell head only read.
    Row("medical:certificate", kwargs=_exam("signed"), method="post",
        data=lambda w: {"language": "en", "recipient_kind": "file", "recipient": "The cell's file",
                        "purpose": "Kept with the case"},
        allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.CASE_WORKER, other_cell_user=OTHER_MLO),
]
# fmt: on
