"""The court bundle verifies offline, and fails naming the part when anything in it is changed."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.audit.services import audit_record
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.documents.models import Disclosure
from crisiscell.documents.services import court_bundle_issue
from crisiscell.evidence.models import CustodyEvent, EvidenceItem


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings) -> None:
    settings.CRISISCELL_MEDIA_DIR = tmp_path / "media"


@pytest.fixture
def custodian(cell, staff):
    return staff(Role.EVIDENCE_CUSTODIAN, cell, username="custodian")


@pytest.fixture
def case_with_custody(cell, staff, custodian):
    desk = staff(Role.DESK_OFFICER, cell, username="desk")
    case = case_register(actor=desk, cell=cell, data=intake_data())
    now = timezone.now()
    for n, kind in enumerate(["swab_hvs", "ref_blood", "clothing"]):
        item = EvidenceItem.objects.create(
            case=case, human_id=f"E-TEST-{n}", kind=kind, collected_by=custodian, collected_at=now - timedelta(hours=3)
        )
        for step, movement in enumerate(["collected", "sealed", "stored", "dispatched"]):
            with transaction.atomic():
                event = audit_record(
                    action="evidence.custody",
                    actor=custodian,
                    cell=cell,
                    object_type="evidence",
                    object_ref=item.human_id,
                    details={"kind": movement},
                )
                CustodyEvent.objects.create(
                    item=item, kind=movement, at=now - timedelta(hours=2 - step * 0.1), from_label="custodian",
                    to_label="laboratory courier" if movement == "dispatched" else "custodian",
                    external_organisation="PFSA" if movement == "dispatched" else "", seal_intact=True,
                    recorded_by=custodian, audit_event=event,
                )  # fmt: skip
    return case


def _issue(case, custodian, tmp_path: Path) -> Path:
    bundle, _ = court_bundle_issue(
        actor=custodian, case=case, recipient_kind="court", recipient="Special court (test)",
        purpose="Trial", order_reference="Order 12/2026 (test)",
    )  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        archive.extractall(tmp_path)
    return tmp_path / bundle.name


def _verify(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the bundle's own verifier, as a clerk would run it
        [sys.executable, str(folder / "verify.py")], capture_output=True, text=True, timeout=60, check=False
    )


def test_an_intact_bundle_verifies(case_with_custody, custodian, tmp_path):
    folder = _issue(case_with_custody, custodian, tmp_path)
    result = _verify(folder)
    assert result.returncode == 0, result.stdout
    assert "OK" in result.stdout
    events = json.loads((folder / "events.json").read_text())
    assert len(events) == 12
    assert {e["action"] for e in events} == {"evidence.custody"}
    assert (folder / "custody-report.pdf").read_bytes().startswith(b"%PDF")
    # Producing it is audited and in the disclosure ledger.
    assert AuditEvent.objects.filter(action="document.court_bundle", object_ref=case_with_custody.code).exists()
    disclosure = Disclosure.objects.get(document="court_bundle")
    assert (disclosure.recipient_kind, disclosure.order_reference) == ("court", "Order 12/2026 (test)")


def _edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _tamper_file(folder: Path) -> None:
    pdf = folder / "custody-report.pdf"
    pdf.write_bytes(pdf.read_bytes().replace(b"%PDF-1.7", b"%PDF-1.6", 1) + b" ")


def _tamper_event(folder: Path) -> None:
    _edit_json(folder / "events.json", lambda events: events[0].update(action="evidence.destroyed"))


def _tamper_event_leaf(folder: Path) -> None:
    def change(events):
        leaf = json.loads(base64.b64decode(events[1]["leaf_bytes_b64"]))
        leaf[12] = '{"kind":"returned"}'
        events[1]["leaf_bytes_b64"] = base64.b64encode(json.dumps(leaf, separators=(",", ":")).encode()).decode()

    _edit_json(folder / "events.json", change)


def _tamper_proof(folder: Path) -> None:
    def change(events):
        path = events[2]["audit_path_hex"]
        path[0] = ("0" if path[0][0] != "0" else "1") + path[0][1:]

    _edit_json(folder / "events.json", change)


def _tamper_tree_head(folder: Path) -> None:
    _edit_json(folder / "tree-head.json", lambda head: head.update(tree_size=head["tree_size"] + 1))


def _tamper_key(folder: Path) -> None:
    other = Ed25519PrivateKey.generate().public_key()
    (folder / "public-key.pem").write_bytes(
        other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _tamper_manifest(folder: Path) -> None:
    _edit_json(folder / "manifest.json", lambda manifest: manifest.update(case_code="KHI-2026-9999"))


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        (_tamper_file, "file custody-report.pdf"),
        (_tamper_event, "event #"),
        (_tamper_event_leaf, "inclusion proof"),
        (_tamper_proof, "inclusion proof"),
        (_tamper_tree_head, "tree head"),
        (_tamper_key, "key"),
        (_tamper_manifest, "manifest"),
    ],
)
def test_each_kind_of_tampering_fails_naming_the_part(case_with_custody, custodian, tmp_path, tamper, named):
    folder = _issue(case_with_custody, custodian, tmp_path)
    tamper(folder)
    result = _verify(folder)
    assert result.returncode == 1, result.stdout
    fails = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert fails
    assert named in fails[0]


def test_only_roles_with_evidence_export_may_issue(case_with_custody, cell, staff):
    with pytest.raises(PermissionDenied):
        court_bundle_issue(
            actor=staff(Role.POLICE_LIAISON, cell), case=case_with_custody, recipient_kind="court",
            recipient="Special court (test)", purpose="Trial", order_reference="Order 1 (test)",
        )  # fmt: skip
