"""Forms ask the browser not to remember what was typed into them.

A cell's computer is shared, by shift after shift at the same desk. A browser that keeps
what was typed into a form offers it again as suggestions: the next person to type "A"
into a name field would see a survivor's name, a CNIC, a phone number or a code word.
"""

from __future__ import annotations

import re

from crisiscell.tests.templates import PACKAGE, html_templates

FORM = re.compile(r"<form\b[^>]*>")
FIELD_AUTOCOMPLETE = re.compile(r"<(?:input|textarea|select)\b[^>]*\bautocomplete=\"([^\"]*)\"")
# What a field may ask instead, inside a form that says "off": sign-in fields that a password
# manager must recognise, and one-time codes.
SIGN_IN = {"off", "username", "current-password", "new-password", "one-time-code"}


def test_every_form_asks_the_browser_not_to_remember_its_entries() -> None:
    forms = [(path, tag) for path in html_templates() for tag in FORM.findall(path.read_text(encoding="utf-8"))]
    assert len(forms) >= 50
    missing = [f"{path.relative_to(PACKAGE.parent)}: {tag}" for path, tag in forms if 'autocomplete="off"' not in tag]
    assert not missing, 'add autocomplete="off" to:\n' + "\n".join(missing)


def test_no_field_asks_for_more_than_sign_in_needs() -> None:
    asked = {
        f"{path.relative_to(PACKAGE.parent)}: {value}"
        for path in html_templates()
        for value in FIELD_AUTOCOMPLETE.findall(path.read_text(encoding="utf-8"))
        if value not in SIGN_IN
    }
    assert not asked


def test_the_intake_page_form_says_off(db: None) -> None:
    from django.urls import reverse

    from crisiscell.access.policy import Role
    from crisiscell.cells.models import Cell
    from crisiscell.tests.factories import login_client, make_staff

    cell = Cell.objects.create(code="TST", name="Test cell", city="Karachi", hospital="Test", address="-")
    page = login_client(make_staff(Role.DESK_OFFICER, cell)).get(reverse("cases:intake", kwargs={"cell_code": "TST"}))
    assert page.status_code == 200
    tags = FORM.findall(page.content.decode())
    assert tags
    assert all('autocomplete="off"' in tag for tag in tags)
