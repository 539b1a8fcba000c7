"""Every API operation: no token (401), wrong scope (403), another cell (404), allowed (2xx)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from crisiscell.api.tests.helpers import bearer, lab_client, police_client
from crisiscell.cases.services import case_register, consent_record
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.tests.factories import CellFactory, make_staff


@dataclass
class ApiWorld:
    case: Any  # KHI, bound to the police client
    other_case: Any  # LHR1, not bound
    submission: Any  # to PFSA, of the KHI case
    # To NFSA, of the LHR1 case: a laboratory client is bound to its laboratory and reaches
    # only the submissions addressed to it, from any cell.
    other_submission: Any
    tokens: dict[str, str]


def _submission(case: Any, cell: Any, laboratory: str = "pfsa") -> Any:
    from crisiscell.evidence import services as ev

    custodian = make_staff("evidence_custodian", cell)
    consent_record(actor=make_staff("desk_officer", cell), case=case, purpose="evidence", decision="given",
                   given_by="survivor", method="signed_form")  # fmt: skip
    collected = timezone.now() - timedelta(hours=3)
    item = ev.item_register(actor=custodian, case=case, kind="swab_hvs", collected_at=collected)
    # Sealed before the dispatch: custody runs forward in time.
    ev.item_seal(
        actor=custodian, item=item, seal_number="S-1", sealer_initials="TS", at=collected + timedelta(minutes=30)
    )
    return ev.lab_submit(actor=custodian, case=case, laboratory=laboratory, docket_number="D-1", items=[item],
                         dispatched_at=timezone.now() - timedelta(hours=2))  # fmt: skip


@pytest.fixture
def w(db: None) -> ApiWorld:
    cell, other = CellFactory(code="KHI"), CellFactory(code="LHR1")
    case = case_register(actor=make_staff("desk_officer", cell), cell=cell, data=intake_data())
    other_case = case_register(actor=make_staff("desk_officer", other), cell=other, data=intake_data())
    _c, police = police_client(cell, name="PRC KHI")
    _c, other_police = police_client(other, name="PRC LHR1")
    _c, notify_only = police_client(cell, scopes=["cases:notify"], name="PRC KHI notify")
    _c, lab = lab_client("pfsa")
    _c, other_lab = lab_client("nfsa", name="NFSA")
    tokens = {"police": police, "other_police": other_police, "notify_only": notify_only, "lab": lab,
              "other_lab": other_lab}  # fmt: skip
    return ApiWorld(case, other_case, _submission(case, cell), _submission(other_case, other, "nfsa"), tokens)


def _now() -> str:
    return (timezone.now() - timedelta(minutes=5)).isoformat()


@dataclass
class ApiRow:
    name: str
    method: str
    url: Callable[[ApiWorld, bool], str]  # (world, for the other cell?)
    body: Callable[[ApiWorld, bool], dict[str, Any]]
    allowed: str
    wrong_scope: str
    ok: int


def _fir_url(w: ApiWorld, other: bool) -> str:
    return f"/api/v1/cases/{(w.other_case if other else w.case).code}/fir"


def _lab_url(suffix: str) -> Callable[[ApiWorld, bool], str]:
    return lambda w, other: f"/api/v1/lab/submissions/{(w.other_submission if other else w.submission).pk}/{suffix}"


# fmt: off
API_ROWS = [
    ApiRow("me", "get", lambda w, o: "/api/v1/me", lambda w, o: {}, "police", "", 200),
    ApiRow("notify", "post", lambda w, o: "/api/v1/notifications",
           lambda w, o: {"cell": "LHR1" if o else "KHI", "notified_at": _now(), "sex": "female",
                         "offence_codes": ["PPC-375"], "police_station": "PS (synthetic)"},
           "police", "lab", 201),
    ApiRow("fir_status", "get", _fir_url, lambda w, o: {}, "police", "notify_only", 200),
    ApiRow("fir_update", "post", _fir_url,
           lambda w, o: {"status": "registered", "fir_number": "9/2026", "police_station": "PS (synthetic)",
                         "registered_at": _now(), "section_codes": ["PPC-375"]},
           "police", "notify_only", 200),
    ApiRow("lab_received", "post", _lab_url("received"), lambda w, o: {"received_at": _now()}, "lab", "police",
           200),
    ApiRow("lab_result", "post", _lab_url("result"),
           lambda w, o: {"received_at": _now(), "document_base64": base64.b64encode(b"%PDF-1.4 x").decode()},
           "lab", "police", 200),
]
# fmt: on


def _call(row: ApiRow, w: ApiWorld, token: str | None, *, other: bool = False) -> Any:
    headers = bearer(token) if token else {}
    if row.method == "get":
        return Client().get(row.url(w, other), **headers)
    return Client().post(row.url(w, other), json.dumps(row.body(w, other)), content_type="application/json",
                         HTTP_IDEMPOTENCY_KEY=f"{row.name}-{other}-{token and token[-6:]}", **headers)  # fmt: skip


def test_every_api_operation_has_a_row() -> None:
    from crisiscell.tests.urlwalk import walk

    operations = {name.split(":", 1)[1] for name, _v, _r in walk() if name.startswith("api:")}
    assert operations - {"openapi-json", "docs", "api-root"} == {row.name for row in API_ROWS}


@pytest.mark.parametrize("row", API_ROWS, ids=lambda r: r.name)
def test_no_token(row: ApiRow, w: ApiWorld) -> None:
    assert _call(row, w, None).status_code == 401
    assert _call(row, w, "cc_000000000000_not-a-token").status_code == 401


@pytest.mark.parametrize("row", [r for r in API_ROWS if r.wrong_scope], ids=lambda r: r.name)
def test_wrong_scope(row: ApiRow, w: ApiWorld) -> None:
    assert _call(row, w, w.tokens[row.wrong_scope]).status_code == 403


@pytest.mark.parametrize("row", [r for r in API_ROWS if r.name != "me"], ids=lambda r: r.name)
def test_other_cell(row: ApiRow, w: ApiWorld) -> None:
    # The allowed client, asking for an object of a cell (or laboratory) it is not bound to.
    response = _call(row, w, w.tokens[row.allowed], other=True)
    assert response.status_code == 404
    if row.allowed == "lab":
        assert _call(row, w, w.tokens["other_lab"]).status_code == 404


@pytest.mark.parametrize("row", API_ROWS, ids=lambda r: r.name)
def test_allowed(row: ApiRow, w: ApiWorld) -> None:
    response = _call(row, w, w.tokens[row.allowed])
    assert response.status_code == row.ok, response.content
