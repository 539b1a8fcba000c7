"""The medico-legal certificate: a signed examination as an official PDF, in English or Urdu.

Which copy carries identity depends on its recipient (``services.IDENTITY_RECIPIENTS``):
the investigating officer's and the court's copies carry the name and address of the
woman and of the person who brought her (CrPC 164A); every other copy knows her by the
case code only. Rendering is not issuing: ``services.certificate_issue`` checks the
policy, records the copy in the disclosure ledger and audits it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from crisiscell.cases.models import Case
from crisiscell.documents.models import RecipientKind
from crisiscell.documents.pdf import render_pdf
from crisiscell.medical import diagrams
from crisiscell.medical.models import BodyView, ExamStatus, MedicoLegalExamination
from crisiscell.medical.selectors import examination_content
from crisiscell.survivors.services import SurvivorIdentity, vault_read


def certificate_context(
    examination: MedicoLegalExamination, *, with_identity: bool, recipient_kind: str = ""
) -> dict[str, Any]:
    page = examination_content(examination)
    identity = None
    if with_identity and examination.case.survivor.identity_id:
        identity = SurvivorIdentity.from_payload(vault_read(examination.case.survivor.identity))
    figures = [
        {
            "view": BodyView(view).label,
            "src": diagrams.data_uri(
                diagrams.svg(view, [diagrams.Mark(n, i.x, i.y) for n, i in page.injuries_by_view[view]])
            ),
        }
        for view in BodyView.values
        if page.injuries_by_view[view]
    ]
    return {
        "page": page,
        "case": examination.case,
        "examination": examination,
        "identity": identity,
        "with_identity": with_identity,
        "recipient_kind": recipient_kind,
        "recipient_label": RecipientKind(recipient_kind).label if recipient_kind else "",
        "figures": figures,
        "made_at": timezone.now(),
    }


def render_certificate(
    examination: MedicoLegalExamination, *, language: str, with_identity: bool, recipient_kind: str = ""
) -> bytes:
    context = certificate_context(examination, with_identity=with_identity, recipient_kind=recipient_kind)
    return render_pdf("medical/certificate.html", context, language=language)


def certificate_for_bundle(case: Case) -> bytes | None:
    """The court's copy (English, with identity) of the latest signed examination, for a court bundle."""
    examination = (
        MedicoLegalExamination.objects.filter(case=case, status=ExamStatus.SIGNED).order_by("-signed_at").first()
    )
    if examination is None:
        return None
    return render_certificate(examination, language="en", with_identity=True, recipient_kind="court")
