"""In a real headless Chromium: a desk officer logs in with her second factor, registers a
case with consent, and sees it on the case page in Urdu and in English.
"""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from crisiscell.access.policy import Role
from crisiscell.cases.models import Case
from crisiscell.tests.factories import TEST_PASSWORD, CellFactory, current_code, make_staff

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FORMAT = "%Y-%m-%dT%H:%M"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser_page():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is needed for browser tests: install Debian's chromium package ({CHROMIUM}).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own
    # database calls are synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        page = browser.new_context(locale="en-GB").new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_desk_officer_registers_a_case_and_reads_it_in_urdu_and_english(live_server, browser_page):
    cell = CellFactory(code="KHI")
    desk = make_staff(Role.DESK_OFFICER, cell, username="browser-desk")
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # Log in: password, then the code from her authenticator.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "browser-desk")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/login/verify/")
    page.fill("#id_token", current_code(TOTPDevice.objects.get(user=desk)))
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")

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
