"""Builders for justice tests and the access matrix (synthetic data only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from crisiscell.cases.models import Case
from crisiscell.cases.services import consent_record
from crisiscell.justice import services
from crisiscell.justice.models import CourtCase, PoliceCase

STATEMENT = "He came to the house at night (synthetic statement for tests)."


def release_consent(actor: Any, case: Case) -> Any:
    return consent_record(
        actor=actor, case=case, purpose="release_police", decision="given", given_by="survivor", method="signed_form"
    )


def statement(actor: Any, case: Case, *, agreed: bool = True, text: str = STATEMENT) -> Any:
    return services.statement_record(
        actor=actor,
        case=case,
        text=text,
        language="Urdu",
        place="cell",
        companion_present=True,
        read_back_and_agreed=agreed,
    )


def fir(actor: Any, case: Case, *, registered_at: Any = None) -> PoliceCase:
    return services.fir_record(
        actor=actor,
        case=case,
        fir_number="123/2026",
        police_station="Police Station Saddar (synthetic)",
        registered_at=registered_at or timezone.now() - timedelta(hours=1),
        section_codes=["PPC-375"],
        investigating_officer="SI Test Officer (synthetic)",
    )


def court(actor: Any, case: Case, *, days_ago: int = 10) -> CourtCase:
    return services.court_case_open(
        actor=actor,
        case=case,
        special_court="Special Court (Anti-Rape) I (synthetic)",
        case_number="SC-1/2026",
        cognizance_on=timezone.localdate() - timedelta(days=days_ago),
    )
