"""Evidence benchmark: a court bundle for a big case, and storing a 1 GiB file.

    .venv/bin/python bench/evidence.py [--items N] [--runs R] [--file-mib M] [--database-url URL]

1. A case with 200 items and 2,000 custody events (10 movements each, through the
   services, so each is an audit event): the court bundle's build time (sealing,
   proofs, custody report PDF, ZIP) and the standalone verifier's time on it,
   medians over a few runs.
2. Storing a 1 GiB file through ``documents.storage`` (SHA-256 and AES-256-GCM,
   streamed in 1 MiB chunks): throughput as a ratio to ``sha256sum`` of the same file
   in the same run, and peak memory of the store in a fresh process, for a small and
   a large file (target: under 100 MB whatever the size). The file is made under
   /tmp and deleted afterwards.

Figures only; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, bootstrap, database_label

MIB = 1024 * 1024

# Run in a fresh interpreter: stores one file and reports its memory (JSON on stdout).
STORE_PROBE = """
import json, os, resource, sys, time, tracemalloc
import django
django.setup()  # the parent's migrated database and key ring (environment), no migrations here
from crisiscell.documents import storage
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
started = time.perf_counter()
with open({path!r}, "rb") as handle:
    record = storage.store(handle, kind="bench", max_bytes=1 << 40)
elapsed = time.perf_counter() - started
_, traced = tracemalloc.get_traced_memory()
tracemalloc.stop()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
storage.path_of(record.id).unlink()
print(json.dumps({{"seconds": elapsed, "traced_peak": traced, "rss_before_kib": before, "rss_after_kib": after,
                  "sha256": record.sha256}}))
"""


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def bundle_part(items: int, runs: int) -> None:
    from django.utils import timezone

    from crisiscell.access.policy import Role
    from crisiscell.audit.models import AuditEvent
    from crisiscell.cases.services import case_register, consent_record
    from crisiscell.cases.tests.helpers import intake_data
    from crisiscell.cells.models import Cell
    from crisiscell.documents.bundle import build
    from crisiscell.evidence import services
    from crisiscell.evidence.models import CustodyEvent, EvidenceStatus
    from crisiscell.tests.factories import make_staff

    cell = Cell.objects.create(code="KHI", name="Bench cell", city="Karachi", hospital="Bench", address="-")
    desk = make_staff(Role.DESK_OFFICER, cell, username="bench-desk")
    mlo = make_staff(Role.MEDICO_LEGAL_OFFICER, cell, username="bench-mlo")
    custodian = make_staff(Role.EVIDENCE_CUSTODIAN, cell, username="bench-custodian")
    now = timezone.now()
    case = case_register(actor=desk, cell=cell, data=intake_data(arrival_at=now - timedelta(days=60)))
    consent_record(actor=desk, case=case, purpose="evidence", decision="given", given_by="survivor", method="verbal")
    start = case.arrival_at + timedelta(hours=1)
    print(f"crisiscell evidence benchmark on {database_label()}")
    print(f"1. Court bundle: {items} items x 10 custody movements", flush=True)
    started = time.perf_counter()
    made = []
    for n in range(items):
        # Clothing: no sample window, so every item can be backdated freely.
        at = start + timedelta(minutes=n)
        item = services.item_register(actor=mlo, case=case, kind="clothing", collected_at=at)
        item = services.item_seal(actor=mlo, item=item, seal_number=f"B-{n}", sealer_initials="MO", at=at)
        offer = services.handover_request(
            actor=mlo, item=item, to_user=custodian, purpose="To the store", seal_intact=True, at=at
        )
        services._handover_complete(actor=custodian, event=offer)
        item.refresh_from_db()
        made.append(services.item_store(actor=custodian, item=item, place="Fridge", temperature="4 C", at=at))
    dispatched = start + timedelta(days=1)
    for first in range(0, items, 20):
        batch = made[first : first + 20]
        submission = services.lab_submit(
            actor=custodian, case=case, laboratory="pfsa", docket_number=f"RC-{first}", items=batch,
            dispatched_at=dispatched,
        )  # fmt: skip
        submission = services.lab_received(
            actor=custodian, submission=submission, received_at=dispatched + timedelta(days=1)
        )
        services.lab_result(
            actor=custodian, submission=submission, document=io.BytesIO(b"synthetic result"),
            received_at=dispatched + timedelta(days=14),
        )  # fmt: skip
    for item in made:
        item.refresh_from_db()
        services.item_transition(
            actor=custodian, item=item, to=EvidenceStatus.RETURNED, reason="Back", at=dispatched + timedelta(days=15)
        )
        services.item_store(
            actor=custodian, item=item, place="Cabinet", temperature="dry", at=dispatched + timedelta(days=16)
        )
    movements = CustodyEvent.objects.filter(item__case=case).count()
    print(
        f"   recorded {movements:,} custody movements ({AuditEvent.objects.count():,} audit events) "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    # Load WeasyPrint and its fonts once, as a running server would have.
    from django.template import engines

    from crisiscell.documents.pdf import render_pdf

    render_pdf(engines["django"].from_string("<p>warm-up</p>"), {})
    builds: list[float] = []
    bundle = None
    for _ in range(runs):
        started = time.perf_counter()
        bundle = build(case)
        builds.append(time.perf_counter() - started)
    if bundle is None:
        raise SystemExit("--runs must be at least 1")
    scratch = Path(tempfile.mkdtemp(prefix="crisiscell-bench-bundle-"))
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        archive.extractall(scratch)
    folder = scratch / bundle.name
    sizes = {name: (folder / name).stat().st_size for name in ("custody-report.pdf", "events.json")}
    verifies: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(  # noqa: S603 - the bundle's own verifier
            [sys.executable, str(folder / "verify.py")], capture_output=True, text=True, check=False
        )
        verifies.append(time.perf_counter() - started)
        if result.returncode != 0:
            print(result.stdout)
            raise SystemExit("the verifier refused an intact bundle")
    shutil.rmtree(scratch)
    print(
        f"   bundle: {len(bundle.event_ids):,} audit events with inclusion proofs, "
        f"ZIP {len(bundle.data) / MIB:.1f} MiB (custody report {sizes['custody-report.pdf'] / MIB:.1f} MiB, "
        f"events.json {sizes['events.json'] / MIB:.1f} MiB)"
    )
    print(f"   build  median {_median(builds):6.2f} s over {runs} runs ({', '.join(f'{b:.2f}' for b in builds)})")
    print(f"   verify median {_median(verifies):6.2f} s over {runs} runs (fresh Python process, verify.py)")


def _warm(path: Path) -> None:
    """Read the file once, so both contenders start from the page cache, not the disk."""
    with path.open("rb") as handle:
        while handle.read(8 * MIB):
            pass


def _sha256sum(path: Path) -> float:
    _warm(path)
    started = time.perf_counter()
    subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)  # noqa: S603, S607 - coreutils
    return time.perf_counter() - started


def _probe(path: Path) -> dict[str, Any]:
    _warm(path)
    code = STORE_PROBE.format(path=str(path))
    result = subprocess.run(  # noqa: S603 - our own probe script
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    probe: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return probe


def _make_file(path: Path, size: int) -> None:
    with path.open("wb") as out:
        remaining = size
        while remaining:
            block = os.urandom(min(8 * MIB, remaining))
            out.write(block)
            remaining -= len(block)


def storage_part(file_mib: int, runs: int) -> None:
    print(f"2. Storing a {file_mib:,} MiB file through documents.storage", flush=True)
    directory = Path(tempfile.mkdtemp(prefix="crisiscell-bench-file-", dir="/tmp"))
    try:
        small, large = directory / "small.bin", directory / "large.bin"
        _make_file(small, 64 * MIB)
        _make_file(large, file_mib * MIB)
        sums: list[float] = []
        stores: list[dict[str, Any]] = []
        for _ in range(runs):  # side by side, alternating, so both see the same machine
            sums.append(_sha256sum(large))
            stores.append(_probe(large))
        store_s = _median([s["seconds"] for s in stores])
        sum_s = _median(sums)
        size_mb = file_mib * MIB / 1e6
        print(f"   sha256sum      median {sum_s:6.2f} s  ({size_mb / sum_s:7.0f} MB/s)")
        print(
            f"   storage.store  median {store_s:6.2f} s  ({size_mb / store_s:7.0f} MB/s): SHA-256 + AES-256-GCM + write"
        )
        print(f"   ratio store / sha256sum: {store_s / sum_s:.2f}x the time ({runs} runs each)")
        small_probe = _probe(small)
        for label, probe in (("64 MiB", small_probe), (f"{file_mib:,} MiB", stores[-1])):
            grew = max(0, probe["rss_after_kib"] - probe["rss_before_kib"]) / 1024
            print(
                f"   peak memory storing {label:>9}: Python allocations {probe['traced_peak'] / MIB:5.1f} MiB "
                f"(tracemalloc), process peak RSS {probe['rss_after_kib'] / 1024:5.0f} MiB "
                f"(+{grew:.0f} MiB over Django loaded, before the store)"
            )
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print(f"   temporary files under {directory} deleted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--file-mib", type=int, default=1024)
    parser.add_argument("--database-url")
    parser.add_argument("--skip-bundle", action="store_true")
    parser.add_argument("--skip-storage", action="store_true")
    args = parser.parse_args()
    scratch = bootstrap(args.database_url, "evidence")
    os.environ["CRISISCELL_MEDIA_DIR"] = str(scratch / "media")
    from django.conf import settings

    settings.CRISISCELL_MEDIA_DIR = scratch / "media"
    if not args.skip_bundle:
        bundle_part(args.items, args.runs)
    if not args.skip_storage:
        storage_part(args.file_mib, args.runs)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
