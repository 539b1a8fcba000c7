"""Intake screens, drafts, returning survivors, the case page by role, and optimistic locking."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.cases import codes
from crisiscell.cases.models import Case, CaseContext, IntakeDraft, RecordVersion
from crisiscell.cases.selectors import display_value
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data, intake_post, local
from crisiscell.survivors.models import Survivor, VaultRecord
from crisiscell.tests.factories import login_client


@pytest.fixture
def desk(cell, staff):
    return staff(Role.DESK_OFFICER, cell, username="desk")


def _actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_desk_officer_registers_a_case_end_to_end(cell, desk):
    client = login_client(desk)
    assert client.get(reverse("cases:intake", kwargs={"cell_code": cell.code})).status_code == 200
    response = client.post(reverse("cases:intake", kwargs={"cell_code": cell.code}), intake_post())
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", kwargs={"code": case.code})
    assert re.fullmatch(r"KHI-\d{4}-0001", case.code)
    assert codes.parse_reference(case.reference) == case.reference
    assert (case.gbv_type, case.arita_applies, case.is_child) == ("rape", True, False)
    assert sorted(c.purpose for c in case.consents.all()) == [
        "examination",
        "statistics",
        "treatment",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Browser Survivor (synthetic)" in page  # the desk officer holds the identity section
    assert codes.format_reference(case.reference) in page
    assert {
        "survivor.created",
        "case.registered",
        "consent.recorded",
        "case.viewed",
        "survivor.identity_viewed",
    } <= set(_actions())


def test_errors_are_shown_next_to_the_field_and_nothing_is_saved(cell, desk):
    client = login_client(desk)
    response = client.post(
        reverse("cases:intake", kwargs={"cell_code": cell.code}),
        intake_post(cnic="12345", incident_at=""),
    )
    assert response.status_code == 400
    html = response.content.decode()
    cnic_block = html[html.index('id="field-id_cnic"') :][:800]
    assert "13 digits" in cnic_block
    assert 'class="error"' in cnic_block
    assert "Enter the incident time" in html
    assert 'value="Browser Survivor (synthetic)"' in html  # what was typed is kept
    assert not Case.objects.exists()
    assert not Survivor.objects.exists()


def test_a_draft_is_encrypted_resumed_and_registered(cell, desk):
    client = login_client(desk)
    post = intake_post(action="save_draft", name="Draft Survivor (synthetic)", sex="")
    response = client.post(reverse("cases:intake", kwargs={"cell_code": cell.code}), post)
    draft = IntakeDraft.objects.get()
    assert response["Location"] == reverse("cases:intake_draft", kwargs={"cell_code": cell.code, "draft_id": draft.pk})
    assert b"Draft Survivor" not in bytes(draft.data.ciphertext)
    resumed = client.get(response["Location"]).content.decode()
    assert 'value="Draft Survivor (synthetic)"' in resumed
    response = client.post(response["Location"], intake_post(name="Draft Survivor (synthetic)"))
    assert response.status_code == 302
    assert not IntakeDraft.objects.exists()
    assert not VaultRecord.objects.filter(kind="draft").exists()
    assert {"intake.draft_saved", "intake.draft_opened", "intake.draft_discarded"} <= set(_actions())


def test_a_returning_survivor_is_offered_for_linking_not_duplicated(cell, desk):
    first = case_register(actor=desk, cell=cell, data=intake_data())
    client = login_client(desk)
    url = reverse("cases:intake", kwargs={"cell_code": cell.code})
    found = client.post(url, intake_post(action="lookup", lookup_cnic="35202-1234567-1", lookup_phone=""))
    html = found.content.decode()
    assert first.code in html
    assert f'value="{first.survivor.pk}"' in html
    response = client.post(url, intake_post(existing_survivor=str(first.survivor.pk), sex="", age_years=""))
    assert response.status_code == 302
    assert Survivor.objects.count() == 1
    second = Case.objects.exclude(pk=first.pk).get()
    assert second.survivor == first.survivor
    assert "survivor.linked" in _actions()


@pytest.mark.parametrize(
    ("role", "sees_identity"),
    [
        (Role.DESK_OFFICER, True),
        (Role.CASE_WORKER, True),
        (Role.MEDICO_LEGAL_OFFICER, True),
        (Role.CELL_HEAD, True),
        (Role.EVIDENCE_CUSTODIAN, False),
    ],
)
def test_case_page_sections_follow_the_role(cell, desk, staff, role, sees_identity):
    case = case_register(actor=desk, cell=cell, data=intake_data())
    viewer = staff(role, cell)
    page = login_client(viewer).get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert case.code in page
    assert ("Test Survivor (synthetic)" in page) is sees_identity
    assert ("35202-1234567-1" in page) is sees_identity
    identity_reads = AuditEvent.objects.filter(action="survivor.identity_viewed", actor=viewer).count()
    assert identity_reads == (1 if sees_identity else 0)


def test_case_page_reads_her_identity_record_with_the_case_not_on_its_own(cell, desk):
    case = case_register(actor=desk, cell=cell, data=intake_data())
    client = login_client(desk)
    url = reverse("cases:detail", kwargs={"code": case.code})
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert "Test Survivor (synthetic)" in page
    own_reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "survivors_vaultrecord"')]
    assert own_reads == []


def test_case_page_lists_are_separated_with_a_comma_of_the_page_language(cell, desk):
    # given a case with two contexts
    case = case_register(actor=desk, cell=cell, data=intake_data())
    Case.objects.filter(pk=case.pk).update(contexts=["ipv", "csa"])
    client = login_client(desk)
    url = reverse("cases:detail", kwargs={"code": case.code})
    # then in English they are joined with a Latin comma, and in Urdu with the Urdu comma
    english = client.get(url).content.decode()
    assert "Intimate partner violence, Child sexual abuse" in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ur"
    urdu = client.get(url).content.decode()
    with translation.override("ur"):
        ipv, csa = str(CaseContext.IPV.label), str(CaseContext.CSA.label)
        assert display_value("contexts", ["ipv", "csa"]) == f"{ipv}، {csa}"
    assert ipv != "Intimate partner violence"
    assert f"{ipv}، {csa}" in urdu
    assert f"{ipv}, {csa}" not in urdu


def test_a_changed_time_reads_as_a_time_element_in_karachi_time():
    # a time in a version's snapshot is stored in UTC; "what changed" shows it as every page
    # shows a time: local, in a <time> that stays left to right on an Urdu page
    shown = display_value("arrival_at", "2026-12-07T03:01:00+00:00")
    assert shown == '<time datetime="2026-12-07T08:01+05:00">2026-12-07 08:01</time>'
    assert isinstance(shown, SafeString)
    # and what is not a time is shown as stored, to be escaped like any text
    odd = display_value("incident_at", "<b>soon</b>")
    assert odd == "<b>soon</b>"
    assert not isinstance(odd, SafeString)


def test_two_people_editing_the_second_is_refused_and_shown_the_change(cell, desk, staff):
    case = case_register(actor=desk, cell=cell, data=intake_data())
    worker = staff(Role.CASE_WORKER, cell)
    url = reverse("cases:edit", kwargs={"code": case.code})
    first, second = login_client(desk), login_client(worker)
    form = first.get(url).context["form"]
    base = {k: v for k, v in form.initial.items() if v not in (None, False)}
    base = {k: ("on" if v is True else v) for k, v in base.items()}
    base["arrival_at"], base["incident_at"] = local(case.arrival_at), local(case.incident_at)
    assert first.post(url, {**base, "district": "Karachi West"}).status_code == 302
    response = second.post(url, {**base, "district": "Karachi Central"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this case" in html
    assert "Karachi West" in html  # the other person's change is shown
    case.refresh_from_db()
    assert case.district == "Karachi West"
    assert case.version == 2
    assert list(RecordVersion.objects.filter(case=case).values_list("version", flat=True)) == [1, 2]
    # The case page shows what changed between versions.
    page = first.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert "Karachi South" in page
    assert "Karachi West" in page
    # Each version names who saved it: the desk officer registered it and saved version 2.
    authors = re.findall(r'Version (\d+) by <span dir="ltr">([^<]+)</span>', page)
    assert authors == [("1", desk.username), ("2", desk.username)]


def test_case_list_opens_a_case_by_code_and_says_when_it_is_cut(cell, desk, staff, monkeypatch):
    first = case_register(actor=desk, cell=cell, data=intake_data())
    second = case_register(actor=desk, cell=cell, data=intake_data(existing_survivor=first.survivor))
    url = reverse("cases:list", kwargs={"cell_code": cell.code})
    client = login_client(desk)
    page = client.get(url).content.decode()
    assert reverse("cases:intake", kwargs={"cell_code": cell.code}) in page
    assert "most recent are shown" not in page
    response = client.get(url, {"code": f" {first.code.lower()} "})  # as typed from a letter
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", kwargs={"code": first.code})
    page = client.get(url, {"code": "../../admin"}).content.decode()
    assert "A case code looks like" in page
    monkeypatch.setattr("crisiscell.cases.views.CASES_SHOWN", 1)
    page = client.get(url).content.decode()
    assert second.code in page
    assert first.code not in page
    assert "Only the 1 most recent are shown" in page
    # A medico-legal officer sees the cases but cannot register one: no button that leads nowhere.
    mlo = staff(Role.MEDICO_LEGAL_OFFICER, cell, username="list-mlo", gender="female")
    assert reverse("cases:intake", kwargs={"cell_code": cell.code}) not in login_client(mlo).get(url).content.decode()


def _unresolved_descriptions(page: str) -> list[str]:
    """Ids a field names in aria-describedby that no element on the page carries."""
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    named = {ref for refs in re.findall(r'aria-describedby="([^"]+)"', page) for ref in refs.split()}
    return sorted(named - ids)


def test_a_screen_reader_hears_a_fields_hint_and_its_error(cell, desk, staff):
    client = login_client(desk)
    url = reverse("cases:intake", kwargs={"cell_code": cell.code})
    blank = client.get(url).content.decode()
    assert 'aria-describedby="id_cnic_helptext"' in blank
    assert _unresolved_descriptions(blank) == []
    # a CNIC with too few digits: the field names its hint and its error, and both are there
    refused = client.post(url, intake_post(cnic="123")).content.decode()
    assert 'aria-describedby="id_cnic_helptext id_cnic_error"' in refused
    error = re.search(r'<div id="id_cnic_error">(.*?)</div>', refused, re.S)
    assert error is not None
    assert "13 digits" in error.group(1)
    assert _unresolved_descriptions(refused) == []
    # and the forms folded away on a case page
    case = case_register(actor=desk, cell=cell, data=intake_data())
    page = login_client(staff(Role.CASE_WORKER, cell)).get(reverse("cases:detail", kwargs={"code": case.code}))
    assert _unresolved_descriptions(page.content.decode()) == []


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.MEDICO_LEGAL_OFFICER, Role.CELL_HEAD])
def test_no_two_elements_on_a_case_page_share_an_id(cell, desk, staff, role):
    """A label names its control by id: with the close fields repeated under every task, the
    "What happened" of the third task labelled the first task's field."""
    case = case_register(actor=desk, cell=cell, data=intake_data())
    page = login_client(staff(role, cell)).get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert page.count('name="done_at"') >= 3  # the close fields of several tasks, and the clock form
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    labelled = set(re.findall(r'<label for="([^"]+)"', page))
    assert labelled <= set(ids)
