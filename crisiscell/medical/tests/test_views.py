"""The examination pages: the case-page panel, forms, diagram clicks, forbidden findings over HTTP, signing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.medical.models import ExamStatus, Injury, MedicoLegalExamination
from crisiscell.medical.services import examination_start
from crisiscell.medical.tests.helpers import complete_examination, events

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"


def _url(name: str, exam: MedicoLegalExamination) -> str:
    return reverse(f"medical:{name}", kwargs={"examination_id": exam.pk})


def test_the_case_page_links_the_record_only_for_roles_with_the_medical_section(team, case, logged_in) -> None:
    link = reverse("medical:case", kwargs={"code": case.code})
    for role, shown in [
        (Role.MEDICO_LEGAL_OFFICER, True),
        (Role.CASE_WORKER, True),
        (Role.CELL_HEAD, True),
        (Role.DESK_OFFICER, False),
        (Role.PSYCHOLOGIST, False),
    ]:
        page = logged_in(team[role]).get(reverse("cases:detail", kwargs={"code": case.code}))
        assert page.status_code == 200
        assert (link in page.content.decode()) is shown, role


def test_an_officer_starts_the_examination_from_the_form(mlo, case, logged_in) -> None:
    client = logged_in(mlo)
    page = client.get(reverse("medical:case", kwargs={"code": case.code}))
    assert "Start the examination" in page.content.decode()
    assert events("medical.case_viewed")
    started = (timezone.localtime() - timedelta(minutes=10)).strftime(FMT)
    response = client.post(
        reverse("medical:start", kwargs={"code": case.code}), {"examiner": mlo.pk, "started_at": started}
    )
    exam = MedicoLegalExamination.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == _url("examination", exam)
    page = client.get(_url("examination", exam))
    body = page.content.decode()
    assert "Still missing" in body
    assert 'type="image"' in body
    assert "data:image/svg+xml;base64," in body
    assert events("medical.examination_viewed", examination=str(exam.pk))


def _injury_post(**extra: object) -> dict[str, object]:
    return {"site": "Right cheek", "kind": "bruise", "estimated_age": "fresh", "length_mm": "20", "width_mm": "15",
            "colour": "blue", "description": "", **extra}  # fmt: skip


def test_a_click_on_a_diagram_places_the_injury_without_script(mlo, case, logged_in) -> None:
    exam = examination_start(actor=mlo, case=case)
    client = logged_in(mlo)
    # the head diagram is drawn 150 x 150 pixels: a click at (75, 30) is 50 % across, 20 % down
    response = client.post(_url("injury", exam), _injury_post(**{"at_head.x": "75", "at_head.y": "30"}))
    assert response.status_code == 302
    injury = Injury.objects.get(examination=exam)
    assert (injury.view, float(injury.x), float(injury.y)) == ("head", 50.0, 20.0)
    # the typed position works too, for keyboard users
    client.post(_url("injury", exam), _injury_post(view="back", x="12.5", y="60"))
    assert Injury.objects.filter(examination=exam, view="back", x="12.50", y="60.00").exists()
    # and without either, nothing is saved and the officer is told why
    page = client.post(_url("injury", exam), _injury_post())
    assert page.status_code == 200
    assert "Click where the injury is" in page.content.decode()
    assert Injury.objects.filter(examination=exam).count() == 2


@pytest.mark.parametrize("key", ["f_hymen", "hymen_status", "habituation", "two_finger_test", "virginity"])
def test_a_forbidden_key_posted_to_the_findings_form_is_refused(mlo, case, logged_in, key) -> None:
    exam = examination_start(actor=mlo, case=case)
    page = logged_in(mlo).post(_url("findings", exam), {"f_examined": "yes", key: "intact"})
    assert page.status_code == 200
    assert "4 January 2021" in page.content.decode()
    exam.refresh_from_db()
    assert exam.anogenital_findings == {}
    assert not events("medical.findings_saved")


def test_forbidden_terms_in_the_examiners_text_are_refused_by_the_forms(mlo, case, logged_in) -> None:
    exam = examination_start(actor=mlo, case=case)
    client = logged_in(mlo)
    page = client.post(_url("findings", exam), {"f_examined": "yes", "description": "hymenal tear"})
    assert "s.13" in page.content.decode()
    page = client.post(_url("opinion", exam), {"conclusion": "Habituated", "reasons": "Finger test was done on her."})
    assert "s.13" in page.content.decode()
    assert not exam.opinion.exists()


def test_json_findings_are_checked_like_the_form(mlo, case, logged_in) -> None:
    exam = examination_start(actor=mlo, case=case)
    client = logged_in(mlo)
    refused = client.post(
        _url("findings", exam),
        json.dumps({"findings": {"examined": "yes", "hymen": "intact"}}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "forbidden_finding"
    assert "s.13" in refused.json()["error"]
    accepted = client.post(
        _url("findings", exam), json.dumps({"findings": {"examined": "declined"}}), content_type="application/json"
    )
    assert accepted.status_code == 200
    assert accepted.json() == {"findings": {"examined": "declined"}}


def test_the_record_form_saves_and_refuses_a_stale_copy(mlo, case, logged_in) -> None:
    exam = examination_start(actor=mlo, case=case)
    client = logged_in(mlo)
    now = timezone.localtime()
    data = {
        "version": exam.version,
        "started_at": (now - timedelta(minutes=30)).strftime(FMT),
        "finished_at": (now - timedelta(minutes=5)).strftime(FMT),
        "came_alone": "on",
        "history": "She says it happened last night (synthetic).",
        "general_condition": "stable",
        "physical_state": "Well.",
        "mental_state": "calm",
    }
    assert client.post(_url("record", exam), data).status_code == 302
    exam.refresh_from_db()
    assert exam.came_alone
    assert exam.general_condition == "stable"
    stale = client.post(_url("record", exam), data)
    assert stale.status_code == 200
    assert "after you opened it" in stale.content.decode()


def test_signing_from_the_page_and_then_only_addenda(mlo, case, logged_in) -> None:
    exam = complete_examination(mlo, case)
    client = logged_in(mlo)
    assert "Sign and seal the record" in client.get(_url("examination", exam)).content.decode()
    client.post(_url("sign", exam))
    exam.refresh_from_db()
    assert exam.status == ExamStatus.SIGNED
    page = client.get(_url("examination", exam)).content.decode()
    assert 'type="image"' not in page
    assert "<svg" in page
    assert "Sign and add the addendum" in page
    refused = client.post(_url("opinion", exam), {"conclusion": "More", "reasons": "More reasons given here."})
    assert "signed and sealed" in refused.content.decode()
    client.post(_url("addendum", exam), {"text": "Laboratory result received; see evidence."})
    assert exam.addenda.count() == 1


def test_signing_an_incomplete_record_is_refused_from_the_page(mlo, case, logged_in) -> None:
    exam = examination_start(actor=mlo, case=case)
    response = logged_in(mlo).post(_url("sign", exam), follow=True)
    assert "not complete" in response.content.decode()
    exam.refresh_from_db()
    assert exam.status == ExamStatus.DRAFT
