"""The medico-legal certificate: both languages, identity by recipient, the disclosure ledger, the audit."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from crisiscell.access.policy import Role
from crisiscell.cases.services import ConsentRequired
from crisiscell.documents.models import Disclosure, StoredFile
from crisiscell.medical.certificate import certificate_for_bundle
from crisiscell.medical.services import certificate_issue, examination_start
from crisiscell.medical.tests.helpers import HISTORY, complete_examination, events
from crisiscell.tests.pdf import attached_text, is_pdf, page_text

pytestmark = pytest.mark.django_db

NAME = "Test Survivor (synthetic)"
ADDRESS = "House 1, Test Street (synthetic)"
ESCORT = "Test Escort (synthetic)"


@pytest.fixture
def signed(mlo, case):
    return complete_examination(mlo, case, sign=True)


def test_the_investigating_officers_copy_carries_her_identity_and_is_on_the_ledger(mlo, case, signed) -> None:
    # when the officer issues the English copy to the police, under her consent to release
    issued = certificate_issue(
        actor=mlo,
        examination=signed,
        language="en",
        recipient_kind="police",
        recipient="Investigating officer, PS Test (synthetic)",
        purpose="CrPC 164A: report to the investigating officer",
    )
    # then the PDF is an official certificate with everything CrPC 164A asks for
    assert is_pdf(issued.pdf)
    text = attached_text(issued.pdf)["text-en.txt"]
    for expected in [
        "STRICTLY CONFIDENTIAL",
        "Medico-legal certificate",
        case.code,
        case.cell.name,
        NAME,
        ADDRESS,
        ESCORT,
        HISTORY,
        "Left forearm",
        "Bruise",
        "Emergency contraception",
        "The findings are consistent with her account of recent force.",
        "Reasons: A fresh bruise on the forearm",
        signed.seal_sha256,
        "Signature and stamp",
    ]:
        assert expected in text, expected
    assert case.code in page_text(issued.pdf)
    # and the copy is on the disclosure ledger, with the consent it rests on and its hash
    disclosure = issued.disclosure
    assert disclosure.document == "ml_certificate"
    assert disclosure.recipient_kind == "police"
    assert disclosure.includes_identity is True
    assert disclosure.consent is not None
    assert disclosure.consent.purpose == "release_police"
    assert disclosure.sha256 == hashlib.sha256(issued.pdf).hexdigest()
    assert disclosure.file is not None
    assert StoredFile.objects.filter(pk=disclosure.file.pk, sha256=disclosure.sha256).exists()
    assert events("medical.certificate_issued", recipient_kind="police", identity=True, language="en")
    assert events("document.disclosed", document="ml_certificate", identity=True)


def test_other_copies_know_her_by_the_case_code_only(mlo, case, signed) -> None:
    # given she did not consent to sharing with other agencies
    with pytest.raises(ConsentRequired) as refused:
        certificate_issue(
            actor=mlo,
            examination=signed,
            language="en",
            recipient_kind="lawyer",
            recipient="Her lawyer",
            purpose="Bail",
        )
    assert refused.value.purpose == "sharing"
    assert not Disclosure.objects.exists()
    # when a written request is given instead, the copy is issued without any identity
    issued = certificate_issue(
        actor=mlo,
        examination=signed,
        language="en",
        recipient_kind="lawyer",
        recipient="Her lawyer (synthetic)",
        purpose="Her own case",
        order_reference="Her written request of today",
    )
    text = attached_text(issued.pdf)["text-en.txt"]
    assert "Identity withheld" in text
    assert case.code in text
    for identity in (NAME, ADDRESS, ESCORT):
        assert identity not in text
    assert issued.disclosure.includes_identity is False
    assert issued.disclosure.consent is None
    assert issued.disclosure.order_reference == "Her written request of today"
    assert events("medical.certificate_issued", recipient_kind="lawyer", identity=False)


def test_the_urdu_copy_is_in_urdu(mlo, case, signed) -> None:
    issued = certificate_issue(
        actor=mlo,
        examination=signed,
        language="ur",
        recipient_kind="court",
        recipient="Special court (synthetic)",
        purpose="Trial",
        order_reference="Summons 12/2026 (synthetic)",
    )
    text = attached_text(issued.pdf)["text-ur.txt"]
    with translation.override("ur"):
        expected = [
            gettext("Medico-legal certificate"),
            gettext("STRICTLY CONFIDENTIAL"),
            gettext("Medico-legal officer"),
            gettext("Treatment"),
            gettext("Opinion"),
            gettext("Reasons:"),
            gettext("Emergency contraception"),
        ]
    for words in expected:
        assert words in text, words
    # strings already in the Urdu catalogue come out in Urdu, in the text and on the page
    assert "میڈیکو لیگل آفیسر" in text
    assert any("\u0600" <= ch <= "\u06ff" for ch in page_text(issued.pdf))
    # the court's copy carries her identity; the case code and the hash stay in Latin
    assert NAME in text
    assert case.code in text
    assert signed.seal_sha256 in text
    assert issued.disclosure.language == "ur"
    assert issued.disclosure.includes_identity


def test_only_a_signed_examination_and_only_export_roles_issue_it(mlo, team, case, signed) -> None:
    with pytest.raises(PermissionDenied):
        certificate_issue(
            actor=team[Role.CASE_WORKER], examination=signed, language="en", recipient_kind="file",
            recipient="File", purpose="File",
        )  # fmt: skip
    draft = examination_start(actor=mlo, case=case)
    with pytest.raises(ValidationError, match="Only a signed examination"):
        certificate_issue(
            actor=mlo, examination=draft, language="en", recipient_kind="file", recipient="File", purpose="File"
        )
    assert not Disclosure.objects.exists()
    assert not events("medical.certificate_issued")


def test_the_court_bundle_takes_the_courts_copy(mlo, case, cell, desk) -> None:
    from crisiscell.medical.tests.helpers import consenting_case

    assert certificate_for_bundle(consenting_case(desk, cell)) is None
    complete_examination(mlo, case, sign=True)
    pdf = certificate_for_bundle(case)
    assert pdf is not None
    assert NAME in attached_text(pdf)["text-en.txt"]


def test_the_certificate_is_downloaded_from_the_page(mlo, case, signed, logged_in) -> None:
    response = logged_in(mlo).post(
        reverse("medical:certificate", kwargs={"examination_id": signed.pk}),
        {"language": "en", "recipient_kind": "file", "recipient": "The cell's file", "purpose": "Kept on file"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(f'attachment; filename="certificate-{case.code}-en-')
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient_kind == "file"
    assert not disclosure.includes_identity
    assert disclosure.sha256 == hashlib.sha256(response.content).hexdigest()


@pytest.mark.parametrize(
    ("role", "recipient_kind", "carries_certificate"),
    [
        (Role.LEGAL_ADVISER, "court", True),  # may export the medical section; the court may have it
        (Role.LEGAL_ADVISER, "police", True),  # the investigating officer (CrPC 164A)
        (Role.LEGAL_ADVISER, "lawyer", False),  # her lawyer gets the custody record only
        (Role.EVIDENCE_CUSTODIAN, "court", False),  # the custodian may not issue medical records
    ],
)
def test_a_court_bundle_carries_the_certificate_only_to_whom_it_may_go(
    tmp_path, settings, team, mlo, case, signed, role, recipient_kind, carries_certificate
) -> None:
    import io
    import zipfile

    from crisiscell.documents.services import court_bundle_issue

    settings.CRISISCELL_MEDIA_DIR = tmp_path / "media"
    # given a signed examination, when someone with the evidence export right issues a bundle
    bundle, disclosure = court_bundle_issue(
        actor=team[role],
        case=case,
        recipient_kind=recipient_kind,
        recipient="Recipient (synthetic)",
        purpose="Trial",
        order_reference="Order 1/2026 (test)",
    )
    # then the certificate is inside only for the court or the police, issued by a role that may export it
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        names = archive.namelist()
    assert any(name.endswith("certificate-en.pdf") for name in names) is carries_certificate
    assert disclosure.includes_identity is carries_certificate
