"""The integration API: police reporting centres and laboratories (django-ninja, OpenAPI 3.1).

Handlers are thin: authenticate (``auth.ClientToken``), rate-limit, check the scope,
replay or run once per idempotency key, and call one domain service with the
client's actor. A case or a submission outside the client's bound cells is a 404,
exactly like a missing one.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, NinjaAPI, Schema, Status
from ninja.params import functions as params
from pydantic import AwareDatetime, field_validator

from crisiscell.access.policy import Action, Section
from crisiscell.api import services
from crisiscell.api.auth import ClientToken, bound_cells
from crisiscell.api.models import IntegrationClient, Scope
from crisiscell.cases import rules
from crisiscell.cases.models import Case, Offence
from crisiscell.cases.selectors import case_get_for
from crisiscell.cases.services import IntakeData, case_register
from crisiscell.evidence import services as evidence_services
from crisiscell.evidence.models import LabSubmission
from crisiscell.justice import services as justice_services
from crisiscell.justice.models import PoliceCase
from crisiscell.survivors.services import SurvivorIdentity

api = NinjaAPI(
    title="crisiscell integration API",
    version="1",
    description=(
        "For police reporting centres and forensic laboratories. Bearer token per client; "
        "every POST takes an Idempotency-Key header; rate-limited per client; every call audited."
    ),
    auth=ClientToken(),
    urls_namespace="api",
    openapi_url="/schema",
    docs_url=None,
)

MIN_DATE = date(2000, 1, 1)
MAX_YEAR = 2100


class Error(Schema):
    detail: Any = Field(description="Why the request was refused.")


ERRORS: dict[int, type[Schema]] = {
    400: Error,
    401: Error,
    403: Error,
    404: Error,
    409: Error,
    422: Error,
    429: Error,
}


def _clean(value: str | None) -> str | None:
    if value is not None and ("\x00" in value or any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)):
        raise ValueError("contains characters that cannot be stored")
    return value


def _sane_day(value: date | None) -> date | None:
    """Dates and times between 2000 and 2100: far values only overflow time-zone arithmetic."""
    if value is not None and not MIN_DATE.year <= value.year < MAX_YEAR:
        raise ValueError("not a plausible date")
    return value


class Text(Schema):
    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _clean(value)
        if isinstance(value, list):
            return [_clean(v) if isinstance(v, str) else v for v in value]
        if isinstance(value, date):
            return _sane_day(value)
        return value


class ApiError(Exception):
    def __init__(self, status: int, detail: Any) -> None:
        self.status = status
        self.detail = detail


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, error: ApiError) -> Any:
    return api.create_response(request, {"detail": error.detail}, status=error.status)


def _messages(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _client(request: HttpRequest) -> IntegrationClient:
    client = getattr(request, "client", None)
    if not isinstance(client, IntegrationClient):
        raise ApiError(401, "Unauthorized")
    return client


def guarded(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Rate limit, then the scope; both before anything is read."""

    def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(handler)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            client = _client(request)
            if services.rate_limit_exceeded(client):
                raise ApiError(429, "Too many requests: wait for the next minute.")
            if not client.has_scope(scope):
                raise ApiError(403, f"This client does not hold the scope {scope}.")
            return handler(request, *args, **kwargs)

        return wrapper

    return decorate


def once(request: HttpRequest, key: str, run: Callable[[], tuple[int, dict[str, Any]]]) -> tuple[int, dict[str, Any]]:
    """Run a write once per idempotency key; domain refusals become stored 4xx answers."""
    client = _client(request)
    if not key.isprintable():
        raise ApiError(422, "The Idempotency-Key must be printable text.")

    def guarded_run() -> tuple[int, dict[str, Any]]:
        try:
            return run()
        except Http404:
            return 404, {"detail": "Not found."}
        except PermissionDenied:
            return 404, {"detail": "Not found."}
        except ValidationError as error:
            return 409, {"detail": _messages(error)}

    digest = services.request_digest(request.method or "POST", request.path, request.body)
    try:
        stored = services.idempotent(client=client, key=key, digest=digest, run=guarded_run)
    except services.IdempotencyConflict:
        raise ApiError(422, "This Idempotency-Key was used with a different request.") from None
    return stored.status, stored.body


def _case_for(request: HttpRequest, code: str, section: Section, action: Action) -> Case:
    """A case of a cell the client is bound to; else the same 404 as a missing one."""
    if not code.isprintable():
        raise Http404
    case = case_get_for(request.actor, code, section, action)  # type: ignore[attr-defined]
    if not bound_cells(_client(request)).filter(pk=case.cell_id).exists():
        raise Http404
    return case


IdempotencyKey: Any = params.Header(..., alias="Idempotency-Key", min_length=1, max_length=200)


# --- Health -------------------------------------------------------------------------------------


class Me(Schema):
    client: str
    scopes: list[str]


@api.get("/v1/me", response={200: Me, **ERRORS}, url_name="me", summary="Who am I (a trivial authenticated call)")
def me(request: HttpRequest) -> Any:
    client = _client(request)
    if services.rate_limit_exceeded(client):
        raise ApiError(429, "Too many requests: wait for the next minute.")
    return Status(200, {"client": client.name, "scopes": client.scopes})


# --- Police: notify a cell of a Schedule II case (ARITA s.5(3)) ---------------------------------


class NotificationIn(Text):
    cell: str = Field(min_length=1, max_length=6, description="The cell's code, e.g. KHI.")
    notified_at: AwareDatetime = Field(description="When the police reporting centre learned of the case.")
    sex: Literal["female", "male", "transgender"]
    age_years: int | None = Field(default=None, ge=0, le=120)
    offence_codes: list[str] = Field(min_length=1, max_length=10, description="Schedule II offences (PPC codes).")
    police_station: str = Field(min_length=1, max_length=200)
    district: str = Field(default="", max_length=100)


class NotificationOut(Schema):
    case_code: str


@api.post(
    "/v1/notifications",
    response={201: NotificationOut, **ERRORS},
    url_name="notify",
    summary="Notify a cell of a Schedule II case (ARITA s.5(3))",
)
@guarded(Scope.CASES_NOTIFY)
def notify(request: HttpRequest, payload: NotificationIn, idempotency_key: str = IdempotencyKey) -> Any:
    def run() -> tuple[int, dict[str, Any]]:
        cell = bound_cells(_client(request)).filter(code=payload.cell).first()
        if cell is None:
            raise Http404
        offences = list(Offence.objects.filter(code__in=payload.offence_codes))
        if len(offences) != len(set(payload.offence_codes)) or any(o.schedule != "II" for o in offences):
            raise ValidationError("Only Schedule II offences from the offence table are notified to a cell.")
        if payload.notified_at > timezone.now() + timedelta(minutes=5):
            raise ValidationError("notified_at is in the future.")
        penetration = any(o.code in ("PPC-375", "PPC-375A", "PPC-377") for o in offences)
        case = case_register(
            actor=request.actor,  # type: ignore[attr-defined]
            cell=cell,
            data=IntakeData(
                existing_survivor=None,
                identity=SurvivorIdentity(),
                sex=payload.sex,
                age_years=payload.age_years,
                age_estimated=True,
                may_call=False,
                may_text=False,
                call_window="never",
                guardians=[],
                source="police",
                source_detail=payload.police_station[:200],
                arrival_at=payload.notified_at,
                incident_time_kind="unknown",
                incident_at=None,
                incident_earliest=None,
                incident_latest=None,
                place_type="unknown",
                district=payload.district,
                answers=rules.GbvAnswers(penetration=penetration, sexual_contact=not penetration),
                transactional=False,
                held_captive=False,
                harmful_practice=False,
                perpetrators=[],
                offence_codes=[o.code for o in offences],
                disabilities=[],
                reported_elsewhere=False,
                reported_elsewhere_to="",
                choice_medical="undecided",
                choice_evidence="keep",
                choice_police="now",
                risk_immediate_danger=False,
                risk_self_harm=False,
                risk_perpetrator_in_household=False,
            ),
        )
        return 201, {"case_code": case.code}

    return Status(*once(request, idempotency_key, run))


# --- Police: the FIR's status --------------------------------------------------------------------


class FirOut(Schema):
    fir_number: str
    police_station: str
    registered_at: AwareDatetime
    sections: list[str]
    interim_report_on: date | None
    challan_on: date | None


class CaseStatusOut(Schema):
    case_code: str
    fir: FirOut | None


def _status(case: Case) -> dict[str, Any]:
    police = PoliceCase.objects.filter(case=case).first()
    fir = None
    if police is not None:
        fir = {
            "fir_number": police.fir_number,
            "police_station": police.police_station,
            "registered_at": police.registered_at.isoformat(),
            "sections": sorted(police.sections.values_list("code", flat=True)),
            "interim_report_on": police.interim_report_on.isoformat() if police.interim_report_on else None,
            "challan_on": police.challan_on.isoformat() if police.challan_on else None,
        }
    return {"case_code": case.code, "fir": fir}


@api.get(
    "/v1/cases/{code}/fir",
    response={200: CaseStatusOut, **ERRORS},
    url_name="fir_status",
    summary="The FIR status of a case of a bound cell",
)
@guarded(Scope.FIR_WRITE)
def fir_status(request: HttpRequest, code: str) -> Any:
    return Status(200, _status(_case_for(request, code, Section.LEGAL, Action.VIEW)))


class FirUpdateIn(Text):
    status: Literal["registered", "refused", "interim_report", "challan"]
    fir_number: str = Field(default="", max_length=40)
    police_station: str = Field(default="", max_length=200)
    registered_at: AwareDatetime | None = None
    section_codes: list[str] = Field(default_factory=list, max_length=10)
    investigating_officer: str = Field(default="", max_length=150)
    investigating_unit: str = Field(default="", max_length=150)
    on: date | None = Field(default=None, description="For refused, interim_report and challan: the date.")
    note: str = Field(default="", max_length=500)


@api.post(
    "/v1/cases/{code}/fir",
    response={200: CaseStatusOut, **ERRORS},
    url_name="fir_update",
    summary="Report the FIR's status: registered, refused, interim report or challan",
)
@guarded(Scope.FIR_WRITE)
def fir_update(request: HttpRequest, code: str, payload: FirUpdateIn, idempotency_key: str = IdempotencyKey) -> Any:
    def run() -> tuple[int, dict[str, Any]]:
        actor = request.actor  # type: ignore[attr-defined]
        case = _case_for(request, code, Section.LEGAL, Action.EDIT)
        if payload.status == "registered":
            if payload.registered_at is None:
                raise ValidationError("registered_at is required.")
            justice_services.fir_record(
                actor=actor,
                case=case,
                fir_number=payload.fir_number,
                police_station=payload.police_station,
                registered_at=payload.registered_at,
                section_codes=payload.section_codes,
                investigating_officer=payload.investigating_officer,
                investigating_unit=payload.investigating_unit,
            )
        elif payload.status == "refused":
            justice_services.refusal_record(
                actor=actor,
                case=case,
                police_station=payload.police_station,
                refused_on=payload.on or timezone.localdate(),
                note=payload.note,
            )
        else:
            police = PoliceCase.objects.filter(case=case).first()
            if police is None:
                raise ValidationError("The FIR of this case is not recorded yet.")
            if payload.on is None:
                raise ValidationError("on is required.")
            field = "interim_report_on" if payload.status == "interim_report" else "challan_on"
            justice_services.police_case_update(
                actor=actor, police_case=police, expected_version=police.version, changes={field: payload.on}
            )
        return 200, _status(case)

    return Status(*once(request, idempotency_key, run))


# --- Laboratories --------------------------------------------------------------------------------


def _submission(request: HttpRequest, submission_id: Any) -> LabSubmission:
    client = _client(request)
    submission = (
        LabSubmission.objects.select_related("case__cell")
        .filter(pk=submission_id, laboratory=client.laboratory or "-", case__cell__in=bound_cells(client))
        .first()
    )
    if submission is None:
        raise Http404
    return submission


class SubmissionOut(Schema):
    submission_id: str
    docket_number: str
    received_at: AwareDatetime | None
    result_received_at: AwareDatetime | None
    result_sha256: str | None


def _submission_out(submission: LabSubmission) -> dict[str, Any]:
    submission.refresh_from_db()
    return {
        "submission_id": str(submission.pk),
        "docket_number": submission.docket_number,
        "received_at": submission.received_at.isoformat() if submission.received_at else None,
        "result_received_at": submission.result_received_at.isoformat() if submission.result_received_at else None,
        "result_sha256": submission.result_file.sha256 if submission.result_file is not None else None,
    }


class ReceivedIn(Text):
    received_at: AwareDatetime


@api.post(
    "/v1/lab/submissions/{submission_id}/received",
    response={200: SubmissionOut, **ERRORS},
    url_name="lab_received",
    summary="The laboratory received a docket",
)
@guarded(Scope.LAB_WRITE)
def lab_received(
    request: HttpRequest, submission_id: str, payload: ReceivedIn, idempotency_key: str = IdempotencyKey
) -> Any:
    def run() -> tuple[int, dict[str, Any]]:
        submission = _submission(request, _uuid(submission_id))
        evidence_services.lab_received(
            actor=request.actor,  # type: ignore[attr-defined]
            submission=submission,
            received_at=payload.received_at,
        )
        return 200, _submission_out(submission)

    return Status(*once(request, idempotency_key, run))


class ResultIn(Text):
    received_at: AwareDatetime
    summary: str = Field(default="", max_length=300)
    document_name: str = Field(default="result.pdf", max_length=120)
    document_base64: str = Field(min_length=4, max_length=14_000_000, description="The signed result (PDF), base64.")


@api.post(
    "/v1/lab/submissions/{submission_id}/result",
    response={200: SubmissionOut, **ERRORS},
    url_name="lab_result",
    summary="The laboratory's result for a docket",
)
@guarded(Scope.LAB_WRITE)
def lab_result(
    request: HttpRequest, submission_id: str, payload: ResultIn, idempotency_key: str = IdempotencyKey
) -> Any:
    def run() -> tuple[int, dict[str, Any]]:
        submission = _submission(request, _uuid(submission_id))
        try:
            content = base64.b64decode(payload.document_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("document_base64 is not base64.") from None
        evidence_services.lab_result(
            actor=request.actor,  # type: ignore[attr-defined]
            submission=submission,
            document=io.BytesIO(content),
            received_at=payload.received_at,
            summary=payload.summary,
            name=payload.document_name,
        )
        return 200, _submission_out(submission)

    return Status(*once(request, idempotency_key, run))


def _uuid(value: str) -> Any:
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None
