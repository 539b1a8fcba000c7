"""Recording what leaves the cell: the disclosure ledger."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.models import Case, Consent
from crisiscell.documents import storage
from crisiscell.documents.bundle import Bundle, build
from crisiscell.documents.models import Disclosure, RecipientKind, StoredFile


def disclosure_record(
    *,
    actor: User,
    case: Case,
    document: str,
    recipient_kind: str,
    recipient: str,
    purpose: str,
    content: bytes | None = None,
    file: StoredFile | None = None,
    language: str = "",
    consent: Consent | None = None,
    order_reference: str = "",
    includes_identity: bool = False,
) -> Disclosure:
    """Add a copy issued to the ledger. Audits ``document.disclosed`` (never the content).

    Call inside the transaction of the service that produced the document, after it
    has checked the policy and the consent or order that allows this copy.
    """
    if consent is None and not order_reference.strip() and recipient_kind != "file":
        raise ValidationError(_("A copy that leaves the cell needs her consent or an order."))
    if not recipient.strip() or not purpose.strip():
        raise ValidationError(_("Say to whom the copy goes and why."))
    digest = file.sha256 if file is not None else hashlib.sha256(content or b"").hexdigest()
    disclosure = Disclosure.objects.create(
        case=case,
        document=document,
        language=language,
        recipient_kind=recipient_kind,
        recipient=recipient.strip()[:200],
        purpose=purpose.strip()[:300],
        consent=consent,
        order_reference=order_reference.strip()[:200],
        includes_identity=includes_identity,
        file=file,
        sha256=digest,
        issued_by=actor,
        issued_at=timezone.now(),
    )
    audit_record(
        action="document.disclosed",
        actor=actor,
        cell=case.cell,
        object_type="case",
        object_ref=case.code,
        details={
            "document": document,
            "recipient_kind": recipient_kind,
            "identity": includes_identity,
            "sha256": digest,
        },
    )
    return disclosure


# Who may receive the medico-legal certificate inside a court bundle: the certificate goes to the
# investigating officer and the court (CrPC 164A); other recipients get the custody record only.
CERTIFICATE_RECIPIENTS = frozenset({RecipientKind.COURT, RecipientKind.POLICE})


def _bundle_certificate(actor: User, case: Case, recipient_kind: str) -> Callable[[Case], bytes | None] | None:
    """The court's copy of the signed certificate, when this recipient may have it and this actor may issue it."""
    if recipient_kind not in CERTIFICATE_RECIPIENTS:
        return None
    if not allows_in_cell(actor, case.cell, Section.MEDICAL, Action.EXPORT):
        return None
    # Imported here: the medical package renders its certificate with this package's PDF code.
    from crisiscell.medical.certificate import certificate_for_bundle

    return certificate_for_bundle


def court_bundle_issue(
    *,
    actor: User,
    case: Case,
    recipient_kind: str,
    recipient: str,
    purpose: str,
    order_reference: str = "",
    consent: Consent | None = None,
    certificate: Callable[[Case], bytes | None] | None = None,
) -> tuple[Bundle, Disclosure]:
    """Build and issue a court bundle. Needs the evidence export right in the case's cell.

    Stored write-once, recorded in the disclosure ledger and audited
    (``document.court_bundle``). Seals pending audit events first.
    """
    if not allows_in_cell(actor, case.cell, Section.EVIDENCE, Action.EXPORT):
        raise PermissionDenied
    # The basis is checked before anything is built or stored (disclosure_record checks it again).
    if consent is None and not order_reference.strip():
        raise ValidationError(_("A copy that leaves the cell needs her consent or an order."))
    if not recipient.strip() or not purpose.strip():
        raise ValidationError(_("Say to whom the copy goes and why."))
    if certificate is None:
        certificate = _bundle_certificate(actor, case, recipient_kind)
    bundle = build(case, certificate=certificate)
    with transaction.atomic():
        stored = storage.store(
            io.BytesIO(bundle.data), kind="court_bundle", max_bytes=len(bundle.data), content_type="application/zip"
        )
        disclosure = disclosure_record(
            actor=actor,
            case=case,
            document="court_bundle",
            recipient_kind=recipient_kind,
            recipient=recipient,
            purpose=purpose,
            file=stored,
            consent=consent,
            order_reference=order_reference,
            includes_identity="certificate-en.pdf" in bundle.files,
        )
        audit_record(
            action="document.court_bundle",
            actor=actor,
            cell=case.cell,
            object_type="case",
            object_ref=case.code,
            details={"events": len(bundle.event_ids), "sha256": stored.sha256},
        )
    return bundle, disclosure
