"""Intake benchmark: register N cases with identities through the services, then measure
the CNIC look-up of a returning survivor and the case page of a case with a full history.

    .venv/bin/python bench/intake.py [--cases N] [--database-url URL] [--keep DIR | --reuse DIR]

Targets: CNIC look-up under 5 ms (median) and case page server time under 50 ms
(median) among N = 100,000 cases. Every case is registered through ``case_register``
in one process; the look-up and the case page are also measured at checkpoints
during the run (``--checkpoint``), so a long run reports figures as it goes.
Registering 100,000 cases takes 15 minutes to an hour, by the machine; ``--keep DIR`` leaves the
database (SQLite) and key ring in DIR, and ``--reuse DIR`` measures the look-up and the
case page again on what an earlier run kept (with the same ``--database-url`` for
PostgreSQL), registering nothing. The case page's CPU time in this process is printed
beside its server time: the difference is waiting, on the database or on a busy machine.
Figures only; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HostReference, bootstrap, database_label, median_ms, p95_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--lookups", type=int, default=1_000)
    parser.add_argument("--page-requests", type=int, default=200)
    parser.add_argument("--progress", type=int, default=10_000, help="print the cost per case every N cases")
    parser.add_argument("--checkpoint", type=int, default=25_000, help="measure look-up and case page every N cases")
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument("--keep", type=Path, help="keep the database and key ring in this directory")
    kept.add_argument("--reuse", type=Path, help="measure on what --keep left in this directory; register nothing")
    args = parser.parse_args()
    bootstrap(args.database_url, "intake", directory=args.keep or args.reuse)

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from crisiscell.access.policy import Role
    from crisiscell.accounts.models import User
    from crisiscell.cases.models import Case
    from crisiscell.cases.selectors import survivor_lookup
    from crisiscell.cases.services import case_register, case_update, consent_record
    from crisiscell.cases.tests.helpers import intake_data
    from crisiscell.cells.models import Cell
    from crisiscell.core.runtime import settle_after_startup
    from crisiscell.survivors.services import SurvivorIdentity
    from crisiscell.tests.factories import login_client, make_staff

    rng = random.Random(7)
    now = timezone.now()

    def cnic(i: int) -> str:
        return f"{10000 + i % 90000:05d}-{i:07d}-{i % 10}"

    if args.reuse:
        # What an earlier run kept: its staff, and the case with the full history (registered first).
        cell = Cell.objects.get(code="KHI")
        desk = User.objects.get(username="bench-desk")
        worker = User.objects.get(username="bench-worker")
        case = Case.objects.order_by("created_at").first()
        if case is None:
            raise SystemExit(f"{args.reuse} holds no cases: run with --keep first.")
    else:
        cell = Cell.objects.create(code="KHI", name="Bench cell", city="Karachi", hospital="Bench", address="-")
        desk = make_staff(Role.DESK_OFFICER, cell, username="bench-desk")
        worker = make_staff(Role.CASE_WORKER, cell, username="bench-worker")
        # One case with a full history (many consent decisions and corrections), registered
        # first so that its page can be measured at every checkpoint of the run.
        case = case_register(actor=desk, cell=cell, data=intake_data())
        for n in range(20):
            consent_record(
                actor=worker, case=case, purpose="photographs", decision="given" if n % 2 else "refused",
                given_by="survivor", method="verbal",
            )  # fmt: skip
            case = case_update(
                actor=worker, case=case, expected_version=case.version, changes={"district": f"District {n}"}
            )
    url = reverse("cases:detail", kwargs={"code": case.code})
    login_client(worker).get(url)  # warm templates and caches
    settle_after_startup()  # as the WSGI module does in a server worker

    def measure(registered: int) -> None:
        """The figures for the cases registered so far: their cost, CNIC look-ups among them, the case page."""
        if per_case:
            print(
                f"  at {registered:,} cases: registered in {time.perf_counter() - started:.0f} s, "
                f"median {median_ms(per_case):.2f} ms, p95 {p95_ms(per_case):.2f} ms per case",
                flush=True,
            )
        client = login_client(worker)  # a fresh session: a long run outlasts the idle timeout
        client.get(url)
        lookups: list[float] = []
        for _ in range(args.lookups):
            i = rng.randrange(registered)
            t0 = time.perf_counter()
            with transaction.atomic():
                matches = survivor_lookup(desk, cnic=cnic(i))
            lookups.append(time.perf_counter() - t0)
            if len(matches) != 1:
                raise SystemExit(f"Look-up of case {i} found {len(matches)} survivors")
        pages: list[float] = []
        page_cpu: list[float] = []  # this process's CPU: the rest of a page's time is waiting (database, machine)
        reference = HostReference()  # sampled between the page requests, outside their timing
        for n in range(args.page_requests):
            if n % 20 == 0:
                reference.sample()
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url)
            pages.append(time.perf_counter() - t0)
            page_cpu.append(time.process_time() - c0)
            if response.status_code != 200:
                raise SystemExit(f"Case page answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(
            f"  at {registered:,} cases: CNIC look-up median {median_ms(lookups):.2f} ms, "
            f"p95 {p95_ms(lookups):.2f} ms; case page median {median_ms(pages):.2f} ms, "
            f"p95 {p95_ms(pages):.2f} ms (CPU {median_ms(page_cpu):.2f} ms), {len(queries)} queries",
            flush=True,
        )
        results[registered] = (lookups, pages, page_cpu, len(queries), reference.median_ms())

    results: dict[int, tuple[list[float], list[float], list[float], int, float]] = {}
    per_case: list[float] = []
    started = time.perf_counter()
    if args.reuse:
        registered = Case.objects.count() - 1  # the full-history case is not one of the N
        print(f"crisiscell intake benchmark on {database_label()}: {registered:,} cases kept in {args.reuse}")
        measure(registered)
        _summary(registered, per_case, results[registered], None)
        return
    print(f"crisiscell intake benchmark on {database_label()}: {args.cases:,} cases through case_register", flush=True)
    for i in range(args.cases):
        data = intake_data(
            identity=SurvivorIdentity(
                name=f"Bench Survivor {i} (synthetic)", cnic=cnic(i), phones=[f"+92399{i:07d}"], address="Synthetic"
            ),
            arrival_at=now - timedelta(minutes=i % 50_000, seconds=rng.randrange(60)),
        )
        data.incident_at = data.arrival_at - timedelta(hours=3)
        t0 = time.perf_counter()
        case_register(actor=desk, cell=cell, data=data)
        per_case.append(time.perf_counter() - t0)
        done = i + 1
        if done % args.progress == 0:
            recent = per_case[-args.progress :]
            print(
                f"  {done:,} registered ({time.perf_counter() - started:.0f} s; last {len(recent):,}: "
                f"median {median_ms(recent):.2f} ms, p95 {p95_ms(recent):.2f} ms per case)",
                flush=True,
            )
        if done % args.checkpoint == 0 and done != args.cases:
            measure(done)
    total = time.perf_counter() - started
    measure(args.cases)
    _summary(args.cases, per_case, results[args.cases], total)


def _summary(
    cases: int,
    per_case: list[float],
    measured: tuple[list[float], list[float], list[float], int, float],
    total: float | None,
) -> None:
    lookups, pages, page_cpu, page_queries, reference_ms = measured
    print()
    print(f"{'measure':44} {'median':>10} {'p95':>10}")
    if per_case:
        print(f"{'register one case (services, identity)':44} {median_ms(per_case):8.2f}ms {p95_ms(per_case):8.2f}ms")
    print(f"{'CNIC look-up among ' + format(cases, ',') + ' cases':44} {median_ms(lookups):8.2f}ms "
          f"{p95_ms(lookups):8.2f}ms")  # fmt: skip
    print(f"{'case page, full history (server time)':44} {median_ms(pages):8.2f}ms {p95_ms(pages):8.2f}ms")
    print(f"{'  of which CPU time in this process':44} {median_ms(page_cpu):8.2f}ms {p95_ms(page_cpu):8.2f}ms")
    if total is not None:
        print(f"registered {cases:,} cases in {total:.1f} s ({cases / total:,.1f} cases/s, one process)")
    print(f"case page runs {page_queries} queries; load average (1 min) at the end {os.getloadavg()[0]:.2f}")
    print(f"host reference during the case pages (a fixed pure-Python workload): {reference_ms:.1f} ms median")
    print(
        f"targets: look-up < 5 ms: {'met' if median_ms(lookups) < 5 else 'NOT met'}; "
        f"case page < 50 ms: {'met' if median_ms(pages) < 50 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
