"""What an FIR or Justice of Peace draft says: only what she agreed to release.

``draft_context`` is called by the draft services after they checked her consent
to release to the police. It reads the intake facts (time, place, offences, the
alleged perpetrators and their identifiers), her identity from the vault, and her
latest statement *only if* it was read back to her and she agreed to give it to the
police. Nothing medical, no counselling, no phone number, no code word, ever.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from crisiscell.cases.models import Case
from crisiscell.justice.models import RegistrationRefusal, Statement
from crisiscell.survivors.models import VaultRecord
from crisiscell.survivors.services import SurvivorIdentity, vault_read


def _identity(case: Case) -> SurvivorIdentity:
    record = VaultRecord.objects.filter(pk=case.survivor.identity_id).first()
    return SurvivorIdentity.from_payload(vault_read(record)) if record is not None else SurvivorIdentity()


def released_statement(case: Case) -> Statement | None:
    """Her latest statement, if she agreed it may be given to the police; else none at all."""
    latest = Statement.objects.filter(case=case).order_by("-recorded_at").select_related("content").first()
    return latest if latest is not None and latest.read_back_and_agreed else None


def draft_context(case: Case, *, police_station: str, refusal: RegistrationRefusal | None = None) -> dict[str, Any]:
    identity = _identity(case)
    statement = released_statement(case)
    perpetrators = []
    for p in case.perpetrators.select_related("identity").order_by("created_at"):
        identifiers = str(vault_read(p.identity).get("identifiers", "")) if p.identity is not None else ""
        perpetrators.append({"row": p, "identifiers": identifiers})
    return {
        "case": case,
        "identity": identity,
        "statement": statement,
        "statement_text": str(vault_read(statement.content).get("text", "")) if statement is not None else "",
        "perpetrators": perpetrators,
        "offences": list(case.offences.all()),
        "police_station": police_station,
        "refusal": refusal,
        "today": timezone.localdate(),
    }
