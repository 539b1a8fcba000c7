"""Browser tests: a real headless Chromium (Debian's package) driven by Playwright.

``browser_page`` (a fixture in the root conftest) opens a page; ``browser_login``
signs a staff member in with her password and the code from her authenticator.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice

from crisiscell.tests.factories import TEST_PASSWORD, current_code

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


def open_browser_page() -> Iterator[Any]:
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
            # While Playwright's loop runs, Django keeps this test's database connections
            # apart from the ones it closes after the test: close them here, or on
            # PostgreSQL they outlive the run and keep the test database from being dropped.
            connections.close_all()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def browser_login(page: Any, base_url: str, user: Any) -> None:
    """Password, then the current code of her authenticator; ends on the home page."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/login/verify/")
    page.fill("#id_token", current_code(TOTPDevice.objects.get(user=user)))
    page.click("button.primary")
    page.wait_for_url(f"{base_url}/")
