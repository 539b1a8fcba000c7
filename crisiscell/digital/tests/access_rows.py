"""Access-matrix rows for digital evidence.

``prepare`` adds, to the shared world: ``chat`` (a WhatsApp chat received for
``world.case``, with one message pinned as an exhibit), ``photo`` (an image marked
intimate) and ``pack`` (an issued NCCIA complaint pack, English copy).
"""

from __future__ import annotations

import io
from typing import Any

from django.db import transaction
from PIL import Image

from crisiscell.access.policy import Role
from crisiscell.cases.services import consent_record
from crisiscell.digital.models import ChatMessage
from crisiscell.digital.services import exhibit_pin, source_upload
from crisiscell.documents import storage
from crisiscell.documents.services import disclosure_record
from crisiscell.tests.factories import make_staff
from crisiscell.tests.matrix import Row, World

CHAT = b"31/12/2023, 21:15 - Unknown Test: synthetic threat, call 0300 0000012\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "blue").save(out, format="PNG")
    return out.getvalue()


def prepare(world: World) -> None:
    # The other cell's case worker holds the digital edit and export rights there: the
    # rows below check that these stop at the cell's edge (404, as for a missing object).
    vars(world)["other_case_worker"] = make_staff(Role.CASE_WORKER, world.other_cell, username="other_cw")
    worker = world.users[Role.CASE_WORKER]
    chat = source_upload(actor=worker, case=world.case, upload=io.BytesIO(CHAT), name="chat.txt", size=len(CHAT))
    photo_bytes = _png()
    photo = source_upload(
        actor=worker,
        case=world.case,
        upload=io.BytesIO(photo_bytes),
        name="p.png",
        size=len(photo_bytes),
        intimate=True,
    )
    message = ChatMessage.objects.filter(source=chat).first()
    assert message is not None
    exhibit_pin(actor=worker, message=message, note="", offences=[])
    consent_record(
        actor=world.users[Role.DESK_OFFICER],
        case=world.case,
        purpose="sharing",
        decision="given",
        given_by="survivor",
        method="signed_form",
    )
    # An issued pack's ledger entry, without rendering PDFs for every matrix world.
    pdf = b"%PDF-1.7 synthetic pack"
    with transaction.atomic():
        stored = storage.store(io.BytesIO(pdf), kind="nccia_pack", max_bytes=len(pdf), content_type="application/pdf")
        pack = disclosure_record(
            actor=worker,
            case=world.case,
            document="nccia_pack",
            recipient_kind="nccia",
            recipient="NCCIA (synthetic)",
            purpose="Complaint",
            file=stored,
            language="en",
            consent=world.case.consents.filter(purpose="sharing").first(),
        )
    world.extra.update(chat=chat, photo=photo, message=message, pack=pack)


def _case(w: World) -> dict[str, Any]:
    return {"code": w.case.code}


def _chat(w: World) -> dict[str, Any]:
    return {"source_id": w.extra["chat"].pk}


def _photo(w: World) -> dict[str, Any]:
    return {"source_id": w.extra["photo"].pk}


OCW = "other_case_worker"

# fmt: off
ROWS = [
    Row("digital:case", kwargs=_case, allowed=Role.CASE_WORKER, wrong=Role.PSYCHOLOGIST),
    Row("digital:upload", kwargs=_case, method="post", allowed=Role.CASE_WORKER, wrong=Role.DESK_OFFICER,
        other_cell_user=OCW, ok_status=frozenset({302})),
    Row("digital:timeline", kwargs=_case, allowed=Role.POLICE_LIAISON, wrong=Role.DESK_OFFICER),
    Row("digital:timeline", kwargs=_case, method="post", data=lambda w: {"q": "threat", "sender": ""},
        allowed=Role.POLICE_LIAISON, wrong=Role.DESK_OFFICER),
    Row("digital:ncii_record", kwargs=_case, method="post",
        data=lambda w: {"service": "stopncii", "case_number": "SNC-TEST-0001"},
        other_cell_user=OCW,
        allowed=Role.CASE_WORKER, wrong=Role.CELL_HEAD, ok_status=frozenset({302})),
    Row("digital:pack_issue", kwargs=_case, method="post",
        data=lambda w: {"recipient": "NCCIA (synthetic)", "purpose": "Complaint"},
        other_cell_user=OCW,
        allowed=Role.LEGAL_ADVISER, wrong=Role.POLICE_LIAISON, ok_status=frozenset({302})),
    Row("digital:source", kwargs=_chat, allowed=Role.MEDICO_LEGAL_OFFICER, wrong=Role.AUDITOR),
    Row("digital:source_timezone", kwargs=_chat, method="post", data=lambda w: {"timezone": "Asia/Karachi"},
        other_cell_user=OCW,
        allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.MEDICO_LEGAL_OFFICER, ok_status=frozenset({302})),
    Row("digital:source_date_order", kwargs=_chat, method="post", data=lambda w: {"date_order": "dmy"},
        other_cell_user=OCW,
        allowed=Role.LEGAL_ADVISER, wrong=Role.CELL_HEAD, ok_status=frozenset({302})),
    Row("digital:mark_intimate", kwargs=_photo, method="post", other_cell_user=OCW,
        allowed=Role.CASE_WORKER,
        wrong=Role.POLICE_LIAISON, ok_status=frozenset({302})),
    Row("digital:image", kwargs=_photo, allowed=Role.CELL_HEAD, wrong=Role.PSYCHOLOGIST),
    # Unblurring needs the digital view right and an intimate-image role (legal adviser, custodian).
    Row("digital:unblur", kwargs=_photo, method="post", data=lambda w: {"reason": "Checking the exhibit list"},
        allowed=Role.LEGAL_ADVISER, wrong=Role.CASE_WORKER),
    Row("digital:exhibit_pin", kwargs=lambda w: {"message_id": w.extra["message"].pk}, method="post",
        data=lambda w: {"note": "synthetic", "offences": ["PECA-24"]},
        other_cell_user=OCW,
        allowed=Role.CASE_WORKER, wrong=Role.CELL_HEAD, ok_status=frozenset({302})),
    Row("digital:pack_download", kwargs=lambda w: {"disclosure_id": w.extra["pack"].pk},
        other_cell_user=OCW,
        allowed=Role.EVIDENCE_CUSTODIAN, wrong=Role.POLICE_LIAISON),
    # National counts only: a cell head (statistics of one cell) is refused by the selector.
    Row("digital:repeat_statistics", allowed=Role.NATIONAL_ANALYST, wrong=Role.CELL_HEAD,
        other_cell_user="other_head", other_cell_status=frozenset({403, 404})),
    Row("digital:public_help", public=True),
]
# fmt: on
