"""The integration API: tokens, scopes, bound cells, idempotency, rate limits, audit."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from crisiscell.api.auth import client_for_token
from crisiscell.api.models import IntegrationClient
from crisiscell.api.services import client_create
from crisiscell.api.tests.helpers import bearer, lab_client, police_client
from crisiscell.audit.models import AuditEvent
from crisiscell.cases.models import Case, TaskKind, TaskStatus
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data

NOTIFY = "/api/v1/notifications"


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def post(client: Client, url: str, body: dict[str, Any], token: str | None, key: str | None = "k1") -> Any:
    headers = bearer(token) if token else {}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def notification(cell_code: str = "KHI", **overrides: Any) -> dict[str, Any]:
    body = {
        "cell": cell_code,
        "notified_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
        "sex": "female",
        "age_years": 19,
        "offence_codes": ["PPC-375"],
        "police_station": "PS Saddar (synthetic)",
    }
    body.update(overrides)
    return body


@pytest.fixture
def prc(cell):
    return police_client(cell)


@pytest.fixture
def case(cell, staff):
    return case_register(actor=staff("desk_officer", cell), cell=cell, data=intake_data(choice_police="now"))


# --- Tokens ---------------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_hash_and_found_again(prc):
    client, token = prc
    stored = IntegrationClient.objects.get(pk=client.pk)
    assert token not in (stored.token_sha256, stored.token_prefix)
    assert client_for_token(token) == client
    assert client_for_token(token + "x") is None
    assert not client.user.has_usable_password()
    assert len(events("api.client_created")) == 1


def test_a_client_is_bound_to_exactly_one_centre_or_laboratory(cell):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        client_create(actor_label="t", name="Nothing", scopes=["fir:write"])
    with pytest.raises(ValidationError):
        client_create(actor_label="t", name="Bad lab", scopes=["fir:write"], laboratory="pfsa")


def test_the_command_prints_the_token_once(cell, capsys):
    from django.core.management import call_command

    police_client(cell, name="first")
    call_command("api_client_create", "Lab KHI", "--laboratory", "pfsa", "--scope", "lab:write")
    out = capsys.readouterr().out
    token = out.strip().splitlines()[-1]
    assert client_for_token(token).name == "Lab KHI"


# --- Access: no token, wrong scope, other cell, allowed ------------------------------------------


def test_without_a_token_every_operation_is_401_and_audited(case):
    client = Client()
    assert client.get("/api/v1/me").status_code == 401
    assert client.get(f"/api/v1/cases/{case.code}/fir").status_code == 401
    assert post(client, NOTIFY, notification(), None).status_code == 401
    assert [json.loads(e.details)["status"] for e in events("api.called")] == [401, 401, 401]


def test_a_client_without_the_scope_is_refused(cell, case):
    _client, token = police_client(cell, scopes=["cases:notify"], name="notify only")
    response = Client().get(f"/api/v1/cases/{case.code}/fir", **bearer(token))
    assert response.status_code == 403
    _lab, lab_token = lab_client()
    assert post(Client(), NOTIFY, notification(), lab_token).status_code == 403


def test_a_client_never_reaches_a_case_of_another_cell(cell, other_cell, staff):
    _client, token = police_client(cell)
    theirs = case_register(actor=staff("desk_officer", other_cell), cell=other_cell, data=intake_data())
    missing = Client().get("/api/v1/cases/KHI-1999-0001/fir", **bearer(token))
    forbidden = Client().get(f"/api/v1/cases/{theirs.code}/fir", **bearer(token))
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
    body = {"status": "registered", "fir_number": "1", "police_station": "PS",
            "registered_at": timezone.now().isoformat()}  # fmt: skip
    assert post(Client(), f"/api/v1/cases/{theirs.code}/fir", body, token).status_code == 404
    assert not hasattr(theirs, "police_case") or not Case.objects.get(pk=theirs.pk).tasks.filter(status="done")
    assert post(Client(), NOTIFY, notification("LHR1"), token, key="other").status_code == 404


# --- Notification (ARITA s.5(3)) -----------------------------------------------------------------


def test_a_police_notification_creates_an_intake_with_minimal_data(prc, cell):
    _client, token = prc
    response = post(Client(), NOTIFY, notification(), token)
    assert response.status_code == 201
    case = Case.objects.get(code=response.json()["case_code"])
    assert case.cell == cell
    assert case.source == "police"
    assert case.choice_police == "now"
    assert [o.code for o in case.offences.all()] == ["PPC-375"]
    assert len(events("case.registered")) == 1
    (call,) = events("api.called")
    assert json.loads(call.details)["status"] == 201


def test_only_schedule_ii_offences_are_notified(prc):
    _client, token = prc
    response = post(Client(), NOTIFY, notification(offence_codes=["PECA-24"]), token)
    assert response.status_code == 409
    assert not Case.objects.exists()


# --- Idempotency ---------------------------------------------------------------------------------


def test_a_replay_returns_the_stored_result_and_creates_nothing_new(prc):
    _client, token = prc
    body = notification()
    first = post(Client(), NOTIFY, body, token, key="same")
    again = post(Client(), NOTIFY, body, token, key="same")
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert Case.objects.count() == 1


def test_the_same_key_with_another_body_is_422(prc):
    _client, token = prc
    post(Client(), NOTIFY, notification(), token, key="same")
    conflict = post(Client(), NOTIFY, notification(age_years=20), token, key="same")
    assert conflict.status_code == 422
    assert "Idempotency-Key" in conflict.json()["detail"]
    assert Case.objects.count() == 1


def test_a_post_without_an_idempotency_key_is_refused(prc):
    _client, token = prc
    assert post(Client(), NOTIFY, notification(), token, key=None).status_code == 422
    assert not Case.objects.exists()


# --- FIR status ----------------------------------------------------------------------------------


def test_the_fir_reported_by_the_police_is_recorded_through_the_justice_services(prc, case):
    _client, token = prc
    registered = timezone.now() - timedelta(hours=1)
    body = {"status": "registered", "fir_number": "45/2026", "police_station": "PS Saddar (synthetic)",
            "registered_at": registered.isoformat(), "section_codes": ["PPC-375"]}  # fmt: skip
    response = post(Client(), f"/api/v1/cases/{case.code}/fir", body, token)
    assert response.status_code == 200
    assert response.json()["fir"]["fir_number"] == "45/2026"
    duty = case.tasks.get(kind=TaskKind.FIR)
    assert duty.status == TaskStatus.DONE
    assert len(events("justice.fir_recorded")) == 1
    report = {"status": "interim_report", "on": timezone.localdate().isoformat()}
    later = post(Client(), f"/api/v1/cases/{case.code}/fir", report, token, key="k2")
    assert later.json()["fir"]["interim_report_on"] == timezone.localdate().isoformat()
    status = Client().get(f"/api/v1/cases/{case.code}/fir", **bearer(token)).json()
    assert status["fir"]["sections"] == ["PPC-375"]


def test_a_refusal_reported_by_the_police_is_recorded(prc, case):
    _client, token = prc
    body = {"status": "refused", "police_station": "PS (synthetic)", "on": timezone.localdate().isoformat()}
    assert post(Client(), f"/api/v1/cases/{case.code}/fir", body, token).status_code == 200
    assert case.fir_refusals.count() == 1


# --- Laboratories --------------------------------------------------------------------------------


@pytest.fixture
def submission(case, staff, cell):
    from crisiscell.cases.services import consent_record
    from crisiscell.evidence import services as ev
    from crisiscell.evidence.models import EvidenceItem

    custodian = staff("evidence_custodian", cell, username="custodian")
    desk = staff("desk_officer", cell, username="desk2")
    consent_record(actor=desk, case=case, purpose="evidence", decision="given", given_by="survivor",
                   method="signed_form")  # fmt: skip
    item = ev.item_register(actor=custodian, case=case, **_item_kwargs(case))
    assert isinstance(item, EvidenceItem)
    ev.item_seal(actor=custodian, item=item, **_seal_kwargs())
    return ev.lab_submit(
        actor=custodian, case=case, laboratory="pfsa", docket_number="D-1 (synthetic)", items=[item],
        dispatched_at=timezone.now() - timedelta(hours=2),
    )  # fmt: skip


def _item_kwargs(case: Case) -> dict[str, Any]:
    return {"kind": "swab_hvs", "description": "High vaginal swab (synthetic)", "collected_at": timezone.now()
            - timedelta(hours=3)}  # fmt: skip


def _seal_kwargs() -> dict[str, Any]:
    # Sealed before the dispatch two hours ago: custody runs forward in time.
    return {"seal_number": "S-1", "sealer_initials": "TS", "at": timezone.now() - timedelta(hours=2, minutes=30)}


def test_a_laboratory_reports_receipt_and_result_only_for_its_own_submissions(submission):
    _lab, token = lab_client("pfsa")
    _other, other_token = lab_client("nfsa", name="Other lab")
    url = f"/api/v1/lab/submissions/{submission.pk}"
    received = {"received_at": (timezone.now() - timedelta(hours=1)).isoformat()}
    assert post(Client(), f"{url}/received", received, other_token).status_code == 404
    response = post(Client(), f"{url}/received", received, token)
    assert response.status_code == 200
    assert response.json()["received_at"] is not None
    result = {"received_at": timezone.now().isoformat(), "summary": "Profile obtained (synthetic)",
              "document_base64": base64.b64encode(b"%PDF-1.4 synthetic result").decode()}  # fmt: skip
    done = post(Client(), f"{url}/result", result, token, key="k2")
    assert done.status_code == 200
    assert done.json()["result_sha256"]
    assert len(events("evidence.result_uploaded")) == 1


# --- Rate limit ----------------------------------------------------------------------------------


def test_a_client_over_its_limit_gets_429_until_the_next_window(cell):
    _client, token = police_client(cell, rate=3, name="slow")
    # The clock stands still mid-minute: real requests could straddle a window's end.
    with time_machine.travel(timezone.now().replace(second=30), tick=False) as traveller:
        statuses = [Client().get("/api/v1/me", **bearer(token)).status_code for _ in range(5)]
        traveller.shift(timedelta(minutes=1))
        statuses.append(Client().get("/api/v1/me", **bearer(token)).status_code)
    assert statuses == [200, 200, 200, 429, 429, 200]
    assert [json.loads(e.details)["status"] for e in events("api.called")] == statuses


# --- Schema and docs -----------------------------------------------------------------------------


def test_the_schema_is_openapi_3_1_and_the_docs_page_lists_every_operation(db):
    schema = Client().get("/api/schema").json()
    assert schema["openapi"].startswith("3.1")
    page = Client().get("/api/docs").content.decode()
    for path in schema["paths"]:
        assert path.split("{")[0] in page
    assert "<script" not in page
