"""Access-matrix rows for police and courts (the ``legal`` section).

``prepare`` adds, on ``world.case``: her consent to release to the police, a statement,
a refusal, the FIR, a court case with a judgment and an appeal, and a legal aid
application; and ``world.other_legal``, a legal adviser of the other cell (who holds
every legal right there and so must meet a 404 here, not a 403).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.justice import services
from crisiscell.justice.tests.helpers import court, fir, release_consent, statement
from crisiscell.tests.factories import make_staff
from crisiscell.tests.matrix import Row, World, cell_kwargs


def prepare(world: World) -> None:
    adviser = world.users[Role.LEGAL_ADVISER]
    case = world.case
    release_consent(world.users[Role.DESK_OFFICER], case)
    world.extra["statement"] = statement(adviser, case)
    services.refusal_record(
        actor=adviser, case=case, police_station="PS Saddar (synthetic)", refused_on=timezone.localdate()
    )
    fir(adviser, case)
    court_case = court(adviser, case, days_ago=40)
    services.judgment_record(
        actor=adviser,
        court_case=court_case,
        judgment_on=timezone.localdate() - timedelta(days=5),
        verdict="conviction",
        convictions=[("PPC-375", "Imprisonment (synthetic)")],
    )
    court_case.refresh_from_db()
    world.extra["appeal"] = services.appeal_record(
        actor=adviser, court_case=court_case, filed_on=timezone.localdate(), filed_by="accused", court="High Court"
    )
    services.legal_aid_apply(actor=adviser, case=case, applied_at=timezone.now() - timedelta(hours=2))
    world.other_legal = make_staff(Role.LEGAL_ADVISER, world.other_cell)


def _case(w: World) -> dict[str, Any]:
    return {"code": w.case.code}


def _today() -> str:
    return timezone.localdate().isoformat()


def _post(
    name: str, data: Any, *, allowed: str = Role.POLICE_LIAISON, wrong: str = Role.PSYCHOLOGIST, ok: int = 302
) -> Row:
    return Row(f"justice:{name}", kwargs=_case, method="post", data=data, allowed=allowed, wrong=wrong,
               other_cell_user="other_legal", ok_status=frozenset({ok}))  # fmt: skip


# fmt: off
ROWS = [
    Row("justice:page", kwargs=_case, allowed=Role.CASE_WORKER, wrong=Role.PSYCHOLOGIST,
        other_cell_user="other_head"),
    Row("justice:statement", kwargs=lambda w: {"code": w.case.code, "statement_id": w.extra["statement"].pk},
        allowed=Role.LEGAL_ADVISER, wrong=Role.MEDICO_LEGAL_OFFICER, other_cell_user="other_head"),
    Row("justice:panel", kwargs=cell_kwargs, allowed=Role.CELL_HEAD, wrong=Role.DESK_OFFICER,
        other_cell_user="other_head"),
    _post("statement_record", lambda w: {"text": "Synthetic", "language": "Urdu", "place": "cell"}),
    _post("fir_draft", lambda w: {"language": "en", "police_station": "PS Saddar (synthetic)"},
          allowed=Role.LEGAL_ADVISER, wrong=Role.POLICE_LIAISON, ok=200),
    _post("jop_draft", lambda w: {"language": "en", "police_station": "PS Saddar (synthetic)"},
          allowed=Role.LEGAL_ADVISER, wrong=Role.CASE_WORKER, ok=200),
    _post("refusal_record", lambda w: {"police_station": "PS (synthetic)", "refused_on": _today()}),
    _post("fir_record", lambda w: {"fir_number": "1", "police_station": "PS", "registered_at": ""},
          wrong=Role.CELL_HEAD),
    _post("police_update", lambda w: {"version": w.case.police_case.version, "interim_report_on": _today()},
          allowed=Role.LEGAL_ADVISER, wrong=Role.CASE_WORKER),
    _post("transfer", lambda w: {"requested_on": _today(), "reason": "Not investigated (synthetic)"}),
    _post("arrest_add", lambda w: {"arrested_on": _today(), "count": 1}, wrong=Role.EVIDENCE_CUSTODIAN),
    _post("s164_request", lambda w: {"requested_on": _today()}),
    _post("s164_record", lambda w: {"recorded_on": _today(), "magistrate": "Judicial Magistrate (synthetic)"},
          allowed=Role.LEGAL_ADVISER),
    _post("court_open", lambda w: {"special_court": "X", "case_number": "1", "cognizance_on": _today()},
          wrong=Role.DESK_OFFICER),
    _post("court_conduct", lambda w: {"in_camera_confirmed": "on"}),
    _post("hearing_add", lambda w: {"held_on": _today(), "what_happened": "Evidence heard (synthetic)"}),
    _post("judgment", lambda w: {"judgment_on": _today(), "verdict": "acquittal"}, allowed=Role.LEGAL_ADVISER),
    _post("compromise", lambda w: {"reported_on": _today(), "note": "Family pressure (synthetic)"}),
    _post("appeal_add", lambda w: {"filed_on": _today(), "filed_by": "state", "court": "High Court"}),
    Row("justice:appeal_decide", kwargs=lambda w: {"appeal_id": w.extra["appeal"].pk}, method="post",
        data=lambda w: {"outcome": "upheld", "decided_on": _today()}, allowed=Role.LEGAL_ADVISER,
        wrong=Role.CELL_HEAD, other_cell_user="other_legal", ok_status=frozenset({302})),
    _post("aid_apply", lambda w: {"applied_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
    _post("aid_decline", lambda w: {"reason": "Not now (synthetic)"}),
    _post("aid_decide", lambda w: {"decision": "granted",
                                   "decided_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
    _post("aid_assign", lambda w: {"support_adviser": "Support adviser (synthetic)"}),
]
# fmt: on
