"""The NCCIA complaint pack: what the agency asks for, the exhibits in time order, every file's hash.

Rendered by WeasyPrint (``documents.pdf``) in English or Urdu. Messages are rendered
from their raw text inside ``<bdi>`` so Urdu, English and numbers in one message
keep their order. The complainant's CNIC and contact details are left as blanks she
fills in herself: the pack carries no identity from the vault, only the identifiers
found in the messages (the agency asks for them).
"""

from __future__ import annotations

from typing import Any

from crisiscell.cases.models import Case
from crisiscell.digital import peca
from crisiscell.digital.models import DigitalSource
from crisiscell.digital.selectors import exhibits_of, identifiers_of
from crisiscell.documents.pdf import render_pdf


def pack_context(case: Case) -> dict[str, Any]:
    exhibits = exhibits_of(case)
    offences = {o.code: o for e in exhibits for o in e.offences.all()}
    return {
        "case": case,
        "exhibits": exhibits,
        "offences": [
            {"offence": o, "steps": peca.next_steps(o), "penalty": peca.max_penalty(o)}
            for o in sorted(offences.values(), key=lambda o: o.code)
        ],
        "sources": list(
            DigitalSource.objects.filter(case=case).select_related("file", "parent").order_by("received_at", "member")
        ),
        "identifiers": identifiers_of(case),
        "e2ee": DigitalSource.objects.filter(case=case, e2ee_cutover=True).exists(),
    }


def render_pack(case: Case, *, language: str) -> bytes:
    return render_pdf("digital/nccia_pack.html", pack_context(case), language=language)
