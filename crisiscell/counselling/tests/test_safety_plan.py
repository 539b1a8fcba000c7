"""The safety plan: structured, encrypted, and printed as a discreet one-page PDF that names nothing."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.counselling.models import SafetyPlan
from crisiscell.counselling.services import SafetyPlanContent, safety_plan_pdf, safety_plan_save
from crisiscell.counselling.tests.helpers import events
from crisiscell.survivors.models import VaultRecord
from crisiscell.tests.factories import login_client
from crisiscell.tests.pdf import attached_text, is_pdf, page_text

PLAN = SafetyPlanContent(
    safe_places="My cousin Nasreen's house in Gulshan (synthetic)",
    trusted_people="Nasreen 0300 5550101; Mrs Bano next door (synthetic)",
    code_word="blue dupatta",
    how_to_leave="Through the roof to Bano's when he sleeps (synthetic)",
    what_to_take="CNIC, the children's B-forms, medicines, charger",
    phone_safety="Delete the call log only if he does not check it",
    device_checks=["location", "passwords", "spare"],
    emergency_numbers=["police", "rescue", "sindh_women"],
    language="en",
)
# Words that would tell whoever finds the paper what it is and where it comes from.
TELLTALE = re.compile(r"crisis|rape|hospital|\bcell\b|\bcase\b|counsell|psycholog|survivor|victim|assault|abuse", re.I)


@pytest.fixture
def plan(case, psychologist):
    return safety_plan_save(actor=psychologist, case=case, content=PLAN)


def _identifiers(case) -> list[str]:
    cell = case.cell
    return [case.code, case.reference, cell.code, cell.name, cell.hospital, cell.address, "crisiscell"]


@pytest.mark.parametrize("language", ["en", "ur"])
def test_the_pdf_names_neither_the_cell_nor_the_case(case, plan, psychologist, language):
    # Given her saved plan
    # When the psychologist prints it
    pdf = safety_plan_pdf(actor=psychologist, case=case, language=language)
    # Then it is a PDF whose page text and exact text copy carry her plan...
    assert is_pdf(pdf)
    texts = [page_text(pdf), *attached_text(pdf).values()]
    copy = attached_text(pdf)[f"text-{language}.txt"]
    assert "blue dupatta" in copy
    assert "0300 5550101" in copy
    assert "1122" in copy
    # ...and nothing that names the cell, the hospital, the case or what happened
    for text in texts:
        for identifier in _identifiers(case):
            assert identifier not in text
        assert not TELLTALE.search(text), TELLTALE.search(text)
    # And its title is neutral; it fits on one page
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    title = reader.metadata.title if reader.metadata else None
    assert title is None or not TELLTALE.search(title)
    if language == "en":
        assert title == "My plan"
        assert copy.startswith("My plan\n")
    (printed,) = events("counselling.safety_plan_printed")
    assert printed.details == f'{{"language":"{language}"}}'


def test_the_download_is_discreet_too(case, plan, psychologist):
    response = login_client(psychologist).get(
        reverse("counselling:safety_plan_pdf", kwargs={"code": case.code}), {"language": "en"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="my-plan.pdf"'


def test_the_plan_is_encrypted_at_rest(case, plan):
    record = VaultRecord.objects.get(pk=SafetyPlan.objects.get(case=case).content_id)
    raw = bytes(record.ciphertext)
    for secret in ("blue dupatta", "Nasreen", "Gulshan"):
        assert secret.encode() not in raw
    (saved,) = events("counselling.safety_plan_saved")
    assert "dupatta" not in saved.details


def test_saving_again_replaces_the_plan(case, plan, psychologist):
    changed = SafetyPlanContent(**{**vars(PLAN), "code_word": "green bangles"})
    again = safety_plan_save(actor=psychologist, case=case, content=changed)
    assert again.pk == plan.pk
    assert again.version == plan.version + 1
    page = login_client(psychologist).get(reverse("counselling:safety_plan", kwargs={"code": case.code}))
    assert "green bangles" in page.content.decode()
    assert len(events("counselling.safety_plan_viewed")) == 1


def test_within_the_first_aid_window_a_plan_needs_no_counselling_consent(cell, desk, psychologist):
    fresh = case_register(actor=desk, cell=cell, data=intake_data())
    safety_plan_save(actor=psychologist, case=fresh, content=SafetyPlanContent(safe_places="Her sister's"))
    assert SafetyPlan.objects.filter(case=fresh).exists()


def test_the_form_saves_a_structured_plan(case, psychologist):
    client = login_client(psychologist)
    response = client.post(
        reverse("counselling:safety_plan", kwargs={"code": case.code}),
        {
            "language": "ur",
            "safe_places": "Masjid-side house (synthetic)",
            "device_checks": ["location", "accounts"],
            "emergency_numbers": ["police"],
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("counselling:safety_plan", kwargs={"code": case.code})).content.decode()
    assert "Masjid-side house (synthetic)" in page
    assert re.search(r'value="accounts"[^>]*checked', page)
    assert not re.search(r'value="backup"[^>]*checked', page)
