"""Board benchmark: one cell with 500 open cases among 100,000 closed ones.

    .venv/bin/python bench/board.py [--open N] [--closed N] [--database-url URL] [--requests R]
                                    [--keep DIR | --reuse DIR]

Measures the board's server time (median and 95th percentile) through the full
request path (middleware, access policy, audit, clocks, template) and its query
count, then the query count again with half the open cases, to show it does not
depend on the number of cases. Target: under 100 ms with 500 open cases.

The requests are timed in a fresh process, as a server worker serves them: the
process that has just inserted 100,000 cases carries that heap, and its board
requests took about a quarter more CPU time (``--same-process`` shows it).
Setting up 100,000 closed cases takes minutes; ``--keep DIR`` leaves the database
(SQLite) and key ring in DIR, and ``--reuse DIR`` measures again on what an earlier
run kept (with the same ``--database-url`` for PostgreSQL), setting up nothing.
Figures only; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HostReference, bootstrap, database_label, median_ms, p95_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open", type=int, default=500)
    parser.add_argument("--closed", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--database-url")
    parser.add_argument("--profile", action="store_true", help="print where the request time goes (cProfile)")
    parser.add_argument("--same-process", action="store_true", help="time the requests in the process that set up")
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument("--keep", type=Path, help="keep the database and key ring in this directory")
    kept.add_argument("--reuse", type=Path, help="measure on what --keep left in this directory; set up nothing")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the fresh process: the set-up's directory
    args = parser.parse_args()
    scratch = bootstrap(args.database_url, "board", directory=args.measure or args.keep or args.reuse)
    if args.reuse is not None:
        from crisiscell.cells.models import Cell

        if not Cell.objects.filter(code="KHI").exists():
            raise SystemExit(f"{args.reuse} holds no board set-up: run with --keep first.")
        print(f"crisiscell board benchmark on {database_label()}: the set-up kept in {args.reuse}")
    elif args.measure is None:
        set_up(args)
        if not args.same_process:
            command = [sys.executable, __file__, "--measure", str(scratch), "--open", str(args.open)]
            command += ["--requests", str(args.requests), *(["--profile"] if args.profile else [])]
            command += ["--database-url", args.database_url] if args.database_url else []
            raise SystemExit(subprocess.run(command, check=False).returncode)  # noqa: S603 - this script, again
    measure(args)


def set_up(args: argparse.Namespace) -> None:
    """One cell with ``--open`` cases registered through the services, and ``--closed`` closed ones."""
    from django.db import connection
    from django.utils import timezone

    from crisiscell.access.policy import Role
    from crisiscell.cases.models import Case, CaseStatus, Task, TaskKind
    from crisiscell.cases.services import case_register
    from crisiscell.cases.tests.helpers import intake_data
    from crisiscell.cells.models import Cell
    from crisiscell.survivors.models import Survivor, VaultRecord
    from crisiscell.tests.factories import make_staff

    rng = random.Random(11)
    cell = Cell.objects.create(code="KHI", name="Bench cell", city="Karachi", hospital="Bench", address="-")
    elsewhere = Cell.objects.create(code="ISB", name="Other cell", city="Islamabad", hospital="Bench", address="-")
    desk = make_staff(Role.DESK_OFFICER, cell, username="bench-desk")
    make_staff(Role.MEDICO_LEGAL_OFFICER, cell, username="bench-mlo", gender="female")
    now = timezone.now()
    print(f"crisiscell board benchmark on {database_label()}: {args.open} open cases, {args.closed:,} closed")

    started = time.perf_counter()
    for i in range(args.open):
        arrival = now - timedelta(hours=rng.uniform(0.2, 24 * 20))
        data = intake_data(arrival_at=arrival, age_years=rng.choice([9, 15, 22, 31, 44]), consents=[])
        data.incident_at = arrival - timedelta(hours=rng.uniform(1, 150))
        case_register(actor=desk, cell=cell, data=data)
        if i % 100 == 99:
            print(f"  {i + 1} open cases registered", flush=True)
    print(f"  open cases registered in {time.perf_counter() - started:.0f} s", flush=True)

    # Closed cases in bulk (the board must ignore them; registering 100,000 through the
    # services is what bench/intake.py measures), spread over both cells.
    batch: list[Case] = []
    tasks: list[Task] = []
    record = VaultRecord.objects.create(id=uuid.uuid4(), kind="survivor", key_id="-", wrapped_key=b"", ciphertext=b"")
    survivor = Survivor.objects.create(cell=cell, identity=record, sex="female", age_years=30, registered_at=now)
    started = time.perf_counter()
    for i in range(args.closed):
        target = cell if i % 2 else elsewhere
        arrival = now - timedelta(days=rng.uniform(30, 900))
        case = Case(
            cell=target, code=f"{target.code}-B-{i:06d}", reference=f"B{i:010d}", survivor=survivor,
            registered_by=desk, source="walk_in", arrival_at=arrival, incident_time_kind="exact",
            incident_at=arrival - timedelta(hours=6), place_type="unknown", gbv_type="rape", survivor_sex="female",
            survivor_age_years=25, choice_medical="yes", choice_evidence="collect", choice_police="now",
            status=CaseStatus.CLOSED,
        )  # fmt: skip
        batch.append(case)
        tasks += [Task(case=case, kind=kind, status="done", closed_at=arrival) for kind in (TaskKind.MLE, TaskKind.FIR)]
        if len(batch) == 5_000:
            Case.objects.bulk_create(batch)
            Task.objects.bulk_create(tasks)
            batch, tasks = [], []
    Case.objects.bulk_create(batch)
    Task.objects.bulk_create(tasks)
    print(f"  {args.closed:,} closed cases inserted in {time.perf_counter() - started:.0f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure(args: argparse.Namespace) -> None:
    """Time the board's requests and count their queries (then again with half the open cases)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from crisiscell.accounts.models import User
    from crisiscell.cases.models import Case, CaseStatus
    from crisiscell.cells.models import Cell
    from crisiscell.core.runtime import settle_after_startup
    from crisiscell.tests.factories import login_client

    cell = Cell.objects.get(code="KHI")
    mlo = User.objects.get(username="bench-mlo")
    client = login_client(mlo)
    url = reverse("cases:board", kwargs={"cell_code": cell.code})
    client.get(url)  # warm up
    settle_after_startup()  # as the WSGI module does in a server worker
    samples: list[float] = []
    cpu: list[float] = []  # this process's CPU time: less disturbed than wall time on a busy machine
    reference = HostReference()  # sampled between the requests, outside their timing
    for n in range(args.requests):
        if n % 6 == 0:
            reference.sample()
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        samples.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if response.status_code != 200:
            raise SystemExit(f"Board answered {response.status_code}")
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(lambda: [client.get(url) for _ in range(10)])
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    with CaptureQueriesContext(connection) as full:
        client.get(url)
    # Half the open cases closed: the query count must not change. Reopened afterwards,
    # so that a kept set-up measures the same next time.
    open_ids = list(Case.objects.filter(cell=cell, status=CaseStatus.OPEN).values_list("pk", flat=True))
    halved = open_ids[: len(open_ids) // 2]
    Case.objects.filter(pk__in=halved).update(status=CaseStatus.CLOSED)
    client = login_client(mlo)
    client.get(url)
    with CaptureQueriesContext(connection) as half:
        client.get(url)
    Case.objects.filter(pk__in=halved).update(status=CaseStatus.OPEN)
    if connection.vendor == "postgresql":
        # Closing and reopening left a dead index entry per case; autovacuum would wait for
        # 20% of the table to change. Without this, each run measured the last one's debris.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cases_case")

    print()
    print(f"{'measure':46} {'value':>12}")
    print(f"{'board server time, median':46} {median_ms(samples):10.1f}ms")
    print(f"{'board server time, 95th percentile':46} {p95_ms(samples):10.1f}ms")
    print(f"{'board CPU time, median':46} {median_ms(cpu):10.1f}ms")
    print(f"{'load average (1 min) at the end':46} {os.getloadavg()[0]:12.2f}")
    print(f"{'host reference (fixed pure-Python workload)':46} {reference.median_ms():10.1f}ms")
    fresh = args.measure is not None or args.reuse is not None
    print(f"{'requests timed in':46} {'a fresh process' if fresh else 'the set-up process':>12}")
    print(f"{'queries per board request (' + str(len(open_ids)) + ' open)':46} {len(full):12d}")
    print(f"{'queries per board request (' + str(len(open_ids) - len(halved)) + ' open)':46} {len(half):12d}")
    print(f"target: under 100 ms median: {'met' if median_ms(samples) < 100 else 'NOT met'}; "
          f"constant queries: {'yes' if len(full) == len(half) else 'NO'}")  # fmt: skip


if __name__ == "__main__":
    main()
