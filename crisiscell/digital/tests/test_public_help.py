"""The public page on keeping digital evidence: no login, both languages, nothing revealed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse

from crisiscell.audit.models import AuditEvent


def test_public_page_in_english_without_login(db: None) -> None:
    response = Client().get(reverse("digital:public_help"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'dir="ltr"' in body
    for words in (
        "Do not delete",
        "Export the whole chat",
        "screenshots",
        "profile",
        "1799",
        "0800-39393",
        "9 am to 5 pm",
    ):
        assert words in body
    assert "Quick exit" in body
    assert 'rel="noreferrer noopener"' in body
    assert 'name="referrer" content="no-referrer"' in body
    assert not AuditEvent.objects.exists()  # nothing recorded about whoever reads it


def test_public_page_in_urdu_is_right_to_left(db: None) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ur"
    body = client.get(reverse("digital:public_help")).content.decode()
    assert 'lang="ur"' in body
    assert 'dir="rtl"' in body
    assert '<a href="tel:1799" dir="ltr">1799</a>' in body
    assert '<a href="tel:080039393" dir="ltr">0800-39393</a>' in body


def test_public_page_reveals_nothing_to_a_logged_in_user(worker: Any, logged_in: Any, case: Any) -> None:
    body = logged_in(worker).get(reverse("digital:public_help")).content.decode()
    assert case.code not in body


def test_login_page_links_to_it(db: None) -> None:
    body = Client().get(reverse("accounts:login")).content.decode()
    assert reverse("digital:public_help") in body


def test_case_page_links_to_digital_evidence_for_those_who_may_see_it(
    worker: Any, case: Any, cell: Any, staff: Any, logged_in: Any
) -> None:
    from crisiscell.access.policy import Role

    link = reverse("digital:case", kwargs={"code": case.code})
    assert link in logged_in(worker).get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    desk = staff(Role.DESK_OFFICER, cell, username="desk9")
    assert link not in logged_in(desk).get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
