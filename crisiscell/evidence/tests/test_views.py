"""The evidence pages end to end: register, seal, hand over by code, receipts and labels, laboratory, bundle."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from crisiscell.access.policy import Action, Role, Section, roles_allowing
from crisiscell.audit.models import AuditEvent
from crisiscell.documents.models import Disclosure
from crisiscell.evidence import services
from crisiscell.evidence.models import CustodyEvent, EvidenceItem, EvidenceStatus, LabSubmission
from crisiscell.evidence.tests.helpers import qr_images, qr_modules, sealed
from crisiscell.evidence.views import QR_BORDER, QR_SCALE, receipt_payload
from crisiscell.tests.factories import current_code
from crisiscell.tests.pdf import attached_text, is_pdf

LOCAL = "%Y-%m-%dT%H:%M"


def _local(delta: timedelta = timedelta()) -> str:
    return timezone.localtime(timezone.now() + delta).strftime(LOCAL)


def test_the_case_page_shows_the_evidence_panel_only_to_roles_with_the_section(case, mlo, team, logged_in):
    sealed(mlo, case)
    page = logged_in(mlo).get(reverse("cases:detail", kwargs={"code": case.code}))
    assert reverse("evidence:case", kwargs={"code": case.code}) in page.content.decode()
    assert "1 item recorded" in page.content.decode()
    desk_page = logged_in(team[Role.DESK_OFFICER]).get(reverse("cases:detail", kwargs={"code": case.code}))
    assert reverse("evidence:case", kwargs={"code": case.code}) not in desk_page.content.decode()


# Same-site links a page offers its reader (downloads included: they answer GET too).
_LINK = re.compile(r'href="(/[^"#?]*)"')


@pytest.mark.parametrize("role", [role for role in Role if role not in (Role.NATIONAL_ANALYST, Role.AUDITOR)])
def test_no_link_on_the_case_and_evidence_pages_leads_its_reader_to_a_refusal(case, custodian, team, logged_in, role):
    """A link a role cannot follow (a hand-overs page for someone who holds no evidence) is a dead end at 3 a.m."""
    sealed(custodian, case)
    client = logged_in(team[role])
    pages = [reverse("cases:detail", kwargs={"code": case.code}), reverse("evidence:case", kwargs={"code": case.code})]
    refused = []
    for page in pages:
        response = client.get(page)
        if response.status_code != 200:  # a role without the evidence section: covered by the access matrix
            continue
        for link in sorted(set(_LINK.findall(response.content.decode()))):
            if link.startswith(("/static/", "/logout/")):
                continue
            status = client.get(link).status_code
            if status in (403, 404, 500):
                refused.append(f"{page} -> {link}: {status}")
    assert not refused, refused
    handovers = reverse("evidence:handovers")
    shown = handovers in client.get(pages[0]).content.decode()
    assert shown == (role in roles_allowing(Section.EVIDENCE, Action.EDIT))


def test_register_seal_and_store_through_the_pages(case, custodian, logged_in):
    client = logged_in(custodian)
    # Register
    response = client.post(
        reverse("evidence:register", kwargs={"code": case.code}),
        {"kind": "swab_oral", "collected_at": _local(-timedelta(minutes=20)), "description": "Oral swab (test)"},
    )
    item = EvidenceItem.objects.get(case=case)
    assert response["Location"] == reverse("evidence:item", kwargs={"human_id": item.human_id})
    # Seal
    client.post(
        reverse("evidence:seal", kwargs={"human_id": item.human_id}),
        {"seal_number": "S-55", "sealer_initials": "EC", "sealed_on": timezone.localdate().isoformat()},
    )
    # Store
    client.post(
        reverse("evidence:store", kwargs={"human_id": item.human_id}), {"place": "Fridge 1", "temperature": "4 °C"}
    )
    item.refresh_from_db()
    assert (item.status, item.seal_number, item.storage_place) == (EvidenceStatus.IN_STORAGE, "S-55", "Fridge 1")
    # The item page shows its whole custody history, audited as a read
    page = client.get(reverse("evidence:item", kwargs={"human_id": item.human_id})).content.decode()
    for label in ("Collected", "Sealed", "Placed in storage", "Fridge 1"):
        assert label in page
    assert AuditEvent.objects.filter(action="evidence.viewed", object_ref=item.human_id).exists()
    # The case page lists it with the sample windows
    case_page = client.get(reverse("evidence:case", kwargs={"code": case.code})).content.decode()
    assert item.human_id in case_page
    assert "Oral swab" in case_page


def test_an_illegal_status_through_the_page_is_refused_with_a_message(case, custodian, logged_in):
    item = sealed(custodian, case)
    client = logged_in(custodian)
    response = client.post(
        reverse("evidence:status", kwargs={"human_id": item.human_id}), {"to": "returned"}, follow=True
    )
    item.refresh_from_db()
    assert item.status == EvidenceStatus.SEALED
    assert "cannot become" in response.content.decode()


def test_a_hand_over_between_colleagues_completes_only_with_the_receivers_code(case, mlo, custodian, logged_in):
    # Given a sealed item held by the officer
    item = sealed(mlo, case)
    giver = logged_in(mlo)
    giver.post(
        reverse("evidence:handover", kwargs={"human_id": item.human_id}),
        {"receiver": str(custodian.pk), "purpose": "To the store", "seal_intact": "on"},
    )
    event = CustodyEvent.objects.get(item=item, state=CustodyEvent.State.PENDING)
    # The giver cannot confirm it, even with her own current code: to her it does not exist
    own = current_code(TOTPDevice.objects.get(user=mlo))
    refused = giver.post(reverse("evidence:handover_confirm", kwargs={"event_id": event.pk}), {"token": own})
    assert refused.status_code == 404
    # The receiver sees it waiting for her
    receiver = logged_in(custodian)
    waiting = receiver.get(reverse("evidence:handovers")).content.decode()
    assert item.human_id in waiting
    # A wrong code is refused
    code = current_code(TOTPDevice.objects.get(user=custodian))
    wrong = "000000" if code != "000000" else "111111"
    receiver.post(reverse("evidence:handover_confirm", kwargs={"event_id": event.pk}), {"token": wrong})
    item.refresh_from_db()
    assert item.holder == mlo
    assert AuditEvent.objects.filter(action="evidence.handover_refused").count() == 1
    # Her own code (after the throttle delay) completes it
    import time_machine

    with time_machine.travel(timezone.now() + timedelta(seconds=45)):
        code = current_code(TOTPDevice.objects.get(user=custodian))
        receiver.post(reverse("evidence:handover_confirm", kwargs={"event_id": event.pk}), {"token": code})
    item.refresh_from_db()
    event.refresh_from_db()
    assert (item.holder, event.state) == (custodian, CustodyEvent.State.COMPLETE)
    assert AuditEvent.objects.filter(action="evidence.handover_confirmed", actor=custodian).count() == 1


def test_a_hand_over_outside_prints_a_custody_receipt_with_its_qr_code(case, custodian, logged_in):
    item = sealed(custodian, case)
    client = logged_in(custodian)
    client.post(
        reverse("evidence:handover_external", kwargs={"human_id": item.human_id}),
        {
            "name": "Sub-Inspector (synthetic)",
            "rank": "Badge 5521",
            "organisation": "PS Clifton (test)",
            "purpose": "Take to PFSA under docket 7 (test)",
            "seal_intact": "on",
        },
    )
    event = CustodyEvent.objects.get(item=item, kind="handover")
    response = client.get(reverse("evidence:receipt", kwargs={"event_id": event.pk}))
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert is_pdf(pdf)
    text = attached_text(pdf)["text-en.txt"]
    for expected in ("Custody receipt", item.human_id, "Sub-Inspector (synthetic)", "Badge 5521", "PS Clifton (test)"):
        assert expected in text
    # The QR code's text is printed under it, and the code itself is drawn (a vector image)
    assert f"CRISISCELL-CUSTODY|{item.human_id}|{event.pk}|audit#{event.audit_event_id}|" in text
    # The bitmap in the PDF is exactly the QR symbol of that text, module for module
    payload = receipt_payload(event)
    expected_modules = [list(row) for row in segno.make(payload, error="m").matrix]
    drawn = [qr_modules(image, scale=QR_SCALE, border=QR_BORDER) for image in qr_images(pdf)]
    assert expected_modules in drawn
    assert AuditEvent.objects.filter(action="evidence.receipt_printed", object_ref=item.human_id).exists()


def test_the_receipt_exists_only_for_hand_overs_outside(case, custodian, logged_in):
    item = sealed(custodian, case)
    sealed_movement = item.custody.get(kind="sealed")
    response = logged_in(custodian).get(reverse("evidence:receipt", kwargs={"event_id": sealed_movement.pk}))
    assert response.status_code == 404


def test_the_label_sheet_has_every_item_number_and_is_audited(case, custodian, logged_in):
    items = [sealed(custodian, case), sealed(custodian, case, "ref_blood")]
    response = logged_in(custodian).get(reverse("evidence:labels", kwargs={"code": case.code}))
    assert is_pdf(response.content)
    text = attached_text(response.content)["text-en.txt"]
    for item in items:
        assert item.human_id in text
    assert AuditEvent.objects.filter(action="evidence.labels_printed", object_ref=case.code).exists()


def test_each_label_carries_the_qr_code_of_its_item_number(case, custodian, logged_in):
    item = sealed(custodian, case)
    response = logged_in(custodian).get(reverse("evidence:labels", kwargs={"code": case.code}))
    drawn = [qr_modules(image, scale=QR_SCALE, border=QR_BORDER) for image in qr_images(response.content)]
    assert drawn == [[list(row) for row in segno.make(item.human_id, error="m").matrix]]


def test_laboratory_dispatch_receipt_and_result_upload_through_the_pages(case, custodian, logged_in):
    item = sealed(custodian, case, hours_ago=3)
    client = logged_in(custodian)
    client.post(
        reverse("evidence:lab_submit", kwargs={"code": case.code}),
        {"laboratory": "nfsa", "docket_number": "RC 44 (test)", "dispatched_at": _local(-timedelta(hours=2)),
         "items": [item.human_id]},
    )  # fmt: skip
    submission = LabSubmission.objects.get(case=case)
    client.post(
        reverse("evidence:lab_received", kwargs={"submission_id": submission.pk}),
        {"received_at": _local(-timedelta(hours=1))},
    )
    document = SimpleUploadedFile("result.pdf", b"%PDF-1.4 result (test)", content_type="application/pdf")
    client.post(
        reverse("evidence:lab_result", kwargs={"submission_id": submission.pk}),
        {"document": document, "received_at": _local(), "summary": "Profile (test)"},
    )
    submission.refresh_from_db()
    assert submission.result_file is not None
    page = client.get(reverse("evidence:case", kwargs={"code": case.code})).content.decode()
    assert submission.result_file.sha256 in page
    download = client.get(reverse("evidence:lab_download", kwargs={"submission_id": submission.pk}))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 result (test)"
    assert AuditEvent.objects.filter(action="evidence.downloaded", object_ref=case.code).exists()


def _zip_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def test_the_court_bundle_button_issues_a_bundle_audited_and_in_the_ledger(case, custodian, team, logged_in):
    sealed(custodian, case)
    adviser = logged_in(team[Role.LEGAL_ADVISER])
    url = reverse("evidence:court_bundle", kwargs={"code": case.code})
    assert adviser.get(url).status_code == 200
    # Without an order it is refused, and nothing is recorded
    refused = adviser.post(url, {"recipient_kind": "court", "recipient": "Special court (test)", "purpose": "Trial"})
    assert refused.status_code == 200
    assert not Disclosure.objects.exists()
    response = adviser.post(
        url,
        {"recipient_kind": "court", "recipient": "Special court (test)", "purpose": "Trial", "order_reference": "O-1"},
    )
    assert response["Content-Type"] == "application/zip"
    names = _zip_names(response.content)
    assert f"court-bundle-{case.code}/verify.py" in names
    assert f"court-bundle-{case.code}/events.json" in names
    disclosure = Disclosure.objects.get(document="court_bundle")
    assert (disclosure.recipient, disclosure.order_reference) == ("Special court (test)", "O-1")
    assert AuditEvent.objects.filter(action="document.court_bundle", actor=team[Role.LEGAL_ADVISER]).count() == 1
    # The medico-legal officer has no export right: no button, and the page is refused
    assert logged_in(team[Role.MEDICO_LEGAL_OFFICER]).get(url).status_code == 403


def test_the_court_bundle_command_writes_a_verifiable_bundle(case, custodian, tmp_path: Path):
    item = sealed(custodian, case)
    services.item_store(actor=custodian, item=item, place="Fridge (test)", temperature="4 C")
    target = tmp_path / "bundle.zip"
    out = io.StringIO()
    call_command("court_bundle", case.code, "--by", custodian.username, "--order", "Order 5 (test)",
                 "--output", str(target), stdout=out)  # fmt: skip
    assert "Recorded in the disclosure ledger" in out.getvalue()
    with zipfile.ZipFile(target) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / f"court-bundle-{case.code}"
    events = json.loads((folder / "events.json").read_text())
    assert {e["action"] for e in events} >= {"evidence.custody", "evidence.registered"}
    assert len([e for e in events if e["action"] == "evidence.custody"]) == 3
    import subprocess
    import sys

    result = subprocess.run(  # noqa: S603 - the bundle's own verifier
        [sys.executable, str(folder / "verify.py")], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout
    assert Disclosure.objects.get(document="court_bundle").order_reference == "Order 5 (test)"
    assert AuditEvent.objects.filter(action="document.court_bundle", object_ref=case.code).count() == 1


def test_the_court_bundle_command_refuses_someone_without_export(case, mlo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("court_bundle", case.code, "--by", mlo.username, "--order", "O (test)", stdout=io.StringIO())
    assert not Disclosure.objects.exists()


def test_no_two_controls_on_the_item_or_case_page_share_an_id(mlo, case, logged_in):
    """The hand-over and the external hand-over both ask the purpose, the seal and the condition:
    with the same ids, the second form's labels named the first form's fields."""
    item = sealed(mlo, case)
    client = logged_in(mlo)
    for url in (
        reverse("evidence:item", kwargs={"human_id": item.human_id}),
        reverse("evidence:case", kwargs={"code": case.code}),
    ):
        page = client.get(url).content.decode()
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert len(re.findall(r"<form\b", page)) >= 3, url  # several forms on the page
        assert sorted({i for i in ids if ids.count(i) > 1}) == [], url
        assert set(re.findall(r'<label for="([^"]+)"', page)) <= set(ids), url
