"""Builders for the evidence tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from crisiscell.audit.models import AuditEvent
from crisiscell.evidence import services
from crisiscell.evidence.models import EvidenceItem


def register(actor: Any, case: Any, kind: str = "swab_hvs", minutes_ago: int = 30) -> EvidenceItem:
    return services.item_register(
        actor=actor, case=case, kind=kind, collected_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


def sealed(actor: Any, case: Any, kind: str = "swab_hvs", *, hours_ago: float = 0.5) -> EvidenceItem:
    """An item collected ``hours_ago`` and sealed a minute later."""
    collected_at = timezone.now() - timedelta(hours=hours_ago)
    item = services.item_register(actor=actor, case=case, kind=kind, collected_at=collected_at)
    return services.item_seal(
        actor=actor,
        item=item,
        seal_number="S-100 (test)",
        sealer_initials="ec",
        at=collected_at + timedelta(minutes=1),
    )


def actions(ref: str) -> list[str]:
    """The audit actions about an item or a case, oldest first."""
    return list(AuditEvent.objects.filter(object_ref=ref).order_by("id").values_list("action", flat=True))


def details(event: AuditEvent) -> dict[str, Any]:
    """An audit event's details (stored as canonical JSON text)."""
    return event.details_dict()


def qr_images(pdf: bytes) -> list[Any]:
    """The bitmaps drawn in a PDF (PIL images), in page order."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return [picture.image for page in reader.pages for picture in page.images]


def qr_modules(image: Any, *, scale: int, border: int) -> list[list[int]]:
    """Read a QR bitmap back into its module grid (1 = dark), sampling each module's centre."""
    grey = image.convert("L")
    size = grey.width // scale - 2 * border
    return [
        [1 if grey.getpixel(((border + x) * scale + scale // 2, (border + y) * scale + scale // 2)) < 128 else 0
         for x in range(size)]
        for y in range(size)
    ]  # fmt: skip
