"""The public page on keeping digital evidence: no login, both languages, nothing revealed."""

from __future__ import annotations

from typing import Any

import pytest
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


# The left edges of the first and last characters of each profile example, found in the
# list item's text whatever the markup around them.
_PROFILE_EXAMPLES = """item => {
    const out = [], walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        for (const example of ["facebook.com/…", "instagram.com/…"]) {
            const at = text.data.indexOf(example);
            if (at < 0) continue;
            const edges = [at, at + example.length - 1].map(i => {
                range.setStart(text, i); range.setEnd(text, i + 1);
                return range.getBoundingClientRect().left;
            });
            out.push([example, ...edges]);
        }
    }
    return out;
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_the_urdu_page_a_profile_link_reads_left_to_right(live_server: Any, browser_page: Any) -> None:
    """Without the isolate, "facebook.com/…" after Urdu words showed as "…/facebook.com" on a phone."""
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ur", "url": live_server.url}])
    page.goto(f"{live_server.url}{reverse('digital:public_help')}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    edges = page.locator("ol li", has_text="facebook.com").evaluate(_PROFILE_EXAMPLES)
    assert [example for example, _, _ in edges] == ["facebook.com/…", "instagram.com/…"]
    for example, first, last in edges:
        assert first < last, example
