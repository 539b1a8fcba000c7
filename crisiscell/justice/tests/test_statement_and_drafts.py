"""Her statement (encrypted, read audited) and the drafts: only what she consented to release."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crisiscell.audit.models import AuditEvent
from crisiscell.cases.services import ConsentRequired, consent_record
from crisiscell.documents.models import Disclosure
from crisiscell.justice import selectors, services
from crisiscell.justice.tests.helpers import STATEMENT, release_consent, statement
from crisiscell.survivors.models import VaultRecord
from crisiscell.tests.pdf import attached_text, is_pdf, page_text


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_her_statement_is_encrypted_and_its_event_carries_no_words(case, liaison):
    recorded = statement(liaison, case)
    raw = bytes(VaultRecord.objects.get(pk=recorded.content_id).ciphertext)
    assert b"came to the house" not in raw
    (event,) = events("justice.statement_recorded")
    assert "house" not in event.details
    assert event.object_ref == case.code


def test_reading_her_statement_is_audited_and_another_cells_case_is_a_404(case, adviser, staff, other_cell):
    recorded = statement(adviser, case)
    shown = selectors.statement_read(adviser, case, recorded.pk)
    assert shown.text == STATEMENT
    (event,) = events("justice.statement_read")
    assert str(recorded.pk) in event.details
    from django.http import Http404

    outsider = staff("legal_adviser", other_cell, username="lhr-adviser")
    with pytest.raises(Http404):
        selectors.statement_read(outsider, case, recorded.pk)


def test_a_psychologist_cannot_record_a_statement(case, team):
    with pytest.raises(PermissionDenied):
        statement(team["psychologist"], case)


def test_the_fir_draft_is_refused_without_her_consent_to_release_and_says_which(case, adviser):
    statement(adviser, case)
    with pytest.raises(ConsentRequired, match="Release to the police"):
        services.fir_draft_issue(actor=adviser, case=case, language="en", police_station="PS Saddar (synthetic)")
    assert not Disclosure.objects.exists()
    assert not events("justice.fir_draft_issued")


def test_a_withdrawn_consent_refuses_the_draft_again(case, adviser, desk):
    release_consent(desk, case)
    consent_record(
        actor=desk, case=case, purpose="release_police", decision="refused", given_by="survivor", method="verbal",
        witness=adviser,
    )  # fmt: skip
    with pytest.raises(ConsentRequired):
        services.fir_draft_issue(actor=adviser, case=case, language="en", police_station="PS (synthetic)")


def test_the_fir_draft_holds_what_she_released_and_nothing_else(case, adviser, desk):
    # Given her consent and a statement she agreed to give to the police
    release_consent(desk, case)
    statement(adviser, case)
    # When the legal adviser drafts the FIR application
    draft = services.fir_draft_issue(
        actor=adviser, case=case, language="en", police_station="Police Station Saddar (synthetic)"
    )
    # Then the PDF holds her identity, the facts and her statement, and the CrPC 154 provisos
    assert is_pdf(draft.pdf)
    assert draft.includes_statement
    text = " ".join(page_text(draft.pdf).split())
    assert "Test Survivor (synthetic)" in text
    assert "35202-1234567-1" in text
    assert "came to the house at night" in text
    assert "PPC 375/376" in text
    assert "female family member or a person of her choice" in text
    assert "at her home or a place convenient to her" in text
    # ... but never her phone numbers or her safe-contact code word
    assert "0300" not in text
    assert "1234567 " not in text.replace("35202-1234567-1", "")
    assert "jasmine" not in text
    assert "jasmine" not in attached_text(draft.pdf)["text-en.txt"]
    # And the copy is in the disclosure ledger on her consent, and audited
    (disclosure,) = Disclosure.objects.all()
    assert disclosure.document == "fir_application"
    assert disclosure.consent is not None
    assert disclosure.includes_identity
    assert disclosure.recipient_kind == "police"
    (event,) = events("justice.fir_draft_issued")
    assert '"statement":true' in event.details
    assert len(events("document.disclosed")) == 1


def test_a_statement_she_did_not_agree_to_release_is_left_out(case, adviser, desk):
    release_consent(desk, case)
    statement(adviser, case, agreed=False, text="Private words she kept back (synthetic).")
    draft = services.fir_draft_issue(actor=adviser, case=case, language="en", police_station="PS (synthetic)")
    text = page_text(draft.pdf)
    assert "Private words" not in text
    assert "Private words" not in attached_text(draft.pdf)["text-en.txt"]
    assert not draft.includes_statement
    assert "she will give it to the police herself" in " ".join(text.split())


def test_the_urdu_draft_renders_right_to_left_with_her_words(case, adviser, desk):
    release_consent(desk, case)
    statement(adviser, case, text="وہ رات کو گھر آیا (مصنوعی)")
    draft = services.fir_draft_issue(actor=adviser, case=case, language="ur", police_station="تھانہ صدر")
    assert is_pdf(draft.pdf)
    copy = attached_text(draft.pdf)["text-ur.txt"]
    assert "وہ رات کو گھر آیا" in copy
    assert "تھانہ صدر" in copy
    # The offences alleged are named in Urdu, their sections as the code writes them
    assert "PPC 375/376 (زنا بالجبر (ریپ))" in copy
    assert "Rape" not in copy
    assert Disclosure.objects.get().language == "ur"


def test_only_the_legal_adviser_issues_drafts(case, liaison, desk):
    release_consent(desk, case)
    with pytest.raises(PermissionDenied):
        services.fir_draft_issue(actor=liaison, case=case, language="en", police_station="PS (synthetic)")


def test_the_justice_of_peace_draft_needs_a_recorded_refusal(case, adviser, desk):
    release_consent(desk, case)
    with pytest.raises(ValidationError, match="refusal"):
        services.jop_draft_issue(actor=adviser, case=case, language="en", police_station="PS (synthetic)")
    from django.utils import timezone

    services.refusal_record(
        actor=adviser, case=case, police_station="PS Saddar (synthetic)", refused_on=timezone.localdate()
    )
    assert len(events("justice.fir_refused")) == 1
    draft = services.jop_draft_issue(actor=adviser, case=case, language="en", police_station="PS Saddar (synthetic)")
    text = " ".join(page_text(draft.pdf).split())
    assert "22-A" in text
    assert "did not register her information" in text
    assert Disclosure.objects.get().document == "jop_application"
    assert len(events("justice.jop_draft_issued")) == 1
