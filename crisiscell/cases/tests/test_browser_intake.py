"""In a real headless Chromium: a desk officer logs in with her second factor, registers a
case with consent, and sees it on the case page in Urdu and in English.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.cases.models import Case
from crisiscell.tests.browser import browser_login
from crisiscell.tests.factories import CellFactory, make_staff

FORMAT = "%Y-%m-%dT%H:%M"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_desk_officer_registers_a_case_and_reads_it_in_urdu_and_english(live_server, browser_page):
    cell = CellFactory(code="KHI")
    desk = make_staff(Role.DESK_OFFICER, cell, username="browser-desk")
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    browser_login(page, live_server.url, desk)

    # Register a case with consent, by keyboard and clicks as a desk officer would.
    page.click("text=New case")
    page.wait_for_url("**/intake/")
    page.fill("#id_name", "Browser Survivor (synthetic)")
    page.fill("#id_cnic", "42101-2222222-2")
    page.check("input[name=sex][value=female]")
    page.fill("#id_age_years", "26")
    incident = timezone.localtime() - timedelta(hours=9)
    page.fill("#id_incident_at", incident.strftime(FORMAT))
    page.check("#id_penetration")
    page.check("input[name=choice_medical][value=yes]")
    page.check("input[name=choice_evidence][value=collect]")
    page.check("input[name=choice_police][value=later]")
    page.select_option("#id_consent_examination", "given")
    page.select_option("#id_consent_treatment", "given")
    page.click("button[value=register]")
    page.wait_for_url("**/cases/KHI-*/")

    case = Case.objects.get()
    assert case.consents.filter(purpose="examination", decision="given").exists()
    assert page.locator("h1").inner_text() == case.code
    assert page.locator("text=Browser Survivor (synthetic)").count() == 1
    assert page.locator("html").get_attribute("dir") == "ltr"

    # The same case page in Urdu: right to left, translated.
    page.click("button[name=language][value=ur]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ur"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == case.code
    assert page.locator("text=Browser Survivor (synthetic)").count() == 1
    body = page.locator("main").inner_text()
    assert "Consent ledger" not in body  # the headings are in Urdu now
    assert "رضامندی" in body

    # And back to English.
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert "Consent ledger" in page.locator("main").inner_text()
    assert not errors, errors
