"""Identifiers in messages: extraction, the vault, and the repeat perpetrator signal."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.digital.identifiers import extract
from crisiscell.digital.models import PerpetratorIdentifier
from crisiscell.digital.selectors import identifiers_of, repeat_counts
from crisiscell.digital.tests.conftest import upload
from crisiscell.survivors.models import VaultRecord


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me 0300 0000012", {("phone", "+923000000012")}),
        ("نمبر ۰۳۰۰۰۰۰۰۰۱۲ پر", {("phone", "+923000000012")}),
        ("+92-300-0000012 is mine", {("phone", "+923000000012")}),
        ("mail Someone.Test@Example.org now", {("email", "someone.test@example.org")}),
        ("see https://www.facebook.com/Some.Profile.Test/ ok", {("profile", "facebook.com/some.profile.test")}),
        (
            "https://m.facebook.com/profile.php?id=100000000001&ref=x",
            {("profile", "facebook.com/profile.php?id=100000000001")},
        ),
        ("insta: https://instagram.com/test_handle?igsh=abc", {("profile", "instagram.com/test_handle")}),
        ("follow @Test_Handle.01 please", {("handle", "@test_handle.01")}),
        ("no identifiers here at 21:15 on 31/12/2023", set()),
    ],
)
def test_extraction_normalises(text: str, expected: set[tuple[str, str]]) -> None:
    assert extract(text) == expected


CHAT = (
    "31/12/2023, 21:15 - Unknown Test: send pictures or I post them, my number 0300 0000012\n"
    "31/12/2023, 21:16 - Unknown Test: https://facebook.com/fake.profile.test\n"
)


def test_identifiers_go_to_the_vault_with_a_keyed_hash(worker: Any, case: Any) -> None:
    upload(worker, case, CHAT.encode(), "chat.txt")
    rows = list(PerpetratorIdentifier.objects.filter(case=case))
    assert sorted(r.kind for r in rows) == ["phone", "profile"]
    for row in rows:
        assert row.record.kind == VaultRecord.Kind.PERPETRATOR
        assert b"0000012" not in bytes(row.record.ciphertext)
        assert len(bytes(row.digest)) == 32
    values = sorted(i.value for i in identifiers_of(case))
    assert values == ["+923000000012", "facebook.com/fake.profile.test"]
    # Uploading the same chat again adds nothing
    upload(worker, case, CHAT.encode(), "chat-again.txt")
    assert PerpetratorIdentifier.objects.filter(case=case).count() == 2


def test_repeat_signal_in_the_same_cell_only(
    worker: Any, case: Any, cell: Any, other_cell: Any, staff: Any, logged_in: Any
) -> None:
    # Given the same number in another case of the cell, and in a case of another cell
    desk = staff(Role.DESK_OFFICER, cell, username="desk5")
    second = case_register(actor=desk, cell=cell, data=intake_data())
    upload(worker, case, CHAT.encode(), "chat.txt")
    upload(worker, second, b"01/01/2024, 10:00 - Other Test: it is +92 300 0000012\n", "chat.txt")
    other_worker = staff(Role.CASE_WORKER, other_cell, username="worker6")
    elsewhere = case_register(
        actor=staff(Role.DESK_OFFICER, other_cell, username="desk6"), cell=other_cell, data=intake_data()
    )
    upload(other_worker, elsewhere, CHAT.encode(), "chat.txt")
    # Then the first case names the second case of its own cell, never the other cell's
    views = {i.value: i.other_cases for i in identifiers_of(case)}
    assert views["+923000000012"] == [second.code]
    assert views["facebook.com/fake.profile.test"] == []
    page = logged_in(worker).get(reverse("digital:case", kwargs={"code": case.code}))
    assert "Possible repeat perpetrator" in page.content.decode()
    assert second.code in page.content.decode()
    assert elsewhere.code not in page.content.decode()
    # And the other cell's case shows no signal (its cell has no other case with it)
    assert all(not i.other_cases for i in identifiers_of(elsewhere))
    # And the national analyst sees only counts
    analyst = staff(Role.NATIONAL_ANALYST, None, username="analyst")
    counts = repeat_counts(analyst)
    assert (counts.identifiers, counts.in_several_cases, counts.in_several_cells) == (2, 2, 2)
    response = logged_in(analyst).get(reverse("digital:repeat_statistics"))
    body = response.content.decode()
    assert response.status_code == 200
    assert case.code not in body
    assert "0000012" not in body
    assert "fake.profile" not in body
    assert AuditEvent.objects.filter(action="digital.repeat_statistics_viewed").count() == 2
    # A cell head (statistics of one cell) does not get the national counts
    head = staff(Role.CELL_HEAD, cell, username="head")
    assert logged_in(head).get(reverse("digital:repeat_statistics")).status_code == 404
